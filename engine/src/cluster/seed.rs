//! k-medians++ seeding: the first center is a uniformly random row, each next one a row drawn with
//! probability proportional to its distance to the nearest center chosen so far (distance, not squared
//! distance, as suits L1).

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::encode::EncodedMatrix;

/// Added to the seed for the row order, so it is not any other random stream of the run.
const ROW_ORDER_SALT: u64 = 0x0D0E_5EED_0000_0007;

/// `0..n` shuffled by `seed` (Fisher–Yates on a ChaCha8 stream): the order the rows are fitted in, so
/// that ties between rows are broken by the seed and not by their position in the file.
pub(super) fn row_order(n: usize, seed: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ ROW_ORDER_SALT);
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = uniform(&mut rng, i + 1);
        order.swap(i, j);
    }
    order
}

/// `k` initial centers (`k × n_dims`, row-major), copied from rows of `matrix`.
pub(super) fn kmedians_plus_plus(
    matrix: &EncodedMatrix,
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
    let mut nearest: Vec<f32> = (0..n)
        .map(|i| matrix.distance(matrix.row(i), matrix.row(first)))
        .collect();
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
        let center = &centers[start..start + d];
        for (i, slot) in nearest.iter_mut().enumerate() {
            let distance = matrix.distance(matrix.row(i), center);
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
