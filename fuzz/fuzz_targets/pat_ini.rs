//! The personal access token file (PATR-1/2). Properties: no panic; no
//! section's `Debug` shows its token; a section the npm `ini` library can
//! look up by URL escapes back to its own name; a refusal has a position.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nxcloud_access::input::pat_ini;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match pat_ini::parse(text) {
        Ok(sections) => {
            for section in &sections {
                if let Some(token) = &section.token {
                    let secret = token.expose();
                    if secret.chars().count() >= 12 && !section.raw_name.contains(secret) {
                        let shown = format!("{section:?}");
                        assert!(!shown.contains(token.expose()), "{shown}");
                    }
                }
                if let Some(url) = section.url() {
                    assert_eq!(pat_ini::escaped_section(&url), section.raw_name);
                }
            }
        }
        Err(e) => assert!(!e.message.is_empty()),
    }
});
