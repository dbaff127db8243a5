//! Versioned snapshots: `{"version":1,...}`, deterministic (every list
//! sorted), holding token hashes only (TOK-6). Loading checks every
//! invariant, so a malformed or tampered snapshot is refused rather than
//! half-loaded.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::error::AccessError;
use super::model::{AccessLevel, Role, TokenAccess, Visibility};
use super::order;
use super::shape::{read_object, Shape};
use super::token::{contains_token, is_nx_cloud_id, TokenHash};
use super::validate;
use super::{
    without_position, AccessControl, NamedTokens, Organization, StoredToken, TokenKind, User,
    Workspace,
};
use crate::limits::MAX_SNAPSHOT_BYTES;

/// The snapshot format this engine writes (and the newest it reads).
pub const SNAPSHOT_VERSION: u64 = 1;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SnapshotV1 {
    version: u64,
    next_token_seq: u64,
    users: Vec<UserV1>,
    organizations: Vec<OrganizationV1>,
    workspaces: Vec<WorkspaceV1>,
    revoked_token_hashes: Vec<RevokedV1>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UserV1 {
    id: String,
    email: String,
    personal_access_tokens: Vec<PatV1>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PatV1 {
    id: String,
    name: String,
    seq: u64,
    sha256: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OrganizationV1 {
    id: String,
    name: String,
    visibility: Visibility,
    members: Vec<MemberV1>,
    email_invites: Vec<EmailInviteV1>,
    domain_invites: Vec<DomainInviteV1>,
    removed_members: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MemberV1 {
    user: String,
    role: Role,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EmailInviteV1 {
    email: String,
    role: Role,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DomainInviteV1 {
    domain: String,
    role: Role,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WorkspaceV1 {
    nx_cloud_id: String,
    organization: String,
    workspace_id_access: AccessLevel,
    personal_access_token_access: TokenAccess,
    ci_access_tokens: Vec<CiTokenV1>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CiTokenV1 {
    id: String,
    name: String,
    access: TokenAccess,
    seq: u64,
    sha256: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RevokedV1 {
    sha256: String,
    kind: RevokedKind,
}

#[derive(Serialize, Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum RevokedKind {
    CiAccessToken,
    PersonalAccessToken,
}

impl AccessControl {
    /// The versioned snapshot: deterministic JSON, token hashes only.
    pub fn to_json(&self) -> Result<String, AccessError> {
        serde_json::to_string(&self.snapshot())
            .map_err(|e| AccessError::Internal(format!("the snapshot did not serialise: {e}")))
    }

    /// Restores a snapshot written by [`Self::to_json`]. A snapshot of a newer
    /// format version is `unsupported-snapshot`; a malformed or inconsistent
    /// one is `invalid-input`.
    ///
    /// Limits: at most [`MAX_SNAPSHOT_BYTES`] (checked before parsing) and
    /// 128 levels of nesting (`serde_json`'s recursion limit). A snapshot
    /// holding anything shaped like a whole token is refused: snapshots hold
    /// hashes only (TOK-6), so it was tampered with or hand-written.
    pub fn from_json(text: &str) -> Result<Self, AccessError> {
        if text.len() > MAX_SNAPSHOT_BYTES {
            return Err(invalid(format!(
                "it is {} bytes, more than the limit of {MAX_SNAPSHOT_BYTES} bytes (256 MiB); split the organizations across engines, or raise the limit in a build of your own",
                text.len()
            )));
        }
        if contains_token(text) {
            return Err(invalid(
                "it holds a plaintext token (`nxca_…` or `nxpat_…`), where snapshots hold only SHA-256 hashes: it was tampered with or written by hand; restore a snapshot written by `toJson`, and revoke that token".into(),
            ));
        }
        // The text is checked as a `serde_json::Value` would read it (same
        // errors) and its `version` found, without building the tree; the
        // typed read of the same text follows.
        let shape = Shape::of(text).map_err(|e| {
            invalid(format!(
                "it is not JSON ({e} at line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        let version = match shape {
            Shape::Object {
                version: Some(version),
            } => version.ok_or_else(|| invalid("`version` must be a positive integer".into()))?,
            _ => {
                return Err(invalid(
                    "it has no `version`: is it an nxcloud-access snapshot?".into(),
                ))
            }
        };
        if version > SNAPSHOT_VERSION {
            return Err(AccessError::UnsupportedSnapshot(format!(
                "snapshot `version` {version} is newer than this engine reads ({SNAPSHOT_VERSION}): upgrade nxcloud-access"
            )));
        }
        if version != SNAPSHOT_VERSION {
            return Err(invalid(format!(
                "`version` {version} is not a snapshot version (expected {SNAPSHOT_VERSION})"
            )));
        }
        let snapshot: SnapshotV1 = read_object(text).map_err(|e| invalid(without_position(&e)))?;
        load(snapshot)
    }

    fn snapshot(&self) -> SnapshotV1 {
        let mut users: Vec<UserV1> = self
            .users
            .iter()
            .map(|(id, user)| {
                let mut pats: Vec<PatV1> = user
                    .pats
                    .iter()
                    .map(|(id, t)| PatV1 {
                        id: id.clone(),
                        name: t.name.clone(),
                        seq: t.seq,
                        sha256: t.hash.to_hex(),
                    })
                    .collect();
                order::sort_by_key(&mut pats, |t| t.seq);
                UserV1 {
                    id: id.clone(),
                    email: user.email.clone(),
                    personal_access_tokens: pats,
                }
            })
            .collect();
        order::sort_by(&mut users, |a, b| a.id.cmp(&b.id));
        let mut organizations: Vec<OrganizationV1> = self
            .organizations
            .iter()
            .map(|(id, org)| {
                let mut members: Vec<MemberV1> = org
                    .members
                    .iter()
                    .map(|(user, role)| MemberV1 {
                        user: user.clone(),
                        role: *role,
                    })
                    .collect();
                order::sort_by(&mut members, |a, b| a.user.cmp(&b.user));
                let mut email_invites: Vec<EmailInviteV1> = org
                    .email_invites
                    .iter()
                    .map(|(email, role)| EmailInviteV1 {
                        email: email.clone(),
                        role: *role,
                    })
                    .collect();
                order::sort_by(&mut email_invites, |a, b| a.email.cmp(&b.email));
                let mut domain_invites: Vec<DomainInviteV1> = org
                    .domain_invites
                    .iter()
                    .map(|(domain, role)| DomainInviteV1 {
                        domain: domain.clone(),
                        role: *role,
                    })
                    .collect();
                order::sort_by(&mut domain_invites, |a, b| a.domain.cmp(&b.domain));
                let mut removed_members: Vec<String> = org.removed.iter().cloned().collect();
                order::sort_by(&mut removed_members, |a, b| a.cmp(b));
                OrganizationV1 {
                    id: id.clone(),
                    name: org.name.clone(),
                    visibility: org.visibility,
                    members,
                    email_invites,
                    domain_invites,
                    removed_members,
                }
            })
            .collect();
        order::sort_by(&mut organizations, |a, b| a.id.cmp(&b.id));
        let mut workspaces: Vec<WorkspaceV1> = self
            .workspaces
            .iter()
            .map(|(id, ws)| {
                let mut tokens: Vec<CiTokenV1> = ws
                    .ci_tokens
                    .iter()
                    .map(|(id, t)| CiTokenV1 {
                        id: id.clone(),
                        name: t.name.clone(),
                        access: t.access,
                        seq: t.seq,
                        sha256: t.hash.to_hex(),
                    })
                    .collect();
                order::sort_by_key(&mut tokens, |t| t.seq);
                WorkspaceV1 {
                    nx_cloud_id: id.clone(),
                    organization: ws.organization.clone(),
                    workspace_id_access: ws.id_access,
                    personal_access_token_access: ws.pat_access,
                    ci_access_tokens: tokens,
                }
            })
            .collect();
        order::sort_by(&mut workspaces, |a, b| a.nx_cloud_id.cmp(&b.nx_cloud_id));
        let mut revoked: Vec<RevokedV1> = self
            .revoked
            .iter()
            .map(|(hash, kind)| RevokedV1 {
                sha256: hash.to_hex(),
                kind: match kind {
                    TokenKind::Ci => RevokedKind::CiAccessToken,
                    TokenKind::Personal => RevokedKind::PersonalAccessToken,
                },
            })
            .collect();
        order::sort_by(&mut revoked, |a, b| a.sha256.cmp(&b.sha256));
        SnapshotV1 {
            version: SNAPSHOT_VERSION,
            next_token_seq: self.next_seq,
            users,
            organizations,
            workspaces,
            revoked_token_hashes: revoked,
        }
    }
}

fn invalid(why: String) -> AccessError {
    AccessError::InvalidInput(format!("invalid snapshot: {why}"))
}

fn load(snapshot: SnapshotV1) -> Result<AccessControl, AccessError> {
    let mut ac = AccessControl {
        next_seq: snapshot.next_token_seq,
        ..AccessControl::default()
    };
    let mut seqs: HashSet<u64> = HashSet::new();
    let mut check_token = |kind: &str, id: &str, seq: u64, name: &str, sha256: &str| {
        if id != format!("{kind}-{seq}") || seq >= snapshot.next_token_seq || !seqs.insert(seq) {
            return Err(invalid(format!(
                "token `{id}` has an inconsistent id or sequence number"
            )));
        }
        validate::name("name", name).map_err(|e| invalid(e.to_string()))?;
        TokenHash::from_hex(sha256)
            .ok_or_else(|| invalid(format!("token `{id}` has a malformed `sha256`")))
    };
    for user in snapshot.users {
        validate::id("id", &user.id).map_err(|e| invalid(e.to_string()))?;
        let email = validate::email("email", &user.email).map_err(|e| invalid(e.to_string()))?;
        if ac.users.contains_key(&user.id) || ac.emails.contains_key(&email) {
            return Err(invalid(format!(
                "user `{}` or their email appears twice",
                user.id
            )));
        }
        let mut pats = NamedTokens::default();
        for pat in user.personal_access_tokens {
            let hash = check_token("pat", &pat.id, pat.seq, &pat.name, &pat.sha256)?;
            if ac
                .pats
                .insert(hash, (user.id.clone(), pat.id.clone()))
                .is_some()
            {
                return Err(invalid(format!("token `{}` appears twice", pat.id)));
            }
            let stored = StoredToken {
                name: pat.name,
                hash,
                seq: pat.seq,
                access: TokenAccess::ReadWrite,
            };
            if !pats.insert(pat.id, stored) {
                return Err(invalid(format!(
                    "user `{}` has two personal access tokens with one name",
                    user.id
                )));
            }
        }
        ac.emails.insert(email, user.id.clone());
        ac.users.insert(
            user.id,
            User {
                email: user.email,
                pats,
            },
        );
    }
    for org in snapshot.organizations {
        validate::id("id", &org.id).map_err(|e| invalid(e.to_string()))?;
        validate::name("name", &org.name).map_err(|e| invalid(e.to_string()))?;
        if ac.organizations.contains_key(&org.id) {
            return Err(invalid(format!("organization `{}` appears twice", org.id)));
        }
        let mut members = HashMap::new();
        for member in org.members {
            if !ac.users.contains_key(&member.user)
                || members.insert(member.user.clone(), member.role).is_some()
            {
                return Err(invalid(format!(
                    "member `{}` of organization `{}` is unknown or appears twice",
                    member.user, org.id
                )));
            }
        }
        // ORG-8 holds in every loaded state too.
        if !members.values().any(|r| *r == Role::Admin) {
            return Err(invalid(format!("organization `{}` has no admin", org.id)));
        }
        let mut email_invites = HashMap::new();
        for invite in org.email_invites {
            let email =
                validate::email("email", &invite.email).map_err(|e| invalid(e.to_string()))?;
            if email != invite.email || email_invites.insert(email, invite.role).is_some() {
                return Err(invalid(format!(
                    "email invitation `{}` is not canonical or appears twice",
                    invite.email
                )));
            }
        }
        let mut domain_invites = HashMap::new();
        for invite in org.domain_invites {
            let domain =
                validate::domain("domain", &invite.domain).map_err(|e| invalid(e.to_string()))?;
            if domain != invite.domain || domain_invites.insert(domain, invite.role).is_some() {
                return Err(invalid(format!(
                    "domain invitation `{}` is not canonical or appears twice",
                    invite.domain
                )));
            }
        }
        let mut removed = HashSet::new();
        for user in org.removed_members {
            if !ac.users.contains_key(&user)
                || members.contains_key(&user)
                || !removed.insert(user.clone())
            {
                return Err(invalid(format!(
                    "removed member `{user}` of organization `{}` is inconsistent",
                    org.id
                )));
            }
        }
        ac.organizations.insert(
            org.id,
            Organization {
                name: org.name,
                visibility: org.visibility,
                members,
                email_invites,
                domain_invites,
                removed,
            },
        );
    }
    for ws in snapshot.workspaces {
        if !is_nx_cloud_id(&ws.nx_cloud_id) || ac.workspaces.contains_key(&ws.nx_cloud_id) {
            return Err(invalid(format!(
                "workspace `{}` has a malformed or repeated nxCloudId",
                ws.nx_cloud_id
            )));
        }
        if !ac.organizations.contains_key(&ws.organization) {
            return Err(invalid(format!(
                "workspace `{}` belongs to unknown organization `{}`",
                ws.nx_cloud_id, ws.organization
            )));
        }
        let mut tokens = NamedTokens::default();
        for token in ws.ci_access_tokens {
            let hash = check_token("ci", &token.id, token.seq, &token.name, &token.sha256)?;
            if ac.pats.contains_key(&hash)
                || ac
                    .ci_tokens
                    .insert(hash, (ws.nx_cloud_id.clone(), token.id.clone()))
                    .is_some()
            {
                return Err(invalid(format!("token `{}` appears twice", token.id)));
            }
            let stored = StoredToken {
                name: token.name,
                hash,
                seq: token.seq,
                access: token.access,
            };
            if !tokens.insert(token.id, stored) {
                return Err(invalid(format!(
                    "workspace `{}` has two CI access tokens with one name",
                    ws.nx_cloud_id
                )));
            }
        }
        ac.workspaces.insert(
            ws.nx_cloud_id,
            Workspace {
                organization: ws.organization,
                id_access: ws.workspace_id_access,
                pat_access: ws.personal_access_token_access,
                ci_tokens: tokens,
            },
        );
    }
    for revoked in snapshot.revoked_token_hashes {
        let hash = TokenHash::from_hex(&revoked.sha256)
            .ok_or_else(|| invalid("a revoked token has a malformed `sha256`".into()))?;
        let kind = match revoked.kind {
            RevokedKind::CiAccessToken => TokenKind::Ci,
            RevokedKind::PersonalAccessToken => TokenKind::Personal,
        };
        if ac.ci_tokens.contains_key(&hash)
            || ac.pats.contains_key(&hash)
            || ac.revoked.insert(hash, kind).is_some()
        {
            return Err(invalid(
                "a revoked token is also live, or appears twice".into(),
            ));
        }
    }
    Ok(ac)
}
