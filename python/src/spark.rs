//! The per-partition and driver steps of the Spark segmentation (`audience_builder.spark`).
//!
//! The Python side owns the Spark plan; every number is computed here, by the engine:
//!
//! * [`encode_batch`]: a partition's rows (CSV bytes of an Arrow batch) encoded under the model's
//!   encoding (the same figures for every partition), as `audience apply` encodes a file.
//! * [`margin_histogram`], [`boundary_rows`], [`labels`]: each row's cheapest segment under `k` global
//!   prices, `argmin_j (d(row, c_j) − p_j)` (ties: the lower segment), and its *margin*, the gap to its
//!   second cheapest segment, binned on a fixed log scale ([`margin_bin`]).
//! * [`choose_cut`]: from the summed margin histogram, the smallest margin bin `b ≥ 1` such that the rows
//!   with a margin in bin `≥ b` (the *fixed* rows, left in their cheapest segment) leave the rest (the
//!   *boundary* rows, every tie included) a feasible problem, with at least a target number of boundary rows.
//! * [`finish`]: the boundary rows, collected to the driver, put in segments so that every global size is
//!   within `[lower, upper]` exactly, by successive shortest paths ([`finish`] says why it ends).
//! * [`center_histograms`] and [`medians`]: per segment and dimension, a histogram of the members' encoded
//!   values on `MEDIAN_BINS` points of the dimension's range, summed over partitions; each new center
//!   coordinate is within half a bin (`value_weight / 2048`) of its members' exact median.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use audience_engine::cluster::assign::{solve, CostMatrix};
use audience_engine::cluster::SizeLimits;
use audience_engine::encode::{EncodedDim, EncodedMatrix};
use audience_engine::ingest::{read_table, HeaderMode, IngestOptions};
use audience_engine::model::apply::{encode_for_model, ApplyNote};
use audience_engine::model::SegmentationModel;

use crate::error::{Failure, FailureKind};

/// Margin bins: bin 0 holds margins below `D·2^(−62/3)` (ties included), bin `b ≥ 1` margins in
/// `[D·2^((b−63)/3), D·2^((b−62)/3))`, bin 63 everything from `D` up (`D`: the largest distance, the sum of
/// the variable weights).
pub const MARGIN_BINS: usize = 64;

/// Histogram points per dimension for the median update (`value_weight · b / 1024`, `b = 0..=1024`).
pub const MEDIAN_BINS: usize = 1025;

/// The geometry an iteration runs under: dimensions (weights), centers and prices.
#[derive(Clone, Debug)]
pub struct Geometry {
    /// The encoded dimensions (their rescale weights define the distance).
    pub dims: Vec<EncodedDim>,
    /// Centers, `k × n_dims`.
    pub centers: Vec<f32>,
    /// Prices, one per segment, in distance units.
    pub prices: Vec<f64>,
}

impl Geometry {
    /// Number of segments.
    pub fn k(&self) -> usize {
        self.prices.len()
    }

    fn matrix(&self, data: Vec<f32>) -> Result<EncodedMatrix, Failure> {
        let d = self.dims.len();
        if d == 0 || !data.len().is_multiple_of(d) || self.centers.len() != self.k() * d {
            return Err(Failure::new(
                FailureKind::Model,
                format!(
                    "encoded data of {} values, {} centers values and {} segments do not fit {d} dimensions",
                    data.len(),
                    self.centers.len(),
                    self.k()
                ),
            ));
        }
        let n = data.len() / d;
        EncodedMatrix::from_dims(data, n, self.dims.clone(), Vec::new()).ok_or_else(|| {
            Failure::new(
                FailureKind::Model,
                "encoded data does not fit its dimensions",
            )
        })
    }

    /// The largest distance two points can have: the scale of the margin bins.
    fn scale(&self) -> f64 {
        let total: f64 = self.dims.iter().map(|d| f64::from(d.value_weight)).sum();
        if total > 0.0 {
            total
        } else {
            1.0
        }
    }
}

/// A partition's rows encoded under `model`: `n × n_dims` values (NaN = missing), and how many cells
/// held a level the model never saw or did not read under the saved type (they count as missing).
pub fn encode_batch(
    model: &SegmentationModel,
    csv: &[u8],
) -> Result<(Vec<f32>, usize, usize), Failure> {
    let options = IngestOptions {
        header: HeaderMode::Present,
        ..IngestOptions::default()
    };
    let table = read_table(csv, &options)
        .map_err(|e| Failure::new(FailureKind::Ingest, e.to_string()))?
        .table;
    let (matrix, notes) = encode_for_model(model, &table, &options)
        .map_err(|e| Failure::new(FailureKind::Model, e.to_string()))?;
    let unseen = notes
        .iter()
        .map(|note| match note {
            ApplyNote::NewLevels { rows, .. } | ApplyNote::Unreadable { rows, .. } => *rows,
            // Said by the exact re-apply only, never by encoding.
            ApplyNote::SharedValues { .. } => 0,
        })
        .sum();
    Ok((matrix.data, matrix.n_rows, unseen))
}

/// The encoded dimensions of `model` (what [`Geometry::dims`] needs), from a one-row table of its columns.
pub fn model_dims(model: &SegmentationModel, csv: &[u8]) -> Result<Vec<EncodedDim>, Failure> {
    let options = IngestOptions {
        header: HeaderMode::Present,
        ..IngestOptions::default()
    };
    let table = read_table(csv, &options)
        .map_err(|e| Failure::new(FailureKind::Ingest, e.to_string()))?
        .table;
    let (matrix, _) = encode_for_model(model, &table, &options)
        .map_err(|e| Failure::new(FailureKind::Model, e.to_string()))?;
    Ok(matrix.dims)
}

/// The margin bin of a margin `m ≥ 0` on the scale `scale` (see [`MARGIN_BINS`]).
pub fn margin_bin(m: f64, scale: f64) -> usize {
    if m.is_nan() || m <= 0.0 {
        return 0;
    }
    let b = (3.0 * (m / scale).log2()).floor() + 63.0;
    if b < 1.0 {
        0
    } else {
        (b as usize).min(MARGIN_BINS - 1)
    }
}

/// Cheapest segment under the prices (ties: the lower one) and the margin to the second cheapest.
fn cheapest(distances: &[f32], prices: &[f64]) -> (u32, f64) {
    let mut best = 0usize;
    let mut best_value = f64::INFINITY;
    let mut second = f64::INFINITY;
    for (j, (&d, &p)) in distances.iter().zip(prices).enumerate() {
        let value = f64::from(d) - p;
        if value < best_value {
            second = best_value;
            best = j;
            best_value = value;
        } else if value < second {
            second = value;
        }
    }
    let margin = if second.is_finite() {
        second - best_value
    } else {
        f64::INFINITY
    };
    (best as u32, margin)
}

fn for_each_row(
    geometry: &Geometry,
    data: Vec<f32>,
    mut visit: impl FnMut(usize, &[f32], u32, usize),
) -> Result<(), Failure> {
    let matrix = geometry.matrix(data)?;
    let (k, scale) = (geometry.k(), geometry.scale());
    let mut distances = vec![0f32; k];
    let prepared = matrix.layout().prepare_centers(&geometry.centers);
    let mut scratch = audience_engine::encode::distance::AllCentersScratch::default();
    for row in 0..matrix.n_rows {
        matrix.layout().distances_to_centers(
            matrix.row(row),
            &prepared,
            &mut scratch,
            &mut distances,
        );
        let (best, margin) = cheapest(&distances, &geometry.prices);
        visit(row, &distances, best, margin_bin(margin, scale));
    }
    Ok(())
}

/// Per cheapest segment, the rows in each margin bin (`k × MARGIN_BINS`, row-major).
pub fn margin_histogram(geometry: &Geometry, data: Vec<f32>) -> Result<Vec<u64>, Failure> {
    let mut histogram = vec![0u64; geometry.k() * MARGIN_BINS];
    for_each_row(geometry, data, |_, _, best, bin| {
        histogram[best as usize * MARGIN_BINS + bin] += 1;
    })?;
    Ok(histogram)
}

/// A batch's boundary rows ([`boundary_rows`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Boundary {
    /// Positions of the boundary rows in the batch.
    pub positions: Vec<u32>,
    /// Their distances to the `k` centers, `positions.len() × k`.
    pub distances: Vec<f32>,
    /// Per segment, the rows fixed there.
    pub fixed: Vec<u64>,
}

/// The rows whose margin bin is below `cut` (their positions in the batch and their `k` distances each),
/// and per segment the rows fixed there (margin bin `≥ cut`).
pub fn boundary_rows(geometry: &Geometry, data: Vec<f32>, cut: usize) -> Result<Boundary, Failure> {
    let mut boundary = Boundary {
        fixed: vec![0u64; geometry.k()],
        ..Boundary::default()
    };
    for_each_row(geometry, data, |row, row_distances, best, bin| {
        if bin < cut {
            boundary.positions.push(row as u32);
            boundary.distances.extend_from_slice(row_distances);
        } else {
            boundary.fixed[best as usize] += 1;
        }
    })?;
    Ok(boundary)
}

/// Every row's cheapest segment under the prices, and whether it is a boundary row (margin bin `< cut`,
/// its segment then comes from [`finish`]).
pub fn labels(
    geometry: &Geometry,
    data: Vec<f32>,
    cut: usize,
) -> Result<(Vec<u32>, Vec<bool>), Failure> {
    let mut labels = Vec::new();
    let mut boundary = Vec::new();
    for_each_row(geometry, data, |_, _, best, bin| {
        labels.push(best);
        boundary.push(bin < cut);
    })?;
    Ok((labels, boundary))
}

/// The cut chosen by [`choose_cut`] and what it leaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cut {
    /// Rows in a margin bin `≥ cut` stay in their cheapest segment.
    pub cut: usize,
    /// Rows fixed in each segment.
    pub fixed: Vec<u64>,
    /// Boundary rows.
    pub boundary: u64,
}

/// The smallest cut `b ≥ 1` whose boundary rows can complete every segment to a size in
/// `[limits.lower, limits.upper]` (no segment has more than `upper` fixed rows, and the boundary rows cover
/// every segment's shortfall below `lower`) and number at least `min(target, n)`.
///
/// Raising the cut only moves rows from fixed to boundary, which keeps a feasible cut feasible; the cut
/// `MARGIN_BINS` makes every row a boundary row, feasible whenever the limits admit `n` rows in `k`
/// segments, so a cut is always found then.
pub fn choose_cut(histogram: &[u64], k: usize, limits: SizeLimits, target: u64) -> Option<Cut> {
    if k == 0 || histogram.len() != k * MARGIN_BINS {
        return None;
    }
    let n: u64 = histogram.iter().sum();
    if !limits.admits(n as usize, k) {
        return None;
    }
    let (lower, upper) = (limits.lower as u64, limits.upper as u64);
    (1..=MARGIN_BINS).find_map(|cut| {
        let fixed: Vec<u64> = (0..k)
            .map(|j| {
                histogram[j * MARGIN_BINS + cut.min(MARGIN_BINS)..(j + 1) * MARGIN_BINS]
                    .iter()
                    .sum()
            })
            .collect();
        let boundary = n - fixed.iter().sum::<u64>();
        let shortfall: u64 = fixed.iter().map(|&f| lower.saturating_sub(f)).sum();
        let feasible = fixed.iter().all(|&f| f <= upper) && shortfall <= boundary;
        (feasible && (boundary >= target.min(n) || cut == MARGIN_BINS)).then_some(Cut {
            cut,
            fixed,
            boundary,
        })
    })
}

/// Puts the boundary rows (`distances`: `m × k`) in segments so that, with `fixed[j]` rows already in
/// segment `j`, every size is within `[limits.lower, limits.upper]`; returns their segments.
///
/// Every row starts in its cheapest segment under `prices`. Then, while a segment is over `upper`, one
/// row is moved along a shortest path (in extra distance) from it to a segment below `upper`; and while a
/// segment is under `lower`, along a shortest path to it from a segment above `lower`. A path's edge
/// `a → b` moves the row of `a` for which moving to `b` costs least (candidate heaps, stale entries
/// skipped); paths are found by Bellman–Ford on the `k` segments. **It ends**: each path lowers the total
/// violation (rows over `upper` plus rows missing under `lower`) by exactly one and never raises another
/// segment out of its bounds, and a path always exists, because a complete graph links every non-empty
/// segment to every other and feasibility ([`choose_cut`]) guarantees a segment with room (or rows to
/// spare). So it takes exactly as many paths as the initial violation, each `O(k³ + path · k log m)`.
pub fn finish(
    distances: &[f32],
    prices: &[f64],
    fixed: &[u64],
    limits: SizeLimits,
) -> Result<Vec<u32>, Failure> {
    let k = prices.len();
    if k == 0 || fixed.len() != k || !distances.len().is_multiple_of(k) {
        return Err(Failure::new(
            FailureKind::Cluster,
            format!(
                "{} distances, {} prices and {} fixed counts do not describe boundary rows",
                distances.len(),
                prices.len(),
                fixed.len()
            ),
        ));
    }
    let m = distances.len() / k;
    let lower: Vec<i64> = fixed
        .iter()
        .map(|&f| limits.lower as i64 - f as i64)
        .collect();
    let upper: Vec<i64> = fixed
        .iter()
        .map(|&f| limits.upper as i64 - f as i64)
        .collect();
    let total_low: i64 = lower.iter().map(|&l| l.max(0)).sum();
    let total_high: i64 = upper.iter().sum();
    if upper.iter().any(|&u| u < 0) || total_low > m as i64 || total_high < m as i64 {
        return Err(Failure::new(
            FailureKind::Cluster,
            format!(
                "{m} boundary rows cannot complete {k} segments to {}..={} rows each with {:?} rows fixed",
                limits.lower, limits.upper, fixed
            ),
        ));
    }
    let cost = |i: usize, j: usize| f64::from(distances[i * k + j]);
    let mut labels: Vec<u32> = (0..m)
        .map(|i| cheapest(&distances[i * k..(i + 1) * k], prices).0)
        .collect();
    let mut sizes = vec![0i64; k];
    labels.iter().for_each(|&l| sizes[l as usize] += 1);
    // heaps[a * k + b]: rows of a by the extra distance of moving them to b (min-heap, lazily cleaned).
    let mut heaps: Vec<BinaryHeap<Reverse<(Key, u32)>>> = vec![BinaryHeap::new(); k * k];
    let push = |heaps: &mut Vec<BinaryHeap<Reverse<(Key, u32)>>>, i: usize, a: usize| {
        for b in (0..k).filter(|&b| b != a) {
            heaps[a * k + b].push(Reverse((Key(cost(i, b) - cost(i, a)), i as u32)));
        }
    };
    for (i, &l) in labels.iter().enumerate() {
        push(&mut heaps, i, l as usize);
    }
    loop {
        let over = (0..k).find(|&j| sizes[j] > upper[j]);
        let under = (0..k).find(|&j| sizes[j] < lower[j]);
        let (sources, targets): (Vec<usize>, Vec<usize>) = match (over, under) {
            (Some(a), _) => (
                vec![a],
                (0..k).filter(|&j| j != a && sizes[j] < upper[j]).collect(),
            ),
            (None, Some(b)) => (
                (0..k).filter(|&j| j != b && sizes[j] > lower[j]).collect(),
                vec![b],
            ),
            (None, None) => break,
        };
        // Edge weights: the cheapest move out of each segment into each other one.
        let mut weight = vec![f64::INFINITY; k * k];
        for a in 0..k {
            for b in (0..k).filter(|&b| b != a) {
                let heap = &mut heaps[a * k + b];
                while let Some(Reverse((key, i))) = heap.peek().copied() {
                    if labels[i as usize] as usize == a {
                        weight[a * k + b] = key.0;
                        break;
                    }
                    heap.pop();
                }
            }
        }
        // Bellman–Ford from every source at distance 0.
        let mut dist = vec![f64::INFINITY; k];
        let mut previous = vec![usize::MAX; k];
        for &s in &sources {
            dist[s] = 0.0;
        }
        for _ in 0..k {
            let mut changed = false;
            for a in 0..k {
                if !dist[a].is_finite() {
                    continue;
                }
                for b in (0..k).filter(|&b| b != a && weight[a * k + b].is_finite()) {
                    let through = dist[a] + weight[a * k + b];
                    if through < dist[b] - 1e-12 {
                        dist[b] = through;
                        previous[b] = a;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let target = targets
            .iter()
            .copied()
            .filter(|&t| dist[t].is_finite())
            .min_by(|&x, &y| dist[x].total_cmp(&dist[y]).then(x.cmp(&y)))
            .ok_or_else(|| {
                Failure::new(
                    FailureKind::Cluster,
                    "no segment can take or give a boundary row",
                )
            })?;
        // The path back to a source (at most k edges; a cycle from rounding falls back to a direct edge).
        let mut path = vec![target];
        let mut node = target;
        while !sources.contains(&node) {
            let from = previous[node];
            if from == usize::MAX || path.len() > k || path.contains(&from) {
                let source = sources
                    .iter()
                    .copied()
                    .filter(|&s| weight[s * k + target].is_finite())
                    .min_by(|&x, &y| weight[x * k + target].total_cmp(&weight[y * k + target]))
                    .ok_or_else(|| {
                        Failure::new(
                            FailureKind::Cluster,
                            "no boundary row can move to the segment",
                        )
                    })?;
                path = vec![target, source];
                break;
            }
            path.push(from);
            node = from;
        }
        path.reverse();
        let moves: Vec<(usize, usize, u32)> = path
            .windows(2)
            .map(|edge| {
                let (a, b) = (edge[0], edge[1]);
                let Reverse((_, i)) = *heaps[a * k + b].peek().expect("a finite edge has a row");
                (a, b, i)
            })
            .collect();
        for (a, b, i) in moves {
            labels[i as usize] = b as u32;
            sizes[a] -= 1;
            sizes[b] += 1;
            push(&mut heaps, i as usize, b);
        }
    }
    Ok(labels)
}

/// A totally ordered `f64` for the candidate heaps.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Key(f64);

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The histogram bin of an encoded value on a dimension of weight `value_weight`.
fn median_bin(v: f32, value_weight: f32) -> usize {
    if value_weight > 0.0 {
        let b = (f64::from(v) / f64::from(value_weight) * (MEDIAN_BINS - 1) as f64).round();
        b.clamp(0.0, (MEDIAN_BINS - 1) as f64) as usize
    } else {
        0
    }
}

/// Units per distance in the costs [`center_histograms`] returns: each row's distance is rounded to a
/// multiple of `2^-24` and the multiples are added as integers, so the total does not depend on the order
/// of the rows or on how they are split into partitions.
pub const COST_UNITS: f64 = (1u64 << 24) as f64;

/// Per segment and dimension, the members' present values binned (`k × n_dims × MEDIAN_BINS`), and the
/// total distance of the rows to their segment's current center, in [`COST_UNITS`].
pub fn center_histograms(
    geometry: &Geometry,
    data: Vec<f32>,
    labels: &[u32],
) -> Result<(Vec<u32>, u64), Failure> {
    let matrix = geometry.matrix(data)?;
    let (d, k) = (matrix.n_dims, geometry.k());
    if labels.len() != matrix.n_rows || labels.iter().any(|&l| l as usize >= k) {
        return Err(Failure::new(
            FailureKind::Cluster,
            format!(
                "{} labels for {} rows and {k} segments",
                labels.len(),
                matrix.n_rows
            ),
        ));
    }
    let mut histogram = vec![0u32; k * d * MEDIAN_BINS];
    let mut cost = 0u64;
    for (row, &label) in labels.iter().enumerate() {
        let c = label as usize;
        let values = matrix.row(row);
        let distance = f64::from(matrix.distance(values, &geometry.centers[c * d..(c + 1) * d]));
        cost += (distance * COST_UNITS).round() as u64;
        for (j, (&v, dim)) in values.iter().zip(&geometry.dims).enumerate() {
            if !v.is_nan() {
                histogram[(c * d + j) * MEDIAN_BINS + median_bin(v, dim.value_weight)] += 1;
            }
        }
    }
    Ok((histogram, cost))
}

/// New centers from summed histograms (`k × n_dims × MEDIAN_BINS`): per segment and dimension the
/// median as the engine defines it (the middle value, or the mean of the two middle ones), each value
/// read as its bin's point, so within `value_weight / 2048` of the exact median; NaN with no member value.
pub fn medians(histogram: &[u64], dims: &[EncodedDim], k: usize) -> Result<Vec<f32>, Failure> {
    let d = dims.len();
    if histogram.len() != k * d * MEDIAN_BINS {
        return Err(Failure::new(
            FailureKind::Cluster,
            format!(
                "a histogram of {} counts does not fit {k} segments of {d} dimensions",
                histogram.len()
            ),
        ));
    }
    let mut centers = vec![f32::NAN; k * d];
    for c in 0..k {
        for (j, dim) in dims.iter().enumerate() {
            let counts = &histogram[(c * d + j) * MEDIAN_BINS..(c * d + j + 1) * MEDIAN_BINS];
            let m: u64 = counts.iter().sum();
            if m == 0 {
                continue;
            }
            let point = |rank: u64| -> f32 {
                let mut seen = 0;
                let bin = counts
                    .iter()
                    .position(|&n| {
                        seen += n;
                        seen > rank
                    })
                    .unwrap_or(MEDIAN_BINS - 1);
                (bin as f64 / (MEDIAN_BINS - 1) as f64 * f64::from(dim.value_weight)) as f32
            };
            centers[c * d + j] = if m % 2 == 1 {
                point(m / 2)
            } else {
                (point(m / 2 - 1) + point(m / 2)) / 2.0
            };
        }
    }
    Ok(centers)
}

/// Prices (distance units) of the exact bounded assignment of a sample (`n × n_dims`, encoded) to
/// `centers`, with the share bounds applied to the sample: the warm start of the next full pass.
pub fn sample_prices(
    dims: &[EncodedDim],
    sample: Vec<f32>,
    centers: &[f32],
    limits: SizeLimits,
) -> Result<Vec<f64>, Failure> {
    let d = dims.len();
    let k = centers.len().checked_div(d).unwrap_or(0);
    let geometry = Geometry {
        dims: dims.to_vec(),
        centers: centers.to_vec(),
        prices: vec![0.0; k],
    };
    let matrix = geometry.matrix(sample)?;
    let mut distances = Vec::with_capacity(matrix.n_rows * k);
    for row in 0..matrix.n_rows {
        let values = matrix.row(row);
        distances.extend(centers.chunks_exact(d).map(|c| matrix.distance(values, c)));
    }
    let costs = CostMatrix::from_distances(matrix.n_rows, k, &distances).ok_or_else(|| {
        Failure::new(
            FailureKind::Cluster,
            "the sample's distances are not finite",
        )
    })?;
    let assignment = solve(&costs, limits).ok_or_else(|| {
        Failure::new(
            FailureKind::Cluster,
            format!(
                "{} sample rows cannot be split into {k} segments of {}..={} rows",
                matrix.n_rows, limits.lower, limits.upper
            ),
        )
    })?;
    Ok(assignment
        .prices
        .iter()
        .map(|&p| p as f64 / costs.scale())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims(n: usize) -> Vec<EncodedDim> {
        EncodedMatrix::from_dense(vec![0.0; n], 1, n).unwrap().dims
    }

    #[test]
    fn margins_fall_in_log_bins_with_ties_in_bin_zero() {
        assert_eq!(margin_bin(0.0, 1.0), 0);
        assert_eq!(margin_bin(1.0, 1.0), 63);
        assert_eq!(margin_bin(100.0, 1.0), 63);
        assert_eq!(margin_bin(0.5, 1.0), 60);
        assert_eq!(margin_bin(1e-9, 1.0), 0);
    }

    #[test]
    fn the_cut_is_the_smallest_that_leaves_a_feasible_boundary() {
        // Two segments of 10 rows, bounds 4..=6: segment 0 has 8 rows (6 with large margins), segment 1 has 2.
        let mut histogram = vec![0u64; 2 * MARGIN_BINS];
        histogram[0] = 1; // a tie
        histogram[10] = 1;
        histogram[40] = 6;
        histogram[MARGIN_BINS + 50] = 2;
        let limits = SizeLimits { lower: 4, upper: 6 };
        // Cut 1 fixes 7 rows in segment 0 (more than 6); cut 11 fixes 6 and 2, and the 2 boundary rows
        // cover segment 1's shortfall of 2.
        let cut = choose_cut(&histogram, 2, limits, 0).unwrap();
        assert_eq!((cut.cut, cut.fixed, cut.boundary), (11, vec![6, 2], 2));
        // A target of 8 boundary rows takes the cut past bin 40.
        let cut = choose_cut(&histogram, 2, limits, 8).unwrap();
        assert_eq!((cut.cut, cut.fixed, cut.boundary), (41, vec![0, 2], 8));
    }

    #[test]
    fn finishing_meets_every_bound_at_the_least_extra_distance() {
        // Four rows prefer segment 0; bounds 2..=2 each: the two that lose least by moving go to 1.
        let distances = [0.0, 5.0, 0.0, 1.0, 0.0, 2.0, 0.0, 9.0];
        let labels = finish(
            &distances,
            &[0.0, 0.0],
            &[0, 0],
            SizeLimits { lower: 2, upper: 2 },
        )
        .unwrap();
        assert_eq!(labels, [0, 1, 1, 0]);
        // With fixed rows: segment 1 already holds 2 of at most 3, so only the cheapest mover joins it.
        let labels = finish(
            &distances,
            &[0.0, 0.0],
            &[0, 2],
            SizeLimits { lower: 1, upper: 3 },
        )
        .unwrap();
        assert_eq!(labels, [0, 1, 0, 0]);
    }

    #[test]
    fn finishing_routes_through_a_middle_segment_when_that_is_cheaper() {
        // Three segments of exactly 1 row each. Rows 0 and 1 both prefer segment 0; row 1 moves to 1 at
        // cost 1, row 2 sits in 1 and moves to 2 at cost 1; moving row 0 or 1 straight to 2 costs 10.
        let distances = [0.0, 10.0, 10.0, 0.0, 1.0, 10.0, 10.0, 0.0, 1.0];
        let labels = finish(
            &distances,
            &[0.0, 0.0, 0.0],
            &[0, 0, 0],
            SizeLimits { lower: 1, upper: 1 },
        )
        .unwrap();
        assert_eq!(labels, [0, 1, 2]);
    }

    #[test]
    fn impossible_finishing_is_refused_with_the_numbers() {
        let error = finish(
            &[0.0, 1.0],
            &[0.0, 0.0],
            &[5, 0],
            SizeLimits { lower: 1, upper: 3 },
        )
        .unwrap_err();
        assert!(error.message.contains("1..=3"), "{}", error.message);
    }

    #[test]
    fn histogram_medians_are_within_half_a_bin_of_the_exact_medians() {
        let dims = dims(1);
        let values = [0.1f32, 0.2, 0.35, 0.9, 0.95];
        let geometry = Geometry {
            dims: dims.clone(),
            centers: vec![0.0],
            prices: vec![0.0],
        };
        let (histogram, cost) = center_histograms(&geometry, values.to_vec(), &[0; 5]).unwrap();
        assert!((cost as f64 / COST_UNITS - 2.5).abs() < 1e-6, "{cost}");
        let summed: Vec<u64> = histogram.iter().map(|&c| u64::from(c)).collect();
        let center = medians(&summed, &dims, 1).unwrap()[0];
        assert!((center - 0.35).abs() <= 1.0 / 2048.0, "{center}");
        // An even count: the mean of the two middle values; no value: NaN.
        let (histogram, _) = center_histograms(&geometry, vec![0.0, 1.0], &[0, 0]).unwrap();
        let summed: Vec<u64> = histogram.iter().map(|&c| u64::from(c)).collect();
        assert_eq!(medians(&summed, &dims, 1).unwrap(), [0.5]);
        let (histogram, _) = center_histograms(&geometry, vec![f32::NAN], &[0]).unwrap();
        let summed: Vec<u64> = histogram.iter().map(|&c| u64::from(c)).collect();
        assert!(medians(&summed, &dims, 1).unwrap()[0].is_nan());
    }

    #[test]
    fn labels_mark_ties_as_boundary_rows() {
        let geometry = Geometry {
            dims: dims(1),
            centers: vec![0.0, 1.0],
            prices: vec![0.0, 0.0],
        };
        let (labels, boundary) = super::labels(&geometry, vec![0.1, 0.5, 0.9], 1).unwrap();
        assert_eq!(labels, [0, 0, 1]);
        assert_eq!(boundary, [false, true, false]);
    }
}
