//! The criterion automatic k is chosen by: a size-robust silhouette on a seeded sample.
//!
//! A fixed sample of `s` rows (the same rows for every k, drawn with the run's seed) is scored with the
//! silhouette `(b − a) / max(a, b)` of each sampled row, where `a` is its mean [L1
//! distance](crate::encode::EncodedMatrix::distance) to the other sampled rows of its segment and `b` the
//! smallest mean distance to the sampled rows of another segment (0 for a row alone in its segment in the
//! sample, or when `a = b = 0`). The score is the mean over segments of each segment's mean silhouette, so
//! large segments do not outvote small ones. Higher is better; ties go to the smaller k.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::encode::distance::AllCentersScratch;
use crate::encode::EncodedMatrix;

use super::seed::uniform;

/// `s` distinct row indices, ascending, drawn with `seed` (partial Fisher–Yates).
pub(super) fn sample_rows(n: usize, s: usize, seed: u64) -> Vec<usize> {
    if s >= n {
        return (0..n).collect();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EED_5A3B_1E5C_0DE5);
    let mut pool: Vec<u32> = (0..n as u32).collect();
    for i in 0..s {
        let j = i + uniform(&mut rng, n - i);
        pool.swap(i, j);
    }
    let mut rows: Vec<usize> = pool[..s].iter().map(|&r| r as usize).collect();
    rows.sort_unstable();
    rows
}

/// The sampled rows with their pairwise distances, computed once and shared by every k scored.
pub(super) struct SilhouetteSample {
    rows: Vec<usize>,
    /// `rows.len()²` distances, row-major.
    distances: Vec<f32>,
}

impl SilhouetteSample {
    /// Samples `s` rows of `matrix` with `seed` and measures their pairwise distances.
    pub(super) fn new(matrix: &EncodedMatrix, s: usize, seed: u64) -> Self {
        let rows = sample_rows(matrix.n_rows, s, seed);
        let s = rows.len();
        let mut distances = vec![0f32; s * s];
        // The sampled rows as prepared "centers": each pair's distance is `row_distance` bit for bit, with
        // each one-hot group in one term.
        let sample = matrix.select_rows(&rows);
        let layout = matrix.layout();
        let shapes = layout.row_shapes(&sample.data);
        // Each row's distances to all sampled rows at once (the kernel that vectorises over centers, bit
        // for bit `distance_to_center`): twice the pairs, each several times cheaper. The pair (a, b) is
        // taken from row a for a < b, as before.
        let prepared = layout.prepare_centers(&sample.data);
        let mut scratch = AllCentersScratch::default();
        let mut to_all = vec![0f32; s];
        for a in 0..s {
            layout.distances_to_all(
                sample.row(a),
                shapes.row(a),
                &prepared,
                &mut scratch,
                &mut to_all,
            );
            for (b, &d) in to_all.iter().enumerate().skip(a + 1) {
                distances[a * s + b] = d;
                distances[b * s + a] = d;
            }
        }
        SilhouetteSample { rows, distances }
    }

    /// The size-robust silhouette of `labels` (one per row of the matrix) on the sampled rows.
    pub(super) fn score(&self, labels: &[u32], k: usize) -> f64 {
        let (rows, distances) = (&self.rows, &self.distances);
        let s = rows.len();
        let sampled: Vec<usize> = rows.iter().map(|&r| labels[r] as usize).collect();
        let mut count = vec![0usize; k];
        sampled.iter().for_each(|&l| count[l] += 1);
        let mut per_segment = vec![(0f64, 0usize); k];
        let mut sums = vec![0f64; k];
        for a in 0..s {
            let own = sampled[a];
            sums.iter_mut().for_each(|x| *x = 0.0);
            for b in 0..s {
                sums[sampled[b]] += distances[a * s + b] as f64;
            }
            let value = if count[own] <= 1 {
                0.0
            } else {
                let inside = sums[own] / (count[own] - 1) as f64;
                let outside = (0..k)
                    .filter(|&c| c != own && count[c] > 0)
                    .map(|c| sums[c] / count[c] as f64)
                    .fold(f64::INFINITY, f64::min);
                let larger = inside.max(outside);
                if outside.is_finite() && larger > 0.0 {
                    (outside - inside) / larger
                } else {
                    0.0
                }
            };
            per_segment[own].0 += value;
            per_segment[own].1 += 1;
        }
        let means: Vec<f64> = per_segment
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(sum, n)| sum / *n as f64)
            .collect();
        means.iter().sum::<f64>() / means.len().max(1) as f64
    }
}
