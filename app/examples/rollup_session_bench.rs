//! The worker's order-log path natively (issue #17): the `Session` the Web Worker runs reads a log
//! (`LoadFile`: read, type, detect the log, preview) and rolls it up (`RollUp`: one row per customer and its
//! preview), timed, with the peak memory against the file size.
//!
//! ```text
//! cargo run --release -p audience-engine --example rollup_bench -- --generate 1000000 /tmp/orders.txt aligned
//! cargo run --release -p audience-app --example rollup_session_bench -- /tmp/orders.txt
//! /usr/bin/time -v target/release/examples/rollup_session_bench /tmp/orders.txt   # peak memory as the OS sees it
//! ```

use std::time::Instant;

use audience_app::protocol::{Request, Response, RollupSettings};
use audience_app::service::Session;
use audience_engine::ingest::HeaderMode;

fn main() {
    if let Err(message) = run() {
        eprintln!("rollup_session_bench: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: rollup_session_bench FILE")?;
    let total = Instant::now();
    let bytes = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
    let mb = bytes.len() as f64 / 1e6;
    let mut session = Session::new();
    let clock = Instant::now();
    let loaded = session.handle(
        Request::LoadFile {
            file_name: path.clone(),
            header: HeaderMode::Auto,
        },
        Some(&bytes),
        &mut |_| {},
    );
    let read = clock.elapsed().as_secs_f64();
    // As in the worker: the file's bytes are dropped once it is read.
    drop(bytes);
    let Response::Loaded(preview) = loaded else {
        return Err(format!("{path}: not read: {loaded:?}"));
    };
    let columns = preview
        .log
        .and_then(|log| log.detection.columns())
        .ok_or_else(|| format!("{path}: not recognised as an order log"))?;
    let clock = Instant::now();
    let answer = session.handle(
        Request::RollUp(RollupSettings {
            columns,
            as_of: None,
            repeat_within: None,
        }),
        None,
        &mut |_| {},
    );
    let roll = clock.elapsed().as_secs_f64();
    let Response::RolledUp(customers) = answer else {
        return Err(format!("{path}: not rolled up: {answer:?}"));
    };
    let report = customers
        .log
        .and_then(|log| log.rolled_up)
        .ok_or("no roll-up report")?
        .report;
    println!("file            {path} ({mb:.1} MB)");
    println!(
        "rows            {} in the log, {} rolled up, {} customers",
        report.rows_in_log, report.rows_used, report.customers
    );
    println!("read + detect   {read:.3} s (LoadFile, preview included)");
    println!("roll up         {roll:.3} s (RollUp, preview included)");
    println!(
        "total           {:.3} s (file read from disk included; target ≤ 2 s for 1M rows)",
        total.elapsed().as_secs_f64()
    );
    if let Some(peak) = peak_rss_mb() {
        println!(
            "peak RSS        {peak:.1} MB = {:.2}× the file (target ≤ 3×)",
            peak / mb
        );
    }
    Ok(())
}

/// `VmHWM` (peak resident memory) in MB, on Linux.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024.0 / 1e6)
}
