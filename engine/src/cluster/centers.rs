//! Center updates (coordinate-wise median or mean, ignoring missing values) and the L1 cost of a labelling.

use crate::encode::distance::{hot_position, PreparedCenters, RowShapes};
use crate::encode::EncodedMatrix;

use super::Algorithm;

/// Where each segment starts when rows are grouped by segment: segment `c` takes positions
/// `start[c]..start[c + 1]`.
fn segment_starts_into(labels: &[u32], k: usize, start: &mut Vec<usize>) {
    start.clear();
    start.resize(k + 1, 0);
    for &l in labels {
        start[l as usize + 1] += 1;
    }
    for c in 0..k {
        start[c + 1] += start[c];
    }
}

/// Row indices grouped by segment (a counting sort): `rows[start[c]..start[c + 1]]` are segment `c`'s rows,
/// ascending.
fn members_into(labels: &[u32], k: usize, start: &mut Vec<usize>, rows: &mut Vec<u32>) {
    segment_starts_into(labels, k, start);
    let mut fill = start[..k].to_vec();
    rows.clear();
    rows.resize(labels.len(), 0);
    for (i, &l) in labels.iter().enumerate() {
        rows[fill[l as usize]] = i as u32;
        fill[l as usize] += 1;
    }
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
    let mut centers = Vec::new();
    let shapes = matrix.layout().row_shapes(&matrix.data);
    update_into(
        matrix,
        &shapes,
        labels,
        k,
        algorithm,
        &mut CenterScratch::with_threads(super::blocks::threads_for(matrix.data.len())),
        &mut centers,
    );
    centers
}

/// The most bytes [`update_into`] gives to every segment's values at once (the dimensions left after the
/// one-hot groups counted for every segment, for all rows). Within it the values are copied in one pass over
/// the rows in their order; beyond it, segment by segment (a row at a time from all over the matrix, each
/// a cache miss: at 1M rows this was most of the update's time in the browser). The block is held beside
/// the matrix, so it adds to the fit's peak memory: the benchmark's 1M rows × 7 values take 28 MB of the
/// browser worker's 400 MB budget.
const ALL_SEGMENTS_BYTES: usize = 32 << 20;

/// Buffers [`update_into`] reuses across iterations: the member lists, the counts of the one-hot groups
/// counted for every segment, and the segments' values of the dimensions left.
#[derive(Default)]
pub(super) struct CenterScratch {
    /// Threads the segments are shared among (0 or 1: the calling thread only).
    threads: usize,
    /// The most bytes for every segment's values at once ([`ALL_SEGMENTS_BYTES`]).
    all_segments_bytes: usize,
    start: Vec<usize>,
    rows: Vec<u32>,
    /// Per segment, per group counted for every segment: its members holding the variable, then per
    /// level the members whose non-zero value is there.
    hot_counts: Vec<u32>,
    /// Every segment's members' values of the dimensions left, segment after segment (`start[c]` rows
    /// in), when they fit in [`ALL_SEGMENTS_BYTES`].
    all_segments: Vec<f32>,
    segment: SegmentScratch,
}

impl CenterScratch {
    /// Buffers for finding centers on up to `threads` threads (the same centers for any number).
    pub(super) fn with_threads(threads: usize) -> Self {
        CenterScratch {
            threads,
            all_segments_bytes: ALL_SEGMENTS_BYTES,
            ..CenterScratch::default()
        }
    }

    /// These buffers, copying the segments' values one segment at a time whatever their size (as beyond
    /// [`ALL_SEGMENTS_BYTES`]).
    #[cfg(test)]
    pub(super) fn segment_by_segment(self) -> Self {
        CenterScratch {
            all_segments_bytes: 0,
            ..self
        }
    }
}

/// One segment's values while its center is found.
#[derive(Default)]
struct SegmentScratch {
    /// The members' values of the dimensions left, row after row, when they are copied segment by segment.
    block: Vec<f32>,
    column: Vec<u32>,
    /// Per dimension left: whether its center value was found by counting in this segment.
    counted: Vec<bool>,
    /// Per dimension of a one-hot group: members holding its non-zero value, and that value.
    hot_counts: Vec<(usize, f32)>,
}

/// The dimensions whose center values are not counted for every segment at once, and where their
/// one-hot groups lie among them.
struct DimensionsLeft {
    /// The matrix's dimensions, ascending.
    dims: Vec<usize>,
    /// The one-hot groups among them, as positions in `dims`.
    groups: Vec<std::ops::Range<usize>>,
}

/// A segment's members, as [`segment_center`] reads them.
enum Members<'a> {
    /// Their values of the dimensions left, row after row.
    Values(&'a [f32]),
    /// Their rows in the matrix, ascending.
    Rows(&'a [u32]),
}

/// [`update`] into `centers`, reusing `scratch`, the segments shared among up to its
/// [`threads`](CenterScratch::with_threads).
///
/// A one-hot group whose every row's values follow from its hot offset
/// ([`RowShapes::countable_values`]) is counted for all segments in one pass over the rows. The members'
/// values of the other dimensions are copied into one contiguous block per segment (all segments in one
/// pass over the rows when they take at most [`ALL_SEGMENTS_BYTES`], else one segment at a time), and each
/// dimension's present values are then taken from the block as order-preserving `u32` keys
/// ([`ordered_key`]), so that the median is a `select_nth_unstable` on plain integers. Peak extra memory:
/// the block of every segment (up to [`ALL_SEGMENTS_BYTES`]), or the member lists (`4n` bytes) and the
/// block of one segment per thread; and one column per thread (the `blocks` module shares the segments
/// among the cores natively; one in wasm32).
pub(super) fn update_into(
    matrix: &EncodedMatrix,
    shapes: &RowShapes,
    labels: &[u32],
    k: usize,
    algorithm: Algorithm,
    scratch: &mut CenterScratch,
    centers: &mut Vec<f32>,
) {
    let d = matrix.n_dims;
    centers.clear();
    centers.resize(k * d, f32::NAN);
    let groups: Vec<std::ops::Range<usize>> = matrix.layout().one_hot_groups().collect();
    let counted: Vec<usize> = (0..groups.len())
        .filter(|&g| shapes.countable_values(g).is_some())
        .collect();
    count_hot_offsets(
        matrix,
        shapes,
        labels,
        &groups,
        &counted,
        algorithm,
        &mut scratch.hot_counts,
        centers,
    );
    let left = dimensions_left(d, &groups, &counted);
    if left.dims.is_empty() {
        return;
    }
    let width = left.dims.len();
    let all_at_once =
        matrix.n_rows * width * std::mem::size_of::<f32>() <= scratch.all_segments_bytes;
    if all_at_once {
        segment_starts_into(labels, k, &mut scratch.start);
        scratch.rows = Vec::new();
        copy_every_segment(
            matrix,
            labels,
            &left.dims,
            &scratch.start,
            &mut scratch.all_segments,
        );
    } else {
        members_into(labels, k, &mut scratch.start, &mut scratch.rows);
        scratch.all_segments = Vec::new();
    }
    let (start, rows, all_segments) = (&scratch.start, &scratch.rows, &scratch.all_segments);
    let members = |c: usize| {
        if all_at_once {
            Members::Values(&all_segments[start[c] * width..start[c + 1] * width])
        } else {
            Members::Rows(&rows[start[c]..start[c + 1]])
        }
    };
    // Each center is found alone, so the centers are the same for any number of threads; each thread has
    // its own segment scratch.
    let threads = scratch.threads.min(k);
    if threads <= 1 {
        for (c, center) in centers.chunks_exact_mut(d.max(1)).enumerate() {
            segment_center(
                matrix,
                &left,
                members(c),
                algorithm,
                &mut scratch.segment,
                center,
            );
        }
    } else {
        super::blocks::in_row_blocks(centers, d, threads, |first, block| {
            let mut segment = SegmentScratch::default();
            for (offset, center) in block.chunks_exact_mut(d.max(1)).enumerate() {
                let members = members(first + offset);
                segment_center(matrix, &left, members, algorithm, &mut segment, center);
            }
        });
    }
}

/// The center values of the one-hot groups `counted` (those whose every row's values follow from its hot
/// offset, [`RowShapes::countable_values`]) for every segment, from one pass over the rows: a dimension's
/// present values in a segment are then zeros and copies of one value, so its median (or mean) follows from
/// the two counts, bit for bit what sorting them gives. A row is read only where an offset of 0 may also
/// mean all zeros.
#[allow(clippy::too_many_arguments)] // the pass's inputs, each read once
fn count_hot_offsets(
    matrix: &EncodedMatrix,
    shapes: &RowShapes,
    labels: &[u32],
    groups: &[std::ops::Range<usize>],
    counted: &[usize],
    algorithm: Algorithm,
    counts: &mut Vec<u32>,
    centers: &mut [f32],
) {
    // Per counted group, where its counts start in a segment's: the members holding the variable, then
    // one count per level.
    let mut offsets = Vec::with_capacity(counted.len());
    let mut width = 0;
    for &g in counted {
        offsets.push(width);
        width += 1 + groups[g].len();
    }
    if width == 0 {
        return;
    }
    let k = centers.len() / matrix.n_dims.max(1);
    counts.clear();
    counts.resize(k * width, 0);
    let zero_rows: Vec<bool> = counted.iter().map(|&g| shapes.has_zero_rows(g)).collect();
    for (i, &l) in labels.iter().enumerate() {
        let segment = &mut counts[l as usize * width..(l as usize + 1) * width];
        for ((&g, &offset), &zero_rows) in counted.iter().zip(&offsets).zip(&zero_rows) {
            let Some(h) = shapes.hot(i, g) else {
                continue;
            };
            segment[offset] += 1;
            if h == 0 && zero_rows && matrix.row(i)[groups[g].start] == 0.0 {
                continue;
            }
            segment[offset + 1 + h] += 1;
        }
    }
    for (segment, center) in counts
        .chunks_exact(width)
        .zip(centers.chunks_exact_mut(matrix.n_dims.max(1)))
    {
        for (&g, &offset) in counted.iter().zip(&offsets) {
            let values = shapes.countable_values(g).expect("a counted group");
            let present = segment[offset] as usize;
            let levels = &segment[offset + 1..offset + 1 + groups[g].len()];
            for ((j, &count), &value) in groups[g].clone().zip(levels).zip(values) {
                center[j] = two_value_center(algorithm, present, count as usize, value);
            }
        }
    }
}

/// The dimensions outside the one-hot groups `counted`, and the other groups among them.
fn dimensions_left(
    n_dims: usize,
    groups: &[std::ops::Range<usize>],
    counted: &[usize],
) -> DimensionsLeft {
    let mut is_counted = vec![false; n_dims];
    for &g in counted {
        is_counted[groups[g].clone()].fill(true);
    }
    let dims: Vec<usize> = (0..n_dims).filter(|&j| !is_counted[j]).collect();
    // A group's dimensions are consecutive in the matrix and all left or all counted, so they are
    // consecutive among the dimensions left too.
    let groups = groups
        .iter()
        .filter(|range| !range.is_empty() && !is_counted[range.start])
        .map(|range| {
            let first = dims.partition_point(|&j| j < range.start);
            first..first + range.len()
        })
        .collect();
    DimensionsLeft { dims, groups }
}

/// Every segment's members' values of the dimensions `dims`, row after row, segment after segment (segment
/// `c` from row `start[c]`), copied in one pass over the matrix's rows in order.
fn copy_every_segment(
    matrix: &EncodedMatrix,
    labels: &[u32],
    dims: &[usize],
    start: &[usize],
    out: &mut Vec<f32>,
) {
    let width = dims.len();
    out.clear();
    out.resize(matrix.n_rows * width, 0.0);
    let mut fill: Vec<usize> = start.iter().map(|&s| s * width).collect();
    for (i, &l) in labels.iter().enumerate() {
        let at = &mut fill[l as usize];
        copy_dims(matrix.row(i), dims, &mut out[*at..*at + width]);
        *at += width;
    }
}

/// `slots[p] = row[dims[p]]`; `dims` ascending, so all of them when there are as many as the row's values.
#[inline(always)]
fn copy_dims(row: &[f32], dims: &[usize], slots: &mut [f32]) {
    if dims.len() == row.len() {
        slots.copy_from_slice(row);
    } else {
        for (slot, &j) in slots.iter_mut().zip(dims) {
            *slot = row[j];
        }
    }
}

/// One segment's center values of the dimensions left (`center` is the whole center; the other values are
/// already set): a one-hot group by counting where its members' values allow it, the rest by sorting.
fn segment_center(
    matrix: &EncodedMatrix,
    left: &DimensionsLeft,
    members: Members<'_>,
    algorithm: Algorithm,
    scratch: &mut SegmentScratch,
    center: &mut [f32],
) {
    let SegmentScratch {
        block: copied,
        column,
        counted,
        hot_counts,
    } = scratch;
    let width = left.dims.len();
    let block: &[f32] = match members {
        Members::Values(values) => values,
        Members::Rows(rows) => {
            // A row at a time: the CPU overlaps the cache misses of these scattered rows, where a gather
            // per dimension would wait on each.
            copied.clear();
            copied.resize(rows.len() * width, 0.0);
            for (&i, slots) in rows.iter().zip(copied.chunks_exact_mut(width)) {
                copy_dims(matrix.row(i as usize), &left.dims, slots);
            }
            copied
        }
    };
    counted.clear();
    counted.resize(width, false);
    for group in &left.groups {
        count_group_in_segment(
            block, width, group, left, algorithm, hot_counts, counted, center,
        );
    }
    for (offset, &j) in left.dims.iter().enumerate() {
        if counted[offset] {
            continue;
        }
        column.clear();
        column.extend(
            block
                .iter()
                .skip(offset)
                .step_by(width)
                .filter(|v| !v.is_nan())
                .map(|&v| ordered_key(v)),
        );
        center[j] = match algorithm {
            Algorithm::KMedians => median_of_keys(column),
            Algorithm::KMeans => mean_of_keys(column),
        };
    }
}

/// A one-hot group's center values in one segment found by counting, when every member is one-hot there or
/// misses the variable and each level's non-zero value is the same for all members holding it: the present
/// values are then zeros and copies of one value, so the median (or mean) follows from the two counts, bit
/// for bit what sorting them gives. Marks the positions it set in `counted`; otherwise leaves the group to
/// sorting. `group` is the group's positions among the dimensions left, in rows of `width` values of
/// `block`.
#[allow(clippy::too_many_arguments)] // one segment's block and where to write, as segment_center holds them
fn count_group_in_segment(
    block: &[f32],
    width: usize,
    group: &std::ops::Range<usize>,
    left: &DimensionsLeft,
    algorithm: Algorithm,
    hot_counts: &mut Vec<(usize, f32)>,
    counted: &mut [bool],
    center: &mut [f32],
) {
    hot_counts.clear();
    hot_counts.resize(group.len(), (0, 0.0));
    let mut present = 0usize;
    for row in block.chunks_exact(width) {
        let values = &row[group.clone()];
        let Some(h) = hot_position(values) else {
            if values.iter().all(|v| v.is_nan()) {
                continue;
            }
            return;
        };
        present += 1;
        let value = values[h];
        if value != 0.0 {
            let (count, seen) = &mut hot_counts[h];
            if *count > 0 && seen.to_bits() != value.to_bits() {
                return;
            }
            *count += 1;
            *seen = value;
        }
    }
    for (offset, &(count, value)) in group.clone().zip(hot_counts.iter()) {
        center[left.dims[offset]] = two_value_center(algorithm, present, count, value);
        counted[offset] = true;
    }
}

/// The center value (median or mean) of `present` values: `count` copies of `value` and zeros.
fn two_value_center(algorithm: Algorithm, present: usize, count: usize, value: f32) -> f32 {
    match algorithm {
        Algorithm::KMedians => two_value_median(present - count, count, value),
        Algorithm::KMeans => two_value_mean(present - count, count, value),
    }
}

/// The median of `zeros` zeros and `count` copies of `value`, exactly as [`median_of_keys`] computes it.
fn two_value_median(zeros: usize, count: usize, value: f32) -> f32 {
    let m = zeros + count;
    if m == 0 {
        return f32::NAN;
    }
    let value = if count == 0 { 0.0 } else { value };
    let (low, high, lows) = if value.total_cmp(&0.0).is_gt() {
        (0.0, value, zeros)
    } else {
        (value, 0.0, count)
    };
    let at = |rank: usize| if rank < lows { low } else { high };
    let upper = at(m / 2);
    if m % 2 == 1 {
        upper
    } else {
        (at(m / 2 - 1) + upper) / 2.0
    }
}

/// The mean of `zeros` zeros and `count` copies of `value`, exactly as [`mean_of_keys`] computes it (the
/// `f64` sum of up to 2²⁹ copies of an `f32` is exact).
fn two_value_mean(zeros: usize, count: usize, value: f32) -> f32 {
    let m = zeros + count;
    if m == 0 {
        return f32::NAN;
    }
    let sum = if count == 0 {
        0.0
    } else {
        count as f64 * value as f64
    };
    (sum / m as f64) as f32
}

/// Maps an `f32` (not NaN) to a `u32` whose unsigned order is [`f32::total_cmp`]'s order.
#[inline(always)]
fn ordered_key(v: f32) -> u32 {
    let bits = v.to_bits();
    if bits >> 31 == 1 {
        !bits
    } else {
        bits | 0x8000_0000
    }
}

/// The inverse of [`ordered_key`].
#[inline(always)]
fn from_ordered_key(key: u32) -> f32 {
    f32::from_bits(if key >> 31 == 1 {
        key & 0x7fff_ffff
    } else {
        !key
    })
}

/// The median of the keyed values (reordered in place), exactly as [`median`] computes it; NaN when empty.
fn median_of_keys(keys: &mut [u32]) -> f32 {
    let m = keys.len();
    if m == 0 {
        return f32::NAN;
    }
    let (low_part, upper, _) = keys.select_nth_unstable(m / 2);
    let upper = from_ordered_key(*upper);
    if m % 2 == 1 {
        upper
    } else {
        let lower = from_ordered_key(low_part.iter().copied().max().expect("m ≥ 2"));
        (lower + upper) / 2.0
    }
}

fn mean_of_keys(keys: &[u32]) -> f32 {
    if keys.is_empty() {
        return f32::NAN;
    }
    let sum: f64 = keys.iter().map(|&key| from_ordered_key(key) as f64).sum();
    (sum / keys.len() as f64) as f32
}

/// Median of the values (reordered in place); NaN when empty.
#[cfg(test)]
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

/// Σ over rows of the L1 distance ([`EncodedMatrix::distance`]) to the segment's center; `shapes` are the
/// matrix rows' [`RowShapes`](crate::encode::distance::RowShapes).
pub(super) fn total_distance(
    matrix: &EncodedMatrix,
    shapes: &RowShapes,
    labels: &[u32],
    centers: &[f32],
) -> f64 {
    let prepared = matrix.layout().prepare_centers(centers);
    let threads = super::blocks::threads_for(labels.len());
    if threads <= 1 {
        return distances_to_centers(matrix, shapes, &prepared, 0, labels)
            .map(f64::from)
            .sum();
    }
    let mut distances = vec![0f32; labels.len()];
    super::blocks::in_row_blocks(&mut distances, 1, threads, |first, block| {
        let rows = &labels[first..first + block.len()];
        let found = distances_to_centers(matrix, shapes, &prepared, first, rows);
        block
            .iter_mut()
            .zip(found)
            .for_each(|(slot, distance)| *slot = distance);
    });
    // Summed in row order, whatever the blocks were.
    distances.iter().map(|&d| f64::from(d)).sum()
}

/// The distances of rows `first..` (their `labels`) to their segments' centers, in row order; a repeated
/// row in the same segment as the row before shares its distance.
fn distances_to_centers<'a>(
    matrix: &'a EncodedMatrix,
    shapes: &'a RowShapes,
    prepared: &'a PreparedCenters<'_>,
    first: usize,
    labels: &'a [u32],
) -> impl Iterator<Item = f32> + 'a {
    let layout = matrix.layout();
    let mut previous: Option<(u32, f32)> = None;
    labels.iter().enumerate().map(move |(offset, &l)| {
        let i = first + offset;
        let distance = match previous {
            Some((label, distance)) if label == l && shapes.repeats_previous(i) => distance,
            _ => layout.distance_to_center(matrix.row(i), shapes.row(i), prepared, l as usize),
        };
        previous = Some((l, distance));
        distance
    })
}

/// The L1 cost of any labelling with `k` segments: each segment's center is its coordinate-wise median (the
/// best L1 center, missing values ignored) and the cost is the sum of every row's
/// [`EncodedMatrix::distance`] to its center. The benchmark scores every tool's
/// labels with this one function.
///
/// Returns `None` when `labels` has the wrong length or a label `≥ k`.
pub fn l1_cost(matrix: &EncodedMatrix, labels: &[u32], k: usize) -> Option<f64> {
    if labels.len() != matrix.n_rows || labels.iter().any(|&l| l as usize >= k) {
        return None;
    }
    let centers = update(matrix, labels, k, Algorithm::KMedians);
    let shapes = matrix.layout().row_shapes(&matrix.data);
    Some(total_distance(matrix, &shapes, labels, &centers))
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
    fn keyed_medians_equal_float_medians_including_signs_and_zero() {
        let values = [3.5f32, -0.0, 0.0, -2.25, 1e-30, -1e30, 7.0, 0.5];
        for len in 1..=values.len() {
            let mut floats = values[..len].to_vec();
            let mut keys: Vec<u32> = floats.iter().map(|&v| ordered_key(v)).collect();
            assert_eq!(
                median_of_keys(&mut keys).to_bits(),
                median(&mut floats).to_bits()
            );
        }
        assert!(values
            .iter()
            .all(|&v| from_ordered_key(ordered_key(v)).to_bits() == v.to_bits()));
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

    /// The centers [`update`] finds, checked to be the same bit for bit when the segments' values are
    /// copied one segment at a time.
    fn update_both_ways(
        matrix: &EncodedMatrix,
        labels: &[u32],
        k: usize,
        algorithm: Algorithm,
    ) -> Vec<f32> {
        let centers = update(matrix, labels, k, algorithm);
        let shapes = matrix.layout().row_shapes(&matrix.data);
        let mut by_segment = Vec::new();
        update_into(
            matrix,
            &shapes,
            labels,
            k,
            algorithm,
            &mut CenterScratch::with_threads(1).segment_by_segment(),
            &mut by_segment,
        );
        assert!(
            centers
                .iter()
                .zip(&by_segment)
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "{centers:?} vs {by_segment:?}"
        );
        centers
    }

    /// A matrix with two one-hot groups (three and four levels, some rows missing the first variable, some
    /// with none of the second's levels set) and a numeric dimension, as `encode` lays it out.
    fn one_hot_matrix(n: usize) -> EncodedMatrix {
        use crate::encode::{DimKind, EncodedDim};
        let dim = |column: usize, kind: DimKind, weight: f32| EncodedDim {
            column,
            name: format!("c{column}"),
            kind,
            level: None,
            level_label: None,
            low: 0.0,
            high: 1.0,
            value_weight: weight,
            rescale_weight: weight,
        };
        let mut dims = vec![dim(0, DimKind::Numeric, 1.0)];
        dims.extend((0..3).map(|_| dim(1, DimKind::OneHot, 1.0 / 3.0)));
        dims.extend((0..4).map(|_| dim(2, DimKind::OneHot, 0.25)));
        let mut data = Vec::new();
        for i in 0..n {
            let mut row = vec![(i % 7) as f32 / 7.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
            if i % 5 == 0 {
                row[1..4].fill(f32::NAN);
            } else {
                row[1 + (i * 7 / 3) % 3] = 0.5;
            }
            if i % 6 != 1 {
                row[4 + (i * 11 / 5) % 4] = 0.5;
            }
            data.extend(row);
        }
        EncodedMatrix::from_dims(data, n, dims, Vec::new()).expect("shape")
    }

    #[test]
    fn one_hot_centers_by_counting_equal_the_sorted_medians_and_means_bit_for_bit() {
        for n in [1, 2, 9, 40, 101] {
            let matrix = one_hot_matrix(n);
            assert!(matrix.layout().has_groups());
            // Both groups are counted from the rows' hot offsets, the second with all-zero rows among
            // those whose offset is 0.
            let shapes = matrix.layout().row_shapes(&matrix.data);
            assert!(shapes.countable_values(0).is_some());
            assert!(shapes.countable_values(1).is_some());
            assert_eq!(shapes.has_zero_rows(1), n > 1);
            for k in [1, 2, 3] {
                let labels: Vec<u32> = (0..n).map(|i| ((i * 13 + 5) % 7 % k) as u32).collect();
                for algorithm in [Algorithm::KMedians, Algorithm::KMeans] {
                    let centers = update_both_ways(&matrix, &labels, k, algorithm);
                    for c in 0..k {
                        for j in 0..matrix.n_dims {
                            let mut values: Vec<f32> = (0..n)
                                .filter(|&i| labels[i] as usize == c)
                                .map(|i| matrix.row(i)[j])
                                .filter(|v| !v.is_nan())
                                .collect();
                            let expected = match algorithm {
                                Algorithm::KMedians => median(&mut values),
                                Algorithm::KMeans => {
                                    let keys: Vec<u32> =
                                        values.iter().map(|&v| ordered_key(v)).collect();
                                    mean_of_keys(&keys)
                                }
                            };
                            let got = centers[c * matrix.n_dims + j];
                            assert_eq!(
                                got.to_bits(),
                                expected.to_bits(),
                                "n {n} k {k} {algorithm:?} segment {c} dim {j}: {got} vs {expected}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_group_that_is_not_one_hot_falls_back_to_sorting() {
        let mut matrix = one_hot_matrix(12);
        // One segment; then rows 0, 2 and 11 apart: one-hot throughout (so counted on their own), and
        // most of them on one level of each variable, so that their medians there are not 0.
        let apart: Vec<u32> = (0..12)
            .map(|i| u32::from(![0, 2, 11].contains(&i)))
            .collect();
        let sorted_medians_match = |matrix: &EncodedMatrix| {
            for (labels, k) in [(&[0u32; 12][..], 1), (&apart[..], 2)] {
                let centers = update_both_ways(matrix, labels, k, Algorithm::KMedians);
                for (at, center) in centers.iter().enumerate() {
                    let (c, j) = (at / matrix.n_dims, at % matrix.n_dims);
                    let mut values: Vec<f32> = (0..12)
                        .filter(|&i| labels[i] as usize == c)
                        .map(|i| matrix.row(i)[j])
                        .filter(|v| !v.is_nan())
                        .collect();
                    let expected = median(&mut values);
                    assert_eq!(center.to_bits(), expected.to_bits(), "segment {c} dim {j}");
                }
                if k == 2 {
                    assert_eq!(
                        (centers[2], centers[4]),
                        (0.5, 0.5),
                        "the levels most of rows 0, 2 and 11 hold"
                    );
                }
            }
        };
        // Row 3 holds two levels of the second variable; row 4 another value on a level. The first
        // variable is still counted from the hot offsets, beside the second sorted.
        matrix.data[3 * 8 + 4..3 * 8 + 8].copy_from_slice(&[0.5, 0.5, 0.0, 0.0]);
        matrix.data[4 * 8 + 4..4 * 8 + 8].copy_from_slice(&[0.0, 0.0, 0.0, 0.75]);
        let shapes = matrix.layout().row_shapes(&matrix.data);
        assert!(shapes.countable_values(0).is_some());
        assert_eq!(shapes.countable_values(1), None);
        sorted_medians_match(&matrix);
        // Row 10 misses the first variable but for one level.
        matrix.data[10 * 8 + 1..10 * 8 + 4].copy_from_slice(&[f32::NAN, 0.5, f32::NAN]);
        let shapes = matrix.layout().row_shapes(&matrix.data);
        assert_eq!(shapes.countable_values(0), None);
        sorted_medians_match(&matrix);
    }
}
