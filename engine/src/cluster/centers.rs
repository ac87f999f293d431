//! Center updates (coordinate-wise median or mean, ignoring missing values) and the L1 cost of a labelling.

use crate::encode::EncodedMatrix;

use super::Algorithm;

/// Row indices grouped by segment: `rows[start[c]..start[c + 1]]` are segment `c`'s rows, ascending.
pub(super) fn members(labels: &[u32], k: usize) -> (Vec<usize>, Vec<u32>) {
    let mut start = vec![0usize; k + 1];
    for &l in labels {
        start[l as usize + 1] += 1;
    }
    for c in 0..k {
        start[c + 1] += start[c];
    }
    let mut fill = start.clone();
    let mut rows = vec![0u32; labels.len()];
    for (i, &l) in labels.iter().enumerate() {
        rows[fill[l as usize]] = i as u32;
        fill[l as usize] += 1;
    }
    (start, rows)
}

/// New centers (`k × n_dims`, row-major) for `labels`: per segment and dimension the median (K-Medians;
/// the mean of the two middle values for an even count) or the mean (K-Means) of the present values, NaN
/// when every member misses that dimension or the segment is empty.
pub(super) fn update(
    matrix: &EncodedMatrix,
    labels: &[u32],
    k: usize,
    algorithm: Algorithm,
) -> Vec<f32> {
    let d = matrix.n_dims;
    let (start, rows) = members(labels, k);
    let mut centers = vec![f32::NAN; k * d];
    let mut columns: Vec<Vec<f32>> = vec![Vec::new(); d];
    for c in 0..k {
        columns.iter_mut().for_each(Vec::clear);
        for &i in &rows[start[c]..start[c + 1]] {
            for (column, &v) in columns.iter_mut().zip(matrix.row(i as usize)) {
                if !v.is_nan() {
                    column.push(v);
                }
            }
        }
        for (j, column) in columns.iter_mut().enumerate() {
            centers[c * d + j] = match algorithm {
                Algorithm::KMedians => median(column),
                Algorithm::KMeans => mean(column),
            };
        }
    }
    centers
}

/// Median of the values (reordered in place); NaN when empty.
pub(super) fn median(values: &mut [f32]) -> f32 {
    let m = values.len();
    if m == 0 {
        return f32::NAN;
    }
    let (low_part, upper, _) = values.select_nth_unstable_by(m / 2, f32::total_cmp);
    let upper = *upper;
    if m % 2 == 1 {
        upper
    } else {
        let lower = low_part.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        (lower + upper) / 2.0
    }
}

fn mean(values: &[f32]) -> f32 {
    if values.is_empty() {
        return f32::NAN;
    }
    (values.iter().map(|&v| v as f64).sum::<f64>() / values.len() as f64) as f32
}

/// Σ over rows of the L1 distance ([`EncodedMatrix::distance`]) to the segment's center.
pub(super) fn total_distance(matrix: &EncodedMatrix, labels: &[u32], centers: &[f32]) -> f64 {
    let d = matrix.n_dims;
    labels
        .iter()
        .enumerate()
        .map(|(i, &l)| {
            matrix.distance(
                matrix.row(i),
                &centers[l as usize * d..(l as usize + 1) * d],
            ) as f64
        })
        .sum()
}

/// The L1 cost of any labelling with `k` segments: each segment's center is its coordinate-wise median (the
/// best L1 center, missing values ignored) and the cost is the sum of every row's
/// [`l1_distance`](crate::encode::distance::l1_distance) to its center. The benchmark scores every tool's
/// labels with this one function.
///
/// Returns `None` when `labels` has the wrong length or a label `≥ k`.
pub fn l1_cost(matrix: &EncodedMatrix, labels: &[u32], k: usize) -> Option<f64> {
    if labels.len() != matrix.n_rows || labels.iter().any(|&l| l as usize >= k) {
        return None;
    }
    let centers = update(matrix, labels, k, Algorithm::KMedians);
    Some(total_distance(matrix, labels, &centers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&mut [5.0, 1.0, 3.0]), 3.0);
        assert!(median(&mut []).is_nan());
    }

    #[test]
    fn centers_ignore_missing_values() {
        let matrix =
            EncodedMatrix::from_dense(vec![0.0, 1.0, f32::NAN, 3.0, 10.0, f32::NAN], 3, 2).unwrap();
        let centers = update(&matrix, &[0, 0, 1], 2, Algorithm::KMedians);
        assert_eq!(centers[0], 0.0); // only row 0 has dimension 0 in segment 0
        assert_eq!(centers[1], 2.0); // median of 1 and 3
        assert_eq!(centers[2], 10.0);
        assert!(centers[3].is_nan());
    }

    #[test]
    fn l1_cost_sums_distances_to_segment_medians() {
        // One dimension: segment 0 = {0, 1, 5} (median 1, cost 1 + 0 + 4), segment 1 = {7} (cost 0).
        let matrix = EncodedMatrix::from_dense(vec![0.0, 1.0, 5.0, 7.0], 4, 1).unwrap();
        assert_eq!(l1_cost(&matrix, &[0, 0, 0, 1], 2), Some(5.0));
        assert_eq!(l1_cost(&matrix, &[0, 0, 0, 2], 2), None);
    }
}
