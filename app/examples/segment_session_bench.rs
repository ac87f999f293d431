//! The worker's Segment request on the shipped demo file, natively (issue #14: "a segmentation of 5,000
//! rows in well under a second"): the `Session` the Web Worker runs loads `public/demo/leads.csv` and
//! segments it with the page's defaults (automatic k, shares 5–10 %, seed 0, the demo's description),
//! and the time between the worker's progress stages is reported per phase (encode, fit, profiles,
//! scatter projection and the rest), median of `--runs`.
//!
//! ```text
//! cargo run --release -p audience-app --example demo_session_bench -- \
//!     [--runs 5] [--columns "Industry,Job Title,Lead Source"]
//! ```

use std::time::Instant;

use audience_app::protocol::{Request, Response, SegmentSettings, VariableChoice};
use audience_app::service::Session;
use audience_engine::cluster::ShareBounds;
use audience_engine::ingest::HeaderMode;

const DEMO: &[u8] = include_bytes!("../../public/demo/leads.csv");
const DESCRIPTION: &str = "senior tech decision makers who came through referrals";

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
        target: Some("is_sale".into()),
        description: DESCRIPTION.into(),
        tiers: Default::default(),
        positive_value: None,
        filter: None,
    };
    let phases = ["encode", "fit", "profiles", "projection and the rest"];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); phases.len() + 1];
    let mut k = 0;
    for _ in 0..runs {
        let mut session = Session::new();
        let loaded = session.handle(
            Request::LoadFile {
                file_name: "leads.csv".into(),
                header: HeaderMode::Auto,
            },
            Some(DEMO),
            &mut |_| {},
        );
        assert!(matches!(loaded, Response::Loaded(_)), "{loaded:?}");
        let started = Instant::now();
        // When each phase's first progress report came (the encoding's is the request's start).
        let mut first: Vec<Option<f64>> = vec![None; phases.len()];
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
        for phase in 0..phases.len() {
            let end = starts.get(phase + 1).copied().unwrap_or(total);
            times[phase].push(end - starts[phase]);
        }
        times[phases.len()].push(total);
    }
    println!("demo, {columns}: k = {k}, median of {runs} runs");
    for (name, mut values) in phases.iter().chain(["total"].iter()).zip(times) {
        values.sort_by(f64::total_cmp);
        println!("{name:<26} {:.3} s", values[values.len() / 2]);
    }
}
