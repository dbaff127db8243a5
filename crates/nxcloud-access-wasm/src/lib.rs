//! # nxcloud-access-wasm
//!
//! The WebAssembly inside the npm package `nxcloud-access`: a translation
//! layer with no rules of its own. It exposes
//!
//! * `resolveCredentials(input)`: [`nxcloud_access::resolve_credentials`];
//! * `__workspace` (for `pkg/node.cjs`): the
//!   core's workspace discovery over a host of JS callbacks (`host.rs`);
//! * the class `AccessControl`: [`nxcloud_access::AccessControl`], one
//!   method per command and decision of CONTRACT.md, plus `toJSON()` and
//!   `AccessControl.fromJSON(snapshot)`.
//!
//! The package ships two builds of this crate, each its own `.wasm` that
//! `pkg/engine.cjs` loads on first use: with the feature `resolve`, the
//! first two (and the fast path of `resolve_fast.rs`); with `access`, the
//! class and its decisions (`fast.rs`, `memo.rs`). The default is both, for
//! native tests, clippy and the one generated `.d.ts` of the whole API.
//!
//! Every failure is thrown as a JS `Error` with a stable `code` property (and
//! `line`/`column` for `invalid-nx-json`); nothing here can panic. The
//! TypeScript types of the package are generated from the core's types
//! (tsify) through [`tsify::Ts`] parameters and results.

#[cfg(feature = "access")]
use std::cell::{Ref, RefCell, RefMut};

#[cfg(feature = "access")]
use nxcloud_access::access::{
    CiAccessTokenInfo, CreateCiAccessToken, CreateOrganization, CreatePersonalAccessToken,
    CreateUser, CreateWorkspace, CreatedToken, CreatedWorkspace, Invite, Join, ListCiAccessTokens,
    ListPersonalAccessTokens, PersonalAccessTokenInfo, RemoveMember, RevokeCiAccessToken,
    RevokePersonalAccessToken, Role, RunnerDecision, RunnerRequest, SetPersonalAccessTokenAccess,
    SetRole, SetVisibility, SetWorkspaceIdAccess, WebDecision, WebRequest,
};
#[cfg(feature = "resolve")]
use nxcloud_access::{Resolution, ResolveInput};
#[cfg(any(feature = "resolve", feature = "access"))]
use tsify::Ts;
use wasm_bindgen::prelude::*;

mod convert;
#[cfg(feature = "access")]
mod fast;
#[cfg(feature = "resolve")]
mod host;
#[cfg(feature = "access")]
mod memo;
#[cfg(feature = "resolve")]
mod plugin;
#[cfg(feature = "resolve")]
mod resolve_fast;

#[wasm_bindgen(typescript_custom_section)]
const ERROR_TYPE: &'static str = r#"
/**
 * The stable `code` of an `NxCloudAccessError`: `resolveCredentials` throws
 * `invalid-nx-json`, `invalid-input` and `invalid-nx-version`; the methods
 * of `AccessControl` throw `invalid-input`, `not-found`, `forbidden`,
 * `conflict`, `last-admin`, `no-matching-invite` and
 * `unsupported-snapshot`; `readWorkspace` and `resolveWorkspace` of
 * `nxcloud-access/node` also throw `unreadable-file` (a file that exists but
 * cannot be read, or is over 8 MiB) and `no-package-version` (an installed
 * package's `package.json` without `version`); `internal` is a fault of the
 * package (never expected). New codes may be added, never renamed.
 */
export type NxCloudAccessErrorCode =
    | "invalid-nx-json"
    | "invalid-input"
    | "invalid-nx-version"
    | "not-found"
    | "forbidden"
    | "conflict"
    | "last-admin"
    | "no-matching-invite"
    | "unsupported-snapshot"
    | "unreadable-file"
    | "no-package-version"
    | "internal";

/**
 * What every function of this package throws: a plain `Error` with a stable
 * `code` to branch on and, for `invalid-nx-json` of an `nx.json` text, the
 * 1-based `line` and `column` of the problem in that text (an `nx.json`
 * passed as an object has no text: no `line` or `column` then). Test for
 * it with `isNxCloudAccessError(e)`.
 */
export interface NxCloudAccessError extends Error {
    code: NxCloudAccessErrorCode;
    line?: number;
    column?: number;
}
"#;

/// Which credential Nx uses for a workspace, where it came from, what was
/// shadowed and why, and what is unsafe. The input holds the texts of the
/// workspace's files and the environment; nothing is read from disk or
/// `process.env`.
///
/// Throws an `NxCloudAccessError` (`invalid-nx-json` with `line` and
/// `column`, `invalid-input`, `invalid-nx-version`) for unreadable input.
#[cfg(feature = "resolve")]
#[wasm_bindgen(js_name = resolveCredentials)]
pub fn resolve_credentials(input: Ts<ResolveInput>) -> Result<Ts<Resolution>, JsValue> {
    let input: ResolveInput = convert::typed(&input.js_value(), "input of resolveCredentials")?;
    let resolution =
        nxcloud_access::resolve_credentials(&input).map_err(|e| convert::engine_error(&e))?;
    convert::to_js(&resolution).map(Ts::new_unchecked)
}

/// Users, organizations, workspaces and tokens, held in memory: every
/// command and decision of Nx Cloud's permissions. Persist it with
/// `JSON.stringify(ac)` (or `ac.toJSON()`) and restore it with
/// `AccessControl.fromJSON(snapshot)`; a snapshot holds token hashes, never
/// a token's secret.
#[cfg(feature = "access")]
#[wasm_bindgen]
pub struct AccessControl {
    // The methods take `&self` and borrow the engine only once the argument
    // has been read: `JSON.stringify` may run the caller's `toJSON`, which
    // may call this very object again. Only `read` and `write` borrow it.
    core: RefCell<nxcloud_access::AccessControl>,
    /// The decisions already made on the current state (see `memo.rs`):
    /// `write`, the only way to change the state, empties it.
    memo: RefCell<memo::Memo>,
}

#[cfg(feature = "access")]
#[wasm_bindgen]
impl AccessControl {
    /// An empty state: no users, organizations or tokens.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)] // a JS constructor, not a Rust API
    pub fn new() -> AccessControl {
        Self::wrap(nxcloud_access::AccessControl::new())
    }

    /// The snapshot of the whole state (JSON data; what `JSON.stringify`
    /// writes). It holds token hashes, never a token's secret.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "AccessControlSnapshot")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        let core = self.read()?;
        let text = core.to_json().map_err(|e| convert::engine_error(&e))?;
        convert::parse(&text)
    }

    /// Restores a state from a snapshot: the object `toJSON()` returned or
    /// its JSON text. Throws `invalid-input` for a malformed or tampered
    /// snapshot, `unsupported-snapshot` for one of a newer format.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "AccessControlSnapshot | string")] snapshot: JsValue,
    ) -> Result<AccessControl, JsValue> {
        let text = match snapshot.as_string() {
            Some(text) => text,
            None => convert::json_text(&snapshot, "the snapshot")?.0,
        };
        let core = nxcloud_access::AccessControl::from_json(&text)
            .map_err(|e| convert::engine_error(&e))?;
        Ok(Self::wrap(core))
    }
}

#[cfg(feature = "access")]
#[wasm_bindgen(typescript_custom_section)]
const SNAPSHOT_TYPE: &'static str = r#"
/**
 * The persisted form of an `AccessControl` (JSON data, versioned). Treat it
 * as opaque: store it, hand it back to `AccessControl.fromJSON`.
 */
export type AccessControlSnapshot = { version: number } & Record<string, unknown>;
"#;

/// Binds the core's commands and decisions as methods of the JS class, each
/// with the core's argument and result types (so the `.d.ts` names them),
/// and lists their JS names in [`BOUND_METHODS`] (a test holds that list
/// equal to the core's [`nxcloud_access::Method`] table).
#[cfg(feature = "access")]
macro_rules! bind_methods {
    ($($(#[doc = $doc:tt])* $js:literal => fn $name:ident($arg:ty) -> $ret:ty;)*) => {
        #[wasm_bindgen]
        impl AccessControl {
            $(
                $(#[doc = $doc])*
                #[wasm_bindgen(js_name = $js)]
                pub fn $name(&self, arg: Ts<$arg>) -> Result<$ret, JsValue> {
                    let result = self.run($js, &arg.js_value())?;
                    Returned::from_js(result)
                }
            )*
        }

        /// The JS names of the methods bound above, in CONTRACT.md order.
        pub const BOUND_METHODS: &[&str] = &[$($js),*];
    };
}

// Docs as `#[doc = "…"]`: wasm-bindgen copies a `///` comment that went
// through `macro_rules!` into the .d.ts with its raw-string quotes.
#[cfg(feature = "access")]
bind_methods! {
    #[doc = "Creates a user. Throws `conflict` for a taken id or email."]
    "createUser" => fn create_user(CreateUser) -> ();
    #[doc = "Creates an organization whose only member, an admin, is `creator`."]
    "createOrganization" => fn create_organization(CreateOrganization) -> ();
    #[doc = "Invites an `email` or a whole email `domain` to an organization with"]
    #[doc = "a role (admins only)."]
    "invite" => fn invite(Invite) -> ();
    #[doc = "Joins an organization by a matching invitation; returns the role"]
    #[doc = "granted. Throws `no-matching-invite` without one."]
    "join" => fn join(Join) -> Ts<Role>;
    #[doc = "Removes a member (admins only). Throws `last-admin` for the last admin."]
    "removeMember" => fn remove_member(RemoveMember) -> ();
    #[doc = "Changes a member's role (admins only). Throws `last-admin` when it"]
    #[doc = "would demote the last admin."]
    "setRole" => fn set_role(SetRole) -> ();
    #[doc = "Makes an organization `public` or `private` (admins only)."]
    "setVisibility" => fn set_visibility(SetVisibility) -> ();
    #[doc = "Creates a workspace of an organization (admins only); returns its"]
    #[doc = "24-character `nxCloudId`."]
    "createWorkspace" => fn create_workspace(CreateWorkspace) -> Ts<CreatedWorkspace>;
    #[doc = "Sets what the bare workspace ID (nxCloudId) allows (admins only)."]
    "setWorkspaceIdAccess" => fn set_workspace_id_access(SetWorkspaceIdAccess) -> ();
    #[doc = "Sets what members' personal access tokens allow in a workspace"]
    #[doc = "(admins only)."]
    "setPersonalAccessTokenAccess" => fn set_personal_access_token_access(SetPersonalAccessTokenAccess) -> ();
    #[doc = "Creates a CI access token (admins only); returns its id and its"]
    #[doc = "secret, shown this once."]
    "createCiAccessToken" => fn create_ci_access_token(CreateCiAccessToken) -> Ts<CreatedToken>;
    #[doc = "Revokes a CI access token (admins only), from the very next decision."]
    "revokeCiAccessToken" => fn revoke_ci_access_token(RevokeCiAccessToken) -> ();
    #[doc = "Creates a personal access token of a user; returns its id and its"]
    #[doc = "secret, shown this once."]
    "createPersonalAccessToken" => fn create_personal_access_token(CreatePersonalAccessToken) -> Ts<CreatedToken>;
    #[doc = "Revokes one of the user's own personal access tokens."]
    "revokePersonalAccessToken" => fn revoke_personal_access_token(RevokePersonalAccessToken) -> ();
    #[doc = "A user's personal access tokens, by id and name (never a secret)."]
    "listPersonalAccessTokens" => fn list_personal_access_tokens(ListPersonalAccessTokens) -> Vec<Ts<PersonalAccessTokenInfo>>;
    #[doc = "A workspace's CI access tokens, by id, name and access (admins only;"]
    #[doc = "never a secret)."]
    "listCiAccessTokens" => fn list_ci_access_tokens(ListCiAccessTokens) -> Vec<Ts<CiAccessTokenInfo>>;
    #[doc = "Decides a runner's request (runner plane). Never throws for a denial:"]
    #[doc = "the decision says `allowed`, the level and principal that applied,"]
    #[doc = "the rule ID that decided and why."]
    "authorizeRunner" => fn authorize_runner(RunnerRequest) -> Ts<RunnerDecision>;
    #[doc = "Decides a person's request in the web app (`user: null` for an"]
    #[doc = "anonymous visitor). Never throws for a denial."]
    "authorizeWeb" => fn authorize_web(WebRequest) -> Ts<WebDecision>;
}

/// What a bound method makes of the core's JSON result.
#[cfg(feature = "access")]
trait Returned: Sized {
    fn from_js(value: JsValue) -> Result<Self, JsValue>;
}

/// A command that returns nothing (the core answers `null`).
#[cfg(feature = "access")]
impl Returned for () {
    fn from_js(_: JsValue) -> Result<Self, JsValue> {
        Ok(())
    }
}

#[cfg(feature = "access")]
impl<T: tsify::Tsify> Returned for Ts<T> {
    fn from_js(value: JsValue) -> Result<Self, JsValue> {
        Ok(Ts::new_unchecked(value))
    }
}

#[cfg(feature = "access")]
impl<T: tsify::Tsify> Returned for Vec<Ts<T>> {
    fn from_js(value: JsValue) -> Result<Self, JsValue> {
        let array = value
            .dyn_into::<js_sys::Array>()
            .map_err(|_| convert::error("internal", "a list result was not an array", None))?;
        Ok(array.iter().map(Ts::new_unchecked).collect())
    }
}

#[cfg(feature = "access")]
impl AccessControl {
    fn wrap(core: nxcloud_access::AccessControl) -> Self {
        Self {
            core: RefCell::new(core),
            memo: RefCell::new(memo::Memo::default()),
        }
    }

    /// The state, to read.
    pub(crate) fn read(&self) -> Result<Ref<'_, nxcloud_access::AccessControl>, JsValue> {
        self.core.try_borrow().map_err(|_| busy())
    }

    /// The state, to change: the only mutable borrow, and it forgets every
    /// memoised decision first, so that a change (a revocation, a removal, a
    /// new level) holds from the very next decision (REV-1..3).
    pub(crate) fn write(&self) -> Result<RefMut<'_, nxcloud_access::AccessControl>, JsValue> {
        let core = self.core.try_borrow_mut().map_err(|_| busy())?;
        self.memo.try_borrow_mut().map_err(|_| busy())?.clear();
        Ok(core)
    }

    /// Runs one command or decision of the core by its JS name, with the
    /// argument and the result as JSON text (no `serde_json::Value`).
    fn run(&self, method: &str, arg: &JsValue) -> Result<JsValue, JsValue> {
        let arg = convert::object(arg, &format!("the argument of {method}"))?;
        let method =
            nxcloud_access::Method::named(method).map_err(|e| convert::engine_error(&e))?;
        let mut core = self.write()?;
        let result = core
            .call_json(method, &arg)
            .map_err(|e| convert::engine_error(&e))?;
        drop(core);
        convert::parse(&result)
    }
}

/// The error of a call made while the same object is busy (only possible
/// from a `toJSON` of an argument that calls back into the object).
#[cfg(feature = "access")]
pub(crate) fn busy() -> JsValue {
    convert::error(
        "invalid-input",
        "this AccessControl is busy with another call (an argument's toJSON called it back)",
        None,
    )
}

#[cfg(all(test, feature = "access"))]
mod tests {
    use nxcloud_access::Method;

    use super::BOUND_METHODS;

    #[test]
    fn every_command_and_decision_of_the_core_is_bound_once_in_order() {
        let core: Vec<&str> = Method::ALL.iter().map(|m| m.js_name()).collect();
        assert_eq!(BOUND_METHODS, core.as_slice());
    }
}
