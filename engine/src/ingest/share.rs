//! One file's columns read by two readers at once.
//!
//! A reader given a [`ColumnShare::Part`] parses every record of the file, as any reader does (the rows
//! kept, skipped, blank or repeated are the same whoever reads them), but looks up the cells of its own
//! columns only: the lookups in the columns' dictionaries are most of a read's time. In the browser, where
//! a Web Worker has one thread, a second worker reading the same `File` for the other part halves that
//! time. It sends the columns it filled as a [`ColumnPart`] ([`ColumnPart::to_bytes`], a transferable
//! buffer), and the first reader finishes with them
//! ([`StreamingReader::finish_with`](super::StreamingReader::finish_with)): the same table, bit for bit,
//! as one reader filling every column.

use thiserror::Error;

use crate::table::{CodeStore, Dictionary};

/// Which of a file's columns a reader fills.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColumnShare {
    /// Every column.
    #[default]
    All,
    /// Part `part` (from 0) of `parts` runs of consecutive columns: column `c` of `width` is in part
    /// `c * parts / width`.
    Part {
        /// Which run, from 0.
        part: usize,
        /// How many runs the columns are cut into.
        parts: usize,
    },
}

impl ColumnShare {
    /// Whether a reader with this share fills column `column` of a table `width` columns wide.
    pub fn fills(self, column: usize, width: usize) -> bool {
        match self {
            ColumnShare::All => true,
            ColumnShare::Part { part, parts } => column * parts.max(1) / width.max(1) == part,
        }
    }

    /// Whether some columns are left to other readers.
    pub fn is_part(self) -> bool {
        matches!(self, ColumnShare::Part { parts, .. } if parts > 1)
    }
}

/// The columns one reader of a file filled with its [`ColumnShare::Part`]: each one's dictionary of
/// distinct texts and its code per kept row, with the table's row count and width to check them against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnPart {
    pub(crate) rows: usize,
    pub(crate) width: usize,
    /// (column index, dictionary, codes), in column order.
    pub(crate) columns: Vec<(usize, Dictionary, CodeStore)>,
}

/// Why bytes are not a [`ColumnPart`] (they were cut short or are not what [`ColumnPart::to_bytes`]
/// writes).
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("the other reader's columns could not be read: {0}")]
pub struct ColumnPartError(&'static str);

/// The first bytes of [`ColumnPart::to_bytes`], with the format's version.
const MAGIC: &[u8; 8] = b"ABPART01";

impl ColumnPart {
    /// Rows in each column.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Indexes of the columns it holds, in order.
    pub fn column_indexes(&self) -> impl Iterator<Item = usize> + '_ {
        self.columns.iter().map(|(index, ..)| *index)
    }

    /// The part in one buffer, little-endian: the header, then per column its index, code width, codes,
    /// the ends of its texts and the texts.
    pub fn to_bytes(&self) -> Vec<u8> {
        let size = 32
            + self
                .columns
                .iter()
                .map(|(_, dictionary, codes)| {
                    let (text, ends) = dictionary.parts();
                    40 + codes_bytes(codes) + 8 * ends.len() + text.len()
                })
                .sum::<usize>();
        let mut out = Vec::with_capacity(size);
        out.extend_from_slice(MAGIC);
        put(&mut out, self.rows);
        put(&mut out, self.width);
        put(&mut out, self.columns.len());
        for (index, dictionary, codes) in &self.columns {
            put(&mut out, *index);
            match codes {
                CodeStore::U8(codes) => {
                    put(&mut out, 1);
                    out.extend_from_slice(codes);
                }
                CodeStore::U16(codes) => {
                    put(&mut out, 2);
                    codes
                        .iter()
                        .for_each(|code| out.extend_from_slice(&code.to_le_bytes()));
                }
                CodeStore::U32(codes) => {
                    put(&mut out, 4);
                    codes
                        .iter()
                        .for_each(|code| out.extend_from_slice(&code.to_le_bytes()));
                }
            }
            let (text, ends) = dictionary.parts();
            put(&mut out, ends.len());
            ends.iter().for_each(|&end| put(&mut out, end));
            put(&mut out, text.len());
            out.extend_from_slice(text.as_bytes());
        }
        out
    }

    /// Reads what [`Self::to_bytes`] wrote, checking every length, code and text boundary.
    ///
    /// # Errors
    /// [`ColumnPartError`] when the bytes are cut short, too long, or not a part's.
    pub fn from_bytes(bytes: &[u8]) -> Result<ColumnPart, ColumnPartError> {
        let mut input = Input(bytes);
        if input.take(MAGIC.len())? != MAGIC {
            return Err(ColumnPartError("not a column part"));
        }
        let rows = input.number()?;
        let width = input.number()?;
        let count = input.number()?;
        if count > width {
            return Err(ColumnPartError("more columns than the table has"));
        }
        // Each column takes at least 40 bytes: no more room than the bytes can hold.
        let mut columns: Vec<(usize, Dictionary, CodeStore)> =
            Vec::with_capacity(count.min(input.0.len() / 40));
        for _ in 0..count {
            let index = input.number()?;
            if index >= width || columns.last().is_some_and(|(last, ..)| *last >= index) {
                return Err(ColumnPartError("a column index out of order"));
            }
            let code_width = input.number()?;
            let raw = input.take(rows.checked_mul(code_width).ok_or(TOO_LONG)?)?;
            let codes = match code_width {
                1 => CodeStore::U8(raw.to_vec()),
                2 => CodeStore::U16(
                    raw.chunks_exact(2)
                        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
                        .collect(),
                ),
                4 => CodeStore::U32(
                    raw.chunks_exact(4)
                        .map(|four| u32::from_le_bytes([four[0], four[1], four[2], four[3]]))
                        .collect(),
                ),
                _ => return Err(ColumnPartError("a code width that is not 1, 2 or 4 bytes")),
            };
            let entries = input.number()?;
            let raw_ends = input.take(entries.checked_mul(8).ok_or(TOO_LONG)?)?;
            let ends: Vec<usize> = raw_ends
                .chunks_exact(8)
                .map(|eight| u64::from_le_bytes(eight.try_into().expect("8 bytes")) as usize)
                .collect();
            let text_len = input.number()?;
            let text = std::str::from_utf8(input.take(text_len)?)
                .map_err(|_| ColumnPartError("a text that is not UTF-8"))?;
            let dictionary = Dictionary::from_parts(text.to_owned(), ends).ok_or(
                ColumnPartError("text ends out of order or inside a character"),
            )?;
            let below = |code: usize| code < dictionary.len();
            let codes_fit = match codes.view() {
                crate::table::Codes::U8(codes) => codes.iter().all(|&c| below(usize::from(c))),
                crate::table::Codes::U16(codes) => codes.iter().all(|&c| below(usize::from(c))),
                crate::table::Codes::U32(codes) => codes.iter().all(|&c| below(c as usize)),
            };
            if !codes_fit {
                return Err(ColumnPartError("a code with no text"));
            }
            columns.push((index, dictionary, codes));
        }
        if !input.0.is_empty() {
            return Err(ColumnPartError("bytes after the last column"));
        }
        Ok(ColumnPart {
            rows,
            width,
            columns,
        })
    }
}

const TOO_LONG: ColumnPartError = ColumnPartError("a length too large");

fn codes_bytes(codes: &CodeStore) -> usize {
    match codes {
        CodeStore::U8(codes) => codes.len(),
        CodeStore::U16(codes) => 2 * codes.len(),
        CodeStore::U32(codes) => 4 * codes.len(),
    }
}

/// Appends `value` as 8 little-endian bytes.
fn put(out: &mut Vec<u8>, value: usize) {
    out.extend_from_slice(&(value as u64).to_le_bytes());
}

/// The bytes of a part not read yet.
struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], ColumnPartError> {
        if len > self.0.len() {
            return Err(ColumnPartError("the bytes end too soon"));
        }
        let (taken, rest) = self.0.split_at(len);
        self.0 = rest;
        Ok(taken)
    }

    fn number(&mut self) -> Result<usize, ColumnPartError> {
        let bytes = self.take(8)?;
        usize::try_from(u64::from_le_bytes(bytes.try_into().expect("8 bytes")))
            .map_err(|_| TOO_LONG)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{read_table, IngestError, IngestOptions, Ingested, StreamingReader};

    /// A file long enough to be read as it comes (over 128 KiB): unique ids (two-byte codes), repeated
    /// labels, quoted fields with the delimiter and a line break, a ragged row, a blank line and a
    /// repeated header far down.
    fn file() -> Vec<u8> {
        let mut text = String::from("id,city,amount,note,flag\n");
        for row in 0..30_000 {
            let city = ["Zoë", "Ann Arbor", "\"Paris, TX\""][row % 3];
            let note = if row % 1_000 == 7 {
                "\"two\nlines\""
            } else {
                ""
            };
            let flag = row % 2 == 0;
            text.push_str(&format!(
                "C{row},{city},{}.{:02},{note},{flag}\n",
                row % 977,
                row % 100
            ));
            if row == 20_000 {
                text.push_str("too,few\n\nid,city,amount,note,flag\n");
            }
        }
        text.into_bytes()
    }

    fn reader(bytes: &[u8], share: ColumnShare, piece: usize) -> StreamingReader {
        let mut reader = StreamingReader::sharing(IngestOptions::default(), bytes.len(), share);
        bytes.chunks(piece).for_each(|chunk| reader.push(chunk));
        reader
    }

    /// Part 0 of `parts` finished with the others' parts, each sent through its bytes.
    fn read_in_parts(
        bytes: &[u8],
        parts: usize,
        piece: usize,
    ) -> Option<Result<Ingested, IngestError>> {
        let first = reader(bytes, ColumnShare::Part { part: 0, parts }, piece);
        assert!(first.is_streaming());
        let others = (1..parts)
            .map(|part| {
                let part = reader(bytes, ColumnShare::Part { part, parts }, piece)
                    .finish_part()
                    .expect("a file read as it comes gives its part");
                ColumnPart::from_bytes(&part.to_bytes()).expect("its own bytes read back")
            })
            .collect();
        first.finish_with(others)
    }

    #[test]
    fn a_file_read_in_parts_is_the_file_read_whole() {
        let bytes = file();
        let whole = read_table(&bytes, &IngestOptions::default()).unwrap();
        assert_eq!(whole.table.n_rows(), 30_000);
        assert_eq!(whole.report.rows_skipped, 1);
        for (parts, piece) in [(2, 4_096), (2, 1 << 20), (3, 777), (5, bytes.len())] {
            let read = read_in_parts(&bytes, parts, piece)
                .expect("the parts complete the table")
                .unwrap();
            assert_eq!(read, whole, "{parts} parts, pieces of {piece} bytes");
        }
    }

    #[test]
    fn a_part_holds_its_own_run_of_columns_only() {
        let bytes = file();
        let part = reader(&bytes, ColumnShare::Part { part: 1, parts: 2 }, 65_536)
            .finish_part()
            .unwrap();
        // Five columns in two parts: 0, 1 and 2 first (c * 2 / 5 == 0), then 3 and 4.
        assert_eq!(part.column_indexes().collect::<Vec<_>>(), [3, 4]);
        assert_eq!(part.rows(), 30_000);
        assert_eq!(part.columns[1].1.to_vec(), ["true", "false"]);
        let first = reader(&bytes, ColumnShare::Part { part: 0, parts: 2 }, 65_536)
            .finish_part()
            .unwrap();
        assert_eq!(first.column_indexes().collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(first.columns[0].1.len(), 30_000);
    }

    #[test]
    fn parts_that_do_not_complete_the_table_ask_for_a_whole_read() {
        let bytes = file();
        let share = ColumnShare::Part { part: 0, parts: 2 };
        let other = |bytes: &[u8]| {
            reader(bytes, ColumnShare::Part { part: 1, parts: 2 }, 65_536)
                .finish_part()
                .unwrap()
        };
        // No part; a part of other rows (the file cut short); the same part twice.
        assert!(reader(&bytes, share, 65_536).finish_with(vec![]).is_none());
        let shorter = other(&bytes[..bytes.len() / 2]);
        assert!(reader(&bytes, share, 65_536)
            .finish_with(vec![shorter])
            .is_none());
        assert!(reader(&bytes, share, 65_536)
            .finish_with(vec![other(&bytes), other(&bytes)])
            .is_none());
        // A reader of every column needs no part.
        let whole = read_table(&bytes, &IngestOptions::default());
        assert_eq!(
            reader(&bytes, ColumnShare::All, 65_536).finish_with(vec![]),
            Some(whole)
        );
    }

    #[test]
    fn a_file_kept_whole_is_read_whole_by_the_reader_that_finishes_it() {
        // UTF-16 is kept whole and read at the end: no part, and every column read by the first reader.
        let text = String::from_utf8(file()).unwrap();
        let mut bytes = vec![0xFF, 0xFE];
        text.encode_utf16()
            .for_each(|unit| bytes.extend_from_slice(&unit.to_le_bytes()));
        let helper = reader(&bytes, ColumnShare::Part { part: 1, parts: 2 }, 65_536);
        assert!(!helper.is_streaming());
        assert!(helper.finish_part().is_none());
        let read = reader(&bytes, ColumnShare::Part { part: 0, parts: 2 }, 65_536)
            .finish_with(vec![])
            .expect("read whole");
        assert_eq!(read, read_table(&bytes, &IngestOptions::default()));
        assert_eq!(read.unwrap().table.n_rows(), 30_000);
    }

    #[test]
    fn a_file_found_windows_1252_far_down_reads_the_same_in_parts() {
        let mut bytes = file();
        let at = bytes.len() * 3 / 4;
        let line_start = at + bytes[at..].iter().position(|&b| b == b'\n').unwrap() + 1;
        bytes.splice(
            line_start..line_start,
            b"X1,Gen\xE8ve,1.00,,true\n".iter().copied(),
        );
        let whole = read_table(&bytes, &IngestOptions::default()).unwrap();
        assert!(whole
            .table
            .column("city")
            .unwrap()
            .dictionary()
            .iter()
            .any(|t| t == "Genève"));
        let read = read_in_parts(&bytes, 2, 10_000).unwrap().unwrap();
        assert_eq!(read, whole);
    }

    #[test]
    fn a_binary_file_gives_no_part_and_its_error_to_the_reader_that_finishes() {
        let mut bytes = file();
        bytes.extend(std::iter::repeat_n(0u8, bytes.len() / 20));
        let helper = reader(&bytes, ColumnShare::Part { part: 1, parts: 2 }, 65_536);
        assert!(helper.is_streaming());
        assert!(helper.finish_part().is_none());
        let read =
            reader(&bytes, ColumnShare::Part { part: 0, parts: 2 }, 65_536).finish_with(vec![]);
        assert!(
            matches!(read, Some(Err(IngestError::Binary { .. }))),
            "{read:?}"
        );
    }

    fn small_part() -> ColumnPart {
        ColumnPart {
            rows: 3,
            width: 4,
            columns: vec![
                (
                    0,
                    ["a", "é"].into_iter().collect(),
                    CodeStore::U8(vec![0, 1, 1]),
                ),
                (
                    2,
                    ["", "x"].into_iter().collect(),
                    CodeStore::U16(vec![1, 0, 1]),
                ),
                (
                    3,
                    ["long text é"].into_iter().collect(),
                    CodeStore::U32(vec![0, 0, 0]),
                ),
            ],
        }
    }

    #[test]
    fn a_part_reads_back_from_its_bytes_and_nothing_else_does() {
        let part = small_part();
        let bytes = part.to_bytes();
        assert_eq!(ColumnPart::from_bytes(&bytes), Ok(part.clone()));
        // Cut anywhere, or with a byte more: refused, never a panic.
        for len in 0..bytes.len() {
            assert!(
                ColumnPart::from_bytes(&bytes[..len]).is_err(),
                "cut at {len}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(ColumnPart::from_bytes(&longer).is_err());
        // A code with no text (the first column's third code, 1 → 2), a text end inside "é", a wrong
        // magic: refused.
        let codes_at = 8 + 3 * 8 + 2 * 8;
        let mut bad_code = bytes.clone();
        bad_code[codes_at + 2] = 2;
        assert_eq!(
            ColumnPart::from_bytes(&bad_code),
            Err(ColumnPartError("a code with no text"))
        );
        let first_end_at = codes_at + 3 + 8;
        let mut inside_a_character = bytes.clone();
        inside_a_character[first_end_at] = 2;
        assert!(ColumnPart::from_bytes(&inside_a_character).is_err());
        let mut magic = bytes;
        magic[0] = b'X';
        assert!(ColumnPart::from_bytes(&magic).is_err());
    }

    #[test]
    fn every_byte_changed_is_refused_or_read_without_a_panic() {
        let bytes = small_part().to_bytes();
        for at in 0..bytes.len() {
            for value in [0u8, 1, 0x7F, 0xFF] {
                let mut changed = bytes.clone();
                changed[at] = value;
                if let Ok(part) = ColumnPart::from_bytes(&changed) {
                    // Whatever reads is a well-formed part: every code has its text.
                    for (_, dictionary, codes) in &part.columns {
                        assert!(codes.view().iter().all(|c| (c as usize) < dictionary.len()));
                    }
                }
            }
        }
    }
}
