//! The exact size-bounded assignment step: given the cost of putting each of `n` rows in each of `k`
//! segments, find labels with every segment size in `[lower, upper]` and the minimum total cost.
//!
//! This is a transportation problem with `k` destinations. It is solved as a min-cost flow on a graph
//! compressed to `k + 1` nodes (one per segment, plus a sink `T`):
//!
//! * moving one row from segment `a` to segment `b` is an edge `a → b` whose weight is the cheapest such move,
//!   `min_{i ∈ a} (c[i][b] − c[i][a])`, read from a per-pair candidate heap;
//! * segment sizes are priced by a convex penalty on edges `T → a` (give up a row) and `b → T` (take one):
//!   `−M` per row below `lower`, `0` inside the bounds, `+M` per row above `upper`, with `M` larger than
//!   any path of move costs.
//!
//! Starting from every row in its cheapest segment (shifted by warm-start prices), negative cycles are found
//! with Bellman–Ford on the `k + 1` nodes and cancelled, one row per edge per push, repeating a cycle while it
//! stays negative. When no negative cycle is left the flow is optimal (the negative-cycle optimality
//! condition of min-cost flow), and the Bellman–Ford distances are dual prices `p` that certify it.
//!
//! **Exactness.** Costs are quantized to integers (`CostMatrix::from_distances`: the largest cost maps to
//! `2³¹ − 1`, so one unit is ~5·10⁻¹⁰ of the largest distance, finer than `f32` itself resolves), and all
//! arithmetic is exact integer arithmetic. [`certify`] checks complementary slackness independently in
//! O(n·k): every row sits in a segment minimising `c[i][j] − p[j]`, every size is within bounds, and some
//! threshold `t` has `p[j] ≤ t` wherever a segment is above its lower bound and `p[j] ≥ t` wherever it is
//! below its upper bound. Those conditions make `p` an optimal dual solution of the transportation LP, so
//! the labels are an optimal assignment.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

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
    /// [`MAX_QUANTIZED_COST`], each cost to `round(d · scale)`. `None` on a length mismatch or a
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

    /// Refills the matrix in place: `row_distances(i, out)` writes row `i`'s `k` non-negative finite
    /// distances into `out`; they are then quantized as in [`from_distances`](Self::from_distances) without
    /// a second `n × k` buffer (the buffer holds the `f32` bits until quantization).
    pub(crate) fn fill(
        &mut self,
        n: usize,
        k: usize,
        mut row_distances: impl FnMut(usize, &mut [f32]),
    ) {
        self.n = n;
        self.k = k;
        self.costs.clear();
        self.costs.resize(n * k, 0);
        let mut row = vec![0f32; k];
        let mut max = 0f32;
        for (i, out) in self.costs.chunks_exact_mut(k.max(1)).enumerate().take(n) {
            row_distances(i, &mut row);
            for (slot, &d) in out.iter_mut().zip(&row) {
                debug_assert!(d >= 0.0 && d.is_finite());
                max = max.max(d);
                *slot = d.to_bits();
            }
        }
        self.scale = if max > 0.0 {
            MAX_QUANTIZED_COST as f64 / max as f64
        } else {
            1.0
        };
        let scale = self.scale;
        for slot in &mut self.costs {
            let d = f32::from_bits(*slot) as f64;
            *slot = ((d * scale).round() as u32).min(MAX_QUANTIZED_COST);
        }
    }

    fn quantize_into(distances: &[f32], costs: &mut Vec<u32>) -> f64 {
        let max = distances.iter().fold(0f32, |m, &d| m.max(d));
        let scale = if max > 0.0 {
            MAX_QUANTIZED_COST as f64 / max as f64
        } else {
            1.0
        };
        costs.clear();
        costs.extend(
            distances
                .iter()
                .map(|&d| ((d as f64 * scale).round() as u32).min(MAX_QUANTIZED_COST)),
        );
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
    fn row(&self, i: usize) -> &[u32] {
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
    /// Rows whose segment changed after the initial cheapest-segment pass.
    pub moves: usize,
    /// Negative cycles found by Bellman–Ford.
    pub cycles: usize,
    /// Bellman–Ford runs.
    pub bellman_ford_runs: usize,
    /// Candidate heaps rebuilt by a full scan.
    pub heap_rebuilds: usize,
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
    for (i, label) in labels.iter_mut().enumerate() {
        let row = costs.row(i);
        let mut best = 0;
        let mut best_value = row[0] as i64 - prices[0];
        for j in 1..k {
            let value = row[j] as i64 - prices[j];
            if value < best_value {
                best = j;
                best_value = value;
            }
        }
        *label = best as u32;
        sizes[best] += 1;
    }
    let mut stats = AssignStats::default();
    if threshold_holds(&sizes, prices, limits) {
        return Some(stats);
    }
    let start: Vec<u32> = labels.to_vec();
    let mut solver = Solver::new(costs, limits, labels, sizes);
    solver.run(&mut stats, prices);
    stats.moves = start
        .iter()
        .zip(solver.labels.iter())
        .filter(|(a, b)| a != b)
        .count();
    Some(stats)
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

/// Penalty per row outside the bounds: larger than any path of at most `k + 1` quantized move costs.
const BIG_M: i64 = 1 << 40;

/// Rows of `a` whose move cost to `b` is at most `threshold`, lazily cleaned.
struct PairHeap {
    heap: BinaryHeap<Reverse<(i32, u32)>>,
    threshold: i32,
    built: bool,
}

struct Solver<'a> {
    costs: &'a CostMatrix,
    limits: SizeLimits,
    labels: &'a mut [u32],
    sizes: Vec<usize>,
    heaps: Vec<PairHeap>,
    scratch: Vec<(i32, u32)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Edge {
    Move { from: usize, to: usize },
    Release { segment: usize },
    Take { segment: usize },
}

impl<'a> Solver<'a> {
    fn new(
        costs: &'a CostMatrix,
        limits: SizeLimits,
        labels: &'a mut [u32],
        sizes: Vec<usize>,
    ) -> Self {
        let k = costs.k;
        let heaps = (0..k * k)
            .map(|_| PairHeap {
                heap: BinaryHeap::new(),
                threshold: i32::MAX,
                built: false,
            })
            .collect();
        let mut solver = Solver {
            costs,
            limits,
            labels,
            sizes,
            heaps,
            scratch: Vec::new(),
        };
        solver.build_all();
        solver
    }

    #[inline]
    fn key(&self, i: usize, from: usize, to: usize) -> i32 {
        (self.costs.cost(i, to) as i64 - self.costs.cost(i, from) as i64) as i32
    }

    fn target_len(&self, a: usize) -> usize {
        (self.sizes[a] / 8).max(64)
    }

    /// Builds every pair heap from per-segment member lists: O(n·k) plus selection.
    fn build_all(&mut self) {
        let k = self.costs.k;
        let mut start = vec![0usize; k + 1];
        for &l in self.labels.iter() {
            start[l as usize + 1] += 1;
        }
        for a in 0..k {
            start[a + 1] += start[a];
        }
        let mut members = vec![0u32; self.labels.len()];
        let mut fill = start.clone();
        for (i, &l) in self.labels.iter().enumerate() {
            members[fill[l as usize]] = i as u32;
            fill[l as usize] += 1;
        }
        for a in 0..k {
            for b in 0..k {
                if a == b {
                    continue;
                }
                let mut scratch = std::mem::take(&mut self.scratch);
                scratch.clear();
                scratch.extend(
                    members[start[a]..start[a + 1]]
                        .iter()
                        .map(|&i| (self.key(i as usize, a, b), i)),
                );
                self.install(a, b, scratch);
            }
        }
    }

    /// Keeps the `target_len(a)` cheapest candidates (and ties) in heap `(a, b)`.
    fn install(&mut self, a: usize, b: usize, mut candidates: Vec<(i32, u32)>) {
        let target = self.target_len(a);
        let k = self.costs.k;
        let threshold = if candidates.len() <= target {
            i32::MAX
        } else {
            let (_, nth, _) = candidates.select_nth_unstable(target - 1);
            let threshold = nth.0;
            candidates.retain(|c| c.0 <= threshold);
            threshold
        };
        let heap = &mut self.heaps[a * k + b];
        heap.heap.clear();
        heap.heap.extend(candidates.drain(..).map(Reverse));
        heap.threshold = threshold;
        heap.built = true;
        self.scratch = candidates;
    }

    fn rebuild(&mut self, a: usize, b: usize) {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        for (i, &l) in self.labels.iter().enumerate() {
            if l as usize == a {
                scratch.push((self.key(i, a, b), i as u32));
            }
        }
        self.install(a, b, scratch);
    }

    /// The cheapest move `a → b` as (cost, row), or `None` when `a` is empty.
    fn top(&mut self, a: usize, b: usize, stats: &mut AssignStats) -> Option<(i64, usize)> {
        if self.sizes[a] == 0 {
            return None;
        }
        let k = self.costs.k;
        loop {
            let heap = &mut self.heaps[a * k + b];
            while let Some(&Reverse((key, i))) = heap.heap.peek() {
                if self.labels[i as usize] as usize == a {
                    return Some((key as i64, i as usize));
                }
                heap.heap.pop();
            }
            stats.heap_rebuilds += 1;
            self.rebuild(a, b);
        }
    }

    fn marginal_last(&self, a: usize) -> i64 {
        let s = self.sizes[a];
        if s <= self.limits.lower {
            -BIG_M
        } else if s <= self.limits.upper {
            0
        } else {
            BIG_M
        }
    }

    fn marginal_next(&self, b: usize) -> i64 {
        let s = self.sizes[b];
        if s < self.limits.lower {
            -BIG_M
        } else if s < self.limits.upper {
            0
        } else {
            BIG_M
        }
    }

    fn weight(&mut self, edge: Edge, stats: &mut AssignStats) -> Option<(i64, Option<usize>)> {
        match edge {
            Edge::Move { from, to } => self.top(from, to, stats).map(|(w, i)| (w, Some(i))),
            Edge::Release { segment } => {
                (self.sizes[segment] > 0).then(|| (-self.marginal_last(segment), None))
            }
            Edge::Take { segment } => Some((self.marginal_next(segment), None)),
        }
    }

    fn move_row(&mut self, i: usize, from: usize, to: usize) {
        let k = self.costs.k;
        self.labels[i] = to as u32;
        self.sizes[from] -= 1;
        self.sizes[to] += 1;
        for c in 0..k {
            if c == to {
                continue;
            }
            let key = self.key(i, to, c);
            let heap = &mut self.heaps[to * k + c];
            if heap.built && key <= heap.threshold {
                heap.heap.push(Reverse((key, i as u32)));
            }
        }
    }

    /// Node `k` is the sink `T`.
    fn run(&mut self, stats: &mut AssignStats, prices: &mut [i64]) {
        let k = self.costs.k;
        let sink = k;
        let nodes = k + 1;
        let mut edges: Vec<(usize, usize, i64)> = Vec::with_capacity(nodes * nodes);
        loop {
            edges.clear();
            for a in 0..k {
                for b in 0..k {
                    if a != b {
                        if let Some((w, _)) = self.top(a, b, stats) {
                            edges.push((a, b, w));
                        }
                    }
                }
                if self.sizes[a] > 0 {
                    edges.push((sink, a, -self.marginal_last(a)));
                }
                edges.push((a, sink, self.marginal_next(a)));
            }
            stats.bellman_ford_runs += 1;
            let mut dist = vec![0i64; nodes];
            let mut pred = vec![usize::MAX; nodes];
            let mut last = None;
            for _ in 0..nodes {
                last = None;
                for &(u, v, w) in &edges {
                    if dist[u] + w < dist[v] {
                        dist[v] = dist[u] + w;
                        pred[v] = u;
                        last = Some(v);
                    }
                }
                if last.is_none() {
                    break;
                }
            }
            let Some(mut x) = last else {
                prices.copy_from_slice(&dist[..k]);
                return;
            };
            stats.cycles += 1;
            for _ in 0..nodes {
                x = pred[x];
            }
            let mut cycle = Vec::new();
            let mut v = x;
            loop {
                let u = pred[v];
                cycle.push(if u == sink {
                    Edge::Release { segment: v }
                } else if v == sink {
                    Edge::Take { segment: u }
                } else {
                    Edge::Move { from: u, to: v }
                });
                v = u;
                if v == x {
                    break;
                }
            }
            self.cancel(&cycle, stats);
        }
    }

    /// Pushes one row along every move edge of `cycle` while the cycle's total weight stays negative.
    fn cancel(&mut self, cycle: &[Edge], stats: &mut AssignStats) {
        let mut rows = Vec::with_capacity(cycle.len());
        loop {
            rows.clear();
            let mut total = 0i64;
            for &edge in cycle {
                let Some((w, row)) = self.weight(edge, stats) else {
                    return;
                };
                total += w;
                if let (Edge::Move { from, to }, Some(row)) = (edge, row) {
                    rows.push((row, from, to));
                }
            }
            if total >= 0 {
                return;
            }
            for &(row, from, to) in &rows {
                self.move_row(row, from, to);
            }
        }
    }
}

#[cfg(test)]
mod tests;
