//! The shipped demo file (`public/demo/leads.csv`, 5,000 leads) segmented natively with the page's
//! defaults (automatic k, shares 5–10 %, seed 0): the fit's wall time and the exact assignment's work
//! counters, for all 8 columns and for the columns the page checks for the demo's example description.
//!
//! ```text
//! cargo run --release -p audience-engine --example demo_fit [-- --runs 5]
//! ```

use std::time::Instant;

use audience_engine::cluster::bench_data::labels_fingerprint;
use audience_engine::cluster::KMediansParams;
use audience_engine::encode::{default_selection, encode, Selection};
use audience_engine::ingest::{read_table, IngestOptions};

const DEMO: &str = include_str!("../../public/demo/leads.csv");

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runs = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(5usize);
    let table = read_table(DEMO.as_bytes(), &IngestOptions::default())
        .expect("the demo reads")
        .table;
    let column = |name: &str| {
        table
            .columns()
            .iter()
            .position(|c| c.name == name)
            .expect("a demo column")
    };
    let selections = [
        ("all 8 columns", default_selection(&table, Some("is_sale"))),
        (
            "Industry, Job Title, Lead Source",
            Selection::columns(&[
                column("Industry"),
                column("Job Title"),
                column("Lead Source"),
            ]),
        ),
    ];
    println!("| Columns | dims | k | median fit | shortest paths | paths reused | moves | heap rebuilds | cost | labels |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (name, selection) in selections {
        let matrix = encode(&table, &selection).expect("the demo encodes");
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..runs {
            let started = Instant::now();
            let result = KMediansParams::new()
                .validate(matrix.n_rows)
                .expect("the defaults fit 5,000 rows")
                .fit(&matrix)
                .expect("the demo segments");
            times.push(started.elapsed().as_secs_f64());
            last = Some(result);
        }
        times.sort_by(f64::total_cmp);
        let result = last.expect("at least one run");
        let stats = result.assign_stats;
        println!(
            "| {name} | {} | {} | {:.3} s | {} (+{} on samples) | {} | {} | {} | {:.4} | {:016x} |",
            matrix.n_dims,
            result.k,
            times[times.len() / 2],
            stats.shortest_paths,
            stats.sample_shortest_paths,
            stats.repeated_paths,
            stats.moves,
            stats.heap_rebuilds,
            result.cost,
            labels_fingerprint(&result.labels)
        );
    }
}
