//! JSON text checked as `serde_json::Value` would read it, without building
//! the tree: the same parser, the same errors (syntax, string escapes such
//! as a lone surrogate, the nesting limit) at the same place. What is kept
//! is only the kind of the top-level value and, for an object, its
//! `version` (what a snapshot is recognised by); a typed read of the same
//! text follows. A program that reads its JSON this way carries no `Value`
//! code (the npm package, which counts its bytes).

use std::fmt;

use serde::de::{self, Deserialize, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};

/// The kind of a JSON value, and the `version` of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Null,
    Bool,
    /// A number `Value::as_u64` reads (a non-negative integer).
    U64(u64),
    /// Any other number.
    Number,
    String,
    Array,
    /// An object; `version` is what `value.get("version")` would find: absent,
    /// or present and `Some` when it is a non-negative integer (the last
    /// one where the key repeats, as in a `Value`).
    Object {
        version: Option<Option<u64>>,
    },
}

impl Shape {
    /// Checks the text as `serde_json::from_str::<Value>` would.
    pub fn of(text: &str) -> Result<Shape, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// What the value is, for messages (never its content, which may be a
    /// secret): `null`, `a boolean`, `a number`, `a string`, `an array`, `an
    /// object`.
    pub fn kind(self) -> &'static str {
        match self {
            Shape::Null => "null",
            Shape::Bool => "a boolean",
            Shape::U64(_) | Shape::Number => "a number",
            Shape::String => "a string",
            Shape::Array => "an array",
            Shape::Object { .. } => "an object",
        }
    }
}

/// Reads a struct from JSON text that holds an object, as
/// `serde_json::from_str` does (same errors, same positions), except that
/// the struct is never read from an array of its fields: `serde_derive`'s
/// code for that (`visit_seq`) is then left out of the program, one copy
/// per type. A text holding anything but an object is refused with
/// serde_json's `invalid type` error.
pub fn read_object<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(ObjectOnly(&mut de))?;
    de.end()?;
    Ok(value)
}

/// A deserializer that reads a struct as a map (see [`read_object`]).
struct ObjectOnly<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ShapeVisitor)
    }
}

struct ShapeVisitor;

impl<'de> Visitor<'de> for ShapeVisitor {
    type Value = Shape;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Shape, E> {
        Ok(Shape::Bool)
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Shape, E> {
        // `Value` stores a non-negative i64 as a u64.
        Ok(u64::try_from(n).map_or(Shape::Number, Shape::U64))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Shape, E> {
        Ok(Shape::U64(n))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Shape, E> {
        Ok(Shape::Number)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Shape, E> {
        Ok(Shape::String)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Shape, E> {
        Ok(Shape::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Shape, E> {
        Ok(Shape::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
        while seq.next_element::<Shape>()?.is_some() {}
        Ok(Shape::Array)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        let mut version = None;
        while let Some(key) = map.next_key::<Key>()? {
            let value: Shape = map.next_value()?;
            if key.0 {
                version = Some(match value {
                    Shape::U64(n) => Some(n),
                    _ => None,
                });
            }
        }
        Ok(Shape::Object { version })
    }
}

/// An object's key, read (and its escapes checked) as a string: whether it
/// is `version`.
struct Key(bool);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(Key(key == "version"))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Pair {
        a: u8,
        b: Option<String>,
    }

    /// Objects read as `from_str` reads them; arrays are refused.
    #[test]
    fn read_object_reads_objects_only() {
        for text in [
            r#"{"a": 1, "b": "x"}"#,
            r#"{"b": null, "a": 2}"#,
            r#"{"a": 1, "c": 2}"#,
            r#"{"a": 300}"#,
            r#"{"a": 1} x"#,
            r#"{"a": 1, "a": 2}"#,
            r#"{"b": "x"}"#,
        ] {
            let expected = serde_json::from_str::<Pair>(text).map_err(|e| e.to_string());
            assert_eq!(
                read_object::<Pair>(text).map_err(|e| e.to_string()),
                expected
            );
        }
        assert!(serde_json::from_str::<Pair>("[1, null]").is_ok());
        let refused = read_object::<Pair>("[1, null]").unwrap_err().to_string();
        assert_eq!(
            refused,
            "invalid type: sequence, expected struct Pair at line 1 column 0"
        );
    }

    /// Every text, valid or not, gets the error `Value` gets, or the shape of
    /// the `Value` it reads.
    #[test]
    fn reads_as_value_does() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let texts = [
            "null",
            "true",
            "0",
            "-0",
            "-1",
            "1.0",
            "18446744073709551615",
            "18446744073709551616",
            "1e400",
            r#""a""#,
            r#""\ud800""#,
            r#""\udc00""#,
            r#""\ud83d\ude00""#,
            "[1, [2, {}]]",
            r#"{"version": 1}"#,
            r#"{"version": 1, "version": "x"}"#,
            r#"{"version": "x", "version": 2}"#,
            r#"{"version": -1}"#,
            r#"{"version": 1.5}"#,
            r#"{"a": {"version": 3}}"#,
            r#"{"\ud800": 1}"#,
            r#"{"a": 1,}"#,
            "{} x",
            "",
            " ",
            "[",
            deep.as_str(),
        ];
        for text in texts {
            let value = serde_json::from_str::<Value>(text);
            let shape = Shape::of(text);
            match (value, shape) {
                (Err(v), Err(s)) => assert_eq!(v.to_string(), s.to_string(), "{text}"),
                (Ok(v), Ok(s)) => {
                    let expected = match &v {
                        Value::Null => Shape::Null,
                        Value::Bool(_) => Shape::Bool,
                        Value::Number(n) => n.as_u64().map_or(Shape::Number, Shape::U64),
                        Value::String(_) => Shape::String,
                        Value::Array(_) => Shape::Array,
                        Value::Object(_) => Shape::Object {
                            version: v.get("version").map(Value::as_u64),
                        },
                    };
                    assert_eq!(s, expected, "{text}");
                }
                (v, s) => panic!("{text}: {v:?} vs {s:?}"),
            }
        }
    }
}
