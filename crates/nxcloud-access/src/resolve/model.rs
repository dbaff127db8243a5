//! The input and output of `resolveCredentials`, exactly as CONTRACT.md
//! names them (camelCase JSON). These shapes are the public contract shared by
//! the CLI's `--json`, the npm package and the spec: add fields, never rename.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, Serializer};

use crate::secret::Secret;

/// Everything Nx reads to pick a credential, as texts and maps (no I/O).
/// Serialised (`readWorkspace` of the npm package returns it) as it is read:
/// an absent `nxVersion` or `trackedFiles` is left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
// JS callers pass plain objects (not `Map`s) for the maps.
#[cfg_attr(feature = "tsify", tsify(hashmap_as_object))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResolveInput {
    /// The installed `nx` version, e.g. `19.6.7`; default: the newest known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "tsify", tsify(optional))]
    pub nx_version: Option<String>,
    /// The text of `nx.json`; `None` when the workspace has none. (The npm
    /// package also takes the parsed object, which it turns into its
    /// `JSON.stringify` text.)
    #[serde(default)]
    #[cfg_attr(
        feature = "tsify",
        tsify(optional, type = "string | { [key: string]: unknown } | null")
    )]
    pub nx_json: Option<String>,
    /// The real process environment. (In the npm package an `undefined`
    /// value, as `process.env` may hold, is an unset variable.)
    #[serde(default)]
    #[cfg_attr(
        feature = "tsify",
        tsify(optional, type = "{ [key: string]: string | undefined }")
    )]
    pub env: BTreeMap<String, String>,
    /// Texts of the root `.local.env`, `.env.local`, `.env`, by file name.
    #[serde(default)]
    #[cfg_attr(feature = "tsify", tsify(optional))]
    pub dot_env_files: BTreeMap<String, String>,
    /// The text of `nx-cloud.env`.
    #[serde(default)]
    #[cfg_attr(feature = "tsify", tsify(optional, type = "string | null"))]
    pub nx_cloud_env: Option<String>,
    /// An installed Nx Cloud client package: `nx-cloud@19.1.3`,
    /// `@nrwl/nx-cloud@15.3.5`.
    #[serde(default)]
    #[cfg_attr(feature = "tsify", tsify(optional, type = "string | null"))]
    pub cloud_client: Option<String>,
    /// The `--runner` argument.
    #[serde(default)]
    #[cfg_attr(feature = "tsify", tsify(optional, type = "string | null"))]
    pub runner: Option<String>,
    /// The text of the workspace `package.json`.
    #[serde(default)]
    #[cfg_attr(feature = "tsify", tsify(optional, type = "string | null"))]
    pub package_json: Option<String>,
    /// The personal access token file that was found (PATR-1).
    #[serde(default)]
    #[cfg_attr(feature = "tsify", tsify(optional, type = "NxcloudIni | null"))]
    pub nxcloud_ini: Option<NxcloudIni>,
    /// Which of the workspace's root files git tracks (TOKF-2); `None`: only
    /// `nx.json` counts as committed. Names as `git ls-files` writes them,
    /// `./.env` or `.\.env` too; a name that is not one of
    /// `TRACKABLE_FILES` is `invalid-input`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "tsify", tsify(optional))]
    pub tracked_files: Option<Vec<String>>,
}

/// The personal access token file (PATR-1): where it is and its text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NxcloudIni {
    pub path: String,
    pub text: String,
}

/// Which credential Nx uses, where it came from, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
// An absent value is `null` in the JSON (and so in the TypeScript type).
#[cfg_attr(feature = "tsify", tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct Resolution {
    /// The version the rules were applied for.
    pub nx_version: String,
    /// Whether this Nx version considers the workspace connected (USED-1/2).
    pub nx_cloud_used: bool,
    /// The runner that runs (RUN-*).
    pub runner: Runner,
    /// The token Nx sends (TOKEN-*), or `None`.
    pub access_token: Option<SecretValue>,
    /// The nxCloudId forwarded to the cloud runner (ID-*, TOP-*).
    pub nx_cloud_id: Option<Sourced>,
    /// The personal access token that applies (PATR-*).
    pub personal_access_token: Option<SecretValue>,
    /// The kind of credential (PATR-4).
    pub credential: CredentialKind,
    /// The API base URL (URL-1); `None` when the cloud runner does not run.
    pub api_url: Option<Sourced>,
    /// The app URL (URL-2); `None` without any cloud configuration.
    pub app_url: Option<Sourced>,
    /// Whether part of the decision is an interpretation (TOKEN-5).
    pub inferred: bool,
    /// Every source considered, in order (EXP-1).
    pub trace: Vec<TraceStep>,
    /// What is unsafe or surprising, with fixes (EXP-2).
    pub findings: Vec<Finding>,
    /// What nx's own task cache sends to Nx Cloud (DBC-1..3), apart from the
    /// tasks runner (the fields above); `None` when it does not contact Nx
    /// Cloud (before nx 20.0, not connected, the cache switched off, or nx
    /// stops first).
    pub cache: Option<CachePath>,
    /// How nx stops before or while running the tasks (INP-4, RUN-1, LEG-1,
    /// TOKEN-4, DBC-2); `None` when it runs them. The first stop counts.
    pub stops: Option<Stop>,
    /// The self-hosted remote cache (SHC-1..6): `None` when
    /// `NX_SELF_HOSTED_REMOTE_CACHE_SERVER` is unset or empty, or the nx
    /// version does not read it (before 20.8.0).
    pub self_hosted_cache: Option<SelfHostedCache>,
}

/// What nx's self-hosted remote cache client (nx 20.8.0 and later) sends, and
/// whether nx uses it rather than Nx Cloud (SHC-1..6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[cfg_attr(feature = "tsify", tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct SelfHostedCache {
    /// `NX_SELF_HOSTED_REMOTE_CACHE_SERVER` as nx reads it: from the
    /// environment or a root dotenv file (`env:…`, `.env:…`), never from
    /// `nx-cloud.env` (SHC-1).
    pub server: Sourced,
    /// `NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN`, sent as
    /// `Authorization: Bearer <token>`; `None` when unset (no header; SHC-2).
    pub access_token: Option<SecretValue>,
    /// The nxCloudId of a `{url}/ws/{nxCloudId}` server URL (the form
    /// `nxcloud-access serve` takes), or `None`.
    pub nx_cloud_id: Option<String>,
    /// The URL of each request: the server URL as written, then
    /// `/v1/cache/<hash>` (`GET` to read, `PUT` to write; SHC-1).
    pub request_url: String,
    /// What the server sees (SHC-2).
    pub credential: SelfHostedCredential,
    /// Whether nx uses the self-hosted cache on this run (SHC-3).
    pub used: bool,
    /// Where Nx Cloud comes first (SHC-4): whether this nx version falls
    /// back to the self-hosted cache when it cannot get the Nx Cloud client
    /// (SHC-5: 21.6.7 to 21.x, and 22.0.2 on); `false` otherwise.
    pub fallback: bool,
    /// The rule that decides `used`: `SHC-3` (used), `SHC-4` (Nx Cloud
    /// comes first), `SHC-6` (the cache or the remote cache is off).
    pub rule: String,
    /// Why, for a person.
    pub reason: String,
}

/// What a self-hosted remote cache server sees in the `Authorization`
/// header (SHC-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum SelfHostedCredential {
    /// `Bearer <token>`.
    BearerToken,
    /// `Bearer` with no token: the variable is set but empty.
    EmptyBearer,
    /// No `Authorization` header: the variable is unset.
    None,
}

impl SelfHostedCredential {
    /// The name in the JSON (`bearer-token`, `empty-bearer`, `none`).
    pub const fn as_str(self) -> &'static str {
        match self {
            SelfHostedCredential::BearerToken => "bearer-token",
            SelfHostedCredential::EmptyBearer => "empty-bearer",
            SelfHostedCredential::None => "none",
        }
    }
}

/// What nx's task cache (the DB cache of nx 20 and later) sends to Nx Cloud
/// when it asks for a remote cache (DBC-1..3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[cfg_attr(feature = "tsify", tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct CachePath {
    /// The token it sends: the `default` entry's options merged with the
    /// top-level keys, whatever the runner name; `None` when it sends none.
    pub access_token: Option<SecretValue>,
    /// The nxCloudId it sends, or `None`.
    pub nx_cloud_id: Option<Sourced>,
    /// The Nx Cloud API it asks.
    pub api_url: Sourced,
    /// The rule that decides: `DBC-1`, or `DBC-3` where the client nx
    /// downloads chooses (an interpretation, like `inferred`).
    pub rule: String,
}

/// How nx stops before or while running the tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Stop {
    /// `start-up`: before any task runs; `running`: the tasks run, then the
    /// command fails.
    pub when: StopWhen,
    /// nx's exit status.
    pub exit_status: u8,
    /// What nx says, and why.
    pub reason: String,
    /// The rule that decides.
    pub rule: String,
    /// The code of the finding (severity `error`) that gives the fix.
    pub finding: String,
}

/// When nx stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum StopWhen {
    StartUp,
    Running,
}

/// The runner that runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Runner {
    /// The `tasksRunnerOptions` entry (or `default`).
    pub name: String,
    /// Whether it is the Nx Cloud runner.
    pub cloud: bool,
    /// The module Nx loads for it (`nx/tasks-runners/default`, `nx-cloud`,
    /// `@nrwl/nx-cloud`, or a custom module).
    pub module: String,
}

/// A token with its provenance. `value` is the raw token: it is serialised
/// only through [`Secret::expose`] (callers of the API gave us the texts it
/// came from); the CLI replaces it by `redacted` unless `--show-secrets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SecretValue {
    #[serde(serialize_with = "expose_secret")]
    #[cfg_attr(feature = "tsify", tsify(type = "string"))]
    pub value: Secret,
    pub redacted: String,
    pub source: String,
}

/// A plain value with its provenance (`env:NAME`, `nx.json:<path>`, `default`…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Sourced {
    pub value: String,
    pub source: String,
}

/// The kind of credential Nx presents (PATR-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum CredentialKind {
    CiAccessToken,
    PersonalAccessToken,
    WorkspaceId,
    None,
}

/// One source considered by the resolution walk (EXP-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[cfg_attr(feature = "tsify", tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct TraceStep {
    /// The rule ID that decided this step.
    pub rule: String,
    /// Where the value was looked for.
    pub source: String,
    /// What it held, redacted when it is a token; `None` when absent.
    pub value: Option<String>,
    pub outcome: Outcome,
    /// Why, for a person.
    pub note: String,
}

/// What became of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Used,
    Shadowed,
    Ignored,
    Absent,
}

/// Something unsafe or surprising, with its fix (EXP-2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// A stable kebab-case code, e.g. `committed-read-write-token`.
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub fix: String,
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl CredentialKind {
    /// The name in the JSON (`ci-access-token`, …, `none`).
    pub const fn as_str(self) -> &'static str {
        match self {
            CredentialKind::CiAccessToken => "ci-access-token",
            CredentialKind::PersonalAccessToken => "personal-access-token",
            CredentialKind::WorkspaceId => "workspace-id",
            CredentialKind::None => "none",
        }
    }
}

impl StopWhen {
    /// The name in the JSON (`start-up`, `running`).
    pub const fn as_str(self) -> &'static str {
        match self {
            StopWhen::StartUp => "start-up",
            StopWhen::Running => "running",
        }
    }
}

impl Outcome {
    /// The name in the JSON (`used`, `shadowed`, `ignored`, `absent`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Used => "used",
            Outcome::Shadowed => "shadowed",
            Outcome::Ignored => "ignored",
            Outcome::Absent => "absent",
        }
    }
}

impl Severity {
    /// The name in the JSON (`info`, `warning`, `error`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

fn expose_secret<S: Serializer>(secret: &Secret, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_name<T: Serialize>(value: T) -> String {
        serde_json::to_value(value)
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn as_str_is_the_json_name() {
        use CredentialKind as C;
        for kind in [
            C::CiAccessToken,
            C::PersonalAccessToken,
            C::WorkspaceId,
            C::None,
        ] {
            assert_eq!(kind.as_str(), serde_name(kind));
        }
        use Outcome as O;
        for outcome in [O::Used, O::Shadowed, O::Ignored, O::Absent] {
            assert_eq!(outcome.as_str(), serde_name(outcome));
        }
        for severity in [Severity::Info, Severity::Warning, Severity::Error] {
            assert_eq!(severity.as_str(), serde_name(severity));
        }
        for when in [StopWhen::StartUp, StopWhen::Running] {
            assert_eq!(when.as_str(), serde_name(when));
        }
        use SelfHostedCredential as S;
        for credential in [S::BearerToken, S::EmptyBearer, S::None] {
            assert_eq!(credential.as_str(), serde_name(credential));
        }
    }
}
