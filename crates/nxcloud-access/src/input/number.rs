//! JavaScript truthiness of a JSON number, read from its text without
//! converting it to `f64`.
//!
//! `text.parse::<f64>()` links the standard library's decimal-to-float
//! conversion into the npm package's `.wasm`, with an 11 KB table of powers
//! of five that gzip cannot shrink (15 KB of the gzipped file). Whether a
//! number is zero needs none of it: [`is_truthy`] answers exactly what
//! `text.parse::<f64>().is_ok_and(|f| f != 0.0 && !f.is_nan())` answers (a
//! test holds the two equal), from the digits.
//!
//! A finite decimal number parses to zero when all its digits are zero, or
//! when it is at most 2^-1075, half the smallest subnormal `f64` (rounding
//! to nearest, ties to even, sends that half to zero). Bigger numbers parse
//! to a non-zero value (infinity past the largest `f64`).

use std::cmp::Ordering;

/// `text.parse::<f64>().is_ok_and(|f| f != 0.0 && !f.is_nan())`: the text
/// is a number in Rust's float syntax (an optional sign, digits with an
/// optional `.`, an optional exponent; or `inf`, `infinity`, `nan` in any
/// case) and not zero.
pub fn is_truthy(text: &str) -> bool {
    let unsigned = text
        .strip_prefix('+')
        .or_else(|| text.strip_prefix('-'))
        .unwrap_or(text);
    if unsigned.eq_ignore_ascii_case("inf") || unsigned.eq_ignore_ascii_case("infinity") {
        return true;
    }
    let Some(number) = Decimal::read(unsigned) else {
        return false; // not a number, or NaN
    };
    if number.head.is_empty() {
        return false; // zero
    }
    // The number is 0.DIGITS x 10^exponent; half the smallest subnormal is
    // 0.HALF_MIN_SUBNORMAL_DIGITS x 10^-323.
    match number.exponent.cmp(&HALF_MIN_SUBNORMAL_EXPONENT) {
        Ordering::Greater => true,
        Ordering::Less => false,
        // Digit strings without trailing zeros compare as the fractions
        // 0.DIGITS do: lexicographically.
        Ordering::Equal => {
            number.digits().cmp(HALF_MIN_SUBNORMAL_DIGITS.bytes()) == Ordering::Greater
        }
    }
}

/// The significant digits of 2^-1075 (= 5^1075 x 10^-1075), after `0.`.
const HALF_MIN_SUBNORMAL_DIGITS: &str = "\
    2470328229206232720882843964341106861825299013071623822127928412\
    5033775363510437593264991818081799618989828234772285886546332835\
    5177969898199387398005390939063150356595155702263922908583924491\
    0518443593180284993653615250031937045767824921936562366986365848\
    0757001585769269903706311928279558551332927834338409351978015531\
    2465972635795746227664652728272200563740064854999770965994704540\
    2082816622623785739345073633900796776193057750674017632467360096\
    8951340535537458516661134223766678604162159680461914467291840300\
    5300575308490487653917113865916462395249126236538818796362393732\
    8042389101867234849766823508986338858792562830275599565752445550\
    7255189313690836254779186948667994968324049705821028513185451396\
    213837722826145437693412532098591327667236328125";

/// 2^-1075 = 0.HALF_MIN_SUBNORMAL_DIGITS x 10^-323.
const HALF_MIN_SUBNORMAL_EXPONENT: i64 = -323;

/// A finite decimal number as 0.DIGITS x 10^exponent, where DIGITS are
/// `head` then `tail` (the digits before and after the point, when there
/// are any before it), without leading or trailing zeros: `head` is empty
/// for zero.
struct Decimal<'a> {
    head: &'a str,
    tail: &'a str,
    exponent: i64,
}

impl<'a> Decimal<'a> {
    /// Reads `digits[.digits][(e|E)[+|-]digits]` (at least one digit before
    /// the exponent); `None` for anything else.
    fn read(text: &'a str) -> Option<Self> {
        let (mantissa, exp) = match text.find(['e', 'E']) {
            Some(at) => (text.get(..at)?, Some(text.get(at + 1..)?)),
            None => (text, None),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() && frac.is_empty() || !all_digits(int) || !all_digits(frac) {
            return None;
        }
        let exp = match exp {
            None => 0,
            Some(exp) => read_exponent(exp)?,
        };
        let int = int.trim_start_matches('0');
        let (head, tail, exponent) = if int.is_empty() {
            let head = frac.trim_start_matches('0');
            let zeros = (frac.len() - head.len()) as i64;
            (head, "", exp.saturating_sub(zeros))
        } else {
            (int, frac, exp.saturating_add(int.len() as i64))
        };
        let tail = tail.trim_end_matches('0');
        let head = if tail.is_empty() {
            head.trim_end_matches('0')
        } else {
            head
        };
        Some(Self {
            head,
            tail,
            exponent,
        })
    }

    /// DIGITS, as bytes.
    fn digits(&self) -> impl Iterator<Item = u8> + 'a {
        self.head.bytes().chain(self.tail.bytes())
    }
}

/// An exponent: an optional sign and at least one digit, saturating far
/// beyond where a number is zero or infinite.
fn read_exponent(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: i64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value
            .saturating_mul(10)
            .saturating_add(i64::from(b - b'0'))
            .min(1 << 40);
    }
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn std_truthy(text: &str) -> bool {
        text.parse::<f64>().is_ok_and(|f| f != 0.0 && !f.is_nan())
    }

    #[test]
    fn the_constant_is_half_the_smallest_subnormal() {
        assert_eq!(HALF_MIN_SUBNORMAL_DIGITS.len(), 752);
        let half = format!("0.{HALF_MIN_SUBNORMAL_DIGITS}e-323");
        assert_eq!(half.parse::<f64>(), Ok(0.0), "a tie rounds to even: zero");
        let above = format!("0.{HALF_MIN_SUBNORMAL_DIGITS}1e-323");
        assert_eq!(above.parse::<f64>(), Ok(f64::from_bits(1)));
        assert!(!is_truthy(&half));
        assert!(is_truthy(&above));
    }

    #[test]
    fn agrees_with_the_standard_parser_on_chosen_texts() {
        let half = HALF_MIN_SUBNORMAL_DIGITS;
        let below = &half[..half.len() - 1];
        let cases = [
            "0",
            "-0",
            "+0",
            "0.0",
            "00.000e5",
            "1",
            "-1",
            "0.5",
            ".5",
            "5.",
            ".",
            "",
            "-",
            "+",
            "e5",
            "1e",
            "1e+",
            "1e-",
            "1e5",
            "1E-5",
            "1e-400",
            "1e400",
            "-1e400",
            "2e-324",
            "3e-324",
            "2.4703282292062328e-324",
            "2.4703282292062327e-324",
            "24703282292062327e-340",
            "0.000247e-320",
            "inf",
            "-Infinity",
            "INF",
            "nan",
            "NaN",
            "-nan",
            "infinit",
            "0x10",
            "1_0",
            "1.2.3",
            "1e5e5",
            "++1",
            " 1",
            "1 ",
            "0.0000000001",
            "100e-326",
            "1e-99999999999999999999999",
            "1e99999999999999999999999",
            "0e999999",
            "12.5e-325",
            "1.0e-323",
            "10.01e-324",
        ];
        for text in cases {
            assert_eq!(is_truthy(text), std_truthy(text), "{text:?}");
        }
        for digits in [half, below] {
            for exp in -326..-320 {
                for text in [format!("0.{digits}e{exp}"), format!("0.{digits}0e{exp}")] {
                    assert_eq!(is_truthy(&text), std_truthy(&text), "{text}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn agrees_with_the_standard_parser(
            sign in "[+-]?",
            int in "[0-9]{0,3}",
            dot in "\\.?",
            frac in "[0-9]{0,3}",
            exp in "([eE][+-]?[0-9]{1,4})?",
            noise in "[0-9eE.+-]?",
        ) {
            let text = format!("{sign}{int}{dot}{frac}{exp}{noise}");
            prop_assert_eq!(is_truthy(&text), std_truthy(&text), "{}", text);
        }

        #[test]
        fn agrees_near_the_smallest_subnormal(
            zeros in 0usize..3,
            digits in "[0-9]{1,20}",
            exp in -330i32..-318,
        ) {
            let text = format!("{}{digits}e{exp}", "0".repeat(zeros));
            prop_assert_eq!(is_truthy(&text), std_truthy(&text), "{}", text);
        }
    }
}
