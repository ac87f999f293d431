//! Trimming cell texts without decoding them: a text that starts and ends with an ASCII byte other than
//! whitespace (nearly every cell) is returned as it is from two byte tests; any other text goes to
//! [`str::trim`]. Typing a column trims every distinct text several times over (the missing markers, each
//! type's reader, the examples), and `str::trim` decodes characters from both ends to test them against
//! Unicode's whitespace: on the benchmark's 1M-row file it was about an eighth of typing's time.

/// `text` without leading and trailing whitespace, exactly as [`str::trim`] gives it.
#[inline]
pub(crate) fn trim(text: &str) -> &str {
    if ends_are(text, solid) {
        text
    } else {
        text.trim()
    }
}

/// Whether `text` is not empty and its first and last bytes (the same one for a one-byte text) pass `test`.
#[inline]
pub(crate) fn ends_are(text: &str, test: impl Fn(u8) -> bool) -> bool {
    match text.as_bytes() {
        [first, .., last] => test(*first) && test(*last),
        [only] => test(*only),
        [] => false,
    }
}

/// An ASCII byte that is not whitespace under `char::is_whitespace` (tab, line feed, vertical tab, form
/// feed, carriage return and space are; every other ASCII character is not). A byte of 0x80 or more
/// belongs to a character that may be whitespace (U+0085, U+00A0, U+3000, …).
#[inline]
pub(crate) fn solid(byte: u8) -> bool {
    byte.is_ascii() && !matches!(byte, b'\t'..=b'\r' | b' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_as_str_trim_does() {
        let texts = [
            "",
            " ",
            "a",
            " a",
            "a ",
            " a ",
            "\u{b}x\u{b}",
            "\u{c}x",
            "x\r\n",
            "\tx",
            "\u{85}x",
            "x\u{a0}",
            "\u{3000}x\u{3000}",
            "\u{2028}",
            "é",
            " é ",
            "\u{1f}x\u{1f}",
            "C01000000",
            "$38,509",
            "x y",
            "\u{feff}x",
            "\u{200b}x",
        ];
        for text in texts {
            assert_eq!(trim(text), text.trim(), "{text:?}");
        }
        // Every ASCII byte alone and around a letter.
        for byte in 0u8..128 {
            let c = char::from(byte);
            for text in [
                c.to_string(),
                format!("{c}a{c}"),
                format!("a{c}"),
                format!("{c}a"),
            ] {
                assert_eq!(trim(&text), text.trim(), "{text:?}");
            }
        }
    }
}
