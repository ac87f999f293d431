//! A compact, lossless file encoding of an `instant_distance::Hnsw` graph.
//!
//! `instant-distance` serializes every zero-layer node as 64 neighbour slots (unused ones
//! `u32::MAX`) holding random-looking point ids, which gzip cannot shrink: about 8 MB gzipped for
//! the default catalog. Here each node stores only its used slots, and each neighbour as the
//! zig-zag varint difference between its *catalog* position and the node's own (variables of one
//! table sit together in the catalog and are usually each other's neighbours), which makes the
//! file several times smaller. Slot order is kept, so the decoded graph is identical.
//!
//! The conversion goes through a mirror of the graph's serde layout in postcard, so it depends on
//! instant-distance 0.6's field order (`ef_search`, `points`, `zero`, `layers`) and on `M = 32`;
//! a round-trip test guards both.

use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};

use super::CatalogError;

const INVALID: u32 = u32::MAX;

/// A fixed-size array serialized as a serde tuple (as instant-distance's nodes are).
#[derive(Clone, Debug, PartialEq)]
struct Slots<const N: usize>([u32; N]);

impl<const N: usize> Serialize for Slots<N> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut t = serializer.serialize_tuple(N)?;
        for v in &self.0 {
            t.serialize_element(v)?;
        }
        t.end()
    }
}

impl<'de, const N: usize> Deserialize<'de> for Slots<N> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<const N: usize>;
        impl<'de, const N: usize> Visitor<'de> for V<N> {
            type Value = Slots<N>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{N} neighbour slots")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = [0u32; N];
                for (i, slot) in out.iter_mut().enumerate() {
                    *slot = seq
                        .next_element()?
                        .ok_or_else(|| serde::de::Error::invalid_length(i, &self))?;
                }
                Ok(Slots(out))
            }
        }
        deserializer.deserialize_tuple(N, V::<N>)
    }
}

/// Mirror of `instant_distance::Hnsw<ItemPoint>`'s serialized form (points are item numbers).
#[derive(Serialize, Deserialize)]
struct Mirror {
    ef_search: usize,
    points: Vec<u32>,
    zero: Vec<Slots<64>>,
    layers: Vec<Vec<Slots<32>>>,
}

/// Converts a postcard-serialized graph to the compact encoding.
pub fn compress(postcard_bytes: &[u8]) -> Result<Vec<u8>, CatalogError> {
    let m: Mirror = postcard::from_bytes(postcard_bytes)
        .map_err(|e| CatalogError::IndexFormat(format!("unexpected graph layout: {e}")))?;
    let mut out = Vec::with_capacity(postcard_bytes.len() / 3);
    put(&mut out, m.ef_search as u64);
    put(&mut out, m.points.len() as u64);
    m.points.iter().for_each(|&p| put(&mut out, p as u64));
    let item = |pid: u32| -> Result<i64, CatalogError> {
        m.points
            .get(pid as usize)
            .map(|&i| i as i64)
            .ok_or_else(|| {
                CatalogError::IndexFormat(format!("neighbour {pid} of {} points", m.points.len()))
            })
    };
    let node = |out: &mut Vec<u8>, pid: usize, slots: &[u32]| -> Result<(), CatalogError> {
        let used = slots
            .iter()
            .position(|&s| s == INVALID)
            .unwrap_or(slots.len());
        if slots[used..].iter().any(|&s| s != INVALID) {
            return Err(CatalogError::IndexFormat(format!(
                "node {pid} has a gap in its neighbour slots"
            )));
        }
        put(out, used as u64);
        let own = item(pid as u32)?;
        for &s in &slots[..used] {
            put(out, zigzag(item(s)? - own));
        }
        Ok(())
    };
    if m.zero.len() != m.points.len() {
        return Err(CatalogError::IndexFormat(format!(
            "{} zero-layer nodes for {} points",
            m.zero.len(),
            m.points.len()
        )));
    }
    for (pid, slots) in m.zero.iter().enumerate() {
        node(&mut out, pid, &slots.0)?;
    }
    put(&mut out, m.layers.len() as u64);
    for layer in &m.layers {
        put(&mut out, layer.len() as u64);
        for (pid, slots) in layer.iter().enumerate() {
            node(&mut out, pid, &slots.0)?;
        }
    }
    Ok(out)
}

/// Converts the compact encoding back to the postcard form `instant_distance` reads, with the
/// search-time candidate list size `ef_search` (`None` keeps the one stored at build time).
pub fn decompress(bytes: &[u8], ef_search: Option<usize>) -> Result<Vec<u8>, CatalogError> {
    let mut r = Reader { bytes, at: 0 };
    let stored = r.get()? as usize;
    let ef_search = ef_search.unwrap_or(stored);
    let n = r.len(bytes.len())?;
    let points = (0..n)
        .map(|_| r.get().map(|v| v as u32))
        .collect::<Result<Vec<_>, _>>()?;
    let mut pid_of = vec![INVALID; n];
    for (pid, &item) in points.iter().enumerate() {
        match pid_of.get_mut(item as usize) {
            Some(slot) if *slot == INVALID => *slot = pid as u32,
            _ => {
                return Err(CatalogError::IndexFormat(format!(
                    "point {pid} has item {item}, out of range or repeated"
                )))
            }
        }
    }
    let node = |r: &mut Reader<'_>, pid: usize, slots: &mut [u32]| -> Result<(), CatalogError> {
        let used = r.get()? as usize;
        if used > slots.len() {
            return Err(CatalogError::IndexFormat(format!(
                "node {pid} has {used} neighbours, more than {}",
                slots.len()
            )));
        }
        let own = points[pid] as i64;
        for slot in slots.iter_mut().take(used) {
            let item = own + unzigzag(r.get()?);
            *slot = usize::try_from(item)
                .ok()
                .and_then(|i| pid_of.get(i).copied())
                .ok_or_else(|| {
                    CatalogError::IndexFormat(format!("node {pid} links to item {item} of {n}"))
                })?;
        }
        Ok(())
    };
    let mut zero = Vec::with_capacity(n);
    for pid in 0..n {
        let mut slots = [INVALID; 64];
        node(&mut r, pid, &mut slots)?;
        zero.push(Slots(slots));
    }
    let layer_count = r.len(64)?;
    let mut layers = Vec::with_capacity(layer_count);
    for _ in 0..layer_count {
        let len = r.len(n)?;
        let mut layer = Vec::with_capacity(len);
        for pid in 0..len {
            let mut slots = [INVALID; 32];
            node(&mut r, pid, &mut slots)?;
            layer.push(Slots(slots));
        }
        layers.push(layer);
    }
    if r.at != bytes.len() {
        return Err(CatalogError::IndexFormat(format!(
            "{} unread bytes at the end",
            bytes.len() - r.at
        )));
    }
    postcard::to_allocvec(&Mirror {
        ef_search,
        points,
        zero,
        layers,
    })
    .map_err(|e| CatalogError::IndexFormat(e.to_string()))
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

    fn decompress_default(bytes: &[u8]) -> Result<Vec<u8>, CatalogError> {
        decompress(bytes, None)
    }

    #[test]
    fn truncated_or_corrupt_graphs_are_errors() {
        assert!(decompress_default(&[]).is_err());
        // ef 8, 2 points both item 0: repeated item.
        assert!(decompress_default(&[8, 2, 0, 0]).is_err());
        // ef 8, 1 point (item 0), node with 1 neighbour at delta +1 → item 1 of 1: out of range.
        assert!(decompress_default(&[8, 1, 0, 1, 2, 0]).is_err());
        // A valid one-point graph: no neighbours, no layers.
        assert!(decompress_default(&[8, 1, 0, 0, 0]).is_ok());
        assert!(
            decompress_default(&[8, 1, 0, 0, 0, 0]).is_err(),
            "trailing byte"
        );
    }
}
