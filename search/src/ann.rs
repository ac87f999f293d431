//! Item vectors (int8, one scale per vector) and nearest-neighbour search over them: exact
//! (brute-force cosine) or approximate with an `instant-distance` HNSW graph.
//!
//! The HNSW graph is built once, natively, by `instant-distance` with a fixed seed (and one rayon
//! thread, so the insertion order and therefore the graph are reproducible), then serialized in
//! the compact encoding of [`super::graph`], which loads straight into flat arrays and is searched
//! there exactly as `instant-distance` searches its own graph. Its file holds only
//! the graph and each point's item number, not the vectors: the vectors are recomputed from the
//! catalog text by the static embedder (they are a deterministic function of the catalog and the
//! table), which keeps the download about 6 MB smaller, and the app computes them after loading,
//! or the first search does ([`VectorStore::on_first_use`]). Two fingerprints in the file's header
//! detect a graph built for a different catalog or table: one of the vectors, and one of what
//! they are computed from ([`crate::catalog_source_fingerprint`]), which is the one checked when
//! the index loads, so that loading computes no vector. A test on the shipped catalog checks that
//! the vectors computed today still have the vector fingerprint the graph was built on.
//!
//! File layout: `b"ABHNSW03"`, little-endian `u32` items, `u32` dims, `u64` fingerprint of the
//! vectors, `u64` fingerprint of their source (0: unknown), then the groups of near-duplicate items
//! (varints, see `Groups::encode`) and the graph in the compact encoding of [`super::graph`].

use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

#[cfg(feature = "build")]
use instant_distance::{Builder, Hnsw, Point};
#[cfg(feature = "build")]
use serde::{Serialize, Serializer};

use super::graph::{FlatGraph, Groups, SearchScratch};
use super::CatalogError;

const MAGIC: &[u8; 8] = b"ABHNSW03";
const HEADER: usize = 8 + 4 + 4 + 8 + 8;

/// Default search-time candidate list size (in groups): recall@10 against exact search is
/// measured by `scripts/bench-search.sh` (the graph file stores the build-time value, which this
/// replaces).
pub const EF_SEARCH: usize = 384;

/// Item vectors quantised to int8 with one scale per vector, in one contiguous array: computed up
/// front ([`VectorStore::quantize`], [`VectorStore::push`]), or when first read
/// ([`VectorStore::on_first_use`]), which is how the app loads the catalog: computing the 47k
/// vectors held the catalog back by about 0.2 s in the browser, and the app computes them a slice
/// at a time once the catalog is ready instead ([`VectorStore::compute`]). Either way a vector is
/// the same bytes.
pub struct VectorStore {
    dims: usize,
    rows: Rows,
    /// Fingerprint of what the vectors are computed from (see [`VectorStore::source`]).
    source: Option<u64>,
}

enum Rows {
    Computed { data: Vec<i8>, inv_norm: Vec<f32> },
    OnFirstUse(LazyRows),
}

/// Vectors computed in item order: the first items by [`VectorStore::compute`], the rest by the
/// first read, which moves them all into `all` (a read never sees a store half computed).
struct LazyRows {
    len: usize,
    vectors: VectorsOf,
    /// The vectors computed so far (quantised bytes, inverse norms), until they are all in `all`.
    computed: Mutex<(Vec<i8>, Vec<f32>)>,
    all: OnceLock<(Vec<i8>, Vec<f32>)>,
}

/// Computes the vectors of a range of items, handing each to the callback with its item number
/// (`None`: no known token).
type VectorsOf = Box<dyn Fn(Range<usize>, &mut dyn FnMut(Option<&[f32]>)) + Send + Sync>;

impl LazyRows {
    /// Computes the vectors from the first not computed yet up to item `end`, in one pass.
    fn compute_to(&self, dims: usize, end: usize, computed: &mut (Vec<i8>, Vec<f32>)) {
        let start = computed.1.len();
        if end <= start {
            return;
        }
        let (data, inv_norm) = computed;
        data.reserve((self.len - start) * dims);
        (self.vectors)(start..end, &mut |vector| {
            inv_norm.push(quantize_row(dims, vector, data));
        });
        assert_eq!(
            inv_norm.len(),
            end,
            "the vectors of a range hand over each of its items"
        );
    }

    /// Every vector, computing those left the first time.
    fn all(&self, dims: usize) -> &(Vec<i8>, Vec<f32>) {
        self.all.get_or_init(|| {
            let mut computed = self.computed.lock().unwrap_or_else(|e| e.into_inner());
            self.compute_to(dims, self.len, &mut computed);
            std::mem::take(&mut *computed)
        })
    }
}

impl std::fmt::Debug for VectorStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VectorStore")
            .field("dims", &self.dims)
            .field("len", &self.len())
            .field("on_first_use", &matches!(self.rows, Rows::OnFirstUse(_)))
            .field("source", &self.source)
            .finish()
    }
}

/// Stores are equal when they hold the same vectors (computing any not yet computed).
impl PartialEq for VectorStore {
    fn eq(&self, other: &Self) -> bool {
        self.dims == other.dims
            && self.len() == other.len()
            && (0..self.len()).all(|i| self.row(i) == other.row(i))
    }
}

impl VectorStore {
    /// Quantises vectors of `dims` dimensions; `None` (a text with no known token) becomes a zero
    /// vector, whose cosine with anything is 0.
    pub fn quantize(dims: usize, vectors: &[Option<Vec<f32>>]) -> Self {
        let mut store = Self::with_capacity(dims, vectors.len());
        for v in vectors {
            store.push(v.as_deref());
        }
        store
    }

    /// An empty store for `capacity` vectors of `dims` dimensions, filled by
    /// [`VectorStore::push`].
    pub fn with_capacity(dims: usize, capacity: usize) -> Self {
        Self {
            dims,
            rows: Rows::Computed {
                data: Vec::with_capacity(dims * capacity),
                inv_norm: Vec::with_capacity(capacity),
            },
            source: None,
        }
    }

    /// A store of `len` vectors of `dims` dimensions, computed in item order, quantised as
    /// [`VectorStore::push`] does: the first ones by [`VectorStore::compute`], and all that are
    /// left by the first read of any. `vectors(range, each)` computes the items of `range` and
    /// hands each vector to `each`, in item order. `source` fingerprints what
    /// `vectors` computes from (see [`VectorStore::source`]): it is what a graph file is checked
    /// against, since checking the vectors themselves would compute them all.
    pub fn on_first_use(
        dims: usize,
        len: usize,
        source: u64,
        vectors: impl Fn(Range<usize>, &mut dyn FnMut(Option<&[f32]>)) + Send + Sync + 'static,
    ) -> Self {
        Self {
            dims,
            rows: Rows::OnFirstUse(LazyRows {
                len,
                vectors: Box::new(vectors),
                computed: Mutex::new((Vec::new(), Vec::new())),
                all: OnceLock::new(),
            }),
            source: Some(source),
        }
    }

    /// Computes the vectors up to item `end` (from the first not computed yet, in one pass): the
    /// app fills a loaded catalog's store this way, a slice at a time, while its worker is
    /// otherwise idle, so that the user's first search finds them computed. Nothing to do for a
    /// store computed up front, or up to `end` already.
    ///
    /// # Panics
    /// If `end` is past the last item (a programming error).
    pub fn compute(&self, end: usize) {
        let Rows::OnFirstUse(lazy) = &self.rows else {
            return;
        };
        assert!(end <= lazy.len, "item {end} is within the store");
        if lazy.all.get().is_some() {
            return;
        }
        let mut computed = lazy.computed.lock().unwrap_or_else(|e| e.into_inner());
        lazy.compute_to(self.dims, end, &mut computed);
    }

    /// How many vectors are computed (from the first item on).
    pub fn computed(&self) -> usize {
        match &self.rows {
            Rows::Computed { inv_norm, .. } => inv_norm.len(),
            Rows::OnFirstUse(lazy) => match lazy.all.get() {
                Some((_, inv_norm)) => inv_norm.len(),
                None => lazy
                    .computed
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .1
                    .len(),
            },
        }
    }

    /// The same store, marked as computed from `source` (see [`VectorStore::source`]).
    pub fn with_source(mut self, source: u64) -> Self {
        self.source = Some(source);
        self
    }

    /// Fingerprint of what the vectors were computed from (for the catalog's: the variables'
    /// search texts and the embedding table, see [`crate::catalog_source_fingerprint`]), if known.
    pub fn source(&self) -> Option<u64> {
        self.source
    }

    /// Quantises one more vector (`None`: a zero vector) onto the end, as
    /// [`VectorStore::quantize`] does.
    ///
    /// # Panics
    /// If the vector does not have the store's dimensions, or the store computes its vectors on
    /// first use (programming errors).
    pub fn push(&mut self, vector: Option<&[f32]>) {
        let Rows::Computed { data, inv_norm } = &mut self.rows else {
            panic!("a store that computes its vectors on first use takes none pushed");
        };
        inv_norm.push(quantize_row(self.dims, vector, data));
    }

    /// Number of vectors.
    pub fn len(&self) -> usize {
        match &self.rows {
            Rows::Computed { inv_norm, .. } => inv_norm.len(),
            Rows::OnFirstUse(lazy) => lazy.len,
        }
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Dimensions per vector.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// FNV-1a 64 over the dimensions, the quantised bytes and the count: identifies the vectors an
    /// HNSW graph was built on. Computes every vector not yet computed.
    pub fn fingerprint(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |b: u8| {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        };
        (self.dims as u64)
            .to_le_bytes()
            .into_iter()
            .for_each(&mut eat);
        (self.len() as u64)
            .to_le_bytes()
            .into_iter()
            .for_each(&mut eat);
        for i in 0..self.len() {
            self.row(i).0.iter().for_each(|&b| eat(b as u8));
        }
        h
    }

    /// Item `i`'s quantised vector and the inverse of its norm.
    fn row(&self, i: usize) -> (&[i8], f32) {
        let (data, inv_norm) = match &self.rows {
            Rows::Computed { data, inv_norm } => (data, inv_norm),
            Rows::OnFirstUse(lazy) => {
                let (data, inv_norm) = lazy.all(self.dims);
                (data, inv_norm)
            }
        };
        (&data[i * self.dims..(i + 1) * self.dims], inv_norm[i])
    }

    /// Cosine between item `i` and a quantised query.
    pub fn cosine(&self, i: usize, query: &QueryVector) -> f32 {
        let (row, inv_norm) = self.row(i);
        dot(row, &query.data) as f32 * inv_norm * query.inv_norm
    }

    /// Cosine between items `a` and `b`.
    pub fn item_cosine(&self, a: usize, b: usize) -> f32 {
        let ((row_a, inv_a), (row_b, inv_b)) = (self.row(a), self.row(b));
        dot(row_a, row_b) as f32 * inv_a * inv_b
    }

    /// The `k` items most similar to the query by exact cosine, best first (ties by item order).
    pub fn exact_top(&self, query: &QueryVector, k: usize) -> Vec<(usize, f32)> {
        let mut all: Vec<(usize, f32)> = (0..self.len())
            .map(|i| (i, self.cosine(i, query)))
            .collect();
        top_k(&mut all, k);
        all
    }
}

/// Appends `vector` quantised (zeros for `None`) to `out` and returns its inverse norm.
///
/// # Panics
/// If the vector does not have `dims` dimensions (a programming error).
fn quantize_row(dims: usize, vector: Option<&[f32]>, out: &mut Vec<i8>) -> f32 {
    match vector {
        Some(v) => {
            assert_eq!(v.len(), dims, "every vector has the store's dimensions");
            quantize_into(v, out)
        }
        None => {
            out.resize(out.len() + dims, 0);
            0.0
        }
    }
}

/// A query vector quantised like the items.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryVector {
    data: Vec<i8>,
    inv_norm: f32,
}

impl QueryVector {
    /// Quantises an embedding.
    pub fn new(vector: &[f32]) -> Self {
        let (data, inv_norm) = quantize_one(vector);
        Self { data, inv_norm }
    }
}

fn quantize_one(v: &[f32]) -> (Vec<i8>, f32) {
    let mut q = Vec::with_capacity(v.len());
    let inv = quantize_into(v, &mut q);
    (q, inv)
}

/// Appends `v` quantised to int8 (scaled so its largest entry is ±127) and returns the inverse
/// norm of the quantised vector (0 for a zero or non-finite vector, which is stored as zeros).
fn quantize_into(v: &[f32], out: &mut Vec<i8>) -> f32 {
    let max = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    if max == 0.0 || !max.is_finite() {
        out.resize(out.len() + v.len(), 0);
        return 0.0;
    }
    let scale = 127.0 / max;
    let start = out.len();
    out.extend(v.iter().map(|x| (x * scale).round() as i8));
    let norm = (out[start..]
        .iter()
        .map(|&x| (x as i32 * x as i32) as i64)
        .sum::<i64>() as f64)
        .sqrt();
    if norm > 0.0 {
        (1.0 / norm) as f32
    } else {
        0.0
    }
}

/// Integer dot product of two int8 vectors. Natively the compiler vectorises the plain loop; in
/// the browser, where the default wasm target has no vector instructions, an explicit SIMD128
/// version (supported by every current browser) is several times faster. Both are exact.
fn dot(a: &[i8], b: &[i8]) -> i32 {
    #[cfg(target_arch = "wasm32")]
    {
        wasm_simd::dot(a, b)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        a.iter().zip(b).map(|(&x, &y)| x as i32 * y as i32).sum()
    }
}

#[cfg(target_arch = "wasm32")]
mod wasm_simd {
    use core::arch::wasm32::*;

    /// Sixteen lanes at a time: widen to i16, multiply-add pairs into i32 lanes.
    #[target_feature(enable = "simd128")]
    pub fn dot(a: &[i8], b: &[i8]) -> i32 {
        let n = a.len().min(b.len());
        let mut acc = i32x4_splat(0);
        let mut i = 0;
        while i + 16 <= n {
            // SAFETY: `i + 16 <= n` and both slices hold at least `n` bytes; `v128_load` does
            // not require alignment.
            let (va, vb) = unsafe {
                (
                    v128_load(a.as_ptr().add(i) as *const v128),
                    v128_load(b.as_ptr().add(i) as *const v128),
                )
            };
            acc = i32x4_add(
                acc,
                i32x4_dot_i16x8(i16x8_extend_low_i8x16(va), i16x8_extend_low_i8x16(vb)),
            );
            acc = i32x4_add(
                acc,
                i32x4_dot_i16x8(i16x8_extend_high_i8x16(va), i16x8_extend_high_i8x16(vb)),
            );
            i += 16;
        }
        let mut sum = i32x4_extract_lane::<0>(acc)
            + i32x4_extract_lane::<1>(acc)
            + i32x4_extract_lane::<2>(acc)
            + i32x4_extract_lane::<3>(acc);
        for j in i..n {
            sum += a[j] as i32 * b[j] as i32;
        }
        sum
    }
}

/// A point of the HNSW graph while `instant-distance` builds it: a group of items, standing at
/// its first member's vector (`index`), serialized as the group's number (`id`).
#[cfg(feature = "build")]
#[derive(Clone, Debug)]
pub(crate) struct ItemPoint {
    store: Arc<VectorStore>,
    index: u32,
    id: u32,
}

#[cfg(feature = "build")]
impl Point for ItemPoint {
    fn distance(&self, other: &Self) -> f32 {
        let (a, b) = (self.index as usize, other.index as usize);
        let ((row_a, inv_a), (row_b, inv_b)) = (self.store.row(a), other.store.row(b));
        1.0 - dot(row_a, row_b) as f32 * inv_a * inv_b
    }
}

#[cfg(feature = "build")]
impl Serialize for ItemPoint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.id.serialize(serializer)
    }
}

/// HNSW construction settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnnParams {
    /// Seed of the layer assignment (the only randomness of the build).
    pub seed: u64,
    /// Candidate list size while inserting.
    pub ef_construction: usize,
    /// Candidate list size while searching (stored in the graph); also the most results a search
    /// can return.
    pub ef_search: usize,
}

impl Default for AnnParams {
    fn default() -> Self {
        Self {
            seed: 0x00A0_D1E7_CE5E_ED00,
            ef_construction: 800,
            ef_search: 128,
        }
    }
}

/// An HNSW graph over a [`VectorStore`], whose points are groups of near-duplicate items.
///
/// Many catalog variables embed almost identically (the race iterations A–I of one ACS table,
/// Puerto Rico copies): a search's ten nearest items are often a cluster of near-ties, which a
/// graph over single items needs a very long candidate list to find completely. Here each group
/// of near-duplicates is one point of the graph, standing at its first member's vector; a search
/// finds `ef_search` groups and ranks all their members by exact cosine.
pub struct AnnIndex {
    graph: FlatGraph,
    groups: Groups,
    store: Arc<VectorStore>,
    ef_search: usize,
    /// The search buffers of the last query, reused by the next one (a concurrent query makes its
    /// own).
    scratch: Mutex<Option<SearchScratch>>,
}

impl std::fmt::Debug for AnnIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnnIndex")
            .field("items", &self.store.len())
            .field("groups", &self.groups.len())
            .field("dims", &self.store.dims())
            .field("ef_search", &self.ef_search)
            .finish()
    }
}

impl AnnIndex {
    /// Builds the graph with `instant-distance`, one point per item. See
    /// [`AnnIndex::build_grouped`]. Needs the `build` feature.
    #[cfg(feature = "build")]
    pub fn build(store: Arc<VectorStore>, params: AnnParams) -> Self {
        let groups = (0..store.len() as u32).map(|i| vec![i]).collect();
        Self::build_grouped(store, groups, params).expect("singletons partition the items")
    }

    /// Builds the graph with `instant-distance`, one point per group (each a list of item
    /// numbers; together they must hold every item of the store exactly once). Deterministic for
    /// a given store, groups and seed when rayon runs one thread (`RAYON_NUM_THREADS=1`, as
    /// `catalog/build.sh` sets); with more threads the insertion order, and so the graph, can vary
    /// between runs. Needs the `build` feature.
    #[cfg(feature = "build")]
    pub fn build_grouped(
        store: Arc<VectorStore>,
        groups: Vec<Vec<u32>>,
        params: AnnParams,
    ) -> Result<Self, CatalogError> {
        let groups = Groups::new(groups, store.len())?;
        let hnsw = build_hnsw(store.clone(), &groups, params);
        let postcard = postcard::to_allocvec(&hnsw).expect("serializing to memory cannot fail");
        let graph = FlatGraph::from_postcard(&postcard)
            .expect("a graph instant-distance built has the expected layout");
        Ok(Self {
            graph,
            groups,
            store,
            ef_search: params.ef_search,
            scratch: Mutex::new(None),
        })
    }

    /// Number of groups (points of the graph).
    pub fn groups(&self) -> usize {
        self.groups.len()
    }

    /// Serializes the groups and the graph (without the vectors).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend((self.store.len() as u32).to_le_bytes());
        out.extend((self.store.dims() as u32).to_le_bytes());
        out.extend(self.store.fingerprint().to_le_bytes());
        out.extend(self.store.source().unwrap_or(0).to_le_bytes());
        self.groups.encode(&mut out);
        out.extend(self.graph.encode());
        out
    }

    /// Reads a graph written by [`AnnIndex::to_bytes`] for these vectors, searching with candidate
    /// lists of [`EF_SEARCH`].
    pub fn from_bytes(bytes: &[u8], store: Arc<VectorStore>) -> Result<Self, CatalogError> {
        Self::from_bytes_with_ef(bytes, store, EF_SEARCH)
    }

    /// [`AnnIndex::from_bytes`] with another search-time candidate list size (larger: higher
    /// recall, slower queries).
    pub fn from_bytes_with_ef(
        bytes: &[u8],
        store: Arc<VectorStore>,
        ef_search: usize,
    ) -> Result<Self, CatalogError> {
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Err(CatalogError::IndexFormat(format!(
                "not an ABHNSW03 file ({} bytes{})",
                bytes.len(),
                if bytes.starts_with(b"ABHNSW") {
                    format!(
                        ", format {}: rebuild it with catalog/build.sh",
                        String::from_utf8_lossy(&bytes[6..8.min(bytes.len())])
                    )
                } else {
                    String::new()
                }
            )));
        }
        let items = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
        let dims = u32::from_le_bytes(bytes[12..16].try_into().expect("4 bytes")) as usize;
        let vectors = u64::from_le_bytes(bytes[16..24].try_into().expect("8 bytes"));
        let source = u64::from_le_bytes(bytes[24..32].try_into().expect("8 bytes"));
        // What the vectors are computed from when both sides know it (without computing them),
        // else the vectors themselves.
        let (index_fingerprint, fingerprint) = match store.source() {
            Some(store_source) if source != 0 => (source, store_source),
            _ => (vectors, store.fingerprint()),
        };
        if items != store.len() || dims != store.dims() || index_fingerprint != fingerprint {
            return Err(CatalogError::IndexMismatch {
                index_items: items,
                index_dims: dims,
                index_fingerprint,
                items: store.len(),
                dims: store.dims(),
                fingerprint,
            });
        }
        let (groups, read) = Groups::decode(&bytes[HEADER..], items)?;
        let graph = FlatGraph::decode(&bytes[HEADER + read..])?;
        if graph.len() != groups.len() {
            return Err(CatalogError::IndexFormat(format!(
                "the graph has {} points but the file has {} groups",
                graph.len(),
                groups.len()
            )));
        }
        Ok(Self {
            graph,
            groups,
            store,
            ef_search: ef_search.max(1),
            scratch: Mutex::new(None),
        })
    }

    /// The item vectors.
    pub fn store(&self) -> &Arc<VectorStore> {
        &self.store
    }

    /// The search-time candidate list size (in groups).
    pub fn ef_search(&self) -> usize {
        self.ef_search
    }

    /// Sets the search-time candidate list size (in groups; at least 1).
    pub fn set_ef_search(&mut self, ef: usize) {
        self.ef_search = ef.max(1);
    }

    /// Up to `k` approximate nearest items to the query, best first (ties by item order), with
    /// their cosine: the graph finds `ef_search` groups, and every member of those is ranked by
    /// exact cosine, as [`VectorStore::exact_top`] ranks them.
    pub fn search(&self, query: &QueryVector, k: usize) -> Vec<(usize, f32)> {
        let store = &*self.store;
        let mut all: Vec<(usize, f32)> = self
            .search_groups(query)
            .into_iter()
            .flat_map(|(g, _)| self.groups.members(g))
            .map(|&i| (i as usize, store.cosine(i as usize, query)))
            .collect();
        top_k(&mut all, k);
        all
    }

    /// The graph's `ef_search` nearest groups, nearest first, with `1 − distance` to their first
    /// member (as `instant-distance` computes it).
    fn search_groups(&self, query: &QueryVector) -> Vec<(usize, f32)> {
        let points = &self.graph.points;
        let store = &*self.store;
        let groups = &self.groups;
        let mut scratch = self
            .scratch
            .lock()
            .ok()
            .and_then(|mut s| s.take())
            .unwrap_or_default();
        // The same float expression as `ItemPoint::distance`, with the query first, as
        // instant-distance evaluates it.
        let found = self.graph.search(self.ef_search, &mut scratch, |pid| {
            let i = groups.first(points[pid as usize] as usize) as usize;
            let (row, inv_norm) = store.row(i);
            1.0 - dot(&query.data, row) as f32 * query.inv_norm * inv_norm
        });
        if let Ok(mut slot) = self.scratch.lock() {
            *slot = Some(scratch);
        }
        found
            .into_iter()
            .map(|c| (points[c.pid as usize] as usize, 1.0 - c.distance))
            .collect()
    }
}

/// Sorts `all` best first (ties by item order) and keeps the first `k`.
fn top_k(all: &mut Vec<(usize, f32)>, k: usize) {
    let by = |a: &(usize, f32), b: &(usize, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if all.len() > k {
        all.select_nth_unstable_by(k, by);
        all.truncate(k);
    }
    all.sort_unstable_by(by);
}

#[cfg(feature = "build")]
fn build_hnsw(store: Arc<VectorStore>, groups: &Groups, params: AnnParams) -> Hnsw<ItemPoint> {
    let points: Vec<ItemPoint> = (0..groups.len())
        .map(|g| ItemPoint {
            store: store.clone(),
            index: groups.first(g),
            id: g as u32,
        })
        .collect();
    // Builder::default() draws a seed from the OS; it is always replaced by `params.seed`.
    let (hnsw, _ids) = Builder::default()
        .seed(params.seed)
        .ef_construction(params.ef_construction)
        .ef_search(params.ef_search)
        .build_hnsw(points);
    hnsw
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn vectors(n: usize, dims: usize, seed: u64) -> Vec<Option<Vec<f32>>> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| Some((0..dims).map(|_| rng.random_range(-1.0f32..1.0)).collect()))
            .collect()
    }

    fn random_store(n: usize, dims: usize, seed: u64) -> Arc<VectorStore> {
        Arc::new(VectorStore::quantize(dims, &vectors(n, dims, seed)))
    }

    #[test]
    fn quantised_cosine_is_close_to_float_cosine() {
        let store = VectorStore::quantize(
            3,
            &[Some(vec![1.0, 0.0, 0.0]), Some(vec![1.0, 1.0, 0.0]), None],
        );
        let q = QueryVector::new(&[1.0, 0.0, 0.0]);
        assert!((store.cosine(0, &q) - 1.0).abs() < 1e-6);
        assert!((store.cosine(1, &q) - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-3);
        assert_eq!(store.cosine(2, &q), 0.0);
        assert_eq!(
            store
                .exact_top(&q, 2)
                .iter()
                .map(|p| p.0)
                .collect::<Vec<_>>(),
            vec![0, 1]
        );
    }

    #[test]
    fn graph_round_trips_through_bytes_and_finds_exact_neighbours() {
        let store = random_store(600, 16, 7);
        let params = AnnParams::default();
        let index = AnnIndex::build(store.clone(), params);
        let bytes = index.to_bytes();
        let loaded = AnnIndex::from_bytes(&bytes, store.clone()).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(99);
        let mut found = 0;
        for _ in 0..20 {
            let q: Vec<f32> = (0..16).map(|_| rng.random_range(-1.0f32..1.0)).collect();
            let q = QueryVector::new(&q);
            let approx = loaded.search(&q, 10);
            assert_eq!(
                approx,
                index.search(&q, 10),
                "loaded graph answers like the built one"
            );
            let exact = store.exact_top(&q, 10);
            found += exact
                .iter()
                .filter(|e| approx.iter().any(|a| a.0 == e.0))
                .count();
        }
        assert!(found >= 196, "recall@10 {found}/200 on 600 points");
    }

    #[test]
    fn flat_graph_search_returns_what_instant_distance_returns() {
        use instant_distance::Search;
        let store = random_store(800, 12, 3);
        let params = AnnParams {
            ef_search: 40,
            ..AnnParams::default()
        };
        let hnsw = build_hnsw(store.clone(), &Groups::singletons(800), params);
        let loaded = AnnIndex::from_bytes_with_ef(
            &AnnIndex::build(store.clone(), params).to_bytes(),
            store.clone(),
            40,
        )
        .unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for _ in 0..50 {
            let q: Vec<f32> = (0..12).map(|_| rng.random_range(-1.0f32..1.0)).collect();
            let query = QueryVector::new(&q);
            // instant-distance needs a point of its own type: append the query to a copy of the
            // store, so the distance is computed by the same expression.
            let Rows::Computed { data, inv_norm } = &store.rows else {
                panic!("a quantised store is computed");
            };
            let mut data = data.clone();
            data.extend(&query.data);
            let mut inv_norm = inv_norm.clone();
            inv_norm.push(query.inv_norm);
            let with_query = Arc::new(VectorStore {
                dims: 12,
                rows: Rows::Computed { data, inv_norm },
                source: None,
            });
            let point = ItemPoint {
                store: with_query,
                index: 800,
                id: 800,
            };
            let mut search = Search::default();
            let expected: Vec<(usize, f32)> = hnsw
                .search(&point, &mut search)
                .map(|item| (item.point.index as usize, 1.0 - item.distance))
                .collect();
            assert_eq!(expected.len(), 40);
            assert_eq!(loaded.search_groups(&query), expected);
            // The items found are then ranked by exact cosine.
            let mut exact: Vec<(usize, f32)> = expected
                .iter()
                .map(|&(i, _)| (i, store.cosine(i, &query)))
                .collect();
            exact.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            assert_eq!(loaded.search(&query, 40), exact);
        }
    }

    #[test]
    fn a_grouped_graph_ranks_every_member_of_the_groups_it_finds_exactly() {
        // 200 random vectors, each with 0–4 near copies right after it; the copies share its
        // group. Near-ties everywhere: the exact top 10 is often one or two whole groups.
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let (mut vectors, mut groups) = (Vec::new(), Vec::new());
        for _ in 0..200 {
            let base: Vec<f32> = (0..16).map(|_| rng.random_range(-1.0f32..1.0)).collect();
            let copies = rng.random_range(0..5);
            let first = vectors.len() as u32;
            groups.push((first..first + 1 + copies).collect::<Vec<u32>>());
            vectors.push(Some(base.clone()));
            for _ in 0..copies {
                vectors.push(Some(
                    base.iter()
                        .map(|x| x + rng.random_range(-0.02f32..0.02))
                        .collect(),
                ));
            }
        }
        let store = Arc::new(VectorStore::quantize(16, &vectors));
        let built = AnnIndex::build_grouped(store.clone(), groups, AnnParams::default()).unwrap();
        assert_eq!(built.groups(), 200);
        let loaded = AnnIndex::from_bytes_with_ef(&built.to_bytes(), store.clone(), 64).unwrap();
        assert_eq!(loaded.groups(), 200);
        for _ in 0..30 {
            let q: Vec<f32> = (0..16).map(|_| rng.random_range(-1.0f32..1.0)).collect();
            let q = QueryVector::new(&q);
            // 64 of 200 groups are searched: the ten best items are among their members, and
            // they are ranked (values and order, ties by item) exactly as the exact search does.
            assert_eq!(loaded.search(&q, 10), store.exact_top(&q, 10));
        }
        // Groups must partition the items.
        let store = random_store(5, 4, 1);
        for bad in [
            vec![vec![0, 1], vec![1, 2, 3, 4]],
            vec![vec![0, 1], vec![2, 3]],
            vec![vec![0, 1, 2, 3, 9]],
            vec![vec![1, 0], vec![2, 3, 4]],
        ] {
            assert!(matches!(
                AnnIndex::build_grouped(store.clone(), bad.clone(), AnnParams::default()),
                Err(CatalogError::IndexFormat(_))
            ));
        }
    }

    #[test]
    fn corrupt_groups_in_a_graph_file_are_errors() {
        let store = random_store(6, 4, 2);
        let groups = vec![vec![0, 2], vec![1], vec![3, 4, 5]];
        let bytes = AnnIndex::build_grouped(store.clone(), groups, AnnParams::default())
            .unwrap()
            .to_bytes();
        // The groups section follows the header: count 3, then (size, first delta, steps…).
        assert_eq!(&bytes[HEADER..HEADER + 9], &[3, 2, 0, 2, 1, 1, 3, 2, 1]);
        assert!(AnnIndex::from_bytes(&bytes, store.clone()).is_ok());
        for (at, value) in [
            (HEADER, 7),
            (HEADER + 3, 0),
            (HEADER + 6, 1),
            (HEADER + 8, 5),
        ] {
            let mut bad = bytes.clone();
            bad[at] = value;
            assert!(
                matches!(
                    AnnIndex::from_bytes(&bad, store.clone()),
                    Err(CatalogError::IndexFormat(_))
                ),
                "byte {at} set to {value}"
            );
        }
        let mut old = bytes.clone();
        old[..8].copy_from_slice(b"ABHNSW01");
        let err = AnnIndex::from_bytes(&old, store).unwrap_err().to_string();
        assert!(err.contains("format 01: rebuild it"), "{err}");
    }

    #[test]
    fn the_graph_file_starts_with_the_documented_header() {
        // Module docs: `b"ABHNSW03"`, then little-endian u32 items, u32 dims, u64 fingerprint of
        // the vectors, u64 fingerprint of their source (0: unknown).
        let store = random_store(5, 3, 4);
        let bytes = AnnIndex::build(store.clone(), AnnParams::default()).to_bytes();
        assert_eq!(&bytes[..8], b"ABHNSW03");
        assert_eq!(&bytes[8..12], &[5, 0, 0, 0]);
        assert_eq!(&bytes[12..16], &[3, 0, 0, 0]);
        assert_eq!(&bytes[16..24], &store.fingerprint().to_le_bytes());
        assert_eq!(&bytes[24..32], &[0; 8]);
        // Then the groups: five singletons (count 5, then each one's size 1 and first-member step).
        assert_eq!(&bytes[32..43], &[5, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
        // Then the graph in the compact encoding, which starts with the build's ef_search (128,
        // a two-byte varint).
        assert_eq!(AnnParams::default().ef_search, 128);
        assert_eq!(&bytes[43..45], &[0x80, 0x01]);
        // A store that knows its source writes it.
        let with_source = Arc::new(VectorStore::quantize(3, &vectors(5, 3, 4)).with_source(77));
        let bytes = AnnIndex::build(with_source, AnnParams::default()).to_bytes();
        assert_eq!(&bytes[24..32], &77u64.to_le_bytes());
    }

    /// A store of `n` seeded vectors computed on first use, with the number of vectors computed.
    fn store_on_first_use(
        n: usize,
        dims: usize,
        seed: u64,
        source: u64,
    ) -> (Arc<VectorStore>, Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let computed = Arc::new(AtomicUsize::new(0));
        let count = computed.clone();
        let all = vectors(n, dims, seed);
        let store = VectorStore::on_first_use(dims, n, source, move |range, each| {
            for i in range {
                count.fetch_add(1, Ordering::Relaxed);
                each(all[i].as_deref());
            }
        });
        (Arc::new(store), computed)
    }

    #[test]
    fn a_store_computed_on_first_use_computes_each_vector_once_in_order() {
        use std::sync::atomic::Ordering;
        let (lazy, computed) = store_on_first_use(300, 8, 6, 1);
        let eager = random_store(300, 8, 6);
        assert_eq!(
            computed.load(Ordering::Relaxed),
            0,
            "creating it computes nothing"
        );
        // Computing ahead computes from the first item not computed yet up to the one asked.
        lazy.compute(20);
        lazy.compute(15);
        assert_eq!(computed.load(Ordering::Relaxed), 20);
        lazy.compute(120);
        assert_eq!(
            (computed.load(Ordering::Relaxed), lazy.computed()),
            (120, 120)
        );
        // The first read computes all that are left, once.
        let query = QueryVector::new(&[0.5, -0.1, 0.3, 0.0, 0.9, -0.4, 0.2, 0.1]);
        assert_eq!(lazy.cosine(7, &query), eager.cosine(7, &query));
        assert_eq!(
            (computed.load(Ordering::Relaxed), lazy.computed()),
            (300, 300)
        );
        assert_eq!(lazy.item_cosine(7, 299), eager.item_cosine(7, 299));
        assert_eq!(lazy.exact_top(&query, 10), eager.exact_top(&query, 10));
        lazy.compute(300);
        assert_eq!(*lazy, *eager);
        assert_eq!(lazy.fingerprint(), eager.fingerprint());
        assert_eq!(computed.load(Ordering::Relaxed), 300);
        // A missing vector is a zero vector there too.
        let none = VectorStore::on_first_use(3, 2, 0, |range, each| {
            for i in range {
                each((i == 1).then_some(&[1.0, 0.0, 0.0][..]));
            }
        });
        assert_eq!(
            none,
            VectorStore::quantize(3, &[None, Some(vec![1.0, 0.0, 0.0])])
        );
    }

    #[test]
    fn a_graph_loads_over_vectors_computed_on_first_use_by_their_source_and_searches_the_same() {
        use std::sync::atomic::Ordering;
        let eager = Arc::new(VectorStore::quantize(8, &vectors(1000, 8, 9)).with_source(41));
        let params = AnnParams {
            ef_construction: 100,
            ef_search: 10,
            ..AnnParams::default()
        };
        let bytes = AnnIndex::build(eager.clone(), params).to_bytes();
        let built = AnnIndex::from_bytes_with_ef(&bytes, eager, 10).unwrap();
        let (lazy, computed) = store_on_first_use(1000, 8, 9, 41);
        let loaded = AnnIndex::from_bytes_with_ef(&bytes, lazy, 10).unwrap();
        assert_eq!(
            computed.load(Ordering::Relaxed),
            0,
            "loading computes no vector"
        );
        let query = QueryVector::new(&[0.1, 0.7, -0.3, 0.2, 0.0, 0.5, -0.6, 0.3]);
        assert_eq!(loaded.search(&query, 10), built.search(&query, 10));
        assert_eq!(
            computed.load(Ordering::Relaxed),
            1000,
            "the first search computes them"
        );
        // Another source is refused, still without computing a vector.
        let (other, computed) = store_on_first_use(1000, 8, 9, 42);
        let err = AnnIndex::from_bytes(&bytes, other).unwrap_err();
        assert!(
            matches!(
                err,
                CatalogError::IndexMismatch {
                    index_fingerprint: 41,
                    fingerprint: 42,
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(computed.load(Ordering::Relaxed), 0);
        // A graph file that does not know its source is checked against the vectors themselves.
        let unknown = AnnIndex::build(random_store(400, 8, 9), AnnParams::default()).to_bytes();
        let (lazy, _) = store_on_first_use(400, 8, 9, 41);
        assert!(AnnIndex::from_bytes(&unknown, lazy).is_ok());
        let (different, _) = store_on_first_use(400, 8, 10, 41);
        assert!(AnnIndex::from_bytes(&unknown, different).is_err());
    }

    #[test]
    fn a_graph_for_other_vectors_is_rejected() {
        let store = random_store(50, 8, 1);
        let bytes = AnnIndex::build(store, AnnParams::default()).to_bytes();
        let other = random_store(50, 8, 2);
        assert!(matches!(
            AnnIndex::from_bytes(&bytes, other),
            Err(CatalogError::IndexMismatch {
                index_items: 50,
                items: 50,
                ..
            })
        ));
        let store = random_store(50, 8, 1);
        assert!(matches!(
            AnnIndex::from_bytes(&bytes[..30], store.clone()),
            Err(CatalogError::IndexFormat(_))
        ));
        assert!(matches!(
            AnnIndex::from_bytes(b"garbage", store),
            Err(CatalogError::IndexFormat(_))
        ));
    }
}
