//! Column typing: choosing a [`ColumnType`] for a column and reading its distinct texts under it.
//!
//! Everything works on the column's dictionary (its distinct texts with their row counts), so a column of a
//! million rows with twenty distinct values is typed by looking at twenty strings.
//!
//! # The rules
//! Let *present* be the rows that are not missing markers. In this order, the column is:
//! 1. [`Empty`](ColumnType::Empty) when no row is present;
//! 2. [`Binary`](ColumnType::Binary) when every present value is one of `true/false`, `t/f`, `yes/no`,
//!    `y/n`, `1/0` (case-insensitive; spellings may be mixed). With only one of the two values present the
//!    column is still binary for words (`yes` alone), but not for digits (`1` alone is numeric);
//! 3. a **code** when at least 95% of present rows are digit strings (or ZIP+4 codes, `02134-1234`) and
//!    either some value is zero-padded (`00123`: a leading zero and the width of the longest value), the
//!    column name says ZIP or postal code and the values have three to five digits (a spreadsheet may have
//!    dropped leading zeros: `2134`), or ZIP+4 codes are present.
//!    Codes are never numbers: [`Identifier`](ColumnType::Identifier) when the name looks like an id (see
//!    5), more than 95% of at least 20 rows are distinct, or there are more than 100 distinct values;
//!    otherwise [`Categorical`](ColumnType::Categorical);
//! 4. [`Date`](ColumnType::Date) when at least 95% of present rows read as dates in one of
//!    [`DateFormat::ALL`] (the format reading the most rows wins; ties go to ISO, then month-first), or
//!    when at least 95% are compact `YYYYMMDD` dates ([`DateFormat::Compact`], years 1900–2100) and no
//!    other value reads as a number;
//! 5. [`Ordinal`](ColumnType::Ordinal) when the column has at most 1,000 distinct texts, at least 95% of
//!    present rows read as [bands](super::ordinal) (ranges or plain numbers), at least one of them is a
//!    range, and there are at most 100 distinct bands;
//! 6. [`Numeric`](ColumnType::Numeric) when at least 95% of present rows read as numbers (the decimal mark
//!    reading the most rows wins; ties go to the comma in `;`-delimited files and to the point otherwise) —
//!    unless the numbers are an identifier: more than 95% distinct and either the column name looks like an
//!    id (`id`, `…_id`, `… id`, `…-id`, `id_…`, `…Id`, `uuid`, `guid`) or the values are exactly the
//!    consecutive integers from their minimum to their maximum (a row number), with at least 20 rows;
//! 7. [`Identifier`](ColumnType::Identifier) when at least 20 rows are present and more than 95% of the
//!    present values are distinct (trimmed);
//! 8. [`Categorical`](ColumnType::Categorical) otherwise.
//!
//! A numeric column may also be flagged as **integer codes** ([`integer_codes`]; shown in the column
//! summary and the read notes, the type stays numeric): whole numbers from 0 to 99 with 3 to 50 distinct
//! values, and either a code-like name (containing `code`, `type`, `class`, `categ`, `group`, `segment`,
//! `region`, `status` or `kind`, or an all-capital abbreviation of at least five characters such as
//! `MOSTYPE`) or a code-like spread: starting at 0 or 1, at least 10 distinct values covering at least
//! 80% of the integers up to the largest, and the most frequent value neither of the two smallest (counts
//! such as visits or children are most often 0, 1 or 2).
//!
//! Under the chosen type, a present value that does not read (the up-to-5% remainder) becomes
//! [`Cell::Missing`] and is counted as *unparsable* in the column summary; it never becomes a category.
//!
//! # Levels
//! Texts are compared after trimming surrounding whitespace. Categorical levels are ordered by descending
//! row count, then label. Binary level 0 is the negative value, level 1 the positive; each level's label is
//! its most frequent spelling (or, when absent, the counterpart of the other: `yes` ↔ `no`, in the same
//! letter case). Ordinal levels are sorted by position; texts that read as the same band (`18-24` and
//! `18–24`) share a level labelled with the most frequent spelling.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::hash::Hash;

use super::date::{parse_date, DateFormat};
use super::missing::MissingMarkers;
use super::number::{parse_number, DecimalMark};
use super::ordinal::{self, parse_band, Band};
use super::trim::trim;
use super::IngestError;
use crate::table::{Cell, Codes, ColumnType, Dictionary, Level};

/// Share of present rows a type must read.
const TYPE_SHARE: f64 = 0.95;
/// Distinct share above which a column is an identifier.
const IDENTIFIER_DISTINCT_SHARE: f64 = 0.95;
/// Rows needed before a column can be called an identifier.
const IDENTIFIER_MIN_ROWS: usize = 20;
/// Ordinal typing is only tried on columns with at most this many distinct texts.
const ORDINAL_MAX_TEXTS: usize = 1_000;
/// At most this many distinct bands make an ordinal column.
const ORDINAL_MAX_LEVELS: usize = 100;

/// A column's distinct texts with their row counts and whether each is a missing marker.
pub(crate) struct Entries<'a> {
    texts: &'a Dictionary,
    counts: Vec<usize>,
    missing: Vec<bool>,
    present_rows: usize,
    /// [`best_decimal_mark`]'s answer (for a `;` file or not), so typing and reading count it once.
    decimal_mark: std::cell::Cell<Option<(bool, DecimalMark)>>,
}

impl<'a> Entries<'a> {
    /// Counts rows per dictionary entry.
    pub(crate) fn new(texts: &'a Dictionary, codes: Codes<'_>, markers: &MissingMarkers) -> Self {
        Self::from_counts(texts, codes.counts(texts.len()), markers)
    }

    /// The entries of a column known by its distinct texts and their row counts (`counts[e]` rows hold
    /// `texts[e]`), e.g. counted by a distributed aggregation instead of read row by row.
    pub(crate) fn from_counts(
        texts: &'a Dictionary,
        counts: Vec<usize>,
        markers: &MissingMarkers,
    ) -> Self {
        let missing: Vec<bool> = texts.iter().map(|t| markers.is_missing(t)).collect();
        let present_rows = counts
            .iter()
            .zip(&missing)
            .filter(|(_, &m)| !m)
            .map(|(c, _)| c)
            .sum();
        Entries {
            texts,
            counts,
            missing,
            present_rows,
            decimal_mark: std::cell::Cell::new(None),
        }
    }

    /// Rows that are missing markers.
    pub(crate) fn missing_rows(&self) -> usize {
        self.counts.iter().sum::<usize>() - self.present_rows
    }

    /// Row count of dictionary entry `entry`.
    pub(crate) fn count(&self, entry: usize) -> usize {
        self.counts[entry]
    }

    /// Whether dictionary entry `entry` is a missing marker.
    pub(crate) fn is_marker(&self, entry: usize) -> bool {
        self.missing[entry]
    }

    /// (entry index, trimmed text, row count) of each present entry.
    fn present(&self) -> impl Iterator<Item = (usize, &'a str, usize)> + '_ {
        (0..self.texts.len())
            .filter(|&i| !self.missing[i])
            .map(|i| (i, trim(&self.texts[i]), self.counts[i]))
    }

    /// Whether `read` accepts at least 95% of present rows; stops as soon as it cannot.
    fn mostly(&self, mut read: impl FnMut(&str) -> bool) -> bool {
        let allowed_failures = ((1.0 - TYPE_SHARE) * self.present_rows as f64).floor() as usize;
        let mut failures = 0;
        for (_, text, count) in self.present() {
            if !read(text) {
                failures += count;
                if failures > allowed_failures {
                    return false;
                }
            }
        }
        true
    }

    /// Whether `read` accepts every present value.
    fn all(&self, mut read: impl FnMut(&str) -> bool) -> bool {
        self.present().all(|(_, text, _)| read(text))
    }

    /// Rows `read` accepts.
    fn rows_read(&self, mut read: impl FnMut(&str) -> bool) -> usize {
        self.present()
            .filter(|(_, text, _)| read(text))
            .map(|(_, _, c)| c)
            .sum()
    }

    /// Whether more than 95% of the present values are distinct (after trimming).
    fn mostly_distinct(&self) -> bool {
        let threshold = IDENTIFIER_DISTINCT_SHARE * self.present_rows as f64;
        // Distinct trimmed texts never outnumber present dictionary entries: skip the hashing when even
        // those are too few.
        let present_entries = (0..self.texts.len()).filter(|&i| !self.missing[i]).count();
        if present_entries as f64 <= threshold {
            return false;
        }
        // Dictionary texts are distinct; when trimming changes none of them, they stay distinct.
        if self
            .present()
            .all(|(i, text, _)| text.len() == self.texts[i].len())
        {
            return present_entries as f64 > threshold;
        }
        let mut seen: HashSet<&str> =
            HashSet::with_capacity_and_hasher(present_entries, Default::default());
        for (_, text, _) in self.present() {
            seen.insert(text);
        }
        seen.len() as f64 > threshold
    }

    /// Up to `n` distinct present texts, most frequent first (ties by text), for which `keep` holds.
    pub(crate) fn examples(&self, n: usize, keep: impl Fn(usize) -> bool) -> Vec<String> {
        // A bounded top-n scan: identifier columns have a million entries.
        let mut top: Vec<(usize, &str)> = Vec::with_capacity(n + 1);
        let before = |a: &(usize, &str), b: &(usize, &str)| b.0.cmp(&a.0).then(a.1.cmp(b.1));
        for (i, text, count) in self.present() {
            if !keep(i) {
                continue;
            }
            let candidate = (count, text);
            // A text that would not enter a full list is left before looking for it in the list.
            if (top.len() == n
                && top
                    .last()
                    .is_some_and(|last| before(last, &candidate).is_le()))
                || top.iter().any(|&(_, t)| t == text)
            {
                continue;
            }
            let at = top.partition_point(|x| before(x, &candidate).is_lt());
            top.insert(at, candidate);
            top.truncate(n);
        }
        top.into_iter().map(|(_, t)| t.to_owned()).collect()
    }
}

/// A column's cells and levels under one type.
pub(crate) struct Typed {
    pub(crate) column_type: ColumnType,
    pub(crate) cells: Vec<Cell>,
    pub(crate) levels: Vec<Level>,
}

/// Chooses the type of a column by the rules in the module docs.
pub(crate) fn infer_type(name: &str, entries: &Entries, semicolon_file: bool) -> ColumnType {
    if entries.present_rows == 0 {
        return ColumnType::Empty;
    }
    if looks_binary(entries) {
        return ColumnType::Binary;
    }
    if let Some(code) = code_type(name, entries) {
        return code;
    }
    if DateFormat::ALL
        .iter()
        .any(|&format| entries.mostly(|t| parse_date(t, format).is_some()))
        || compact_dates(entries)
    {
        return ColumnType::Date;
    }
    if looks_ordinal(entries) {
        return ColumnType::Ordinal;
    }
    // A text column fails this pre-check within its first 5% of rows; only a column that reads as numbers
    // under one mark or the other pays for the two full counts of `best_decimal_mark`.
    let either = |t: &str| {
        parse_number(t, DecimalMark::Point).is_some()
            || parse_number(t, DecimalMark::Comma).is_some()
    };
    if !entries.mostly(either) {
        return if entries.present_rows >= IDENTIFIER_MIN_ROWS && entries.mostly_distinct() {
            ColumnType::Identifier
        } else {
            ColumnType::Categorical
        };
    }
    let mark = best_decimal_mark(entries, semicolon_file);
    if entries.mostly(|t| parse_number(t, mark).is_some()) {
        return if numeric_identifier(name, entries, mark) {
            ColumnType::Identifier
        } else {
            ColumnType::Numeric
        };
    }
    if entries.present_rows >= IDENTIFIER_MIN_ROWS && entries.mostly_distinct() {
        return ColumnType::Identifier;
    }
    ColumnType::Categorical
}

/// Reads every entry under `to`. Fails when present values exist and none of them reads (or, for binary,
/// when there are more than two distinct values); otherwise unreadable values become missing.
pub(crate) fn interpret(
    name: &str,
    entries: &Entries,
    to: ColumnType,
    semicolon_file: bool,
) -> Result<Typed, IngestError> {
    let n = entries.texts.len();
    let mut cells = vec![Cell::Missing; n];
    let mut levels = Vec::new();
    match to {
        ColumnType::Empty => {
            if entries.present_rows > 0 {
                return Err(IngestError::EmptyIsNotChoosable {
                    column: name.to_owned(),
                });
            }
        }
        ColumnType::Numeric => {
            let mark = best_decimal_mark(entries, semicolon_file);
            for (i, text, _) in entries.present() {
                if let Some(value) = parse_number(text, mark) {
                    cells[i] = Cell::Number(value);
                }
            }
        }
        ColumnType::Date => {
            let format = best_date_format(entries);
            for (i, text, _) in entries.present() {
                if let Some(days) = parse_date(text, format) {
                    cells[i] = Cell::Number(days);
                }
            }
        }
        ColumnType::Identifier => {
            for (i, _, _) in entries.present() {
                cells[i] = Cell::Text;
            }
        }
        ColumnType::Categorical => levels = categorical(entries, &mut cells),
        ColumnType::Binary => levels = binary(name, entries, &mut cells)?,
        ColumnType::Ordinal => levels = ordinal_levels(entries, &mut cells),
    }
    let read_any = entries
        .present()
        .any(|(i, _, _)| !matches!(cells[i], Cell::Missing));
    if entries.present_rows > 0 && !read_any {
        return Err(IngestError::IncompatibleType {
            column: name.to_owned(),
            to,
            present: entries.present_rows,
            examples: entries.examples(3, |_| true),
        });
    }
    Ok(Typed {
        column_type: to,
        cells,
        levels,
    })
}

/// Rule 4's compact dates: at least 95% of present rows are `YYYYMMDD` dates and no other value is a
/// number (a typo such as `1997013X` is unparsable; a number such as `19971301` makes the column numeric).
fn compact_dates(entries: &Entries) -> bool {
    let compact = |t: &str| parse_date(t, DateFormat::Compact).is_some();
    entries.mostly(compact)
        && entries.all(|t| compact(t) || parse_number(t, DecimalMark::Point).is_none())
}

fn best_decimal_mark(entries: &Entries, semicolon_file: bool) -> DecimalMark {
    if let Some((semicolon, mark)) = entries.decimal_mark.get() {
        if semicolon == semicolon_file {
            return mark;
        }
    }
    let mark = count_decimal_mark(entries, semicolon_file);
    entries.decimal_mark.set(Some((semicolon_file, mark)));
    mark
}

/// [`best_decimal_mark`] without the memo: the mark that reads more rows.
fn count_decimal_mark(entries: &Entries, semicolon_file: bool) -> DecimalMark {
    let point = entries.rows_read(|t| parse_number(t, DecimalMark::Point).is_some());
    if point == entries.present_rows && !semicolon_file {
        return DecimalMark::Point; // nothing can read more rows; the tie goes to the point
    }
    let comma = entries.rows_read(|t| parse_number(t, DecimalMark::Comma).is_some());
    if comma > point || (comma == point && semicolon_file) {
        DecimalMark::Comma
    } else {
        DecimalMark::Point
    }
}

fn best_date_format(entries: &Entries) -> DateFormat {
    let mut best = (0, DateFormat::Iso);
    for format in DateFormat::ALL.into_iter().chain([DateFormat::Compact]) {
        let rows = entries.rows_read(|t| parse_date(t, format).is_some());
        if rows > best.0 {
            best = (rows, format);
        }
    }
    best.1
}

/// Polarity of a binary token (`true` = positive) and whether it is a digit.
fn binary_token(text: &str) -> Option<(bool, bool)> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "t" | "yes" | "y" => Some((true, false)),
        "false" | "f" | "no" | "n" => Some((false, false)),
        "1" => Some((true, true)),
        "0" => Some((false, true)),
        _ => None,
    }
}

fn looks_binary(entries: &Entries) -> bool {
    let mut seen = [false; 2];
    let mut words = false;
    for (_, text, _) in entries.present() {
        match binary_token(text) {
            Some((positive, digit)) => {
                seen[usize::from(positive)] = true;
                words |= !digit;
            }
            None => return false,
        }
    }
    (seen[0] && seen[1]) || words
}

fn numeric_identifier(name: &str, entries: &Entries, mark: DecimalMark) -> bool {
    let present = entries.present_rows;
    if present < IDENTIFIER_MIN_ROWS || !entries.mostly_distinct() {
        return false;
    }
    if name_looks_like_id(name) {
        return true;
    }
    // Exactly the consecutive integers min..=max, each once: a row number.
    let mut min = f64::INFINITY;
    let mut max = f64::NEG_INFINITY;
    for (_, text, count) in entries.present() {
        match parse_number(text, mark) {
            Some(v) if v.fract() == 0.0 && count == 1 => {
                min = min.min(v);
                max = max.max(v);
            }
            _ => return false,
        }
    }
    max - min + 1.0 == present as f64
}

/// Distinct values above which a code column is an identifier rather than categories.
const CODE_MAX_LEVELS: usize = 100;

fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// `02134-1234`.
fn zip_plus_four(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10 && b[5] == b'-' && b[..5].iter().chain(&b[6..]).all(u8::is_ascii_digit)
}

fn name_looks_like_zip(name: &str) -> bool {
    let lower = name.trim().to_lowercase();
    lower.contains("zip") || lower.contains("postal") || lower.contains("postcode")
}

/// The type of a column of digit codes (rule 3 in the module docs), or `None` when it is not one.
fn code_type(name: &str, entries: &Entries) -> Option<ColumnType> {
    let mut widest = 0;
    let mut narrowest = usize::MAX;
    let mut padded_width = None::<usize>;
    let mut padded_mixed = false;
    let mut plus_four = false;
    let mostly = entries.mostly(|t| {
        if all_digits(t) {
            widest = widest.max(t.len());
            narrowest = narrowest.min(t.len());
            if t.len() >= 2 && t.starts_with('0') {
                padded_mixed |= padded_width.is_some_and(|w| w != t.len());
                padded_width = Some(t.len());
            }
            true
        } else if zip_plus_four(t) {
            plus_four = true;
            true
        } else {
            false
        }
    });
    if !mostly {
        return None;
    }
    let padded = padded_width.is_some_and(|w| w == widest) && !padded_mixed;
    // A ZIP or postcode column, also when a spreadsheet dropped the leading zeros (`2134`).
    let zip = (name_looks_like_zip(name) && narrowest >= 3 && widest <= 5) || plus_four;
    if !(padded || zip) {
        return None;
    }
    let distinct = (0..entries.texts.len())
        .filter(|&i| !entries.missing[i] && entries.counts[i] > 0)
        .count();
    let identifier = name_looks_like_id(name)
        || (entries.present_rows >= IDENTIFIER_MIN_ROWS && entries.mostly_distinct())
        || distinct > CODE_MAX_LEVELS;
    Some(if identifier {
        ColumnType::Identifier
    } else {
        ColumnType::Categorical
    })
}

/// Whether a numeric column's values look like category codes (the rule in the module docs): `values`
/// are the distinct numbers read with their row counts.
pub(crate) fn integer_codes(name: &str, values: &[(f64, usize)]) -> bool {
    const MAX_CODE: f64 = 99.0;
    const MIN_DISTINCT: usize = 3;
    const MAX_DISTINCT: usize = 50;
    if values.len() < MIN_DISTINCT
        || values.len() > MAX_DISTINCT
        || values
            .iter()
            .any(|&(v, _)| v.fract() != 0.0 || !(0.0..=MAX_CODE).contains(&v))
    {
        return false;
    }
    let lower = name.trim().to_lowercase();
    let code_word = [
        "code", "type", "class", "categ", "group", "segment", "region", "status", "kind",
    ]
    .iter()
    .any(|w| lower.contains(w));
    let trimmed = name.trim();
    let abbreviation = trimmed.len() >= 5
        && trimmed
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && trimmed.bytes().any(|b| b.is_ascii_uppercase());
    if code_word || abbreviation {
        return true;
    }
    let min = values.iter().map(|v| v.0).fold(f64::INFINITY, f64::min);
    let max = values.iter().map(|v| v.0).fold(f64::NEG_INFINITY, f64::max);
    let mode = values
        .iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.total_cmp(&a.0)))
        .map_or(min, |v| v.0);
    min <= 1.0
        && values.len() >= 10
        && values.len() as f64 >= 0.8 * (max - min + 1.0)
        && mode > min + 1.0
}

fn name_looks_like_id(name: &str) -> bool {
    let trimmed = name.trim();
    let lower = trimmed.to_lowercase();
    lower == "id"
        || lower.ends_with("_id")
        || lower.ends_with(" id")
        || lower.ends_with("-id")
        || lower.starts_with("id_")
        || lower.contains("uuid")
        || lower.contains("guid")
        || (trimmed.ends_with("Id") && trimmed.len() > 2)
        || trimmed.ends_with("ID")
}

fn looks_ordinal(entries: &Entries) -> bool {
    if entries.texts.len() > ORDINAL_MAX_TEXTS {
        return false;
    }
    let mut bands: Vec<Band> = Vec::new();
    let mostly = entries.mostly(|text| match parse_band(text) {
        Some(band) => {
            if !bands.contains(&band) {
                bands.push(band);
            }
            true
        }
        None => false,
    });
    mostly && bands.len() <= ORDINAL_MAX_LEVELS && bands.iter().any(|b| b.is_range())
}

/// Groups as (key, label, rows), and the group of each dictionary entry.
type Grouped<K> = (Vec<(K, String, usize)>, Vec<Option<usize>>);

/// Groups present entries by `key`, returning (key, label = most frequent spelling, rows) per group
/// (in first-seen order) and the group of each entry.
fn group_by<K: Eq + Hash + Clone>(
    entries: &Entries,
    mut key: impl FnMut(&str) -> Option<K>,
) -> Grouped<K> {
    let mut groups: Vec<(K, Vec<(usize, String)>)> = Vec::new();
    let mut index: HashMap<K, usize> = HashMap::default();
    let mut group_of = vec![None; entries.texts.len()];
    for (i, text, count) in entries.present() {
        let Some(k) = key(text) else { continue };
        let g = *index.entry(k.clone()).or_insert_with(|| {
            groups.push((k, Vec::new()));
            groups.len() - 1
        });
        group_of[i] = Some(g);
        let spellings = &mut groups[g].1;
        match spellings.iter_mut().find(|(_, s)| s == text) {
            Some((c, _)) => *c += count,
            None => spellings.push((count, text.to_owned())),
        }
    }
    let summary = groups
        .into_iter()
        .map(|(k, mut spellings)| {
            let rows = spellings.iter().map(|(c, _)| c).sum();
            spellings.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            (k, spellings.swap_remove(0).1, rows)
        })
        .collect();
    (summary, group_of)
}

fn categorical(entries: &Entries, cells: &mut [Cell]) -> Vec<Level> {
    // Group by trimmed text with a hash map: categorical columns may have many levels.
    let mut index: HashMap<&str, usize> = HashMap::default();
    let mut groups: Vec<(&str, usize)> = Vec::new();
    let mut group_of = vec![usize::MAX; entries.texts.len()];
    for (i, text, count) in entries.present() {
        let g = *index.entry(text).or_insert_with(|| {
            groups.push((text, 0));
            groups.len() - 1
        });
        groups[g].1 += count;
        group_of[i] = g;
    }
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by(|&a, &b| {
        groups[b]
            .1
            .cmp(&groups[a].1)
            .then(groups[a].0.cmp(groups[b].0))
    });
    let mut level_of = vec![0u32; groups.len()];
    for (level, &g) in order.iter().enumerate() {
        level_of[g] = level as u32;
    }
    for (i, &g) in group_of.iter().enumerate() {
        if g != usize::MAX {
            cells[i] = Cell::Level(level_of[g]);
        }
    }
    order
        .into_iter()
        .map(|g| Level {
            label: groups[g].0.to_owned(),
            position: None,
        })
        .collect()
}

fn binary(name: &str, entries: &Entries, cells: &mut [Cell]) -> Result<Vec<Level>, IngestError> {
    // Key: polarity when the text is a binary token, otherwise the lower-cased text.
    #[derive(Clone, PartialEq, Eq, Hash)]
    enum Key {
        Token(bool),
        Other(String),
    }
    let key = |text: &str| match binary_token(text) {
        Some((positive, _)) => Key::Token(positive),
        None => Key::Other(text.to_lowercase()),
    };
    let distinct: HashSet<Key> = entries.present().map(|(_, text, _)| key(text)).collect();
    if distinct.len() > 2 {
        return Err(IngestError::TooManyValuesForBinary {
            column: name.to_owned(),
            distinct: distinct.len(),
        });
    }
    let (groups, group_of) = group_by(entries, |text| Some(key(text)));
    // Decide which group is positive (level 1).
    let mut positive_of = vec![false; groups.len()];
    let token = groups.iter().position(|g| matches!(g.0, Key::Token(_)));
    match (groups.len(), token) {
        (_, Some(t)) => {
            let Key::Token(p) = groups[t].0 else {
                unreachable!()
            };
            for (g, group) in groups.iter().enumerate() {
                positive_of[g] = match group.0 {
                    Key::Token(q) => q,
                    Key::Other(_) => !p,
                };
            }
        }
        (2, None) => {
            // Two arbitrary values: the one sorting later (case-insensitively) is level 1.
            let second = usize::from(groups[0].1.to_lowercase() < groups[1].1.to_lowercase());
            positive_of[1 - second] = false;
            positive_of[second] = true;
        }
        _ => positive_of.fill(true),
    }
    let mut labels: [Option<String>; 2] = [None, None];
    for (g, group) in groups.iter().enumerate() {
        labels[usize::from(positive_of[g])] = Some(group.1.clone());
    }
    let labels = match labels {
        [Some(negative), Some(positive)] => [negative, positive],
        [None, Some(positive)] => [counterpart(&positive), positive],
        [Some(negative), None] => [negative.clone(), counterpart(&negative)],
        [None, None] => return Ok(Vec::new()),
    };
    for (i, g) in group_of.iter().enumerate() {
        if let Some(g) = *g {
            cells[i] = Cell::Level(u32::from(positive_of[g]));
        }
    }
    Ok(labels
        .into_iter()
        .enumerate()
        .map(|(position, label)| Level {
            label,
            position: Some(position as f64),
        })
        .collect())
}

/// The opposite binary token in the same letter case (`Yes` → `No`); `not <label>` when not a token.
fn counterpart(label: &str) -> String {
    let lower = label.to_ascii_lowercase();
    let opposite = match lower.as_str() {
        "true" => "false",
        "false" => "true",
        "t" => "f",
        "f" => "t",
        "yes" => "no",
        "no" => "yes",
        "y" => "n",
        "n" => "y",
        "1" => "0",
        "0" => "1",
        _ => return format!("not {label}"),
    };
    let has_letters = label.chars().any(|c| c.is_ascii_alphabetic());
    if has_letters && !label.chars().any(|c| c.is_ascii_lowercase()) {
        opposite.to_ascii_uppercase()
    } else if label.starts_with(|c: char| c.is_ascii_uppercase()) {
        let mut chars = opposite.chars();
        chars
            .next()
            .map(|c| c.to_ascii_uppercase())
            .into_iter()
            .chain(chars)
            .collect()
    } else {
        opposite.to_owned()
    }
}

fn ordinal_levels(entries: &Entries, cells: &mut [Cell]) -> Vec<Level> {
    let (groups, group_of) = group_by(entries, |text| parse_band(text).map(BandKey::of));
    let bands: Vec<Band> = groups.iter().map(|g| g.0.band()).collect();
    let positions = ordinal::positions(&bands);
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by(|&a, &b| {
        ordinal::compare((bands[a], positions[a]), (bands[b], positions[b]))
            .then(groups[a].1.cmp(&groups[b].1))
    });
    let mut level_of = vec![0u32; groups.len()];
    for (level, &g) in order.iter().enumerate() {
        level_of[g] = level as u32;
    }
    for (i, g) in group_of.iter().enumerate() {
        if let Some(g) = *g {
            cells[i] = Cell::Level(level_of[g]);
        }
    }
    order
        .into_iter()
        .map(|g| Level {
            label: groups[g].1.clone(),
            position: Some(positions[g]),
        })
        .collect()
}

/// A hashable copy of a [`Band`] (its bounds as bit patterns).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct BandKey(u8, u64, u64);

impl BandKey {
    fn of(band: Band) -> Self {
        match band {
            Band::Point(a) => BandKey(0, a.to_bits(), 0),
            Band::Closed(a, b) => BandKey(1, a.to_bits(), b.to_bits()),
            Band::AtLeast(a) => BandKey(2, a.to_bits(), 0),
            Band::AtMost(a) => BandKey(3, a.to_bits(), 0),
        }
    }

    fn band(self) -> Band {
        let (a, b) = (f64::from_bits(self.1), f64::from_bits(self.2));
        match self.0 {
            0 => Band::Point(a),
            1 => Band::Closed(a, b),
            2 => Band::AtLeast(a),
            _ => Band::AtMost(a),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::DEFAULT_MISSING_MARKERS;

    fn markers() -> MissingMarkers {
        let list: Vec<String> = DEFAULT_MISSING_MARKERS
            .iter()
            .map(|m| m.to_string())
            .collect();
        MissingMarkers::new(&list)
    }

    #[test]
    fn the_remembered_decimal_mark_is_per_delimiter() {
        // "1,500" reads under both marks (1500 or 1.5): a tie, which goes to the comma only in a `;` file.
        let texts = Dictionary::from_iter(["1,500", "2,250"]);
        let entries = Entries::new(&texts, Codes::U32(&[0, 1, 0]), &markers());
        assert_eq!(best_decimal_mark(&entries, false), DecimalMark::Point);
        assert_eq!(best_decimal_mark(&entries, true), DecimalMark::Comma);
        assert_eq!(best_decimal_mark(&entries, false), DecimalMark::Point);
    }

    #[test]
    fn examples_skip_texts_that_cannot_enter_as_the_full_scan_did() {
        // Counts 1-4 over 60 texts, some equal once trimmed, so the bounded scan meets full lists, ties
        // and texts already listed.
        let texts: Dictionary = (0..60)
            .map(|i| match i % 7 {
                0 => format!(" t{:02}", i / 2),
                1 => format!("t{:02} ", i / 2),
                _ => format!("t{i:02}"),
            })
            .collect();
        let codes: Vec<u32> = (0..60u32)
            .flat_map(|i| std::iter::repeat_n(i, 1 + (i as usize * 7) % 4))
            .collect();
        let entries = Entries::new(&texts, Codes::U32(&codes), &markers());
        // The scan before texts that cannot enter a full list were left first: each text looked for in
        // the list, then compared with its last.
        let scanning_every_text = |n: usize, keep: &dyn Fn(usize) -> bool| {
            let mut top: Vec<(usize, &str)> = Vec::new();
            let before = |a: &(usize, &str), b: &(usize, &str)| b.0.cmp(&a.0).then(a.1.cmp(b.1));
            for (i, text, count) in entries.present() {
                if !keep(i) || top.iter().any(|&(_, t)| t == text) {
                    continue;
                }
                let candidate = (count, text);
                if top.len() == n && top.last().is_some_and(|l| before(l, &candidate).is_le()) {
                    continue;
                }
                let at = top.partition_point(|x| before(x, &candidate).is_lt());
                top.insert(at, candidate);
                top.truncate(n);
            }
            top.into_iter()
                .map(|(_, t)| t.to_owned())
                .collect::<Vec<_>>()
        };
        for n in [1, 3, 5, 8] {
            for keep_odd in [false, true] {
                let keep = |i: usize| !keep_odd || i % 2 == 1;
                let examples = entries.examples(n, keep);
                assert_eq!(examples.len(), n);
                assert_eq!(
                    examples,
                    scanning_every_text(n, &keep),
                    "n = {n}, odd only: {keep_odd}"
                );
            }
        }
        // Most frequent first, ties by text (" t10", line 21, holds 4 rows as "t05" and "t09" do).
        assert_eq!(entries.examples(3, |_| true), ["t05", "t09", "t10"]);
    }

    #[test]
    fn text_columns_skip_the_number_counts_and_type_as_before() {
        let ids: Dictionary = (0..40).map(|i| format!("C{i:05}")).collect();
        let codes: Vec<u32> = (0..40).collect();
        let entries = Entries::new(&ids, Codes::U32(&codes), &markers());
        assert_eq!(
            infer_type("customer", &entries, false),
            ColumnType::Identifier
        );
        assert!(entries.decimal_mark.get().is_none());
        // Texts that differ only by spaces are one value: 20 of 40 distinct is no identifier.
        let padded: Dictionary = (0..40)
            .map(|i| format!("{}C{:05}", if i % 2 == 0 { "" } else { " " }, i / 2))
            .collect();
        let entries = Entries::new(&padded, Codes::U32(&codes), &markers());
        assert!(!entries.mostly_distinct());
        let words = Dictionary::from_iter(["red", "blue", "3,5"]);
        let codes: Vec<u32> = (0..30).map(|i| i % 3).collect();
        let entries = Entries::new(&words, Codes::U32(&codes), &markers());
        assert_eq!(
            infer_type("colour", &entries, false),
            ColumnType::Categorical
        );
    }
}
