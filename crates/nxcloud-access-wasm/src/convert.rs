//! The boundary: JS values in and out through JSON text, and engine errors
//! as JS `Error` objects with a stable `code`.
//!
//! Values cross as JSON text (`JSON.stringify` here, `serde_json` in the
//! core, `JSON.parse` back) rather than field by field: the package then
//! reads and writes exactly the JSON of the CLI and the native spec driver
//! (same `null`s, same unknown-field refusals), and input that JSON cannot
//! hold (a cycle, a `BigInt`) or that nests too deep is a plain
//! `invalid-input` error instead of a trap.

use nxcloud_access::access::shape::Shape;
use nxcloud_access::{ErrorCode, Location};
use wasm_bindgen::{JsCast as _, JsValue};

/// The code of an error of this layer (input that is not JSON at all).
const INVALID_INPUT: &str = "invalid-input";
/// The code of a failure that is not the caller's (a result that did not
/// serialise): never expected, reported rather than trapped.
const INTERNAL: &str = "internal";

/// Reads a JS argument as the JSON text `JSON.stringify` makes of it,
/// checked as a `serde_json::Value` would read it (a lone surrogate, too
/// deep a nesting), without building that tree; returns the text and the
/// kind of its top-level value.
pub fn json_text(arg: &JsValue, what: &str) -> Result<(String, Shape), JsValue> {
    let text = js_sys::JSON::stringify(arg)
        .map_err(|e| {
            let reason = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_default();
            error(
                INVALID_INPUT,
                &format!("{what} must be plain JSON data: {reason}"),
                None,
            )
        })?
        .as_string()
        .ok_or_else(|| error(INVALID_INPUT, &format!("{what} is missing"), None))?;
    let shape = Shape::of(&text).map_err(|e| {
        error(
            INVALID_INPUT,
            &format!("{what} is not usable JSON data: {e}"),
            None,
        )
    })?;
    Ok((text, shape))
}

/// Reads a JS argument that must be an object (serde would also read a
/// struct from an array of its fields: not a shape of the JS API), as JSON
/// text.
pub fn object(arg: &JsValue, what: &str) -> Result<String, JsValue> {
    match json_text(arg, what)? {
        (text, Shape::Object { .. }) => Ok(text),
        (_, other) => Err(error(
            INVALID_INPUT,
            &format!("{what} must be an object, not {}", other.kind()),
            None,
        )),
    }
}

/// Reads a JS argument as a typed input. Errors carry no position: the
/// position would be one in a text the caller never saw.
#[cfg(feature = "resolve")]
pub fn typed<T: serde::de::DeserializeOwned>(arg: &JsValue, what: &str) -> Result<T, JsValue> {
    let text = object(arg, what)?;
    nxcloud_access::access::shape::read_object(&text).map_err(|e| {
        error(
            INVALID_INPUT,
            &format!("invalid {what}: {}", without_position(&e)),
            None,
        )
    })
}

/// Writes a result as the JS value `JSON.parse` makes of its JSON.
#[cfg(feature = "resolve")]
pub fn to_js<T: serde::Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value)
        .map_err(|e| error(INTERNAL, &format!("a result did not serialise: {e}"), None))?;
    parse(&text)
}

/// Parses JSON text made by the core into a JS value.
pub fn parse(text: &str) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(text).map_err(|_| error(INTERNAL, "a result was not valid JSON", None))
}

/// An engine error as a JS `Error` with `code` (and `line`/`column`).
pub fn engine_error(e: &dyn ErrorCode) -> JsValue {
    error(e.code(), &e.to_string(), e.location())
}

/// `new Error(message)` with the stable `code` and, for parse errors, the
/// 1-based `line` and `column` as own properties.
pub fn error(code: &str, message: &str, location: Option<Location>) -> JsValue {
    let error = js_sys::Error::new(message);
    set(&error, "code", &JsValue::from_str(code));
    if let Some(Location { line, column }) = location {
        set(&error, "line", &JsValue::from_f64(line as f64));
        set(&error, "column", &JsValue::from_f64(column as f64));
    }
    error.into()
}

fn set(target: &js_sys::Error, key: &str, value: &JsValue) {
    // Setting a property of a fresh, ordinary `Error` cannot fail; were it
    // to, the error would still carry its message.
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), value);
}

/// A `serde_json` error's message without the ` at line L column C` that
/// `from_str` adds: what `from_value` said of the same fault.
#[cfg(feature = "resolve")]
fn without_position(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match message.strip_suffix(&suffix) {
        Some(bare) if e.line() != 0 => bare.to_owned(),
        _ => message,
    }
}

/// Whether a string may have held a lone surrogate: wasm-bindgen's UTF-8
/// encoding of a JS string puts U+FFFD in its place, so a fast path that
/// takes strings as arguments must leave such a string to the generic path
/// (which reads it through `JSON.stringify` and refuses it).
#[cfg(any(feature = "resolve", feature = "access"))]
pub fn replaced(text: &str) -> bool {
    // U+FFFD is EF BF BD in UTF-8: a byte scan first (a `str` search for a
    // multi-byte character sets up a searcher on every call).
    text.as_bytes().contains(&0xEF) && text.contains('\u{FFFD}')
}
