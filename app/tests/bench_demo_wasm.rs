//! The demo file (`public/demo/leads.csv`, 5,000 leads, 8 categorical columns → 78 encoded dimensions)
//! segmented with the page's defaults (automatic k, shares 5–10 %, 3 restarts, seed 0) in headless
//! Chromium: read, encode and fit timed with `Date.now()`, three runs and the median.
//!
//! Ignored by default; run in release mode (issue #14: "a segmentation of 5,000 rows in well under a
//! second"):
//!
//! ```text
//! cargo test --release -p audience-app --target wasm32-unknown-unknown --test bench_demo_wasm \
//!     -- --include-ignored --nocapture
//! ```
#![cfg(target_arch = "wasm32")]

use audience_engine::cluster::KMediansParams;
use audience_engine::encode::{default_selection, encode};
use audience_engine::ingest::{read_table, IngestOptions};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DEMO: &str = include_str!("../../public/demo/leads.csv");

fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[wasm_bindgen_test]
#[ignore = "benchmark: run in release mode with --include-ignored"]
fn the_demo_file_with_the_page_defaults_in_headless_chromium() {
    let mut fits = Vec::new();
    for run in 1..=3 {
        let started = now_ms();
        let table = read_table(DEMO.as_bytes(), &IngestOptions::default())
            .expect("the demo reads")
            .table;
        let read = now_ms();
        let matrix =
            encode(&table, &default_selection(&table, Some("is_sale"))).expect("the demo encodes");
        let encoded = now_ms();
        let result = KMediansParams::new()
            .validate(matrix.n_rows)
            .expect("the defaults fit 5,000 rows")
            .fit(&matrix)
            .expect("the demo segments");
        let fitted = now_ms();
        fits.push((fitted - encoded) / 1000.0);
        console_log!(
            "{}",
            format!(
                "| run {run} | {} rows × {} dims | read {:.3} s | encode {:.3} s | fit {:.3} s | k {} | cost {:.3} |",
                matrix.n_rows,
                matrix.n_dims,
                (read - started) / 1000.0,
                (encoded - read) / 1000.0,
                (fitted - encoded) / 1000.0,
                result.k,
                result.cost
            )
        );
    }
    fits.sort_by(f64::total_cmp);
    console_log!("| median fit | {:.3} s |", fits[1]);
}
