//! The segmentation benchmark in the browser: `KMediansParams::fit` on the benchmark's generated 100k rows
//! (the shared `cluster::bench_data` generator, same seed, k = 14, shares 5–10 %, one restart), timed in
//! headless Chromium with `Date.now()`.
//!
//! Ignored by default so the normal wasm test run stays quick; `scripts/bench-segment.sh` runs it in release
//! mode and copies its table line next to the native rows:
//!
//! ```text
//! BENCH_ROWS=100000 cargo test --release -p audience-app --target wasm32-unknown-unknown \
//!     --test bench_segment_wasm -- --include-ignored --nocapture
//! ```
//!
//! It prints one Markdown table row per run plus a median row, with the labels' FNV-1a hash that the native
//! benchmark prints too: equal hashes mean bit-identical labels natively and in wasm.
#![cfg(target_arch = "wasm32")]

use audience_engine::cluster::bench_data::{labels_fingerprint, mixed_table, ENCODED_DIMS};
use audience_engine::cluster::{l1_cost, KChoice, KMediansParams, ShareBounds};
use audience_engine::encode::{default_selection, encode};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Milliseconds since the epoch (`Date.now()`: whole milliseconds, ample for runs of a second).
fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Size of the module's linear memory in MB: it only grows, so it bounds the peak heap of the whole test
/// (generator and encoded matrix included).
fn linear_memory_mb() -> f64 {
    use wasm_bindgen::JsCast;
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map_or(f64::NAN, |m| {
            m.buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map_or(f64::NAN, |b| b.byte_length() as f64 / 1e6)
        })
}

#[wasm_bindgen_test]
#[ignore = "benchmark: run by scripts/bench-segment.sh in release mode"]
fn fit_on_the_benchmark_rows_in_headless_chromium() {
    let rows: usize = option_env!("BENCH_ROWS")
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let seed = 1;
    let k = 14;
    let table = mixed_table(rows, seed);
    let matrix = encode(&table, &default_selection(&table, None)).expect("bench data encodes");
    drop(table);
    assert_eq!(matrix.n_dims, ENCODED_DIMS);
    let params = KMediansParams::new()
        .with_k(KChoice::Fixed(k))
        .with_bounds(Some(ShareBounds {
            min: 0.05,
            max: 0.10,
        }))
        .with_restarts(1)
        .with_seed(seed);
    let mut times = Vec::new();
    let mut first = None;
    let mut shares = (0.0, 0.0);
    for run in 1..=3 {
        let started = now_ms();
        let result = params.fit(&matrix).expect("bench data segments");
        let seconds = (now_ms() - started) / 1000.0;
        times.push(seconds);
        let cost = l1_cost(&matrix, &result.labels, k).expect("valid labels");
        let limits = ShareBounds {
            min: 0.05,
            max: 0.10,
        }
        .limits(rows);
        assert!(result
            .sizes
            .iter()
            .all(|&s| (limits.lower..=limits.upper).contains(&s)));
        let fingerprint = labels_fingerprint(&result.labels);
        let share = |s: Option<&usize>| *s.expect("k > 0") as f64 / rows as f64;
        shares = (
            share(result.sizes.iter().min()),
            share(result.sizes.iter().max()),
        );
        console_log!(
            "wasm run {run}: {seconds:.3} s, cost {cost:.1}, labels {fingerprint:016x}, {} iterations, certified: {}",
            result.iterations,
            result.certified
        );
        match &first {
            None => first = Some((fingerprint, cost, result.iterations, result.certified)),
            Some(seen) => assert_eq!(seen.0, fingerprint, "same seed, same labels"),
        }
    }
    times.sort_by(f64::total_cmp);
    let (fingerprint, cost, iterations, certified) = first.expect("three runs");
    console_log!(
        "| {rows} | audience K-Medians, wasm in headless Chromium (1 restart) | {:.3} | – | {:.1} | {:.4} | {:.4} | {cost:.1} | median of 3 runs ({:.3} / {:.3} / {:.3} s); wall clock only; memory = wasm linear memory; labels {fingerprint:016x}; {iterations} iterations; certified: {certified} |",
        times[1],
        linear_memory_mb(),
        shares.0,
        shares.1,
        times[0],
        times[1],
        times[2]
    );
}
