//! Successive shortest paths on the compressed graph: `k` segment nodes and a sink `T`.
//!
//! State: every row sits in a segment minimising `c[i][j] − π[j]` (so every move edge has a non-negative
//! reduced cost), and each segment `j` has `counted[j] ∈ [lower, upper]` rows on its edge `j → T`, chosen so
//! that the `T` edges also have non-negative reduced costs. A segment holding more rows than it counts has
//! an *excess*, one holding fewer a *deficit*; `T` has an excess when the counts exceed `n`.
//!
//! Each round runs Dijkstra with reduced costs from every excess node to the nearest deficit node, raises the
//! potentials by the distances (which keeps every reduced cost non-negative and every row at its minimum),
//! and pushes one row along each move edge of the path (or, on a path of `T` edges only, as many units as
//! the path carries). When no excess is left, every segment holds exactly its count, within the limits, and
//! the potentials are the dual prices [`certify`](super::certify) checks.

use super::candidates::Candidates;
use super::{AssignStats, CostMatrix, SizeLimits};

/// The solver state; node `k` is the sink `T`.
pub(super) struct Flow<'a> {
    costs: &'a CostMatrix,
    limits: SizeLimits,
    labels: &'a mut [u32],
    sizes: Vec<usize>,
    counted: Vec<usize>,
    potential: Vec<i64>,
    candidates: Candidates,
}

/// Predecessor of a node on its shortest path.
const NONE: usize = usize::MAX;

impl<'a> Flow<'a> {
    /// Starts from `labels` (every row at a minimum of `c − prices`) and their `sizes`.
    pub(super) fn new(
        costs: &'a CostMatrix,
        limits: SizeLimits,
        labels: &'a mut [u32],
        sizes: Vec<usize>,
        prices: &[i64],
    ) -> Self {
        let k = costs.k;
        let sink_price = Self::best_sink_price(&sizes, prices, limits);
        let counted = (0..k)
            .map(|j| Self::initial_count(sizes[j], prices[j], sink_price, limits))
            .collect();
        let candidates = Candidates::new(costs, labels);
        let mut potential = prices.to_vec();
        potential.push(sink_price);
        Flow {
            costs,
            limits,
            labels,
            sizes,
            counted,
            potential,
            candidates,
        }
    }

    /// The count on edge `j → T` that keeps its reduced cost `π[j] − π[T]` complementary: `lower` when
    /// positive, `upper` when negative, the size clamped into the limits when zero.
    fn initial_count(size: usize, price: i64, sink_price: i64, limits: SizeLimits) -> usize {
        match price.cmp(&sink_price) {
            std::cmp::Ordering::Greater => limits.lower,
            std::cmp::Ordering::Less => limits.upper,
            std::cmp::Ordering::Equal => size.clamp(limits.lower, limits.upper),
        }
    }

    /// The sink potential (one of the segment prices) leaving the least total imbalance to route: O(k²).
    fn best_sink_price(sizes: &[usize], prices: &[i64], limits: SizeLimits) -> i64 {
        let n: usize = sizes.iter().sum();
        let imbalance = |t: i64| {
            let mut total = 0usize;
            let mut counted = 0usize;
            for (&s, &p) in sizes.iter().zip(prices) {
                let c = Self::initial_count(s, p, t, limits);
                total += s.abs_diff(c);
                counted += c;
            }
            total + counted.abs_diff(n)
        };
        prices
            .iter()
            .copied()
            .min_by_key(|&t| (imbalance(t), t))
            .unwrap_or(0)
    }

    /// Excess (positive) or deficit (negative) of node `v`.
    fn imbalance(&self, v: usize) -> i64 {
        let k = self.costs.k;
        if v < k {
            self.sizes[v] as i64 - self.counted[v] as i64
        } else {
            self.counted.iter().sum::<usize>() as i64 - self.labels.len() as i64
        }
    }

    /// Routes every excess to a deficit; returns the final prices (segment potentials) in `prices`.
    pub(super) fn run(mut self, prices: &mut [i64], stats: &mut AssignStats) {
        let k = self.costs.k;
        let nodes = k + 1;
        let mut dist = vec![i64::MAX; nodes];
        let mut pred = vec![NONE; nodes];
        let mut done = vec![false; nodes];
        let mut excess: Vec<i64> = (0..nodes).map(|v| self.imbalance(v)).collect();
        while excess.iter().any(|&e| e > 0) {
            stats.shortest_paths += 1;
            let target = self.dijkstra(&excess, &mut dist, &mut pred, &mut done, stats);
            let reach = dist[target];
            for (potential, &d) in self.potential.iter_mut().zip(dist.iter()) {
                *potential += d.min(reach);
            }
            self.augment(target, &pred, &mut excess, stats);
            while self.path_still_shortest(target, &pred, &excess, stats) {
                stats.repeated_paths += 1;
                self.augment(target, &pred, &mut excess, stats);
            }
        }
        prices.copy_from_slice(&self.potential[..k]);
    }

    /// Whether the path just augmented can carry another unit as it is: its source still has an excess,
    /// its target a deficit, every `T` edge room, and every move edge a row left whose move has reduced
    /// cost zero (a tie of the row just moved, typically an identical row). All reduced costs are
    /// non-negative, so a path of zero reduced cost is a shortest path: augmenting it again is what the
    /// next Dijkstra run would do, at the cost of one heap peek per edge instead of O(k²).
    fn path_still_shortest(
        &mut self,
        target: usize,
        pred: &[usize],
        excess: &[i64],
        stats: &mut AssignStats,
    ) -> bool {
        let sink = self.costs.k;
        if excess[target] >= 0 {
            return false;
        }
        let mut v = target;
        while pred[v] != NONE {
            let u = pred[v];
            let open = if u == sink {
                self.counted[v] > self.limits.lower
            } else if v == sink {
                self.counted[u] < self.limits.upper
            } else {
                self.candidates
                    .top(self.costs, self.labels, (u, self.sizes[u]), v, stats)
                    .is_some_and(|(w, _)| w + self.potential[u] == self.potential[v])
            };
            if !open {
                return false;
            }
            v = u;
        }
        excess[v] > 0
    }

    /// Dense Dijkstra with reduced costs from all excess nodes; stops at the first deficit node settled and
    /// returns it. A feasible instance always has one reachable (the residual graph of a feasible flow
    /// problem connects every excess to some deficit).
    fn dijkstra(
        &mut self,
        excess: &[i64],
        dist: &mut [i64],
        pred: &mut [usize],
        done: &mut [bool],
        stats: &mut AssignStats,
    ) -> usize {
        let k = self.costs.k;
        let sink = k;
        for v in 0..=k {
            dist[v] = if excess[v] > 0 { 0 } else { i64::MAX };
            pred[v] = NONE;
            done[v] = false;
        }
        loop {
            let u = (0..=k)
                .filter(|&v| !done[v] && dist[v] < i64::MAX)
                .min_by_key(|&v| dist[v])
                .expect("a feasible instance connects every excess to a deficit");
            if excess[u] < 0 {
                return u;
            }
            done[u] = true;
            let base = dist[u] + self.potential[u];
            let mut relax = |v: usize, cost: i64, potential: &[i64]| {
                let d = base + cost - potential[v];
                debug_assert!(d >= dist[u], "reduced costs stay non-negative");
                if d < dist[v] {
                    dist[v] = d;
                    pred[v] = u;
                }
            };
            if u == sink {
                for j in (0..k).filter(|&j| !done[j]) {
                    if self.counted[j] > self.limits.lower {
                        relax(j, 0, &self.potential);
                    }
                }
            } else {
                for b in (0..k).filter(|&b| b != u && !done[b]) {
                    let top =
                        self.candidates
                            .top(self.costs, self.labels, (u, self.sizes[u]), b, stats);
                    if let Some((w, _)) = top {
                        relax(b, w, &self.potential);
                    }
                }
                if !done[sink] && self.counted[u] < self.limits.upper {
                    relax(sink, 0, &self.potential);
                }
            }
        }
    }

    /// Pushes flow along the shortest path ending at `target`: one row per move edge, or on a path of `T`
    /// edges only as much as the endpoints and the `T` edges allow.
    fn augment(
        &mut self,
        target: usize,
        pred: &[usize],
        excess: &mut [i64],
        stats: &mut AssignStats,
    ) {
        let sink = self.costs.k;
        let mut amount = -excess[target];
        let mut v = target;
        while pred[v] != NONE {
            let u = pred[v];
            amount = amount.min(if u == sink {
                (self.counted[v] - self.limits.lower) as i64
            } else if v == sink {
                (self.limits.upper - self.counted[u]) as i64
            } else {
                1
            });
            v = u;
        }
        let source = v;
        amount = amount.min(excess[source]);
        debug_assert!(amount > 0);
        let mut v = target;
        while pred[v] != NONE {
            let u = pred[v];
            if u == sink {
                self.counted[v] -= amount as usize;
            } else if v == sink {
                self.counted[u] += amount as usize;
            } else {
                self.move_cheapest(u, v, stats);
            }
            v = u;
        }
        excess[source] -= amount;
        excess[target] += amount;
    }

    /// Moves the row of `from` that is cheapest to move to `to`.
    fn move_cheapest(&mut self, from: usize, to: usize, stats: &mut AssignStats) {
        let (_, i) = self
            .candidates
            .top(self.costs, self.labels, (from, self.sizes[from]), to, stats)
            .expect("a move edge on a shortest path leaves a non-empty segment");
        self.labels[i] = to as u32;
        self.sizes[from] -= 1;
        self.sizes[to] += 1;
        self.candidates.moved_in(self.costs, self.labels, i, to);
        stats.moves += 1;
    }
}
