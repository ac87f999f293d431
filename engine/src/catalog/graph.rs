//! The HNSW graph in flat arrays: its compact file encoding, and the search over it.
//!
//! The graph is built once, offline, by `instant-distance` (see [`super::ann`]). Its own serialized
//! form stores every zero-layer node as 64 neighbour slots (unused ones `u32::MAX`) holding
//! random-looking point ids, about 8 MB gzipped for the default catalog, and reading it back means
//! a postcard decode into one fixed-size array per node. Here the graph is kept as one
//! compressed-sparse-row array per layer, and written compactly: each node stores only its used
//! slots, each neighbour as the zig-zag varint difference between its *catalog* position and the
//! node's own (variables of one table sit together in the catalog and are usually each other's
//! neighbours), which makes the file several times smaller and is decoded straight into the flat
//! arrays. Slot order is kept, so the graph is the one `instant-distance` built.
//!
//! [`FlatGraph::search`] is `instant-distance` 0.6's search (greedy descent with a candidate list
//! of one through the upper layers, then a best-first search with `ef` candidates in layer 0; the
//! same visiting order and tie-breaking), over these arrays with a reusable visited set; a test in
//! [`super::ann`] checks that both return the same neighbours. Reading `instant-distance`'s
//! postcard form (the build step) depends on its field order (`ef_search`, `points`, `zero`,
//! `layers`) and on `M = 32`; that test guards both.
//!
//! File layout (after the `ABHNSW01` header of [`super::ann`]): varints `ef_search`, point count
//! `n`, the `n` points' catalog positions (point order), then each zero-layer node (slot count,
//! zig-zag catalog-position deltas), the number of upper layers and, for each, its node count and
//! nodes. Points of a layer are the first points (an upper layer's nodes are points `0..len`).

use std::cmp::Ordering;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::Deserialize;

use super::CatalogError;

const INVALID: u32 = u32::MAX;
/// Neighbour slots of a zero-layer node (`2 M`).
pub(crate) const ZERO_SLOTS: usize = 64;
/// Neighbour slots of an upper-layer node (`M`).
pub(crate) const UPPER_SLOTS: usize = 32;

/// One layer's adjacency: node `p`'s neighbours (point ids) are
/// `neighbours[offsets[p]..offsets[p + 1]]`, in `instant-distance`'s slot order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Layer {
    offsets: Vec<u32>,
    neighbours: Vec<u32>,
}

impl Layer {
    fn with_nodes(nodes: usize) -> Self {
        let mut offsets = Vec::with_capacity(nodes + 1);
        offsets.push(0);
        Self {
            offsets,
            neighbours: Vec::new(),
        }
    }

    fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    fn node(&self, pid: u32) -> &[u32] {
        let p = pid as usize;
        &self.neighbours[self.offsets[p] as usize..self.offsets[p + 1] as usize]
    }

    fn close_node(&mut self) {
        self.offsets.push(self.neighbours.len() as u32);
    }
}

/// An HNSW graph in flat arrays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FlatGraph {
    /// Candidate list size stored at build time.
    pub ef_search: usize,
    /// Catalog position of each point (point id order).
    pub points: Vec<u32>,
    /// Layer 0, then the upper layers bottom to top.
    layers: Vec<Layer>,
}

/// A point reached by a search: its distance to the query and its point id.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Candidate {
    /// `1 − cosine` to the query.
    pub distance: f32,
    /// Point id (not the catalog position: see [`FlatGraph::points`]).
    pub pid: u32,
}

impl Eq for Candidate {}

impl Ord for Candidate {
    /// By distance, then point id: `instant-distance`'s order. Distances are never NaN (they come
    /// from finite int8 dot products and finite norms) and never −0.
    fn cmp(&self, other: &Self) -> Ordering {
        self.distance
            .total_cmp(&other.distance)
            .then(self.pid.cmp(&other.pid))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A visited set cleared in O(1) by moving to a new generation.
struct Visited {
    marks: Vec<u8>,
    generation: u8,
}

impl Visited {
    fn new(n: usize) -> Self {
        Self {
            marks: vec![0; n],
            generation: 1,
        }
    }

    /// Marks `pid`; false if it was already marked in this generation.
    fn insert(&mut self, pid: u32) -> bool {
        let mark = &mut self.marks[pid as usize];
        if *mark == self.generation {
            false
        } else {
            *mark = self.generation;
            true
        }
    }

    fn clear(&mut self) {
        if self.generation == u8::MAX {
            self.marks.fill(0);
            self.generation = 1;
        } else {
            self.generation += 1;
        }
    }
}

impl FlatGraph {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// The best `ef` points for a query (`distance(pid)` is the query's distance to point `pid`),
    /// nearest first, exactly as `instant-distance` 0.6 searches its graph with `ef_search = ef`.
    pub fn search(&self, ef: usize, distance: impl Fn(u32) -> f32) -> Vec<Candidate> {
        if self.points.is_empty() {
            return Vec::new();
        }
        // `instant-distance` keeps the results in a sorted vector, inserts a point when it ranks
        // among the first `ef`, and truncates after each expanded candidate. A max-heap of the
        // best `ef` accepts exactly the same points (ranking among the first `ef` of everything
        // accepted so far is beating the heap's worst once it is full) in O(log ef).
        let mut nearest: BinaryHeap<Candidate> = BinaryHeap::with_capacity(ef + 1);
        let mut candidates: BinaryHeap<Reverse<Candidate>> = BinaryHeap::new();
        let mut visited = Visited::new(self.len());
        let push = |pid: u32,
                    ef: usize,
                    visited: &mut Visited,
                    nearest: &mut BinaryHeap<Candidate>,
                    candidates: &mut BinaryHeap<Reverse<Candidate>>| {
            if !visited.insert(pid) {
                return;
            }
            let new = Candidate {
                distance: distance(pid),
                pid,
            };
            if nearest.len() < ef {
                nearest.push(new);
            } else if nearest.peek().is_some_and(|worst| new < *worst) {
                nearest.pop();
                nearest.push(new);
            } else {
                return;
            }
            candidates.push(Reverse(new));
        };
        push(0, 1, &mut visited, &mut nearest, &mut candidates);
        for level in (0..self.layers.len()).rev() {
            let layer = &self.layers[level];
            let (ef, links) = if level == 0 {
                (ef.max(1), ZERO_SLOTS)
            } else {
                (1, UPPER_SLOTS)
            };
            while let Some(Reverse(candidate)) = candidates.pop() {
                if nearest
                    .peek()
                    .is_some_and(|worst| candidate.distance > worst.distance)
                {
                    break;
                }
                for &pid in layer.node(candidate.pid).iter().take(links) {
                    push(pid, ef, &mut visited, &mut nearest, &mut candidates);
                }
            }
            if level > 0 {
                // Descend: this layer's best point is the next layer's entry point.
                candidates.clear();
                visited.clear();
                for &c in nearest.iter() {
                    candidates.push(Reverse(c));
                    visited.insert(c.pid);
                }
            }
        }
        nearest.into_sorted_vec()
    }

    /// Reads `instant-distance`'s postcard serialization of an `Hnsw` whose points serialize as
    /// their catalog position (the build step).
    pub fn from_postcard(bytes: &[u8]) -> Result<Self, CatalogError> {
        let m: Mirror = postcard::from_bytes(bytes)
            .map_err(|e| CatalogError::IndexFormat(format!("unexpected graph layout: {e}")))?;
        if m.zero.len() != m.points.len() {
            return Err(CatalogError::IndexFormat(format!(
                "{} zero-layer nodes for {} points",
                m.zero.len(),
                m.points.len()
            )));
        }
        let n = m.points.len();
        let layer = |nodes: Vec<&[u32]>| -> Result<Layer, CatalogError> {
            let mut layer = Layer::with_nodes(nodes.len());
            for (pid, slots) in nodes.into_iter().enumerate() {
                let used = slots
                    .iter()
                    .position(|&s| s == INVALID)
                    .unwrap_or(slots.len());
                if slots[used..].iter().any(|&s| s != INVALID) {
                    return Err(CatalogError::IndexFormat(format!(
                        "node {pid} has a gap in its neighbour slots"
                    )));
                }
                if let Some(&bad) = slots[..used].iter().find(|&&s| s as usize >= n) {
                    return Err(CatalogError::IndexFormat(format!(
                        "node {pid} links to point {bad} of {n}"
                    )));
                }
                layer.neighbours.extend_from_slice(&slots[..used]);
                layer.close_node();
            }
            Ok(layer)
        };
        let mut layers = vec![layer(m.zero.iter().map(|s| s.0.as_slice()).collect())?];
        for upper in &m.layers {
            layers.push(layer(upper.iter().map(|s| s.0.as_slice()).collect())?);
        }
        Ok(Self {
            ef_search: m.ef_search,
            points: m.points,
            layers,
        })
    }

    /// The compact encoding (module docs).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        put(&mut out, self.ef_search as u64);
        put(&mut out, self.points.len() as u64);
        self.points.iter().for_each(|&p| put(&mut out, p as u64));
        let node = |out: &mut Vec<u8>, layer: &Layer, pid: usize| {
            let slots = layer.node(pid as u32);
            put(out, slots.len() as u64);
            let own = self.points[pid] as i64;
            for &s in slots {
                put(out, zigzag(self.points[s as usize] as i64 - own));
            }
        };
        for pid in 0..self.layers[0].len() {
            node(&mut out, &self.layers[0], pid);
        }
        put(&mut out, (self.layers.len() - 1) as u64);
        for layer in &self.layers[1..] {
            put(&mut out, layer.len() as u64);
            for pid in 0..layer.len() {
                node(&mut out, layer, pid);
            }
        }
        out
    }

    /// Reads the compact encoding, checking every count, link and point.
    pub fn decode(bytes: &[u8]) -> Result<Self, CatalogError> {
        let mut r = Reader { bytes, at: 0 };
        let ef_search = r.get()? as usize;
        let n = r.len(bytes.len())?;
        let mut points = Vec::with_capacity(n);
        let mut pid_of = vec![INVALID; n];
        for pid in 0..n {
            let item = r.get()?;
            match usize::try_from(item).ok().and_then(|i| pid_of.get_mut(i)) {
                Some(slot) if *slot == INVALID => *slot = pid as u32,
                _ => {
                    return Err(CatalogError::IndexFormat(format!(
                        "point {pid} has item {item}, out of range or repeated"
                    )))
                }
            }
            points.push(item as u32);
        }
        let read_layer = |r: &mut Reader<'_>, nodes: usize, slots: usize| {
            let mut layer = Layer::with_nodes(nodes);
            layer.neighbours.reserve(nodes * slots / 2);
            for (pid, &own) in points.iter().enumerate().take(nodes) {
                let used = r.get()? as usize;
                if used > slots {
                    return Err(CatalogError::IndexFormat(format!(
                        "node {pid} has {used} neighbours, more than {slots}"
                    )));
                }
                let own = own as i64;
                for _ in 0..used {
                    let item = own + unzigzag(r.get()?);
                    let link = usize::try_from(item)
                        .ok()
                        .and_then(|i| pid_of.get(i).copied())
                        .ok_or_else(|| {
                            CatalogError::IndexFormat(format!(
                                "node {pid} links to item {item} of {n}"
                            ))
                        })?;
                    layer.neighbours.push(link);
                }
                layer.close_node();
            }
            Ok(layer)
        };
        let mut layers = vec![read_layer(&mut r, n, ZERO_SLOTS)?];
        let upper = r.len(64)?;
        for _ in 0..upper {
            let nodes = r.len(n)?;
            layers.push(read_layer(&mut r, nodes, UPPER_SLOTS)?);
        }
        if r.at != bytes.len() {
            return Err(CatalogError::IndexFormat(format!(
                "{} unread bytes at the end",
                bytes.len() - r.at
            )));
        }
        Ok(Self {
            ef_search,
            points,
            layers,
        })
    }
}

/// Mirror of `instant_distance::Hnsw<ItemPoint>`'s serialized form (points are catalog positions).
#[derive(Deserialize)]
struct Mirror {
    ef_search: usize,
    points: Vec<u32>,
    zero: Vec<Slots<ZERO_SLOTS>>,
    layers: Vec<Vec<Slots<UPPER_SLOTS>>>,
}

/// A fixed-size array serialized as a serde tuple (as instant-distance's nodes are).
struct Slots<const N: usize>(Vec<u32>);

impl<'de, const N: usize> Deserialize<'de> for Slots<N> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<const N: usize>;
        impl<'de, const N: usize> Visitor<'de> for V<N> {
            type Value = Slots<N>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{N} neighbour slots")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(N);
                for i in 0..N {
                    out.push(
                        seq.next_element()?
                            .ok_or_else(|| serde::de::Error::invalid_length(i, &self))?,
                    );
                }
                Ok(Slots(out))
            }
        }
        deserializer.deserialize_tuple(N, V::<N>)
    }
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    (v >> 1) as i64 ^ -((v & 1) as i64)
}

fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn get(&mut self) -> Result<u64, CatalogError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.bytes.get(self.at).ok_or_else(|| {
                CatalogError::IndexFormat(format!("graph ends early at byte {}", self.at))
            })?;
            self.at += 1;
            v |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(CatalogError::IndexFormat(format!(
            "varint too long at byte {}",
            self.at
        )))
    }

    fn len(&mut self, max: usize) -> Result<usize, CatalogError> {
        let v = self.get()?;
        usize::try_from(v)
            .ok()
            .filter(|&v| v <= max)
            .ok_or_else(|| CatalogError::IndexFormat(format!("length {v} exceeds {max}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zigzag_varints_round_trip() {
        for v in [0i64, 1, -1, 63, -64, 47_000, -47_000, i32::MAX as i64] {
            assert_eq!(unzigzag(zigzag(v)), v);
            let mut out = Vec::new();
            put(&mut out, zigzag(v));
            assert_eq!(Reader { bytes: &out, at: 0 }.get().unwrap(), zigzag(v));
        }
        assert_eq!(zigzag(-1), 1);
        assert_eq!(zigzag(1), 2);
    }

    #[test]
    fn truncated_or_corrupt_graphs_are_errors() {
        assert!(FlatGraph::decode(&[]).is_err());
        // ef 8, 2 points both item 0: repeated item.
        assert!(FlatGraph::decode(&[8, 2, 0, 0]).is_err());
        // ef 8, 1 point (item 0), node with 1 neighbour at delta +1 → item 1 of 1: out of range.
        assert!(FlatGraph::decode(&[8, 1, 0, 1, 2, 0]).is_err());
        // A node claiming 65 neighbours.
        assert!(FlatGraph::decode(&[8, 1, 0, 65]).is_err());
        // A valid one-point graph: no neighbours, no upper layers.
        let one = FlatGraph::decode(&[8, 1, 0, 0, 0]).unwrap();
        assert_eq!(one.encode(), vec![8, 1, 0, 0, 0]);
        assert_eq!(one.search(4, |_| 0.5).len(), 1);
        assert!(
            FlatGraph::decode(&[8, 1, 0, 0, 0, 0]).is_err(),
            "trailing byte"
        );
    }

    #[test]
    fn search_walks_a_hand_made_graph_to_the_nearest_points() {
        // Items 0..5 on a line at positions 0, 10, 20, 30, 40; points in item order; a chain in
        // layer 0 and one upper layer holding points 0 and 1 (0 → 1). Query at 33.
        let mut bytes = vec![8, 5, 0, 1, 2, 3, 4];
        bytes.extend([1, zigzag(1) as u8]); // 0 → 1
        bytes.extend([2, zigzag(-1) as u8, zigzag(1) as u8]); // 1 → 0, 2
        bytes.extend([2, zigzag(-1) as u8, zigzag(1) as u8]); // 2 → 1, 3
        bytes.extend([2, zigzag(-1) as u8, zigzag(1) as u8]); // 3 → 2, 4
        bytes.extend([1, zigzag(-1) as u8]); // 4 → 3
        bytes.extend([1, 2, 1, zigzag(1) as u8, 0]); // one upper layer: 0 → 1, 1 → none
        let graph = FlatGraph::decode(&bytes).unwrap();
        assert_eq!(graph.encode(), bytes);
        let position = [0.0f32, 10.0, 20.0, 30.0, 40.0];
        let found = graph.search(3, |pid| (position[pid as usize] - 33.0).abs());
        assert_eq!(
            found.iter().map(|c| c.pid).collect::<Vec<_>>(),
            vec![3, 4, 2]
        );
        assert_eq!(found[0].distance, 3.0);
    }
}
