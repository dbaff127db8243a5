//! The installed Nx Cloud client package (`cloudClient`, CLI-1).

use semver::Version;

/// Which client package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientPackage {
    /// `nx-cloud`.
    NxCloud,
    /// `@nrwl/nx-cloud`.
    NrwlNxCloud,
}

impl ClientPackage {
    /// The package (and runner module) name.
    pub fn name(self) -> &'static str {
        match self {
            ClientPackage::NxCloud => "nx-cloud",
            ClientPackage::NrwlNxCloud => "@nrwl/nx-cloud",
        }
    }
}

/// An installed client: package and version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudClient {
    pub package: ClientPackage,
    pub version: Version,
}

/// Why `cloudClient` was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientError(pub String);

impl CloudClient {
    /// Parses `nx-cloud@19.1.3` or `@nrwl/nx-cloud@15.3.5`.
    pub fn parse(text: &str) -> Result<Self, ClientError> {
        let refuse = || {
            ClientError(format!(
                "invalid cloud client `{text}`: write the installed package and its exact version, as `nx-cloud@19.1.3` or `@nrwl/nx-cloud@15.3.5`"
            ))
        };
        let (name, version) = text.trim().rsplit_once('@').ok_or_else(refuse)?;
        let package = match name {
            "nx-cloud" => ClientPackage::NxCloud,
            "@nrwl/nx-cloud" => ClientPackage::NrwlNxCloud,
            _ => return Err(refuse()),
        };
        let version = Version::parse(version).map_err(|_| refuse())?;
        Ok(Self { package, version })
    }

    fn at_least(&self, major: u64, minor: u64) -> bool {
        self.version >= Version::new(major, minor, 0)
    }

    // Clients before 19.1.0 do not know `nxCloudId` (CLI-1).
    /// Whether the client accepts an `nxCloudId` (alone or with a token).
    pub fn knows_nx_cloud_id(&self) -> bool {
        self.package == ClientPackage::NxCloud && self.at_least(19, 1)
    }

    // `@nrwl/nx-cloud` 14 and 15 ignore `NX_CLOUD_API` (CLI-1), and so does
    // `nx-cloud` 16.0 (`baseUrl = options.url || default`); from 16.1 both
    // names read it (`@nrwl/nx-cloud` 16+ only re-exports `nx-cloud` of the
    // same version).
    /// Whether the client reads env `NX_CLOUD_API`.
    pub fn reads_nx_cloud_api(&self) -> bool {
        self.at_least(16, 1)
    }

    // From 16.5 (TOKEN-4) the client is the "light client", whose first API
    // call throws "Unable to authenticate" outside any `try`: the command
    // fails. Before, the runner checks `!ACCESS_TOKEN && !options.accessToken`
    // and runs the default runner (with a warning from 16.1, silently before).
    /// Whether the client fails the command when it cannot authenticate.
    pub fn fails_without_credential(&self) -> bool {
        self.at_least(16, 5)
    }

    // TOKEN-4: the runner option `useLightClient` moves that line (recorded:
    // nrwl-runner-no-token-light-client, `true` makes 16.4.0 fail;
    // nrwl-runner-no-token-heavy-client, `false` makes 16.5.2 fall back).
    // The light client exists from 16.3; the heavy one that `false` selects
    // ships up to 18.x (recorded: `false` makes 16.5.2, 17.0.0 and 18.0.1 fall
    // back; 19.1.3 has only the light client and fails whatever the option).
    /// Whether the client fails without a credential, given the selected
    /// entry's `options.useLightClient` (`None` when not a boolean).
    pub fn fails_without_credential_given(&self, use_light_client: Option<bool>) -> bool {
        match use_light_client {
            Some(true) => self.at_least(16, 3),
            Some(false) => self.at_least(19, 0),
            None => self.fails_without_credential(),
        }
    }

    // Recorded: `@nrwl/nx-cloud` 16.0.2 falls back silently, 16.0.3 warns
    // ("Run details will also not be available in the Nx Cloud UI").
    /// Whether the client warns when it falls back to the default runner.
    pub fn warns_when_falling_back(&self) -> bool {
        self.version >= Version::new(16, 0, 3)
    }

    // CLI-1: `@nrwl/nx-cloud` 16.0 to 19.x re-exports `nx-cloud` of the same
    // version and depends on it, and `nx-cloud` 16.x depends on
    // `@nrwl/nx-cloud` (recorded lockfiles: 16.0.2, 16.5.2; `nx-cloud` 19.1.3
    // installs alone): one installation answers to both names.
    /// The client that answers when nx loads the runner module `module`
    /// (`nx-cloud` or `@nrwl/nx-cloud`), if this installation provides it.
    pub fn as_module(&self, module: &str) -> Option<CloudClient> {
        let renamed = |package| CloudClient {
            package,
            version: self.version.clone(),
        };
        match (self.package, module) {
            (package, name) if package.name() == name => Some(self.clone()),
            (ClientPackage::NrwlNxCloud, "nx-cloud")
                if self.at_least(16, 0) && !self.at_least(20, 0) =>
            {
                Some(renamed(ClientPackage::NxCloud))
            }
            (ClientPackage::NxCloud, "@nrwl/nx-cloud")
                if self.at_least(16, 0) && !self.at_least(17, 0) =>
            {
                Some(renamed(ClientPackage::NrwlNxCloud))
            }
            _ => None,
        }
    }
}

impl std::fmt::Display for CloudClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.package.name(), self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_package_names() {
        let c = CloudClient::parse("@nrwl/nx-cloud@15.3.5").unwrap();
        assert_eq!(c.package, ClientPackage::NrwlNxCloud);
        assert!(!c.reads_nx_cloud_api());
        assert!(!c.fails_without_credential());
        assert!(!c.knows_nx_cloud_id());
        let c = CloudClient::parse("@nrwl/nx-cloud@16.0.0").unwrap();
        assert!(!c.reads_nx_cloud_api());
        assert!(!c.fails_without_credential());
        let c = CloudClient::parse("nx-cloud@16.4.0").unwrap();
        assert!(c.reads_nx_cloud_api());
        assert!(c.warns_when_falling_back());
        assert!(!c.fails_without_credential());
        assert!(CloudClient::parse("@nrwl/nx-cloud@16.5.1")
            .unwrap()
            .fails_without_credential());
        let c = CloudClient::parse("nx-cloud@19.1.0").unwrap();
        assert!(c.knows_nx_cloud_id());
        assert!(c.fails_without_credential());
        assert!(!CloudClient::parse("nx-cloud@19.0.9")
            .unwrap()
            .knows_nx_cloud_id());
    }

    #[test]
    fn one_installation_answers_to_both_names() {
        let nrwl = CloudClient::parse("@nrwl/nx-cloud@16.5.2").unwrap();
        assert_eq!(
            nrwl.as_module("nx-cloud").unwrap().to_string(),
            "nx-cloud@16.5.2"
        );
        assert_eq!(nrwl.as_module("@nrwl/nx-cloud").unwrap(), nrwl);
        let old = CloudClient::parse("@nrwl/nx-cloud@15.3.5").unwrap();
        assert_eq!(old.as_module("nx-cloud"), None);
        let light = CloudClient::parse("nx-cloud@16.5.2").unwrap();
        assert_eq!(
            light.as_module("@nrwl/nx-cloud").unwrap().to_string(),
            "@nrwl/nx-cloud@16.5.2"
        );
        let alone = CloudClient::parse("nx-cloud@19.1.3").unwrap();
        assert_eq!(alone.as_module("@nrwl/nx-cloud"), None);
        assert_eq!(alone.as_module("./custom.js"), None);
    }

    #[test]
    fn use_light_client_moves_the_line() {
        let c = |t: &str| CloudClient::parse(t).unwrap();
        assert!(c("@nrwl/nx-cloud@16.4.0").fails_without_credential_given(Some(true)));
        assert!(!c("@nrwl/nx-cloud@16.2.0").fails_without_credential_given(Some(true)));
        assert!(!c("@nrwl/nx-cloud@16.4.0").fails_without_credential_given(None));
        assert!(!c("@nrwl/nx-cloud@16.5.2").fails_without_credential_given(Some(false)));
        assert!(c("@nrwl/nx-cloud@16.5.2").fails_without_credential_given(None));
        assert!(!c("@nrwl/nx-cloud@17.0.0").fails_without_credential_given(Some(false)));
        assert!(!c("@nrwl/nx-cloud@18.0.1").fails_without_credential_given(Some(false)));
        assert!(c("@nrwl/nx-cloud@19.1.3").fails_without_credential_given(Some(false)));
        assert!(c("@nrwl/nx-cloud@18.0.1").fails_without_credential_given(None));
        assert!(!c("@nrwl/nx-cloud@16.0.2").warns_when_falling_back());
        assert!(c("@nrwl/nx-cloud@16.0.3").warns_when_falling_back());
    }

    #[test]
    fn refuses_anything_else() {
        for bad in ["nx-cloud", "nx-cloud@latest", "lerna@1.0.0", ""] {
            let err = CloudClient::parse(bad).unwrap_err();
            assert!(err.0.contains(&format!("`{bad}`")), "{}", err.0);
        }
    }
}
