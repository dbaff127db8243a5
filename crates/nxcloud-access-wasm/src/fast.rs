//! The fast paths of the two decisions, for `pkg/index.cjs` (the engine
//! `access`; the fast path of `resolveCredentials` is `resolve_fast.rs`).
//!
//! A decision is called per request by a cache server and per task by a
//! tool, so the JSON round trip of the generic path (`JSON.stringify`,
//! `serde_json`, `JSON.parse`: about 10 µs) would dwarf the decision itself
//! (about 1 µs). These functions take the request's fields as plain
//! arguments and answer a number: the handle of the decision in the memo of
//! decisions (`memo.rs`), made on the first request of its kind and
//! answered from the memo until the state changes. The wrapper reads the
//! packed decision of a handle once (`__memoDecision`) and expands it into
//! the very object the generic path returns (same fields, same order, same
//! values). They run the same core function: no rule lives here.
//!
//! They are not part of the package's API (hidden from the `.d.ts`, not
//! exported by `index.cjs`). The wrapper takes them only for plain
//! arguments it has checked; anything else (unknown fields, non-strings,
//! `toJSON`, an unknown action) goes the generic path, which reports the
//! errors. A string that held a lone surrogate arrives here with U+FFFD in
//! its place (the UTF-8 encoding replaces it), where the generic path would
//! refuse it: such an argument is answered with -1, which sends the wrapper
//! to the generic path too.
//!
//! The packed form: one character each for `allowed` (`0`/`1`),
//! `unauthenticated` (`0`/`1`) and the index of `access` / `principal` /
//! `role` in the wrapper's tables, then the rule ID, a NUL, the reason.

use nxcloud_access::access::{
    AccessLevel, Principal, RunnerAction, RunnerRequest, WebAction, WebRequest, WebRole,
};
use nxcloud_access::Secret;
use wasm_bindgen::prelude::*;

use crate::convert::replaced;
use crate::memo::Field;
use crate::AccessControl;

/// What a fast path answers when the wrapper must take the generic path.
const GENERIC: f64 = -1.0;

/// `authorizeRunner` with its fields as arguments; `action` is the index of
/// `read-cache`, `write-cache`, `record-run`, `distribute`. Answers the
/// handle of the packed decision (see `memo.rs`: the epoch and the id that
/// `__memoDecision` reads), or -1 for the generic path.
#[wasm_bindgen(js_name = __authorizeRunner, skip_typescript)]
pub fn authorize_runner(
    engine: &AccessControl,
    nx_cloud_id: Option<String>,
    access_token: Option<String>,
    personal_access_token: Option<String>,
    action: u32,
) -> Result<f64, JsValue> {
    let code = action;
    let action = match action {
        0 => RunnerAction::ReadCache,
        1 => RunnerAction::WriteCache,
        2 => RunnerAction::RecordRun,
        3 => RunnerAction::Distribute,
        _ => return Ok(GENERIC),
    };
    if [&nx_cloud_id, &access_token, &personal_access_token]
        .iter()
        .any(|text| text.as_deref().is_some_and(replaced))
    {
        return Ok(GENERIC);
    }
    let request = RunnerRequest {
        nx_cloud_id,
        access_token: access_token.map(Secret::new),
        personal_access_token: personal_access_token.map(Secret::new),
        action,
    };
    let fields = [
        Field::Text(request.nx_cloud_id.as_deref()),
        Field::Text(request.access_token.as_ref().map(Secret::expose)),
        Field::Text(request.personal_access_token.as_ref().map(Secret::expose)),
        Field::Code(code),
    ];
    answer(engine, 0, &fields, || {
        let d = engine.read()?.authorize_runner(&request);
        let access = match d.access {
            AccessLevel::ReadWrite => '0',
            AccessLevel::ReadOnly => '1',
            AccessLevel::None => '2',
        };
        let principal = match d.principal {
            Principal::CiAccessToken => '0',
            Principal::PersonalAccessToken => '1',
            Principal::WorkspaceId => '2',
        };
        Ok(pack(
            d.allowed,
            d.unauthenticated,
            [access, principal],
            &d.rule,
            &d.reason,
        ))
    })
}

/// `authorizeWeb` with its fields as arguments; `action` is the index of
/// `view-runs`, `view-stats`, `change-settings`, `manage-members`,
/// `manage-tokens`. Answers as [`authorize_runner`].
#[wasm_bindgen(js_name = __authorizeWeb, skip_typescript)]
pub fn authorize_web(
    engine: &AccessControl,
    user: Option<String>,
    organization: String,
    action: u32,
) -> Result<f64, JsValue> {
    let code = action;
    let action = match action {
        0 => WebAction::ViewRuns,
        1 => WebAction::ViewStats,
        2 => WebAction::ChangeSettings,
        3 => WebAction::ManageMembers,
        4 => WebAction::ManageTokens,
        _ => return Ok(GENERIC),
    };
    if replaced(&organization) || user.as_deref().is_some_and(replaced) {
        return Ok(GENERIC);
    }
    let request = WebRequest {
        user,
        organization,
        action,
    };
    let fields = [
        Field::Text(request.user.as_deref()),
        Field::Text(Some(&request.organization)),
        Field::Code(code),
    ];
    answer(engine, 1, &fields, || {
        let d = engine.read()?.authorize_web(&request);
        let role = match d.role {
            WebRole::Admin => '0',
            WebRole::Member => '1',
            WebRole::Public => '2',
            WebRole::None => '3',
        };
        Ok(pack(d.allowed, false, [role, '0'], &d.rule, &d.reason))
    })
}

/// The handle of a request's decision: from the memo, or made by `decide`
/// (the packed decision) and memoised; -1 (the generic path) when nothing
/// may be memoised. `kind` tells the two decisions' requests apart.
fn answer(
    engine: &AccessControl,
    kind: u8,
    fields: &[Field<'_>],
    decide: impl FnOnce() -> Result<String, JsValue>,
) -> Result<f64, JsValue> {
    let mut memo = engine.memo.try_borrow_mut().map_err(|_| crate::busy())?;
    let Some(key) = memo.key(kind, fields) else {
        return Ok(GENERIC);
    };
    let id = match memo.get(key) {
        Some(id) => id,
        None => memo.insert(key, decide()?),
    };
    Ok(memo.handle(id))
}

/// Seeds the engine's memo of decisions with its hash keys (the wrapper
/// calls it once per engine, before its first decision; see `memo.rs`).
#[wasm_bindgen(js_name = __seedDecisions, skip_typescript)]
pub fn seed_decisions(
    engine: &AccessControl,
    a: u32,
    b: u32,
    c: u32,
    d: u32,
) -> Result<(), JsValue> {
    let mut memo = engine.memo.try_borrow_mut().map_err(|_| crate::busy())?;
    memo.seed(
        u64::from(a) << 32 | u64::from(b),
        u64::from(c) << 32 | u64::from(d),
    );
    Ok(())
}

/// The packed decision of a handle's id, which the wrapper reads once per
/// id and epoch; the empty string for an id the memo does not hold (the
/// wrapper then takes the generic path).
#[wasm_bindgen(js_name = __memoDecision, skip_typescript)]
pub fn memo_decision(engine: &AccessControl, id: u32) -> Result<String, JsValue> {
    let memo = engine.memo.try_borrow().map_err(|_| crate::busy())?;
    Ok(memo.packed(id).unwrap_or_default().to_owned())
}

fn pack(
    allowed: bool,
    unauthenticated: bool,
    codes: [char; 2],
    rule: &str,
    reason: &str,
) -> String {
    let mut out = String::with_capacity(5 + rule.len() + reason.len());
    out.push(if allowed { '1' } else { '0' });
    out.push(if unauthenticated { '1' } else { '0' });
    out.extend(codes);
    out.push_str(rule);
    out.push('\0');
    out.push_str(reason);
    out
}
