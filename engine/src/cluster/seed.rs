//! k-medians++ seeding: the first center is a uniformly random row, each next one a row drawn with
//! probability proportional to its distance to the nearest center chosen so far (distance, not squared
//! distance, as suits L1).

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::encode::distance::RowShapes;
use crate::encode::EncodedMatrix;

/// Added to the seed for the row order, so it is not any other random stream of the run.
const ROW_ORDER_SALT: u64 = 0x0D0E_5EED_0000_0007;

/// `0..n` shuffled by `seed` (Fisher–Yates on a ChaCha8 stream).
fn shuffled_positions(n: usize, seed: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ ROW_ORDER_SALT);
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = uniform(&mut rng, i + 1);
        order.swap(i, j);
    }
    order
}

/// The order the rows of `matrix` are fitted (and an assignment replayed) in, decided by each row's
/// content and never by its position: rows sorted by a hash of their encoded values salted with `seed`,
/// then by the values themselves. Rows that are identical in every dimension come out next to each other,
/// in an order shuffled by `seed`: they are interchangeable, and which of them fills the last places of a
/// segment is the seed's choice, not the file's order (a file sorted by date does not give segments that
/// differ by date). The same rows in any order give the same sequence of row contents.
pub fn row_order(matrix: &EncodedMatrix, seed: u64) -> Vec<usize> {
    row_order_by(matrix, seed, |values| content_hash(values, seed))
}

/// [`row_order`] with the rows' hash given (a test collides them).
fn row_order_by(matrix: &EncodedMatrix, seed: u64, hash: impl Fn(&[f32]) -> u64) -> Vec<usize> {
    let n = matrix.n_rows;
    let mut rank = vec![0u32; n];
    for (position, row) in shuffled_positions(n, seed).into_iter().enumerate() {
        rank[row] = position as u32;
    }
    // Sorted as plain integers by hash, then rank (one key per row, no lookups while sorting)…
    let mut keyed: Vec<(u64, u32, u32)> = (0..n)
        .map(|row| (hash(matrix.row(row)), rank[row], row as u32))
        .collect();
    drop(rank);
    keyed.sort_unstable();
    // …which is the order by hash, contents, rank except where rows of different contents share a hash:
    // there the run (in rank order) is sorted by contents, stably.
    let contents = |key: &(u64, u32, u32)| matrix.row(key.2 as usize);
    for run in keyed.chunk_by_mut(|a, b| a.0 == b.0) {
        if run.len() > 1
            && !run
                .iter()
                .all(|key| same_contents(contents(key), contents(&run[0])))
        {
            run.sort_by(|a, b| compare_contents(contents(a), contents(b)));
        }
    }
    keyed.into_iter().map(|(_, _, row)| row as usize).collect()
}

/// Whether two rows hold the same encoded values (missing equals missing, `-0` equals `0`).
pub fn same_contents(a: &[f32], b: &[f32]) -> bool {
    compare_contents(a, b).is_eq()
}

/// A total order on row contents, by their canonical bits.
fn compare_contents(a: &[f32], b: &[f32]) -> std::cmp::Ordering {
    a.iter()
        .map(|&v| canonical_bits(v))
        .cmp(b.iter().map(|&v| canonical_bits(v)))
}

/// The bits of a value with every NaN (missing) one pattern and `-0` as `0`, so equal contents hash alike.
fn canonical_bits(value: f32) -> u32 {
    if value.is_nan() {
        f32::NAN.to_bits()
    } else if value == 0.0 {
        0
    } else {
        value.to_bits()
    }
}

/// A stable 64-bit hash of a row's contents (the same natively and in wasm32), salted with `seed`.
fn content_hash(values: &[f32], seed: u64) -> u64 {
    let mut hash = seed ^ ROW_ORDER_SALT;
    for &value in values {
        hash = mix(hash ^ u64::from(canonical_bits(value)));
    }
    mix(hash ^ values.len() as u64)
}

/// The SplitMix64 finalizer.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `k` initial centers (`k × n_dims`, row-major), copied from rows of `matrix`.
pub(super) fn kmedians_plus_plus(
    matrix: &EncodedMatrix,
    shapes: &RowShapes,
    k: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<f32> {
    let n = matrix.n_rows;
    let d = matrix.n_dims;
    let mut centers = Vec::with_capacity(k * d);
    let mut chosen = vec![false; n];
    let first = uniform(rng, n);
    chosen[first] = true;
    centers.extend_from_slice(matrix.row(first));
    let layout = matrix.layout();
    let first_center = layout.prepare_centers(matrix.row(first));
    // A row that repeats the one before has its distances: they are copied, not computed.
    let mut nearest: Vec<f32> = Vec::with_capacity(n);
    for i in 0..n {
        let distance = match nearest.last() {
            Some(&previous) if shapes.repeats_previous(i) => previous,
            _ => layout.distance_to_center(matrix.row(i), shapes.row(i), &first_center, 0),
        };
        nearest.push(distance);
    }
    for _ in 1..k {
        let total: f64 = nearest.iter().map(|&x| x as f64).sum();
        let pick = if total > 0.0 {
            let target = rng.random::<f64>() * total;
            let mut running = 0.0;
            let mut pick = None;
            for (i, &w) in nearest.iter().enumerate() {
                if w > 0.0 {
                    running += w as f64;
                    pick = Some(i);
                    if running > target {
                        break;
                    }
                }
            }
            pick.expect("a positive total has a positive entry")
        } else {
            // Every row coincides with a center: take any row not yet chosen (k ≤ n guarantees one).
            let unchosen = chosen.iter().filter(|c| !**c).count();
            let skip = uniform(rng, unchosen);
            (0..n).filter(|&i| !chosen[i]).nth(skip).expect("k ≤ n")
        };
        chosen[pick] = true;
        let start = centers.len();
        centers.extend_from_slice(matrix.row(pick));
        let center = layout.prepare_centers(&centers[start..start + d]);
        let mut distance = f32::NAN;
        for (i, slot) in nearest.iter_mut().enumerate() {
            if !shapes.repeats_previous(i) {
                distance = layout.distance_to_center(matrix.row(i), shapes.row(i), &center, 0);
            }
            if distance < *slot {
                *slot = distance;
            }
        }
    }
    centers
}

/// A uniform index below `n` drawn from a `u64`, so the draw is the same on 32- and 64-bit targets.
pub(super) fn uniform(rng: &mut ChaCha8Rng, n: usize) -> usize {
    rng.random_range(0..n as u64) as usize
}

/// A fresh generator for restart `index` of a run seeded with `seed`.
pub(super) fn restart_rng(seed: u64, index: usize) -> ChaCha8Rng {
    let mut master = ChaCha8Rng::seed_from_u64(seed);
    master.set_stream(index as u64 + 1);
    ChaCha8Rng::seed_from_u64(master.next_u64())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The order by its definition: a comparison of hash, then contents, then rank.
    fn order_by_definition(
        matrix: &EncodedMatrix,
        seed: u64,
        hash: impl Fn(&[f32]) -> u64,
    ) -> Vec<usize> {
        let n = matrix.n_rows;
        let mut rank = vec![0usize; n];
        for (position, row) in shuffled_positions(n, seed).into_iter().enumerate() {
            rank[row] = position;
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| {
            hash(matrix.row(a))
                .cmp(&hash(matrix.row(b)))
                .then_with(|| compare_contents(matrix.row(a), matrix.row(b)))
                .then_with(|| rank[a].cmp(&rank[b]))
        });
        order
    }

    #[test]
    fn the_order_is_by_hash_then_contents_then_the_seeds_shuffle_even_when_hashes_collide() {
        // 600 rows of 3 values among 24 distinct rows (many repeated), with missing values and -0.
        let values = [0.0f32, -0.0, 1.5, f32::NAN, 2.0];
        let data: Vec<f32> = (0..600 * 3)
            .map(|i| values[(i * 7 + i / 3 * 11) % 23 % values.len()])
            .collect();
        let matrix = EncodedMatrix::from_dense(data, 600, 3).unwrap();
        for seed in [0, 1, 77] {
            let real = |values: &[f32]| content_hash(values, seed);
            assert_eq!(
                row_order(&matrix, seed),
                order_by_definition(&matrix, seed, real)
            );
            // Every row on one hash, or on one of two: the contents decide within.
            let one = |_: &[f32]| 42u64;
            let two = |values: &[f32]| u64::from(canonical_bits(values[0]) & 1);
            assert_eq!(
                row_order_by(&matrix, seed, one),
                order_by_definition(&matrix, seed, one)
            );
            assert_eq!(
                row_order_by(&matrix, seed, two),
                order_by_definition(&matrix, seed, two)
            );
        }
        assert_ne!(row_order(&matrix, 0), row_order(&matrix, 1));
    }
}
