"use strict";
// AccessControl through the built npm package: every command and decision,
// the refusals and their codes, revocation from the very next call,
// snapshots, and that no token secret ever shows.
const assert = require("node:assert/strict");
const { describe, it, beforeEach } = require("node:test");
const util = require("node:util");

const { AccessControl } = require("./load.js");

/** Every command and decision of CONTRACT.md, in its order. */
const CONTRACT_METHODS = [
  "createUser",
  "createOrganization",
  "invite",
  "join",
  "removeMember",
  "setRole",
  "setVisibility",
  "createWorkspace",
  "setWorkspaceIdAccess",
  "setPersonalAccessTokenAccess",
  "createCiAccessToken",
  "revokeCiAccessToken",
  "createPersonalAccessToken",
  "revokePersonalAccessToken",
  "listPersonalAccessTokens",
  "listCiAccessTokens",
  "authorizeRunner",
  "authorizeWeb",
];

/** The error `fn` throws; fails when it throws nothing. */
function refusal(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail("no error thrown");
}

/** Asserts a refusal with `code` that leaves the snapshot unchanged. */
function refused(ac, code, fn) {
  const before = JSON.stringify(ac);
  const e = refusal(fn);
  assert.ok(e instanceof Error, String(e));
  assert.equal(e.code, code, e.message);
  assert.ok(e.message.length > 0);
  assert.equal(JSON.stringify(ac), before, "a refused command changed the state");
  return e;
}

/** ann (admin) and bob (member) in organization acme with one workspace. */
function world() {
  const ac = new AccessControl();
  ac.createUser({ id: "ann", email: "ann@acme.dev" });
  ac.createUser({ id: "bob", email: "bob@acme.dev" });
  ac.createUser({ id: "eve", email: "eve@elsewhere.dev" });
  ac.createOrganization({ id: "acme", name: "Acme", creator: "ann" });
  ac.invite({ organization: "acme", actor: "ann", email: "bob@acme.dev", role: "member" });
  assert.equal(ac.join({ organization: "acme", user: "bob" }), "member");
  const { nxCloudId } = ac.createWorkspace({ organization: "acme", actor: "ann" });
  return { ac, ws: nxCloudId };
}

describe("AccessControl surface", () => {
  it("has every command and decision of the contract as a method, and the snapshot pair", () => {
    const own = Object.getOwnPropertyNames(AccessControl.prototype);
    for (const method of CONTRACT_METHODS) {
      assert.equal(typeof AccessControl.prototype[method], "function", method);
    }
    assert.equal(typeof AccessControl.prototype.toJSON, "function");
    assert.equal(typeof AccessControl.fromJSON, "function");
    const extra = own.filter(
      (n) => !CONTRACT_METHODS.includes(n) && !["constructor", "free", "toJSON", "__destroy_into_raw"].includes(n),
    );
    assert.deepEqual(extra, [], "methods outside the contract");
  });
});

describe("AccessControl commands", () => {
  let ac;
  let ws;
  beforeEach(() => ({ ac, ws } = world()));

  it("createWorkspace returns a 24-character nxCloudId", () => {
    assert.match(ws, /^[0-9a-z]{24}$/);
  });

  it("invite by domain admits everyone of the domain, with the role given", () => {
    ac.createUser({ id: "cid", email: "cid@Corp.example" });
    ac.createOrganization({ id: "corp", name: "Corp", creator: "ann" });
    ac.invite({ organization: "corp", actor: "ann", domain: "corp.example", role: "admin" });
    assert.equal(ac.join({ organization: "corp", user: "cid" }), "admin");
    const e = refused(ac, "no-matching-invite", () => ac.join({ organization: "corp", user: "eve" }));
    assert.match(e.message, /eve|invit/);
  });

  it("setRole and removeMember change membership; the web plane follows at once", () => {
    const view = (user) => ac.authorizeWeb({ user, organization: "acme", action: "manage-members" });
    assert.equal(view("bob").allowed, false);
    ac.setRole({ organization: "acme", actor: "ann", user: "bob", role: "admin" });
    assert.equal(view("bob").allowed, true);
    assert.equal(view("bob").role, "admin");
    ac.removeMember({ organization: "acme", actor: "ann", user: "bob" });
    const after = ac.authorizeWeb({ user: "bob", organization: "acme", action: "view-runs" });
    assert.equal(after.allowed, false);
    assert.equal(after.role, "none");
  });

  it("setVisibility public lets anonymous visitors view, never change (PUB-2, PUB-3)", () => {
    const anonymous = (action) => ac.authorizeWeb({ user: null, organization: "acme", action });
    assert.equal(anonymous("view-runs").allowed, false);
    ac.setVisibility({ organization: "acme", actor: "ann", visibility: "public" });
    const view = anonymous("view-runs");
    assert.equal(view.allowed, true);
    assert.equal(view.role, "public");
    assert.equal(typeof view.rule, "string");
    assert.equal(typeof view.reason, "string");
    assert.equal(anonymous("change-settings").allowed, false);
  });

  it("CI access tokens: read-only reads, never writes; read-write writes (TOK-3, TOK-4)", () => {
    const ro = ac.createCiAccessToken({ workspace: ws, actor: "ann", name: "ci-read", access: "read-only" });
    const rw = ac.createCiAccessToken({ workspace: ws, actor: "ann", name: "ci-write", access: "read-write" });
    for (const created of [ro, rw]) {
      assert.deepEqual(Object.keys(created).sort(), ["id", "token"]);
      assert.equal(typeof created.token, "string");
    }
    const decide = (accessToken, action) => ac.authorizeRunner({ nxCloudId: ws, accessToken, action });
    const denied = decide(ro.token, "write-cache");
    assert.equal(denied.allowed, false);
    assert.equal(denied.access, "read-only");
    assert.equal(denied.principal, "ci-access-token");
    assert.equal(denied.rule, "TOK-3");
    assert.equal(decide(ro.token, "read-cache").allowed, true);
    assert.equal(decide(ro.token, "record-run").allowed, true);
    assert.equal(decide(rw.token, "write-cache").allowed, true);
    assert.deepEqual(
      ac.listCiAccessTokens({ workspace: ws, actor: "ann" }).map((t) => [t.name, t.access]).sort(),
      [
        ["ci-read", "read-only"],
        ["ci-write", "read-write"],
      ],
    );
  });

  it("workspace ID level and PAT level decide for nxCloudId and PATs (WSID, PAT)", () => {
    const pat = ac.createPersonalAccessToken({ user: "bob", name: "laptop" });
    const byPat = (action) => ac.authorizeRunner({ nxCloudId: ws, personalAccessToken: pat.token, action });
    const byId = (action) => ac.authorizeRunner({ nxCloudId: ws, action });
    assert.equal(byId("write-cache").allowed, true);
    assert.equal(byId("write-cache").principal, "workspace-id");
    ac.setWorkspaceIdAccess({ workspace: ws, actor: "ann", level: "none" });
    assert.equal(byId("read-cache").allowed, false);
    assert.equal(byPat("write-cache").allowed, true);
    assert.equal(byPat("write-cache").principal, "personal-access-token");
    ac.setPersonalAccessTokenAccess({ workspace: ws, actor: "ann", level: "read-only" });
    assert.equal(byPat("write-cache").allowed, false);
    assert.equal(byPat("read-cache").allowed, true);
    assert.deepEqual(ac.listPersonalAccessTokens({ user: "bob" }), [{ id: pat.id, name: "laptop" }]);
  });

  it("revocation holds from the very next call (REV-1, REV-2, REV-3)", () => {
    const ci = ac.createCiAccessToken({ workspace: ws, actor: "ann", name: "ci", access: "read-write" });
    assert.equal(ac.authorizeRunner({ nxCloudId: ws, accessToken: ci.token, action: "write-cache" }).allowed, true);
    ac.revokeCiAccessToken({ workspace: ws, actor: "ann", id: ci.id });
    const afterCi = ac.authorizeRunner({ nxCloudId: ws, accessToken: ci.token, action: "read-cache" });
    assert.equal(afterCi.allowed, false);
    assert.equal(afterCi.rule, "REV-2");

    const pat = ac.createPersonalAccessToken({ user: "bob", name: "laptop" });
    ac.setWorkspaceIdAccess({ workspace: ws, actor: "ann", level: "none" });
    assert.equal(ac.authorizeRunner({ nxCloudId: ws, personalAccessToken: pat.token, action: "read-cache" }).allowed, true);
    ac.removeMember({ organization: "acme", actor: "ann", user: "bob" });
    assert.equal(ac.authorizeRunner({ nxCloudId: ws, personalAccessToken: pat.token, action: "read-cache" }).allowed, false);

    const own = ac.createPersonalAccessToken({ user: "ann", name: "desk" });
    assert.equal(ac.authorizeRunner({ nxCloudId: ws, personalAccessToken: own.token, action: "read-cache" }).allowed, true);
    ac.revokePersonalAccessToken({ user: "ann", id: own.id });
    const afterPat = ac.authorizeRunner({ nxCloudId: ws, personalAccessToken: own.token, action: "read-cache" });
    assert.equal(afterPat.allowed, false);
    assert.equal(afterPat.rule, "REV-3");
    assert.deepEqual(ac.listPersonalAccessTokens({ user: "ann" }), []);
  });

  it("a decision never throws for a denial, and an unknown token is refused (TOK-7)", () => {
    const d = ac.authorizeRunner({ nxCloudId: ws, accessToken: "nxca_not-a-real-token-at-all", action: "read-cache" });
    assert.equal(d.allowed, false);
    assert.equal(d.rule, "TOK-7");
    const w = ac.authorizeWeb({ user: "eve", organization: "acme", action: "view-runs" });
    assert.equal(w.allowed, false);
  });
});

describe("AccessControl refusals: codes, and nothing changes", () => {
  let ac;
  let ws;
  beforeEach(() => ({ ac, ws } = world()));

  it("not-found", () => {
    refused(ac, "not-found", () => ac.createWorkspace({ organization: "nope", actor: "ann" }));
    refused(ac, "not-found", () => ac.createOrganization({ id: "o2", name: "O2", creator: "ghost" }));
    refused(ac, "not-found", () => ac.revokeCiAccessToken({ workspace: ws, actor: "ann", id: "missing" }));
  });

  it("forbidden: a member administers nothing (ORG-9)", () => {
    refused(ac, "forbidden", () =>
      ac.invite({ organization: "acme", actor: "bob", email: "x@acme.dev", role: "admin" }),
    );
    refused(ac, "forbidden", () =>
      ac.createCiAccessToken({ workspace: ws, actor: "bob", name: "mine", access: "read-write" }),
    );
    refused(ac, "forbidden", () => ac.setWorkspaceIdAccess({ workspace: ws, actor: "bob", level: "none" }));
    refused(ac, "forbidden", () => ac.listCiAccessTokens({ workspace: ws, actor: "bob" }));
  });

  it("conflict", () => {
    refused(ac, "conflict", () => ac.createUser({ id: "ann", email: "other@acme.dev" }));
    refused(ac, "conflict", () => ac.createOrganization({ id: "acme", name: "Again", creator: "ann" }));
  });

  it("last-admin (ORG-8)", () => {
    refused(ac, "last-admin", () => ac.removeMember({ organization: "acme", actor: "ann", user: "ann" }));
    refused(ac, "last-admin", () => ac.setRole({ organization: "acme", actor: "ann", user: "ann", role: "member" }));
  });

  it("no-matching-invite", () => {
    refused(ac, "no-matching-invite", () => ac.join({ organization: "acme", user: "eve" }));
  });

  it("invalid-input: malformed arguments of every kind", () => {
    const cyclic = { id: "x" };
    cyclic.self = cyclic;
    const cases = [
      () => ac.createUser(),
      () => ac.createUser(null),
      () => ac.createUser("ann"),
      () => ac.createUser({ id: "zed" }),
      () => ac.createUser({ id: "zed", email: "zed@acme.dev", admin: true }),
      () => ac.createUser({ id: 7, email: "zed@acme.dev" }),
      () => ac.createUser(cyclic),
      () => ac.createUser({ id: "zed", email: 1n }),
      () => ac.invite({ organization: "acme", actor: "ann", email: "a@acme.dev", role: "owner" }),
      () => ac.setVisibility({ organization: "acme", actor: "ann", visibility: "secret" }),
      () => ac.authorizeRunner({ nxCloudId: ws, action: "delete-everything" }),
      () => ac.authorizeWeb({ user: "ann", organization: "acme" }),
    ];
    for (const call of cases) refused(ac, "invalid-input", call);
  });

  it("the instance still works after every kind of refusal", () => {
    refusal(() => ac.createUser(undefined));
    ac.createUser({ id: "zed", email: "zed@acme.dev" });
    assert.equal(ac.authorizeWeb({ user: "ann", organization: "acme", action: "manage-tokens" }).allowed, true);
  });
});

describe("AccessControl snapshots", () => {
  it("round-trips through toJSON/fromJSON, JSON.stringify and text, with tokens still valid", () => {
    const { ac, ws } = world();
    const ci = ac.createCiAccessToken({ workspace: ws, actor: "ann", name: "ci", access: "read-only" });
    const pat = ac.createPersonalAccessToken({ user: "bob", name: "laptop" });
    ac.setVisibility({ organization: "acme", actor: "ann", visibility: "public" });

    const snapshot = ac.toJSON();
    assert.equal(typeof snapshot, "object");
    assert.equal(typeof snapshot.version, "number");
    const text = JSON.stringify(ac);
    assert.deepEqual(JSON.parse(text), snapshot);

    for (const restored of [AccessControl.fromJSON(snapshot), AccessControl.fromJSON(text)]) {
      assert.deepEqual(restored.toJSON(), snapshot);
      assert.equal(JSON.stringify(restored), text);
      const d = restored.authorizeRunner({ nxCloudId: ws, accessToken: ci.token, action: "write-cache" });
      assert.equal(d.allowed, false);
      assert.equal(d.rule, "TOK-3");
      const r = restored.authorizeRunner({ nxCloudId: ws, accessToken: ci.token, action: "read-cache" });
      assert.equal(r.allowed, true);
      assert.equal(
        restored.authorizeRunner({ nxCloudId: ws, personalAccessToken: pat.token, action: "write-cache" }).allowed,
        true,
      );
      assert.equal(restored.authorizeWeb({ user: null, organization: "acme", action: "view-stats" }).allowed, true);
      // The restored instance is independent of the original.
      restored.revokeCiAccessToken({ workspace: ws, actor: "ann", id: ci.id });
      assert.equal(ac.authorizeRunner({ nxCloudId: ws, accessToken: ci.token, action: "read-cache" }).allowed, true);
    }
  });

  it("refuses a malformed, tampered or future snapshot with a code", () => {
    const { ac } = world();
    const snapshot = ac.toJSON();
    for (const bad of ["", "{", "null", "[]", 42, null, undefined, { ...snapshot, extra: 1 }]) {
      const e = refusal(() => AccessControl.fromJSON(bad));
      assert.ok(e instanceof Error);
      assert.equal(e.code, "invalid-input", `${e.message} for ${JSON.stringify(bad)}`);
    }
    const future = refusal(() => AccessControl.fromJSON({ ...snapshot, version: snapshot.version + 1 }));
    assert.equal(future.code, "unsupported-snapshot", future.message);
  });
});

describe("secrets never show (TOK-6)", () => {
  it("not in snapshots, lists, errors, decisions, or util.inspect", () => {
    const { ac, ws } = world();
    const ci = ac.createCiAccessToken({ workspace: ws, actor: "ann", name: "ci", access: "read-write" });
    const pat = ac.createPersonalAccessToken({ user: "ann", name: "desk" });
    const secrets = [ci.token, pat.token];
    const shown = [];
    shown.push(JSON.stringify(ac), JSON.stringify(ac.toJSON()), util.inspect(ac, { showHidden: true, depth: 9 }));
    shown.push(JSON.stringify(ac.listCiAccessTokens({ workspace: ws, actor: "ann" })));
    shown.push(JSON.stringify(ac.listPersonalAccessTokens({ user: "ann" })));
    for (const token of secrets) {
      shown.push(JSON.stringify(ac.authorizeRunner({ nxCloudId: ws, accessToken: token, action: "distribute" })));
      shown.push(JSON.stringify(ac.authorizeRunner({ nxCloudId: ws, personalAccessToken: token, action: "write-cache" })));
      shown.push(JSON.stringify(ac.authorizeRunner({ accessToken: `${token}x`, action: "read-cache" })));
      for (const call of [
        () => ac.authorizeRunner({ nxCloudId: ws, accessToken: token, action: token }),
        () => ac.authorizeRunner({ nxCloudId: ws, accessToken: token }),
        () => ac.authorizeRunner({ nxCloudId: ws, accessToken: token, action: "read-cache", extra: token }),
        () => ac.createCiAccessToken({ workspace: ws, actor: "bob", name: "x", access: "read-write" }),
        () => AccessControl.fromJSON(JSON.stringify(ac).replace('"version"', `"${token}":1,"version"`)),
      ]) {
        const e = refusal(call);
        shown.push(e.message, util.inspect(e), JSON.stringify(e));
      }
    }
    ac.revokeCiAccessToken({ workspace: ws, actor: "ann", id: ci.id });
    shown.push(JSON.stringify(ac), util.inspect(AccessControl.fromJSON(JSON.stringify(ac))));
    const all = shown.join("\n");
    for (const token of secrets) {
      assert.ok(!all.includes(token), "a token secret was shown");
      // Not even most of it: a redacted form keeps at most a short prefix.
      assert.ok(!all.includes(token.slice(0, 16)), "a long prefix of a token was shown");
    }
  });
});
