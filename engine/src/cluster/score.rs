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

use crate::encode::distance::{AllCentersScratch, PreparedCenters};
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

/// Whether the sampled rows' distances are measured a row against many sampled rows at once, with the
/// kernel that vectorises over centers: natively, and in a wasm built with SIMD128 as a whole. The app's
/// worker is not (only its distance kernels ask for SIMD128), so the browser measures each pair one by
/// one; whether the blocks would pay there too is not measured. Both give the same distances bit for bit.
const PAIRS_ALL_AT_ONCE: bool = !cfg!(target_arch = "wasm32") || cfg!(target_feature = "simd128");

/// How many sampled rows without a missing value are prepared together as "centers" for the kernel that
/// measures a row against all of them at once: a row is measured against the blocks that hold a later row,
/// so that little more than each pair is measured once.
const PAIR_BLOCK_ROWS: usize = 64;

/// The `s × s` distances (row-major) between the rows of `sample`, each pair measured once with the sampled
/// rows as prepared "centers" (so each is `row_distance` bit for bit, each one-hot group in one term) and
/// from the row that comes first. When `all_at_once`, a row is measured against the later rows that miss
/// no value block by block, with the kernel that vectorises over centers (it needs centers that miss
/// nothing), and against the later rows that miss a value one by one; else every pair one by one.
fn pairwise_distances(sample: &EncodedMatrix, all_at_once: bool) -> Vec<f32> {
    let s = sample.n_rows;
    let mut distances = vec![0f32; s * s];
    let layout = sample.layout();
    let shapes = layout.row_shapes(&sample.data);
    let prepared = layout.prepare_centers(&sample.data);
    let mut record = |a: usize, b: usize, d: f32| {
        distances[a * s + b] = d;
        distances[b * s + a] = d;
    };
    if !all_at_once {
        for a in 0..s {
            let (row, shape) = (sample.row(a), shapes.row(a));
            for b in a + 1..s {
                record(a, b, layout.distance_to_center(row, shape, &prepared, b));
            }
        }
        return distances;
    }
    let (complete, incomplete): (Vec<usize>, Vec<usize>) =
        (0..s).partition(|&b| shapes.row(b).is_complete());
    let blocks: Vec<(&[usize], Vec<f32>)> = complete
        .chunks(PAIR_BLOCK_ROWS)
        .map(|rows| (rows, sample.select_rows(rows).data))
        .collect();
    let prepared_blocks: Vec<(&[usize], PreparedCenters<'_>)> = blocks
        .iter()
        .map(|(rows, data)| (*rows, layout.prepare_centers(data)))
        .collect();
    let mut scratch = AllCentersScratch::default();
    let mut to_block = vec![0f32; PAIR_BLOCK_ROWS];
    for a in 0..s {
        let (row, shape) = (sample.row(a), shapes.row(a));
        for (rows, centers) in &prepared_blocks {
            if *rows.last().expect("blocks are not empty") <= a {
                continue;
            }
            let out = &mut to_block[..rows.len()];
            layout.distances_to_all(row, shape, centers, &mut scratch, out);
            for (&b, &d) in rows.iter().zip(out.iter()) {
                if b > a {
                    record(a, b, d);
                }
            }
        }
        let later = incomplete.partition_point(|&b| b <= a);
        for &b in &incomplete[later..] {
            record(a, b, layout.distance_to_center(row, shape, &prepared, b));
        }
    }
    distances
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
        let distances = pairwise_distances(&matrix.select_rows(&rows), PAIRS_ALL_AT_ONCE);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::{default_selection, encode};
    use crate::ingest::{read_table, IngestOptions};

    #[test]
    fn pairs_measured_all_at_once_are_the_pairs_measured_one_by_one_bit_for_bit() {
        // Numbers and categories, with missing values in both, and repeated rows: rows that miss no value
        // fill several blocks, and rows that miss one come between them.
        let mut csv = String::from("age,spend,region,plan\n");
        for i in 0..200 {
            let age = if i % 11 == 3 {
                String::new()
            } else {
                (18 + i * 7 % 50).to_string()
            };
            let region = ["north", "south", "east", "west", ""][i % 5];
            let plan = ["basic", "plus", "pro"][i * 7 % 3];
            csv.push_str(&format!("{age},{}.5,{region},{plan}\n", i * 13 % 40));
        }
        csv.push_str(
            &csv.clone()
                .lines()
                .nth(1)
                .map(|line| format!("{line}\n"))
                .unwrap(),
        );
        let table = read_table(csv.as_bytes(), &IngestOptions::default())
            .unwrap()
            .table;
        let matrix = encode(&table, &default_selection(&table, None)).unwrap();
        assert!(matrix.layout().one_hot_groups().count() >= 2);
        let missing = |row: usize| matrix.row(row).iter().any(|v| v.is_nan());
        let complete = (0..matrix.n_rows).filter(|&row| !missing(row)).count();
        assert!(
            complete > 2 * PAIR_BLOCK_ROWS,
            "{complete} rows miss no value"
        );
        assert!(complete < matrix.n_rows - 20);
        let one_by_one = pairwise_distances(&matrix, false);
        let all_at_once = pairwise_distances(&matrix, true);
        let bits = |d: &[f32]| d.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&one_by_one), bits(&all_at_once));
        assert!(one_by_one.iter().any(|&d| d > 0.0));
    }
}
