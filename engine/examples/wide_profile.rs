//! Times reading, fitting, profiling and the 2-D PCA of `audience profile` on a generated wide file:
//! `cargo run --release -p audience-engine --example wide_profile -- [COLUMNS] [ROWS]` (default 1000 × 300).

use std::time::Instant;

use audience_engine::cluster::{KChoice, KMediansParams};
use audience_engine::encode::{default_selection, encode};
use audience_engine::ingest::{read_table, IngestOptions};
use audience_engine::profile::{profile_segments, ProfileParams};

fn main() {
    let mut args = std::env::args().skip(1);
    let columns: usize = args.next().map_or(1000, |a| a.parse().unwrap());
    let rows: usize = args.next().map_or(300, |a| a.parse().unwrap());
    let mut state = 7u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    let header: Vec<String> = (0..columns).map(|c| format!("col_{c}")).collect();
    let mut csv = header.join(",") + "\n";
    for _ in 0..rows {
        let cells: Vec<String> = (0..columns)
            .map(|c| match c % 3 {
                0 => format!("{}", next() % 1000),
                1 => ["red", "green", "blue", "amber"][next() % 4].to_string(),
                _ => ["yes", "no"][next() % 2].to_string(),
            })
            .collect();
        csv.push_str(&(cells.join(",") + "\n"));
    }
    let start = Instant::now();
    let table = read_table(csv.as_bytes(), &IngestOptions::default())
        .unwrap()
        .table;
    let read = start.elapsed();
    let start = Instant::now();
    let selection = default_selection(&table, None);
    let matrix = encode(&table, &selection).unwrap();
    let segmentation = KMediansParams::new()
        .with_k(KChoice::Fixed(12))
        .fit(&matrix)
        .unwrap();
    let fit = start.elapsed();
    let start = Instant::now();
    let report = profile_segments(&table, &segmentation.labels, &ProfileParams::new()).unwrap();
    let profile = start.elapsed();
    let start = Instant::now();
    let plot = audience_engine::projection::project_for_plot(
        &matrix.data,
        matrix.n_rows,
        matrix.n_dims,
        &segmentation.labels,
        &Default::default(),
    )
    .unwrap();
    println!(
        "PCA of {} × {}: {:.2?} (explains {:.6} + {:.6})",
        matrix.n_rows,
        matrix.n_dims,
        start.elapsed(),
        plot.pca.explained_variance_ratio[0],
        plot.pca.explained_variance_ratio[1]
    );
    println!(
        "{columns} columns × {rows} rows: read {read:.2?}, encode + fit {fit:.2?}, profile {profile:.2?} ({} personas)",
        report.personas.len()
    );
}
