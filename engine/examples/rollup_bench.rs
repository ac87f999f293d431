//! Roll-up benchmark (issue #17): an order log of 1M transactions → the customer table.
//!
//! ```text
//! cargo run --release -p audience-engine --example rollup_bench -- --generate ROWS OUT.txt [csv|aligned] [SEED]
//! cargo run --release -p audience-engine --example rollup_bench -- FILE
//! ```
//!
//! The first form writes a seeded synthetic log: `customer_id` (zero-padded, one customer per 20 rows on
//! average, a few heavy buyers), `date` (`YYYYMMDD` over 18 months), `quantity`, `amount` (2% refunds,
//! some `NA`), `channel`; comma-separated or, with `aligned`, whitespace-aligned like the public CDNOW
//! log. The second reads FILE and prints the time to ingest it, to detect the log's columns and to roll
//! it up, and the peak memory (`VmHWM`, which `/usr/bin/time -v` also reports) against the file size.

use std::fs;
use std::io::{BufWriter, Write};
use std::time::Instant;

use audience_engine::ingest::{read_table, IngestOptions};
use audience_engine::rollup::{detect_log, roll_up, RollupOptions};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("--generate") => generate(&args[1..]),
        Some(path) => bench(path),
        None => Err("usage: rollup_bench FILE | --generate ROWS OUT [csv|aligned] [SEED]".into()),
    };
    if let Err(message) = result {
        eprintln!("rollup_bench: {message}");
        std::process::exit(1);
    }
}

fn bench(path: &str) -> Result<(), String> {
    let total = Instant::now();
    let bytes = fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let clock = Instant::now();
    let ingested =
        read_table(&bytes, &IngestOptions::default()).map_err(|e| format!("{path}: {e}"))?;
    let ingest = clock.elapsed().as_secs_f64();
    // As `audience rollup` does: the file's bytes are not needed once the table is read.
    let file_bytes = bytes.len();
    drop(bytes);
    let clock = Instant::now();
    let detection = detect_log(&ingested.table);
    let columns = detection
        .columns()
        .ok_or_else(|| format!("{path}: not recognised as an order log: {detection:?}"))?;
    let detect = clock.elapsed().as_secs_f64();
    let clock = Instant::now();
    let rollup = roll_up(
        &ingested.table,
        &ingested.report.row_lines,
        &RollupOptions::new(columns),
    )
    .map_err(|e| e.to_string())?;
    let roll = clock.elapsed().as_secs_f64();
    let all = total.elapsed().as_secs_f64();
    let mb = file_bytes as f64 / 1e6;
    println!("file            {path} ({mb:.1} MB)");
    println!(
        "rows            {} in the log, {} rolled up, {} customers",
        rollup.report.rows_in_log, rollup.report.rows_used, rollup.report.customers
    );
    println!("ingest          {ingest:.3} s");
    println!("detect          {detect:.3} s");
    println!("roll up         {roll:.3} s");
    println!("total           {all:.3} s (file read included; target ≤ 2 s for 1M rows)");
    if let Some(peak) = peak_rss_mb() {
        println!(
            "peak RSS        {peak:.1} MB = {:.2}× the file (target ≤ 3×)",
            peak / mb
        );
    }
    Ok(())
}

fn peak_rss_mb() -> Option<f64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0 * 1.048_576)
}

const CHANNELS: [&str; 3] = ["web", "store", "app"];

fn generate(args: &[String]) -> Result<(), String> {
    let rows: usize = args
        .first()
        .and_then(|r| r.parse().ok())
        .ok_or("--generate needs ROWS")?;
    let out = args.get(1).ok_or("--generate needs OUT")?;
    let aligned = match args.get(2).map(String::as_str) {
        None | Some("csv") => false,
        Some("aligned") => true,
        Some(other) => return Err(format!("expected csv or aligned, got {other:?}")),
    };
    let seed: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(17);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let customers = (rows / 20).max(1);
    let file = fs::File::create(out).map_err(|e| format!("{out}: {e}"))?;
    let mut w = BufWriter::new(file);
    let line = |w: &mut BufWriter<fs::File>, f: [&str; 5]| -> std::io::Result<()> {
        if aligned {
            writeln!(
                w,
                "{:>12}{:>10}{:>10}{:>9}{:>8}",
                f[0], f[1], f[2], f[3], f[4]
            )
        } else {
            writeln!(w, "{}", f.join(","))
        }
    };
    let io = |e: std::io::Error| format!("{out}: {e}");
    line(
        &mut w,
        ["customer_id", "date", "quantity", "amount", "channel"],
    )
    .map_err(io)?;
    for _ in 0..rows {
        // A few heavy buyers: a quarter of the rows go to the first 1% of customers.
        let customer = if rng.random_bool(0.25) {
            rng.random_range(0..(customers / 100).max(1))
        } else {
            rng.random_range(0..customers)
        };
        let day = rng.random_range(0..548u32);
        let (month, dom) = (day / 31 % 12 + 1, day % 28 + 1);
        let year = 1997 + day / 372;
        let quantity = rng.random_range(1..=5u32);
        let amount = if rng.random_bool(0.005) {
            "NA".to_owned()
        } else if rng.random_bool(0.02) {
            format!("-{:.2}", rng.random_range(1.0..50.0f64))
        } else {
            format!(
                "{:.2}",
                f64::from(quantity) * rng.random_range(5.0..40.0f64)
            )
        };
        line(
            &mut w,
            [
                &format!("{:06}", customer + 1),
                &format!("{year}{month:02}{dom:02}"),
                &quantity.to_string(),
                &amount,
                CHANNELS[rng.random_range(0..CHANNELS.len())],
            ],
        )
        .map_err(io)?;
    }
    w.flush().map_err(io)?;
    eprintln!("wrote {rows} transactions of {customers} customers to {out}");
    Ok(())
}
