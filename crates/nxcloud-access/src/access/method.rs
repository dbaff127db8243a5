//! The table of every `AccessControl` method: its JS name (npm package,
//! `call`), its kebab-case name (CLI `admin`, HTTP `POST /api/v1/commands/…`)
//! and whether it changes the state. Written once; the shells map names
//! through it.

/// Every command and decision of [`super::AccessControl`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    CreateUser,
    CreateOrganization,
    Invite,
    Join,
    RemoveMember,
    SetRole,
    SetVisibility,
    CreateWorkspace,
    SetWorkspaceIdAccess,
    SetPersonalAccessTokenAccess,
    CreateCiAccessToken,
    RevokeCiAccessToken,
    CreatePersonalAccessToken,
    RevokePersonalAccessToken,
    ListPersonalAccessTokens,
    ListCiAccessTokens,
    AuthorizeRunner,
    AuthorizeWeb,
}

/// (method, JS name, kebab-case name, changes state)
const TABLE: [(Method, &str, &str, bool); 18] = [
    (Method::CreateUser, "createUser", "create-user", true),
    (
        Method::CreateOrganization,
        "createOrganization",
        "create-organization",
        true,
    ),
    (Method::Invite, "invite", "invite", true),
    (Method::Join, "join", "join", true),
    (Method::RemoveMember, "removeMember", "remove-member", true),
    (Method::SetRole, "setRole", "set-role", true),
    (
        Method::SetVisibility,
        "setVisibility",
        "set-visibility",
        true,
    ),
    (
        Method::CreateWorkspace,
        "createWorkspace",
        "create-workspace",
        true,
    ),
    (
        Method::SetWorkspaceIdAccess,
        "setWorkspaceIdAccess",
        "set-workspace-id-access",
        true,
    ),
    (
        Method::SetPersonalAccessTokenAccess,
        "setPersonalAccessTokenAccess",
        "set-personal-access-token-access",
        true,
    ),
    (
        Method::CreateCiAccessToken,
        "createCiAccessToken",
        "create-ci-access-token",
        true,
    ),
    (
        Method::RevokeCiAccessToken,
        "revokeCiAccessToken",
        "revoke-ci-access-token",
        true,
    ),
    (
        Method::CreatePersonalAccessToken,
        "createPersonalAccessToken",
        "create-personal-access-token",
        true,
    ),
    (
        Method::RevokePersonalAccessToken,
        "revokePersonalAccessToken",
        "revoke-personal-access-token",
        true,
    ),
    (
        Method::ListPersonalAccessTokens,
        "listPersonalAccessTokens",
        "list-personal-access-tokens",
        false,
    ),
    (
        Method::ListCiAccessTokens,
        "listCiAccessTokens",
        "list-ci-access-tokens",
        false,
    ),
    (
        Method::AuthorizeRunner,
        "authorizeRunner",
        "authorize-runner",
        false,
    ),
    (Method::AuthorizeWeb, "authorizeWeb", "authorize-web", false),
];

impl Method {
    /// Every method, in CONTRACT.md order.
    pub const ALL: [Method; 18] = [
        Method::CreateUser,
        Method::CreateOrganization,
        Method::Invite,
        Method::Join,
        Method::RemoveMember,
        Method::SetRole,
        Method::SetVisibility,
        Method::CreateWorkspace,
        Method::SetWorkspaceIdAccess,
        Method::SetPersonalAccessTokenAccess,
        Method::CreateCiAccessToken,
        Method::RevokeCiAccessToken,
        Method::CreatePersonalAccessToken,
        Method::RevokePersonalAccessToken,
        Method::ListPersonalAccessTokens,
        Method::ListCiAccessTokens,
        Method::AuthorizeRunner,
        Method::AuthorizeWeb,
    ];

    /// The method of a JS name (`createCiAccessToken`).
    pub fn from_js(name: &str) -> Option<Self> {
        TABLE.iter().find(|row| row.1 == name).map(|row| row.0)
    }

    /// The method of a JS name, or the `invalid-input` error that lists
    /// them all.
    pub fn named(name: &str) -> Result<Self, super::AccessError> {
        Self::from_js(name).ok_or_else(|| {
            super::AccessError::InvalidInput(format!(
                "unknown method `{}`: use one of {}",
                name.escape_debug(),
                Method::ALL.map(Method::js_name).join(", ")
            ))
        })
    }

    /// The method of a kebab-case name (`create-ci-access-token`).
    pub fn from_kebab(name: &str) -> Option<Self> {
        TABLE.iter().find(|row| row.2 == name).map(|row| row.0)
    }

    /// The JS name (`createCiAccessToken`).
    pub fn js_name(self) -> &'static str {
        self.row().1
    }

    /// The kebab-case name (`create-ci-access-token`).
    pub fn kebab_name(self) -> &'static str {
        self.row().2
    }

    /// Whether the method is a command that may change the state (the list
    /// methods and the two decisions never do).
    pub fn changes_state(self) -> bool {
        self.row().3
    }

    /// Whether the method is a decision (`authorizeRunner`, `authorizeWeb`):
    /// it never fails for a denial, it answers one.
    pub fn is_decision(self) -> bool {
        matches!(self, Method::AuthorizeRunner | Method::AuthorizeWeb)
    }

    fn row(self) -> (Method, &'static str, &'static str, bool) {
        TABLE
            .iter()
            .copied()
            .find(|row| row.0 == self)
            .unwrap_or((self, "", "", false))
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.js_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_has_one_row_and_names_round_trip() {
        for method in Method::ALL {
            assert_eq!(TABLE.iter().filter(|row| row.0 == method).count(), 1);
            assert_eq!(Method::from_js(method.js_name()), Some(method));
            assert_eq!(Method::from_kebab(method.kebab_name()), Some(method));
            assert!(!method.js_name().is_empty());
        }
    }

    #[test]
    fn kebab_names_are_the_js_names_split_at_capitals() {
        for method in Method::ALL {
            let mut kebab = String::new();
            for c in method.js_name().chars() {
                if c.is_ascii_uppercase() {
                    kebab.push('-');
                    kebab.push(c.to_ascii_lowercase());
                } else {
                    kebab.push(c);
                }
            }
            assert_eq!(kebab, method.kebab_name());
        }
        assert_eq!(
            Method::CreateCiAccessToken.kebab_name(),
            "create-ci-access-token"
        );
        assert_eq!(Method::from_kebab("createUser"), None);
        assert_eq!(Method::from_js("create-user"), None);
    }
}
