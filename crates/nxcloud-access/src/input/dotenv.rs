//! The two dotenv flavours of ENVF-3, and the `${NAME}` expansion of DOT-1.
//!
//! Why not `dotenvy`: it matches neither flavour. Against Nx's parser
//! (npm `dotenv` 16) it rejects backtick quotes and `KEY: value`, keeps an
//! unquoted `#` that has no space before it, and always substitutes `$NAME`
//! (ENVF-1 forbids that for `nx-cloud.env`); against the client's parser
//! (npm `dotenv` 10) it accepts `export KEY=` lines and strips comments, the
//! two things that flavour does not do. Its substitution also reads the real
//! process environment, which a pure core must not. So both flavours are
//! small ports of the two npm parsers, tested line by line below.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap, HashSet};

use crate::limits::MAX_DOTENV_EXPANSION;

/// Which parser reads a dotenv text (ENVF-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// Nx's own parser (npm `dotenv` 16, Nx 17.0 and later; also the root
    /// `.env` files in every version).
    Nx,
    /// The installed client package's older parser (npm `dotenv` 10).
    Client,
}

/// Parsed `KEY=value` pairs, in file order; a later duplicate replaces the
/// value of an earlier one (both npm parsers assign into one object).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DotEnv {
    pub entries: Vec<(String, String)>,
    /// Key -> position in `entries` (lookups stay O(1) in large files).
    index: HashMap<String, usize>,
}

impl DotEnv {
    /// The value of `key`, if the file sets it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.index
            .get(key)
            .and_then(|i| self.entries.get(*i))
            .map(|(_, v)| v.as_str())
    }

    fn set(&mut self, key: &str, value: String) {
        match self.index.get(key).and_then(|i| self.entries.get_mut(*i)) {
            Some(entry) => entry.1 = value,
            None => {
                self.index.insert(key.to_owned(), self.entries.len());
                self.entries.push((key.to_owned(), value));
            }
        }
    }
}

/// Parses a dotenv text with one flavour.
pub fn parse(text: &str, flavour: Flavour) -> DotEnv {
    match flavour {
        Flavour::Nx => parse_nx(text),
        Flavour::Client => parse_client(text),
    }
}

// The client's older parser of ENVF-3 (npm `dotenv` 10). Line by line,
// `^\s*([\w.-]+)\s*=\s*(.*)?\s*$`: no `export`, no `:`, no comments; quotes
// are removed only when they open and close the whole rest of the line.
fn parse_client(text: &str) -> DotEnv {
    let mut out = DotEnv::default();
    for line in text.split("\r\n").flat_map(|l| l.split(['\n', '\r'])) {
        let chars: Vec<char> = line.chars().collect();
        let mut i = skip(&chars, 0, is_js_space);
        let key_start = i;
        i = skip(&chars, i, is_key_char);
        if i == key_start {
            continue;
        }
        let key: String = slice(&chars, key_start, i);
        i = skip(&chars, i, is_js_space);
        if chars.get(i) != Some(&'=') {
            continue;
        }
        i = skip(&chars, i + 1, is_js_space);
        let val: Vec<char> = chars.iter().skip(i).copied().collect();
        let first = val.first().copied();
        let last = val.last().copied();
        let value = match (first, last) {
            (Some(q @ ('"' | '\'')), Some(l)) if q == l && val.len() >= 2 => {
                let inner: String = slice(&val, 1, val.len() - 1);
                if q == '"' {
                    inner.replace("\\n", "\n")
                } else {
                    inner
                }
            }
            _ => js_trim(&val.iter().collect::<String>()),
        };
        out.set(&key, value);
    }
    out
}

// Nx's own parser of ENVF-3 (npm `dotenv` 16), a port of its one regular expression
// /^\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?$/mg
// with the same backtracking: `export ` prefix, three quote kinds (spanning
// lines), `KEY: value`, and an unquoted `#` ends the value.
fn parse_nx(text: &str) -> DotEnv {
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let chars: Vec<char> = normalized.chars().collect();
    let mut out = DotEnv::default();
    let mut pos = 0;
    while pos <= chars.len() {
        // `^` (multi-line): the match starts at a line start.
        let start = if pos == 0 || chars.get(pos - 1) == Some(&'\n') {
            pos
        } else {
            match chars.iter().skip(pos).position(|c| *c == '\n') {
                Some(off) => pos + off + 1,
                None => break,
            }
        };
        match match_line(&chars, start) {
            Some((key, raw, end)) => {
                out.set(&key, clean_nx_value(&raw));
                pos = if end > start { end } else { start + 1 };
            }
            None => pos = start + 1,
        }
        if start >= chars.len() {
            break;
        }
    }
    out
}

/// Tries the regex at a line start: the key, the raw value, the match end.
fn match_line(chars: &[char], start: usize) -> Option<(String, String, usize)> {
    let after_space = skip(chars, start, is_js_space);
    // `(?:export\s+)?` is greedy: with the prefix first, then without.
    let mut key_starts = Vec::new();
    let export: Vec<char> = "export".chars().collect();
    if chars.get(after_space..after_space + export.len()) == Some(&export[..]) {
        let spaced = skip(chars, after_space + export.len(), is_js_space);
        if spaced > after_space + export.len() {
            key_starts.push(spaced);
        }
    }
    key_starts.push(after_space);
    for key_start in key_starts {
        let key_end = skip(chars, key_start, is_key_char);
        if key_end == key_start {
            continue;
        }
        for value_start in separator_ends(chars, key_end) {
            if let Some((raw, end)) = match_value(chars, value_start) {
                return Some((slice(chars, key_start, key_end), raw, end));
            }
        }
    }
    None
}

/// Where the value may start after `(?:\s*=\s*?|:\s+?)`, in the order the
/// regex tries them (lazy: fewest spaces first).
fn separator_ends(chars: &[char], key_end: usize) -> Vec<usize> {
    let mut ends = Vec::new();
    let eq = skip(chars, key_end, is_js_space);
    if chars.get(eq) == Some(&'=') {
        let spaces_end = skip(chars, eq + 1, is_js_space);
        ends.extend(eq + 1..=spaces_end);
    }
    if chars.get(key_end) == Some(&':') {
        let spaces_end = skip(chars, key_end + 1, is_js_space);
        ends.extend(key_end + 2..=spaces_end);
    }
    ends
}

/// The value alternatives, then the tail `\s*(?:#.*)?$`.
fn match_value(chars: &[char], at: usize) -> Option<(String, usize)> {
    // The three quoted alternatives, `\s*` then the quote.
    let quote_at = skip(chars, at, is_js_space);
    for quote in ['\'', '"', '`'] {
        if chars.get(quote_at) != Some(&quote) {
            continue;
        }
        for close in closing_quotes(chars, quote_at, quote).into_iter().rev() {
            if let Some(end) = tail(chars, close + 1) {
                return Some((slice(chars, at, close + 1), end));
            }
        }
    }
    // `[^#\r\n]+`: the longest run always leaves a tail that matches.
    let run_end = skip(chars, at, |c| c != '#' && c != '\n' && c != '\r');
    if run_end > at {
        if let Some(end) = tail(chars, run_end) {
            return Some((slice(chars, at, run_end), end));
        }
    }
    // No value at all.
    tail(chars, at).map(|end| (String::new(), end))
}

/// Positions where `(?:\\q|[^q])*q` can close: every `q` after the opening one
/// such that each `q` before it is preceded by a backslash.
fn closing_quotes(chars: &[char], open: usize, quote: char) -> Vec<usize> {
    let mut closes = Vec::new();
    let mut i = open + 1;
    while let Some(&c) = chars.get(i) {
        if c == quote {
            closes.push(i);
            let escaped = i > open + 1 && chars.get(i - 1) == Some(&'\\');
            if !escaped {
                break;
            }
        }
        i += 1;
    }
    closes
}

/// `\s*(?:#.*)?$` (multi-line `$`): the match end, longest first.
fn tail(chars: &[char], at: usize) -> Option<usize> {
    let spaces_end = skip(chars, at, is_js_space);
    (at..=spaces_end).rev().find_map(|k| match chars.get(k) {
        Some('#') => Some(skip(chars, k, |c| c != '\n' && c != '\r')),
        None | Some('\n') => Some(k),
        _ => None,
    })
}

fn clean_nx_value(raw: &str) -> String {
    let value = js_trim(raw);
    let chars: Vec<char> = value.chars().collect();
    let first = chars.first().copied();
    let stripped = match (first, chars.last()) {
        (Some(q @ ('\'' | '"' | '`')), Some(l)) if q == *l && chars.len() >= 2 => {
            slice(&chars, 1, chars.len() - 1)
        }
        _ => value.clone(),
    };
    if first == Some('"') {
        stripped.replace("\\n", "\n").replace("\\r", "\r")
    } else {
        stripped
    }
}

/// The root `.env` files in the order Nx loads them (DOT-1).
pub const ROOT_DOT_ENV_FILES: [&str; 3] = [".local.env", ".env.local", ".env"];

/// Where a variable of the environment came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvValue {
    pub value: String,
    /// `env` for the real environment, else the file name (`.env`, …).
    pub origin: String,
}

/// A variable of a root `.env` file that was not loaded because it existed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shadowed {
    pub file: String,
    pub key: String,
    pub value: String,
    /// Where the variable that won came from.
    pub by: String,
}

/// The environment as Nx sees it, and what the `.env` files lost.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    pub vars: BTreeMap<String, EnvValue>,
    pub shadowed: Vec<Shadowed>,
    /// The `${NAME}` expansion stopped at [`MAX_DOTENV_EXPANSION`]
    /// characters of work (an expansion bomb): the values are incomplete.
    pub expansion_limited: bool,
}

impl Environment {
    /// The value of a variable (possibly empty).
    pub fn value(&self, key: &str) -> Option<&str> {
        self.vars.get(key).map(|v| v.value.as_str())
    }

    /// The value when it is not empty.
    pub fn non_empty(&self, key: &str) -> Option<&EnvValue> {
        self.vars.get(key).filter(|v| !v.value.is_empty())
    }
}

// DOT-1: `.local.env`, `.env.local`, `.env` are loaded in that order; an
// existing variable (even empty, or from an earlier file) is never replaced;
// `${NAME}` references are expanded (npm `dotenv-expand`).
/// Builds the environment Nx sees from the real one and the root files.
pub fn load_environment(
    real: &BTreeMap<String, String>,
    files: &BTreeMap<String, String>,
) -> Environment {
    let mut env = Environment {
        vars: real
            .iter()
            .map(|(k, v)| {
                let value = EnvValue {
                    value: v.clone(),
                    origin: "env".into(),
                };
                (k.clone(), value)
            })
            .collect(),
        shadowed: Vec::new(),
        expansion_limited: false,
    };
    let budget = Budget::new(MAX_DOTENV_EXPANSION);
    for file in ROOT_DOT_ENV_FILES {
        let Some(text) = files.get(file) else {
            continue;
        };
        let parsed = parse(text, Flavour::Nx);
        // `dotenv.config` first: new keys enter the environment unexpanded.
        let mut fresh: Vec<&str> = Vec::new();
        let mut is_fresh: HashSet<&str> = HashSet::new();
        for (key, value) in &parsed.entries {
            match env.vars.get(key) {
                Some(existing) => env.shadowed.push(Shadowed {
                    file: file.to_owned(),
                    key: key.clone(),
                    value: value.clone(),
                    by: existing.origin.clone(),
                }),
                None => {
                    fresh.push(key);
                    is_fresh.insert(key);
                    let value = EnvValue {
                        value: value.clone(),
                        origin: file.to_owned(),
                    };
                    env.vars.insert(key.clone(), value);
                }
            }
        }
        // Then `dotenv-expand`, key by key in file order.
        let mut expanded = parsed.clone();
        for (key, _) in &parsed.entries {
            if !is_fresh.contains(key.as_str()) {
                continue;
            }
            let raw = expanded.get(key).unwrap_or_default().to_owned();
            let value = unescape_dollars(&interpolate(&raw, &env, &expanded, 0, &budget));
            expanded.set(key, value);
        }
        for key in fresh {
            if let (Some(value), Some(var)) = (expanded.get(key), env.vars.get_mut(key)) {
                var.value = value.to_owned();
            }
        }
    }
    env.expansion_limited = budget.exhausted.get();
    env
}

/// The characters `${NAME}` expansion may still read and write, across all
/// the root files, beyond reading each value once: references that fan out (`B=${A}${A}…`, `C=${B}${B}…`)
/// grow exponentially with the depth, as in Nx itself.
struct Budget {
    left: Cell<usize>,
    exhausted: Cell<bool>,
}

impl Budget {
    fn new(chars: usize) -> Self {
        Self {
            left: Cell::new(chars),
            exhausted: Cell::new(false),
        }
    }

    /// Spends `n` characters; false (and exhausted) when they are not left.
    fn spend(&self, n: usize) -> bool {
        match self.left.get().checked_sub(n) {
            Some(left) if !self.exhausted.get() => {
                self.left.set(left);
                true
            }
            _ => {
                self.exhausted.set(true);
                false
            }
        }
    }
}

const MAX_EXPANSION_DEPTH: usize = 8;

/// `dotenv-expand` 11's `interpolate`: `$NAME`, `${NAME}`, `${NAME:-default}`,
/// `${NAME-default}`; `\$` keeps a literal dollar.
fn interpolate(
    value: &str,
    env: &Environment,
    parsed: &DotEnv,
    depth: usize,
    budget: &Budget,
) -> String {
    // Reading each value once (depth 0) is linear in the files and free;
    // every re-expansion and every substituted text is charged.
    if depth > MAX_EXPANSION_DEPTH || (depth > 0 && !budget.spend(value.len())) {
        return value.to_owned();
    }
    let chars: Vec<char> = value.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let escaped = c == '\\' && chars.get(i + 1) == Some(&'$');
        let dollar = if escaped { i + 1 } else { i };
        if chars.get(dollar) != Some(&'$') || chars.get(dollar + 1) == Some(&'(') {
            out.push(c);
            i += 1;
            continue;
        }
        let brace = chars.get(dollar + 1) == Some(&'{');
        let key_start = dollar + 1 + usize::from(brace);
        let key_end = skip(&chars, key_start, |c| {
            c.is_ascii_alphanumeric() || c == '_' || c == '.'
        });
        if key_end == key_start {
            out.push(c);
            i += 1;
            continue;
        }
        let mut end = key_end;
        let mut default = None;
        let dash = match (chars.get(end), chars.get(end + 1)) {
            (Some(':'), Some('-')) => Some(end + 2),
            (Some('-'), _) => Some(end + 1),
            _ => None,
        };
        if let Some(default_start) = dash {
            let default_end = skip(&chars, default_start, |c| c != '}');
            if default_end > default_start {
                default = Some(slice(&chars, default_start, default_end));
                end = default_end;
            }
        }
        if chars.get(end) == Some(&'}') {
            end += 1;
        }
        let whole = slice(&chars, i, end);
        if escaped {
            // The match minus its backslash, left unexpanded.
            out.push_str(whole.get(1..).unwrap_or_default());
        } else {
            let key = slice(&chars, key_start, key_end);
            let found = lookup(&key, value, default, env, parsed, depth, budget);
            if !budget.spend(found.len()) {
                return out;
            }
            out.push_str(&found);
        }
        i = end;
    }
    out
}

fn lookup(
    key: &str,
    value: &str,
    default: Option<String>,
    env: &Environment,
    parsed: &DotEnv,
    depth: usize,
    budget: &Budget,
) -> String {
    if let Some(current) = env.value(key).filter(|v| !v.is_empty()) {
        if Some(current) == parsed.get(key) {
            return current.to_owned();
        }
        return interpolate(current, env, parsed, depth + 1, budget);
    }
    if let Some(own) = parsed.get(key).filter(|v| !v.is_empty()) {
        if own != value {
            return interpolate(own, env, parsed, depth + 1, budget);
        }
    }
    match default {
        Some(d) if d.starts_with('$') => interpolate(&d, env, parsed, depth + 1, budget),
        Some(d) => d,
        None => String::new(),
    }
}

fn unescape_dollars(value: &str) -> String {
    value.replace("\\$", "$")
}

/// JavaScript's `\s`.
fn is_js_space(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}'
}

/// `[\w.-]`.
fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'
}

fn js_trim(text: &str) -> String {
    text.trim_matches(is_js_space).to_owned()
}

fn skip(chars: &[char], from: usize, keep: impl Fn(char) -> bool) -> usize {
    let mut i = from;
    while chars.get(i).is_some_and(|c| keep(*c)) {
        i += 1;
    }
    i.max(from)
}

fn slice(chars: &[char], from: usize, to: usize) -> String {
    chars
        .iter()
        .skip(from)
        .take(to.saturating_sub(from))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nx(text: &str) -> Vec<(String, String)> {
        parse(text, Flavour::Nx).entries
    }

    fn client(text: &str) -> Vec<(String, String)> {
        parse(text, Flavour::Client).entries
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn nx_flavour_accepts_export_quotes_colons_and_drops_comments() {
        assert_eq!(
            nx("export A=1\nB='two'\nC=\"th\\nree\"\nD=`four`\nE: five\nF=six # c\nG=se#ven\n"),
            pairs(&[
                ("A", "1"),
                ("B", "two"),
                ("C", "th\nree"),
                ("D", "four"),
                ("E", "five"),
                ("F", "six"),
                ("G", "se"),
            ])
        );
    }

    #[test]
    fn nx_flavour_keeps_hashes_inside_quotes_and_spans_lines() {
        assert_eq!(
            nx("A=\"x # y\" # c\nB='multi\nline'\nC=\n#D=1\n  E = spaced  \n"),
            pairs(&[
                ("A", "x # y"),
                ("B", "multi\nline"),
                ("C", ""),
                ("E", "spaced")
            ])
        );
    }

    #[test]
    fn nx_flavour_edge_cases_follow_the_regex() {
        // A quoted value followed by text is read unquoted, whole.
        assert_eq!(nx("A=\"x\" y\n"), pairs(&[("A", "\"x\" y")]));
        // `KEY:value` needs a space after the colon.
        assert_eq!(nx("A:b\nC: d\n"), pairs(&[("C", "d")]));
        assert_eq!(nx("K:\nfoo\n"), pairs(&[("K", "foo")]));
        assert_eq!(nx("Q='a\\'b' # c\n"), pairs(&[("Q", "a\\'b")]));
        // `export` alone is a key; a later duplicate wins.
        assert_eq!(nx("export=1\nexport=2\n"), pairs(&[("export", "2")]));
        // CRLF line ends.
        assert_eq!(nx("A=1\r\nB=2\r\n"), pairs(&[("A", "1"), ("B", "2")]));
        // Lines that are not assignments are skipped.
        assert_eq!(nx("garbage\n# comment\nA=1"), pairs(&[("A", "1")]));
    }

    #[test]
    fn client_flavour_ignores_export_and_keeps_comments_and_backticks() {
        assert_eq!(
            client("export A=1\nB=`two`\nC=three # c\nD=\"four\" # c\nE='five'\nF: six\nG = \"x\\ny\"\n"),
            pairs(&[
                ("B", "`two`"),
                ("C", "three # c"),
                ("D", "\"four\" # c"),
                ("E", "five"),
                ("G", "x\ny"),
            ])
        );
    }

    #[test]
    fn client_flavour_keeps_quotes_when_trailing_spaces_follow() {
        assert_eq!(
            client("A=\"x\"  \nB=\"\n"),
            pairs(&[("A", "\"x\""), ("B", "\"")])
        );
    }

    fn env(real: &[(&str, &str)], files: &[(&str, &str)]) -> Environment {
        let real = real
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let files = files
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        load_environment(&real, &files)
    }

    #[test]
    fn files_never_replace_existing_variables() {
        let e = env(
            &[("A", "")],
            &[(".env", "A=file\nB=env\n"), (".local.env", "B=local\n")],
        );
        assert_eq!(e.value("A"), Some(""));
        assert_eq!(
            e.vars.get("B").map(|v| v.origin.as_str()),
            Some(".local.env")
        );
        assert_eq!(e.value("B"), Some("local"));
        assert_eq!(e.shadowed.len(), 2);
    }

    #[test]
    fn references_are_expanded() {
        let e = env(
            &[("HOME_TOKEN", "abc")],
            &[(
                ".env",
                "A=${HOME_TOKEN}\nB=$A-x\nC=${MISSING:-dflt}\nD=\\$HOME_TOKEN\nE=${E}\n",
            )],
        );
        assert_eq!(e.value("A"), Some("abc"));
        // `$A-x` is `$A` with the default `x` (dotenv-expand's grammar).
        assert_eq!(e.value("B"), Some("abc"));
        assert_eq!(e.value("C"), Some("dflt"));
        assert_eq!(e.value("D"), Some("$HOME_TOKEN"));
        assert_eq!(e.value("E"), Some("${E}"));
    }

    /// Differential conformance: both flavours agree with the npm parsers
    /// on every input of `dotenv_corpus.json` (see `dotenv_corpus.js`).
    #[test]
    fn both_flavours_match_the_npm_parsers_on_the_corpus() {
        let corpus: Vec<serde_json::Value> =
            serde_json::from_str(include_str!("dotenv_corpus.json")).unwrap();
        assert!(corpus.len() >= 500);
        let sorted = |mut pairs: Vec<(String, String)>| {
            pairs.sort();
            pairs
        };
        let expected = |case: &serde_json::Value, field: &str| {
            let pairs: Vec<(String, String)> = serde_json::from_value(case[field].clone()).unwrap();
            sorted(pairs)
        };
        let mut mismatches = Vec::new();
        for case in &corpus {
            let text = case["text"].as_str().unwrap();
            if sorted(nx(text)) != expected(case, "nx") {
                mismatches.push(format!(
                    "nx {text:?}: {:?} != {:?}",
                    nx(text),
                    expected(case, "nx")
                ));
            }
            if sorted(client(text)) != expected(case, "client") {
                mismatches.push(format!(
                    "client {text:?}: {:?} != {:?}",
                    client(text),
                    expected(case, "client")
                ));
            }
        }
        assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    }

    /// Differential conformance of DOT-1: the environment Nx builds from the
    /// real one and the three root files, on every case of
    /// `dotenv_expand_corpus.json` (see `dotenv_expand_corpus.js`).
    #[test]
    fn loading_matches_dotenv_expand_on_the_corpus() {
        let corpus: Vec<serde_json::Value> =
            serde_json::from_str(include_str!("dotenv_expand_corpus.json")).unwrap();
        assert!(corpus.len() >= 500);
        let mut mismatches = Vec::new();
        for case in &corpus {
            let real: BTreeMap<String, String> =
                serde_json::from_value(case["real"].clone()).unwrap();
            let files: BTreeMap<String, String> =
                serde_json::from_value(case["files"].clone()).unwrap();
            let expected: BTreeMap<String, String> =
                serde_json::from_value(case["env"].clone()).unwrap();
            let got: BTreeMap<String, String> = load_environment(&real, &files)
                .vars
                .into_iter()
                .map(|(k, v)| (k, v.value))
                .collect();
            if got != expected {
                mismatches.push(format!("{files:?} with {real:?}: {got:?} != {expected:?}"));
            }
        }
        assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    }

    #[test]
    fn earlier_files_feed_later_expansions() {
        let e = env(&[], &[(".local.env", "X=1\n"), (".env", "Y=${X}2\n")]);
        assert_eq!(e.value("Y"), Some("12"));
    }
}
