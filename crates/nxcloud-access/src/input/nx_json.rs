//! `nx.json` (INP-1, INP-3): JSON with comments and trailing commas, read
//! with `jsonc-parser` into an ordered value that answers the questions Nx's
//! JavaScript asks (truthiness, `??`, `Object.values` order).
//!
//! The AST of `jsonc-parser` is used rather than its `serde_json` value:
//! `serde_json` maps sort their keys, and URL-2 depends on the order of the
//! `tasksRunnerOptions` entries.

use std::collections::HashMap;

use jsonc_parser::ast;
use jsonc_parser::{parse_to_ast, CollectOptions, ParseOptions};

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
    // The parser, `convert` and the drop of the tree recurse once per level:
    // refuse deep nesting before any of them runs (limits.rs).
    check_depth(text, MAX_JSON_DEPTH)?;
    // Nx reads nx.json with Microsoft's `jsonc-parser` (comments and trailing
    // commas only): the JSON5 extras of the Rust crate stay off.
    let options = ParseOptions {
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
    let parsed =
        parse_to_ast(text, &CollectOptions::default(), &options).map_err(|e| JsonError {
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
            Json::Number(n) => n.parse::<f64>().is_ok_and(|f| f != 0.0 && !f.is_nan()),
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
