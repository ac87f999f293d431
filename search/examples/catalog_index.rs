//! Builds the HNSW graph of the default catalog: `catalog/dist/hnsw.bin`.
//!
//! ```text
//! RAYON_NUM_THREADS=1 cargo run --release -p audience-search --example catalog_index -- catalog/dist
//! ```
//!
//! Reads `catalog.jsonl`, `embed/vocab.txt` and `embed/table.i8` from the folder, embeds every
//! variable, builds the graph with the fixed seed of `AnnParams::default()` and writes `hnsw.bin`.
//! `catalog/build.sh` runs it with one rayon thread, which makes the graph byte-for-byte reproducible.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use audience_search::{AnnParams, Catalog, Lexicon, SearchIndex, StaticEmbedder};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "catalog/dist".into()),
    );
    let read = |name: &str| {
        std::fs::read(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()))
    };
    let started = Instant::now();
    let catalog = Catalog::from_bytes(&read("catalog.jsonl")?)?;
    let embedder = Arc::new(StaticEmbedder::from_bytes(
        &read("embed/vocab.txt")?,
        &read("embed/table.i8")?,
    )?);
    let index = SearchIndex::new(catalog, embedder, Lexicon::default_lexicon(), None)?;
    println!(
        "embedded {} variables ({} dims) in {:.2} s",
        index.catalog().len(),
        index.embedder().dims(),
        started.elapsed().as_secs_f64()
    );
    // `EF_CONSTRUCTION=400` tries another build-time candidate list size (the default is
    // `AnnParams::default()`'s, which built the committed graph).
    let mut params = AnnParams::default();
    if let Some(ef) = std::env::var("EF_CONSTRUCTION")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        params.ef_construction = ef;
    }
    let started = Instant::now();
    let bytes = index.build_graph(params);
    let out = dir.join("hnsw.bin");
    std::fs::write(&out, &bytes)?;
    println!(
        "built HNSW (seed {:#x}, ef_construction {}, ef_search {}) in {:.1} s: {} ({} bytes, vector fingerprint {:016x}, source fingerprint {:016x})",
        params.seed,
        params.ef_construction,
        params.ef_search,
        started.elapsed().as_secs_f64(),
        out.display(),
        bytes.len(),
        index.store().fingerprint(),
        index.store().source().unwrap_or_default()
    );
    Ok(())
}
