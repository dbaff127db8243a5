//! The [`Secret`] type: a token whose text never prints by accident.
//!
//! `Debug` and `Display` show the redacted form (CONTRACT.md: at most the
//! first 4 characters followed by `…`; a secret shorter than 12 characters is
//! fully masked). The raw text is reachable only through [`Secret::expose`],
//! so every place that hands a token out is findable with one `grep`.

use std::fmt;

/// The text shown for a secret too short to keep any prefix of.
pub const MASK: &str = "…";

/// How many leading characters a redacted secret keeps.
const KEPT_CHARS: usize = 4;

/// Secrets shorter than this (in characters) are masked entirely.
const MIN_CHARS_FOR_PREFIX: usize = 12;

/// A secret text: an access token, a personal access token.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(String);

impl Secret {
    /// Wraps a raw secret.
    pub fn new(raw: impl Into<String>) -> Self {
        Self(raw.into())
    }

    /// The raw secret text. The only way to get it: call it where the token
    /// must really leave the engine (an API answer, an HTTP header).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The redacted form, safe to print anywhere.
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Redacts any text as a secret would be: at most the first 4 characters and
/// `…`; texts shorter than 12 characters become just `…`.
pub fn redact(raw: &str) -> String {
    if raw.chars().count() < MIN_CHARS_FOR_PREFIX {
        return MASK.to_owned();
    }
    let mut out: String = raw.chars().take(KEPT_CHARS).collect();
    out.push_str(MASK);
    out
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.redacted())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "NmY4ZTk4ZjUtZjVkNi00YjU3LWFmYzMtYjZkNDMxMzFhNmU1fHJlYWQtd3JpdGU=";

    #[test]
    fn debug_and_display_never_show_the_secret() {
        let secret = Secret::new(TOKEN);
        for shown in [
            format!("{secret:?}"),
            format!("{secret}"),
            format!("{secret:#?}"),
        ] {
            assert!(!shown.contains(TOKEN), "{shown}");
            assert!(shown.contains("NmY4…"), "{shown}");
        }
    }

    #[test]
    fn short_secrets_are_fully_masked() {
        assert_eq!(redact("abc"), "…");
        assert_eq!(redact("12345678901"), "…");
        assert_eq!(redact("123456789012"), "1234…");
        assert_eq!(redact(""), "…");
    }

    #[test]
    fn redaction_counts_characters_not_bytes() {
        assert_eq!(redact("ééééééééééééé"), "éééé…");
    }

    #[test]
    fn expose_returns_the_raw_text() {
        assert_eq!(Secret::new(TOKEN).expose(), TOKEN);
    }
}
