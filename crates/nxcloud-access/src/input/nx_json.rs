//! `nx.json` (INP-1, INP-3): JSON with comments and trailing commas, read
//! with `jsonc-parser` into an ordered value that answers the questions Nx's
//! JavaScript asks (truthiness, `??`, `Object.values` order).
//!
//! The AST of `jsonc-parser` is used rather than its `serde_json` value:
//! `serde_json` maps sort their keys, and URL-2 depends on the order of the
//! `tasksRunnerOptions` entries.

use std::collections::HashMap;

use jsonc_parser::ast;
use jsonc_parser::tokens::Token;
use jsonc_parser::{parse_to_ast, CollectOptions, ParseOptions, Scanner, ScannerOptions};

use crate::error::Location;
use crate::limits::MAX_JSON_DEPTH;

/// Why `nx.json` could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub message: String,
    pub location: Location,
}

/// A JSON value, with object keys in file order.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// The number as written.
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// Parses the text of `nx.json`.
// INP-1: comments and trailing commas are allowed in every version; any other
// syntax error, an empty file included, names the line and column.
pub fn parse(text: &str) -> Result<Json, JsonError> {
    // Most files are plainly valid: read them straight from the scanner.
    // Anything else (an error, a file too deep) takes the full parse, which
    // gives the same value or reports the error.
    match skim(text) {
        Some(json) => Ok(json),
        None => parse_with_ast(text),
    }
}

/// Nx reads nx.json with Microsoft's `jsonc-parser` (comments and trailing
/// commas only): the JSON5 extras of the Rust crate stay off.
const OPTIONS: ParseOptions = ParseOptions {
    allow_comments: true,
    allow_trailing_commas: true,
    allow_loose_object_property_names: false,
    allow_missing_commas: false,
    allow_single_quoted_strings: false,
    allow_hexadecimal_numbers: false,
    allow_unary_plus_numbers: false,
    allow_bare_decimal_point_numbers: false,
    allow_non_finite_numbers: false,
    allow_extended_string_escapes: false,
};

/// [`parse`] through `jsonc-parser`'s AST: the reference, and the path that
/// reports errors. Public for the differential tests and the fuzz target,
/// which hold [`parse`] equal to it.
#[doc(hidden)]
pub fn parse_with_ast(text: &str) -> Result<Json, JsonError> {
    // The parser, `convert` and the drop of the tree recurse once per level:
    // refuse deep nesting before any of them runs (limits.rs).
    check_depth(text, MAX_JSON_DEPTH)?;
    let parsed =
        parse_to_ast(text, &CollectOptions::default(), &OPTIONS).map_err(|e| JsonError {
            message: lower_first(&e.kind().to_string()),
            location: Location {
                line: e.line_display(),
                column: e.column_display(),
            },
        })?;
    match parsed.value {
        Some(value) => Ok(convert(&value)),
        None => Err(JsonError {
            message: "the file is empty (write `{}` for an nx.json without settings)".into(),
            location: end_of(text),
        }),
    }
}

/// The value of a plainly valid text, built from the tokens of
/// `jsonc-parser`'s scanner (the same scanner and options as the full
/// parse), without the AST in between: for a large `nx.json` the AST and
/// its conversion were most of the time. `None` at the first token that is
/// not plainly valid JSON with comments and trailing commas, and at nesting
/// deeper than [`MAX_JSON_DEPTH`]: it is never looser than the full parse
/// (the caller then runs it), so it needs no error reporting of its own.
fn skim(text: &str) -> Option<Json> {
    let mut scanner = Scanner::new(
        text,
        &ScannerOptions {
            allow_single_quoted_strings: OPTIONS.allow_single_quoted_strings,
            allow_hexadecimal_numbers: OPTIONS.allow_hexadecimal_numbers,
            allow_unary_plus_numbers: OPTIONS.allow_unary_plus_numbers,
            allow_bare_decimal_point_numbers: OPTIONS.allow_bare_decimal_point_numbers,
            allow_non_finite_numbers: OPTIONS.allow_non_finite_numbers,
            allow_extended_string_escapes: OPTIONS.allow_extended_string_escapes,
        },
    );
    let first = next(&mut scanner)?;
    let value = skim_value(&mut scanner, first, 1)?;
    // One value, then nothing but comments.
    match scanner_token(&mut scanner) {
        Ok(None) => Some(value),
        _ => None,
    }
}

/// The next token that is not a comment; `None` at the end or an error.
fn next<'a>(scanner: &mut Scanner<'a>) -> Option<Token<'a>> {
    scanner_token(scanner).ok().flatten()
}

fn scanner_token<'a>(scanner: &mut Scanner<'a>) -> Result<Option<Token<'a>>, ()> {
    loop {
        match scanner.scan() {
            Ok(Some(Token::CommentLine(_) | Token::CommentBlock(_))) => continue,
            Ok(token) => return Ok(token),
            Err(_) => return Err(()),
        }
    }
}

/// The value that starts with `first`, at nesting `depth` (as
/// [`check_depth`] counts: the root's brackets are level 1).
fn skim_value<'a>(scanner: &mut Scanner<'a>, first: Token<'a>, depth: usize) -> Option<Json> {
    match first {
        Token::String(value) => Some(Json::String(value.into_owned())),
        Token::Number(value) => Some(Json::Number(value.to_owned())),
        Token::Boolean(value) => Some(Json::Bool(value)),
        Token::Null => Some(Json::Null),
        Token::OpenBracket if depth <= MAX_JSON_DEPTH => {
            let mut items = Vec::new();
            let mut token = next(scanner)?;
            loop {
                if token == Token::CloseBracket {
                    return Some(Json::Array(items));
                }
                items.push(skim_value(scanner, token, depth + 1)?);
                match next(scanner)? {
                    // A trailing comma is allowed: `]` may follow it.
                    Token::Comma => token = next(scanner)?,
                    Token::CloseBracket => return Some(Json::Array(items)),
                    _ => return None,
                }
            }
        }
        Token::OpenBrace if depth <= MAX_JSON_DEPTH => {
            let mut props = Vec::new();
            let mut token = next(scanner)?;
            loop {
                let key = match token {
                    Token::CloseBrace => return Some(Json::Object(props)),
                    Token::String(key) => key.into_owned(),
                    _ => return None,
                };
                if next(scanner)? != Token::Colon {
                    return None;
                }
                let first = next(scanner)?;
                props.push((key, skim_value(scanner, first, depth + 1)?));
                match next(scanner)? {
                    Token::Comma => token = next(scanner)?,
                    Token::CloseBrace => return Some(Json::Object(props)),
                    _ => return None,
                }
            }
        }
        _ => None,
    }
}

impl Json {
    /// `value?.[key]`: an object's property (the last of duplicates, as
    /// `JSON.parse` keeps), or an array's element by its index.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(props) => props.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            Json::Array(items) => canonical_index(key).and_then(|i| items.get(i)),
            _ => None,
        }
    }

    /// JavaScript truthiness.
    pub fn is_truthy(&self) -> bool {
        match self {
            Json::Null => false,
            Json::Bool(b) => *b,
            Json::Number(n) => super::number::is_truthy(n),
            Json::String(s) => !s.is_empty(),
            Json::Array(_) | Json::Object(_) => true,
        }
    }

    /// `String(value)`, as Nx would send it.
    pub fn js_string(&self) -> String {
        match self {
            Json::Null => "null".into(),
            Json::Bool(b) => b.to_string(),
            Json::Number(n) => n.clone(),
            Json::String(s) => s.clone(),
            Json::Array(items) => items
                .iter()
                .map(|i| match i {
                    Json::Null => String::new(),
                    other => other.js_string(),
                })
                .collect::<Vec<_>>()
                .join(","),
            Json::Object(_) => "[object Object]".into(),
        }
    }

    /// The string, when the value is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The name of the value's type, for findings.
    pub fn type_name(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }

    /// `Object.entries(value ?? {})`: integer-like keys first in ascending
    /// order, then the others in file order (duplicates keep the position of
    /// the first and the value of the last).
    pub fn js_entries(&self) -> Vec<(String, &Json)> {
        match self {
            Json::Object(props) => {
                // Linear in the number of keys: the last value of each key,
                // in the order of its first appearance.
                let mut last: HashMap<&str, &Json> = HashMap::with_capacity(props.len());
                let mut seen: Vec<&str> = Vec::new();
                for (k, v) in props {
                    if last.insert(k.as_str(), v).is_none() {
                        seen.push(k);
                    }
                }
                let mut ints: Vec<(u32, &str)> = seen
                    .iter()
                    .filter_map(|k| canonical_array_index(k).map(|i| (i, *k)))
                    .collect();
                ints.sort_unstable();
                let others = seen.iter().filter(|k| canonical_array_index(k).is_none());
                ints.iter()
                    .map(|(_, k)| *k)
                    .chain(others.copied())
                    .filter_map(|k| last.get(k).map(|v| (k.to_owned(), *v)))
                    .collect()
            }
            Json::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Refuses nesting of arrays and objects deeper than `max`, with the line and
/// column of the first bracket too deep. A linear scan that skips strings
/// (with their escapes) and both kinds of comments, so brackets inside them
/// do not count; closing brackets never go below zero. Syntax errors are left
/// to the parser.
pub fn check_depth(text: &str, max: usize) -> Result<(), JsonError> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    match c {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while bytes.get(i).is_some_and(|c| *c != b'\n') {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while bytes.get(i).is_some() && bytes.get(i..i + 2) != Some(b"*/") {
                    i += 1;
                }
                i += 1;
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Err(JsonError {
                        message: format!(
                            "arrays and objects nest deeper than {max} levels; nx.json needs a few levels only, so flatten the file (or check that it was not generated by mistake)"
                        ),
                        location: end_of(text.get(..i).unwrap_or(text)),
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

fn canonical_index(key: &str) -> Option<usize> {
    canonical_array_index(key).and_then(|i| usize::try_from(i).ok())
}

/// A key JavaScript orders as an array index: a canonical decimal below 2^32 - 1.
fn canonical_array_index(key: &str) -> Option<u32> {
    let n: u32 = key.parse().ok()?;
    (n.to_string() == key && n != u32::MAX).then_some(n)
}

fn convert(value: &ast::Value<'_>) -> Json {
    match value {
        ast::Value::StringLit(s) => Json::String(s.value.to_string()),
        ast::Value::NumberLit(n) => Json::Number(n.value.to_owned()),
        ast::Value::BooleanLit(b) => Json::Bool(b.value),
        ast::Value::NullKeyword(_) => Json::Null,
        ast::Value::Array(a) => Json::Array(a.elements.iter().map(convert).collect()),
        ast::Value::Object(o) => Json::Object(
            o.properties
                .iter()
                .map(|p| (p.name.as_str().to_owned(), convert(&p.value)))
                .collect(),
        ),
    }
}

fn end_of(text: &str) -> Location {
    let line = text.matches('\n').count() + 1;
    let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Location { line, column }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path is never looser than the full parse and gives the same
    /// value: on `text` and on every prefix of it (truncations hit every
    /// kind of unfinished token).
    fn assert_same(text: &str) {
        // Every prefix of a short text; 40 spread over a long one.
        let step = (text.len() / 40).max(1);
        let ends: Vec<usize> = (0..=text.len())
            .filter(|i| (i % step == 0 || *i == text.len()) && text.is_char_boundary(*i))
            .collect();
        for end in ends {
            let prefix = &text[..end];
            let reference = parse_with_ast(prefix);
            if let Some(fast) = skim(prefix) {
                assert_eq!(Ok(fast), reference, "skim accepted {prefix:?}");
            }
            assert_eq!(parse(prefix), reference, "{prefix:?}");
        }
    }

    #[test]
    fn the_fast_path_equals_the_full_parse_on_the_fuzz_corpus_and_the_fixtures() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let mut seen = 0;
        let mut fast = 0;
        for dir in ["fuzz/corpus/nx_json", "bench/fixtures"] {
            let Ok(entries) = std::fs::read_dir(format!("{root}/{dir}")) else {
                continue;
            };
            for entry in entries {
                let bytes = std::fs::read(entry.unwrap().path()).unwrap();
                let Ok(text) = String::from_utf8(bytes) else {
                    continue;
                };
                assert_same(&text);
                if dir == "bench/fixtures" {
                    assert!(
                        skim(&text).is_some(),
                        "a bench fixture is valid: {text:.80}"
                    );
                }
                seen += 1;
                fast += usize::from(skim(&text).is_some());
            }
        }
        assert!(seen > 100, "the fuzz corpus is missing ({seen} files)");
        assert!(fast > 10, "the fast path took only {fast} of {seen} files");
    }

    #[test]
    fn the_fast_path_refuses_what_the_full_parse_refuses() {
        for text in [
            "",
            " ",
            "// only a comment",
            "{",
            "}",
            "[1,,2]",
            "[,]",
            "{,}",
            "{\"a\" 1}",
            "{\"a\":1 \"b\":2}",
            "{a:1}",
            "{'a':1}",
            "[0x10]",
            "[+1]",
            "[.5]",
            "[NaN]",
            "[Infinity]",
            "{\"a\":1}{}",
            "{\"a\":1} 2",
            "[\"\\x41\"]",
            "[1 2]",
            "{\"a\":}",
            "[true false]",
            "{\"a\":1,,}",
            "[1]]",
            "{\"a\":[}",
            "\"unterminated",
        ] {
            assert!(
                parse_with_ast(text).is_err(),
                "the reference accepts {text:?}"
            );
            assert_eq!(skim(text), None, "{text:?}");
            assert!(parse(text).is_err(), "{text:?}");
        }
        for text in [
            "{}",
            "[]",
            "{\"a\":[1,{\"b\":null},],} // end",
            "/* c */ 12",
            "\"s\\u0041\"",
            "[-0.5e+3, true, false]",
        ] {
            assert_eq!(
                skim(text).as_ref(),
                parse_with_ast(text).as_ref().ok(),
                "{text:?}"
            );
            assert!(skim(text).is_some(), "{text:?}");
        }
    }

    #[test]
    fn the_fast_path_gives_up_at_the_depth_limit_and_the_full_parse_reports_it() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(skim(&deep(MAX_JSON_DEPTH)).is_some());
        assert_eq!(skim(&deep(MAX_JSON_DEPTH + 1)), None);
        assert!(parse(&deep(MAX_JSON_DEPTH + 1)).is_err());
    }

    proptest::proptest! {
        #[test]
        fn the_fast_path_equals_the_full_parse_on_json_like_text(
            text in "[\\[\\]{}\":,0-9a-z \n/*.+eE\\\\-]{0,60}",
        ) {
            assert_same(&text);
        }
    }

    #[test]
    fn comments_and_trailing_commas_are_json_for_nx() {
        let json =
            parse("{\n  // the runner\n  \"a\": [1, 2,], /* b */\n  \"b\": {\"c\": true,},\n}\n")
                .unwrap();
        assert_eq!(
            json.get("b").and_then(|b| b.get("c")),
            Some(&Json::Bool(true))
        );
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let err = parse("{\n  \"a\": 1\n  \"b\": 2\n}").unwrap_err();
        // jsonc-parser points just after the value that lacks its comma.
        assert_eq!(err.location, Location { line: 2, column: 9 });
        let err = parse("{ 'a': 1 }").unwrap_err();
        assert_eq!(err.location.line, 1);
    }

    #[test]
    fn an_empty_file_is_an_error() {
        let err = parse("  \n").unwrap_err();
        assert!(err.message.contains("empty"));
        assert_eq!(err.location, Location { line: 2, column: 1 });
    }

    #[test]
    fn truthiness_is_javascript_s() {
        for (text, truthy) in [
            ("0", false),
            ("-0.0", false),
            ("1", true),
            ("\"\"", false),
            ("\"false\"", true),
            ("null", false),
            ("false", false),
            ("[]", true),
            ("{}", true),
        ] {
            assert_eq!(parse(text).unwrap().is_truthy(), truthy, "{text}");
        }
    }

    #[test]
    fn entries_follow_object_values_order() {
        let json = parse(r#"{"b": 1, "10": 2, "a": 3, "2": 4, "b": 5}"#).unwrap();
        let keys: Vec<String> = json.js_entries().into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["2", "10", "b", "a"]);
        assert_eq!(json.get("b"), Some(&Json::Number("5".into())));
    }

    #[test]
    fn js_string_matches_string_conversion() {
        assert_eq!(parse("[1, null, \"x\"]").unwrap().js_string(), "1,,x");
        assert_eq!(parse("{}").unwrap().js_string(), "[object Object]");
        assert_eq!(parse("12345").unwrap().js_string(), "12345");
    }
}
