//! Benchmark of saved segmentations: apply a model to 1,000,000 rows, and stability with 5 refits of
//! 100,000 rows.
//!
//! ```text
//! cargo run --release -p audience-engine --example model_bench -- [--apply-rows 1000000] \
//!     [--stability-rows 100000] [--refits 5] [--seed 1]
//! ```
//!
//! Both use the seeded mixed table of `cluster::bench_data` (planted groups, 16 encoded dimensions) with
//! k = 14 and shares 5–10 %. The model is fitted on 100,000 rows and saved to JSON and read back; *apply*
//! times `model::apply::apply` on a fresh 1,000,000-row table (re-encoding under the model + the exact
//! bounded assignment, then again by nearest center); *stability* times `stability::stability` with
//! `--refits` seed refits (then bootstrap refits) of the 100,000 rows. Targets (issue #18): apply ≤ 1 s,
//! stability ≤ 5 s, native.

use std::time::Instant;

use audience_engine::cluster::bench_data::mixed_table;
use audience_engine::cluster::{KChoice, KMediansParams, ShareBounds};
use audience_engine::encode::{default_selection, encode};
use audience_engine::ingest::IngestOptions;
use audience_engine::model::apply::{apply, BoundsMode};
use audience_engine::model::{model_json, read_model_json, SegmentationModel};
use audience_engine::stability::{stability, Resample};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().expect("a whole number"))
        .unwrap_or(default)
}

fn main() {
    let apply_rows = arg("--apply-rows", 1_000_000);
    let stability_rows = arg("--stability-rows", 100_000);
    let refits = arg("--refits", 5);
    let seed = arg("--seed", 1) as u64;

    let table = mixed_table(stability_rows, seed);
    let matrix = encode(&table, &default_selection(&table, None)).expect("encodes");
    let params = KMediansParams::new()
        .with_k(KChoice::Fixed(14))
        .with_bounds(Some(ShareBounds {
            min: 0.05,
            max: 0.10,
        }))
        .with_restarts(1)
        .with_seed(seed);
    let clock = Instant::now();
    let fit = params.fit(&matrix).expect("fits");
    println!(
        "fit: {} rows x {} dims, k = 14: {:.3}s",
        matrix.n_rows,
        matrix.n_dims,
        clock.elapsed().as_secs_f64()
    );
    let model = SegmentationModel::from_fit(&table, &matrix, &fit, 1).expect("model");
    let json = model_json(&model).expect("json");
    let model = read_model_json(&json).expect("reads back");
    println!("model document: {} bytes", json.len());

    let big = mixed_table(apply_rows, seed + 1);
    for mode in [BoundsMode::Exact, BoundsMode::Nearest] {
        let clock = Instant::now();
        let applied = apply(&model, &big, mode, &IngestOptions::default()).expect("applies");
        println!(
            "apply ({mode:?}): {} rows in {:.3}s (target <= 1 s); {} rows at their nearest center",
            applied.labels.len(),
            clock.elapsed().as_secs_f64(),
            applied.at_nearest
        );
    }

    for resample in [Resample::Seeds, Resample::Bootstrap] {
        let clock = Instant::now();
        let report =
            stability(&matrix, &params, &fit.labels, 14, refits, resample).expect("refits");
        println!(
            "stability ({resample:?}): {refits} refits of {} rows in {:.3}s (target <= 5 s); kept {:.3}, \
             adjusted Rand {:.3}, unstable segments {:?}",
            matrix.n_rows,
            clock.elapsed().as_secs_f64(),
            report.kept,
            report.adjusted_rand,
            report.unstable()
        );
    }
}
