//! The worker's LoadFile and Segment requests natively, per phase (issues #14 and #21): the `Session` the
//! Web Worker runs reads a file and segments it with the page's defaults (automatic k, shares 5–10 %, seed
//! 0, a description), and the time between the worker's progress stages is reported per phase (read,
//! encode, fit, profiles and the rest, scatter projection), median of `--runs`.
//!
//! Without `--file` it is the shipped demo (`public/demo/leads.csv`, 5,000 leads, conversion `is_sale`);
//! `scripts/bench-app.sh`'s seeded files segment on the benchmark's 12 columns:
//!
//! ```text
//! cargo run --release -p audience-app --example segment_session_bench -- \
//!     [--runs 5] [--columns "Industry,Job Title,Lead Source"]
//! cargo run --release -p audience-engine --example ingest_bench -- --generate 100000 /tmp/rows-100000.csv 7
//! cargo run --release -p audience-app --example segment_session_bench -- --file /tmp/rows-100000.csv \
//!     --columns age,gender,state,industry,income,tenure,education,channel,visits,spend,rating,newsletter \
//!     --target "" --runs 3
//! ```

use std::time::Instant;

use audience_app::protocol::{Request, Response, SegmentSettings, VariableChoice};
use audience_app::service::Session;
use audience_engine::cluster::ShareBounds;
use audience_engine::ingest::HeaderMode;

const DEMO: &[u8] = include_bytes!("../../public/demo/leads.csv");
const DEMO_DESCRIPTION: &str = "senior tech decision makers who came through referrals";
const FILE_DESCRIPTION: &str = "high income customers who visit often and spend a lot";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let option = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let runs: usize = option("--runs").and_then(|v| v.parse().ok()).unwrap_or(5);
    let columns = option("--columns").unwrap_or_else(|| "Industry,Job Title,Lead Source".into());
    let path = option("--file");
    let bytes = match &path {
        Some(path) => std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}")),
        None => DEMO.to_vec(),
    };
    let target = option("--target").unwrap_or_else(|| {
        if path.is_some() {
            String::new()
        } else {
            "is_sale".into()
        }
    });
    let name = path.clone().unwrap_or_else(|| "demo".into());
    let settings = SegmentSettings {
        variables: columns
            .split(',')
            .map(|column| VariableChoice {
                column: column.trim().into(),
                weight: 1.0,
            })
            .collect(),
        bounds: Some(ShareBounds {
            min: 0.05,
            max: 0.10,
        }),
        k: None,
        seed: 0,
        target: (!target.is_empty()).then(|| target.clone()),
        description: if path.is_some() {
            FILE_DESCRIPTION
        } else {
            DEMO_DESCRIPTION
        }
        .into(),
        tiers: Default::default(),
        positive_value: None,
        filter: None,
    };
    let phases = [
        "read (LoadFile)",
        "encode",
        "fit",
        "profiles and the rest",
        "projection",
    ];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); phases.len() + 1];
    let mut k = 0;
    for _ in 0..runs {
        let mut session = Session::new();
        let clock = Instant::now();
        let loaded = session.handle(
            Request::LoadFile {
                file_name: name.clone(),
                header: HeaderMode::Auto,
            },
            Some(&bytes),
            &mut |_| {},
        );
        assert!(matches!(loaded, Response::Loaded(_)), "{loaded:?}");
        let read = clock.elapsed().as_secs_f64();
        times[0].push(read);
        let started = Instant::now();
        // When each phase's first progress report came (the encoding's is the request's start).
        let mut first: Vec<Option<f64>> = vec![None; phases.len() - 1];
        first[0] = Some(0.0);
        let answer = session.handle(Request::Segment(settings.clone()), None, &mut |update| {
            let phase = match update.stage.as_str() {
                s if s.starts_with("Encoding") => 0,
                s if s.starts_with("Profiling") => 2,
                s if s.starts_with("Projecting") => 3,
                _ => 1,
            };
            first[phase].get_or_insert(started.elapsed().as_secs_f64());
        });
        let total = started.elapsed().as_secs_f64();
        let Response::Segmented(results) = answer else {
            panic!("not segmented: {answer:?}");
        };
        k = results.segmentation.k;
        let starts: Vec<f64> = first
            .iter()
            .map(|t| t.expect("every phase reports"))
            .collect();
        // A phase lasts until the next one starts, whichever order the worker runs them in.
        for phase in 0..starts.len() {
            let end = starts
                .iter()
                .copied()
                .filter(|&start| start > starts[phase])
                .fold(total, f64::min);
            times[phase + 1].push(end - starts[phase]);
        }
        times[phases.len()].push(read + total);
    }
    println!("{name}, {columns}: k = {k}, median of {runs} runs");
    for (name, mut values) in phases.iter().chain(["total"].iter()).zip(times) {
        values.sort_by(f64::total_cmp);
        println!("{name:<26} {:.3} s", values[values.len() / 2]);
    }
}
