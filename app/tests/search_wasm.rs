//! Variable-search benchmark in headless Chromium: the committed catalog artifacts, loaded and
//! searched by the engine compiled to wasm, inside a dedicated worker as in the app.
//!
//! Prints the index-ready time (from bytes in memory to a searchable index: the time after the
//! assets arrive) and the query latency p50/p95 over the benchmark queries, query embedding
//! included. Gated behind the `search-bench` feature, so the normal test run neither compiles the
//! 25 MB of artifacts in nor spends the time; `scripts/bench-search.sh` runs it:
//!
//! ```text
//! cargo test -p audience-app --release --target wasm32-unknown-unknown --features search-bench --test search_wasm
//! ```
#![cfg(all(target_arch = "wasm32", feature = "search-bench"))]

use audience_search::{
    catalog_vectors_on_first_use, embed_catalog, pack, AnnIndex, Lexicon, QueryVector,
    SearchAssets, SearchIndex, SearchMode, SearchOptions, StaticEmbedder,
};
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const CATALOG: &[u8] = include_bytes!("../../catalog/dist/catalog.bin");
const VOCAB: &[u8] = include_bytes!("../../catalog/dist/embed/vocab.txt");
const TABLE: &[u8] = include_bytes!("../../catalog/dist/embed/table.i8");
const GRAPH: &[u8] = include_bytes!("../../catalog/dist/hnsw.bin");
const QUERIES: &str = include_str!("../../catalog/bench/queries.json");

/// Rounds over the query set for the latency figures.
const ROUNDS: usize = 20;

#[wasm_bindgen]
extern "C" {
    /// `performance.now()` of the worker's global scope, in milliseconds.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn now() -> f64;
}

fn assets() -> SearchAssets<'static> {
    SearchAssets {
        catalog: CATALOG,
        vocab: VOCAB,
        table: TABLE,
        graph: Some(GRAPH),
    }
}

fn queries() -> Vec<String> {
    let set: serde_json::Value = serde_json::from_str(QUERIES).expect("queries.json is JSON");
    set["queries"]
        .as_array()
        .expect("a queries array")
        .iter()
        .map(|q| q["query"].as_str().expect("a query string").to_string())
        .collect()
}

/// `ROUNDS` timed searches of every query, in milliseconds, sorted.
fn timed_rounds(index: &SearchIndex, queries: &[String], options: &SearchOptions) -> Vec<f64> {
    let mut times = Vec::with_capacity(ROUNDS * queries.len());
    for _ in 0..ROUNDS {
        for q in queries {
            let t = now();
            let found = index.search(q, options);
            times.push(now() - t);
            std::hint::black_box(found);
        }
    }
    times.sort_by(f64::total_cmp);
    times
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The smallest non-zero step of the clock (Chromium coarsens it unless cross-origin isolated).
fn clock_resolution() -> f64 {
    let mut best = f64::MAX;
    for _ in 0..20 {
        let start = now();
        let mut t = now();
        while t == start {
            t = now();
        }
        best = best.min(t - start);
    }
    best
}

#[wasm_bindgen_test]
fn search_bench_in_the_browser() {
    console_log!("SEARCH-BENCH clock resolution {:.3} ms", clock_resolution());

    // Index ready: three loads, step by step (the first one also warms the wasm code), then one
    // in a single call. The first is what the app sees: it loads the index once per worker. The
    // item vectors are computed by the first search, so each load is followed by one search, whose
    // time includes computing them all.
    let mut totals = Vec::new();
    for run in 1..=3 {
        let t0 = now();
        let (catalog, lexical) =
            pack::unpack(CATALOG, Lexicon::default_lexicon()).expect("the catalog loads");
        let t1 = now();
        let embedder = Arc::new(StaticEmbedder::from_bytes(VOCAB, TABLE).expect("the table loads"));
        let t2 = now();
        let catalog = Arc::new(catalog);
        let store = Arc::new(catalog_vectors_on_first_use(&catalog, &embedder));
        let t3 = now();
        let graph = AnnIndex::from_bytes(GRAPH, store).expect("the graph fits the catalog");
        let t4 = now();
        let query = QueryVector::new(
            &embedder
                .embed("people who drive alone to work")
                .expect("known words"),
        );
        std::hint::black_box(graph.search(&query, 10));
        let t5 = now();
        console_log!(
            "SEARCH-BENCH load run {run}: unpack catalog + lexical index {:.0} ms, embedding table {:.0} ms, source fingerprint {:.0} ms, graph {:.0} ms, total {:.0} ms; then the first embedding search (its vectors computed) {:.0} ms",
            t1 - t0,
            t2 - t1,
            t3 - t2,
            t4 - t3,
            t4 - t0,
            t5 - t4
        );
        totals.push(t4 - t0);
        drop((catalog, lexical, graph));
    }
    {
        let (catalog, _) = pack::unpack(CATALOG, Lexicon::default_lexicon()).expect("loads");
        let embedder = StaticEmbedder::from_bytes(VOCAB, TABLE).expect("the table loads");
        let t0 = now();
        std::hint::black_box(embed_catalog(&catalog, &embedder));
        console_log!(
            "SEARCH-BENCH every item vector at once (what loading cost before they were computed on first use): {:.0} ms",
            now() - t0
        );
    }
    let t0 = now();
    let mut index = SearchIndex::from_bytes(&assets()).expect("the assets load");
    let ready = now() - t0;
    totals.push(ready);
    let first = totals[0];
    totals.sort_by(f64::total_cmp);
    console_log!(
        "| wasm (Chromium, worker) | index ready (`SearchIndex::from_bytes`) | first load {:.0} ms; median of {} loads {:.0} ms |",
        first,
        totals.len(),
        percentile(&totals, 0.5)
    );
    let t0 = now();
    std::hint::black_box(index.search_concepts(
        "environmentally conscious millennials with high disposable income in urban areas",
        &SearchOptions::default(),
    ));
    console_log!(
        "| wasm (Chromium, worker) | first request after loading (`search_concepts`, its item vectors computed) | {:.0} ms |",
        now() - t0
    );

    // The wasm build's vector arithmetic (SIMD dot products) finds what the native build finds.
    let semantic = SearchOptions {
        mode: SearchMode::Semantic,
        ..SearchOptions::default()
    };
    let top = index.search("people who drive alone to work", &semantic);
    assert!(
        top[0].label.to_lowercase().contains("drove alone"),
        "embedding search top hit: {} {}",
        top[0].code,
        top[0].label
    );

    let queries = queries();
    // Hybrid latency for other HNSW candidate list sizes (the default's row is below).
    for ef in [96, 192] {
        index.set_ef_search(ef);
        let options = SearchOptions::default();
        for q in &queries {
            std::hint::black_box(index.search(q, &options));
        }
        let times = timed_rounds(&index, &queries, &options);
        console_log!(
            "| wasm (Chromium, worker) | query latency, hybrid, ef_search {ef} ({} queries × {ROUNDS}) | p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms |",
            queries.len(),
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            times[times.len() - 1]
        );
    }
    index.set_ef_search(audience_search::ann::EF_SEARCH);
    for (name, mode) in [
        ("lexical", SearchMode::Lexical),
        ("embedding (HNSW)", SearchMode::Semantic),
        ("hybrid", SearchMode::Hybrid),
    ] {
        let options = SearchOptions {
            mode,
            ..SearchOptions::default()
        };
        // One warm-up round, then timed rounds.
        let mut hits = 0usize;
        for q in &queries {
            hits += index.search(q, &options).len();
        }
        assert!(hits > 0, "{name}: the benchmark queries find something");
        let times = timed_rounds(&index, &queries, &options);
        console_log!(
            "| wasm (Chromium, worker) | query latency, {name}, ef_search {} ({} queries × {ROUNDS}) | p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms |",
            audience_search::ann::EF_SEARCH,
            queries.len(),
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            times[times.len() - 1]
        );
    }
}
