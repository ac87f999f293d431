//! The demo file (`public/demo/leads.csv`, 5,000 leads, 8 categorical columns → 78 encoded dimensions)
//! segmented with the page's defaults (automatic k, shares 5–10 %, 3 restarts, seed 0) in headless
//! Chromium: read, encode and fit timed with `Date.now()`, three runs and the median.
//!
//! Then one cost fill (every row's distance to every center) with the dense kernel and the grouped one.
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
    cost_fill_kernels();
    fits.sort_by(f64::total_cmp);
    console_log!("| median fit | {:.3} s |", fits[1]);
}

/// One cost fill (every row's distance to every center of a fit) three ways: the dense lane sum over all
/// 78 dimensions (mask-free, as for rows that miss nothing), the same with the missing-value masks, and the
/// grouped kernel the fit uses (each one-hot categorical variable in one term, all centers at once).
fn cost_fill_kernels() {
    use audience_engine::encode::distance::{
        l1_distance, l1_distance_complete, total_weight, AllCentersScratch,
    };
    let table = read_table(DEMO.as_bytes(), &IngestOptions::default())
        .unwrap()
        .table;
    let m = encode(&table, &default_selection(&table, Some("is_sale"))).unwrap();
    let fit = KMediansParams::new().fit(&m).unwrap();
    let d = m.n_dims;
    let k = fit.k;
    let reps = 20;
    let mut out = vec![0f32; k];
    let mut checksum = 0f64;
    let mut time = |fill: &mut dyn FnMut(usize, &mut [f32])| {
        let started = now_ms();
        for _ in 0..reps {
            for i in 0..m.n_rows {
                fill(i, &mut out);
                checksum += out.iter().map(|&x| x as f64).sum::<f64>();
            }
        }
        (now_ms() - started) / reps as f64
    };
    let centers = &fit.centers;
    let dense = time(&mut |i, out| {
        for (slot, c) in out.iter_mut().zip(centers.chunks_exact(d)) {
            *slot = l1_distance_complete(m.row(i), c);
        }
    });
    let (weights, total) = (m.rescale_weights(), total_weight(m.rescale_weights()));
    let masked = time(&mut |i, out| {
        for (slot, c) in out.iter_mut().zip(centers.chunks_exact(d)) {
            *slot = l1_distance(m.row(i), c, weights, total);
        }
    });
    let layout = m.layout();
    let shapes = layout.row_shapes(&m.data);
    let prepared = layout.prepare_centers(centers);
    let mut scratch = AllCentersScratch::default();
    let grouped = time(&mut |i, out| {
        layout.distances_to_all(m.row(i), shapes.row(i), &prepared, &mut scratch, out);
    });
    console_log!(
        "{}",
        format!(
            "| cost fill, {} rows × k {k} | dense {dense:.2} ms | dense with masks {masked:.2} ms | grouped {grouped:.2} ms | (checksum {checksum:.0}) |",
            m.n_rows
        )
    );
}
