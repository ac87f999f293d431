//! Are the segments real or an accident of one seed? Refit and compare.
//!
//! Each refit segments the same rows again, either with another seed ([`Resample::Seeds`]) or on a
//! bootstrap sample of the rows drawn with replacement ([`Resample::Bootstrap`], every row then placed by
//! the refit's centers with the share bounds enforced exactly). Refit segments are matched to the
//! original ones by overlap (the matching that keeps the most rows together, solved exactly as a
//! one-to-one assignment by [`crate::cluster::assign::solve`]). For each refit, and on average:
//!
//! * **kept**: the share of rows whose refit segment is the one matched to their original segment,
//!   overall and per segment (of that segment's rows);
//! * **adjusted Rand index** (Hubert & Arabie): agreement of the two partitions corrected for chance
//!   (1 = identical, about 0 = no better than chance), overall, and per segment for the split "in this
//!   segment / not in it" against its matched refit segment.
//!
//! A segment whose average kept share is below [`UNSTABLE_BELOW`] is flagged unstable.
//! Randomness comes only from the seed (ChaCha8), so a report is the same natively and in wasm32.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::cluster::assign::{solve, CostMatrix, SizeLimits};
use crate::cluster::{ClusterError, KChoice, KMediansParams};
use crate::encode::EncodedMatrix;
use crate::model::apply::assign_to_centers;

/// A segment keeping fewer of its rows than this on average is flagged unstable.
pub const UNSTABLE_BELOW: f64 = 0.75;

/// How each refit varies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resample {
    /// All rows again, another seed.
    #[default]
    Seeds,
    /// A bootstrap sample of the rows (with replacement), another seed; all rows placed by its centers.
    Bootstrap,
}

/// The stability of every segment and overall.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StabilityReport {
    /// How the refits varied.
    pub resample: Resample,
    /// Per refit: its seed, kept share and adjusted Rand index.
    pub refits: Vec<Refit>,
    /// Mean kept share over the refits.
    pub kept: f64,
    /// Mean adjusted Rand index over the refits.
    pub adjusted_rand: f64,
    /// Per segment (index `s` is segment `s + 1`).
    pub segments: Vec<SegmentStability>,
}

/// One refit compared with the original segments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Refit {
    /// Its seed.
    pub seed: u64,
    /// Share of rows in their matched segment.
    pub kept: f64,
    /// Adjusted Rand index against the original labels.
    pub adjusted_rand: f64,
}

/// One segment's stability, averaged over the refits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentStability {
    /// Segment number (`1..=k`).
    pub number: u32,
    /// Mean share of its rows that stay together in its matched refit segment.
    pub kept: f64,
    /// Mean adjusted Rand index of "in this segment or not".
    pub adjusted_rand: f64,
    /// `kept < UNSTABLE_BELOW`.
    pub unstable: bool,
}

impl StabilityReport {
    /// Numbers of the unstable segments.
    pub fn unstable(&self) -> Vec<u32> {
        self.segments
            .iter()
            .filter(|s| s.unstable)
            .map(|s| s.number)
            .collect()
    }
}

/// Refits `matrix` `refits` times with `params` (its k is set to the `k` of `labels`) and compares each
/// refit with `labels` (`0..k`, one per row). Refit `r` uses seed `params.seed + 1 + r`.
pub fn stability(
    matrix: &EncodedMatrix,
    params: &KMediansParams,
    labels: &[u32],
    k: usize,
    refits: usize,
    resample: Resample,
) -> Result<StabilityReport, ClusterError> {
    let n = matrix.n_rows;
    let mut runs = Vec::with_capacity(refits);
    let mut per_segment = vec![(0.0, 0.0); k];
    for r in 0..refits {
        let seed = params.seed.wrapping_add(1 + r as u64);
        let refit_params = params.clone().with_k(KChoice::Fixed(k)).with_seed(seed);
        let refit_labels = match resample {
            Resample::Seeds => refit_params.fit(matrix)?.labels,
            Resample::Bootstrap => {
                let mut rng = ChaCha8Rng::seed_from_u64(seed ^ BOOTSTRAP_SALT);
                let rows: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
                let fit = refit_params.fit(&matrix.select_rows(&rows))?;
                let centers: Vec<&[f32]> = (0..k).map(|c| fit.center(c)).collect();
                let limits = params
                    .bounds
                    .map(|b| b.limits(n))
                    .filter(|l| l.admits(n, k));
                assign_to_centers(matrix, &centers, limits).0
            }
        };
        let table = contingency(labels, &refit_labels, k);
        let matched = match_by_overlap(&table, k);
        let sizes: Vec<usize> = table.iter().map(|row| row.iter().sum()).collect();
        let refit_sizes: Vec<usize> = (0..k)
            .map(|j| table.iter().map(|row| row[j]).sum())
            .collect();
        let kept_rows: usize = (0..k).map(|i| table[i][matched[i]]).sum();
        for i in 0..k {
            let both = table[i][matched[i]];
            let kept = if sizes[i] > 0 {
                both as f64 / sizes[i] as f64
            } else {
                1.0
            };
            // "In segment i or not" against "in its matched refit segment or not".
            let a = sizes[i];
            let b = refit_sizes[matched[i]];
            let binary = [[n + both - a - b, b - both], [a - both, both]];
            per_segment[i].0 += kept;
            per_segment[i].1 +=
                adjusted_rand(&binary.iter().map(|r| r.to_vec()).collect::<Vec<_>>());
        }
        runs.push(Refit {
            seed,
            kept: kept_rows as f64 / n.max(1) as f64,
            adjusted_rand: adjusted_rand(&table),
        });
    }
    let count = refits.max(1) as f64;
    let segments = per_segment
        .into_iter()
        .enumerate()
        .map(|(i, (kept, ari))| {
            let kept = kept / count;
            SegmentStability {
                number: i as u32 + 1,
                kept,
                adjusted_rand: ari / count,
                unstable: kept < UNSTABLE_BELOW,
            }
        })
        .collect();
    Ok(StabilityReport {
        resample,
        kept: runs.iter().map(|r| r.kept).sum::<f64>() / count,
        adjusted_rand: runs.iter().map(|r| r.adjusted_rand).sum::<f64>() / count,
        refits: runs,
        segments,
    })
}

const BOOTSTRAP_SALT: u64 = 0xB007_57A9;

/// `table[i][j]`: rows in original segment `i` and refit segment `j`.
fn contingency(a: &[u32], b: &[u32], k: usize) -> Vec<Vec<usize>> {
    let mut table = vec![vec![0usize; k]; k];
    for (&x, &y) in a.iter().zip(b) {
        table[x as usize][y as usize] += 1;
    }
    table
}

/// The one-to-one matching of original to refit segments that keeps the most rows together.
fn match_by_overlap(table: &[Vec<usize>], k: usize) -> Vec<usize> {
    let most = table.iter().flatten().copied().max().unwrap_or(0);
    let costs: Vec<u32> = table
        .iter()
        .flatten()
        .map(|&c| {
            u32::try_from(most - c)
                .unwrap_or(u32::MAX)
                .min(crate::cluster::assign::MAX_QUANTIZED_COST)
        })
        .collect();
    CostMatrix::from_quantized(k, k, costs)
        .and_then(|costs| solve(&costs, SizeLimits { lower: 1, upper: 1 }))
        .map(|a| a.labels.iter().map(|&l| l as usize).collect())
        .unwrap_or_else(|| (0..k).collect())
}

/// The adjusted Rand index of a contingency table (1 when both partitions are a single identical group).
pub fn adjusted_rand(table: &[Vec<usize>]) -> f64 {
    let pairs = |x: usize| (x as f64) * (x as f64 - 1.0) / 2.0;
    let n: usize = table.iter().flatten().sum();
    let index: f64 = table.iter().flatten().map(|&c| pairs(c)).sum();
    let rows: f64 = table.iter().map(|r| pairs(r.iter().sum())).sum();
    let columns = table.first().map_or(0, Vec::len);
    let cols: f64 = (0..columns)
        .map(|j| pairs(table.iter().map(|r| r[j]).sum()))
        .sum();
    let total = pairs(n);
    if total == 0.0 {
        return 1.0;
    }
    let expected = rows * cols / total;
    let max = (rows + cols) / 2.0;
    if max == expected {
        return 1.0;
    }
    (index - expected) / (max - expected)
}

#[cfg(test)]
mod tests;
