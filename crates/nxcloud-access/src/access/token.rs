//! Minting, hashing and verifying tokens; generating nxCloudIds.
//!
//! TOK-6: a token is 32 bytes (256 bits) from the operating system's CSPRNG,
//! base64url without padding, behind a prefix that makes a leaked token
//! recognisable (and greppable by secret scanners):
//!
//! * `nxca_` + 43 characters: a CI access token;
//! * `nxpat_` + 43 characters: a personal access token.
//!
//! The engine keeps only the SHA-256 of the whole token text. A presented
//! token is hashed, looked up by its hash (O(1), in a `HashMap`), and the
//! stored hash is then compared with the computed one in constant time
//! (`subtle`); the map lookup reveals nothing about the token itself, only
//! about its hash, whose preimage is 256 bits of randomness.

use std::fmt;

use base64::Engine as _;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::AccessError;
use crate::secret::Secret;

/// The prefix of every CI access token.
pub const CI_ACCESS_TOKEN_PREFIX: &str = "nxca_";
/// The prefix of every personal access token.
pub const PERSONAL_ACCESS_TOKEN_PREFIX: &str = "nxpat_";
/// Random bytes in a token (256 bits).
const TOKEN_BYTES: usize = 32;
/// Characters of an nxCloudId (ID-3 of part 1): 12 random bytes in hex.
pub const NX_CLOUD_ID_LEN: usize = 24;

/// The SHA-256 of a token's text: all the engine ever stores of a token.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    /// Hashes a presented or freshly minted token.
    pub fn of(token: &Secret) -> Self {
        Self(Sha256::digest(token.expose().as_bytes()).into())
    }

    /// Constant-time equality (TOK-6). Compares four 64-bit words rather
    /// than 32 bytes: `subtle` puts an optimisation barrier on every element
    /// it compares, and a decision runs this on every request.
    pub fn verify(&self, other: &TokenHash) -> bool {
        let words = |hash: &[u8; 32]| {
            let mut out = [0u64; 4];
            for (word, chunk) in out.iter_mut().zip(hash.chunks_exact(8)) {
                let mut bytes = [0u8; 8];
                bytes.copy_from_slice(chunk);
                *word = u64::from_le_bytes(bytes);
            }
            out
        };
        bool::from(words(&self.0).ct_eq(&words(&other.0)))
    }

    /// Lower-case hexadecimal, for snapshots.
    pub fn to_hex(self) -> String {
        let mut out = String::with_capacity(64);
        for byte in self.0 {
            out.push(hex_digit(byte >> 4));
            out.push(hex_digit(byte & 0x0f));
        }
        out
    }

    /// Parses 64 lower-case hexadecimal characters.
    pub fn from_hex(text: &str) -> Option<Self> {
        if text.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        let digits: Vec<u8> = text
            .chars()
            .map(|c| c.to_digit(16).filter(|_| !c.is_ascii_uppercase()))
            .collect::<Option<Vec<u32>>>()?
            .into_iter()
            .map(|d| u8::try_from(d).unwrap_or(0))
            .collect();
        for (slot, pair) in out.iter_mut().zip(digits.chunks(2)) {
            if let [high, low] = pair {
                *slot = (high << 4) | low;
            }
        }
        Some(Self(out))
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenHash(…)")
    }
}

/// Mints a new token with `prefix`.
pub fn mint(prefix: &str) -> Result<Secret, AccessError> {
    let mut bytes = [0u8; TOKEN_BYTES];
    random_fill(&mut bytes)?;
    let body = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    Ok(Secret::new(format!("{prefix}{body}")))
}

/// A new nxCloudId: 24 lower-case hexadecimal characters from the CSPRNG.
pub fn new_nx_cloud_id() -> Result<String, AccessError> {
    let mut bytes = [0u8; NX_CLOUD_ID_LEN / 2];
    random_fill(&mut bytes)?;
    let mut out = String::with_capacity(NX_CLOUD_ID_LEN);
    for byte in bytes {
        out.push(hex_digit(byte >> 4));
        out.push(hex_digit(byte & 0x0f));
    }
    Ok(out)
}

/// Whether `text` has the shape of an nxCloudId this engine issues.
pub fn is_nx_cloud_id(text: &str) -> bool {
    text.len() == NX_CLOUD_ID_LEN
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

/// Characters after the prefix in a minted token (32 bytes in base64url).
const TOKEN_BODY_CHARS: usize = 43;

/// Whether `text` holds a whole token of this engine (`nxca_` or `nxpat_`
/// followed by at least 43 base64url characters): a plaintext secret where
/// only hashes and names belong (TOK-6). Linear in the text.
pub fn contains_token(text: &str) -> bool {
    [CI_ACCESS_TOKEN_PREFIX, PERSONAL_ACCESS_TOKEN_PREFIX]
        .iter()
        .any(|prefix| {
            text.match_indices(prefix).any(|(at, _)| {
                // 43 characters follow, all of them base64url.
                text.get(at + prefix.len()..).is_some_and(|body| {
                    body.chars()
                        .take(TOKEN_BODY_CHARS)
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                        .count()
                        == TOKEN_BODY_CHARS
                })
            })
        })
}

/// Masks anything shaped like one of our tokens in a text (a parse error may
/// quote the value it could not read, TOK-6).
pub fn scrub_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = [CI_ACCESS_TOKEN_PREFIX, PERSONAL_ACCESS_TOKEN_PREFIX]
            .iter()
            .filter_map(|prefix| rest.find(prefix).map(|at| (at, prefix.len())))
            .min();
        let Some((at, len)) = next else {
            out.push_str(rest);
            return out;
        };
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let (prefix, body) = after.split_at(len);
        out.push_str(prefix);
        let end = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(body.len());
        // A prefix with nothing after it (already masked) stays as it is:
        // scrubbing twice gives what scrubbing once gave.
        if end > 0 {
            out.push('…');
        }
        rest = body.get(end..).unwrap_or("");
    }
}

fn random_fill(bytes: &mut [u8]) -> Result<(), AccessError> {
    getrandom::fill(bytes).map_err(|e| {
        AccessError::Internal(format!(
            "the operating system's random number generator failed ({e}); retry, or check the platform"
        ))
    })
}

fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble & 0x0f), 16).unwrap_or('0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_tokens_are_prefixed_long_and_distinct() {
        let a = mint(CI_ACCESS_TOKEN_PREFIX).unwrap();
        let b = mint(CI_ACCESS_TOKEN_PREFIX).unwrap();
        assert!(a.expose().starts_with("nxca_"));
        assert_eq!(a.expose().len(), 5 + 43);
        assert_ne!(a, b);
        assert!(!format!("{a:?}").contains(a.expose()));
    }

    #[test]
    fn hashes_round_trip_through_hex_and_verify() {
        let token = mint(PERSONAL_ACCESS_TOKEN_PREFIX).unwrap();
        let hash = TokenHash::of(&token);
        let hex = hash.to_hex();
        assert_eq!(hex.len(), 64);
        let back = TokenHash::from_hex(&hex).unwrap();
        assert!(back.verify(&hash));
        assert!(!back.verify(&TokenHash::of(&Secret::new("other"))));
        assert_eq!(TokenHash::from_hex(&hex.to_uppercase()), None);
        assert_eq!(TokenHash::from_hex("zz"), None);
    }

    #[test]
    fn scrubbing_masks_every_token_shaped_word() {
        assert_eq!(
            scrub_tokens("a `nxca_abc-DEF_1` b nxpat_xyz. c"),
            "a `nxca_…` b nxpat_…. c"
        );
        assert_eq!(scrub_tokens("no token here"), "no token here");
        let once = scrub_tokens("a nxca_abcdef-0123 b");
        assert_eq!(scrub_tokens(&once), once);
    }

    #[test]
    fn nx_cloud_ids_have_24_hex_characters() {
        let id = new_nx_cloud_id().unwrap();
        assert!(is_nx_cloud_id(&id), "{id}");
        assert!(!is_nx_cloud_id("ABCDEFABCDEFABCDEFABCDEF"));
        assert!(!is_nx_cloud_id("abc"));
    }
}
