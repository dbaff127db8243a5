//! The two decisions, on two planes kept apart: the web plane (people) reads
//! only organizations and roles; the runner plane (credentials) reads only
//! tokens and access levels, and membership only to pick the PAT level.
//! Both are O(1): `HashMap` lookups by id or token hash, no scans.

use super::model::*;
use super::token::{scrub_tokens, TokenHash, CI_ACCESS_TOKEN_PREFIX, PERSONAL_ACCESS_TOKEN_PREFIX};
use super::{AccessControl, TokenKind};
use crate::Secret;

impl AccessControl {
    /// What a runner presenting a credential may do (runner plane).
    pub fn authorize_runner(&self, req: &RunnerRequest) -> RunnerDecision {
        // PUB-4: nothing below reads an organization's visibility: making an
        // organization public never opens the runner plane.
        // Interpretation 2 (part 1's PATR-3): an access token, when present,
        // decides alone; a PAT beside it is not looked at.
        if let Some(token) = &req.access_token {
            return self.by_ci_access_token(req, token);
        }
        if let Some(pat) = &req.personal_access_token {
            return self.by_personal_access_token(req, pat);
        }
        self.by_workspace_id(req)
    }

    /// What a person (or an anonymous visitor) may do (web plane).
    pub fn authorize_web(&self, req: &WebRequest) -> WebDecision {
        let who = match &req.user {
            Some(user) => format!("user `{user}`"),
            None => "an anonymous visitor".to_owned(),
        };
        let action = web_action_name(req.action);
        let Some(org) = self.organizations.get(&req.organization) else {
            return web(
                false,
                WebRole::None,
                "ORG-7",
                format!(
                    "there is no organization `{}`, so {who} sees nothing of it",
                    crate::secret::redact(&req.organization)
                ),
            );
        };
        let view = matches!(req.action, WebAction::ViewRuns | WebAction::ViewStats);
        let role = req.user.as_ref().and_then(|user| org.members.get(user));
        match role {
            // ORG-5: an admin can do anything with any workspace.
            Some(Role::Admin) => web(true, WebRole::Admin, "ORG-5", format!(
                "{who} is an admin of organization `{}`: admins may {action}",
                req.organization
            )),
            // ORG-6: a member views runs and stats, changes nothing.
            Some(Role::Member) if view => web(true, WebRole::Member, "ORG-6", format!(
                "{who} is a member of organization `{}`: members may {action}",
                req.organization
            )),
            Some(Role::Member) if req.action == WebAction::ChangeSettings => {
                web(false, WebRole::Member, "ORG-6", format!(
                    "{who} is a member, not an admin, of organization `{}`: members cannot {action}; ask an admin",
                    req.organization
                ))
            }
            // ORG-9: members never manage members or tokens.
            Some(Role::Member) => web(false, WebRole::Member, "ORG-9", format!(
                "{who} is a member, not an admin, of organization `{}`: only admins may {action}",
                req.organization
            )),
            // PUB-2: in a public organization everyone sees what members see.
            None if org.visibility == Visibility::Public && view => {
                web(true, WebRole::Public, "PUB-2", format!(
                    "organization `{}` is public: everyone, {who} included, may {action}",
                    req.organization
                ))
            }
            // PUB-3: public visibility never grants admin abilities.
            None if org.visibility == Visibility::Public => web(false, WebRole::Public, "PUB-3", format!(
                "organization `{}` is public, but {who} is not a member of it: only its admins may {action}",
                req.organization
            )),
            // ORG-7: an outsider sees nothing of a private organization.
            None => web(false, WebRole::None, "ORG-7", format!(
                "organization `{}` is private and {who} is not a member of it: ask an admin for an invitation",
                req.organization
            )),
        }
    }

    fn by_ci_access_token(&self, req: &RunnerRequest, token: &Secret) -> RunnerDecision {
        let hash = TokenHash::of(token);
        let Some((workspace, id, stored)) = self.live_ci_token(&hash) else {
            if self.revoked.get(&hash) == Some(&TokenKind::Ci) {
                // REV-2: a revoked CI access token is refused from the very
                // next request.
                return refused_advised(
                    Principal::CiAccessToken,
                    "REV-2",
                    "this CI access token was revoked",
                    ": ask an admin for a new one and set it in `NX_CLOUD_ACCESS_TOKEN`",
                    "",
                );
            }
            // TOK-7: an unknown, malformed or revoked token grants nothing and
            // never falls back to the workspace ID access level.
            let (why, advice) = if token.is_empty() {
                ("the access token is empty".to_owned(), "")
            } else if token.expose().starts_with(PERSONAL_ACCESS_TOKEN_PREFIX) {
                (
                    "the access token is a personal access token, not a CI access token".to_owned(),
                    ": present it as the personal access token, with the nxCloudId",
                )
            } else if !token.expose().starts_with(CI_ACCESS_TOKEN_PREFIX) {
                (format!("the access token is malformed (CI access tokens start with `{CI_ACCESS_TOKEN_PREFIX}`)"), "")
            } else {
                (
                    "the access token is not a known CI access token".to_owned(),
                    "",
                )
            };
            return refused_advised(
                Principal::CiAccessToken,
                "TOK-7",
                &why,
                advice,
                "; the request is refused, with no fallback to the workspace ID access level",
            );
        };
        if let Some(asked) = &req.nx_cloud_id {
            if asked != workspace {
                // TOK-7: a token of another workspace grants nothing here.
                return refused(Principal::CiAccessToken, "TOK-7", format!(
                    "this CI access token belongs to another workspace than `{}`; the request is refused, with no fallback to the workspace ID access level",
                    self.shown_nx_cloud_id(asked)
                ));
            }
        }
        // TOK-5: the token alone decides; membership is never consulted.
        let level = AccessLevel::from(stored.access);
        let allowed = level_allows(level, req.action);
        let rule = match (req.action, stored.access) {
            // TOK-2: both kinds record runs and take part in DTE.
            (RunnerAction::RecordRun | RunnerAction::Distribute, _) => "TOK-2",
            // TOK-3: a read-only token reads, never writes.
            (_, TokenAccess::ReadOnly) => "TOK-3",
            // TOK-4: a read-write token reads and writes.
            (_, TokenAccess::ReadWrite) => "TOK-4",
        };
        let reason = format!(
            "CI access token `{id}` (`{}`) is {}: it {} {}",
            stored.name,
            level_name(level),
            if allowed { "may" } else { "may not" },
            runner_action_name(req.action)
        );
        decision(
            allowed,
            level,
            Principal::CiAccessToken,
            rule,
            reason,
            false,
        )
    }

    fn by_personal_access_token(&self, req: &RunnerRequest, pat: &Secret) -> RunnerDecision {
        // PAT-2: a PAT counts only together with the workspace's nxCloudId.
        let Some(nx_cloud_id) = &req.nx_cloud_id else {
            return refused_advised(
                Principal::PersonalAccessToken,
                "PAT-2",
                "a personal access token counts only with the workspace's nxCloudId",
                ": add `nxCloudId` to nx.json",
                "",
            );
        };
        let Some(workspace) = self.workspaces.get(nx_cloud_id) else {
            return unknown_workspace(Principal::PersonalAccessToken, nx_cloud_id);
        };
        let hash = TokenHash::of(pat);
        let Some((user, _)) = self.live_pat(&hash) else {
            if self.revoked.get(&hash) == Some(&TokenKind::Personal) {
                // REV-3: a revoked PAT is refused from the very next request.
                return refused_advised(
                    Principal::PersonalAccessToken,
                    "REV-3",
                    "this personal access token was revoked",
                    ": run `npx nx login` for a new one",
                    "",
                );
            }
            let (why, advice) = if pat.is_empty() {
                ("the personal access token is empty", "")
            } else if pat.expose().starts_with(CI_ACCESS_TOKEN_PREFIX) {
                (
                    "the personal access token is a CI access token",
                    ": present it as the access token (`NX_CLOUD_ACCESS_TOKEN`)",
                )
            } else {
                (
                    "the personal access token is not known (malformed, or never issued)",
                    "",
                )
            };
            // PAT-5: an unknown PAT is refused as unauthenticated (as TOK-7).
            return refused_advised(
                Principal::PersonalAccessToken,
                "PAT-5",
                why,
                advice,
                "; the request is refused, with no fallback to the workspace ID access level",
            );
        };
        let member = self
            .organizations
            .get(&workspace.organization)
            .is_some_and(|org| org.members.contains_key(user));
        if !member {
            // PAT-5 (and REV-1 after a removal): a non-member's valid PAT gets
            // the workspace ID access level, like anyone else (WSID-2).
            // ORG-7: the answer goes to an outsider, so it names a private
            // organization by nothing they did not send (the nxCloudId), and
            // no token id.
            let level = workspace.id_access;
            let allowed = level_allows(level, req.action);
            let organization = match self.organizations.get(&workspace.organization) {
                Some(org) if org.visibility == Visibility::Public => {
                    format!("organization `{}`", workspace.organization)
                }
                _ => format!("the organization of workspace `{nx_cloud_id}`"),
            };
            return decision(allowed, level, Principal::WorkspaceId, "PAT-5", format!(
                "user `{user}` is not a member of {organization}, so the workspace ID access level applies: {}, which {} {}",
                level_name(level),
                if allowed { "allows" } else { "does not allow" },
                runner_action_gerund(req.action)
            ), false);
        }
        // PAT-3 / PAT-4: a member's PAT gets the workspace's PAT access level.
        let level = AccessLevel::from(workspace.pat_access);
        let allowed = level_allows(level, req.action);
        let rule = match workspace.pat_access {
            TokenAccess::ReadWrite => "PAT-3",
            TokenAccess::ReadOnly => "PAT-4",
        };
        decision(allowed, level, Principal::PersonalAccessToken, rule, format!(
            "user `{user}` is a member of organization `{}`; the workspace's PAT access level is {}, which {} {}",
            workspace.organization,
            level_name(level),
            if allowed { "allows" } else { "does not allow" },
            runner_action_gerund(req.action)
        ), false)
    }

    fn by_workspace_id(&self, req: &RunnerRequest) -> RunnerDecision {
        let Some(nx_cloud_id) = &req.nx_cloud_id else {
            return refused_advised(Principal::WorkspaceId, "WSID-2",
                "no credential", ": present the workspace's nxCloudId, a personal access token with it, or a CI access token", "");
        };
        let Some(workspace) = self.workspaces.get(nx_cloud_id) else {
            return unknown_workspace(Principal::WorkspaceId, nx_cloud_id);
        };
        // WSID-2, WSID-3: the nxCloudId alone gets the workspace ID level.
        let level = workspace.id_access;
        let allowed = level_allows(level, req.action);
        let fact = format!(
            "only the nxCloudId was presented, so the workspace ID access level applies: {}, which {} {}",
            level_name(level),
            if allowed { "allows" } else { "does not allow" },
            runner_action_gerund(req.action),
        );
        let advice = if allowed {
            ""
        } else {
            "; log in with `npx nx login` as a member, or use a CI access token"
        };
        let mut decided = decision(
            allowed,
            level,
            Principal::WorkspaceId,
            "WSID-3",
            format!("{fact}{advice}"),
            level == AccessLevel::None,
        );
        decided.fact = scrub_tokens(&fact);
        decided
    }
}

/// WSID-3 (and TOK-2..4, PAT-3/4): what each level allows.
fn level_allows(level: AccessLevel, action: RunnerAction) -> bool {
    match level {
        AccessLevel::ReadWrite => true,
        AccessLevel::ReadOnly => action != RunnerAction::WriteCache,
        AccessLevel::None => false,
    }
}

fn unknown_workspace(principal: Principal, nx_cloud_id: &str) -> RunnerDecision {
    refused_advised(
        principal,
        "TOK-7",
        &format!(
            "there is no workspace with nxCloudId `{}`",
            crate::secret::redact(nx_cloud_id)
        ),
        ": check `nxCloudId` in nx.json",
        "",
    )
}

fn refused(principal: Principal, rule: &str, reason: String) -> RunnerDecision {
    decision(false, AccessLevel::None, principal, rule, reason, true)
}

/// A refusal whose reason is `{fact}{advice}{tail}`; its `fact` leaves the
/// advice (in Nx Cloud's terms) out.
fn refused_advised(
    principal: Principal,
    rule: &str,
    fact: &str,
    advice: &str,
    tail: &str,
) -> RunnerDecision {
    let mut decided = refused(principal, rule, format!("{fact}{advice}{tail}"));
    decided.fact = scrub_tokens(&format!("{fact}{tail}"));
    decided
}

/// Every reason is scrubbed of token-shaped words (TOK-6): a reason may
/// quote what the caller sent, and a caller may have sent a token in any
/// field.
fn decision(
    allowed: bool,
    access: AccessLevel,
    principal: Principal,
    rule: &str,
    reason: String,
    unauthenticated: bool,
) -> RunnerDecision {
    let reason = scrub_tokens(&reason);
    RunnerDecision {
        allowed,
        access,
        principal,
        rule: rule.to_owned(),
        fact: reason.clone(),
        reason,
        unauthenticated,
    }
}

fn web(allowed: bool, role: WebRole, rule: &str, reason: String) -> WebDecision {
    WebDecision {
        allowed,
        role,
        rule: rule.to_owned(),
        reason: scrub_tokens(&reason),
    }
}

impl AccessControl {
    /// An nxCloudId as a reason, an answer or a log line may show it: whole
    /// when it names a workspace (the engine made it: 24 hexadecimal
    /// digits), redacted otherwise (an unknown value may be anything a person
    /// pasted, a token included).
    pub fn shown_nx_cloud_id(&self, nx_cloud_id: &str) -> String {
        if self.workspaces.contains_key(nx_cloud_id) {
            nx_cloud_id.to_owned()
        } else {
            crate::secret::redact(nx_cloud_id)
        }
    }
}

fn level_name(level: AccessLevel) -> &'static str {
    match level {
        AccessLevel::ReadWrite => "read-write",
        AccessLevel::ReadOnly => "read-only",
        AccessLevel::None => "none",
    }
}

fn runner_action_name(action: RunnerAction) -> &'static str {
    match action {
        RunnerAction::ReadCache => "read the remote cache",
        RunnerAction::WriteCache => "write the remote cache",
        RunnerAction::RecordRun => "record runs",
        RunnerAction::Distribute => "distribute tasks",
    }
}

fn runner_action_gerund(action: RunnerAction) -> &'static str {
    match action {
        RunnerAction::ReadCache => "reading the remote cache",
        RunnerAction::WriteCache => "writing the remote cache",
        RunnerAction::RecordRun => "recording runs",
        RunnerAction::Distribute => "distributing tasks",
    }
}

fn web_action_name(action: WebAction) -> &'static str {
    match action {
        WebAction::ViewRuns => "view runs",
        WebAction::ViewStats => "view stats",
        WebAction::ChangeSettings => "change settings",
        WebAction::ManageMembers => "manage members",
        WebAction::ManageTokens => "manage tokens",
    }
}
