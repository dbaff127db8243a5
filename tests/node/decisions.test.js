"use strict";
// The fast path of the two decisions (pkg/index.cjs, and the memo of
// decisions of crates/nxcloud-access-wasm/src/memo.rs): the same answers as
// the generic path, a new object per call, and no stale answer after any
// change of the state, however many times the request was decided before.
const assert = require("node:assert/strict");
const { describe, it } = require("node:test");

const { AccessControl } = require("./load.js");

const RUNNER_ACTIONS = ["read-cache", "write-cache", "record-run", "distribute"];
const WEB_ACTIONS = ["view-runs", "view-stats", "change-settings", "manage-members", "manage-tokens"];

/** The same request, but not a plain object: the wrapper takes the generic path. */
function generic(request) {
  return Object.assign(Object.create({ inherited: true }), request);
}

/** ann (admin), bob (member), eve (outsider); tokens of every kind. */
function world() {
  const ac = new AccessControl();
  for (const [id, email] of [["ann", "ann@acme.dev"], ["bob", "bob@acme.dev"], ["eve", "eve@elsewhere.dev"]]) {
    ac.createUser({ id, email });
  }
  ac.createOrganization({ id: "acme", name: "Acme", creator: "ann" });
  ac.invite({ organization: "acme", actor: "ann", email: "bob@acme.dev", role: "member" });
  ac.join({ organization: "acme", user: "bob" });
  const { nxCloudId: ws } = ac.createWorkspace({ organization: "acme", actor: "ann" });
  const rw = ac.createCiAccessToken({ workspace: ws, actor: "ann", name: "rw", access: "read-write" });
  const ro = ac.createCiAccessToken({ workspace: ws, actor: "ann", name: "ro", access: "read-only" });
  const bobPat = ac.createPersonalAccessToken({ user: "bob", name: "laptop" });
  const evePat = ac.createPersonalAccessToken({ user: "eve", name: "laptop" });
  return { ac, ws, rw, ro, bobPat, evePat };
}

function runnerRequests({ ws, rw, ro, bobPat, evePat }) {
  const credentials = [
    { nxCloudId: ws, accessToken: rw.token },
    { accessToken: ro.token },
    { nxCloudId: "0123456789abcdef01234567", accessToken: rw.token },
    { nxCloudId: ws, accessToken: "nxca_unknown-token-of-nobody-at-all" },
    { nxCloudId: ws, accessToken: "" },
    { nxCloudId: ws, personalAccessToken: bobPat.token },
    { nxCloudId: ws, personalAccessToken: evePat.token },
    { personalAccessToken: bobPat.token },
    { nxCloudId: ws, accessToken: null, personalAccessToken: bobPat.token },
    { nxCloudId: ws },
    { nxCloudId: "no-such-workspace" },
    {},
  ];
  return credentials.flatMap((c) => RUNNER_ACTIONS.map((action) => ({ ...c, action })));
}

function webRequests() {
  const out = [];
  for (const user of ["ann", "bob", "eve", null, undefined]) {
    for (const organization of ["acme", "nowhere"]) {
      for (const action of WEB_ACTIONS) out.push({ user, organization, action });
    }
  }
  return out;
}

/** Every request, asked three times on the fast path, answered as the generic path answers it. */
function assertAgree(ac, runner, web) {
  for (const request of runner) {
    const exact = ac.authorizeRunner(generic(request));
    for (let i = 0; i < 3; i++) assert.deepEqual(ac.authorizeRunner(request), exact, JSON.stringify({ ...request, accessToken: undefined, personalAccessToken: undefined }));
  }
  for (const request of web) {
    const exact = ac.authorizeWeb(generic(request));
    for (let i = 0; i < 3; i++) assert.deepEqual(ac.authorizeWeb(request), exact, JSON.stringify(request));
  }
}

describe("decisions on the fast path", () => {
  it("answer what the generic path answers, field for field and in the same order", () => {
    const w = world();
    const runner = runnerRequests(w);
    assertAgree(w.ac, runner, webRequests());
    const d = w.ac.authorizeRunner(runner[0]);
    assert.deepEqual(Object.keys(d), ["allowed", "access", "principal", "rule", "reason", "unauthenticated"]);
    assert.deepEqual(Object.keys(w.ac.authorizeWeb({ user: "ann", organization: "acme", action: "view-runs" })), ["allowed", "role", "rule", "reason"]);
  });

  it("return a new object every call: changing one answer changes no other", () => {
    const { ac, ws } = world();
    const request = { nxCloudId: ws, action: "read-cache" };
    const first = ac.authorizeRunner(request);
    first.allowed = "tampered";
    first.reason = "tampered";
    const second = ac.authorizeRunner(request);
    assert.notEqual(second, first);
    assert.equal(second.allowed, true);
    assert.notEqual(second.reason, "tampered");
  });

  it("never answer from before a change, however often the request was decided (REV-1..3)", () => {
    const w = world();
    const { ac, ws, rw, ro, bobPat, evePat } = w;
    const runner = runnerRequests(w);
    const web = webRequests();
    const changes = [
      () => ac.setWorkspaceIdAccess({ workspace: ws, actor: "ann", level: "read-write" }),
      () => ac.setWorkspaceIdAccess({ workspace: ws, actor: "ann", level: "none" }),
      () => ac.setPersonalAccessTokenAccess({ workspace: ws, actor: "ann", level: "read-only" }),
      () => ac.setVisibility({ organization: "acme", actor: "ann", visibility: "public" }),
      () => ac.invite({ organization: "acme", actor: "ann", email: "eve@elsewhere.dev", role: "admin" }),
      () => ac.join({ organization: "acme", user: "eve" }),
      () => ac.setRole({ organization: "acme", actor: "ann", user: "bob", role: "admin" }),
      () => ac.revokeCiAccessToken({ workspace: ws, actor: "ann", id: rw.id }),
      () => ac.revokePersonalAccessToken({ user: "eve", id: evePat.id }),
      () => ac.removeMember({ organization: "acme", actor: "ann", user: "bob" }),
      () => ac.revokeCiAccessToken({ workspace: ws, actor: "ann", id: ro.id }),
    ];
    assertAgree(ac, runner, web);
    for (const change of changes) {
      change();
      assertAgree(ac, runner, web);
    }
    // The end state, spelled out for the tokens that were memoised allowed.
    const after = (request) => ac.authorizeRunner(request);
    assert.equal(after({ nxCloudId: ws, accessToken: rw.token, action: "read-cache" }).rule, "REV-2");
    assert.equal(after({ accessToken: ro.token, action: "read-cache" }).rule, "REV-2");
    assert.equal(after({ nxCloudId: ws, personalAccessToken: evePat.token, action: "read-cache" }).rule, "REV-3");
    assert.equal(after({ nxCloudId: ws, personalAccessToken: bobPat.token, action: "read-cache" }).allowed, false);
  });

  it("a refused command changes nothing, and the decisions stay right after it", () => {
    const w = world();
    const runner = runnerRequests(w);
    assertAgree(w.ac, runner, webRequests());
    assert.throws(() => w.ac.setWorkspaceIdAccess({ workspace: w.ws, actor: "bob", level: "read-write" }), { code: "forbidden" });
    assertAgree(w.ac, runner, webRequests());
  });

  it("are kept per engine: a copy restored from a snapshot decides on its own state", () => {
    const { ac, ws, rw } = world();
    const request = { nxCloudId: ws, accessToken: rw.token, action: "write-cache" };
    assert.equal(ac.authorizeRunner(request).allowed, true);
    const copy = AccessControl.fromJSON(JSON.stringify(ac));
    assert.equal(copy.authorizeRunner(request).allowed, true);
    copy.revokeCiAccessToken({ workspace: ws, actor: "ann", id: rw.id });
    assert.equal(copy.authorizeRunner(request).allowed, false);
    assert.equal(ac.authorizeRunner(request).allowed, true);
  });

  it("thousands of distinct requests, past the memo's capacity, are still answered right", () => {
    const { ac, ws } = world();
    const unknown = (i) => ({ nxCloudId: ws, accessToken: `nxca_unknown-${i}`, action: "read-cache" });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 20000; i++) {
        const d = ac.authorizeRunner(unknown(i));
        if (d.allowed || d.rule !== "TOK-7") assert.fail(`request ${i}: ${JSON.stringify(d)}`);
      }
    }
    assert.equal(ac.authorizeRunner({ nxCloudId: ws, action: "read-cache" }).allowed, true);
  });
});
