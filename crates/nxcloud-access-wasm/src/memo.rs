//! Memoised decisions: a decision is a pure function of the state and the
//! request, and a cache server or a tool asks the same few requests again
//! and again (every task of a CI run presents the same token), so the
//! packed decision of a request already decided on the current state is
//! answered from here, without the SHA-256 of the token, the lookups and the
//! formatting of the reason.
//!
//! * **Revocation holds from the very next request** (REV-1..3): the state
//!   changes only through [`crate::AccessControl::write`], which empties the
//!   memo first. A decision is never answered from a state it was not made
//!   on.
//! * **No secret is kept**: a request is known by a 128-bit keyed hash
//!   (SipHash-1-3) of its fields, never by its text; the memo holds that
//!   hash and the packed decision, whose reason names tokens by id and name
//!   only.
//! * **No request borrows another's decision**: to be answered with the
//!   decision of a request that carried a token, a request must hash to
//!   that request's hash, which nobody without the token can compute: a
//!   guess succeeds with odds of about one in 2^114 against a full memo,
//!   keys known or not. Two requests that an attacker can both write hold
//!   no secret, so a collision between them would only answer one with a
//!   decision the attacker can ask for directly (and by chance it takes
//!   about 2^64 requests). The keys keep the map's buckets unpredictable
//!   (no flooding of one bucket): the wrapper seeds each memo from
//!   `Math.random` (the engine's own randomness, the global Web Crypto,
//!   costs milliseconds to load on its first use, in a process that may
//!   never mint a token); unseeded, a memo draws them with `getrandom`,
//!   and without randomness nothing is memoised.
//! * **Bounded**: at most [`CAPACITY`] decisions; the memo is emptied when
//!   full.
//!
//! The wrapper (`pkg/index.cjs`) keeps the unpacked decision of each id of
//! the current *epoch*; every emptying of a non-empty memo starts a new
//! epoch, whose ids start at 0 again.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use siphasher::sip128::{Hasher128, SipHasher13};

/// The most decisions kept (a few MB at most).
pub(crate) const CAPACITY: usize = 16_384;

/// Ids are below this (`CAPACITY` is), so that an id and a 32-bit epoch fit
/// one JS number exactly: `epoch * ID_SPAN + id` < 2^52.
pub(crate) const ID_SPAN: u32 = 1 << 20;

/// The memo of one `AccessControl`.
#[derive(Default)]
pub(crate) struct Memo {
    /// The SipHash keys; drawn on first use, `Err` when the platform has no
    /// randomness.
    keys: Option<Result<(u64, u64), ()>>,
    ids: HashMap<u128, u32, BuildHasherDefault<KeyedHash>>,
    /// Packed decisions (see `fast.rs`), by id.
    decisions: Vec<String>,
    epoch: u32,
}

/// The fields of a request, in order: what the memo key is made of.
pub(crate) enum Field<'a> {
    Text(Option<&'a str>),
    Code(u32),
}

impl Memo {
    /// Sets the SipHash keys, if none were drawn yet (see the module docs:
    /// the wrapper seeds each memo before its first decision).
    pub(crate) fn seed(&mut self, k0: u64, k1: u64) {
        if self.keys.is_none() {
            self.keys = Some(Ok((k0, k1)));
        }
    }

    /// The key of a request (`kind` tells the two decisions apart); `None`
    /// when nothing may be memoised (no randomness).
    pub(crate) fn key(&mut self, kind: u8, fields: &[Field<'_>]) -> Option<u128> {
        let (k0, k1) = (*self.keys.get_or_insert_with(draw_keys)).ok()?;
        let mut h = SipHasher13::new_with_keys(k0, k1);
        h.write_u8(kind);
        for field in fields {
            match field {
                // Length-prefixed, with absence apart from the empty text:
                // no two different requests write the same bytes.
                Field::Text(None) => h.write_u8(0),
                Field::Text(Some(text)) => {
                    h.write_u8(1);
                    h.write_u64(text.len() as u64);
                    h.write(text.as_bytes());
                }
                Field::Code(code) => h.write_u32(*code),
            }
        }
        Some(h.finish128().as_u128())
    }

    /// The id of the memoised decision of `key` in the current epoch.
    pub(crate) fn get(&self, key: u128) -> Option<u32> {
        self.ids.get(&key).copied()
    }

    /// Memoises a packed decision; returns its id (emptying the memo first
    /// when it is full).
    pub(crate) fn insert(&mut self, key: u128, packed: String) -> u32 {
        if self.decisions.len() >= CAPACITY {
            self.clear();
        }
        // Below CAPACITY, so below ID_SPAN: the cast cannot truncate.
        let id = self.decisions.len() as u32;
        self.decisions.push(packed);
        self.ids.insert(key, id);
        id
    }

    /// The packed decision of an id of the current epoch.
    pub(crate) fn packed(&self, id: u32) -> Option<&str> {
        self.decisions.get(id as usize).map(String::as_str)
    }

    /// The current epoch and an id as one JS number.
    pub(crate) fn handle(&self, id: u32) -> f64 {
        f64::from(self.epoch) * f64::from(ID_SPAN) + f64::from(id)
    }

    /// Forgets every decision (a new epoch, if there was any).
    pub(crate) fn clear(&mut self) {
        if !self.decisions.is_empty() {
            self.ids.clear();
            self.decisions.clear();
            self.epoch = self.epoch.wrapping_add(1);
        }
    }
}

fn draw_keys() -> Result<(u64, u64), ()> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|_| ())?;
    let (a, b) = bytes.split_at(8);
    let k0 = u64::from_le_bytes(a.try_into().map_err(|_| ())?);
    let k1 = u64::from_le_bytes(b.try_into().map_err(|_| ())?);
    Ok((k0, k1))
}

/// The map's hasher: the keys are already keyed hashes, so their low 64
/// bits are the bucket hash (no second hash per lookup).
#[derive(Default)]
pub(crate) struct KeyedHash(u64);

impl Hasher for KeyedHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Not reached for `u128` keys (they call `write_u128`); a plain
        // FNV-1a keeps the hasher total.
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u128(&mut self, value: u128) {
        self.0 = value as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runner_key(memo: &mut Memo, id: Option<&str>, token: Option<&str>) -> u128 {
        memo.key(0, &[Field::Text(id), Field::Text(token), Field::Code(0)])
            .unwrap()
    }

    #[test]
    fn different_requests_have_different_keys() {
        let mut memo = Memo::default();
        let a = runner_key(&mut memo, Some("ab"), Some("c"));
        assert_ne!(a, runner_key(&mut memo, Some("a"), Some("bc")));
        assert_ne!(a, runner_key(&mut memo, Some("ab"), None));
        assert_ne!(
            runner_key(&mut memo, None, Some("")),
            runner_key(&mut memo, Some(""), None)
        );
        assert_eq!(a, runner_key(&mut memo, Some("ab"), Some("c")));
        assert_ne!(
            a,
            memo.key(
                1,
                &[
                    Field::Text(Some("ab")),
                    Field::Text(Some("c")),
                    Field::Code(0)
                ]
            )
            .unwrap()
        );
    }

    #[test]
    fn keys_differ_between_memos() {
        let a = runner_key(&mut Memo::default(), Some("ws"), Some("token"));
        let b = runner_key(&mut Memo::default(), Some("ws"), Some("token"));
        assert_ne!(a, b, "each memo draws its own SipHash keys");
    }

    #[test]
    fn a_seed_sets_the_keys_once() {
        let mut seeded = Memo::default();
        seeded.seed(1, 2);
        let mut same = Memo::default();
        same.seed(1, 2);
        let key = runner_key(&mut seeded, Some("ws"), None);
        assert_eq!(key, runner_key(&mut same, Some("ws"), None));
        seeded.seed(3, 4);
        assert_eq!(
            key,
            runner_key(&mut seeded, Some("ws"), None),
            "keys never change"
        );
        let mut drawn = Memo::default();
        let before = runner_key(&mut drawn, Some("ws"), None);
        drawn.seed(1, 2);
        assert_eq!(before, runner_key(&mut drawn, Some("ws"), None));
    }

    #[test]
    fn clear_forgets_and_starts_a_new_epoch() {
        let mut memo = Memo::default();
        let key = runner_key(&mut memo, Some("ws"), None);
        let id = memo.insert(key, "packed".into());
        assert_eq!(memo.get(key), Some(id));
        assert_eq!(memo.packed(id), Some("packed"));
        assert_eq!(memo.handle(id), 0.0);
        memo.clear();
        assert_eq!(memo.get(key), None);
        assert_eq!(memo.packed(id), None);
        assert_eq!(memo.handle(0), f64::from(ID_SPAN));
        memo.clear(); // an empty memo keeps its epoch
        assert_eq!(memo.handle(0), f64::from(ID_SPAN));
    }

    #[test]
    fn a_full_memo_is_emptied_before_the_next_decision() {
        let mut memo = Memo::default();
        for n in 0..CAPACITY {
            let key = memo.key(0, &[Field::Code(n as u32)]).unwrap();
            memo.insert(key, String::new());
        }
        let first = memo.key(0, &[Field::Code(0)]).unwrap();
        assert_eq!(memo.get(first), Some(0));
        let key = memo.key(0, &[Field::Code(u32::MAX)]).unwrap();
        assert_eq!(memo.insert(key, String::new()), 0);
        assert_eq!(memo.get(first), None);
        assert_eq!(memo.handle(0), f64::from(ID_SPAN));
        assert!(CAPACITY < ID_SPAN as usize);
    }
}
