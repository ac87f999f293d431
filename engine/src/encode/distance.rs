//! The one dissimilarity used everywhere: a missing-aware, weight-rescaled L1 distance.
//!
//! For two encoded rows (or a row and a segment center) `a` and `b` with per-dimension rescale weights `ω`
//! (see [`EncodedDim::rescale_weight`](super::EncodedDim::rescale_weight)):
//!
//! ```text
//! S = { j : a[j] and b[j] are both present (not NaN) }
//! W = Σ_j ω[j]                 (all dimensions)
//! P = Σ_{j ∈ S} ω[j]           (dimensions both rows have)
//! d(a, b) = (W / P) · Σ_{j ∈ S} |a[j] − b[j]|     when P > 0
//! d(a, b) = 0                                       when P = 0 (nothing in common to compare)
//! ```
//!
//! With no missing value `P = W` and `d` is the plain L1 distance. When a row misses some variables, the
//! distance over the variables it has is scaled up as if the missing ones had differed by the row's average
//! amount, so rows with gaps are neither favoured nor penalised (Gower's treatment of missing values).
//! Nothing is imputed.
//!
//! Sums run in eight fixed lanes (dimension `j` goes to lane `j % 8`, lanes are combined in a fixed pairwise
//! order), so the result is the same bit for bit on every platform, natively and in wasm32, while the loop
//! still vectorises.

const LANES: usize = 8;

#[inline(always)]
fn lanes<const SQUARED: bool>(a: &[f32], b: &[f32], weights: &[f32]) -> (f32, f32) {
    debug_assert_eq!(a.len(), b.len());
    debug_assert_eq!(a.len(), weights.len());
    let mut sum = [0f32; LANES];
    let mut present = [0f32; LANES];
    let full = a.len() / LANES * LANES;
    let (a_body, a_tail) = a.split_at(full);
    let (b_body, b_tail) = b.split_at(full);
    let (w_body, w_tail) = weights.split_at(full);
    for ((a, b), w) in a_body
        .chunks_exact(LANES)
        .zip(b_body.chunks_exact(LANES))
        .zip(w_body.chunks_exact(LANES))
    {
        let a: &[f32; LANES] = a.try_into().expect("chunk of LANES");
        let b: &[f32; LANES] = b.try_into().expect("chunk of LANES");
        let w: &[f32; LANES] = w.try_into().expect("chunk of LANES");
        for lane in 0..LANES {
            let (term, weight) = masked::<SQUARED>(a[lane], b[lane], w[lane]);
            sum[lane] += term;
            present[lane] += weight;
        }
    }
    for (lane, ((a, b), w)) in a_tail.iter().zip(b_tail).zip(w_tail).enumerate() {
        let (term, weight) = masked::<SQUARED>(*a, *b, *w);
        sum[lane] += term;
        present[lane] += weight;
    }
    (combine(sum), combine(present))
}

/// `(|a − b|` or its square`, w)` when both are present, `(+0.0, +0.0)` otherwise. Branch-free (a bit
/// mask instead of a jump) so the lane loop vectorises; adding `+0.0` leaves a sum unchanged bit for bit.
#[inline(always)]
fn masked<const SQUARED: bool>(a: f32, b: f32, w: f32) -> (f32, f32) {
    let diff = (a - b).abs();
    let term = if SQUARED { diff * diff } else { diff };
    #[allow(clippy::eq_op)] // NaN is the only value not equal to itself
    let mask = 0u32.wrapping_sub((diff == diff) as u32);
    (
        f32::from_bits(term.to_bits() & mask),
        f32::from_bits(w.to_bits() & mask),
    )
}

#[inline(always)]
fn combine(l: [f32; LANES]) -> f32 {
    ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]))
}

#[inline(always)]
fn rescale(sum: f32, present: f32, total_weight: f32) -> f32 {
    if present == total_weight {
        sum
    } else if present > 0.0 {
        sum * (total_weight / present)
    } else {
        0.0
    }
}

/// The sum of the rescale weights, accumulated exactly as [`l1_distance`] accumulates present weight, so that
/// a pair of rows with no missing value gets `P == W` bit for bit.
pub fn total_weight(weights: &[f32]) -> f32 {
    let zeros = vec![0f32; weights.len()];
    lanes::<false>(&zeros, &zeros, weights).1
}

/// The missing-aware L1 distance `d(a, b)` defined in the [module docs](self).
///
/// `weights` are the per-dimension rescale weights and `total_weight` must be [`total_weight`]`(weights)`.
///
/// ```
/// use audience_engine::encode::distance::{l1_distance, total_weight};
/// let weights = [1.0, 1.0];
/// let w = total_weight(&weights);
/// assert_eq!(l1_distance(&[0.0, 0.5], &[1.0, 0.0], &weights, w), 1.5);
/// // The second row misses dimension 1: the remaining difference counts double (W / P = 2).
/// assert_eq!(l1_distance(&[0.0, 0.5], &[0.25, f32::NAN], &weights, w), 0.5);
/// ```
#[inline(always)]
pub fn l1_distance(a: &[f32], b: &[f32], weights: &[f32], total_weight: f32) -> f32 {
    let (sum, present) = lanes::<false>(a, b, weights);
    rescale(sum, present, total_weight)
}

/// [`l1_distance`] for two rows without any missing value, bit for bit: the same eight lanes summed in
/// the same order, without the missing-value masks (with nothing missing, `P = W` and no rescaling
/// happens). The caller guarantees that neither row holds a NaN.
#[inline(always)]
pub fn l1_distance_complete(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let mut sum = [0f32; LANES];
    let full = a.len() / LANES * LANES;
    let (a_body, a_tail) = a.split_at(full);
    let (b_body, b_tail) = b.split_at(full);
    for (a, b) in a_body.chunks_exact(LANES).zip(b_body.chunks_exact(LANES)) {
        let a: &[f32; LANES] = a.try_into().expect("chunk of LANES");
        let b: &[f32; LANES] = b.try_into().expect("chunk of LANES");
        for lane in 0..LANES {
            sum[lane] += (a[lane] - b[lane]).abs();
        }
    }
    for (lane, (a, b)) in a_tail.iter().zip(b_tail).enumerate() {
        sum[lane] += (a - b).abs();
    }
    combine(sum)
}

/// The squared-L2 counterpart of [`l1_distance`] (same missing-value rule), used only by plain K-Means,
/// the comparison algorithm.
#[inline(always)]
pub fn squared_l2_distance(a: &[f32], b: &[f32], weights: &[f32], total_weight: f32) -> f32 {
    let (sum, present) = lanes::<true>(a, b, weights);
    rescale(sum, present, total_weight)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_without_missing_values_is_plain_l1() {
        let a: Vec<f32> = (0..19).map(|i| i as f32 * 0.25).collect();
        let b: Vec<f32> = (0..19).map(|i| (i % 3) as f32).collect();
        let weights = vec![1.0; 19];
        let expected: f32 = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).sum();
        let got = l1_distance(&a, &b, &weights, total_weight(&weights));
        assert!((got - expected).abs() < 1e-4, "{got} vs {expected}");
    }

    #[test]
    fn missing_dimensions_are_skipped_and_the_rest_rescaled_by_total_over_present_weight() {
        // weights 2, 1, 1: W = 4. Row b misses dim 0 (weight 2): P = 2, factor 2.
        let weights = [2.0, 1.0, 1.0];
        let w = total_weight(&weights);
        assert_eq!(w, 4.0);
        let d = l1_distance(&[0.5, 0.0, 0.25], &[f32::NAN, 0.5, 0.0], &weights, w);
        assert_eq!(d, (0.5 + 0.25) * 2.0);
    }

    #[test]
    fn the_complete_row_kernel_equals_the_general_one_bit_for_bit() {
        let weights: Vec<f32> = (0..19).map(|i| 0.5 + (i % 4) as f32).collect();
        let w = total_weight(&weights);
        for len in [1, 7, 8, 16, 19] {
            let a: Vec<f32> = (0..len).map(|i| (i as f32 * 0.37).sin()).collect();
            let b: Vec<f32> = (0..len).map(|i| (i as f32 * 1.3).cos() * 3.0).collect();
            let general = l1_distance(&a, &b, &weights[..len], total_weight(&weights[..len]));
            assert_eq!(l1_distance_complete(&a, &b).to_bits(), general.to_bits());
        }
        assert!(w > 0.0);
    }

    #[test]
    fn rows_with_nothing_in_common_are_at_distance_zero() {
        let weights = [1.0, 1.0];
        let d = l1_distance(
            &[f32::NAN, 1.0],
            &[0.0, f32::NAN],
            &weights,
            total_weight(&weights),
        );
        assert_eq!(d, 0.0);
    }

    #[test]
    fn squared_distance_squares_each_difference() {
        let weights = [1.0, 1.0];
        let d = squared_l2_distance(&[0.0, 0.0], &[0.5, 2.0], &weights, total_weight(&weights));
        assert_eq!(d, 0.25 + 4.0);
    }
}
