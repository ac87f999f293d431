//! Where a profile reads its records from: the rows of a [`Table`] with one segment label per row
//! ([`RowRecords`]), or counts of them made elsewhere, e.g. by Spark over a table no machine holds
//! ([`super::counted::CountedRecords`]).
//!
//! Every figure of a persona report is a count of records over one group (a segment or the whole file):
//! of a column's values, of a pair of columns' values (conversion by acquisition source), or of the rows'
//! profiles on the segmentation columns. [`Records`] gives exactly those counts, with each record standing
//! for `weight` records, so the report is computed by one code path from either source.

use super::stats::{Counts, ValueKeys};
use std::cell::OnceCell;

use crate::table::{Cell, Column, Table};

/// A group of records: the whole file or one segment (by its position among the segment ids).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Group {
    /// Every record.
    File,
    /// The segment at this position of [`Records::segment_ids`].
    Segment(usize),
}

/// The records a profile is computed from. `table()` describes the columns (names, types, levels and
/// dictionaries); its rows are what the visits below pass, each with the number of records it stands for.
pub(crate) trait Records {
    /// The columns' descriptions; rows as [`for_each`](Self::for_each) visits them.
    fn table(&self) -> &Table;
    /// Records in the file.
    fn n_rows(&self) -> usize;
    /// The segment ids present, ascending.
    fn segment_ids(&self) -> &[u32];
    /// Records in `group`.
    fn size(&self, group: Group) -> usize;
    /// Calls `visit(row, weight)` for the rows of `column` that make up `group`, `weight ≥ 1` records each.
    fn for_each(&self, group: Group, column: usize, visit: impl FnMut(usize, usize));
    /// Adds to `counts[code]` the records of `group` whose cell in `column` has dictionary code `code`
    /// (`counts`: one slot per entry of the column's dictionary).
    fn count_codes(&self, group: Group, column: usize, counts: &mut [usize]) {
        let cells = &self.table().columns()[column];
        self.for_each(group, column, |row, weight| {
            counts[cells.code(row) as usize] += weight
        });
    }
    /// Calls `visit(row_a, row_b, weight)` for the records of `group` by their rows in columns `a` and `b`.
    fn for_each_pair(
        &self,
        group: Group,
        a: usize,
        b: usize,
        visit: impl FnMut(usize, usize, usize),
    );
    /// The present finite numbers of `column` in `group`, sorted.
    fn numbers(&self, group: Group, column: usize) -> SortedNumbers {
        let cells = &self.table().columns()[column];
        let mut counted = Vec::new();
        self.for_each(group, column, |row, weight| {
            if let Some(value) = cells.number(row).filter(|v| v.is_finite()) {
                counted.push((value, weight));
            }
        });
        SortedNumbers::from_counted(counted)
    }
    /// The number of distinct profiles of the records on `columns`, and the groups of segment ids that
    /// hold the same profiles in the same proportions (see
    /// [`crate::cluster::degenerate::tied_segments`]); `None` when the source cannot tell.
    fn ties(&self, columns: &[usize]) -> Option<(usize, Vec<Vec<u32>>)>;
}

/// Counts of each key of `keys` (the keys of `column`) over `group`, plus the records with no value.
///
/// Where the column has no more dictionary entries than the group has records (most columns a profile
/// counts), the records are counted by code first and the codes then folded into keys: one lookup per
/// entry instead of one per record.
pub(crate) fn count_keys(
    records: &impl Records,
    keys: &ValueKeys,
    column: usize,
    group: Group,
) -> Counts {
    let table = records.table();
    let cells = &table.columns()[column];
    let mut counts = vec![0usize; keys.len()];
    let mut missing = 0;
    let entries = cells.dictionary().len();
    if entries <= records.size(group) {
        let mut by_code = vec![0usize; entries];
        records.count_codes(group, column, &mut by_code);
        for (code, &count) in by_code.iter().enumerate().filter(|(_, &count)| count > 0) {
            match keys.key_of_code(code as u32) {
                Some(key) => counts[key as usize] += count,
                None => missing += count,
            }
        }
    } else {
        records.for_each(group, column, |row, weight| match keys.key(cells, row) {
            Some(key) => counts[key as usize] += weight,
            None => missing += weight,
        });
    }
    Counts { counts, missing }
}

/// Records of `group` with no value in `column`.
///
/// A column whose dictionary holds no missing entry (most columns) has none; one with no more entries than
/// the group has records is counted by code, as [`count_keys`] counts; otherwise record by record.
pub(crate) fn missing_count(records: &impl Records, column: usize, group: Group) -> usize {
    let cells = &records.table().columns()[column];
    let missing_entries: Vec<bool> = cells
        .cells()
        .iter()
        .map(|cell| matches!(cell, Cell::Missing))
        .collect();
    if !missing_entries.contains(&true) {
        return 0;
    }
    if missing_entries.len() <= records.size(group) {
        let mut by_code = vec![0usize; missing_entries.len()];
        records.count_codes(group, column, &mut by_code);
        return by_code
            .iter()
            .zip(&missing_entries)
            .filter(|(_, &missing)| missing)
            .map(|(count, _)| count)
            .sum();
    }
    let mut missing = 0;
    records.for_each(group, column, |row, weight| {
        if cells.is_missing(row) {
            missing += weight;
        }
    });
    missing
}

/// `column`'s dictionary entries holding a finite number, as (number, entry) ascending by the number (ties
/// by entry).
fn ascending_entries(column: &Column) -> Vec<(f64, u32)> {
    let mut entries: Vec<(f64, u32)> = column
        .cells()
        .iter()
        .enumerate()
        .filter_map(|(entry, cell)| {
            let number = match cell {
                Cell::Number(value) => Some(value),
                Cell::Level(level) => column.levels()[level as usize].position,
                Cell::Missing | Cell::Text => None,
            };
            number.filter(|v| v.is_finite()).map(|v| (v, entry as u32))
        })
        .collect();
    entries.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    entries
}

/// The finite numbers of every row of `column`, ascending: what [`RowRecords`]' numbers of the whole file
/// are, counted by dictionary entry instead of sorted row by row.
pub(crate) fn column_numbers(column: &Column) -> SortedNumbers {
    let counts = column.codes().counts(column.dictionary().len());
    SortedNumbers::from_ascending_counted(
        ascending_entries(column)
            .into_iter()
            .map(|(value, entry)| (value, counts[entry as usize])),
    )
}

/// The rows of a table, grouped by one segment label per row: each row is one record.
pub(crate) struct RowRecords<'a> {
    table: &'a Table,
    labels: &'a [u32],
    ids: Vec<u32>,
    rows: Vec<Vec<u32>>,
    /// Per column, once asked for: its dictionary entries that hold a finite number, as (number, entry)
    /// in ascending order of the number (see [`Records::numbers`]).
    ascending_entries: Vec<OnceCell<Vec<(f64, u32)>>>,
    /// Per column, once asked for: each dictionary entry's position in its `ascending_entries`
    /// ([`NO_RANK`] for an entry holding no finite number).
    entry_ranks: Vec<OnceCell<Vec<u32>>>,
}

/// The rank of a dictionary entry that holds no finite number.
const NO_RANK: u32 = u32::MAX;

impl<'a> RowRecords<'a> {
    /// The rows of `table`, row `r` in segment `labels[r]` (one label per row).
    pub(crate) fn new(table: &'a Table, labels: &'a [u32]) -> Self {
        let groups = super::groups::Groups::from_labels(labels);
        RowRecords {
            table,
            labels,
            ids: groups.ids,
            rows: groups.rows,
            ascending_entries: vec![OnceCell::new(); table.columns().len()],
            entry_ranks: vec![OnceCell::new(); table.columns().len()],
        }
    }

    /// Each of `column`'s entries' position among its [`ascending_entries`](Self::ascending_entries).
    fn entry_ranks(&self, column: usize) -> &[u32] {
        self.entry_ranks[column].get_or_init(|| {
            let mut ranks = vec![NO_RANK; self.table.columns()[column].dictionary().len()];
            for (rank, &(_, entry)) in self.ascending_entries(column).iter().enumerate() {
                ranks[entry as usize] = rank as u32;
            }
            ranks
        })
    }

    /// `column`'s entries holding a finite number, ascending by it (ties by entry).
    fn ascending_entries(&self, column: usize) -> &[(f64, u32)] {
        self.ascending_entries[column]
            .get_or_init(|| ascending_entries(&self.table.columns()[column]))
    }

    fn visit_rows(&self, group: Group, mut visit: impl FnMut(usize)) {
        match group {
            Group::File => (0..self.table.n_rows()).for_each(visit),
            Group::Segment(slot) => self.rows[slot].iter().for_each(|&row| visit(row as usize)),
        }
    }
}

impl Records for RowRecords<'_> {
    fn table(&self) -> &Table {
        self.table
    }

    fn n_rows(&self) -> usize {
        self.table.n_rows()
    }

    fn segment_ids(&self) -> &[u32] {
        &self.ids
    }

    fn size(&self, group: Group) -> usize {
        match group {
            Group::File => self.table.n_rows(),
            Group::Segment(slot) => self.rows[slot].len(),
        }
    }

    fn for_each(&self, group: Group, _column: usize, mut visit: impl FnMut(usize, usize)) {
        self.visit_rows(group, |row| visit(row, 1));
    }

    fn count_codes(&self, group: Group, column: usize, counts: &mut [usize]) {
        let codes = self.table.columns()[column].codes();
        match group {
            Group::File => codes.for_each(|_, code| counts[code as usize] += 1),
            Group::Segment(slot) => {
                codes.for_each_of(&self.rows[slot], |code| counts[code as usize] += 1)
            }
        }
    }

    fn for_each_pair(
        &self,
        group: Group,
        _a: usize,
        _b: usize,
        mut visit: impl FnMut(usize, usize, usize),
    ) {
        self.visit_rows(group, |row| visit(row, row, 1));
    }

    /// A group at least half as large as the column's dictionary is counted by entry and read in the
    /// entries' ascending order (made once per column), rather than sorted row by row: the same numbers,
    /// since a row's number is its entry's. A smaller group sorts its records' ranks in that order.
    fn numbers(&self, group: Group, column_index: usize) -> SortedNumbers {
        let column = &self.table.columns()[column_index];
        let entries = column.dictionary().len();
        if entries <= 2 * self.size(group) {
            let codes = column.codes();
            let mut counts = vec![0usize; entries];
            self.visit_rows(group, |row| counts[codes.get(row) as usize] += 1);
            return SortedNumbers::from_ascending_counted(
                self.ascending_entries(column_index)
                    .iter()
                    .map(|&(value, entry)| (value, counts[entry as usize])),
            );
        }
        // A larger dictionary: the records' ranks among the column's numbers, sorted as integers, give
        // their numbers in the order `SortedNumbers::from_values` sorts them in (ascending under
        // `total_cmp`; equal numbers have the same bits), without comparing a number.
        let codes = column.codes();
        let rank_of = self.entry_ranks(column_index);
        let mut ranks = Vec::with_capacity(self.size(group));
        self.visit_rows(group, |row| {
            let rank = rank_of[codes.get(row) as usize];
            if rank != NO_RANK {
                ranks.push(rank);
            }
        });
        ranks.sort_unstable();
        let ascending = self.ascending_entries(column_index);
        SortedNumbers::from_sorted_values(
            ranks
                .into_iter()
                .map(|rank| ascending[rank as usize].0)
                .collect(),
        )
    }

    fn ties(&self, columns: &[usize]) -> Option<(usize, Vec<Vec<u32>>)> {
        let (ids, distinct) = super::ties::profile_ids(self.table, columns);
        Some((
            distinct,
            crate::cluster::degenerate::tied_segments(&ids, self.labels),
        ))
    }
}

/// A group's present numbers in ascending order, each distinct value with the number of records holding
/// it (one each when read from rows).
#[derive(Clone, Debug, PartialEq)]
pub struct SortedNumbers {
    /// The values, ascending (distinct when `ends` is set).
    values: Vec<f64>,
    /// `ends[i]`: the records holding `values[..=i]`; `None` when every value is one record.
    ends: Option<Vec<usize>>,
}

impl SortedNumbers {
    /// One record per value; sorts `values`.
    pub fn from_values(mut values: Vec<f64>) -> Self {
        // Unstable is exact here: values equal under `total_cmp` have the same bits.
        values.sort_unstable_by(f64::total_cmp);
        SortedNumbers { values, ends: None }
    }

    /// One record per value, `values` ascending under `total_cmp` already: what
    /// [`from_values`](Self::from_values) makes of them in any order.
    pub(crate) fn from_sorted_values(values: Vec<f64>) -> Self {
        debug_assert!(values.is_sorted_by(|a, b| a.total_cmp(b).is_le()));
        SortedNumbers { values, ends: None }
    }

    /// `(value, records)` pairs in any order, a value possibly more than once; pairs of no records are
    /// dropped.
    pub fn from_counted(mut counted: Vec<(f64, usize)>) -> Self {
        counted.retain(|&(_, records)| records > 0);
        counted.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        Self::from_ascending_counted(counted)
    }

    /// `(value, records)` pairs in ascending order of the value (under `total_cmp`), a value possibly
    /// more than once; pairs of no records are dropped.
    pub fn from_ascending_counted(counted: impl IntoIterator<Item = (f64, usize)>) -> Self {
        let counted = counted.into_iter();
        let mut values: Vec<f64> = Vec::with_capacity(counted.size_hint().0);
        let mut ends: Vec<usize> = Vec::with_capacity(counted.size_hint().0);
        for (value, records) in counted.filter(|&(_, records)| records > 0) {
            let total = ends.last().copied().unwrap_or(0) + records;
            if values
                .last()
                .is_some_and(|last| last.total_cmp(&value).is_eq())
            {
                *ends.last_mut().expect("a value has its end") = total;
            } else {
                values.push(value);
                ends.push(total);
            }
        }
        SortedNumbers {
            values,
            ends: Some(ends),
        }
    }

    /// Records holding a number.
    pub fn len(&self) -> usize {
        match &self.ends {
            None => self.values.len(),
            Some(ends) => ends.last().copied().unwrap_or(0),
        }
    }

    /// Whether no record holds a number.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `rank`-th smallest number (0-based, `rank < len()`).
    pub fn at(&self, rank: usize) -> f64 {
        match &self.ends {
            None => self.values[rank],
            Some(ends) => self.values[ends.partition_point(|&end| end <= rank)],
        }
    }

    /// The smallest number (not empty).
    pub fn first(&self) -> f64 {
        self.values[0]
    }

    /// The largest number (not empty).
    pub fn last(&self) -> f64 {
        self.values[self.values.len() - 1]
    }

    /// Records whose number satisfies `below`, a predicate true on a prefix of the numbers (as
    /// [`slice::partition_point`]).
    pub fn count_below(&self, below: impl Fn(f64) -> bool) -> usize {
        let distinct = self.values.partition_point(|&v| below(v));
        match (&self.ends, distinct) {
            (None, _) => distinct,
            (Some(_), 0) => 0,
            (Some(ends), d) => ends[d - 1],
        }
    }

    /// Whether every number is whole.
    pub fn all_whole(&self) -> bool {
        self.values.iter().all(|v| v.fract() == 0.0)
    }

    /// The sum of the numbers, added one record at a time in ascending order (so the same records give the
    /// same bits from either source).
    pub fn sum(&self) -> f64 {
        match &self.ends {
            None => self.values.iter().sum(),
            Some(ends) => {
                let mut sum = 0.0;
                let mut start = 0;
                for (&value, &end) in self.values.iter().zip(ends) {
                    for _ in start..end {
                        sum += value;
                    }
                    start = end;
                }
                sum
            }
        }
    }

    /// The `p`-quantile by linear interpolation at position `(n − 1)·p` (not empty).
    pub fn quantile(&self, p: f64) -> f64 {
        let position = (self.len() - 1) as f64 * p;
        let lower = position.floor() as usize;
        let upper = position.ceil() as usize;
        let fraction = position - lower as f64;
        let (low, high) = (self.at(lower), self.at(upper));
        low + (high - low) * fraction
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_groups_numbers_are_its_records_numbers_sorted_bit_for_bit() {
        // Signed zeros, equal numbers written differently, missing cells and a column of ordinal levels;
        // segments small and large against the dictionaries, so both ways of reading them are used.
        let mut csv = String::from("amount,band\n");
        for row in 0..90u32 {
            let amount = match row % 9 {
                0 => "-0".to_string(),
                1 => "0".into(),
                2 => "2.0".into(),
                3 => "2".into(),
                4 => String::new(),
                _ => format!("{}.5", row * 37 % 61),
            };
            let band = ["low", "medium", "high", ""][row as usize % 4];
            csv.push_str(&format!("{amount},{band}\n"));
        }
        let table = super::super::fixtures::table(&csv);
        // (Rows missing both values are blank records, left out.)
        let labels: Vec<u32> = (0..table.n_rows())
            .map(|row| u32::from(row % 10 == 0) + u32::from(row % 3 == 0))
            .collect();
        let records = RowRecords::new(&table, &labels);
        for column in 0..2 {
            let cells = &table.columns()[column];
            for group in [
                Group::File,
                Group::Segment(0),
                Group::Segment(1),
                Group::Segment(2),
            ] {
                let mut values = Vec::new();
                records.visit_rows(group, |row| {
                    if let Some(value) = cells.number(row).filter(|v| v.is_finite()) {
                        values.push(value);
                    }
                });
                let expected = SortedNumbers::from_values(values);
                let found = records.numbers(group, column);
                assert_eq!(found.len(), expected.len(), "column {column}, {group:?}");
                for rank in 0..found.len() {
                    assert_eq!(
                        found.at(rank).to_bits(),
                        expected.at(rank).to_bits(),
                        "column {column}, {group:?}, rank {rank}"
                    );
                }
                // (An empty sum is +0.0 from counted numbers and −0.0 from `from_values`.)
                assert!(
                    found.is_empty() || found.sum().to_bits() == expected.sum().to_bits(),
                    "column {column}, {group:?}"
                );
            }
        }
    }

    #[test]
    fn missing_records_counted_by_code_are_the_records_whose_cell_is_missing() {
        // `a` misses values (a blank and a marker), `b` misses none, `c` has more dictionary entries than
        // a segment has records (so a segment is counted record by record).
        let mut csv = String::from("a,b,c\n");
        for row in 0..40 {
            let a = match row % 5 {
                0 => String::new(),
                1 => "NA".into(),
                _ => (row % 3).to_string(),
            };
            let c = if row % 4 == 0 {
                String::new()
            } else {
                format!("id{row}")
            };
            csv.push_str(&format!("{a},{},{c}\n", row % 2));
        }
        let table = super::super::fixtures::table(&csv);
        let labels: Vec<u32> = (0..40).map(|row| (row % 7 == 0) as u32).collect();
        let records = RowRecords::new(&table, &labels);
        let groups = [Group::File, Group::Segment(0), Group::Segment(1)];
        for column in 0..3 {
            let cells = &table.columns()[column];
            for group in groups {
                let mut by_record = 0;
                records.for_each(group, column, |row, weight| {
                    by_record += weight * usize::from(cells.is_missing(row));
                });
                assert_eq!(
                    missing_count(&records, column, group),
                    by_record,
                    "column {column}, {group:?}"
                );
            }
        }
        assert_eq!(missing_count(&records, 0, Group::File), 16);
        assert_eq!(missing_count(&records, 1, Group::File), 0);
        assert_eq!(missing_count(&records, 2, Group::File), 10);
    }

    #[test]
    fn counted_numbers_answer_as_the_same_numbers_one_per_record() {
        let rows = vec![3.0, 1.0, 2.0, 2.0, 5.0, 2.0, 1.0, 8.5];
        let counted = vec![
            (2.0, 3),
            (8.5, 1),
            (1.0, 1),
            (5.0, 1),
            (3.0, 0),
            (1.0, 1),
            (3.0, 1),
        ];
        let (a, b) = (
            SortedNumbers::from_values(rows),
            SortedNumbers::from_counted(counted),
        );
        assert_eq!((a.len(), b.len()), (8, 8));
        for rank in 0..8 {
            assert_eq!(a.at(rank), b.at(rank), "rank {rank}");
        }
        for p in [0.0, 0.25, 0.5, 0.75, 1.0, 0.1] {
            assert_eq!(a.quantile(p), b.quantile(p));
        }
        assert_eq!(a.sum().to_bits(), b.sum().to_bits());
        for cut in [0.0, 1.0, 2.0, 2.5, 8.5, 9.0] {
            assert_eq!(a.count_below(|v| v < cut), b.count_below(|v| v < cut));
            assert_eq!(a.count_below(|v| v <= cut), b.count_below(|v| v <= cut));
        }
        assert_eq!((b.first(), b.last(), b.all_whole()), (1.0, 8.5, false));
        assert!(SortedNumbers::from_counted(vec![(1.0, 0)]).is_empty());
    }

    /// Every figure of `a` and `b` is the same, to the bit.
    fn assert_same_numbers(a: &SortedNumbers, b: &SortedNumbers, what: &str) {
        assert_eq!(a.len(), b.len(), "{what}: records");
        for rank in 0..a.len() {
            assert_eq!(
                a.at(rank).to_bits(),
                b.at(rank).to_bits(),
                "{what}: rank {rank}"
            );
        }
        for p in [0.0, 0.1, 0.25, 0.5, 0.75, 1.0] {
            if !a.is_empty() {
                assert_eq!(
                    a.quantile(p).to_bits(),
                    b.quantile(p).to_bits(),
                    "{what}: {p}"
                );
            }
        }
        assert_eq!(a.sum().to_bits(), b.sum().to_bits(), "{what}: sum");
    }

    #[test]
    fn a_groups_numbers_counted_by_entry_are_its_rows_numbers_sorted() {
        // `score` has few distinct texts (two of them the same number, "2" and "2.0", and a missing
        // marker), so every group is counted by entry; `spend` has one text per row, so a segment is
        // sorted row by row while the file is counted.
        let mut csv = String::from("score,spend,band,segment\n");
        let bands = ["18-24", "25-34", "35-44"];
        for row in 0..60 {
            let score = match row % 7 {
                0 => "2".to_string(),
                1 => "2.0".to_string(),
                2 => "n/a".to_string(),
                r => format!("{}", 10 - r),
            };
            let spend = format!("{:.2}", (row * 37 % 61) as f64 * 1.25 - 3.0);
            let band = bands[row * 5 % 3];
            csv.push_str(&format!("{score},{spend},{band},{}\n", row % 4));
        }
        let table = crate::profile::fixtures::table(&csv);
        let labels = crate::profile::fixtures::labels(&table, "segment");
        let records = RowRecords::new(&table, &labels);
        let groups = std::iter::once(Group::File)
            .chain((0..records.segment_ids().len()).map(Group::Segment));
        for group in groups {
            for name in ["score", "spend", "band"] {
                let index = table.column_index(name).unwrap();
                let column = &table.columns()[index];
                let mut rows = Vec::new();
                records.visit_rows(group, |row| {
                    rows.extend(column.number(row).filter(|v| v.is_finite()))
                });
                let sorted = SortedNumbers::from_values(rows);
                assert!(!sorted.is_empty(), "{name}: {group:?} has numbers");
                assert_same_numbers(&records.numbers(group, index), &sorted, name);
            }
        }
    }

    #[test]
    fn a_groups_keys_counted_by_code_are_its_rows_keys_counted_one_by_one() {
        // `city` has few texts, two of them the same key once trimmed (" Paris" and "Paris") and a
        // missing marker, so every group is counted by code; `id` has one text per row, so a segment is
        // counted row by row while the file is counted by code.
        let mut csv = String::from("city,id,plan,segment\n");
        let cities = ["Paris", " Paris", "Lyon", "n/a", "Nice"];
        for row in 0..70 {
            let city = cities[row * 3 % 5];
            let plan = ["basic", "pro", ""][row % 3];
            csv.push_str(&format!("\"{city}\",C{row:03},{plan},{}\n", row % 4));
        }
        let table = crate::profile::fixtures::table(&csv);
        let labels = crate::profile::fixtures::labels(&table, "segment");
        let records = RowRecords::new(&table, &labels);
        let groups = std::iter::once(Group::File)
            .chain((0..records.segment_ids().len()).map(Group::Segment));
        for group in groups {
            for name in ["city", "id", "plan"] {
                let index = table.column_index(name).unwrap();
                let column = &table.columns()[index];
                let keys = ValueKeys::of(column);
                let mut one_by_one = vec![0usize; keys.len()];
                let mut missing = 0;
                records.visit_rows(group, |row| match keys.key(column, row) {
                    Some(key) => one_by_one[key as usize] += 1,
                    None => missing += 1,
                });
                let counted = count_keys(&records, &keys, index, group);
                assert_eq!(
                    (counted.counts, counted.missing),
                    (one_by_one, missing),
                    "{name}: {group:?}"
                );
            }
        }
        let city = &table.columns()[table.column_index("city").unwrap()];
        let file = count_keys(&records, &ValueKeys::of(city), 0, Group::File);
        assert_eq!(
            (file.counts.len(), file.present(), file.missing),
            (3, 56, 14)
        );
    }
}
