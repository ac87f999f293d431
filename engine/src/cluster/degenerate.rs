//! Degenerate inputs: rows the chosen variables cannot tell apart, and segments that are copies of each other.
//!
//! Two rows have the same **profile** when they are equal on every encoded dimension (missing equals
//! missing). When the chosen variables give fewer distinct profiles than the segments the settings ask
//! for, or one profile holds more rows than a segment may, rows with the same profile *must* be split
//! between segments. The split is made by the seed (the fit permutes the rows by it, so a date-ordered
//! file does not give segments that differ by date), but the segments it makes are not findings: they are
//! identical on every segmentation variable. [`separability`] says so **before** a run, from the matrix;
//! [`tied_segments`] finds the identical segments **after** it.
//!
//! ```
//! use audience_engine::cluster::{degenerate, KChoice, KMediansParams, ShareBounds};
//! use audience_engine::encode::EncodedMatrix;
//!
//! // 40 rows with only 2 distinct profiles, asked for 4 segments of 25 % each.
//! let data: Vec<f32> = (0..40).map(|i| (i % 2) as f32).collect();
//! let matrix = EncodedMatrix::from_dense(data, 40, 1).unwrap();
//! let params = KMediansParams::new()
//!     .with_k(KChoice::Fixed(4))
//!     .with_bounds(Some(ShareBounds { min: 0.25, max: 0.25 }))
//!     .validate(40)?;
//! let before = degenerate::separability(&matrix, &params);
//! assert_eq!((before.distinct_profiles, before.min_segments), (2, 4));
//! assert!(before.warning().is_some());
//!
//! let segmentation = params.fit(&matrix)?;
//! let ids = degenerate::profile_ids(&matrix);
//! let ties = degenerate::tied_segments(&ids, &segmentation.labels);
//! assert_eq!(ties.len(), 2); // two pairs of identical segments
//! assert!(degenerate::ties_warning(&ties, 4).unwrap().starts_with("4 of the 4 segments"));
//! # Ok::<(), audience_engine::cluster::ClusterError>(())
//! ```

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use super::ValidParams;
use crate::encode::EncodedMatrix;

/// The profile of each row: rows with the same id are equal on every dimension (NaN equal to NaN, `-0`
/// to `0`). Ids are numbered in order of first appearance, so `ids.iter().max() + 1` is the number of
/// distinct profiles.
pub fn profile_ids(matrix: &EncodedMatrix) -> Vec<u32> {
    let mut index: FxHashMap<Vec<u32>, u32> = FxHashMap::default();
    let mut key = Vec::with_capacity(matrix.n_dims);
    (0..matrix.n_rows)
        .map(|row| {
            key.clear();
            key.extend(matrix.row(row).iter().map(|&v| canonical_bits(v)));
            if let Some(&id) = index.get(&key) {
                return id;
            }
            let id = index.len() as u32;
            index.insert(key.clone(), id);
            id
        })
        .collect()
}

/// [`profile_ids`] from the rows' fit order ([`ValidParams::row_order`](super::ValidParams::row_order)),
/// in which identical rows are next to each other: the same ids, without hashing every row.
pub fn profile_ids_in_order(matrix: &EncodedMatrix, order: &super::RowOrder) -> Vec<u32> {
    let order = order.rows();
    profile_ids_by_runs(order, |position| {
        super::same_contents(matrix.row(order[position - 1]), matrix.row(order[position]))
    })
}

/// [`profile_ids_in_order`] of a matrix whose rows are in the fit's `order`
/// ([`ValidParams::encode_in_fit_order`](super::ValidParams::encode_in_fit_order)):
/// the same ids, each row compared with the one next to it in memory rather than with a row anywhere in
/// the matrix (at 1M rows × 39 dimensions, 156 MB read in order instead of a row at a time from all over).
pub fn profile_ids_of_reordered(reordered: &EncodedMatrix, order: &super::RowOrder) -> Vec<u32> {
    profile_ids_by_runs(order.rows(), |position| {
        super::same_contents(reordered.row(position - 1), reordered.row(position))
    })
}

/// The ids of the rows taken in `order`, where `repeats(position)` (for a position from 1) says whether
/// the row there is identical to the row before it: runs of identical rows, numbered by their first row
/// in file order.
fn profile_ids_by_runs(order: &[usize], repeats: impl Fn(usize) -> bool) -> Vec<u32> {
    // Each row's run of identical rows, runs numbered in `order`…
    let mut ids = vec![0u32; order.len()];
    let mut runs = 0u32;
    for (position, &row) in order.iter().enumerate() {
        if position == 0 || !repeats(position) {
            runs += 1;
        }
        ids[row] = runs - 1;
    }
    // …then renumbered by first appearance in file order: the rows in file order meet each run first at
    // its first row (no sort of the runs by their first rows).
    let mut id_of_run = vec![u32::MAX; runs as usize];
    let mut next = 0u32;
    for id in &mut ids {
        let slot = &mut id_of_run[*id as usize];
        if *slot == u32::MAX {
            *slot = next;
            next += 1;
        }
        *id = *slot;
    }
    ids
}

/// One bit pattern per value: every NaN alike, `-0` as `0`.
fn canonical_bits(value: f32) -> u32 {
    if value.is_nan() {
        f32::NAN.to_bits()
    } else if value == 0.0 {
        0
    } else {
        value.to_bits()
    }
}

/// Number of distinct profiles (distinct rows) of `matrix`.
pub fn distinct_profiles(matrix: &EncodedMatrix) -> usize {
    count_distinct(&profile_ids(matrix))
}

fn count_distinct(ids: &[u32]) -> usize {
    ids.iter().max().map_or(0, |&m| m as usize + 1)
}

/// How well the chosen variables can separate the rows into the segments the settings ask for, known
/// before the run ([`separability`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Separability {
    /// Rows.
    pub n_rows: usize,
    /// Distinct profiles (distinct encoded rows) among them.
    pub distinct_profiles: usize,
    /// Rows sharing the most common profile.
    pub largest_profile: usize,
    /// The fewest segments the settings allow (the smallest candidate k).
    pub min_segments: usize,
    /// The most rows a segment may hold.
    pub max_segment_rows: usize,
}

impl Separability {
    /// Whether some rows with the same profile must be split between segments: fewer profiles than
    /// segments, or a profile larger than a segment may be.
    pub fn is_degenerate(&self) -> bool {
        self.distinct_profiles < self.min_segments || self.largest_profile > self.max_segment_rows
    }

    /// The warning to show before the run when [`is_degenerate`](Self::is_degenerate), in plain words with
    /// what to do; `None` otherwise.
    pub fn warning(&self) -> Option<String> {
        if self.distinct_profiles < self.min_segments {
            Some(format!(
                "The columns chosen give only {profiles} different customer profile{s} among {rows} customers, \
                 but these settings make at least {k} segments. Customers with the same profile will be split \
                 between segments at random (by the seed), so some segments will be copies of each other, not \
                 real groups. Add more columns to segment on, or ask for at most {profiles} segment{s} \
                 (a fixed number of segments, in the CLI --k {profiles}, or larger share bounds).",
                profiles = self.distinct_profiles,
                s = plural(self.distinct_profiles),
                rows = self.n_rows,
                k = self.min_segments,
            ))
        } else if self.largest_profile > self.max_segment_rows {
            Some(format!(
                "{largest} of {rows} customers have exactly the same values in the columns chosen, more than \
                 one segment may hold ({upper}). They will be split between segments at random (by the seed), \
                 so some segments may be copies of each other, not real groups. Add more columns to segment on, \
                 or allow larger segments (a larger largest share, in the CLI --max).",
                largest = self.largest_profile,
                rows = self.n_rows,
                upper = self.max_segment_rows,
            ))
        } else {
            None
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// What the matrix and the validated settings say about ties before a run (O(n·d)).
pub fn separability(matrix: &EncodedMatrix, params: &ValidParams) -> Separability {
    separability_of_profiles(&profile_ids(matrix), params)
}

/// [`separability`] from the rows' [`profile_ids`], for a caller that also needs them after the run
/// ([`after_run`]) and so computes them once (O(n)).
pub fn separability_of_profiles(ids: &[u32], params: &ValidParams) -> Separability {
    let mut sizes = vec![0usize; count_distinct(ids)];
    ids.iter().for_each(|&id| sizes[id as usize] += 1);
    let candidates = params.candidates();
    Separability {
        n_rows: ids.len(),
        distinct_profiles: sizes.len(),
        largest_profile: sizes.iter().copied().max().unwrap_or(0),
        min_segments: candidates.iter().map(|c| c.0).min().unwrap_or(1),
        max_segment_rows: candidates
            .iter()
            .map(|c| c.1.upper)
            .max()
            .unwrap_or(ids.len()),
    }
}

/// Groups of segments that are identical on every segmentation variable: the same profiles in the same
/// proportions (`profile_ids` one per row, e.g. from [`profile_ids`]; `labels` one segment per row). Each
/// group lists its segment labels ascending and has at least two; groups are ordered by their first label.
pub fn tied_segments(profile_ids: &[u32], labels: &[u32]) -> Vec<Vec<u32>> {
    if profile_ids
        .iter()
        .enumerate()
        .all(|(row, &id)| id as usize == row)
    {
        // Every row a profile of its own (ids number profiles by first appearance): no two segments share
        // a profile, so none is tied.
        return Vec::new();
    }
    // A segment holding a profile of one row in the whole file is alike no other segment (another would
    // need that profile too): only the other segments' rows are counted.
    let mut rows_of_profile = vec![0u32; count_distinct(profile_ids)];
    profile_ids
        .iter()
        .for_each(|&id| rows_of_profile[id as usize] += 1);
    let segments = labels.iter().max().map_or(0, |&label| label as usize + 1);
    let mut has_lone_profile = vec![false; segments];
    for (&label, &id) in labels.iter().zip(profile_ids) {
        if rows_of_profile[id as usize] == 1 {
            has_lone_profile[label as usize] = true;
        }
    }
    drop(rows_of_profile);
    // One sort of (label, id) keys counts each segment's profiles in order: a tree insertion per row
    // was a tenth of a million-row run.
    let mut keys: Vec<u64> = labels
        .iter()
        .zip(profile_ids)
        .filter(|&(&label, _)| !has_lone_profile[label as usize])
        .map(|(&label, &id)| (u64::from(label) << 32) | u64::from(id))
        .collect();
    keys.sort_unstable();
    tied_segments_sorted(keys.chunk_by(|a, b| a == b).map(|run| {
        (
            (run[0] >> 32) as u32,
            run[0] & u64::from(u32::MAX),
            run.len(),
        )
    }))
}

/// [`tied_segments`] from counts: `(segment label, profile id, rows)` triples, a pair possibly more than
/// once.
pub fn tied_segments_counted(counts: impl IntoIterator<Item = (u32, u64, usize)>) -> Vec<Vec<u32>> {
    let mut counts: Vec<(u32, u64, usize)> = counts.into_iter().collect();
    counts.sort_unstable_by_key(|&(label, id, _)| (label, id));
    tied_segments_sorted(counts)
}

/// [`tied_segments_counted`] from triples sorted by label, then profile id.
fn tied_segments_sorted(counts: impl IntoIterator<Item = (u32, u64, usize)>) -> Vec<Vec<u32>> {
    // Each segment's makeup: its profiles ascending with their rows (a pair's counts summed).
    let mut makeup: Vec<(u32, Vec<(u64, usize)>)> = Vec::new();
    for (label, id, rows) in counts {
        match makeup.last_mut() {
            Some((last, profiles)) if *last == label => match profiles.last_mut() {
                Some((last_id, total)) if *last_id == id => *total += rows,
                _ => profiles.push((id, rows)),
            },
            _ => makeup.push((label, vec![(id, rows)])),
        }
    }
    let mut by_shape: BTreeMap<Vec<(u64, usize)>, Vec<u32>> = BTreeMap::new();
    for (label, mut shape) in makeup {
        let divisor = shape.iter().fold(0, |g, &(_, c)| gcd(g, c)).max(1);
        shape.iter_mut().for_each(|(_, c)| *c /= divisor);
        by_shape.entry(shape).or_default().push(label);
    }
    let mut groups: Vec<Vec<u32>> = by_shape.into_values().filter(|g| g.len() > 1).collect();
    groups.sort();
    groups
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The warning to show after a run whose segments include identical ones (`groups` from
/// [`tied_segments`] with 0-based segment labels, `k` segments in all); `None` when there are none.
/// Segments are numbered 1..=k as the person sees them.
pub fn ties_warning(groups: &[Vec<u32>], k: usize) -> Option<String> {
    if groups.is_empty() {
        return None;
    }
    let tied: usize = groups.iter().map(Vec::len).sum();
    let listed: Vec<String> = groups
        .iter()
        .map(|g| {
            let numbers: Vec<String> = g.iter().map(|l| (l + 1).to_string()).collect();
            format!("segments {} are alike", join_and(&numbers))
        })
        .collect();
    Some(format!(
        "{tied} of the {k} segments are identical to another segment on every column segmented on ({}). \
         They were split at random (by the seed), so differences between them are chance, not findings. \
         Add more columns to segment on, or ask for fewer segments.",
        listed.join("; ")
    ))
}

/// What a finished run says about ties ([`after_run`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterRun {
    /// Segments made.
    pub k: usize,
    /// Distinct profiles among the rows.
    pub distinct_profiles: usize,
    /// Groups of identical segments ([`tied_segments`]), 0-based labels.
    pub tied: Vec<Vec<u32>>,
}

impl AfterRun {
    /// The warning to show after the run: identical segments ([`ties_warning`]), or else more segments
    /// than distinct profiles; `None` when neither.
    pub fn warning(&self) -> Option<String> {
        ties_warning(&self.tied, self.k).or_else(|| {
            (self.distinct_profiles < self.k).then(|| {
                format!(
                    "These {k} segments were made from only {p} different customer profile{s}, so customers \
                     with the same profile were split between segments at random (by the seed): differences \
                     between segments that share a profile are chance, not findings. Add more columns to \
                     segment on, or ask for at most {p} segment{s}.",
                    k = self.k,
                    p = self.distinct_profiles,
                    s = plural(self.distinct_profiles),
                )
            })
        })
    }
}

/// Ties after a run: `profile_ids` one per row ([`profile_ids`]), `labels` the segment of each row
/// (`0..k`), `k` the number of segments.
pub fn after_run(profile_ids: &[u32], labels: &[u32], k: usize) -> AfterRun {
    AfterRun {
        k,
        distinct_profiles: count_distinct(profile_ids),
        tied: tied_segments(profile_ids, labels),
    }
}

/// "1, 2 and 3".
pub(crate) fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_equal_on_every_dimension_share_a_profile_and_missing_equals_missing() {
        let nan = f32::NAN;
        let data = vec![1.0, nan, 1.0, nan, 0.0, 2.0, -0.0, 2.0, 1.0, 0.0];
        let matrix = EncodedMatrix::from_dense(data, 5, 2).unwrap();
        assert_eq!(profile_ids(&matrix), [0, 0, 1, 1, 2]);
        assert_eq!(distinct_profiles(&matrix), 3);
    }

    #[test]
    fn profiles_from_the_fit_order_are_the_profiles_from_hashing_every_row() {
        // 400 rows of 3 dimensions over few values (many repeats), with missing values and -0.
        let values = [0.0, -0.0, 1.0, 0.5, f32::NAN];
        let mut state = 7u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            values[(state >> 33) as usize % values.len()]
        };
        let data: Vec<f32> = (0..400 * 3).map(|_| next()).collect();
        let matrix = EncodedMatrix::from_dense(data, 400, 3).unwrap();
        let expected = profile_ids(&matrix);
        assert!(count_distinct(&expected) > 20 && count_distinct(&expected) < 200);
        for seed in [0, 1, 99] {
            let params = crate::cluster::KMediansParams::new().with_seed(seed);
            let order = params.validate(400).unwrap().row_order(&matrix);
            assert_eq!(
                profile_ids_in_order(&matrix, &order),
                expected,
                "seed {seed}"
            );
            // From the rows put in that order: the same ids.
            let reordered = matrix.select_rows(order.rows());
            assert_eq!(
                profile_ids_of_reordered(&reordered, &order),
                expected,
                "seed {seed}"
            );
        }
    }

    #[test]
    fn segments_with_the_same_profiles_in_the_same_proportions_are_tied() {
        // Profiles a=0, b=1. Segment 0: a a; 1: a a a; 2: a b; 3: b a a b (same 1:1 as 2); 4: b.
        let ids = [0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1];
        let labels = [0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 3, 4];
        assert_eq!(tied_segments(&ids, &labels), [vec![0, 1], vec![2, 3]]);
        // The same rows as counts, in reverse order and one row per triple, tie the same segments.
        let triples = labels
            .iter()
            .zip(&ids)
            .rev()
            .map(|(&label, &id)| (label, u64::from(id), 1));
        assert_eq!(tied_segments_counted(triples), [vec![0, 1], vec![2, 3]]);
        // Segment 1 with one more `a` (a a a a) is still all `a`; segment 3 with one more `b` is not 1:1.
        let more = [(1, 0, 1), (3, 1, 1)];
        let triples = labels
            .iter()
            .zip(&ids)
            .map(|(&l, &id)| (l, u64::from(id), 1));
        assert_eq!(tied_segments_counted(triples.chain(more)), [vec![0, 1]]);
        let warning = ties_warning(&tied_segments(&ids, &labels), 5).unwrap();
        assert!(
            warning.starts_with("4 of the 5 segments are identical")
                && warning.contains("segments 1 and 2 are alike; segments 3 and 4 are alike"),
            "{warning}"
        );
        assert_eq!(ties_warning(&[], 5), None);
    }

    #[test]
    fn segments_with_a_profile_of_one_row_are_tied_as_counting_every_row_ties_them() {
        // Rows over few profiles, some of them of one row, in few segments: the groups counted from
        // every row's triple (no segment left out) are the groups `tied_segments` finds.
        let mut state = 11u64;
        let mut next = |below: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % below) as u32
        };
        let mut groups_seen = 0;
        for case in 0..400 {
            let n = 4 + case % 40;
            let (profiles, segments) = (1 + u64::from(next(4)), 2 + u64::from(next(5)));
            // Row i's raw profile; a few rows get one of their own (ids past the shared ones).
            let raw: Vec<u32> = (0..n)
                .map(|row| match next(8) {
                    0 => profiles as u32 + row as u32,
                    _ => next(profiles),
                })
                .collect();
            // Numbered by first appearance, as profile ids are.
            let mut numbering = std::collections::HashMap::new();
            let ids: Vec<u32> = raw
                .iter()
                .map(|&p| {
                    let next_id = numbering.len() as u32;
                    *numbering.entry(p).or_insert(next_id)
                })
                .collect();
            let labels: Vec<u32> = (0..n).map(|_| next(segments)).collect();
            let every_row = labels
                .iter()
                .zip(&ids)
                .map(|(&label, &id)| (label, u64::from(id), 1));
            let expected = tied_segments_counted(every_row);
            groups_seen += expected.len();
            assert_eq!(tied_segments(&ids, &labels), expected, "case {case}");
        }
        assert!(groups_seen > 50, "{groups_seen} groups");
    }

    #[test]
    fn after_the_run_mixed_segments_from_too_few_profiles_are_still_said() {
        // 3 profiles in 4 segments, none identical (different mixes): the profile count is the warning.
        let ids = [0, 0, 1, 1, 1, 2, 0, 2, 2, 2, 0, 1];
        let labels = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3];
        let after = after_run(&ids, &labels, 4);
        assert!(after.tied.is_empty());
        let warning = after.warning().unwrap();
        assert!(
            warning
                .starts_with("These 4 segments were made from only 3 different customer profiles"),
            "{warning}"
        );
        // Identical segments take precedence; enough profiles and no ties say nothing.
        assert!(after_run(&[0, 0, 0, 0], &[0, 0, 1, 1], 2)
            .warning()
            .unwrap()
            .starts_with("2 of the 2 segments are identical"));
        assert_eq!(after_run(&[0, 1, 2, 3], &[0, 0, 1, 1], 2).warning(), None);
    }

    #[test]
    fn fewer_profiles_than_segments_is_said_before_the_run_with_the_numbers() {
        let data: Vec<f32> = (0..100).map(|i| (i % 4) as f32).collect();
        let matrix = EncodedMatrix::from_dense(data, 100, 1).unwrap();
        let params = super::super::KMediansParams::new().validate(100).unwrap();
        let before = separability(&matrix, &params);
        assert_eq!(
            before,
            Separability {
                n_rows: 100,
                distinct_profiles: 4,
                largest_profile: 25,
                min_segments: 10,
                max_segment_rows: 10,
            }
        );
        let warning = before.warning().unwrap();
        assert!(
            warning.starts_with("The columns chosen give only 4 different customer profiles among 100 customers, but these settings make at least 10 segments."),
            "{warning}"
        );
        assert!(warning.contains("--k 4"), "{warning}");
    }

    #[test]
    fn a_profile_larger_than_a_segment_is_said_and_distinct_rows_are_not() {
        // 5 profiles for 2 segments of at most 6 rows, one profile holding 8 of 10 rows.
        let data = vec![0., 0., 0., 0., 0., 0., 0., 0., 1., 2.];
        let matrix = EncodedMatrix::from_dense(data, 10, 1).unwrap();
        let params = super::super::KMediansParams::new()
            .with_k(super::super::KChoice::Fixed(2))
            .with_bounds(Some(super::super::ShareBounds { min: 0.4, max: 0.6 }))
            .validate(10)
            .unwrap();
        let before = separability(&matrix, &params);
        assert_eq!((before.largest_profile, before.max_segment_rows), (8, 6));
        assert!(before.warning().unwrap().starts_with("8 of 10 customers"));
        let distinct: Vec<f32> = (0..10).map(|i| i as f32).collect();
        let matrix = EncodedMatrix::from_dense(distinct, 10, 1).unwrap();
        assert_eq!(separability(&matrix, &params).warning(), None);
    }
}
