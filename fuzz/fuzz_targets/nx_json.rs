//! `nx.json` text (INP-1): any bytes. Properties: no panic; a refusal names a
//! real 1-based position inside the text; deep nesting is refused by the
//! depth check, never by a stack overflow; an accepted object answers
//! `Object.entries` with unique keys holding the last duplicate's value; the
//! whole resolution on that nx.json never shows the planted token; the fast
//! path (straight from the scanner) answers exactly what the full parse
//! through jsonc-parser's AST answers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nxcloud_access::input::nx_json::{self, Json};
use nxcloud_access::{resolve_credentials, ResolveInput};

const PLANTED: &str = "nxcloud-fuzz-planted-secret-0123456789";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = nx_json::parse(text);
    assert_eq!(parsed, nx_json::parse_with_ast(text), "the fast path differs");
    match parsed {
        Err(e) => {
            // jsonc-parser also counts a lone `\r` as a line break.
            let lines = text.matches(['\n', '\r']).count() + 1;
            assert!(e.location.line >= 1 && e.location.line <= lines, "{e:?}");
            assert!(e.location.column >= 1, "{e:?}");
            assert!(!e.message.is_empty());
        }
        Ok(json) => {
            assert!(nx_json::check_depth(text, nxcloud_access::limits::MAX_JSON_DEPTH).is_ok());
            if let Json::Object(_) = &json {
                let entries = json.js_entries();
                let mut keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
                for (k, v) in &entries {
                    assert_eq!(json.get(k), Some(*v), "entry `{k}`");
                }
                keys.sort_unstable();
                let n = keys.len();
                keys.dedup();
                assert_eq!(keys.len(), n, "Object.entries repeats a key");
            }
            let _ = json.js_string();
            let _ = json.is_truthy();
        }
    }
    // The same text as a whole workspace, with a token in the environment.
    let input = ResolveInput {
        nx_json: Some(text.to_owned()),
        env: [("NX_CLOUD_ACCESS_TOKEN".to_owned(), PLANTED.to_owned())].into(),
        ..ResolveInput::default()
    };
    match resolve_credentials(&input) {
        Ok(resolution) => {
            let shown = format!(
                "{resolution:?}{}",
                serde_json::to_string(&(&resolution.trace, &resolution.findings)).unwrap()
            );
            assert!(!shown.contains(PLANTED), "the planted token shows");
        }
        Err(e) => assert!(!e.to_string().contains(PLANTED)),
    }
});
