//! The shape of an Nx Cloud CI access token (TOKF-1), read without ever
//! printing the token.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

use crate::secret::Secret;

/// The access level a token's shape declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessLevel {
    ReadOnly,
    ReadWrite,
    /// Not the shape of an Nx Cloud access token.
    Unknown,
}

/// Standard base64; the `=` padding is sometimes missing.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

// TOKF-1: base64 of `<uuid>|read-write`, `<uuid>|read-only` (older read-only
// tokens) or `<uuid>|read` (the read-only tokens Nx Cloud issues today).
/// Reads the access level out of the token's shape.
pub fn access_level(token: &Secret) -> AccessLevel {
    let Ok(bytes) = LENIENT.decode(token.expose().trim()) else {
        return AccessLevel::Unknown;
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return AccessLevel::Unknown;
    };
    let Some((uuid, level)) = text.split_once('|') else {
        return AccessLevel::Unknown;
    };
    if !is_uuid(uuid) {
        return AccessLevel::Unknown;
    }
    match level {
        "read-only" | "read" => AccessLevel::ReadOnly,
        "read-write" => AccessLevel::ReadWrite,
        _ => AccessLevel::Unknown,
    }
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    lengths == [8, 4, 4, 4, 12]
        && groups
            .iter()
            .all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Mints a token of the TOKF-1 shape (for tests and examples).
pub fn mint(uuid: &str, level: AccessLevel, padded: bool) -> Secret {
    let level = match level {
        AccessLevel::ReadOnly => "read-only",
        AccessLevel::ReadWrite => "read-write",
        AccessLevel::Unknown => "unknown",
    };
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{uuid}|{level}"));
    Secret::new(if padded {
        encoded
    } else {
        encoded.trim_end_matches('=').to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const UUID: &str = "6f8e98f5-f5d6-4b57-afc3-b6d43131a6e5";

    #[test]
    fn reads_both_levels_with_and_without_padding() {
        for padded in [true, false] {
            assert_eq!(
                access_level(&mint(UUID, AccessLevel::ReadWrite, padded)),
                AccessLevel::ReadWrite
            );
            assert_eq!(
                access_level(&mint(UUID, AccessLevel::ReadOnly, padded)),
                AccessLevel::ReadOnly
            );
        }
        let known = Secret::new("NmY4ZTk4ZjUtZjVkNi00YjU3LWFmYzMtYjZkNDMxMzFhNmU1fHJlYWQtd3JpdGU=");
        assert_eq!(access_level(&known), AccessLevel::ReadWrite);
    }

    #[test]
    fn reads_todays_read_only_shape() {
        // base64 of `<uuid>|read` (recorded case read-only-token-shape).
        let text = base64::engine::general_purpose::STANDARD.encode(format!("{UUID}|read"));
        assert_eq!(
            access_level(&Secret::new(text.clone())),
            AccessLevel::ReadOnly
        );
        let unpadded = text.trim_end_matches('=').to_owned();
        assert_eq!(access_level(&Secret::new(unpadded)), AccessLevel::ReadOnly);
        let other = base64::engine::general_purpose::STANDARD.encode(format!("{UUID}|reader"));
        assert_eq!(access_level(&Secret::new(other)), AccessLevel::Unknown);
    }

    #[test]
    fn other_shapes_are_unknown() {
        for other in ["SOMETOKEN", "", "bm90LWEtdXVpZHxyZWFkLXdyaXRl", "%%%"] {
            assert_eq!(
                access_level(&Secret::new(other)),
                AccessLevel::Unknown,
                "{other}"
            );
        }
        assert_eq!(
            access_level(&mint(UUID, AccessLevel::Unknown, true)),
            AccessLevel::Unknown
        );
    }
}
