/* tslint:disable */
/* eslint-disable */

/**
 * The persisted form of an `AccessControl` (JSON data, versioned). Treat it
 * as opaque: store it, hand it back to `AccessControl.fromJSON`.
 */
export type AccessControlSnapshot = { version: number } & Record<string, unknown>;



/**
 * What every function of this package throws: a plain `Error` with a stable
 * `code` to branch on (`invalid-nx-json`, `invalid-input`,
 * `invalid-nx-version`, `not-found`, `forbidden`, `conflict`, `last-admin`,
 * `no-matching-invite`, `unsupported-snapshot`, …) and, for
 * `invalid-nx-json`, the 1-based `line` and `column` of the problem in
 * `nx.json`.
 */
export interface NxCloudAccessError extends Error {
    code: string;
    line?: number;
    column?: number;
}


/**
 * A freshly minted token: the only time its secret leaves the engine
 * (TOK-6, PAT-1). `Debug` shows it redacted; JSON carries it whole.
 */
export interface CreatedToken {
    id: string;
    token: string;
}

/**
 * A plain value with its provenance (`env:NAME`, `nx.json:<path>`, `default`…).
 */
export interface Sourced {
    value: string;
    source: string;
}

/**
 * A runner-plane access level: the workspace ID level (WSID-1) and the
 * level a decision reports.
 */
export type AccessLevel = "read-write" | "read-only" | "none";

/**
 * A token with its provenance. `value` is the raw token: it is serialised
 * only through [`Secret::expose`] (callers of the API gave us the texts it
 * came from); the CLI replaces it by `redacted` unless `--show-secrets`.
 */
export interface SecretValue {
    value: string;
    redacted: string;
    source: string;
}

/**
 * An organization role (ORG-4).
 */
export type Role = "admin" | "member";

/**
 * Everything Nx reads to pick a credential, as texts and maps (no I/O).
 */
export interface ResolveInput {
    /**
     * The installed `nx` version, e.g. `19.6.7`; default: the newest known.
     */
    nxVersion?: string;
    /**
     * The text of `nx.json`; `None` when the workspace has none.
     */
    nxJson?: string | null;
    /**
     * The real process environment.
     */
    env?: Record<string, string>;
    /**
     * Texts of the root `.local.env`, `.env.local`, `.env`, by file name.
     */
    dotEnvFiles?: Record<string, string>;
    /**
     * The text of `nx-cloud.env`.
     */
    nxCloudEnv?: string | null;
    /**
     * An installed Nx Cloud client package: `nx-cloud@19.1.3`,
     * `@nrwl/nx-cloud@15.3.5`.
     */
    cloudClient?: string | null;
    /**
     * The `--runner` argument.
     */
    runner?: string | null;
    /**
     * The text of the workspace `package.json`.
     */
    packageJson?: string | null;
    /**
     * The personal access token file that was found (PATR-1).
     */
    nxcloudIni?: NxcloudIni | null;
    /**
     * Which of the workspace's files git tracks (TOKF-2); `None`: only
     * `nx.json` counts as committed.
     */
    trackedFiles?: string[];
}

/**
 * How serious a finding is.
 */
export type Severity = "info" | "warning" | "error";

/**
 * One CI access token, as `listCiAccessTokens` shows it.
 */
export interface CiAccessTokenInfo {
    id: string;
    name: string;
    access: TokenAccess;
}

/**
 * One personal access token, as `listPersonalAccessTokens` shows it.
 */
export interface PersonalAccessTokenInfo {
    id: string;
    name: string;
}

/**
 * One source considered by the resolution walk (EXP-1).
 */
export interface TraceStep {
    /**
     * The rule ID that decided this step.
     */
    rule: string;
    /**
     * Where the value was looked for.
     */
    source: string;
    /**
     * What it held, redacted when it is a token; `None` when absent.
     */
    value: string | null;
    outcome: Outcome;
    /**
     * Why, for a person.
     */
    note: string;
}

/**
 * Something unsafe or surprising, with its fix (EXP-2).
 */
export interface Finding {
    /**
     * A stable kebab-case code, e.g. `committed-read-write-token`.
     */
    code: string;
    severity: Severity;
    message: string;
    fix: string;
}

/**
 * The access of a CI access token (TOK-1) or the PAT access level (PAT-3,
 * PAT-4): never `none`.
 */
export type TokenAccess = "read-write" | "read-only";

/**
 * The answer to `authorizeRunner`.
 */
export interface RunnerDecision {
    allowed: boolean;
    /**
     * The level that applied.
     */
    access: AccessLevel;
    /**
     * Whose level applied.
     */
    principal: Principal;
    /**
     * The rule ID that decided.
     */
    rule: string;
    /**
     * Why, for a person.
     */
    reason: string;
    /**
     * True when the credential itself was refused (unknown, malformed,
     * revoked, another workspace's, or none where one is required): the
     * server answers 401, not 403 (TOK-7). An addition to CONTRACT.md.
     */
    unauthenticated: boolean;
}

/**
 * The answer to `authorizeWeb`.
 */
export interface WebDecision {
    allowed: boolean;
    role: WebRole;
    /**
     * The rule ID that decided.
     */
    rule: string;
    /**
     * Why, for a person.
     */
    reason: string;
}

/**
 * The kind of credential Nx presents (PATR-4).
 */
export type CredentialKind = "ci-access-token" | "personal-access-token" | "workspace-id" | "none";

/**
 * The personal access token file (PATR-1): where it is and its text.
 */
export interface NxcloudIni {
    path: string;
    text: string;
}

/**
 * The result of `createWorkspace`.
 */
export interface CreatedWorkspace {
    /**
     * 24 lower-case hexadecimal characters.
     */
    nxCloudId: string;
}

/**
 * The role a web decision applied.
 */
export type WebRole = "admin" | "member" | "public" | "none";

/**
 * The runner that runs.
 */
export interface Runner {
    /**
     * The `tasksRunnerOptions` entry (or `default`).
     */
    name: string;
    /**
     * Whether it is the Nx Cloud runner.
     */
    cloud: boolean;
    /**
     * The module Nx loads for it (`nx/tasks-runners/default`, `nx-cloud`,
     * `@nrwl/nx-cloud`, or a custom module).
     */
    module: string;
}

/**
 * What a person asks to do in the web app.
 */
export type WebAction = "view-runs" | "view-stats" | "change-settings" | "manage-members" | "manage-tokens";

/**
 * What a runner asks to do.
 */
export type RunnerAction = "read-cache" | "write-cache" | "record-run" | "distribute";

/**
 * What became of a source.
 */
export type Outcome = "used" | "shadowed" | "ignored" | "absent";

/**
 * Whether an organization is private (default) or public (PUB-1).
 */
export type Visibility = "private" | "public";

/**
 * Which credential Nx uses, where it came from, and why.
 */
export interface Resolution {
    /**
     * The version the rules were applied for.
     */
    nxVersion: string;
    /**
     * Whether this Nx version considers the workspace connected (USED-1/2).
     */
    nxCloudUsed: boolean;
    /**
     * The runner that runs (RUN-*).
     */
    runner: Runner;
    /**
     * The token Nx sends (TOKEN-*), or `None`.
     */
    accessToken: SecretValue | null;
    /**
     * The nxCloudId forwarded to the cloud runner (ID-*, TOP-*).
     */
    nxCloudId: Sourced | null;
    /**
     * The personal access token that applies (PATR-*).
     */
    personalAccessToken: SecretValue | null;
    /**
     * The kind of credential (PATR-4).
     */
    credential: CredentialKind;
    /**
     * The API base URL (URL-1); `None` when the cloud runner does not run.
     */
    apiUrl: Sourced | null;
    /**
     * The app URL (URL-2); `None` without any cloud configuration.
     */
    appUrl: Sourced | null;
    /**
     * Whether part of the decision is an interpretation (TOKEN-5).
     */
    inferred: boolean;
    /**
     * Every source considered, in order (EXP-1).
     */
    trace: TraceStep[];
    /**
     * What is unsafe or surprising, with fixes (EXP-2).
     */
    findings: Finding[];
}

/**
 * Whose level decided a runner request.
 */
export type Principal = "ci-access-token" | "personal-access-token" | "workspace-id";

/**
 * `authorizeRunner`: what a runner presents and what it asks.
 */
export interface RunnerRequest {
    /**
     * The workspace addressed. May be absent when a CI access token is
     * presented (the token names its workspace).
     */
    nxCloudId?: string;
    accessToken?: string | null;
    personalAccessToken?: string | null;
    action: RunnerAction;
}

/**
 * `authorizeWeb`: who (`None` for an anonymous visitor), where, what.
 */
export interface WebRequest {
    user?: string | null;
    organization: string;
    action: WebAction;
}

/**
 * `createCiAccessToken`: returns [`CreatedToken`].
 */
export interface CreateCiAccessToken {
    workspace: string;
    actor: string;
    name: string;
    access: TokenAccess;
}

/**
 * `createOrganization`: the creator becomes its only member, admin (ORG-1).
 */
export interface CreateOrganization {
    id: string;
    name: string;
    creator: string;
}

/**
 * `createPersonalAccessToken`: returns [`CreatedToken`].
 */
export interface CreatePersonalAccessToken {
    user: string;
    name: string;
}

/**
 * `createUser`.
 */
export interface CreateUser {
    id: string;
    email: string;
}

/**
 * `createWorkspace`: returns [`CreatedWorkspace`].
 */
export interface CreateWorkspace {
    organization: string;
    actor: string;
}

/**
 * `invite`: by `email` or by `domain` (exactly one of them).
 */
export interface Invite {
    organization: string;
    actor: string;
    email?: string;
    domain?: string;
    role: Role;
}

/**
 * `join`: returns the [`Role`] granted.
 */
export interface Join {
    organization: string;
    user: string;
}

/**
 * `listCiAccessTokens`.
 */
export interface ListCiAccessTokens {
    workspace: string;
    actor: string;
}

/**
 * `listPersonalAccessTokens`.
 */
export interface ListPersonalAccessTokens {
    user: string;
}

/**
 * `removeMember`.
 */
export interface RemoveMember {
    organization: string;
    actor: string;
    user: string;
}

/**
 * `revokeCiAccessToken`.
 */
export interface RevokeCiAccessToken {
    workspace: string;
    actor: string;
    id: string;
}

/**
 * `revokePersonalAccessToken`.
 */
export interface RevokePersonalAccessToken {
    user: string;
    id: string;
}

/**
 * `setPersonalAccessTokenAccess`.
 */
export interface SetPersonalAccessTokenAccess {
    workspace: string;
    actor: string;
    level: TokenAccess;
}

/**
 * `setRole`.
 */
export interface SetRole {
    organization: string;
    actor: string;
    user: string;
    role: Role;
}

/**
 * `setVisibility`.
 */
export interface SetVisibility {
    organization: string;
    actor: string;
    visibility: Visibility;
}

/**
 * `setWorkspaceIdAccess`.
 */
export interface SetWorkspaceIdAccess {
    workspace: string;
    actor: string;
    level: AccessLevel;
}


/**
 * Users, organizations, workspaces and tokens, held in memory: every
 * command and decision of Nx Cloud's permissions. Persist it with
 * `JSON.stringify(ac)` (or `ac.toJSON()`) and restore it with
 * `AccessControl.fromJSON(snapshot)`; a snapshot holds token hashes, never
 * a token's secret.
 */
export class AccessControl {
    free(): void;
    /**
     * Decides a runner's request (runner plane). Never throws for a denial:
     * the decision says `allowed`, the level and principal that applied,
     * the rule ID that decided and why.
     */
    authorizeRunner(arg: RunnerRequest): RunnerDecision;
    /**
     * Decides a person's request in the web app (`user: null` for an
     * anonymous visitor). Never throws for a denial.
     */
    authorizeWeb(arg: WebRequest): WebDecision;
    /**
     * Creates a CI access token (admins only); returns its id and its
     * secret, shown this once.
     */
    createCiAccessToken(arg: CreateCiAccessToken): CreatedToken;
    /**
     * Creates an organization whose only member, an admin, is `creator`.
     */
    createOrganization(arg: CreateOrganization): void;
    /**
     * Creates a personal access token of a user; returns its id and its
     * secret, shown this once.
     */
    createPersonalAccessToken(arg: CreatePersonalAccessToken): CreatedToken;
    /**
     * Creates a user. Throws `conflict` for a taken id or email.
     */
    createUser(arg: CreateUser): void;
    /**
     * Creates a workspace of an organization (admins only); returns its
     * 24-character `nxCloudId`.
     */
    createWorkspace(arg: CreateWorkspace): CreatedWorkspace;
    /**
     * Restores a state from a snapshot: the object `toJSON()` returned or
     * its JSON text. Throws `invalid-input` for a malformed or tampered
     * snapshot, `unsupported-snapshot` for one of a newer format.
     */
    static fromJSON(snapshot: AccessControlSnapshot | string): AccessControl;
    /**
     * Invites an `email` or a whole email `domain` to an organization with
     * a role (admins only).
     */
    invite(arg: Invite): void;
    /**
     * Joins an organization by a matching invitation; returns the role
     * granted. Throws `no-matching-invite` without one.
     */
    join(arg: Join): Role;
    /**
     * A workspace's CI access tokens, by id, name and access (admins only;
     * never a secret).
     */
    listCiAccessTokens(arg: ListCiAccessTokens): CiAccessTokenInfo[];
    /**
     * A user's personal access tokens, by id and name (never a secret).
     */
    listPersonalAccessTokens(arg: ListPersonalAccessTokens): PersonalAccessTokenInfo[];
    /**
     * An empty state: no users, organizations or tokens.
     */
    constructor();
    /**
     * Removes a member (admins only). Throws `last-admin` for the last admin.
     */
    removeMember(arg: RemoveMember): void;
    /**
     * Revokes a CI access token (admins only), from the very next decision.
     */
    revokeCiAccessToken(arg: RevokeCiAccessToken): void;
    /**
     * Revokes one of the user's own personal access tokens.
     */
    revokePersonalAccessToken(arg: RevokePersonalAccessToken): void;
    /**
     * Sets what members' personal access tokens allow in a workspace
     * (admins only).
     */
    setPersonalAccessTokenAccess(arg: SetPersonalAccessTokenAccess): void;
    /**
     * Changes a member's role (admins only). Throws `last-admin` when it
     * would demote the last admin.
     */
    setRole(arg: SetRole): void;
    /**
     * Makes an organization `public` or `private` (admins only).
     */
    setVisibility(arg: SetVisibility): void;
    /**
     * Sets what the bare workspace ID (nxCloudId) allows (admins only).
     */
    setWorkspaceIdAccess(arg: SetWorkspaceIdAccess): void;
    /**
     * The snapshot of the whole state (JSON data; what `JSON.stringify`
     * writes). It holds token hashes, never a token's secret.
     */
    toJSON(): AccessControlSnapshot;
}

/**
 * Which credential Nx uses for a workspace, where it came from, what was
 * shadowed and why, and what is unsafe. The input holds the texts of the
 * workspace's files and the environment; nothing is read from disk or
 * `process.env`.
 *
 * Throws an `NxCloudAccessError` (`invalid-nx-json` with `line` and
 * `column`, `invalid-input`, `invalid-nx-version`) for unreadable input.
 */
export function resolveCredentials(input: ResolveInput): Resolution;
