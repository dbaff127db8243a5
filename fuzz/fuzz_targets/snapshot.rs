//! Snapshot restore (`AccessControl::from_json`) of any text. Properties:
//! no panic; a refusal is `invalid-input` or `unsupported-snapshot` and
//! shows no token; an accepted snapshot holds no plaintext token and writes
//! back to a snapshot that restores to an equal engine (a fixed point).
#![no_main]

use libfuzzer_sys::fuzz_target;
use nxcloud_access::access::token::contains_token;
use nxcloud_access::{AccessControl, ErrorCode};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match AccessControl::from_json(text) {
        Err(e) => {
            assert!(
                ["invalid-input", "unsupported-snapshot"].contains(&e.code()),
                "{e:?}"
            );
            assert!(!contains_token(&format!("{e} {e:?}")), "{e:?}");
        }
        Ok(ac) => {
            assert!(!contains_token(text));
            let written = ac.to_json().unwrap();
            let again = AccessControl::from_json(&written).unwrap();
            assert!(again == ac, "restore is not lossless");
            assert_eq!(again.to_json().unwrap(), written);
        }
    }
});
