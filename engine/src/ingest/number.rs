//! Reading numbers as people write them in spreadsheets.
//!
//! Accepted, around surrounding whitespace: an optional sign (`-`, `+`, `−`) or accounting parentheses
//! (`(1,234)` is −1234); an optional currency symbol (`$ € £ ¥`) before or after the number; an optional
//! `%` suffix (the number is kept as written: `12%` → 12); digits with an optional decimal part; thousands
//! separators in valid groups of three; an exponent (`1.5e-3`) when there are no thousands separators.
//!
//! With [`DecimalMark::Point`] the decimal mark is `.` and the thousands separator `,` (`1,234.5`).
//! With [`DecimalMark::Comma`] (European files, usually `;`-delimited) the decimal mark is `,` and the
//! thousands separator `.` or a space (`1.234,5`, `3,5`). Results are always finite: no NaN, no infinity.

use serde::{Deserialize, Serialize};

use super::trim::{ends_are, solid, trim};

/// Which character separates the integer and fractional parts of a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecimalMark {
    /// `1,234.5`
    Point,
    /// `1.234,5`
    Comma,
}

const CURRENCY: [char; 4] = ['$', '€', '£', '¥'];

/// Parses `text` as a number under `mark`; `None` when it is not one.
pub fn parse_number(text: &str, mark: DecimalMark) -> Option<f64> {
    let mut s = trim(text);
    if let Some(value) = plain_number(s, mark) {
        return value;
    }
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    s = strip_currency(s);
    if let Some(rest) = s.strip_suffix('%') {
        s = rest.trim_end();
    }
    s = strip_currency(s);
    if let Some(rest) = s.strip_prefix(['-', '−']) {
        if negative {
            return None;
        }
        negative = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    s = strip_currency(s);
    let value = parse_unsigned(s, mark)?;
    let value = if negative { -value } else { value };
    value.is_finite().then_some(value)
}

/// Fast path for the common case: an optional `-` then digits with at most one `.` (point mark) —
/// exactly what `f64::from_str` reads the same way. `None` when the text needs the full reader.
fn plain_number(s: &str, mark: DecimalMark) -> Option<Option<f64>> {
    let digits = s.strip_prefix('-').unwrap_or(s).as_bytes();
    let mut points = 0;
    let mut has_digit = false;
    for &b in digits {
        match b {
            b'0'..=b'9' => has_digit = true,
            b'.' if mark == DecimalMark::Point => points += 1,
            _ => return None,
        }
    }
    if !has_digit || points > 1 {
        return None;
    }
    Some(s.parse::<f64>().ok().filter(|v| v.is_finite()))
}

fn strip_currency(s: &str) -> &str {
    // Ends that are ASCII, not `$` and not whitespace leave nothing to strip (the other symbols are not
    // ASCII): most texts, such as every text tried as a number while a column's type is chosen.
    if ends_are(s, |byte| byte != b'$' && solid(byte)) {
        s
    } else {
        trim(s.trim_start_matches(CURRENCY).trim_end_matches(CURRENCY))
    }
}

/// Digits, grouping, decimal part and exponent, with no sign.
fn parse_unsigned(s: &str, mark: DecimalMark) -> Option<f64> {
    let (decimal, is_group): (char, fn(char) -> bool) = match mark {
        DecimalMark::Point => ('.', |c| c == ','),
        DecimalMark::Comma => (',', |c| matches!(c, '.' | ' ' | '\u{a0}' | '\u{202f}')),
    };
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(at) => (&s[..at], Some(&s[at + 1..])),
        None => (s, None),
    };
    let (integer, fraction) = match mantissa.find(decimal) {
        Some(at) => (&mantissa[..at], Some(&mantissa[at + decimal.len_utf8()..])),
        None => (mantissa, None),
    };
    if integer.is_empty() && fraction.is_none_or(str::is_empty) {
        return None;
    }
    let mut clean = String::with_capacity(s.len());
    let grouped = integer.contains(is_group);
    if grouped {
        if exponent.is_some() {
            return None;
        }
        let mut groups = integer.split(is_group);
        let first = groups.next()?;
        if first.is_empty() || first.len() > 3 || !all_digits(first) {
            return None;
        }
        clean.push_str(first);
        for group in groups {
            if group.len() != 3 || !all_digits(group) {
                return None;
            }
            clean.push_str(group);
        }
    } else {
        if !all_digits(integer) {
            return None;
        }
        clean.push_str(integer);
    }
    if let Some(fraction) = fraction {
        if !all_digits(fraction) {
            return None;
        }
        clean.push('.');
        clean.push_str(fraction);
    }
    if clean == "." {
        return None;
    }
    if let Some(exponent) = exponent {
        let digits = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
        if digits.is_empty() || !all_digits(digits) {
            return None;
        }
        clean.push('e');
        clean.push_str(exponent);
    }
    clean.parse::<f64>().ok()
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use DecimalMark::{Comma, Point};

    #[test]
    fn reads_spreadsheet_numbers_with_a_decimal_point() {
        let cases = [
            ("42", 42.0),
            ("-3.5", -3.5),
            ("+7", 7.0),
            (" 1,234.5 ", 1234.5),
            ("1,234,567", 1_234_567.0),
            ("$50,000", 50_000.0),
            ("-$5", -5.0),
            ("$-5", -5.0),
            ("12%", 12.0),
            ("12.5 %", 12.5),
            ("1.5e3", 1500.0),
            ("2E-2", 0.02),
            (".5", 0.5),
            ("(1,200)", -1200.0),
            ("5 €", 5.0),
            ("−4", -4.0),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_number(text, Point), Some(expected), "{text:?}");
        }
    }

    #[test]
    fn rejects_text_bad_grouping_and_non_finite_values() {
        for text in [
            "", "abc", "1,23", "12,34.5", "1.2.3", "3,5", "nan", "inf", "1e999", "--5", "1-2", "$",
            "12a", "1,234e5", ".", "e5",
        ] {
            assert_eq!(parse_number(text, Point), None, "{text:?}");
        }
    }

    #[test]
    fn reads_european_numbers_with_a_decimal_comma() {
        let cases = [
            ("3,5", 3.5),
            ("-0,25", -0.25),
            ("1.234,5", 1234.5),
            ("1 234,5", 1234.5),
            ("1.234.567", 1_234_567.0),
            ("42", 42.0),
            ("12,5%", 12.5),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_number(text, Comma), Some(expected), "{text:?}");
        }
        assert_eq!(parse_number("1.5", Comma), None);
        assert_eq!(parse_number("1,234.5", Comma), None);
    }
}
