//! Encoding detection: bytes → UTF-8 text.
//!
//! The rules, in order:
//! 1. no bytes (or only a byte-order mark) → [`IngestError::Empty`];
//! 2. a UTF-8 byte-order mark → UTF-8, the mark stripped;
//! 3. a UTF-16 byte-order mark (`FF FE` little-endian, `FE FF` big-endian) → UTF-16, the mark stripped;
//!    without a mark, UTF-16 is recognised when at least 90% of the odd (LE) or even (BE) bytes among the
//!    first 4 KiB are zero and almost none of the others are;
//! 4. more than 1% control bytes (NUL and the other C0 controls except tab, line feed, form feed and
//!    carriage return) among the first 64 KiB, or NUL bytes making up more than 1% of the whole file →
//!    [`IngestError::Binary`]; fewer, stray NUL bytes (a damaged export) are removed from the text and
//!    counted in [`Decoded::nul_bytes`];
//! 5. valid UTF-8 → UTF-8 (borrowed, no copy);
//! 6. otherwise Windows-1252, the superset of Latin-1 that spreadsheet software writes (every byte decodes).

use std::borrow::Cow;

use encoding_rs::{Encoding as RsEncoding, UTF_16BE, UTF_16LE, WINDOWS_1252};
use serde::{Deserialize, Serialize};

use super::IngestError;

/// The text encoding a file was read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// UTF-8 without a byte-order mark (includes plain ASCII).
    Utf8,
    /// UTF-8 with a byte-order mark (stripped).
    Utf8Bom,
    /// UTF-16 little-endian (with or without a byte-order mark).
    Utf16Le,
    /// UTF-16 big-endian (with or without a byte-order mark).
    Utf16Be,
    /// Windows-1252 (a superset of ISO-8859-1 / Latin-1).
    Windows1252,
}

/// Bytes sampled for the control-byte test.
pub(crate) const CONTROL_SAMPLE: usize = 64 * 1024;
/// Bytes sampled for the BOM-less UTF-16 test.
const UTF16_SAMPLE: usize = 4 * 1024;

/// Decoded text, its encoding, and the stray NUL bytes removed from it.
pub(crate) struct Decoded<'a> {
    /// The text, without NUL bytes.
    pub text: Cow<'a, str>,
    /// The encoding it was read in.
    pub encoding: Encoding,
    /// NUL bytes removed.
    pub nul_bytes: usize,
    /// 1-based line (`\n` counted) of the first NUL byte, if any.
    pub first_nul_line: Option<u64>,
}

/// Decodes `bytes` to text (see the module docs) and removes stray NUL bytes.
pub(crate) fn decode_text(bytes: &[u8]) -> Result<Decoded<'_>, IngestError> {
    let (text, encoding) = decode(bytes)?;
    let nul_bytes = text.bytes().filter(|&b| b == 0).count();
    if nul_bytes == 0 {
        return Ok(Decoded {
            text,
            encoding,
            nul_bytes,
            first_nul_line: None,
        });
    }
    let first = text.find('\0').unwrap_or_default();
    let first_nul_line = Some(1 + text[..first].matches('\n').count() as u64);
    Ok(Decoded {
        text: Cow::Owned(text.replace('\0', "")),
        encoding,
        nul_bytes,
        first_nul_line,
    })
}

/// Decodes `bytes` to text, detecting the encoding as described in the module docs (stray NUL bytes are
/// still in the text).
pub fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, Encoding), IngestError> {
    if bytes.is_empty() {
        return Err(IngestError::Empty {
            bytes: 0,
            bom: false,
        });
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        if rest.is_empty() {
            return Err(IngestError::Empty {
                bytes: bytes.len(),
                bom: true,
            });
        }
        check_control_bytes(rest)?;
        return match std::str::from_utf8(rest) {
            Ok(text) => Ok((Cow::Borrowed(text), Encoding::Utf8Bom)),
            // A UTF-8 mark on bytes that are not UTF-8: the mark lies; read the rest as Windows-1252.
            Err(_) => Ok((windows_1252(rest), Encoding::Windows1252)),
        };
    }
    let utf16 = if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        Some((rest, Encoding::Utf16Le))
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        Some((rest, Encoding::Utf16Be))
    } else {
        bomless_utf16(bytes).map(|encoding| (bytes, encoding))
    };
    if let Some((rest, encoding)) = utf16 {
        if rest.is_empty() {
            return Err(IngestError::Empty {
                bytes: bytes.len(),
                bom: true,
            });
        }
        let (rs, name): (&'static RsEncoding, &'static str) = match encoding {
            Encoding::Utf16Le => (UTF_16LE, "UTF-16LE"),
            _ => (UTF_16BE, "UTF-16BE"),
        };
        let (text, had_errors) = rs.decode_without_bom_handling(rest);
        if had_errors {
            return Err(IngestError::InvalidUtf16 {
                encoding: name,
                bytes: bytes.len(),
            });
        }
        check_control_bytes(text.as_bytes())?;
        return Ok((Cow::Owned(text.into_owned()), encoding));
    }
    check_control_bytes(bytes)?;
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((Cow::Borrowed(text), Encoding::Utf8)),
        Err(_) => Ok((windows_1252(bytes), Encoding::Windows1252)),
    }
}

fn windows_1252(bytes: &[u8]) -> Cow<'_, str> {
    let (text, _had_errors) = WINDOWS_1252.decode_without_bom_handling(bytes);
    text
}

pub(crate) fn is_control(byte: u8) -> bool {
    byte < 0x20 && !matches!(byte, b'\t' | b'\n' | b'\r' | 0x0C)
}

/// Rejects text with more than 1% control bytes in its first 64 KiB, or NUL bytes making up more than 1%
/// of the whole.
fn check_control_bytes(bytes: &[u8]) -> Result<(), IngestError> {
    let sample = &bytes[..bytes.len().min(CONTROL_SAMPLE)];
    let control_bytes = sample.iter().filter(|&&b| is_control(b)).count();
    let nuls = bytes.iter().filter(|&&b| b == 0).count();
    let has_nul = nuls * 100 > bytes.len();
    if has_nul || control_bytes * 100 > sample.len() {
        let first_offset = bytes
            .iter()
            .position(|&b| is_control(b))
            .unwrap_or_default();
        return Err(IngestError::Binary {
            control_bytes: control_bytes.max(usize::from(has_nul)),
            sampled: sample.len(),
            first_offset,
        });
    }
    Ok(())
}

/// UTF-16 without a byte-order mark: ASCII-range text has a zero in every other byte.
pub(crate) fn bomless_utf16(bytes: &[u8]) -> Option<Encoding> {
    let sample = &bytes[..bytes.len().min(UTF16_SAMPLE) & !1];
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let zero_even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let zero_odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    let mostly = |n: usize| n * 10 >= pairs * 9;
    let hardly = |n: usize| n * 20 <= pairs;
    if mostly(zero_odd) && hardly(zero_even) {
        Some(Encoding::Utf16Le)
    } else if mostly(zero_even) && hardly(zero_odd) {
        Some(Encoding::Utf16Be)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if big_endian { b"\xFE\xFF" } else { b"\xFF\xFE" });
        }
        for unit in text.encode_utf16() {
            let pair = if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            out.extend_from_slice(&pair);
        }
        out
    }

    #[test]
    fn plain_utf8_is_borrowed_unchanged() {
        let (text, encoding) = decode("a,b\nü,1\n".as_bytes()).unwrap();
        assert!(matches!(text, Cow::Borrowed(_)));
        assert_eq!(text, "a,b\nü,1\n");
        assert_eq!(encoding, Encoding::Utf8);
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let (text, encoding) = decode(b"\xEF\xBB\xBFname,x\n").unwrap();
        assert_eq!(text, "name,x\n");
        assert_eq!(encoding, Encoding::Utf8Bom);
    }

    #[test]
    fn latin1_bytes_decode_as_windows_1252() {
        // "café,€5" in Windows-1252: é = E9, € = 80.
        let (text, encoding) = decode(b"caf\xE9,\x805\n").unwrap();
        assert_eq!(text, "café,€5\n");
        assert_eq!(encoding, Encoding::Windows1252);
    }

    #[test]
    fn utf16_with_and_without_bom_in_both_byte_orders() {
        for big_endian in [false, true] {
            for bom in [true, false] {
                let bytes = utf16("name;ville\nZoë;Genève\n", big_endian, bom);
                let (text, encoding) = decode(&bytes).unwrap();
                assert_eq!(
                    text, "name;ville\nZoë;Genève\n",
                    "be={big_endian} bom={bom}"
                );
                let expected = if big_endian {
                    Encoding::Utf16Be
                } else {
                    Encoding::Utf16Le
                };
                assert_eq!(encoding, expected);
            }
        }
    }

    #[test]
    fn empty_and_bom_only_files_are_empty_errors() {
        assert_eq!(
            decode(b"").unwrap_err(),
            IngestError::Empty {
                bytes: 0,
                bom: false
            }
        );
        assert_eq!(
            decode(b"\xEF\xBB\xBF").unwrap_err(),
            IngestError::Empty {
                bytes: 3,
                bom: true
            }
        );
        assert_eq!(
            decode(b"\xFF\xFE").unwrap_err(),
            IngestError::Empty {
                bytes: 2,
                bom: true
            }
        );
    }

    #[test]
    fn nul_bytes_mean_binary() {
        let bytes = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00";
        match decode(bytes).unwrap_err() {
            IngestError::Binary {
                first_offset,
                control_bytes,
                ..
            } => {
                assert_eq!(first_offset, 6);
                assert!(control_bytes >= 5);
            }
            other => panic!("expected Binary, got {other:?}"),
        }
    }

    #[test]
    fn a_few_stray_nul_bytes_are_removed_and_counted_not_binary() {
        let mut bytes = b"name,score\n".to_vec();
        for i in 0..40 {
            bytes.extend_from_slice(format!("customer{i},{i}\n").as_bytes());
        }
        // Three NULs on line 5, as a damaged export leaves them.
        let at = bytes
            .iter()
            .enumerate()
            .filter(|(_, &b)| b == b'\n')
            .nth(3)
            .unwrap()
            .0
            + 3;
        bytes.splice(at..at, [0, 0, 0]);
        let decoded = decode_text(&bytes).unwrap();
        assert_eq!((decoded.nul_bytes, decoded.first_nul_line), (3, Some(5)));
        assert!(!decoded.text.contains('\0'));
        assert_eq!(decoded.text.len(), bytes.len() - 3);
    }

    #[test]
    fn invalid_utf16_after_bom_is_an_error() {
        // An unpaired high surrogate.
        let error = decode(b"\xFF\xFEa\x00\x00\xD8b\x00").unwrap_err();
        assert_eq!(
            error,
            IngestError::InvalidUtf16 {
                encoding: "UTF-16LE",
                bytes: 8
            }
        );
    }
}
