//! The exact size-bounded assignment step: given the cost of putting each of `n` rows in each of `k`
//! segments, find labels with every segment size in `[lower, upper]` and the minimum total cost.
//!
//! This is a transportation problem with `k` destinations, solved as a min-cost flow on a graph compressed
//! to `k + 1` nodes (one per segment, plus a sink `T`):
//!
//! * moving one row from segment `a` to segment `b` is an edge `a → b` whose weight is the cheapest such move,
//!   `min_{i ∈ a} (c[i][b] − c[i][a])`, read from a per-pair candidate heap (the `candidates` module);
//! * each segment's edge `j → T` carries between `lower` and `upper` rows.
//!
//! Every row starts in its cheapest segment after subtracting warm-start prices (the previous iteration's
//! duals, so only the rows whose preference changed have to move). Rows above a segment's count or below it
//! are excesses and deficits, routed by successive shortest paths (Dijkstra with reduced costs on the
//! `k + 1` nodes, the `flow` module): each path moves one row per move edge, and the node potentials stay
//! dual prices under which every row sits in its cheapest segment. When no excess is left the flow is
//! optimal, and the potentials certify it. One shortest path costs O(k²) heap peeks, so an iteration costs
//! O(n·k) to fill the costs plus O(k²) per row that has to move; a path whose edges still have reduced cost
//! zero after it moved a row (the next row on each edge is tied with the last, as identical customers are)
//! is augmented again without a new search, at one heap peek per edge.
//!
//! **Exactness.** Costs are quantized to integers (`CostMatrix::from_distances`: the largest cost maps to
//! `2³¹ − 1`, so one unit is ~5·10⁻¹⁰ of the largest distance, finer than `f32` itself resolves), and all
//! arithmetic is exact integer arithmetic. [`certify`] checks complementary slackness independently in
//! O(n·k): every row sits in a segment minimising `c[i][j] − p[j]`, every size is within bounds, and some
//! threshold `t` has `p[j] ≤ t` wherever a segment is above its lower bound and `p[j] ≥ t` wherever it is
//! below its upper bound. Those conditions make `p` an optimal dual solution of the transportation LP, so
//! the labels are an optimal assignment.

mod candidates;
mod flow;

use serde::{Deserialize, Serialize};

/// Quantized assignment costs, `n × k`, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct CostMatrix {
    n: usize,
    k: usize,
    costs: Vec<u32>,
    scale: f64,
}

/// Largest quantized cost; differences of two costs fit in an `i32`.
pub const MAX_QUANTIZED_COST: u32 = (1 << 31) - 1;

impl CostMatrix {
    /// Integer costs as given (each at most [`MAX_QUANTIZED_COST`]); `None` when the length is not
    /// `n × k` or a cost is too large.
    pub fn from_quantized(n: usize, k: usize, costs: Vec<u32>) -> Option<Self> {
        if n.checked_mul(k)? != costs.len() || costs.iter().any(|&c| c > MAX_QUANTIZED_COST) {
            return None;
        }
        Some(CostMatrix {
            n,
            k,
            costs,
            scale: 1.0,
        })
    }

    /// Quantizes non-negative finite distances (`n × k`, row-major): the largest maps to
    /// [`MAX_QUANTIZED_COST`], each cost to `⌊d · scale + ½⌋` (see [`quantize`]). `None` on a length mismatch or a
    /// negative / non-finite distance.
    pub fn from_distances(n: usize, k: usize, distances: &[f32]) -> Option<Self> {
        if n.checked_mul(k)? != distances.len()
            || distances.iter().any(|d| !(*d >= 0.0 && d.is_finite()))
        {
            return None;
        }
        let mut costs = Vec::new();
        let scale = Self::quantize_into(distances, &mut costs);
        Some(CostMatrix { n, k, costs, scale })
    }

    /// An empty matrix whose buffer [`fill`](Self::fill) reuses.
    pub(crate) fn empty() -> Self {
        CostMatrix {
            n: 0,
            k: 0,
            costs: Vec::new(),
            scale: 1.0,
        }
    }

    /// Refills the matrix in place, the rows shared among `threads` threads (contiguous blocks, see the
    /// `blocks` module): `row_distances(i, out, holds_previous, scratch)` writes row `i`'s `k`
    /// non-negative finite distances into `out`, reading only shared data; `holds_previous` says whether
    /// `out` holds row `i − 1`'s distances (false at each block's first row), so a row with the same
    /// distances may leave it as it is; `scratch` is the block's own. They are then quantized as in
    /// [`from_distances`](Self::from_distances) without a second `n × k` buffer (the buffer holds the `f32`
    /// bits until quantization). Every row's distances and the largest of them are the same whatever the
    /// number of threads, so the costs are too, bit for bit.
    pub(crate) fn fill_in_blocks<S: Default>(
        &mut self,
        n: usize,
        k: usize,
        threads: usize,
        row_distances: impl Fn(usize, &mut [f32], bool, &mut S) + Sync,
    ) {
        self.n = n;
        self.k = k;
        self.costs.clear();
        self.costs.resize(n * k, 0);
        let width = k.max(1);
        let block_maxima =
            super::blocks::in_row_blocks(&mut self.costs, width, threads, |first, block| {
                let (mut row, mut scratch) = (vec![0f32; k], S::default());
                let mut max = 0f32;
                for (offset, out) in block.chunks_exact_mut(width).enumerate() {
                    row_distances(first + offset, &mut row, offset > 0, &mut scratch);
                    for (slot, &d) in out.iter_mut().zip(&row) {
                        debug_assert!(d >= 0.0 && d.is_finite());
                        max = max.max(d);
                        *slot = d.to_bits();
                    }
                }
                max
            });
        let max = block_maxima.into_iter().fold(0f32, f32::max);
        self.scale = if max > 0.0 {
            MAX_QUANTIZED_COST as f64 / max as f64
        } else {
            1.0
        };
        let scale = self.scale;
        super::blocks::in_row_blocks(&mut self.costs, width, threads, |_, block| {
            for slot in block {
                *slot = quantize(f32::from_bits(*slot) as f64, scale);
            }
        });
    }

    fn quantize_into(distances: &[f32], costs: &mut Vec<u32>) -> f64 {
        let max = distances.iter().fold(0f32, |m, &d| m.max(d));
        let scale = if max > 0.0 {
            MAX_QUANTIZED_COST as f64 / max as f64
        } else {
            1.0
        };
        costs.clear();
        costs.extend(distances.iter().map(|&d| quantize(d as f64, scale)));
        scale
    }

    /// Number of rows.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of segments.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Quantized units per distance unit.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// Quantized cost of row `i` in segment `j`.
    #[inline]
    pub fn cost(&self, i: usize, j: usize) -> u32 {
        self.costs[i * self.k + j]
    }

    #[inline]
    pub(crate) fn row(&self, i: usize) -> &[u32] {
        &self.costs[i * self.k..(i + 1) * self.k]
    }

    /// Total quantized cost of a labelling.
    pub fn total(&self, labels: &[u32]) -> i64 {
        labels
            .iter()
            .enumerate()
            .map(|(i, &l)| self.cost(i, l as usize) as i64)
            .sum()
    }
}

/// `⌊d · scale + ½⌋` capped at [`MAX_QUANTIZED_COST`], for `d ≥ 0`: round half up by an add and a
/// truncating (saturating) cast, the same IEEE operations on every target and no libm call in the hot loop.
#[inline(always)]
fn quantize(d: f64, scale: f64) -> u32 {
    ((d * scale + 0.5) as u32).min(MAX_QUANTIZED_COST)
}

/// Inclusive bounds on every segment's size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeLimits {
    /// Smallest allowed size.
    pub lower: usize,
    /// Largest allowed size.
    pub upper: usize,
}

impl SizeLimits {
    /// Whether `k` segments with these limits can hold exactly `n` rows.
    pub fn admits(&self, n: usize, k: usize) -> bool {
        self.lower <= self.upper
            && k.checked_mul(self.lower).is_some_and(|low| low <= n)
            && k.checked_mul(self.upper).is_none_or(|high| high >= n)
    }
}

/// Work counters of one [`solve`] call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignStats {
    /// Rows moved after the initial cheapest-segment pass (a row moved twice counts twice).
    pub moves: usize,
    /// Shortest-path (Dijkstra) runs, one per augmenting path.
    pub shortest_paths: usize,
    /// Candidate heaps rebuilt by a full scan because every candidate under their threshold had left.
    pub heap_rebuilds: usize,
    /// Shortest-path runs spent on the row samples that warm-start large instances.
    pub sample_shortest_paths: usize,
    /// Augmenting paths reused without a shortest-path run because they still had reduced cost zero
    /// (tied rows, such as identical customers, moving one after another).
    #[serde(default)]
    pub repeated_paths: usize,
}

impl std::ops::AddAssign for AssignStats {
    fn add_assign(&mut self, other: AssignStats) {
        self.moves += other.moves;
        self.shortest_paths += other.shortest_paths;
        self.heap_rebuilds += other.heap_rebuilds;
        self.sample_shortest_paths += other.sample_shortest_paths;
        self.repeated_paths += other.repeated_paths;
    }
}

/// The result of [`solve`].
#[derive(Clone, Debug, PartialEq)]
pub struct Assignment {
    /// Segment of each row.
    pub labels: Vec<u32>,
    /// Rows per segment.
    pub sizes: Vec<usize>,
    /// Dual prices certifying optimality (see [`certify`]).
    pub prices: Vec<i64>,
    /// Total quantized cost.
    pub total: i64,
    /// Work counters.
    pub stats: AssignStats,
}

/// Solves the bounded assignment exactly, from zero prices. Returns `None` when `limits` do not admit `n`
/// rows in `k` segments.
pub fn solve(costs: &CostMatrix, limits: SizeLimits) -> Option<Assignment> {
    let mut labels = vec![0u32; costs.n];
    let mut prices = vec![0i64; costs.k];
    let stats = solve_into(costs, limits, &mut prices, &mut labels)?;
    let mut sizes = vec![0usize; costs.k];
    labels.iter().for_each(|&l| sizes[l as usize] += 1);
    let total = costs.total(&labels);
    Some(Assignment {
        labels,
        sizes,
        prices,
        total,
        stats,
    })
}

/// Solves into `labels` (length `n`), starting from and updating `prices` (length `k`; warm start from the
/// previous iteration's prices, or zeros). `None` when `limits` do not admit `n` rows in `k` segments.
pub fn solve_into(
    costs: &CostMatrix,
    limits: SizeLimits,
    prices: &mut [i64],
    labels: &mut [u32],
) -> Option<AssignStats> {
    let (n, k) = (costs.n, costs.k);
    assert_eq!(labels.len(), n, "labels must have one entry per row");
    assert_eq!(prices.len(), k, "prices must have one entry per segment");
    if k == 0 || !limits.admits(n, k) {
        return None;
    }
    let mut sizes = vec![0usize; k];
    cheapest_segments(costs, prices, labels, &mut sizes);
    let mut stats = AssignStats::default();
    if threshold_holds(&sizes, prices, limits) {
        return Some(stats);
    }
    if n >= COARSE_STRIDE * COARSE_MIN_ROWS {
        warm_start_from_sample(costs, limits, prices, labels, &mut sizes, &mut stats);
    }
    let warm = prices.to_vec();
    flow::Flow::new(costs, limits, labels, sizes, &warm).run(prices, &mut stats);
    Some(stats)
}

/// Every `COARSE_STRIDE`-th row forms the sample solved first on large instances.
const COARSE_STRIDE: usize = 8;
/// Smallest sample worth solving first.
const COARSE_MIN_ROWS: usize = 2048;

/// Puts every row in a segment minimising `c[i][j] − prices[j]` (the first on ties) and counts the sizes.
fn cheapest_segments(costs: &CostMatrix, prices: &[i64], labels: &mut [u32], sizes: &mut [usize]) {
    sizes.iter_mut().for_each(|s| *s = 0);
    for (i, label) in labels.iter_mut().enumerate() {
        let row = costs.row(i);
        let mut best = 0;
        let mut best_value = row[0] as i64 - prices[0];
        for (j, (&c, &p)) in row.iter().zip(prices).enumerate().skip(1) {
            let value = c as i64 - p;
            if value < best_value {
                best = j;
                best_value = value;
            }
        }
        *label = best as u32;
        sizes[best] += 1;
    }
}

/// Rows that must move before the sizes fit the limits.
fn violation(sizes: &[usize], limits: SizeLimits) -> usize {
    let over: usize = sizes.iter().map(|&s| s.saturating_sub(limits.upper)).sum();
    let under: usize = sizes.iter().map(|&s| limits.lower.saturating_sub(s)).sum();
    over.max(under)
}

/// Multilevel warm start: solves the bounded assignment exactly on every `COARSE_STRIDE`-th row (itself
/// recursively) with proportionally scaled limits, and keeps that solution's dual prices when the rows'
/// cheapest segments under them violate the limits less than under `prices`. Prices are in cost units, so
/// a sample's optimal prices estimate the full problem's; the full problem then only routes the sampling
/// error (about √n rows) through shortest paths, instead of every row the warm start got wrong. Exactness
/// does not depend on it: the full solve that follows is exact from any prices.
fn warm_start_from_sample(
    costs: &CostMatrix,
    limits: SizeLimits,
    prices: &mut [i64],
    labels: &mut [u32],
    sizes: &mut [usize],
    stats: &mut AssignStats,
) {
    let (n, k) = (costs.n, costs.k);
    let rows: Vec<usize> = (0..n).step_by(COARSE_STRIDE).collect();
    let m = rows.len();
    let mut sample_costs = Vec::with_capacity(m * k);
    for &i in &rows {
        sample_costs.extend_from_slice(costs.row(i));
    }
    let sample = CostMatrix {
        n: m,
        k,
        costs: sample_costs,
        scale: costs.scale,
    };
    // Scaled outward (floor / ceil), so the sample's limits always admit its m rows.
    let sample_limits = SizeLimits {
        lower: (limits.lower as u128 * m as u128 / n as u128) as usize,
        upper: (limits.upper as u128 * m as u128).div_ceil(n as u128) as usize,
    };
    let mut sample_prices = prices.to_vec();
    let mut sample_labels = vec![0u32; m];
    let Some(sample_stats) = solve_into(
        &sample,
        sample_limits,
        &mut sample_prices,
        &mut sample_labels,
    ) else {
        return;
    };
    stats.sample_shortest_paths += sample_stats.shortest_paths + sample_stats.sample_shortest_paths;
    let before = violation(sizes, limits);
    let mut sample_sizes = vec![0usize; k];
    cheapest_segments(costs, &sample_prices, labels, &mut sample_sizes);
    if violation(&sample_sizes, limits) <= before {
        prices.copy_from_slice(&sample_prices);
        sizes.copy_from_slice(&sample_sizes);
    } else {
        cheapest_segments(costs, prices, labels, sizes);
    }
}

/// Checks that `labels` are an optimal bounded assignment for `costs`, certified by `prices` (see the
/// [module docs](self)). O(n·k), exact.
pub fn certify(costs: &CostMatrix, limits: SizeLimits, labels: &[u32], prices: &[i64]) -> bool {
    let k = costs.k;
    if labels.len() != costs.n || prices.len() != k || labels.iter().any(|&l| l as usize >= k) {
        return false;
    }
    let mut sizes = vec![0usize; k];
    labels.iter().for_each(|&l| sizes[l as usize] += 1);
    if sizes.iter().any(|&s| s < limits.lower || s > limits.upper) {
        return false;
    }
    let rows_at_minimum = labels.iter().enumerate().all(|(i, &l)| {
        let row = costs.row(i);
        let own = row[l as usize] as i64 - prices[l as usize];
        (0..k).all(|j| own <= row[j] as i64 - prices[j])
    });
    rows_at_minimum && threshold_holds(&sizes, prices, limits)
}

/// Sizes within bounds and `max{p_j : s_j > lower} ≤ min{p_j : s_j < upper}`.
fn threshold_holds(sizes: &[usize], prices: &[i64], limits: SizeLimits) -> bool {
    if sizes.iter().any(|&s| s < limits.lower || s > limits.upper) {
        return false;
    }
    let above_lower = sizes
        .iter()
        .zip(prices)
        .filter(|(&s, _)| s > limits.lower)
        .map(|(_, &p)| p)
        .max();
    let below_upper = sizes
        .iter()
        .zip(prices)
        .filter(|(&s, _)| s < limits.upper)
        .map(|(_, &p)| p)
        .min();
    match (above_lower, below_upper) {
        (Some(high), Some(low)) => high <= low,
        _ => true,
    }
}

#[cfg(test)]
mod tests;
