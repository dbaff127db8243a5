//! Nx versions, and the one table of what each version range does.
//!
//! Every version boundary of docs/rules/resolution.md is a row of [`BOUNDARIES`]:
//! a named [`Feature`], the first version that has it and (for behaviours
//! that were later removed) the first version that no longer has it. The
//! resolver never compares versions itself: it asks [`Behaviour`], computed
//! once from the table.
//!
//! Versions follow semver precedence: a pre-release (`19.6.0-beta.1`) comes
//! before its release, so it behaves like the release before it.
//!
//! Supported: 16.0.0 and later. Older versions are refused with
//! `invalid-nx-version` (the rules were never studied there, and guessing
//! would give a confident but unfounded answer). Versions newer than
//! [`NEWEST_KNOWN`] get the newest known behaviour, and the resolver adds an
//! `info` finding saying so.

use semver::Version;

/// The newest `nx` release whose behaviour the engine knows; the default.
pub const NEWEST_KNOWN: &str = "24.0.6";

/// The oldest supported `nx` release.
pub const OLDEST_SUPPORTED: &str = "16.0.0";

/// Why a version string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error(
        "invalid nx version `{0}`: give an exact installed version such as `19.6.7` (not a range, a tag or `latest`)"
    )]
    Unparsable(String),
    #[error(
        "unsupported nx version `{0}`: the engine knows nx {OLDEST_SUPPORTED} to {NEWEST_KNOWN}; upgrade nx to 16.0.0 or later"
    )]
    TooOld(String),
}

/// An installed `nx` version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct NxVersion(Version);

impl NxVersion {
    /// Parses an exact version (`19.6.7`, `v19.6.7`, `20.0.0-beta.3`).
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let trimmed = text.trim();
        let bare = trimmed.strip_prefix('v').unwrap_or(trimmed);
        let version =
            Version::parse(bare).map_err(|_| VersionError::Unparsable(text.to_owned()))?;
        let oldest = Version::new(16, 0, 0);
        if version < oldest {
            return Err(VersionError::TooOld(text.to_owned()));
        }
        Ok(Self(version))
    }

    /// The newest known version, the default.
    pub fn newest_known() -> Self {
        Self(newest())
    }

    /// Whether this version is newer than every version the engine knows.
    pub fn is_newer_than_known(&self) -> bool {
        self.0 > newest()
    }

    /// Whether the version lies in `[from, until)`.
    fn within(&self, from: Triple, until: Option<Triple>) -> bool {
        let from = Version::new(from.0, from.1, from.2);
        let until = until.map(|u| Version::new(u.0, u.1, u.2));
        self.0 >= from && until.is_none_or(|u| self.0 < u)
    }

    /// The behaviour of this version.
    pub fn behaviour(&self) -> Behaviour {
        Behaviour::of(self)
    }
}

impl std::fmt::Display for NxVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

fn newest() -> Version {
    Version::parse(NEWEST_KNOWN).unwrap_or_else(|_| Version::new(24, 0, 6))
}

/// A behaviour that some range of `nx` versions has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    /// Nx has its own token logic and the built-in Nx Cloud shell (ENVF-3, LEG-1).
    BuiltInCloudShell,
    /// Top-level `nxCloudAccessToken`/`nxCloudUrl` exist (TOP-1).
    TopLevelCloudKeys,
    /// Top-level keys reach the `@nrwl/nx-cloud` runner name too (TOP-1).
    TopLevelForBothRunnerNames,
    /// Env `NX_CLOUD_ACCESS_TOKEN` connects and selects the cloud runner (USED-1, RUN-2).
    EnvAccessTokenConnects,
    /// Top-level `nxCloudId` is read; the shell accepts an id alone (ID-1).
    NxCloudIdRead,
    /// Env `NX_CLOUD_AUTH_TOKEN` connects and selects the cloud runner (USED-1, RUN-3).
    EnvAuthTokenConnects,
    /// `NX_NO_CLOUD` and `neverConnectToCloud` make Nx report "not connected" (USED-2).
    OptOutReported,
    /// Only `NX_NO_CLOUD` counts; `neverConnectToCloud` reports connected (USED-2, 20.0.1).
    OptOutQuirk2001,
    /// The opt-outs also keep the cloud runner from being chosen (USED-2).
    OptOutStopsRunner,
    /// A `runner` field counts only when it names the cloud runner (RUN-3).
    RunnerFieldOnlyForCloud,
    /// Env `NX_RUNNER` names the runner when `NX_TASKS_RUNNER` is empty (RUN-1).
    NxRunnerEnv,
    /// `CODEX_ENV_NODE_VERSION` forces the default runner (RUN-3).
    CodexForcesDefaultRunner,
    /// The token is chosen inside the client downloaded at run time (TOKEN-5).
    DownloadedClientChooses,
    /// Root `.env` files are looked up in the workspace root, not the current directory (DOT-1).
    DotEnvFromWorkspaceRoot,
    /// Both runner names load the `nx-cloud` module (CLI-1).
    BothRunnerNamesLoadNxCloud,
    /// The local task cache is a database that asks Nx Cloud for a remote
    /// cache when nx counts the workspace as connected (DBC-1).
    DbCache,
    /// `NX_DISABLE_DB=true`, `NX_DB_CACHE=false` and `useLegacyCache: true`
    /// switch the DB cache off (DBC-1).
    DbCacheSwitches,
    /// At start-up nx hashes `nxCloudId ?? nxCloudAccessToken` (INP-4).
    WorkspaceIdHashed,
}

type Triple = (u64, u64, u64);

/// One row of the table: `feature` holds from `from` (inclusive) until
/// `until` (exclusive, `None`: still holds).
#[derive(Debug, Clone, Copy)]
pub struct Boundary {
    pub feature: Feature,
    pub from: Triple,
    pub until: Option<Triple>,
    /// The rule of docs/rules/resolution.md that names the boundary.
    pub rule: &'static str,
}

const fn row(
    feature: Feature,
    from: Triple,
    until: Option<Triple>,
    rule: &'static str,
) -> Boundary {
    Boundary {
        feature,
        from,
        until,
        rule,
    }
}

/// Every version boundary of docs/rules/resolution.md, in one place.
pub const BOUNDARIES: &[Boundary] = &[
    row(Feature::BuiltInCloudShell, (17, 0, 0), None, "ENVF-3"),
    row(Feature::TopLevelCloudKeys, (17, 0, 0), None, "TOP-1"),
    row(
        Feature::TopLevelForBothRunnerNames,
        (21, 0, 0),
        None,
        "TOP-1",
    ),
    row(Feature::EnvAccessTokenConnects, (17, 1, 1), None, "USED-1"),
    row(Feature::NxCloudIdRead, (19, 6, 0), None, "ID-1"),
    row(Feature::EnvAuthTokenConnects, (21, 4, 0), None, "USED-1"),
    row(
        Feature::OptOutReported,
        (19, 8, 6),
        Some((20, 0, 0)),
        "USED-2",
    ),
    row(
        Feature::OptOutQuirk2001,
        (20, 0, 1),
        Some((20, 0, 2)),
        "USED-2",
    ),
    row(Feature::OptOutReported, (20, 0, 2), None, "USED-2"),
    row(Feature::OptOutStopsRunner, (22, 7, 0), None, "USED-2"),
    row(Feature::RunnerFieldOnlyForCloud, (21, 0, 0), None, "RUN-3"),
    row(Feature::NxRunnerEnv, (16, 0, 0), Some((20, 0, 0)), "RUN-1"),
    row(Feature::CodexForcesDefaultRunner, (21, 1, 3), None, "RUN-3"),
    row(
        Feature::DownloadedClientChooses,
        (22, 6, 0),
        None,
        "TOKEN-5",
    ),
    row(Feature::DotEnvFromWorkspaceRoot, (18, 3, 2), None, "DOT-1"),
    row(
        Feature::BothRunnerNamesLoadNxCloud,
        (21, 0, 0),
        None,
        "CLI-1",
    ),
    row(Feature::DbCache, (20, 0, 0), None, "DBC-1"),
    row(
        Feature::DbCacheSwitches,
        (20, 0, 0),
        Some((21, 0, 0)),
        "DBC-1",
    ),
    row(Feature::WorkspaceIdHashed, (23, 2, 0), None, "INP-4"),
];

/// What one `nx` version does, as named behaviours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Behaviour {
    pub built_in_cloud_shell: bool,
    pub top_level_cloud_keys: bool,
    pub top_level_for_both_runner_names: bool,
    pub env_access_token_connects: bool,
    pub nx_cloud_id_read: bool,
    pub env_auth_token_connects: bool,
    pub opt_out: OptOut,
    pub opt_out_stops_runner: bool,
    pub runner_field_only_for_cloud: bool,
    pub nx_runner_env: bool,
    pub codex_forces_default_runner: bool,
    pub downloaded_client_chooses: bool,
    pub dot_env_from_workspace_root: bool,
    pub both_runner_names_load_nx_cloud: bool,
    pub db_cache: bool,
    pub db_cache_switches: bool,
    pub workspace_id_hashed: bool,
}

/// How `NX_NO_CLOUD` / `neverConnectToCloud` change "connected" (USED-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptOut {
    /// Neither counts.
    Ignored,
    /// Either makes Nx report "not connected".
    Reported,
    /// 20.0.1: only `NX_NO_CLOUD` counts; `neverConnectToCloud` reports connected.
    NeverConnectReportsConnected,
}

impl Behaviour {
    /// The behaviour of `version`, read from [`BOUNDARIES`].
    pub fn of(version: &NxVersion) -> Self {
        let has = |feature: Feature| {
            BOUNDARIES
                .iter()
                .any(|b| b.feature == feature && version.within(b.from, b.until))
        };
        let opt_out = if has(Feature::OptOutQuirk2001) {
            OptOut::NeverConnectReportsConnected
        } else if has(Feature::OptOutReported) {
            OptOut::Reported
        } else {
            OptOut::Ignored
        };
        Self {
            built_in_cloud_shell: has(Feature::BuiltInCloudShell),
            top_level_cloud_keys: has(Feature::TopLevelCloudKeys),
            top_level_for_both_runner_names: has(Feature::TopLevelForBothRunnerNames),
            env_access_token_connects: has(Feature::EnvAccessTokenConnects),
            nx_cloud_id_read: has(Feature::NxCloudIdRead),
            env_auth_token_connects: has(Feature::EnvAuthTokenConnects),
            opt_out,
            opt_out_stops_runner: has(Feature::OptOutStopsRunner),
            runner_field_only_for_cloud: has(Feature::RunnerFieldOnlyForCloud),
            nx_runner_env: has(Feature::NxRunnerEnv),
            codex_forces_default_runner: has(Feature::CodexForcesDefaultRunner),
            downloaded_client_chooses: has(Feature::DownloadedClientChooses),
            dot_env_from_workspace_root: has(Feature::DotEnvFromWorkspaceRoot),
            both_runner_names_load_nx_cloud: has(Feature::BothRunnerNamesLoadNxCloud),
            db_cache: has(Feature::DbCache),
            db_cache_switches: has(Feature::DbCacheSwitches),
            workspace_id_hashed: has(Feature::WorkspaceIdHashed),
        }
    }

    /// 16.x: no top-level keys, no token logic of Nx's own (LEG-1).
    pub fn legacy(&self) -> bool {
        !self.built_in_cloud_shell
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(v: &str) -> Behaviour {
        NxVersion::parse(v).unwrap().behaviour()
    }

    #[test]
    fn bad_versions_are_refused_with_what_to_fix() {
        for bad in ["latest", "19.x", "^19.6.0", "", "garbage", "19.6"] {
            let err = NxVersion::parse(bad).unwrap_err();
            assert_eq!(err, VersionError::Unparsable(bad.to_owned()));
            assert!(err.to_string().contains(&format!("`{bad}`")));
        }
        assert_eq!(
            NxVersion::parse("15.9.7").unwrap_err(),
            VersionError::TooOld("15.9.7".into())
        );
        assert!(NxVersion::parse("v19.6.7").is_ok());
    }

    #[test]
    fn every_boundary_flips_exactly_there() {
        for b in BOUNDARIES {
            let (ma, mi, pa) = b.from;
            let inside = NxVersion(Version::new(ma, mi, pa));
            assert!(inside.within(b.from, b.until), "{b:?}");
            if let Some((ma, mi, pa)) = b.until {
                let after = NxVersion(Version::new(ma, mi, pa));
                assert!(!after.within(b.from, b.until), "{b:?}");
            }
        }
    }

    #[test]
    fn both_sides_of_the_named_boundaries() {
        assert!(at("16.10.0").legacy());
        assert!(!at("17.0.0").legacy());
        assert!(!at("17.1.0").env_access_token_connects);
        assert!(at("17.1.1").env_access_token_connects);
        assert!(!at("19.5.7").nx_cloud_id_read);
        assert!(at("19.6.0").nx_cloud_id_read);
        assert!(!at("21.3.9").env_auth_token_connects);
        assert!(at("21.4.0").env_auth_token_connects);
        assert_eq!(at("19.8.5").opt_out, OptOut::Ignored);
        assert_eq!(at("19.8.6").opt_out, OptOut::Reported);
        assert_eq!(at("20.0.0").opt_out, OptOut::Ignored);
        assert_eq!(at("20.0.1").opt_out, OptOut::NeverConnectReportsConnected);
        assert_eq!(at("20.0.2").opt_out, OptOut::Reported);
        assert!(!at("22.6.9").opt_out_stops_runner);
        assert!(at("22.7.0").opt_out_stops_runner);
        assert!(at("19.8.0").nx_runner_env);
        assert!(!at("20.0.0").nx_runner_env);
        assert!(!at("21.1.2").codex_forces_default_runner);
        assert!(at("21.1.3").codex_forces_default_runner);
        assert!(!at("22.5.9").downloaded_client_chooses);
        assert!(at("22.6.0").downloaded_client_chooses);
        assert!(!at("18.3.1").dot_env_from_workspace_root);
        assert!(at("18.3.2").dot_env_from_workspace_root);
        assert!(!at("20.9.9").top_level_for_both_runner_names);
        assert!(at("21.0.0").top_level_for_both_runner_names);
        assert!(at("21.0.0").runner_field_only_for_cloud);
        assert!(at("21.0.0").both_runner_names_load_nx_cloud);
    }

    #[test]
    fn pre_releases_come_before_their_release() {
        assert!(!at("19.6.0-beta.1").nx_cloud_id_read);
    }

    #[test]
    fn the_default_is_the_newest_known() {
        let newest = NxVersion::newest_known();
        assert_eq!(newest.to_string(), NEWEST_KNOWN);
        assert!(!newest.is_newer_than_known());
        assert!(NxVersion::parse("25.0.0").unwrap().is_newer_than_known());
    }
}
