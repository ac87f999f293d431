//! Holdout (control) groups: a seeded random share of each segment kept out of campaigns, so the lift of
//! a campaign can be measured against customers like the ones it reached.
//!
//! - **Stratified and exact per segment.** Each segment of `n` members holds out
//!   `round(share × n)` of them, rounded to the nearest whole customer with halves rounded up
//!   (10% of 25 → 3, of 24 → 2, of 5 → 1 since 0.5 rounds up, of 4 → 0). [`HoldoutSplit::per_segment`]
//!   gives the counts.
//! - **Reproducible from the seed.** The members of segment `s` are drawn by a partial Fisher–Yates
//!   shuffle of the segment's rows (in file order) driven by ChaCha8 seeded with `seed` on stream `s`, so
//!   the same labels, share and seed always give the same rows, and one segment's draw does not depend
//!   on the others.
//! - **Share** from 0 to 0.5 ([`MAX_SHARE`]); [`DEFAULT_SHARE`] is 10%.
//!
//! Rows whose label is [`NO_SEGMENT`] (filtered out) are never held out.
//!
//! ```
//! use audience_engine::holdout::{split, NO_SEGMENT};
//! let labels = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, NO_SEGMENT];
//! let holdout = split(&labels, 0.2, 7).unwrap();
//! assert_eq!(holdout.per_segment[0].held_out, 2); // 20% of 10
//! assert_eq!(holdout.per_segment[1].held_out, 1); // 20% of 5
//! assert!(!holdout.held_out[15]);
//! assert_eq!(holdout, split(&labels, 0.2, 7).unwrap()); // same seed, same rows
//! ```

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// The label of a row in no segment (filtered out); such rows are never held out or uploaded.
pub const NO_SEGMENT: u32 = u32::MAX;
/// The default holdout share (10%).
pub const DEFAULT_SHARE: f64 = 0.10;
/// The largest holdout share (50%).
pub const MAX_SHARE: f64 = 0.5;

/// Why a holdout cannot be drawn.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum HoldoutError {
    /// The share is outside 0–50%.
    #[error("a holdout of {share} is not possible: choose a share from 0 to 0.5 (0–50% of each segment), for example 0.1")]
    Share {
        /// The share asked for.
        share: f64,
    },
}

/// The holdout of one segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentHoldout {
    /// The segment's number as people see it (1..=k).
    pub segment: u32,
    /// Members of the segment.
    pub members: usize,
    /// Members held out (control group).
    pub held_out: usize,
    /// Members left for campaigns and uploads (`members - held_out`).
    pub targeted: usize,
}

/// A holdout split of every segment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HoldoutSplit {
    /// The share asked for.
    pub share: f64,
    /// The seed.
    pub seed: u64,
    /// One flag per row: held out or not.
    #[serde(skip)]
    pub held_out: Vec<bool>,
    /// Counts per segment, by segment index (segments without members are left out).
    pub per_segment: Vec<SegmentHoldout>,
}

/// How many of `members` a share holds out: nearest whole customer, halves up.
pub fn held_out_count(members: usize, share: f64) -> usize {
    // Exact for the shares people type (0.1 × 25 = 2.5 must round up): compare in thousandths.
    let thousandths = (share * 1000.0).round() as u128;
    let scaled = thousandths * members as u128; // held out × 1000
    ((scaled + 500) / 1000) as usize
}

/// Draws the holdout of each segment of `labels` (0-based segment indices; [`NO_SEGMENT`] rows excluded).
///
/// # Errors
/// [`HoldoutError::Share`] for a share below 0, above 0.5, or not a number.
pub fn split(labels: &[u32], share: f64, seed: u64) -> Result<HoldoutSplit, HoldoutError> {
    if !(0.0..=MAX_SHARE).contains(&share) {
        return Err(HoldoutError::Share { share });
    }
    // Segments in ascending order, without allocating per possible label (labels may be sparse).
    let mut members: std::collections::BTreeMap<u32, Vec<usize>> = Default::default();
    for (row, &label) in labels.iter().enumerate() {
        if label != NO_SEGMENT {
            members.entry(label).or_default().push(row);
        }
    }
    let mut held_out = vec![false; labels.len()];
    let mut per_segment = Vec::new();
    for (&segment, rows) in members.iter_mut() {
        let n = rows.len();
        let take = held_out_count(n, share).min(n);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(u64::from(segment));
        // Partial Fisher–Yates: the first `take` places get a uniform random sample.
        for i in 0..take {
            let j = rng.random_range(i..n);
            rows.swap(i, j);
        }
        for &row in &rows[..take] {
            held_out[row] = true;
        }
        per_segment.push(SegmentHoldout {
            segment: segment.saturating_add(1),
            members: n,
            held_out: take,
            targeted: n - take,
        });
    }
    Ok(HoldoutSplit {
        share,
        seed,
        held_out,
        per_segment,
    })
}

impl HoldoutSplit {
    /// The labels for upload files: held-out rows become [`NO_SEGMENT`], so customer-match files leave
    /// them out.
    pub fn upload_labels(&self, labels: &[u32]) -> Vec<u32> {
        labels
            .iter()
            .zip(&self.held_out)
            .map(|(&label, &held)| if held { NO_SEGMENT } else { label })
            .collect()
    }

    /// Rows held out in total.
    pub fn total_held_out(&self) -> usize {
        self.per_segment.iter().map(|s| s.held_out).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_round_to_the_nearest_customer_with_halves_up() {
        assert_eq!(held_out_count(25, 0.1), 3);
        assert_eq!(held_out_count(24, 0.1), 2);
        assert_eq!(held_out_count(5, 0.1), 1);
        assert_eq!(held_out_count(4, 0.1), 0);
        assert_eq!(held_out_count(1000, 0.1), 100);
        assert_eq!(held_out_count(7, 0.5), 4);
        assert_eq!(held_out_count(7, 0.0), 0);
        assert_eq!(held_out_count(3, 0.3), 1); // 0.9
    }

    #[test]
    fn each_segment_holds_out_exactly_its_share() {
        // Segments of 26, 18 and 12 members, interleaved, with filtered-out rows between them.
        let mut labels = Vec::new();
        for i in 0..70u32 {
            labels.push(match i % 10 {
                0..=3 => 0,
                4..=6 => 1,
                7 => NO_SEGMENT,
                _ => 2,
            });
        }
        labels.truncate(62);
        let sizes: Vec<usize> = (0..3)
            .map(|s| labels.iter().filter(|&&l| l == s).count())
            .collect();
        let split = split(&labels, 0.1, 42).unwrap();
        for s in &split.per_segment {
            let index = s.segment - 1;
            let drawn = labels
                .iter()
                .zip(&split.held_out)
                .filter(|(&l, &h)| l == index && h)
                .count();
            assert_eq!(s.members, sizes[index as usize]);
            assert_eq!(drawn, s.held_out);
            assert_eq!(s.held_out, held_out_count(s.members, 0.1));
            assert_eq!(s.targeted + s.held_out, s.members);
        }
        let counts: Vec<usize> = split.per_segment.iter().map(|s| s.held_out).collect();
        assert_eq!(sizes, [26, 18, 12]);
        assert_eq!(counts, [3, 2, 1]);
        // Filtered-out rows are never held out.
        assert!(labels
            .iter()
            .zip(&split.held_out)
            .all(|(&l, &h)| l != NO_SEGMENT || !h));
    }

    #[test]
    fn the_same_seed_gives_the_same_rows_and_another_seed_others() {
        let labels: Vec<u32> = (0..400).map(|i| i % 4).collect();
        let a = split(&labels, 0.1, 7).unwrap();
        assert_eq!(a.held_out, split(&labels, 0.1, 7).unwrap().held_out);
        assert_ne!(a.held_out, split(&labels, 0.1, 8).unwrap().held_out);
        assert_eq!(a.total_held_out(), 40);
    }

    #[test]
    fn a_segments_draw_does_not_depend_on_the_other_segments() {
        let labels: Vec<u32> = (0..200).map(|i| i % 2).collect();
        let both = split(&labels, 0.2, 3).unwrap();
        // Segment 1's rows relabelled as filtered out: segment 0 draws the same rows.
        let alone: Vec<u32> = labels
            .iter()
            .map(|&l| if l == 1 { NO_SEGMENT } else { l })
            .collect();
        let only = split(&alone, 0.2, 3).unwrap();
        for row in (0..200).step_by(2) {
            assert_eq!(both.held_out[row], only.held_out[row], "row {row}");
        }
    }

    #[test]
    fn upload_labels_leave_held_out_rows_in_no_segment() {
        let labels = [0, 0, 0, 0, 1, 1];
        let split = split(&labels, 0.5, 1).unwrap();
        let upload = split.upload_labels(&labels);
        assert_eq!(upload.iter().filter(|&&l| l == NO_SEGMENT).count(), 3);
        for (row, &l) in upload.iter().enumerate() {
            assert_eq!(l == NO_SEGMENT, split.held_out[row]);
        }
    }

    #[test]
    fn sparse_labels_are_grouped_without_a_slot_per_possible_label() {
        let labels = [4_000_000_000, 3, 3, 4_000_000_000];
        let split = split(&labels, 0.5, 1).unwrap();
        let segments: Vec<u32> = split.per_segment.iter().map(|s| s.segment).collect();
        assert_eq!(segments, [4, 4_000_000_001]);
        assert_eq!(split.total_held_out(), 2);
    }

    #[test]
    fn shares_outside_zero_to_half_are_refused() {
        for share in [-0.1, 0.51, f64::NAN] {
            let err = split(&[0, 1], share, 0).unwrap_err();
            assert!(err.to_string().contains("from 0 to 0.5"), "{err}");
        }
        assert_eq!(split(&[0, 1], 0.0, 0).unwrap().total_held_out(), 0);
    }
}
