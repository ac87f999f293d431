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
//! File layout (after the `ABHNSW02` header and the groups of [`super::ann`]): varints `ef_search`, point count
//! `n`, the `n` points' catalog positions (point order), then each zero-layer node (slot count,
//! zig-zag catalog-position deltas), the number of upper layers and, for each, its node count and
//! nodes. Points of a layer are the first points (an upper layer's nodes are points `0..len`).

use std::cmp::Ordering;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

#[cfg(feature = "build")]
use serde::de::{Deserializer, SeqAccess, Visitor};
#[cfg(feature = "build")]
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

/// The buffers of [`FlatGraph::search`], kept between queries.
#[derive(Debug, Default)]
pub(crate) struct SearchScratch {
    visited: Visited,
    nearest: BinaryHeap<Candidate>,
    candidates: BinaryHeap<Reverse<Candidate>>,
}

/// A visited set cleared in O(1) by moving to a new generation.
#[derive(Debug, Default)]
struct Visited {
    marks: Vec<u8>,
    generation: u8,
}

impl Visited {
    /// Empties the set and sizes it for points `0..n`.
    fn reset(&mut self, n: usize) {
        if self.marks.len() != n {
            self.marks = vec![0; n];
            self.generation = 1;
        } else {
            self.clear();
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
    /// `scratch` holds the search's buffers between calls (no allocation per query but the
    /// result).
    pub fn search(
        &self,
        ef: usize,
        scratch: &mut SearchScratch,
        distance: impl Fn(u32) -> f32,
    ) -> Vec<Candidate> {
        if self.points.is_empty() {
            return Vec::new();
        }
        // `instant-distance` keeps the results in a sorted vector, inserts a point when it ranks
        // among the first `ef`, and truncates after each expanded candidate. A max-heap of the
        // best `ef` accepts exactly the same points (ranking among the first `ef` of everything
        // accepted so far is beating the heap's worst once it is full) in O(log ef).
        let SearchScratch {
            visited,
            nearest,
            candidates,
        } = scratch;
        visited.reset(self.len());
        nearest.clear();
        candidates.clear();
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
        push(0, 1, visited, nearest, candidates);
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
                    push(pid, ef, visited, nearest, candidates);
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
        let mut found: Vec<Candidate> = nearest.drain().collect();
        found.sort_unstable();
        found
    }

    /// Reads `instant-distance`'s postcard serialization of an `Hnsw` whose points serialize as
    /// their catalog position (the build step).
    #[cfg(feature = "build")]
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
                read_node(r, &mut layer, pid, own, slots, &pid_of)?;
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

/// Near-duplicate groups of items: the points of a grouped graph. Group `g`'s members (catalog
/// positions, ascending) are `members[offsets[g]..offsets[g + 1]]`; its first member's vector
/// stands for the group in the graph. Groups are ordered by first member, and every item of the
/// catalog is in exactly one group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Groups {
    offsets: Vec<u32>,
    members: Vec<u32>,
}

impl Groups {
    /// One group per item (an ungrouped graph).
    #[cfg(test)]
    pub fn singletons(items: usize) -> Self {
        Self {
            offsets: (0..=items as u32).collect(),
            members: (0..items as u32).collect(),
        }
    }

    /// Groups from member lists; checks that they partition `0..items`, each ascending, and puts
    /// them in first-member order (the build step).
    #[cfg(feature = "build")]
    pub fn new(mut lists: Vec<Vec<u32>>, items: usize) -> Result<Self, CatalogError> {
        lists.retain(|l| !l.is_empty());
        lists.sort_unstable_by_key(|l| l[0]);
        let mut seen = vec![false; items];
        let mut out = Self {
            offsets: vec![0],
            members: Vec::with_capacity(items),
        };
        for list in lists {
            if list.windows(2).any(|w| w[0] >= w[1]) {
                return Err(CatalogError::IndexFormat(format!(
                    "group of item {} is not in ascending order",
                    list[0]
                )));
            }
            for &m in &list {
                match seen.get_mut(m as usize) {
                    Some(s) if !*s => *s = true,
                    _ => {
                        return Err(CatalogError::IndexFormat(format!(
                            "item {m} of {items} is out of range or in two groups"
                        )))
                    }
                }
            }
            out.members.extend_from_slice(&list);
            out.offsets.push(out.members.len() as u32);
        }
        if out.members.len() != items {
            return Err(CatalogError::IndexFormat(format!(
                "the groups hold {} of the {items} items",
                out.members.len()
            )));
        }
        Ok(out)
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Group `g`'s members, ascending.
    pub fn members(&self, g: usize) -> &[u32] {
        &self.members[self.offsets[g] as usize..self.offsets[g + 1] as usize]
    }

    /// Group `g`'s first member, whose vector stands for the group.
    pub fn first(&self, g: usize) -> u32 {
        self.members[self.offsets[g] as usize]
    }

    /// Varints: group count, then per group its size, its first member's distance from the
    /// previous group's first member, and each further member's distance from the one before.
    pub fn encode(&self, out: &mut Vec<u8>) {
        put(out, self.len() as u64);
        let mut previous = 0u32;
        for g in 0..self.len() {
            let members = self.members(g);
            put(out, members.len() as u64);
            put(out, (members[0] - previous) as u64);
            previous = members[0];
            for w in members.windows(2) {
                put(out, (w[1] - w[0]) as u64);
            }
        }
    }

    /// Reads [`Groups::encode`]'s form from the start of `bytes` for a catalog of `items` items;
    /// returns the groups and the bytes read.
    pub fn decode(bytes: &[u8], items: usize) -> Result<(Self, usize), CatalogError> {
        let mut r = Reader { bytes, at: 0 };
        let count = r.len(items)?;
        let mut out = Self {
            offsets: Vec::with_capacity(count + 1),
            members: Vec::with_capacity(items),
        };
        out.offsets.push(0);
        let mut seen = vec![false; items];
        let mut previous_first = 0u64;
        for g in 0..count {
            let size = r.len(items)?;
            if size == 0 {
                return Err(CatalogError::IndexFormat(format!("group {g} is empty")));
            }
            let mut item = previous_first + r.get()?;
            if g > 0 && item == previous_first {
                return Err(CatalogError::IndexFormat(format!(
                    "groups {} and {g} start at the same item",
                    g - 1
                )));
            }
            previous_first = item;
            for m in 0..size {
                if m > 0 {
                    let step = r.get()?;
                    if step == 0 {
                        return Err(CatalogError::IndexFormat(format!(
                            "group {g} repeats item {item}"
                        )));
                    }
                    item = item.saturating_add(step);
                }
                match usize::try_from(item).ok().and_then(|i| seen.get_mut(i)) {
                    Some(s) if !*s => *s = true,
                    _ => {
                        return Err(CatalogError::IndexFormat(format!(
                        "group {g} has item {item}, out of range (of {items}) or already grouped"
                    )))
                    }
                }
                out.members.push(item as u32);
            }
            out.offsets.push(out.members.len() as u32);
        }
        if out.members.len() != items {
            return Err(CatalogError::IndexFormat(format!(
                "the groups hold {} of the {items} items",
                out.members.len()
            )));
        }
        Ok((out, r.at))
    }
}

/// Mirror of `instant_distance::Hnsw<ItemPoint>`'s serialized form (points are catalog positions).
#[cfg(feature = "build")]
#[derive(Deserialize)]
struct Mirror {
    ef_search: usize,
    points: Vec<u32>,
    zero: Vec<Slots<ZERO_SLOTS>>,
    layers: Vec<Vec<Slots<UPPER_SLOTS>>>,
}

/// A fixed-size array serialized as a serde tuple (as instant-distance's nodes are).
#[cfg(feature = "build")]
struct Slots<const N: usize>(Vec<u32>);

#[cfg(feature = "build")]
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

/// Appends `v` as a LEB128 varint.
pub(crate) fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads varints (and raw bytes) with bounds checks; every error names the byte offset.
pub(crate) struct Reader<'a> {
    pub bytes: &'a [u8],
    pub at: usize,
}

/// Reads node `pid`'s (item `own`'s) neighbours, at most `slots`, into `layer`. Not inlined by the compiler:
/// a browser's wasm engine optimises a function once it has run for a while, but only from its next call
/// on, so the loop's work must be in calls. The app's build undoes this: `wasm-opt` inlines a function
/// with a single caller of under 1,000 bytes into it (`app/index.html`; docs/speed-history.md, #21 round
/// 20).
#[inline(never)]
fn read_node(
    r: &mut Reader<'_>,
    layer: &mut Layer,
    pid: usize,
    own: u32,
    slots: usize,
    pid_of: &[u32],
) -> Result<(), CatalogError> {
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
                    "node {pid} links to item {item} of {}",
                    pid_of.len()
                ))
            })?;
        layer.neighbours.push(link);
    }
    layer.close_node();
    Ok(())
}

impl<'a> Reader<'a> {
    /// The next `n` raw bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], CatalogError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| {
            CatalogError::IndexFormat(format!(
                "{n} bytes wanted at byte {} of {}",
                self.at,
                self.bytes.len()
            ))
        })?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    /// The next varint.
    pub fn get(&mut self) -> Result<u64, CatalogError> {
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

    /// The next varint, which must be at most `max`.
    pub fn len(&mut self, max: usize) -> Result<usize, CatalogError> {
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
        assert_eq!(
            one.search(4, &mut SearchScratch::default(), |_| 0.5).len(),
            1
        );
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
        let mut scratch = SearchScratch::default();
        let found = graph.search(3, &mut scratch, |pid| (position[pid as usize] - 33.0).abs());
        // The scratch buffers carry nothing over to the next query.
        let again = graph.search(3, &mut scratch, |pid| (position[pid as usize] - 33.0).abs());
        assert_eq!(found, again);
        let other = graph.search(2, &mut scratch, |pid| (position[pid as usize] - 1.0).abs());
        assert_eq!(other.iter().map(|c| c.pid).collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(
            found.iter().map(|c| c.pid).collect::<Vec<_>>(),
            vec![3, 4, 2]
        );
        assert_eq!(found[0].distance, 3.0);
    }
}
