//! Who moved: a transition table between two labelled files that share an ID column.
//!
//! Each file gives `(id, segment)` pairs (segment numbers `1..=k`, as written in the `segment` column).
//! A customer in both files moves from their old segment to their new one; a customer only in the new
//! file is *new*, one only in the old file is *gone*. Rows whose ID is blank or repeats an earlier ID of
//! the same file, and rows without a valid segment number, are counted and reported, never dropped
//! silently.

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use crate::table::Table;

/// The transition table and what was left out of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Movement {
    /// Number of segments.
    pub k: usize,
    /// `counts[from][to]`, `(k + 1) × (k + 1)`: index `0` is "new" as `from` and "gone" as `to`, index `s`
    /// is segment `s`. `counts[0][0]` is always 0.
    pub counts: Vec<Vec<usize>>,
    /// Rows left out of the old file.
    pub old_left_out: LeftOut,
    /// Rows left out of the new file.
    pub new_left_out: LeftOut,
}

/// Rows of one file that are not in the table, by reason.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftOut {
    /// Blank ID.
    pub blank_id: usize,
    /// An ID already seen earlier in the same file (the first row with it counts).
    pub repeated_id: usize,
    /// No segment number in `1..=k`.
    pub no_segment: usize,
}

impl LeftOut {
    /// Rows left out in all.
    pub fn total(&self) -> usize {
        self.blank_id + self.repeated_id + self.no_segment
    }
}

impl Movement {
    /// Customers in both files who kept their segment.
    pub fn stayed(&self) -> usize {
        (1..=self.k).map(|s| self.counts[s][s]).sum()
    }

    /// Customers in both files who changed segment.
    pub fn moved(&self) -> usize {
        let both: usize = (1..=self.k)
            .map(|from| (1..=self.k).map(|to| self.counts[from][to]).sum::<usize>())
            .sum();
        both - self.stayed()
    }

    /// Customers only in the new file.
    pub fn new_customers(&self) -> usize {
        self.counts[0].iter().sum()
    }

    /// Customers only in the old file.
    pub fn gone(&self) -> usize {
        self.counts.iter().map(|row| row[0]).sum()
    }
}

/// The transition table from `old` to `new` pairs of `(id, segment number)` (`None`: no readable
/// segment). IDs are compared after trimming surrounding spaces.
pub fn movement<'a>(
    old: impl IntoIterator<Item = (&'a str, Option<u32>)>,
    new: impl IntoIterator<Item = (&'a str, Option<u32>)>,
    k: usize,
) -> Movement {
    let (old, old_left_out) = index(old, k);
    let (new, new_left_out) = index(new, k);
    let mut counts = vec![vec![0usize; k + 1]; k + 1];
    for (id, &to) in &new {
        let from = old.get(id).copied().unwrap_or(0);
        counts[from][to] += 1;
    }
    for (id, &from) in &old {
        if !new.contains_key(id) {
            counts[from][0] += 1;
        }
    }
    Movement {
        k,
        counts,
        old_left_out,
        new_left_out,
    }
}

/// A column [`labelled_rows`] needs is not in the file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the file has no column {column:?}; its columns are: {}", available.join(", "))]
pub struct NoSuchColumn {
    /// The column asked for.
    pub column: String,
    /// The file's columns.
    pub available: Vec<String>,
}

/// The `(id, segment number)` of every row of a labelled file (a written `segment` column, or any column
/// of segment numbers), for [`movement`]. A cell that is not a whole number gives `None`.
pub fn labelled_rows<'a>(
    table: &'a Table,
    id_column: &str,
    segment_column: &str,
) -> Result<Vec<(&'a str, Option<u32>)>, NoSuchColumn> {
    let column = |name: &str| {
        table.column(name).ok_or_else(|| NoSuchColumn {
            column: name.to_string(),
            available: table.columns().iter().map(|c| c.name.clone()).collect(),
        })
    };
    let ids = column(id_column)?;
    let segments = column(segment_column)?;
    Ok((0..table.n_rows())
        .map(|row| (ids.text(row), segments.text(row).trim().parse::<u32>().ok()))
        .collect())
}

fn index<'a>(
    rows: impl IntoIterator<Item = (&'a str, Option<u32>)>,
    k: usize,
) -> (HashMap<&'a str, usize>, LeftOut) {
    let mut map = HashMap::default();
    let mut left_out = LeftOut::default();
    for (id, segment) in rows {
        let id = id.trim();
        if id.is_empty() {
            left_out.blank_id += 1;
            continue;
        }
        let Some(segment) = segment.filter(|&s| s >= 1 && s as usize <= k) else {
            left_out.no_segment += 1;
            continue;
        };
        if map.contains_key(id) {
            // The first row with this ID counts.
            left_out.repeated_id += 1;
        } else {
            map.insert(id, segment as usize);
        }
    }
    (map, left_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_made_pair_counts_stays_moves_new_and_gone() {
        let old = [
            ("a", Some(1)),
            ("b", Some(1)),
            ("c", Some(2)),
            ("d", Some(2)),
            ("e", Some(3)),
        ];
        let new = [
            ("a", Some(1)),
            ("b", Some(2)),
            ("c", Some(2)),
            ("e", Some(1)),
            ("f", Some(3)),
            ("g", Some(3)),
        ];
        let m = movement(old, new, 3);
        // from 1: a stays, b → 2; from 2: c stays, d gone; from 3: e → 1; f, g new in 3.
        assert_eq!(
            m.counts,
            vec![
                vec![0, 0, 0, 2],
                vec![0, 1, 1, 0],
                vec![1, 0, 1, 0],
                vec![0, 1, 0, 0],
            ]
        );
        assert_eq!(
            (m.stayed(), m.moved(), m.new_customers(), m.gone()),
            (2, 2, 2, 1)
        );
    }

    #[test]
    fn labelled_rows_read_ids_and_segment_numbers_and_name_a_missing_column() {
        let table = crate::ingest::read_table(
            b"id,segment\na,2\nb,x\n",
            &crate::ingest::IngestOptions::default(),
        )
        .unwrap()
        .table;
        assert_eq!(
            labelled_rows(&table, "id", "segment").unwrap(),
            [("a", Some(2)), ("b", None)]
        );
        let error = labelled_rows(&table, "customer", "segment").unwrap_err();
        assert_eq!(
            error.to_string(),
            "the file has no column \"customer\"; its columns are: id, segment"
        );
    }

    #[test]
    fn blank_repeated_and_unlabelled_rows_are_counted_not_dropped_silently() {
        let old = [("a", Some(1)), ("a", Some(2)), (" ", Some(1)), ("b", None)];
        let new = [("a", Some(2)), ("c", Some(9))];
        let m = movement(old, new, 2);
        assert_eq!(
            m.old_left_out,
            LeftOut {
                blank_id: 1,
                repeated_id: 1,
                no_segment: 1
            }
        );
        assert_eq!(m.new_left_out.no_segment, 1);
        // "a" counts from its first row's segment 1.
        assert_eq!(m.counts[1][2], 1);
        assert_eq!(m.moved(), 1);
    }
}
