//! How a [`super::Column`] stores its cells compactly: per-row codes in the narrowest unsigned width the
//! dictionary needs ([`Codes`]), and the distinct texts back to back in one buffer ([`Dictionary`]).
//!
//! A million-row file of twenty columns has about twenty million codes and, with identifiers and
//! amounts, over a million distinct texts. Four bytes per code and a `String` per text (24 bytes plus an
//! allocation each) were most of the table's memory; a byte or two per code for the usual columns of a
//! few hundred or a few thousand values, and one allocation per dictionary, keep the same cells in less
//! than half of it.

use std::ops::Index;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Cell;

/// Per-row dictionary codes, one byte each for up to 256 distinct texts, two for up to 65,536, else four.
/// The default is no rows, one byte wide.
///
/// Filled row by row while a file is read ([`CodeStore::push`]: it starts narrow and widens when a code
/// no longer fits), or made from four-byte codes at once ([`CodeStore::new`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CodeStore {
    /// Up to 256 distinct texts.
    U8(Vec<u8>),
    /// Up to 65,536 distinct texts.
    U16(Vec<u16>),
    /// More.
    U32(Vec<u32>),
}

impl Default for CodeStore {
    fn default() -> CodeStore {
        CodeStore::U8(Vec::new())
    }
}

impl CodeStore {
    /// The codes, stored as narrowly as `distinct` (the dictionary's length, which every code is below)
    /// allows. The wide vector is released once the narrow one is written.
    pub(crate) fn new(codes: Vec<u32>, distinct: usize) -> CodeStore {
        if distinct <= 1 << 8 {
            CodeStore::U8(codes.iter().map(|&code| code as u8).collect())
        } else if distinct <= 1 << 16 {
            CodeStore::U16(codes.iter().map(|&code| code as u16).collect())
        } else {
            let mut codes = codes;
            codes.shrink_to_fit();
            CodeStore::U32(codes)
        }
    }

    /// An empty store with room for `rows` one-byte codes.
    pub(crate) fn with_capacity(rows: usize) -> CodeStore {
        CodeStore::U8(Vec::with_capacity(rows))
    }

    /// Appends the next row's code, widening the store first when the code does not fit its width.
    #[inline]
    pub(crate) fn push(&mut self, code: u32) {
        match self {
            CodeStore::U8(codes) if code <= u32::from(u8::MAX) => codes.push(code as u8),
            CodeStore::U16(codes) if code <= u32::from(u16::MAX) => codes.push(code as u16),
            CodeStore::U32(codes) => codes.push(code),
            _ => {
                self.widen();
                self.push(code);
            }
        }
    }

    /// The same codes one width wider, with the same room for more rows.
    #[cold]
    fn widen(&mut self) {
        *self = match self {
            CodeStore::U8(codes) => {
                let mut wider = Vec::with_capacity(codes.capacity());
                wider.extend(codes.iter().map(|&code| u16::from(code)));
                CodeStore::U16(wider)
            }
            CodeStore::U16(codes) => {
                let mut wider = Vec::with_capacity(codes.capacity());
                wider.extend(codes.iter().map(|&code| u32::from(code)));
                CodeStore::U32(wider)
            }
            CodeStore::U32(_) => return,
        };
    }

    /// Releases spare room.
    pub(crate) fn shrink_to_fit(&mut self) {
        match self {
            CodeStore::U8(codes) => codes.shrink_to_fit(),
            CodeStore::U16(codes) => codes.shrink_to_fit(),
            CodeStore::U32(codes) => codes.shrink_to_fit(),
        }
    }

    /// A view of the codes.
    #[inline]
    pub(crate) fn view(&self) -> Codes<'_> {
        match self {
            CodeStore::U8(codes) => Codes::U8(codes),
            CodeStore::U16(codes) => Codes::U16(codes),
            CodeStore::U32(codes) => Codes::U32(codes),
        }
    }
}

/// A column's per-row dictionary codes (`column.text(row) == column.dictionary()[codes.get(row)]`), in
/// the width the column stores them.
///
/// Loops over many rows can match once on the width and run over the plain slice (see
/// [`Codes::for_each`]); [`Codes::get`] and [`Codes::iter`] read one code at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codes<'a> {
    /// One byte per row: the dictionary has at most 256 entries.
    U8(&'a [u8]),
    /// Two bytes per row: at most 65,536 entries.
    U16(&'a [u16]),
    /// Four bytes per row.
    U32(&'a [u32]),
}

impl<'a> Codes<'a> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Codes::U8(codes) => codes.len(),
            Codes::U16(codes) => codes.len(),
            Codes::U32(codes) => codes.len(),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The code of `row`. Panics when `row` is out of range, as indexing a slice does.
    #[inline]
    pub fn get(&self, row: usize) -> u32 {
        match self {
            Codes::U8(codes) => u32::from(codes[row]),
            Codes::U16(codes) => u32::from(codes[row]),
            Codes::U32(codes) => codes[row],
        }
    }

    /// Every row's code, in row order.
    pub fn iter(&self) -> CodeIter<'a> {
        match *self {
            Codes::U8(codes) => CodeIter::U8(codes.iter()),
            Codes::U16(codes) => CodeIter::U16(codes.iter()),
            Codes::U32(codes) => CodeIter::U32(codes.iter()),
        }
    }

    /// The codes of `rows` (a contiguous run of rows; row `rows.start` is row 0 of the view).
    ///
    /// # Panics
    /// If `rows` is out of range, as slicing is.
    pub fn rows(&self, rows: std::ops::Range<usize>) -> Codes<'a> {
        match *self {
            Codes::U8(codes) => Codes::U8(&codes[rows]),
            Codes::U16(codes) => Codes::U16(&codes[rows]),
            Codes::U32(codes) => Codes::U32(&codes[rows]),
        }
    }

    /// Calls `visit(code)` with the code of each of `rows` in turn, matching on the width once.
    ///
    /// # Panics
    /// If a row is out of range.
    #[inline]
    pub fn for_each_of(&self, rows: &[u32], mut visit: impl FnMut(u32)) {
        match self {
            Codes::U8(codes) => rows
                .iter()
                .for_each(|&row| visit(u32::from(codes[row as usize]))),
            Codes::U16(codes) => rows
                .iter()
                .for_each(|&row| visit(u32::from(codes[row as usize]))),
            Codes::U32(codes) => rows.iter().for_each(|&row| visit(codes[row as usize])),
        }
    }

    /// Calls `visit(row, code)` for every row in order, matching on the width once.
    #[inline]
    pub fn for_each(&self, mut visit: impl FnMut(usize, u32)) {
        match self {
            Codes::U8(codes) => codes
                .iter()
                .enumerate()
                .for_each(|(row, &code)| visit(row, u32::from(code))),
            Codes::U16(codes) => codes
                .iter()
                .enumerate()
                .for_each(|(row, &code)| visit(row, u32::from(code))),
            Codes::U32(codes) => codes
                .iter()
                .enumerate()
                .for_each(|(row, &code)| visit(row, code)),
        }
    }

    /// The codes as four-byte values (a copy).
    pub fn to_vec(&self) -> Vec<u32> {
        self.iter().collect()
    }

    /// How many rows have each code, for a dictionary of `distinct` entries.
    pub fn counts(&self, distinct: usize) -> Vec<usize> {
        let mut counts = vec![0usize; distinct];
        self.for_each(|_, code| counts[code as usize] += 1);
        counts
    }
}

impl<'a> IntoIterator for Codes<'a> {
    type Item = u32;
    type IntoIter = CodeIter<'a>;

    fn into_iter(self) -> CodeIter<'a> {
        self.iter()
    }
}

/// The iterator of [`Codes::iter`].
#[derive(Clone, Debug)]
pub enum CodeIter<'a> {
    /// Over one-byte codes.
    U8(std::slice::Iter<'a, u8>),
    /// Over two-byte codes.
    U16(std::slice::Iter<'a, u16>),
    /// Over four-byte codes.
    U32(std::slice::Iter<'a, u32>),
}

impl Iterator for CodeIter<'_> {
    type Item = u32;

    #[inline]
    fn next(&mut self) -> Option<u32> {
        match self {
            CodeIter::U8(codes) => codes.next().map(|&code| u32::from(code)),
            CodeIter::U16(codes) => codes.next().map(|&code| u32::from(code)),
            CodeIter::U32(codes) => codes.next().copied(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            CodeIter::U8(codes) => codes.size_hint(),
            CodeIter::U16(codes) => codes.size_hint(),
            CodeIter::U32(codes) => codes.size_hint(),
        }
    }
}

impl ExactSizeIterator for CodeIter<'_> {}

/// A column's distinct cell texts, in code order, stored back to back in one buffer.
///
/// `dictionary[code]` is the text of `code`; [`Dictionary::iter`] gives them in code order.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Dictionary {
    /// Every text, concatenated.
    text: String,
    /// Where each text ends in `text` (its start is the previous one's end).
    ends: Vec<usize>,
}

impl Dictionary {
    /// An empty dictionary with room for `entries` texts of `bytes` bytes in all.
    pub fn with_capacity(entries: usize, bytes: usize) -> Dictionary {
        Dictionary {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(entries),
        }
    }

    /// Adds `text` as the next entry; returns its code.
    pub fn push(&mut self, text: &str) -> u32 {
        self.text.push_str(text);
        self.ends.push(self.text.len());
        (self.ends.len() - 1) as u32
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The text of `code`, if there is such an entry.
    #[inline]
    pub fn get(&self, code: usize) -> Option<&str> {
        let end = *self.ends.get(code)?;
        let start = if code == 0 { 0 } else { self.ends[code - 1] };
        Some(&self.text[start..end])
    }

    /// The texts in code order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + Clone + '_ {
        (0..self.ends.len()).map(move |code| {
            let start = if code == 0 { 0 } else { self.ends[code - 1] };
            &self.text[start..self.ends[code]]
        })
    }

    /// The texts as owned strings (a copy).
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }

    /// Releases spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    /// Every text concatenated, and where each ends.
    pub(crate) fn parts(&self) -> (&str, &[usize]) {
        (&self.text, &self.ends)
    }

    /// The dictionary of [`Self::parts`], when the ends do not decrease, the last is the text's length and
    /// each falls on a character boundary.
    pub(crate) fn from_parts(text: String, ends: Vec<usize>) -> Option<Dictionary> {
        let ordered = ends.windows(2).all(|pair| pair[0] <= pair[1]);
        let complete = ends
            .last()
            .map_or(text.is_empty(), |&last| last == text.len());
        let on_boundaries = ends.iter().all(|&end| text.is_char_boundary(end));
        (ordered && complete && on_boundaries).then_some(Dictionary { text, ends })
    }
}

impl Index<usize> for Dictionary {
    type Output = str;

    #[inline]
    fn index(&self, code: usize) -> &str {
        match self.get(code) {
            Some(text) => text,
            None => panic!(
                "dictionary code {code} out of range ({} entries)",
                self.len()
            ),
        }
    }
}

impl<S: AsRef<str>> FromIterator<S> for Dictionary {
    fn from_iter<I: IntoIterator<Item = S>>(texts: I) -> Dictionary {
        let mut dictionary = Dictionary::default();
        for text in texts {
            dictionary.push(text.as_ref());
        }
        dictionary.shrink_to_fit();
        dictionary
    }
}

impl From<Vec<String>> for Dictionary {
    fn from(texts: Vec<String>) -> Dictionary {
        let bytes = texts.iter().map(String::len).sum();
        let mut dictionary = Dictionary::with_capacity(texts.len(), bytes);
        for text in &texts {
            dictionary.push(text);
        }
        dictionary
    }
}

impl std::fmt::Debug for Dictionary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Serialized as the list of texts, as a `Vec<String>` is.
impl Serialize for Dictionary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Dictionary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Dictionary, D::Error> {
        Vec::<String>::deserialize(deserializer).map(Dictionary::from)
    }
}

/// Serialized as the list of codes, as a `Vec<u32>` is.
impl Serialize for CodeStore {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.view().iter())
    }
}

/// A NaN that marks a missing entry among numbers; reading a file never gives a number with these bits
/// (Rust's float parsing gives the canonical NaN, and missing markers are [`Cell::Missing`]).
const MISSING_NUMBER: u64 = 0x7ff8_0000_dead_beef;

/// The typed reading of each dictionary entry ([`Cell`]s), stored by what the column holds: an
/// identifier column's entries are present text or missing (a byte each), a numeric or date column's
/// numbers or missing (eight bytes each), anything else as cells (sixteen bytes each).
#[derive(Clone, Debug)]
pub(crate) enum CellStore {
    /// Every entry is present text or missing: whether each is missing.
    Texts(Vec<bool>),
    /// Every entry is a number or missing ([`MISSING_NUMBER`]).
    Numbers(Vec<f64>),
    /// Any other mix.
    Cells(Vec<Cell>),
}

impl CellStore {
    /// The cells, stored as compactly as what they hold allows.
    pub(crate) fn new(cells: Vec<Cell>) -> CellStore {
        let texts = cells
            .iter()
            .all(|cell| matches!(cell, Cell::Missing | Cell::Text));
        if texts && cells.iter().any(|cell| matches!(cell, Cell::Text)) {
            return CellStore::Texts(cells.iter().map(|cell| *cell == Cell::Missing).collect());
        }
        let numbers = cells.iter().all(|cell| match cell {
            Cell::Missing => true,
            Cell::Number(value) => value.to_bits() != MISSING_NUMBER,
            Cell::Level(_) | Cell::Text => false,
        });
        if numbers {
            return CellStore::Numbers(
                cells
                    .iter()
                    .map(|cell| match cell {
                        Cell::Number(value) => *value,
                        _ => f64::from_bits(MISSING_NUMBER),
                    })
                    .collect(),
            );
        }
        CellStore::Cells(cells)
    }

    /// A view of the cells.
    #[inline]
    pub(crate) fn view(&self) -> Cells<'_> {
        match self {
            CellStore::Texts(missing) => Cells::Texts(missing),
            CellStore::Numbers(numbers) => Cells::Numbers(numbers),
            CellStore::Cells(cells) => Cells::Cells(cells),
        }
    }
}

/// Equal when every entry reads as the same [`Cell`] (as `Vec<Cell>` compares: a NaN number is unequal).
impl PartialEq for CellStore {
    fn eq(&self, other: &CellStore) -> bool {
        self.view().len() == other.view().len() && self.view().iter().eq(other.view().iter())
    }
}

/// Serialized as the list of cells, as a `Vec<Cell>` is.
impl Serialize for CellStore {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.view().iter())
    }
}

impl<'a> IntoIterator for Cells<'a> {
    type Item = Cell;
    type IntoIter = CellIter<'a>;

    fn into_iter(self) -> CellIter<'a> {
        self.iter()
    }
}

/// The iterator of [`Cells::iter`].
#[derive(Clone, Debug)]
pub struct CellIter<'a> {
    cells: Cells<'a>,
    next: usize,
}

impl Iterator for CellIter<'_> {
    type Item = Cell;

    #[inline]
    fn next(&mut self) -> Option<Cell> {
        (self.next < self.cells.len()).then(|| {
            self.next += 1;
            self.cells.get(self.next - 1)
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.cells.len() - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for CellIter<'_> {}

/// A column's typed reading of each dictionary entry, in the form the column stores them; [`Cells::get`]
/// and [`Cells::iter`] give [`Cell`]s whatever the form.
#[derive(Clone, Copy, Debug)]
pub enum Cells<'a> {
    /// Present text (`false`) or missing (`true`) per entry.
    Texts(&'a [bool]),
    /// A number or the missing marker per entry.
    Numbers(&'a [f64]),
    /// A cell per entry.
    Cells(&'a [Cell]),
}

impl<'a> Cells<'a> {
    /// Number of entries.
    pub fn len(&self) -> usize {
        match self {
            Cells::Texts(missing) => missing.len(),
            Cells::Numbers(numbers) => numbers.len(),
            Cells::Cells(cells) => cells.len(),
        }
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cell of dictionary entry `entry`. Panics when `entry` is out of range, as indexing a slice does.
    #[inline]
    pub fn get(&self, entry: usize) -> Cell {
        match self {
            Cells::Texts(missing) => {
                if missing[entry] {
                    Cell::Missing
                } else {
                    Cell::Text
                }
            }
            Cells::Numbers(numbers) => {
                let value = numbers[entry];
                if value.to_bits() == MISSING_NUMBER {
                    Cell::Missing
                } else {
                    Cell::Number(value)
                }
            }
            Cells::Cells(cells) => cells[entry],
        }
    }

    /// Every entry's cell, in code order.
    pub fn iter(&self) -> CellIter<'a> {
        CellIter {
            cells: *self,
            next: 0,
        }
    }

    /// The cells as a vector (a copy).
    pub fn to_vec(&self) -> Vec<Cell> {
        self.iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_take_the_narrowest_width_the_dictionary_needs_and_read_back_the_same() {
        for (distinct, width) in [(1, 1), (256, 1), (257, 2), (65_536, 2), (65_537, 4)] {
            let codes: Vec<u32> = (0..distinct as u32)
                .chain([0, distinct as u32 - 1])
                .collect();
            let store = CodeStore::new(codes.clone(), distinct);
            let view = store.view();
            let stored_width = match view {
                Codes::U8(_) => 1,
                Codes::U16(_) => 2,
                Codes::U32(_) => 4,
            };
            assert_eq!(stored_width, width, "{distinct} distinct texts");
            assert_eq!(view.to_vec(), codes);
            assert_eq!(view.len(), codes.len());
            assert_eq!(view.get(codes.len() - 1), distinct as u32 - 1);
            let mut visited = Vec::new();
            view.for_each(|row, code| visited.push((row, code)));
            assert!(visited.iter().all(|&(row, code)| codes[row] == code));
            assert_eq!(visited.len(), codes.len());
            let mut pushed = CodeStore::with_capacity(2);
            codes.iter().for_each(|&code| pushed.push(code));
            assert_eq!(
                pushed, store,
                "pushed one by one, {distinct} distinct texts"
            );
        }
    }

    #[test]
    fn cells_are_stored_by_what_they_hold_and_read_back_the_same() {
        let texts = vec![Cell::Text, Cell::Missing, Cell::Text];
        let numbers = vec![Cell::Number(2.5), Cell::Missing, Cell::Number(-0.0)];
        let mixed = vec![Cell::Level(0), Cell::Missing, Cell::Level(1)];
        let odd_nan = vec![Cell::Number(f64::from_bits(MISSING_NUMBER)), Cell::Missing];
        let all_missing = vec![Cell::Missing, Cell::Missing];
        for (cells, form) in [
            (texts, "texts"),
            (numbers, "numbers"),
            (mixed, "cells"),
            (odd_nan, "cells"),
            (all_missing, "numbers"),
        ] {
            let store = CellStore::new(cells.clone());
            let stored = match store {
                CellStore::Texts(_) => "texts",
                CellStore::Numbers(_) => "numbers",
                CellStore::Cells(_) => "cells",
            };
            assert_eq!(stored, form, "{cells:?}");
            let read: Vec<Cell> = store.view().to_vec();
            assert_eq!(read.len(), cells.len());
            for (read, cell) in read.iter().zip(&cells) {
                match (read, cell) {
                    (Cell::Number(a), Cell::Number(b)) => assert_eq!(a.to_bits(), b.to_bits()),
                    _ => assert_eq!(read, cell),
                }
            }
        }
    }

    #[test]
    fn a_dictionary_gives_back_each_text_by_code_including_empty_ones() {
        let texts = vec![
            "red".to_owned(),
            String::new(),
            "blue-green".into(),
            "é".into(),
        ];
        let dictionary = Dictionary::from(texts.clone());
        assert_eq!(dictionary.len(), 4);
        assert_eq!(&dictionary[0], "red");
        assert_eq!(&dictionary[1], "");
        assert_eq!(&dictionary[2], "blue-green");
        assert_eq!(dictionary.get(3), Some("é"));
        assert_eq!(dictionary.get(4), None);
        assert_eq!(dictionary.to_vec(), texts);
        assert_eq!(dictionary.iter().len(), 4);
        let json = serde_json::to_string(&dictionary).unwrap();
        assert_eq!(json, r#"["red","","blue-green","é"]"#);
        assert_eq!(
            serde_json::from_str::<Dictionary>(&json).unwrap(),
            dictionary
        );
    }
}
