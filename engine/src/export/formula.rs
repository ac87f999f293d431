//! Cells a spreadsheet would run as a formula ("CSV injection"), and how exports make them inert.
//!
//! A cell that starts with `=`, `+`, `-` or `@` (or with a tab or carriage return, which some spreadsheets
//! skip before looking for those) is read by Excel, LibreOffice and Google Sheets as a formula, which can
//! fetch URLs or run commands when the file is opened. As OWASP recommends, such a cell is written with a
//! leading `'`, which every spreadsheet shows as text and does not evaluate.
//!
//! One refinement of OWASP's list: a cell that is entirely a plain number (`-3.5`, `+44`, `-1,5`, `-2e3`,
//! `-7%`) is left alone. Every spreadsheet reads it as that number, it cannot call a function or reach
//! outside the sheet, and escaping it would turn every negative amount of a file into text.

use std::borrow::Cow;

/// What an export does with input cells that a spreadsheet would read as a formula.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InputCells {
    /// Prefix `'` to each such cell (see [`escape_formula`]): safe to open in a spreadsheet.
    #[default]
    EscapeFormulas,
    /// Write every input cell byte for byte as it was read.
    Unchanged,
}

impl InputCells {
    /// `cell` as this policy writes it.
    pub fn apply(self, cell: &str) -> Cow<'_, str> {
        match self {
            InputCells::EscapeFormulas => escape_formula(cell),
            InputCells::Unchanged => Cow::Borrowed(cell),
        }
    }
}

/// Whether a spreadsheet would read `cell` as a formula: it starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return, and is not entirely a plain number.
///
/// ```
/// use audience_engine::export::formula::is_formula;
///
/// assert!(is_formula("=HYPERLINK(\"http://x\")"));
/// assert!(is_formula("@SUM(A1)"));
/// assert!(is_formula("-2+3"));
/// assert!(!is_formula("-3.5"));
/// assert!(!is_formula("Paris"));
/// ```
pub fn is_formula(cell: &str) -> bool {
    match cell.as_bytes().first() {
        Some(b'\t' | b'\r') => true,
        Some(b'=' | b'@') => true,
        Some(b'+' | b'-') => !is_plain_number(cell),
        _ => false,
    }
}

/// `cell` with a leading `'` when [`is_formula`] says a spreadsheet would run it; otherwise unchanged.
///
/// ```
/// use audience_engine::export::formula::escape_formula;
///
/// assert_eq!(escape_formula("=1+1"), "'=1+1");
/// assert_eq!(escape_formula("-3.5"), "-3.5");
/// assert_eq!(escape_formula("Oslo"), "Oslo");
/// ```
pub fn escape_formula(cell: &str) -> Cow<'_, str> {
    if is_formula(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// An optional sign, digits with `.` or `,` separators, an optional exponent and an optional `%`.
fn is_plain_number(cell: &str) -> bool {
    let body = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    let body = body.strip_suffix('%').unwrap_or(body);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let mantissa_ok = mantissa.bytes().any(|b| b.is_ascii_digit())
        && mantissa
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',');
    let exponent_ok = exponent.is_none_or(|e| {
        let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owasp_formula_starts_are_escaped() {
        for cell in [
            "=1+1",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(1)",
            "\t=1",
            "\r=1",
            "-",
            "+",
            "=",
            "-inf",
            "-1e",
            "-e5",
            "--1",
        ] {
            assert_eq!(escape_formula(cell), format!("'{cell}"), "{cell:?}");
        }
    }

    #[test]
    fn plain_numbers_and_text_are_unchanged() {
        for cell in [
            "-3.5", "+44", "-1,5", "-2e3", "-2E-3", "-7%", "-0", "3", "Paris", "", " =1", "a=b",
            "'=1",
        ] {
            assert_eq!(escape_formula(cell), cell, "{cell:?}");
        }
    }

    #[test]
    fn unchanged_policy_keeps_formulas_byte_for_byte() {
        assert_eq!(InputCells::Unchanged.apply("=1+1"), "=1+1");
        assert_eq!(InputCells::EscapeFormulas.apply("=1+1"), "'=1+1");
        assert_eq!(InputCells::default(), InputCells::EscapeFormulas);
    }
}
