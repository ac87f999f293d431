//! The worker's requests on a file in headless Chromium, per phase: LoadFile, Suggest (the catalog
//! installed in the same session, its item vectors computed first, as the catalog worker does while it is
//! idle), and Segment (encode, fit, projection, profiles), median of three runs.
//!
//! Each run is a new session in the same module, so the first run shows the cost of code the browser has
//! not optimised yet (the user's first request), the others of optimised code. `BENCH_REHEARSE=N` runs
//! the worker's rehearsal of `N` made-up rows first (`service::rehearse`), as the warm-up worker does.
//!
//! Compiled only with the `session-bench` feature, which needs the file at compile time:
//!
//! ```text
//! [BENCH_REHEARSE=2000] BENCH_SESSION_FILE=/tmp/rows-100000.csv cargo test --release -p audience-app \
//!     --target wasm32-unknown-unknown --features session-bench --test bench_session_wasm -- --nocapture
//! ```
#![cfg(all(target_arch = "wasm32", feature = "session-bench"))]

use audience_app::protocol::{Request, Response, SegmentSettings, VariableChoice};
use audience_app::service::Session;
use audience_engine::cluster::ShareBounds;
use audience_engine::ingest::HeaderMode;
use audience_search::SearchAssets;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const FILE: &[u8] = include_bytes!(env!(
    "BENCH_SESSION_FILE",
    "the session-bench feature benchmarks the CSV file named by BENCH_SESSION_FILE"
));
const CATALOG: &[u8] = include_bytes!("../../catalog/dist/catalog.bin");
const VOCAB: &[u8] = include_bytes!("../../catalog/dist/embed/vocab.txt");
const TABLE: &[u8] = include_bytes!("../../catalog/dist/embed/table.i8");
const GRAPH: &[u8] = include_bytes!("../../catalog/dist/hnsw.bin");
const COLUMNS: [&str; 12] = [
    "age",
    "gender",
    "state",
    "industry",
    "income",
    "tenure",
    "education",
    "channel",
    "visits",
    "spend",
    "rating",
    "newsletter",
];
const DESCRIPTION: &str = "high income customers who visit often and spend a lot";

fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[wasm_bindgen_test]
fn the_workers_requests_per_phase() {
    let phases = [
        "read (LoadFile)",
        "suggest (Suggest)",
        "encode and order",
        "fit",
        "projection",
        "profiles and the rest",
        "total",
    ];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); phases.len()];
    if let Some(rows) = option_env!("BENCH_REHEARSE").and_then(|rows| rows.parse().ok()) {
        let clock = now_ms();
        drop(audience_app::service::rehearse(rows));
        console_log!("rehearsal of {rows} rows: {:.0} ms", now_ms() - clock);
    }
    for _ in 0..3 {
        let mut session = Session::new();
        let ready = session.install_catalog(&SearchAssets {
            catalog: CATALOG,
            vocab: VOCAB,
            table: TABLE,
            graph: Some(GRAPH),
        });
        assert!(matches!(ready, Response::CatalogReady { .. }), "{ready:?}");
        session.compute_catalog_vectors(0, usize::MAX);
        let clock = now_ms();
        let loaded = session.handle(
            Request::LoadFile {
                file_name: "bench.csv".into(),
                header: HeaderMode::Auto,
            },
            Some(FILE),
            &mut |_| {},
        );
        assert!(matches!(loaded, Response::Loaded(_)), "{loaded:?}");
        let read = now_ms() - clock;
        let clock = now_ms();
        let suggested = session.handle(
            Request::Suggest {
                query: DESCRIPTION.into(),
                data_kind: None,
                withheld: Vec::new(),
            },
            None,
            &mut |_| {},
        );
        assert!(matches!(suggested, Response::Suggestions(_)));
        let suggest = now_ms() - clock;
        let settings = SegmentSettings {
            variables: COLUMNS
                .iter()
                .map(|column| VariableChoice {
                    column: (*column).into(),
                    weight: 1.0,
                })
                .collect(),
            bounds: Some(ShareBounds {
                min: 0.05,
                max: 0.10,
            }),
            k: None,
            seed: 42,
            target: None,
            description: DESCRIPTION.into(),
            tiers: Default::default(),
            positive_value: None,
            filter: None,
        };
        let started = now_ms();
        let mut marks: Vec<(usize, f64)> = Vec::new();
        let answer = session.handle(Request::Segment(settings), None, &mut |update| {
            let phase = match update.stage.as_str() {
                s if s.starts_with("Encoding") => 2,
                s if s.starts_with("Projecting") => 4,
                s if s.starts_with("Profiling") => 5,
                _ => 3,
            };
            if marks.last().is_none_or(|(p, _)| *p != phase) {
                marks.push((phase, now_ms() - started));
            }
        });
        let total = now_ms() - started;
        let Response::Segmented(results) = answer else {
            panic!("not segmented: {answer:?}");
        };
        for (at, &(phase, start)) in marks.iter().enumerate() {
            let end = marks.get(at + 1).map_or(total, |m| m.1);
            times[phase].push(end - start);
        }
        times[0].push(read);
        times[1].push(suggest);
        times[6].push(read + suggest + total);
        console_log!(
            "run: read {read:.0} ms, suggest {suggest:.0} ms, segment {total:.0} ms, k = {}, cost {:.1}",
            results.segmentation.k,
            results.segmentation.cost
        );
    }
    for (name, mut values) in phases.iter().zip(times) {
        values.sort_by(f64::total_cmp);
        console_log!("{name:<26} {:.0} ms", values[values.len() / 2]);
    }
}
