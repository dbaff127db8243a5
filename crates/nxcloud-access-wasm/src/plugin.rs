//! The Nx plugin's decision for `pkg/nx-plugin.cjs`:
//! [`nxcloud_access::plugin::plugin_setup`], with the PAT file read through
//! a JS function. Internal (`__pluginSetup`, not in the `.d.ts`): the plugin
//! is the public surface.

use nxcloud_access::plugin::{self, FileRead, PluginInput, PluginSeverity};
use nxcloud_access::Secret;
use wasm_bindgen::prelude::*;

/// `input`: the JSON text of `{ options, env, own: { server?, token? },
/// windows }` ([`PluginInput`]). `read(path)` returns the file's text, `null`
/// when there is no file, or `{ error: string }` when it cannot be read.
///
/// Returns the JSON text of `{ set: { [variable]: value }, unset: string[],
/// line: string | null, findings: { code, severity, message }[] }`; `set`
/// holds the personal access token whole (to hand to Nx), nothing else does.
/// Throws `invalid-input` for an input that is not that JSON.
#[wasm_bindgen(js_name = __pluginSetup, skip_typescript)]
pub fn plugin_setup(input: &str, read: &js_sys::Function) -> Result<String, JsValue> {
    let input: PluginInput = serde_json::from_str(input).map_err(|e| {
        crate::convert::error(
            "invalid-input",
            &format!("invalid input of the nx plugin: {e}"),
            None,
        )
    })?;
    let setup = plugin::plugin_setup(&input, &mut |path| read_file(read, path));
    let mut set = serde_json::Map::new();
    if let Some(server) = &setup.server {
        set.insert(plugin::SERVER_VAR.to_owned(), server.clone().into());
    }
    if let Some(token) = setup.token.as_ref().map(Secret::expose) {
        set.insert(plugin::TOKEN_VAR.to_owned(), token.into());
    }
    let findings: Vec<serde_json::Value> = setup
        .findings
        .iter()
        .map(|f| {
            serde_json::json!({
                "code": f.code,
                "severity": match f.severity {
                    PluginSeverity::Error => "error",
                    PluginSeverity::Info => "info",
                },
                "message": f.message,
            })
        })
        .collect();
    let out = serde_json::json!({
        "set": set,
        "unset": setup.unset,
        "line": setup.line(),
        "findings": findings,
    });
    Ok(out.to_string())
}

/// Calls the JS `read(path)`; a throw counts as unreadable.
fn read_file(read: &js_sys::Function, path: &str) -> FileRead {
    match read.call1(&JsValue::NULL, &JsValue::from_str(path)) {
        Ok(value) if value.is_null() || value.is_undefined() => FileRead::Missing,
        Ok(value) => match value.as_string() {
            Some(text) => FileRead::Text(text),
            None => FileRead::Unreadable(
                js_sys::Reflect::get(&value, &JsValue::from_str("error"))
                    .ok()
                    .and_then(|e| e.as_string())
                    .unwrap_or_else(|| "unknown error".to_owned()),
            ),
        },
        Err(e) => FileRead::Unreadable(
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_else(|| "unknown error".to_owned()),
        ),
    }
}
