//! The cheapest move between every pair of segments, kept in per-pair candidate heaps.
//!
//! The weight of the compressed edge `a → b` is `min_{i ∈ a} (c[i][b] − c[i][a])`. Heap `(a, b)` holds the
//! rows of `a` whose key `c[i][b] − c[i][a]` is at most a threshold: every row of `a` at or below it is in
//! the heap (the rows found by the build, plus every row that later moves into `a` under the threshold), so
//! the smallest entry that still lives in `a` is the minimum. Rows that leave `a` are dropped lazily when
//! they surface at the top; when none is left, the pair is rebuilt by a scan.
//!
//! **Build.** Thresholds are estimated from a fixed sample of rows (every `⌈n / 4096⌉`-th row) so that a
//! heap keeps about 1/32 of its segment, then one sequential pass over the cost matrix files each row under
//! the thresholds of its segment's pairs. That is O(n·k) comparisons with few writes, instead of a
//! selection per pair. A threshold is only a size hint: any value keeps the heaps correct.
//!
//! **Memory.** About `n·k / 32` entries of 8 bytes; a heap whose stale entries outnumber its live ones is
//! compacted in place.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::{AssignStats, CostMatrix};

/// Rows sampled to estimate the thresholds.
const SAMPLE_ROWS: usize = 4096;
/// A heap keeps about `1 / KEEP_FRACTION` of its segment's rows.
const KEEP_FRACTION: usize = 32;
/// A pair with fewer sampled rows than this keeps every row of its segment.
const MIN_SAMPLE: usize = 32;

/// A candidate packed into one integer that sorts by key, then row: `(key + 2³¹) << 32 | row`.
#[inline(always)]
fn pack(key: i32, row: u32) -> u64 {
    (((key as i64 + (1 << 31)) as u64) << 32) | row as u64
}

#[inline(always)]
fn unpack(entry: u64) -> (i64, usize) {
    (
        (entry >> 32) as i64 - (1 << 31),
        (entry & 0xffff_ffff) as usize,
    )
}

/// Rows of `a` whose move cost to `b` is at most `threshold`, with stale rows dropped lazily.
#[derive(Default)]
struct PairHeap {
    heap: BinaryHeap<Reverse<u64>>,
    threshold: i32,
    /// Length right after the last build or compaction: compaction triggers at twice that (plus slack).
    settled_len: usize,
}

/// All `k × (k − 1)` pair heaps.
pub(super) struct Candidates {
    k: usize,
    heaps: Vec<PairHeap>,
}

#[inline(always)]
fn key(costs: &CostMatrix, i: usize, from: usize, to: usize) -> i32 {
    // Both costs are at most 2³¹ − 1, so the difference fits in an i32.
    (costs.cost(i, to) as i64 - costs.cost(i, from) as i64) as i32
}

impl Candidates {
    /// Builds every pair heap for the rows' current `labels` (see the [module docs](self)).
    pub(super) fn new(costs: &CostMatrix, labels: &[u32]) -> Self {
        let k = costs.k();
        let thresholds = Self::sample_thresholds(costs, labels);
        let mut lists: Vec<Vec<Reverse<u64>>> = vec![Vec::new(); k * k];
        for (i, &l) in labels.iter().enumerate() {
            let a = l as usize;
            let row = costs.row(i);
            let own = row[a] as i64;
            let pair = a * k;
            for (b, &c) in row.iter().enumerate() {
                let key = (c as i64 - own) as i32;
                if b != a && key <= thresholds[pair + b] {
                    lists[pair + b].push(Reverse(pack(key, i as u32)));
                }
            }
        }
        let heaps = lists
            .into_iter()
            .zip(thresholds)
            .map(|(list, threshold)| PairHeap {
                settled_len: list.len(),
                heap: BinaryHeap::from(list),
                threshold,
            })
            .collect();
        Candidates { k, heaps }
    }

    /// Per pair, the key at rank `1 / KEEP_FRACTION` among sampled rows of the source segment.
    fn sample_thresholds(costs: &CostMatrix, labels: &[u32]) -> Vec<i32> {
        let k = costs.k();
        let stride = labels.len().div_ceil(SAMPLE_ROWS).max(1);
        let mut samples: Vec<Vec<i32>> = vec![Vec::new(); k * k];
        for i in (0..labels.len()).step_by(stride) {
            let a = labels[i] as usize;
            for b in (0..k).filter(|&b| b != a) {
                samples[a * k + b].push(key(costs, i, a, b));
            }
        }
        samples
            .into_iter()
            .map(|mut sample| {
                if sample.len() < MIN_SAMPLE {
                    i32::MAX
                } else {
                    let rank = sample.len() / KEEP_FRACTION;
                    *sample.select_nth_unstable(rank).1
                }
            })
            .collect()
    }

    /// Refills heap `(a, b)` from a scan of the labels, keeping the `max(|a| / 32, 64)` cheapest rows
    /// (and ties).
    fn rebuild(&mut self, costs: &CostMatrix, labels: &[u32], a: usize, b: usize, size_a: usize) {
        let mut list: Vec<(i32, u32)> = labels
            .iter()
            .enumerate()
            .filter(|(_, &l)| l as usize == a)
            .map(|(i, _)| (key(costs, i, a, b), i as u32))
            .collect();
        let target = (size_a / KEEP_FRACTION).max(64);
        let threshold = if list.len() <= target {
            i32::MAX
        } else {
            let threshold = list.select_nth_unstable(target - 1).1 .0;
            list.retain(|c| c.0 <= threshold);
            threshold
        };
        let heap = &mut self.heaps[a * self.k + b];
        let mut storage = std::mem::take(&mut heap.heap).into_vec();
        storage.clear();
        storage.extend(list.into_iter().map(|(key, i)| Reverse(pack(key, i))));
        heap.heap = BinaryHeap::from(storage);
        heap.threshold = threshold;
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
        let k = self.k;
        loop {
            let heap = &mut self.heaps[a * k + b];
            while let Some(&Reverse(entry)) = heap.heap.peek() {
                let (key, i) = unpack(entry);
                if labels[i] as usize == a {
                    return Some((key, i));
                }
                heap.heap.pop();
            }
            // Every row under the threshold has left `a`: rescan `a` for this pair.
            stats.heap_rebuilds += 1;
            self.rebuild(costs, labels, a, b, size_a);
        }
    }

    /// Records that row `i` now lives in segment `to` (its label already updated): offers it to every heap
    /// `(to, c)` under that heap's threshold, compacting heaps that have grown mostly stale.
    pub(super) fn moved_in(&mut self, costs: &CostMatrix, labels: &[u32], i: usize, to: usize) {
        let k = self.k;
        for c in (0..k).filter(|&c| c != to) {
            let key = key(costs, i, to, c);
            let heap = &mut self.heaps[to * k + c];
            if key <= heap.threshold {
                heap.heap.push(Reverse(pack(key, i as u32)));
                if heap.heap.len() > 2 * heap.settled_len + 64 {
                    heap.heap
                        .retain(|&Reverse(entry)| labels[unpack(entry).1] as usize == to);
                    heap.settled_len = heap.heap.len();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_candidates_sort_by_key_then_row_and_unpack_exactly() {
        let entries = [
            (-(i32::MAX), 7u32),
            (-1, u32::MAX),
            (0, 0),
            (0, 1),
            (5, 2),
            (i32::MAX, 3),
        ];
        let packed: Vec<u64> = entries.iter().map(|&(k, r)| pack(k, r)).collect();
        assert!(packed.windows(2).all(|w| w[0] < w[1]));
        for (&(key, row), &p) in entries.iter().zip(&packed) {
            assert_eq!(unpack(p), (key as i64, row as usize));
        }
    }

    #[test]
    fn the_top_is_the_cheapest_move_of_a_row_still_in_the_segment() {
        // 300 rows in segment 0 with move cost to segment 1 of (i * 37) % 300; few pass the threshold,
        // so moving rows away forces a rebuild that must still find the true minimum.
        let n = 300;
        let mut raw = Vec::new();
        for i in 0..n {
            raw.extend_from_slice(&[1000, 1000 + ((i * 37) % 300) as u32]);
        }
        let costs = CostMatrix::from_quantized(n, 2, raw).unwrap();
        let mut labels = vec![0u32; n];
        let mut candidates = Candidates::new(&costs, &labels);
        let mut stats = AssignStats::default();
        for expected in 0..200 {
            let (cost, row) = candidates
                .top(&costs, &labels, (0, n - expected as usize), 1, &mut stats)
                .unwrap();
            assert_eq!(cost, expected);
            assert_eq!((row * 37) % 300, expected as usize);
            labels[row] = 1;
            candidates.moved_in(&costs, &labels, row, 1);
        }
        assert!(stats.heap_rebuilds > 0);
    }
}
