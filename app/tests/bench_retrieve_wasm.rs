//! The census retrieval benchmark in the browser: `retrieve` of three measures (B19013_001E, B25077_001E,
//! DP02_0068PE) for a seeded 100k-row customer table, timed in headless Chromium with `Date.now()`. The
//! ZIP column mixes the shapes files write (5 digits, leading zero dropped, ZIP+4) with blank, foreign and
//! unknown codes, as the native `retrieve_bench` example does.
//!
//! Ignored by default so the normal wasm test run stays quick:
//!
//! ```text
//! BENCH_ROWS=100000 cargo test --release -p audience-app --target wasm32-unknown-unknown \
//!     --test bench_retrieve_wasm -- --include-ignored --nocapture
//! ```
#![cfg(target_arch = "wasm32")]

use audience_engine::ingest::{read_table, IngestOptions};
use audience_engine::retrieve::{retrieve, CensusData, Manifest, RetrieveRequest};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const MANIFEST: &[u8] = include_bytes!("../../catalog/dist/census/manifest.json");
const INDEX: &[u8] = include_bytes!("../../catalog/dist/census/zips.bin");
const MEASURES: [(&str, &[u8]); 3] = [
    (
        "median_household_income.bin",
        include_bytes!("../../catalog/dist/census/median_household_income.bin"),
    ),
    (
        "median_home_value.bin",
        include_bytes!("../../catalog/dist/census/median_home_value.bin"),
    ),
    (
        "pct_bachelors_or_higher.bin",
        include_bytes!("../../catalog/dist/census/pct_bachelors_or_higher.bin"),
    ),
];

/// xorshift64*: a seeded stream without a dependency.
struct Stream(u64);

impl Stream {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

#[wasm_bindgen_test]
#[ignore = "benchmark: run by hand in release mode"]
fn retrieve_on_100k_rows_in_headless_chromium() {
    let rows: usize = option_env!("BENCH_ROWS")
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let codes: Vec<String> = ["B19013_001E", "B25077_001E", "DP02_0068PE"]
        .map(str::to_owned)
        .to_vec();
    let started = js_sys::Date::now();
    let mut data = CensusData::new(Manifest::from_json(MANIFEST).unwrap(), INDEX).unwrap();
    for (file, bytes) in MEASURES {
        data.add_measure(file, bytes).unwrap();
    }
    let load_ms = js_sys::Date::now() - started;
    let zips = data.index().zips().to_vec();
    let mut stream = Stream(7);
    let mut csv = String::from("customer_id,postal_code,spend\n");
    for i in 0..rows {
        let zip = zips[stream.below(zips.len() as u64) as usize];
        let cell = match stream.below(100) {
            0 => String::new(),
            1 => "SW1A 1AA".to_owned(),
            2..=4 => "99999".to_owned(),
            5..=24 => format!("{zip}"),
            25..=34 => format!("{zip:05}-{:04}", stream.below(10_000)),
            _ => format!("{zip:05}"),
        };
        csv += &format!("C{i},{cell},{}\n", 5 + stream.below(495));
    }
    let table = read_table(csv.as_bytes(), &IngestOptions::default())
        .unwrap()
        .table;
    let request = RetrieveRequest::new(codes);
    let mut times = Vec::new();
    let mut rows_read = 0;
    for _ in 0..5 {
        let started = js_sys::Date::now();
        let retrieved = retrieve(&table, &data, &request).unwrap();
        times.push(js_sys::Date::now() - started);
        rows_read = retrieved.coverage.rows;
    }
    assert_eq!(rows_read, rows, "every row is looked up");
    times.sort_by(f64::total_cmp);
    web_sys::console::log_1(
        &format!(
            "retrieve_wasm: {rows} rows, 3 codes, release wasm in headless Chromium: assets loaded from bytes \
             {load_ms:.0} ms, retrieve median of 5 {:.0} ms (min {:.0}, max {:.0})",
            times[2], times[0], times[4]
        )
        .into(),
    );
}
