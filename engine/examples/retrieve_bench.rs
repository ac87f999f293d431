//! Retrieval benchmark: time to append census values to a customer table by ZIP code, natively.
//!
//! ```text
//! cargo run --release -p audience-engine --example retrieve_bench -- [ROWS] [CODES] [RUNS]
//! # defaults: 100000 rows, B19013_001E,B25077_001E,DP02_0068PE, 5 runs
//! ```
//!
//! Reads the committed assets from `catalog/dist/census/`, makes a seeded customer table of ROWS rows whose
//! ZIP column mixes real ZIPs as files write them (5 digits, leading zero dropped, ZIP+4) with 5 % blank,
//! foreign and unknown codes, then reports the median wall time of: loading the assets (manifest, index and
//! the measures asked for, from bytes already in memory) and `retrieve` (detecting the ZIP column, looking
//! up every row, appending one column per code). Reading the CSV itself is not counted.

use std::time::Instant;

use audience_engine::ingest::{read_table, IngestOptions};
use audience_engine::retrieve::{retrieve, CensusData, Manifest, RetrieveRequest};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rows: usize = args
        .first()
        .map_or(100_000, |a| a.parse().expect("ROWS is a number"));
    let codes: Vec<String> = args
        .get(1)
        .map_or("B19013_001E,B25077_001E,DP02_0068PE", String::as_str)
        .split(',')
        .map(str::to_owned)
        .collect();
    let runs: usize = args
        .get(2)
        .map_or(5, |a| a.parse().expect("RUNS is a number"));

    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog/dist/census/");
    let read =
        |file: &str| std::fs::read(format!("{dir}{file}")).expect("catalog/dist/census is built");
    let manifest_bytes = read("manifest.json");
    let manifest = Manifest::from_json(&manifest_bytes).unwrap();
    let files: Vec<(String, Vec<u8>)> = manifest
        .files_for(&codes)
        .unwrap()
        .iter()
        .map(|f| (f.to_string(), read(f)))
        .collect();
    let fetched: usize = manifest_bytes.len() + files.iter().map(|(_, b)| b.len()).sum::<usize>();
    let load = || {
        let manifest = Manifest::from_json(&manifest_bytes).unwrap();
        let mut data = CensusData::new(manifest, &files[0].1).unwrap();
        for (file, bytes) in &files[1..] {
            data.add_measure(file, bytes).unwrap();
        }
        data
    };
    let data = load();

    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let zips = data.index().zips();
    let mut csv = String::from("customer_id,postal_code,spend\n");
    for i in 0..rows {
        let zip = zips[rng.random_range(0..zips.len())];
        let cell = match rng.random_range(0..100) {
            0 => String::new(),
            1 => "SW1A 1AA".to_owned(),
            2..=4 => "99999".to_owned(),
            5..=24 => format!("{zip}"),
            25..=34 => format!("{zip:05}-{:04}", rng.random_range(0..10_000)),
            _ => format!("{zip:05}"),
        };
        csv += &format!("C{i},{cell},{}\n", rng.random_range(5..500));
    }
    let table = read_table(csv.as_bytes(), &IngestOptions::default())
        .unwrap()
        .table;
    let request = RetrieveRequest::new(codes.clone());

    let mut load_ms = Vec::new();
    let mut retrieve_ms = Vec::new();
    let mut coverage = None;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let data = load();
        load_ms.push(started.elapsed().as_secs_f64() * 1e3);
        let started = Instant::now();
        let retrieved = retrieve(&table, &data, &request).unwrap();
        retrieve_ms.push(started.elapsed().as_secs_f64() * 1e3);
        coverage = Some(retrieved.coverage);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let c = coverage.unwrap();
    println!(
        "retrieve_bench: {rows} rows, {} codes ({}), {} runs (median), native release",
        codes.len(),
        codes.join(","),
        runs.max(1)
    );
    println!(
        "  assets used: {} files, {fetched} bytes raw",
        files.len() + 1
    );
    println!("  load assets: {:.1} ms", median(&mut load_ms));
    println!("  retrieve:    {:.1} ms", median(&mut retrieve_ms));
    println!(
        "  coverage: zcta {}, county {}, small-area {}, unmatched {}, invalid {}, blank {}",
        c.zcta, c.county, c.small_area, c.unmatched, c.invalid, c.blank
    );
}
