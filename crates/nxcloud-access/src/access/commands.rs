//! The commands: each validates everything first and only then changes the
//! state, so a refused command changes nothing.

use std::collections::{HashMap, HashSet};

use super::error::AccessError;
use super::model::*;
use super::order;
use super::replay::{Drawn, Draws};
use super::token::{self, TokenHash, CI_ACCESS_TOKEN_PREFIX, PERSONAL_ACCESS_TOKEN_PREFIX};
use super::validate;
use super::{AccessControl, NamedTokens, Organization, StoredToken, TokenKind, User, Workspace};

/// How often `createWorkspace` draws a new nxCloudId when one is taken.
const ID_ATTEMPTS: usize = 8;

impl AccessControl {
    /// `createUser`: user ids and (case-insensitive) emails are unique.
    pub fn create_user(&mut self, arg: CreateUser) -> Result<(), AccessError> {
        validate::id("id", &arg.id)?;
        let email = validate::email("email", &arg.email)?;
        if self.users.contains_key(&arg.id) {
            return Err(AccessError::Conflict(format!(
                "user `{}` already exists: pick another id",
                arg.id
            )));
        }
        if let Some(owner) = self.emails.get(&email) {
            return Err(AccessError::Conflict(format!(
                "email `{}` already belongs to user `{owner}`: each user needs their own email",
                arg.email
            )));
        }
        self.emails.insert(email, arg.id.clone());
        self.users.insert(
            arg.id,
            User {
                email: arg.email,
                pats: NamedTokens::default(),
            },
        );
        Ok(())
    }

    /// `createOrganization`.
    pub fn create_organization(&mut self, arg: CreateOrganization) -> Result<(), AccessError> {
        validate::id("id", &arg.id)?;
        validate::name("name", &arg.name)?;
        self.user("creator", &arg.creator)?;
        if self.organizations.contains_key(&arg.id) {
            return Err(AccessError::Conflict(format!(
                "organization `{}` already exists: pick another id",
                arg.id
            )));
        }
        // ORG-1: the creator is the only member, with the admin role.
        let members = HashMap::from([(arg.creator, Role::Admin)]);
        // PUB-1: private by default.
        self.organizations.insert(
            arg.id,
            Organization {
                name: arg.name,
                visibility: Visibility::Private,
                members,
                email_invites: HashMap::new(),
                domain_invites: HashMap::new(),
                removed: HashSet::new(),
            },
        );
        Ok(())
    }

    /// `invite`: by email (ORG-2) or by domain (ORG-3), with a role (ORG-4).
    pub fn invite(&mut self, arg: Invite) -> Result<(), AccessError> {
        let org = self.admin_of(&arg.organization, &arg.actor, "invite people")?;
        enum Target {
            Email(String),
            Domain(String),
        }
        let target = match (&arg.email, &arg.domain) {
            (Some(email), None) => {
                let email = validate::email("email", email)?;
                if let Some(user) = self.emails.get(&email) {
                    if org.members.contains_key(user) {
                        return Err(AccessError::Conflict(format!(
                            "`{email}` is already a member of organization `{}` (user `{user}`): use `setRole` to change their role",
                            arg.organization
                        )));
                    }
                }
                Target::Email(email)
            }
            (None, Some(domain)) => Target::Domain(validate::domain("domain", domain)?),
            _ => {
                return Err(AccessError::InvalidInput(
                    "invite needs exactly one of `email` and `domain`".into(),
                ))
            }
        };
        let org = self.org_mut(&arg.organization)?;
        match target {
            // ORG-2: an invitation by email address.
            Target::Email(email) => org.email_invites.insert(email, arg.role),
            // ORG-3: an invitation for a whole email domain.
            Target::Domain(domain) => org.domain_invites.insert(domain, arg.role),
        };
        Ok(())
    }

    /// `join`: returns the role granted.
    pub fn join(&mut self, arg: Join) -> Result<Role, AccessError> {
        let user = self.user("user", &arg.user)?;
        let email = user.email.to_lowercase();
        let org = self.org(&arg.organization)?;
        if org.members.contains_key(&arg.user) {
            return Err(AccessError::Conflict(format!(
                "user `{}` is already a member of organization `{}`",
                arg.user, arg.organization
            )));
        }
        let by_email = org.email_invites.get(&email).copied();
        // ORG-3: exact domain after the last `@`, case-insensitive (both sides
        // are stored lower-cased); `example.com` admits neither
        // `a.example.com` nor `evil-example.com`. A removed member is not
        // readmitted by a domain invitation (REV-1, interpretation 10).
        let by_domain = if org.removed.contains(&arg.user) {
            None
        } else {
            org.domain_invites.get(validate::domain_of(&email)).copied()
        };
        // ORG-4: the person who joins gets the invitation's role; an email
        // invitation, more specific, wins over a domain invitation.
        let Some(role) = by_email.or(by_domain) else {
            return Err(AccessError::NoMatchingInvite(format!(
                "no invitation of organization `{}` matches user `{}` (`{}`): ask an admin to invite that email or its domain",
                arg.organization, arg.user, user.email
            )));
        };
        let org = self.org_mut(&arg.organization)?;
        if by_email.is_some() {
            org.email_invites.remove(&email);
        }
        org.removed.remove(&arg.user);
        org.members.insert(arg.user, role);
        Ok(role)
    }

    /// `removeMember`.
    pub fn remove_member(&mut self, arg: RemoveMember) -> Result<(), AccessError> {
        let org = self.admin_of(&arg.organization, &arg.actor, "remove members")?;
        let role = member_role(org, &arg.organization, &arg.user)?;
        if role == Role::Admin {
            last_admin_guard(org, &arg.organization, &arg.user, "remove")?;
        }
        let org = self.org_mut(&arg.organization)?;
        // REV-1: membership ends here; every decision reads `members`, so the
        // web plane and the PAT access level go from the very next request.
        org.members.remove(&arg.user);
        org.removed.insert(arg.user);
        Ok(())
    }

    /// `setRole`.
    pub fn set_role(&mut self, arg: SetRole) -> Result<(), AccessError> {
        let org = self.admin_of(&arg.organization, &arg.actor, "change roles")?;
        let role = member_role(org, &arg.organization, &arg.user)?;
        if role == Role::Admin && arg.role == Role::Member {
            last_admin_guard(org, &arg.organization, &arg.user, "demote")?;
        }
        self.org_mut(&arg.organization)?
            .members
            .insert(arg.user, arg.role);
        Ok(())
    }

    /// `setVisibility` (PUB-1).
    pub fn set_visibility(&mut self, arg: SetVisibility) -> Result<(), AccessError> {
        self.admin_of(&arg.organization, &arg.actor, "change the visibility")?;
        self.org_mut(&arg.organization)?.visibility = arg.visibility;
        Ok(())
    }

    /// `createWorkspace`: a new nxCloudId of 24 hexadecimal characters.
    pub fn create_workspace(
        &mut self,
        arg: CreateWorkspace,
    ) -> Result<CreatedWorkspace, AccessError> {
        self.create_workspace_drawn(arg, &mut Draws::Live(&mut Vec::new()))
    }

    pub(super) fn create_workspace_drawn(
        &mut self,
        arg: CreateWorkspace,
        draws: &mut Draws<'_>,
    ) -> Result<CreatedWorkspace, AccessError> {
        self.admin_of(&arg.organization, &arg.actor, "create workspaces")?;
        let nx_cloud_id = match draws {
            Draws::Replay(_) => draws.replayed_nx_cloud_id()?,
            Draws::Live(drawn) => {
                let mut nx_cloud_id = None;
                for _ in 0..ID_ATTEMPTS {
                    let candidate = token::new_nx_cloud_id()?;
                    if !self.workspaces.contains_key(&candidate) {
                        nx_cloud_id = Some(candidate);
                        break;
                    }
                }
                let Some(nx_cloud_id) = nx_cloud_id else {
                    return Err(AccessError::Internal(
                        "could not draw an unused nxCloudId; retry".into(),
                    ));
                };
                drawn.push(Drawn::NxCloudId(nx_cloud_id.clone()));
                nx_cloud_id
            }
        };
        if self.workspaces.contains_key(&nx_cloud_id) {
            return Err(AccessError::Conflict(format!(
                "a workspace `{nx_cloud_id}` exists already"
            )));
        }
        self.workspaces.insert(
            nx_cloud_id.clone(),
            Workspace {
                organization: arg.organization,
                // WSID-1: the workspace ID access level starts read-write.
                id_access: AccessLevel::ReadWrite,
                // PAT-3: the PAT access level starts read-write.
                pat_access: TokenAccess::ReadWrite,
                ci_tokens: NamedTokens::default(),
            },
        );
        Ok(CreatedWorkspace { nx_cloud_id })
    }

    /// `setWorkspaceIdAccess`.
    pub fn set_workspace_id_access(
        &mut self,
        arg: SetWorkspaceIdAccess,
    ) -> Result<(), AccessError> {
        self.admin_of_workspace(
            &arg.workspace,
            &arg.actor,
            "change the workspace ID access level",
        )?;
        // WSID-4: an admin changes the level at any time; decisions read it
        // on every request, so it applies from the very next one (REV-4).
        self.workspace_mut(&arg.workspace)?.id_access = arg.level;
        Ok(())
    }

    /// `setPersonalAccessTokenAccess`.
    pub fn set_personal_access_token_access(
        &mut self,
        arg: SetPersonalAccessTokenAccess,
    ) -> Result<(), AccessError> {
        self.admin_of_workspace(&arg.workspace, &arg.actor, "change the PAT access level")?;
        self.workspace_mut(&arg.workspace)?.pat_access = arg.level;
        Ok(())
    }

    /// `createCiAccessToken`: the secret is in the result, and nowhere else.
    pub fn create_ci_access_token(
        &mut self,
        arg: CreateCiAccessToken,
    ) -> Result<CreatedToken, AccessError> {
        self.create_ci_access_token_drawn(arg, &mut Draws::Live(&mut Vec::new()))
    }

    pub(super) fn create_ci_access_token_drawn(
        &mut self,
        arg: CreateCiAccessToken,
        draws: &mut Draws<'_>,
    ) -> Result<CreatedToken, AccessError> {
        let workspace =
            self.admin_of_workspace(&arg.workspace, &arg.actor, "create CI access tokens")?;
        validate::name("name", &arg.name)?;
        if workspace.ci_tokens.has_name(&arg.name) {
            return Err(AccessError::Conflict(format!(
                "workspace `{}` already has a CI access token named `{}`: pick another name or revoke that one",
                arg.workspace, arg.name
            )));
        }
        // TOK-1: read-only or read-write. TOK-6: only the hash is kept.
        let (secret, hash) = self.mint(CI_ACCESS_TOKEN_PREFIX, draws)?;
        let seq = self.next_seq;
        let id = format!("ci-{seq}");
        let stored = StoredToken {
            name: arg.name,
            hash,
            seq,
            access: arg.access,
        };
        if !self
            .workspace_mut(&arg.workspace)?
            .ci_tokens
            .insert(id.clone(), stored)
        {
            return Err(AccessError::Conflict(format!(
                "workspace `{}` already has a CI access token `{id}`",
                arg.workspace
            )));
        }
        self.ci_tokens.insert(hash, (arg.workspace, id.clone()));
        self.next_seq = seq.saturating_add(1);
        Ok(CreatedToken { id, token: secret })
    }

    /// `revokeCiAccessToken`.
    pub fn revoke_ci_access_token(&mut self, arg: RevokeCiAccessToken) -> Result<(), AccessError> {
        let workspace =
            self.admin_of_workspace(&arg.workspace, &arg.actor, "revoke CI access tokens")?;
        let Some(stored) = workspace.ci_tokens.get(&arg.id) else {
            return Err(AccessError::NotFound(format!(
                "workspace `{}` has no CI access token `{}`: `listCiAccessTokens` shows its tokens",
                arg.workspace, arg.id
            )));
        };
        let hash = stored.hash;
        // REV-2: the hash leaves the index, so the very next request with
        // this token is refused; REV-5: nothing else is touched.
        self.workspace_mut(&arg.workspace)?
            .ci_tokens
            .remove(&arg.id);
        self.ci_tokens.remove(&hash);
        self.revoked.insert(hash, TokenKind::Ci);
        Ok(())
    }

    /// `createPersonalAccessToken` (PAT-1).
    pub fn create_personal_access_token(
        &mut self,
        arg: CreatePersonalAccessToken,
    ) -> Result<CreatedToken, AccessError> {
        self.create_personal_access_token_drawn(arg, &mut Draws::Live(&mut Vec::new()))
    }

    pub(super) fn create_personal_access_token_drawn(
        &mut self,
        arg: CreatePersonalAccessToken,
        draws: &mut Draws<'_>,
    ) -> Result<CreatedToken, AccessError> {
        let user = self.user("user", &arg.user)?;
        validate::name("name", &arg.name)?;
        if user.pats.has_name(&arg.name) {
            return Err(AccessError::Conflict(format!(
                "user `{}` already has a personal access token named `{}`: pick another name or revoke that one",
                arg.user, arg.name
            )));
        }
        // PAT-1: a user holds several PATs, each named; the secret is shown
        // once (TOK-6 applies to PATs alike).
        let (secret, hash) = self.mint(PERSONAL_ACCESS_TOKEN_PREFIX, draws)?;
        let seq = self.next_seq;
        let id = format!("pat-{seq}");
        let stored = StoredToken {
            name: arg.name,
            hash,
            seq,
            access: TokenAccess::ReadWrite,
        };
        if !self.user_mut(&arg.user)?.pats.insert(id.clone(), stored) {
            return Err(AccessError::Conflict(format!(
                "user `{}` already has a personal access token `{id}`",
                arg.user
            )));
        }
        self.pats.insert(hash, (arg.user, id.clone()));
        self.next_seq = seq.saturating_add(1);
        Ok(CreatedToken { id, token: secret })
    }

    /// `revokePersonalAccessToken`.
    pub fn revoke_personal_access_token(
        &mut self,
        arg: RevokePersonalAccessToken,
    ) -> Result<(), AccessError> {
        let user = self.user("user", &arg.user)?;
        let Some(stored) = user.pats.get(&arg.id) else {
            return Err(AccessError::NotFound(format!(
                "user `{}` has no personal access token `{}`: `listPersonalAccessTokens` shows their tokens",
                arg.user, arg.id
            )));
        };
        let hash = stored.hash;
        // PAT-6, REV-3: the owner revokes it; refused from the next request.
        self.user_mut(&arg.user)?.pats.remove(&arg.id);
        self.pats.remove(&hash);
        self.revoked.insert(hash, TokenKind::Personal);
        Ok(())
    }

    /// `listPersonalAccessTokens`: by id and name, in creation order (PAT-6).
    pub fn list_personal_access_tokens(
        &self,
        arg: &ListPersonalAccessTokens,
    ) -> Result<Vec<PersonalAccessTokenInfo>, AccessError> {
        let user = self.user("user", &arg.user)?;
        let mut tokens: Vec<(&String, &StoredToken)> = user.pats.iter().collect();
        order::sort_by_key(&mut tokens, |(_, t)| t.seq);
        Ok(tokens
            .into_iter()
            .map(|(id, t)| PersonalAccessTokenInfo {
                id: id.clone(),
                name: t.name.clone(),
            })
            .collect())
    }

    /// `listCiAccessTokens`: for admins, in creation order.
    pub fn list_ci_access_tokens(
        &self,
        arg: &ListCiAccessTokens,
    ) -> Result<Vec<CiAccessTokenInfo>, AccessError> {
        let workspace =
            self.admin_of_workspace(&arg.workspace, &arg.actor, "list CI access tokens")?;
        let mut tokens: Vec<(&String, &StoredToken)> = workspace.ci_tokens.iter().collect();
        order::sort_by_key(&mut tokens, |(_, t)| t.seq);
        Ok(tokens
            .into_iter()
            .map(|(id, t)| CiAccessTokenInfo {
                id: id.clone(),
                name: t.name.clone(),
                access: t.access,
            })
            .collect())
    }

    /// A new token and its hash; replayed, the recorded hash and no secret
    /// (a replay's result is never shown).
    fn mint(
        &self,
        prefix: &str,
        draws: &mut Draws<'_>,
    ) -> Result<(crate::Secret, TokenHash), AccessError> {
        let (secret, hash) = match draws {
            Draws::Replay(_) => (crate::Secret::new(""), draws.replayed_token_hash()?),
            Draws::Live(_) => {
                let secret = token::mint(prefix)?;
                let hash = TokenHash::of(&secret);
                (secret, hash)
            }
        };
        if self.ci_tokens.contains_key(&hash)
            || self.pats.contains_key(&hash)
            || self.revoked.contains_key(&hash)
        {
            return Err(AccessError::Internal(
                "a minted token collided with a known one; retry".into(),
            ));
        }
        if let Draws::Live(drawn) = draws {
            drawn.push(Drawn::TokenHash(hash.to_hex()));
        }
        Ok((secret, hash))
    }

    fn user(&self, field: &str, id: &str) -> Result<&User, AccessError> {
        self.users.get(id).ok_or_else(|| {
            AccessError::NotFound(format!(
                "`{field}`: there is no user `{id}`: create it with `createUser`"
            ))
        })
    }

    fn user_mut(&mut self, id: &str) -> Result<&mut User, AccessError> {
        self.users
            .get_mut(id)
            .ok_or_else(|| AccessError::NotFound(format!("there is no user `{id}`")))
    }

    fn org(&self, id: &str) -> Result<&Organization, AccessError> {
        self.organizations
            .get(id)
            .ok_or_else(|| AccessError::NotFound(format!("there is no organization `{id}`")))
    }

    fn org_mut(&mut self, id: &str) -> Result<&mut Organization, AccessError> {
        self.organizations
            .get_mut(id)
            .ok_or_else(|| AccessError::NotFound(format!("there is no organization `{id}`")))
    }

    fn workspace(&self, id: &str) -> Result<&Workspace, AccessError> {
        self.workspaces.get(id).ok_or_else(|| {
            AccessError::NotFound(format!("there is no workspace with nxCloudId `{id}`"))
        })
    }

    fn workspace_mut(&mut self, id: &str) -> Result<&mut Workspace, AccessError> {
        self.workspaces.get_mut(id).ok_or_else(|| {
            AccessError::NotFound(format!("there is no workspace with nxCloudId `{id}`"))
        })
    }

    /// The organization, if `actor` is one of its admins.
    fn admin_of(
        &self,
        organization: &str,
        actor: &str,
        what: &str,
    ) -> Result<&Organization, AccessError> {
        let org = self.org(organization)?;
        self.user("actor", actor)?;
        // ORG-9: only admins invite, remove, change roles, create workspaces
        // and tokens (ORG-5: and an admin may do all of it).
        match org.members.get(actor) {
            Some(Role::Admin) => Ok(org),
            Some(Role::Member) => Err(AccessError::Forbidden(format!(
                "user `{actor}` is a member, not an admin, of organization `{organization}`: only admins may {what}"
            ))),
            None => Err(AccessError::Forbidden(format!(
                "user `{actor}` is not a member of organization `{organization}`: only its admins may {what}"
            ))),
        }
    }

    /// The workspace, if `actor` is an admin of its organization.
    fn admin_of_workspace(
        &self,
        workspace: &str,
        actor: &str,
        what: &str,
    ) -> Result<&Workspace, AccessError> {
        let ws = self.workspace(workspace)?;
        self.admin_of(&ws.organization, actor, what)?;
        Ok(ws)
    }
}

fn member_role(org: &Organization, organization: &str, user: &str) -> Result<Role, AccessError> {
    org.members.get(user).copied().ok_or_else(|| {
        AccessError::NotFound(format!(
            "user `{user}` is not a member of organization `{organization}`"
        ))
    })
}

/// ORG-8: an organization always keeps at least one admin.
fn last_admin_guard(
    org: &Organization,
    organization: &str,
    user: &str,
    verb: &str,
) -> Result<(), AccessError> {
    let admins = org.members.values().filter(|r| **r == Role::Admin).count();
    if admins <= 1 {
        return Err(AccessError::LastAdmin(format!(
            "cannot {verb} `{user}`: they are the last admin of organization `{organization}`; make another member admin first"
        )));
    }
    Ok(())
}
