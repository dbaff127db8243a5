//! The limits that protect the host from hostile input.
//!
//! The engine runs inside build tools, a cache server and a browser tab: an
//! input must never exhaust the stack, the memory or the time of its host.
//! Every limit is far above what a real workspace or organization needs (the
//! figures below say how far), is checked *before* the expensive work, and
//! is refused with a clear error that names the limit and what to do:
//!
//! * resolution: `invalid-nx-json` (with line and column) for nesting that
//!   is too deep, `invalid-input` for texts that are too large;
//! * access control: `invalid-input` for a snapshot that is too large or too
//!   deeply nested.
//!
//! Below the limits every path is linear or `n log n` in the size of the
//! input: the hostile-input tests (`tests/hostile_inputs.rs`) run a 5 MB
//! `nx.json` and an organization of 100,000 members through the engine.

/// Largest text of one resolution input file (`nx.json`, `nx-cloud.env`,
/// each root dotenv file, `package.json`, the PAT file): 8 MiB.
///
/// A large real `nx.json` is a few tens of KB; a dotenv file or the PAT file
/// a few KB.
pub const MAX_TEXT_BYTES: usize = 8 * 1024 * 1024;

/// Largest whole resolution input: every text, environment variable (name
/// and value), file name and tracked file name together: 32 MiB.
pub const MAX_RESOLVE_INPUT_BYTES: usize = 32 * 1024 * 1024;

/// Deepest nesting of arrays and objects in `nx.json` and `package.json`:
/// 128 (the limit `serde_json` applies; a real `nx.json` nests below 10).
///
/// The parser, the conversion of its tree and the drop of that tree each
/// recurse once per level, and a WebAssembly stack is small. `jsonc-parser`
/// 0.34 stops by itself at 512 levels ("Maximum nesting depth exceeded",
/// checked: 10 MB of `[` gets that error, no overflow); the engine does not
/// rely on a dependency's internal limit and checks its own, lower one with a
/// scan that understands strings and comments, before the parser runs.
pub const MAX_JSON_DEPTH: usize = 128;

/// Characters the `${NAME}` expansion of the root dotenv files (DOT-1) may
/// read and write in one resolution, beyond reading each value once: 16 Mi. References that fan out
/// (`B=${A}${A}…`, `C=${B}${B}…`, up to 8 levels) grow exponentially, a
/// "billion laughs" that would exhaust memory (in Nx too); real files spend
/// the length of the values they substitute.
pub const MAX_DOTENV_EXPANSION: usize = 16 * 1024 * 1024;

/// Largest snapshot [`crate::AccessControl::from_json`] restores: 256 MiB.
///
/// A snapshot costs about 150 bytes per user with one membership and 200
/// per token: an organization of 100,000 members is about 15 MB.
pub const MAX_SNAPSHOT_BYTES: usize = 256 * 1024 * 1024;

/// Deepest nesting in a snapshot: 128. A valid snapshot nests 4 levels;
/// `serde_json` refuses deeper input by itself at this same depth (its
/// recursion limit), and the engine relies on it.
pub const MAX_SNAPSHOT_DEPTH: usize = 128;

/// Longest id, name, email or domain a command accepts: 200 characters
/// (see `access::validate`).
pub const MAX_ID_CHARS: usize = 200;
