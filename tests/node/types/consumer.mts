// An ES module consumer: what an Nx plugin or a CI step would write.
import nxcloudAccess, {
  AccessControl,
  isNxCloudAccessError,
  resolveCredentials,
  type NxCloudAccessError,
  type NxCloudAccessErrorCode,
  type Resolution,
  type ResolveInput,
  type RunnerDecision,
  type WebDecision,
} from "nxcloud-access";

const input: ResolveInput = {
  nxVersion: "19.6.7",
  nxJson: '{ "nxCloudId": "65d5639f1a3b026e4f1c2a77" }',
  env: { NX_CLOUD_ACCESS_TOKEN: "token-from-ci" },
  dotEnvFiles: { ".env": "NX_CLOUD_ACCESS_TOKEN=from-dotenv\n" },
  nxCloudEnv: null,
  cloudClient: "nx-cloud@19.1.3",
  runner: null,
  packageJson: null,
  nxcloudIni: { path: "/home/ann/.nxcloud.ini", text: "" },
  trackedFiles: ["nx.json"],
};
const minimal: ResolveInput = { nxJson: null };

const r: Resolution = resolveCredentials(input);
resolveCredentials(minimal);
const used: boolean = r.nxCloudUsed;
const tokenSource: string | undefined = r.accessToken?.source;
const redacted: string | undefined = r.accessToken?.redacted;
const id: string | undefined = r.nxCloudId?.value;
const kind: "ci-access-token" | "personal-access-token" | "workspace-id" | "none" = r.credential;
const cloud: boolean = r.runner.cloud;
for (const step of r.trace) {
  const outcome: "used" | "shadowed" | "ignored" | "absent" = step.outcome;
  const rule: string = step.rule;
}
for (const finding of r.findings) {
  const severity: "error" | "warning" | "info" = finding.severity;
  const fix: string = finding.fix;
}

const ac = new AccessControl();
ac.createUser({ id: "ann", email: "ann@example.com" });
ac.createOrganization({ id: "acme", name: "Acme", creator: "ann" });
ac.invite({ organization: "acme", actor: "ann", domain: "example.com", role: "member" });
ac.invite({ organization: "acme", actor: "ann", email: "bob@example.com", role: "admin" });
const role: "admin" | "member" = ac.join({ organization: "acme", user: "bob" });
const { nxCloudId } = ac.createWorkspace({ organization: "acme", actor: "ann" });
ac.setWorkspaceIdAccess({ workspace: nxCloudId, actor: "ann", level: "none" });
ac.setPersonalAccessTokenAccess({ workspace: nxCloudId, actor: "ann", level: "read-only" });
const ci: { id: string; token: string } = ac.createCiAccessToken({
  workspace: nxCloudId,
  actor: "ann",
  name: "ci",
  access: "read-only",
});
const pat = ac.createPersonalAccessToken({ user: "ann", name: "laptop" });
const names: string[] = ac.listPersonalAccessTokens({ user: "ann" }).map((t) => t.name);
const levels: ("read-only" | "read-write")[] = ac
  .listCiAccessTokens({ workspace: nxCloudId, actor: "ann" })
  .map((t) => t.access);
const d: RunnerDecision = ac.authorizeRunner({ nxCloudId, accessToken: ci.token, action: "write-cache" });
const principal: "ci-access-token" | "personal-access-token" | "workspace-id" = d.principal;
const access: "read-write" | "read-only" | "none" = d.access;
ac.authorizeRunner({ nxCloudId, personalAccessToken: pat.token, action: "distribute" });
const w: WebDecision = ac.authorizeWeb({ user: null, organization: "acme", action: "view-runs" });
const webRole: "admin" | "member" | "public" | "none" = w.role;
ac.revokeCiAccessToken({ workspace: nxCloudId, actor: "ann", id: ci.id });
ac.revokePersonalAccessToken({ user: "ann", id: pat.id });
ac.removeMember({ organization: "acme", actor: "ann", user: "bob" });
ac.setRole({ organization: "acme", actor: "ann", user: "ann", role: "admin" });
ac.setVisibility({ organization: "acme", actor: "ann", visibility: "public" });

const restored: AccessControl = AccessControl.fromJSON(JSON.stringify(ac));
AccessControl.fromJSON(ac.toJSON());
restored.free();

// @ts-expect-error: an action outside the contract is a type error
ac.authorizeRunner({ nxCloudId, action: "delete-cache" });
// @ts-expect-error: visibility is public or private
ac.setVisibility({ organization: "acme", actor: "ann", visibility: "secret" });
// @ts-expect-error: a required field is missing
ac.createUser({ id: "zed" });
// @ts-expect-error: env values are strings
resolveCredentials({ nxJson: null, env: { CI: 1 } });

try {
  resolveCredentials({ nxJson: "{" });
} catch (e) {
  const error = e as NxCloudAccessError;
  const code: string = error.code;
  const line: number | undefined = error.line;
  const message: string = error.message;
}

// What Nx hands a plugin (issue 12): `process.env` as it is (typed here as
// @types/node types it: values may be undefined) and the parsed nx.json.
declare global {
  namespace NodeJS {
    interface Dict<T> {
      [key: string]: T | undefined;
    }
    interface ProcessEnv extends Dict<string> {
      TZ?: string;
    }
  }
}
declare const process: { env: NodeJS.ProcessEnv };
const fromPlugin: Resolution = resolveCredentials({
  env: process.env,
  nxJson: { nxCloudId: "65d5639f1a3b026e4f1c2a77", tasksRunnerOptions: {} },
});
resolveCredentials({ env: { CI: undefined }, nxJson: null, trackedFiles: ["./.env"] });
// @ts-expect-error: nx.json is a text, an object or null
resolveCredentials({ nxJson: 42 });

// The default export: the object of all the named exports.
const viaDefault: Resolution = nxcloudAccess.resolveCredentials({ nxJson: null });
const acDefault: AccessControl = new nxcloudAccess.AccessControl();

// The error codes are a union, narrowed by the guard.
function describeFailure(e: unknown): string {
  if (!isNxCloudAccessError(e)) return "not ours";
  const typed: NxCloudAccessError = e;
  const code: NxCloudAccessErrorCode = e.code;
  switch (code) {
    case "invalid-nx-json":
      return `line ${e.line ?? "?"}`;
    case "invalid-input":
    case "invalid-nx-version":
    case "not-found":
    case "forbidden":
    case "conflict":
    case "last-admin":
    case "no-matching-invite":
    case "unsupported-snapshot":
    case "unreadable-file":
    case "no-package-version":
    case "internal":
      return code;
    default: {
      const never: never = code;
      return never;
    }
  }
}
// @ts-expect-error: a code outside the union
const unknownCode: NxCloudAccessErrorCode = "ENOENT";
