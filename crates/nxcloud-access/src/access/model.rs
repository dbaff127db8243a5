//! The arguments and results of every `AccessControl` command and decision,
//! exactly as CONTRACT.md names them (camelCase JSON; enum values kebab-case).
//! Add fields, never rename.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::secret::Secret;

/// An organization role (ORG-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Admin,
    Member,
}

/// Whether an organization is private (default) or public (PUB-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum Visibility {
    #[default]
    Private,
    Public,
}

/// A runner-plane access level: the workspace ID level (WSID-1) and the
/// level a decision reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum AccessLevel {
    ReadWrite,
    ReadOnly,
    None,
}

/// The access of a CI access token (TOK-1) or the PAT access level (PAT-3,
/// PAT-4): never `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum TokenAccess {
    ReadWrite,
    ReadOnly,
}

impl From<TokenAccess> for AccessLevel {
    fn from(access: TokenAccess) -> Self {
        match access {
            TokenAccess::ReadWrite => Self::ReadWrite,
            TokenAccess::ReadOnly => Self::ReadOnly,
        }
    }
}

/// What a runner asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum RunnerAction {
    #[default]
    ReadCache,
    WriteCache,
    RecordRun,
    Distribute,
}

/// What a person asks to do in the web app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum WebAction {
    ViewRuns,
    ViewStats,
    ChangeSettings,
    ManageMembers,
    ManageTokens,
}

/// Whose level decided a runner request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum Principal {
    CiAccessToken,
    PersonalAccessToken,
    WorkspaceId,
}

/// The role a web decision applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum WebRole {
    Admin,
    Member,
    Public,
    None,
}

/// `createUser`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateUser {
    pub id: String,
    pub email: String,
}

/// `createOrganization`: the creator becomes its only member, admin (ORG-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateOrganization {
    pub id: String,
    pub name: String,
    pub creator: String,
}

/// `invite`: by `email` or by `domain` (exactly one of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Invite {
    pub organization: String,
    pub actor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "tsify", tsify(optional))]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "tsify", tsify(optional))]
    pub domain: Option<String>,
    pub role: Role,
}

/// `join`: returns the [`Role`] granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Join {
    pub organization: String,
    pub user: String,
}

/// `removeMember`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoveMember {
    pub organization: String,
    pub actor: String,
    pub user: String,
}

/// `setRole`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetRole {
    pub organization: String,
    pub actor: String,
    pub user: String,
    pub role: Role,
}

/// `setVisibility`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetVisibility {
    pub organization: String,
    pub actor: String,
    pub visibility: Visibility,
}

/// `createWorkspace`: returns [`CreatedWorkspace`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateWorkspace {
    pub organization: String,
    pub actor: String,
}

/// The result of `createWorkspace`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct CreatedWorkspace {
    /// 24 lower-case hexadecimal characters.
    pub nx_cloud_id: String,
}

/// `setWorkspaceIdAccess`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetWorkspaceIdAccess {
    pub workspace: String,
    pub actor: String,
    pub level: AccessLevel,
}

/// `setPersonalAccessTokenAccess`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetPersonalAccessTokenAccess {
    pub workspace: String,
    pub actor: String,
    pub level: TokenAccess,
}

/// `createCiAccessToken`: returns [`CreatedToken`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateCiAccessToken {
    pub workspace: String,
    pub actor: String,
    pub name: String,
    pub access: TokenAccess,
}

/// `revokeCiAccessToken`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RevokeCiAccessToken {
    pub workspace: String,
    pub actor: String,
    pub id: String,
}

/// `createPersonalAccessToken`: returns [`CreatedToken`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreatePersonalAccessToken {
    pub user: String,
    pub name: String,
}

/// `revokePersonalAccessToken`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RevokePersonalAccessToken {
    pub user: String,
    pub id: String,
}

/// `listPersonalAccessTokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListPersonalAccessTokens {
    pub user: String,
}

/// `listCiAccessTokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListCiAccessTokens {
    pub workspace: String,
    pub actor: String,
}

/// A freshly minted token: the only time its secret leaves the engine
/// (TOK-6, PAT-1). `Debug` shows it redacted; JSON carries it whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct CreatedToken {
    pub id: String,
    #[serde(serialize_with = "expose_secret")]
    #[cfg_attr(feature = "tsify", tsify(type = "string"))]
    pub token: Secret,
}

/// One personal access token, as `listPersonalAccessTokens` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PersonalAccessTokenInfo {
    pub id: String,
    pub name: String,
}

/// One CI access token, as `listCiAccessTokens` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct CiAccessTokenInfo {
    pub id: String,
    pub name: String,
    pub access: TokenAccess,
}

/// `authorizeRunner`: what a runner presents and what it asks.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunnerRequest {
    /// The workspace addressed. May be absent when a CI access token is
    /// presented (the token names its workspace).
    #[serde(default)]
    #[cfg_attr(feature = "tsify", tsify(optional))]
    pub nx_cloud_id: Option<String>,
    #[serde(default, deserialize_with = "optional_secret")]
    #[cfg_attr(feature = "tsify", tsify(optional, type = "string | null"))]
    pub access_token: Option<Secret>,
    #[serde(default, deserialize_with = "optional_secret")]
    #[cfg_attr(feature = "tsify", tsify(optional, type = "string | null"))]
    pub personal_access_token: Option<Secret>,
    pub action: RunnerAction,
}

/// The answer to `authorizeRunner`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct RunnerDecision {
    pub allowed: bool,
    /// The level that applied.
    pub access: AccessLevel,
    /// Whose level applied.
    pub principal: Principal,
    /// The rule ID that decided.
    pub rule: String,
    /// Why, for a person.
    pub reason: String,
    /// True when the credential itself was refused (unknown, malformed,
    /// revoked, another workspace's, or none where one is required): the
    /// server answers 401, not 403 (TOK-7). An addition to CONTRACT.md.
    pub unauthenticated: bool,
    /// The reason without its advice, which is in Nx Cloud's terms (`npx nx
    /// login`, `NX_CLOUD_ACCESS_TOKEN`, nx.json): for a caller that gives
    /// advice of its own, such as the self-hosted cache. Rust only (not in
    /// the JSON of the decision).
    #[serde(skip)]
    pub fact: String,
}

/// `authorizeWeb`: who (`None` for an anonymous visitor), where, what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebRequest {
    #[serde(default)]
    // `null` (CONTRACT.md) or absent: an anonymous visitor.
    #[cfg_attr(feature = "tsify", tsify(optional, type = "string | null"))]
    pub user: Option<String>,
    pub organization: String,
    pub action: WebAction,
}

/// The answer to `authorizeWeb`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct WebDecision {
    pub allowed: bool,
    pub role: WebRole,
    /// The rule ID that decided.
    pub rule: String,
    /// Why, for a person.
    pub reason: String,
}

fn expose_secret<S: Serializer>(secret: &Secret, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose())
}

fn optional_secret<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Secret>, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.map(Secret::new))
}
