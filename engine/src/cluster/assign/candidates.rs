//! The cheapest move between every pair of segments, kept in per-pair candidate heaps.
//!
//! The weight of the compressed edge `a → b` is `min_{i ∈ a} (c[i][b] − c[i][a])`. Heap `(a, b)` holds the
//! rows of `a` whose key is at most a threshold, so its smallest entry that still lives in `a` is that
//! minimum: every row of `a` with a key at or below the threshold is in the heap (the cheapest
//! `max(|a| / 8, 64)` rows at build time, plus every row that later moves into `a` under the threshold).
//! Rows that leave `a` are dropped lazily when they surface at the top.
//!
//! Memory stays bounded: a heap is built only when the solver first needs edges out of its segment, and a
//! heap whose stale entries outnumber its live ones is compacted in place.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::{AssignStats, CostMatrix};

/// Rows of `a` whose move cost to `b` is at most `threshold`, with stale rows dropped lazily.
#[derive(Default)]
struct PairHeap {
    heap: BinaryHeap<Reverse<(i32, u32)>>,
    threshold: i32,
    /// Length right after the last build or compaction: compaction triggers at twice that (plus slack).
    settled_len: usize,
}

/// All `k × (k − 1)` pair heaps, built per source segment on first use.
pub(super) struct Candidates {
    k: usize,
    heaps: Vec<PairHeap>,
    built: Vec<bool>,
    /// Rows of segment `a` at the start: `members[start[a]..start[a + 1]]`.
    members: Vec<u32>,
    start: Vec<usize>,
    /// Rows that moved into a segment whose heaps were not built yet.
    arrivals: Vec<Vec<u32>>,
    scratch: Vec<(i32, u32)>,
}

impl Candidates {
    /// No heap built yet; groups the rows by their starting `labels` (a counting sort, O(n)).
    pub(super) fn new(k: usize, labels: &[u32]) -> Self {
        let mut start = vec![0usize; k + 1];
        for &l in labels {
            start[l as usize + 1] += 1;
        }
        for a in 0..k {
            start[a + 1] += start[a];
        }
        let mut fill = start.clone();
        let mut members = vec![0u32; labels.len()];
        for (i, &l) in labels.iter().enumerate() {
            members[fill[l as usize]] = i as u32;
            fill[l as usize] += 1;
        }
        Candidates {
            k,
            heaps: (0..k * k).map(|_| PairHeap::default()).collect(),
            built: vec![false; k],
            members,
            start,
            arrivals: vec![Vec::new(); k],
            scratch: Vec::new(),
        }
    }

    #[inline]
    fn key(costs: &CostMatrix, i: usize, from: usize, to: usize) -> i32 {
        // Both costs are at most 2³¹ − 1, so the difference fits in an i32.
        (costs.cost(i, to) as i64 - costs.cost(i, from) as i64) as i32
    }

    fn target_len(size: usize) -> usize {
        (size / 8).max(64)
    }

    /// Builds every heap `(a, ·)` from the rows that started in `a` or arrived since and are still there:
    /// O(|a|·k) keys plus a selection per pair. A row that left and came back appears twice, which is
    /// harmless: both copies carry the same key and are dropped together once it leaves again.
    fn build(&mut self, costs: &CostMatrix, labels: &[u32], a: usize, size: usize) {
        let k = self.k;
        let target = Self::target_len(size);
        let mut list = std::mem::take(&mut self.scratch);
        let rows = self.members[self.start[a]..self.start[a + 1]]
            .iter()
            .chain(&self.arrivals[a])
            .copied()
            .filter(|&i| labels[i as usize] as usize == a);
        for b in (0..k).filter(|&b| b != a) {
            list.clear();
            list.extend(
                rows.clone()
                    .map(|i| (Self::key(costs, i as usize, a, b), i)),
            );
            Self::install(&mut self.heaps[a * k + b], &mut list, target);
        }
        self.scratch = list;
        self.arrivals[a] = Vec::new();
        self.built[a] = true;
    }

    /// Keeps the `target` cheapest candidates (and ties) of `list` in `heap`, emptying `list`.
    fn install(heap: &mut PairHeap, list: &mut Vec<(i32, u32)>, target: usize) {
        heap.threshold = if list.len() <= target {
            i32::MAX
        } else {
            let (_, nth, _) = list.select_nth_unstable(target - 1);
            let threshold = nth.0;
            list.retain(|c| c.0 <= threshold);
            threshold
        };
        let mut storage = std::mem::take(&mut heap.heap).into_vec();
        storage.clear();
        storage.extend(list.drain(..).map(Reverse));
        heap.heap = BinaryHeap::from(storage);
        heap.settled_len = heap.heap.len();
    }

    /// The cheapest move `a → b` as `(cost, row)`; `None` when `a` is empty (`size_a == 0`).
    pub(super) fn top(
        &mut self,
        costs: &CostMatrix,
        labels: &[u32],
        (a, size_a): (usize, usize),
        b: usize,
        stats: &mut AssignStats,
    ) -> Option<(i64, usize)> {
        if size_a == 0 {
            return None;
        }
        if !self.built[a] {
            self.build(costs, labels, a, size_a);
        }
        let k = self.k;
        loop {
            let heap = &mut self.heaps[a * k + b];
            while let Some(&Reverse((key, i))) = heap.heap.peek() {
                if labels[i as usize] as usize == a {
                    return Some((key as i64, i as usize));
                }
                heap.heap.pop();
            }
            // Every row under the threshold has left `a`: rescan `a` for this pair.
            stats.heap_rebuilds += 1;
            let mut list = std::mem::take(&mut self.scratch);
            list.clear();
            list.extend(
                labels
                    .iter()
                    .enumerate()
                    .filter(|(_, &l)| l as usize == a)
                    .map(|(i, _)| (Self::key(costs, i, a, b), i as u32)),
            );
            Self::install(
                &mut self.heaps[a * k + b],
                &mut list,
                Self::target_len(size_a),
            );
            self.scratch = list;
        }
    }

    /// Records that row `i` now lives in segment `to` (its label already updated): offers it to every heap
    /// `(to, c)` under that heap's threshold, compacting heaps that have grown mostly stale.
    pub(super) fn moved_in(&mut self, costs: &CostMatrix, labels: &[u32], i: usize, to: usize) {
        if !self.built[to] {
            self.arrivals[to].push(i as u32);
            return;
        }
        let k = self.k;
        for c in (0..k).filter(|&c| c != to) {
            let key = Self::key(costs, i, to, c);
            let heap = &mut self.heaps[to * k + c];
            if key <= heap.threshold {
                heap.heap.push(Reverse((key, i as u32)));
                if heap.heap.len() > 2 * heap.settled_len + 64 {
                    heap.heap
                        .retain(|&Reverse((_, r))| labels[r as usize] as usize == to);
                    heap.settled_len = heap.heap.len();
                }
            }
        }
    }
}
