//! The permission engine (part 2): users, organizations, workspaces and
//! tokens, and who may do what with them.
//!
//! [`AccessControl`] is a state machine held in memory; the caller persists
//! it with [`AccessControl::to_json`] / [`AccessControl::from_json`]. It has
//! *commands* (which change the state, or are refused and change nothing) and
//! two *decisions* on two planes kept apart:
//!
//! * [`AccessControl::authorize_web`]: a person (or an anonymous visitor) in
//!   the Nx Cloud app: organization roles and public organizations;
//! * [`AccessControl::authorize_runner`]: an Nx command presenting a
//!   credential: CI access tokens, personal access tokens (PATs), the
//!   workspace ID (nxCloudId) access level.
//!
//! Every decision returns the rule ID of SPEC-permissions.md that decided
//! (`rule`) and a `reason` for a person. [`Method`] names every command and
//! decision in JS (`createCiAccessToken`) and kebab case
//! (`create-ci-access-token`); [`AccessControl::call`] runs one by name with
//! its CONTRACT.md JSON argument.
//!
//! ```
//! use nxcloud_access::access::{AccessControl, RunnerAction, RunnerDecision};
//! use serde_json::json;
//!
//! let mut ac = AccessControl::new();
//! ac.call("createUser", json!({"id": "ann", "email": "ann@example.com"})).unwrap();
//! ac.call("createOrganization", json!({"id": "acme", "name": "Acme", "creator": "ann"})).unwrap();
//! let ws = ac.call("createWorkspace", json!({"organization": "acme", "actor": "ann"})).unwrap();
//! let id = ws["nxCloudId"].as_str().unwrap();
//! let token = ac
//!     .call("createCiAccessToken", json!({"workspace": id, "actor": "ann", "name": "ci", "access": "read-only"}))
//!     .unwrap();
//! let decision = ac
//!     .call("authorizeRunner", json!({"nxCloudId": id, "accessToken": token["token"], "action": "write-cache"}))
//!     .unwrap();
//! assert_eq!(decision["allowed"], false);
//! assert_eq!(decision["rule"], "TOK-3");
//! ```
//!
//! # Secrets (TOK-6)
//!
//! CI access tokens are `nxca_` + 43 base64url characters, PATs `nxpat_` + 43
//! (256 random bits from the OS CSPRNG, see [`token`]). A token's secret is
//! returned once, by the command that creates it; the engine keeps only its
//! SHA-256, looks a presented token up by that hash and compares in constant
//! time. Nothing else (errors, reasons, `Debug`, snapshots) holds a token.
//!
//! # Cost
//!
//! Decisions are O(1) in the number of users, members, workspaces and tokens:
//! every lookup is a `HashMap` keyed by an id or a token hash; nothing scans.
//! Commands validate everything before they change anything, so a refused
//! command leaves the state, and its snapshot, byte-identical.
//!
//! # Interpretations
//!
//! Beyond those marked in SPEC-permissions.md, this engine decides:
//!
//! 1. **Actions per level** (WSID-3, TOK-2..4, PAT-3/4): `read-write` allows
//!    `read-cache`, `write-cache`, `record-run`, `distribute`; `read-only`
//!    allows all but `write-cache` (a read-only PAT level behaves as a
//!    read-only CI token, as WSID-3 says of the workspace ID level); `none`
//!    allows nothing.
//! 2. **Both an access token and a PAT** presented: the CI access token
//!    decides and the PAT is ignored, whether valid or not (part 1's PATR-3:
//!    an access token from any source takes precedence over the PAT). A bad
//!    access token is refused even when the PAT is good (TOK-7).
//! 3. **A PAT without nxCloudId** (and no access token): refused as
//!    unauthenticated, rule PAT-2: the PAT names no workspace.
//! 4. **A CI access token without nxCloudId**: the token names its own
//!    workspace and decides. With an nxCloudId of another workspace it is
//!    refused (TOK-7).
//! 5. **An unknown nxCloudId**: refused as unauthenticated, rule TOK-7 (the
//!    nxCloudId is the credential of the workspace ID level; an unknown one
//!    grants nothing). No credential at all: refused, rule WSID-2.
//! 6. **A valid PAT of a non-member** gets the workspace ID level and the
//!    decision names principal `workspace-id`, rule PAT-5 (the level that
//!    applied is the workspace ID's). An unknown PAT is refused, rule PAT-5;
//!    a revoked one, rule REV-3; a revoked CI token, rule REV-2 (the engine
//!    remembers the hashes of revoked tokens to say so).
//! 7. **Empty strings**: an empty `accessToken` or `personalAccessToken` is a
//!    malformed credential and is refused (TOK-7; PAT-5 for a PAT), never
//!    read as absent.
//! 8. **`unauthenticated`**: decisions carry this extra field, true when the
//!    credential itself was refused (the server answers 401 rather than 403).
//!    A workspace ID level of `none` with no credential is unauthenticated
//!    (log in to get access); a valid PAT of a non-member there is not.
//! 9. **Invitations**: email matching is case-insensitive on the whole
//!    address. An email invitation is consumed by the join; a domain
//!    invitation stays (everyone under the domain can join). Where both
//!    match, the email invitation (the more specific) gives the role.
//!    Inviting again replaces the pending invitation's role. Inviting the
//!    email of a current member is a `conflict`.
//! 10. **Rejoining after removal (REV-1)**: a removed member is no longer
//!     admitted by a standing *domain* invitation; only a new email
//!     invitation lets them join again (otherwise removal would be undone by
//!     the person removed).
//! 11. **Unknown users on the web plane**: a `user` id that does not exist is
//!     treated as a visitor without membership (like an anonymous one); an
//!     unknown organization grants nothing (rule ORG-7).
//! 12. **Web actions per role**: admin: all (ORG-5); member: `view-runs`,
//!     `view-stats` (ORG-6), refused `change-settings` (ORG-6),
//!     `manage-members`, `manage-tokens` (ORG-9); non-member of a public
//!     organization: the member's views (PUB-2) and nothing else (PUB-3).
//! 13. **Who may do what in commands**: only admins invite, remove, set
//!     roles, change visibility, create workspaces, set access levels and
//!     create, list or revoke CI tokens (ORG-9); a user creates, lists and
//!     revokes only their own PATs (PAT-6). Members may not leave by
//!     `removeMember` (an admin removes them). Joining twice is a `conflict`.
//!     User ids and (case-insensitive) emails are unique; token names are
//!     unique among a workspace's live CI tokens and among a user's live PATs
//!     (`conflict`), since lists show tokens by name.
//! 14. **Removing a member** keeps their user and their PATs (a PAT belongs to
//!     the user, PAT-1); only what the membership gave goes (REV-1, REV-5).
//!     CI tokens an admin created outlive the admin's membership (TOK-5).
//! 15. **Snapshots** (`{"version":1,...}`) are checked on load: unknown
//!     fields, malformed ids or hashes, dangling references, duplicate tokens
//!     or an organization without an admin are refused (`invalid-input`); a
//!     newer version is refused with `unsupported-snapshot`.
//! 16. **Ids and codes**: an nxCloudId is 24 lower-case hexadecimal
//!     characters (96 bits from the CSPRNG, redrawn on the unlikely
//!     collision); token ids are `ci-N` / `pat-N` from one sequence, never
//!     reused. Beyond CONTRACT.md's error codes the engine has
//!     `unsupported-snapshot` and `internal` (the OS random generator failed).
//! 17. **Token-shaped input in errors**: an error message that echoes input
//!     masks anything shaped like an engine token (`nxca_…`, `nxpat_…`), in
//!     `Display` and `Debug` (TOK-6).

mod commands;
mod decide;
pub mod error;
pub mod method;
pub mod model;
mod order;
pub mod replay;
pub mod shape;
mod snapshot;
pub mod token;
mod validate;

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

pub use error::AccessError;
pub use method::Method;
pub use model::*;
pub use snapshot::SNAPSHOT_VERSION;
pub use token::{CI_ACCESS_TOKEN_PREFIX, PERSONAL_ACCESS_TOKEN_PREFIX};

use token::TokenHash;

/// Users, organizations, workspaces and tokens (see the module docs).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AccessControl {
    users: HashMap<String, User>,
    /// Lower-cased email -> user id.
    emails: HashMap<String, String>,
    organizations: HashMap<String, Organization>,
    /// nxCloudId -> workspace.
    workspaces: HashMap<String, Workspace>,
    /// Hash of a live CI access token -> (nxCloudId, token id).
    ci_tokens: HashMap<TokenHash, (String, String)>,
    /// Hash of a live PAT -> (user id, token id).
    pats: HashMap<TokenHash, (String, String)>,
    /// Hashes of revoked tokens, to tell a revoked token from an unknown one.
    revoked: HashMap<TokenHash, TokenKind>,
    /// The sequence number of the next token (ids `ci-N`, `pat-N`).
    next_seq: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct User {
    email: String,
    /// Token id -> PAT.
    pats: NamedTokens,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Organization {
    name: String,
    visibility: Visibility,
    members: HashMap<String, Role>,
    /// Lower-cased email -> role.
    email_invites: HashMap<String, Role>,
    /// Lower-cased domain -> role.
    domain_invites: HashMap<String, Role>,
    /// Users removed from the organization, no longer admitted by a domain
    /// invitation (interpretation 10).
    removed: HashSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Workspace {
    organization: String,
    id_access: AccessLevel,
    pat_access: TokenAccess,
    /// Token id -> CI access token.
    ci_tokens: NamedTokens,
}

/// The live tokens of one owner (a workspace's CI tokens, a user's PATs) by
/// id, with the index of their names, which are unique among live tokens: a
/// new token's name is checked in O(1), never by a scan of the owner's tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct NamedTokens {
    by_id: HashMap<String, StoredToken>,
    names: HashSet<String>,
}

impl NamedTokens {
    fn get(&self, id: &str) -> Option<&StoredToken> {
        self.by_id.get(id)
    }

    fn iter(&self) -> impl Iterator<Item = (&String, &StoredToken)> {
        self.by_id.iter()
    }

    fn has_name(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    /// Adds a token; `false`, and nothing changes, when its id or its name
    /// is taken.
    fn insert(&mut self, id: String, token: StoredToken) -> bool {
        if self.by_id.contains_key(&id) || self.names.contains(&token.name) {
            return false;
        }
        self.names.insert(token.name.clone());
        self.by_id.insert(id, token);
        true
    }

    fn remove(&mut self, id: &str) -> Option<StoredToken> {
        let token = self.by_id.remove(id)?;
        self.names.remove(&token.name);
        Some(token)
    }
}

/// A token as stored: its name, hash, creation sequence, and access (CI
/// tokens; PATs take the workspace's level).
#[derive(Debug, Clone, PartialEq, Eq)]
struct StoredToken {
    name: String,
    hash: TokenHash,
    seq: u64,
    access: TokenAccess,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    Ci,
    Personal,
}

impl fmt::Debug for AccessControl {
    /// Counts only: no ids, no emails, no hashes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessControl")
            .field("users", &self.users.len())
            .field("organizations", &self.organizations.len())
            .field("workspaces", &self.workspaces.len())
            .field("ci_access_tokens", &self.ci_tokens.len())
            .field("personal_access_tokens", &self.pats.len())
            .finish()
    }
}

impl AccessControl {
    /// An empty engine.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs one command or decision by its JS name (`createUser`, …,
    /// `authorizeWeb`) with its CONTRACT.md JSON argument and returns its JSON
    /// result (`null` for commands that return nothing). An unknown method or
    /// a malformed argument is `invalid-input`.
    pub fn call(&mut self, method: &str, arg: Value) -> Result<Value, AccessError> {
        let method = Method::named(method)?;
        self.call_method(method, arg)
    }

    /// Runs one [`Method`] with its JSON argument (see [`Self::call`]).
    pub fn call_method(&mut self, method: Method, arg: Value) -> Result<Value, AccessError> {
        self.dispatch::<Tree>(method, arg)
    }

    /// Runs one [`Method`] with its argument as JSON text and returns its
    /// result as JSON text (`null` for commands that return nothing): the
    /// path of the npm package, which builds no [`Value`] tree. The argument
    /// is read straight into the method's type; a malformed one is
    /// `invalid-input` with the message of [`Self::call_method`] (without a
    /// position: the text is the caller's `JSON.stringify`, which they never
    /// saw). Unlike [`Self::call_method`], which sees an object's keys
    /// sorted, the fields are read in the order of the text (of several
    /// faults in one argument, the first in that order is reported) and a
    /// result's keys come out in the order of its Rust fields. The argument
    /// must be an object: an array of a struct's fields, which
    /// [`Self::call_method`] reads, is refused (`invalid type: sequence`).
    pub fn call_json(&mut self, method: Method, arg: &str) -> Result<String, AccessError> {
        self.dispatch::<Text>(method, arg)
    }

    /// The one table of methods, for both forms of argument and result.
    fn dispatch<'a, C: Codec<'a>>(
        &mut self,
        method: Method,
        arg: C::In,
    ) -> Result<C::Out, AccessError> {
        match method {
            Method::CreateUser => C::write(self.create_user(C::parse(method, arg)?)?),
            Method::CreateOrganization => {
                C::write(self.create_organization(C::parse(method, arg)?)?)
            }
            Method::Invite => C::write(self.invite(C::parse(method, arg)?)?),
            Method::Join => C::write(self.join(C::parse(method, arg)?)?),
            Method::RemoveMember => C::write(self.remove_member(C::parse(method, arg)?)?),
            Method::SetRole => C::write(self.set_role(C::parse(method, arg)?)?),
            Method::SetVisibility => C::write(self.set_visibility(C::parse(method, arg)?)?),
            Method::CreateWorkspace => C::write(self.create_workspace(C::parse(method, arg)?)?),
            Method::SetWorkspaceIdAccess => {
                C::write(self.set_workspace_id_access(C::parse(method, arg)?)?)
            }
            Method::SetPersonalAccessTokenAccess => {
                C::write(self.set_personal_access_token_access(C::parse(method, arg)?)?)
            }
            Method::CreateCiAccessToken => {
                C::write(self.create_ci_access_token(C::parse(method, arg)?)?)
            }
            Method::RevokeCiAccessToken => {
                C::write(self.revoke_ci_access_token(C::parse(method, arg)?)?)
            }
            Method::CreatePersonalAccessToken => {
                C::write(self.create_personal_access_token(C::parse(method, arg)?)?)
            }
            Method::RevokePersonalAccessToken => {
                C::write(self.revoke_personal_access_token(C::parse(method, arg)?)?)
            }
            Method::ListPersonalAccessTokens => {
                C::write(self.list_personal_access_tokens(&C::parse(method, arg)?)?)
            }
            Method::ListCiAccessTokens => {
                C::write(self.list_ci_access_tokens(&C::parse(method, arg)?)?)
            }
            Method::AuthorizeRunner => C::write(self.authorize_runner(&C::parse(method, arg)?)),
            Method::AuthorizeWeb => C::write(self.authorize_web(&C::parse(method, arg)?)),
        }
    }

    /// The nxCloudId of the workspace a live CI access token belongs to;
    /// `None` for an unknown or revoked token. O(1), constant-time compare.
    pub fn workspace_of_ci_access_token(&self, token: &str) -> Option<String> {
        self.live_ci_token(&TokenHash::of(&crate::Secret::new(token)))
            .map(|(workspace, _, _)| workspace.to_owned())
    }

    /// The user id a live personal access token belongs to; `None` for an
    /// unknown or revoked token. O(1), constant-time compare.
    pub fn user_of_personal_access_token(&self, token: &str) -> Option<String> {
        self.live_pat(&TokenHash::of(&crate::Secret::new(token)))
            .map(|(user, _)| user.to_owned())
    }

    /// Whether a workspace with this nxCloudId exists.
    pub fn has_workspace(&self, nx_cloud_id: &str) -> bool {
        self.workspaces.contains_key(nx_cloud_id)
    }

    /// How many workspaces there are (for health reports).
    pub fn workspace_count(&self) -> usize {
        self.workspaces.len()
    }

    /// A live CI token by hash: (nxCloudId, token id, token). The map is keyed
    /// by the hash; the stored hash is then compared in constant time (TOK-6).
    fn live_ci_token(&self, hash: &TokenHash) -> Option<(&str, &str, &StoredToken)> {
        let (workspace, id) = self.ci_tokens.get(hash)?;
        let stored = self.workspaces.get(workspace)?.ci_tokens.get(id)?;
        stored
            .hash
            .verify(hash)
            .then_some((workspace.as_str(), id.as_str(), stored))
    }

    /// A live PAT by hash: (user id, token id), compared in constant time.
    fn live_pat(&self, hash: &TokenHash) -> Option<(&str, &str)> {
        let (user, id) = self.pats.get(hash)?;
        let stored = self.users.get(user)?.pats.get(id)?;
        stored
            .hash
            .verify(hash)
            .then_some((user.as_str(), id.as_str()))
    }
}

/// How [`AccessControl::dispatch`] reads an argument and writes a result:
/// as a [`Value`] tree ([`Tree`]) or as JSON text ([`Text`]). Only the form
/// a program uses is compiled into it (the npm package has no `Value` code).
trait Codec<'a> {
    type In;
    type Out;
    fn parse<T: DeserializeOwned>(method: Method, arg: Self::In) -> Result<T, AccessError>;
    fn write<T: Serialize>(value: T) -> Result<Self::Out, AccessError>;
}

/// Arguments and results as [`Value`]s ([`AccessControl::call_method`]).
struct Tree;

impl Codec<'_> for Tree {
    type In = Value;
    type Out = Value;

    fn parse<T: DeserializeOwned>(method: Method, arg: Value) -> Result<T, AccessError> {
        serde_json::from_value(arg).map_err(|e| invalid_argument(method, &e.to_string()))
    }

    fn write<T: Serialize>(value: T) -> Result<Value, AccessError> {
        serde_json::to_value(value).map_err(|e| not_serialised(&e))
    }
}

/// Arguments and results as JSON text ([`AccessControl::call_json`]).
struct Text;

impl<'a> Codec<'a> for Text {
    type In = &'a str;
    type Out = String;

    fn parse<T: DeserializeOwned>(method: Method, arg: &str) -> Result<T, AccessError> {
        shape::read_object(arg).map_err(|e| invalid_argument(method, &without_position(&e)))
    }

    fn write<T: Serialize>(value: T) -> Result<String, AccessError> {
        serde_json::to_string(&value).map_err(|e| not_serialised(&e))
    }
}

/// A `serde_json` error's message without the ` at line L column C` that
/// `from_str` adds (what `from_value` says of the same fault).
pub(crate) fn without_position(e: &serde_json::Error) -> String {
    let message = e.to_string();
    if e.line() == 0 {
        return message;
    }
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match message.strip_suffix(&suffix) {
        Some(bare) => bare.to_owned(),
        None => message,
    }
}

fn invalid_argument(method: Method, why: &str) -> AccessError {
    AccessError::InvalidInput(format!(
        "invalid argument of `{}` (`{}`): {why}; its fields are in the table \"Commands and their arguments\" of docs/server.md",
        method.js_name(),
        method.kebab_name()
    ))
}

fn not_serialised(e: &serde_json::Error) -> AccessError {
    AccessError::Internal(format!("a result did not serialise: {e}"))
}
