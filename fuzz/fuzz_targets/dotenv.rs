//! `nx-cloud.env` / `.env` text, both flavours of ENVF-3 and the DOT-1
//! loading. Properties: no panic; every parsed key is unique, non-empty and
//! of `[\w.-]`, and `get` answers its value; loading never replaces a
//! variable of the real environment (DOT-1) and never loses one.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use nxcloud_access::input::dotenv::{self, Flavour};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for flavour in [Flavour::Nx, Flavour::Client] {
        let parsed = dotenv::parse(text, flavour);
        let mut keys: Vec<&str> = parsed.entries.iter().map(|(k, _)| k.as_str()).collect();
        for (key, value) in &parsed.entries {
            assert!(!key.is_empty());
            assert!(key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'));
            assert_eq!(parsed.get(key), Some(value.as_str()));
        }
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "a key appears twice");
    }
    let real: BTreeMap<String, String> = [
        ("NX_CLOUD_ACCESS_TOKEN".to_owned(), "real-token".to_owned()),
        ("A".to_owned(), String::new()),
    ]
    .into();
    let files: BTreeMap<String, String> = [(".env".to_owned(), text.to_owned())].into();
    let env = dotenv::load_environment(&real, &files);
    for (key, value) in &real {
        assert_eq!(env.value(key), Some(value.as_str()), "`{key}` was replaced");
    }
});
