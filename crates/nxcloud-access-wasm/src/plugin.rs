//! The Nx plugin's decision for `pkg/nx-plugin.cjs`:
//! [`nxcloud_access::plugin::plugin_setup`], with the PAT file read through
//! a JS function. Internal (`__pluginSetup`, not in the `.d.ts`): the plugin
//! is the public surface.

use nxcloud_access::plugin::{self, FileRead, PluginInput, PluginSeverity};
use nxcloud_access::Secret;
use serde::Serialize;
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
    let out = Out {
        set: Set {
            server: setup.server.as_deref(),
            token: setup.token.as_ref().map(Secret::expose),
        },
        unset: &setup.unset,
        line: setup.line(),
        findings: setup
            .findings
            .iter()
            .map(|f| OutFinding {
                code: f.code,
                severity: match f.severity {
                    PluginSeverity::Error => "error",
                    PluginSeverity::Info => "info",
                },
                message: &f.message,
            })
            .collect(),
    };
    serde_json::to_string(&out).map_err(|e| {
        crate::convert::error("internal", &format!("the nx plugin's answer: {e}"), None)
    })
}

/// The answer's JSON (derived, not a `serde_json::Value`: a smaller wasm).
#[derive(Serialize)]
struct Out<'a> {
    set: Set<'a>,
    unset: &'a [&'static str],
    line: Option<String>,
    findings: Vec<OutFinding<'a>>,
}

#[derive(Serialize)]
struct Set<'a> {
    #[serde(
        rename = "NX_SELF_HOSTED_REMOTE_CACHE_SERVER",
        skip_serializing_if = "Option::is_none"
    )]
    server: Option<&'a str>,
    #[serde(
        rename = "NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN",
        skip_serializing_if = "Option::is_none"
    )]
    token: Option<&'a str>,
}

#[derive(Serialize)]
struct OutFinding<'a> {
    code: &'static str,
    severity: &'static str,
    message: &'a str,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_names_the_variables_of_the_core() {
        let set = Set {
            server: Some("s"),
            token: Some("t"),
        };
        let text = serde_json::to_string(&set).unwrap();
        assert_eq!(
            text,
            format!(
                r#"{{"{}":"s","{}":"t"}}"#,
                plugin::SERVER_VAR,
                plugin::TOKEN_VAR
            )
        );
        let none = Set {
            server: None,
            token: None,
        };
        assert_eq!(serde_json::to_string(&none).unwrap(), "{}");
    }
}
