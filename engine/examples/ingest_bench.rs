//! Ingest benchmark: time (and, on Linux, peak memory) to read CSV files into typed tables.
//!
//! ```text
//! cargo run --release -p audience-engine --example ingest_bench -- FILE [FILE …]
//! cargo run --release -p audience-engine --example ingest_bench -- --stream FILE [FILE …]
//! cargo run --release -p audience-engine --example ingest_bench -- --split FILE [FILE …]
//! cargo run --release -p audience-engine --example ingest_bench -- --generate ROWS OUT.csv [SEED]
//! ```
//!
//! The first form reads each file and prints rows, columns, the type of every column, the time to read
//! the bytes from disk and the time to ingest them. With `--stream`, each file is read from disk 4 MiB at a
//! time into a `StreamingReader` instead (as the CLI and the browser worker read): one time for reading
//! and ingesting together, and a peak memory without the whole file's bytes. With `--split`, each file is
//! read as the browser's engine worker and reading helper read a large file (`ingest::split`), the two
//! readers one after the other on this thread: the rows after the middle, their part written to bytes and
//! read back, the rows before the middle, and the table finished with the part; the result is checked
//! against the file streamed whole. The last form writes a seeded synthetic customer file of
//! ROWS rows × 20 mixed columns (numeric, currency, ordinal bands, binary, categorical, dates, an id,
//! missing markers and a few ragged rows) for benchmarking at scale. Peak memory is the process's
//! `VmHWM` from `/proc/self/status` when available; `/usr/bin/time -v` gives the same figure.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufWriter, Write};
use std::time::Instant;

use audience_engine::ingest::{read_table, IngestOptions, RowPart, StreamingReader};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("--generate") => generate(&args[1..]),
        Some("--stream") => args[1..].iter().try_for_each(|path| stream(path)),
        Some("--split") => args[1..].iter().try_for_each(|path| split(path)),
        Some(_) => args.iter().try_for_each(|path| bench(path)),
        None => Err(
            "usage: ingest_bench FILE [FILE …] | --stream FILE [FILE …] | --split FILE [FILE …] | --generate ROWS OUT.csv [SEED]"
                .into(),
        ),
    };
    if let Err(message) = result {
        eprintln!("ingest_bench: {message}");
        std::process::exit(1);
    }
}

fn stream(path: &str) -> Result<(), String> {
    use std::io::Read;
    let start = Instant::now();
    let mut file = fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let size = file.metadata().map_or(0, |m| m.len() as usize);
    let mut reader = StreamingReader::with_capacity(IngestOptions::default(), size);
    let mut block = vec![0; 4 << 20];
    loop {
        let read = file.read(&mut block).map_err(|e| format!("{path}: {e}"))?;
        if read == 0 {
            break;
        }
        reader.push(&block[..read]);
    }
    let streaming = reader.is_streaming();
    let ingested = reader.finish().map_err(|e| format!("{path}: {e}"))?;
    let time = start.elapsed();
    println!("file            {path} (read 4 MiB at a time, parsed as read: {streaming})");
    println!(
        "rows            {} kept, {} columns",
        ingested.report.rows_kept,
        ingested.table.columns().len()
    );
    println!(
        "read + ingest   {:.3} s ({:.1} MB/s, {:.0} rows/s)",
        time.as_secs_f64(),
        size as f64 / 1e6 / time.as_secs_f64(),
        ingested.report.rows_kept as f64 / time.as_secs_f64()
    );
    if let Some(peak) = peak_rss_mb() {
        println!("peak RSS        {peak:.1} MB (VmHWM; the file's bytes are never held whole)");
    }
    println!();
    Ok(())
}

/// The file's bytes from `from` on, 4 MiB at a time, pushed to `reader` while `more(reader)`.
fn push_blocks(
    bytes: &[u8],
    from: usize,
    reader: &mut StreamingReader,
    more: impl Fn(&StreamingReader) -> bool,
) {
    for block in bytes[from..].chunks(4 << 20) {
        if !more(reader) {
            break;
        }
        reader.push(block);
    }
}

fn split(path: &str) -> Result<(), String> {
    let bytes = fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let options = IngestOptions::default();
    let start = Instant::now();
    let mut whole = StreamingReader::with_capacity(options.clone(), bytes.len());
    push_blocks(&bytes, 0, &mut whole, |_| true);
    let whole = whole.finish().map_err(|e| format!("{path}: {e}"))?;
    let one_reader = start.elapsed().as_secs_f64();

    let middle = bytes.len() / 2;
    let start = Instant::now();
    let mut after = StreamingReader::with_capacity(options.clone(), bytes.len());
    push_blocks(&bytes, 0, &mut after, |reader| {
        !reader.is_streaming() && reader.bytes_received() < middle
    });
    if !after.read_rows_after(middle) {
        return Err(format!(
            "{path}: the start could not be planned before the middle"
        ));
    }
    push_blocks(&bytes, middle, &mut after, |_| true);
    let part = after
        .finish_rows()
        .ok_or_else(|| format!("{path}: the rows after the middle could not be read alone"))?;
    let rows_after = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let part = RowPart::from_bytes(&part.to_bytes()).map_err(|e| format!("{path}: {e}"))?;
    let through_bytes = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let mut before = StreamingReader::with_capacity(options, bytes.len());
    before.stop_at(middle);
    push_blocks(&bytes, 0, &mut before, |reader| {
        reader.stopped_at().is_none()
    });
    let rows_before = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let read = match before.finish_with_rows(&part) {
        Ok(read) => read.map_err(|e| format!("{path}: {e}"))?,
        Err(_) => {
            return Err(format!(
                "{path}: the rows after the middle did not finish the table"
            ))
        }
    };
    let finish = start.elapsed().as_secs_f64();
    if read != whole {
        return Err(format!(
            "{path}: the two readers' table differs from one reader's"
        ));
    }
    println!("file            {path} (cut at byte {})", part.start());
    println!("one reader      {one_reader:.3} s (streamed whole, as --stream)");
    println!(
        "two readers     rows after the cut {rows_after:.3} s ({} rows), part to bytes and back {through_bytes:.3} s,",
        part.rows()
    );
    println!(
        "                rows before {rows_before:.3} s, finished with the part {finish:.3} s"
    );
    println!(
        "side by side    {:.3} s (the slower reader, then the part and the finish); the same table",
        rows_after.max(rows_before) + through_bytes + finish
    );
    println!();
    Ok(())
}

fn bench(path: &str) -> Result<(), String> {
    let start = Instant::now();
    let bytes = fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let read_time = start.elapsed();
    let start = Instant::now();
    let ingested =
        read_table(&bytes, &IngestOptions::default()).map_err(|e| format!("{path}: {e}"))?;
    let ingest_time = start.elapsed();
    let report = &ingested.report;
    let table = &ingested.table;
    println!("file            {path}");
    println!("size            {:.1} MB", bytes.len() as f64 / 1e6);
    println!(
        "encoding        {:?}, delimiter {:?}, header {}",
        report.encoding, report.delimiter, report.has_header
    );
    println!(
        "rows            {} in file, {} kept, {} skipped, {} blank lines",
        report.rows_in_file, report.rows_kept, report.rows_skipped, report.blank_lines
    );
    println!("columns         {}", table.columns().len());
    let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
    for summary in &report.columns {
        *by_type
            .entry(format!("{:?}", summary.column_type))
            .or_default() += 1;
    }
    println!("types           {by_type:?}");
    println!(
        "{:<22} {:<12} {:>9} {:>11} {:>9}",
        "column", "type", "missing", "unparsable", "distinct"
    );
    for s in &report.columns {
        println!(
            "{:<22} {:<12} {:>9} {:>11} {:>9}",
            s.name,
            format!("{:?}", s.column_type),
            s.missing,
            s.unparsable,
            s.distinct
        );
    }
    println!("read file       {:.3} s", read_time.as_secs_f64());
    println!(
        "ingest          {:.3} s ({:.1} MB/s, {:.0} rows/s)",
        ingest_time.as_secs_f64(),
        bytes.len() as f64 / 1e6 / ingest_time.as_secs_f64(),
        report.rows_kept as f64 / ingest_time.as_secs_f64()
    );
    let codes_mb = (table.n_rows() * table.columns().len() * 4) as f64 / 1e6;
    println!("table codes     {codes_mb:.1} MB (one u32 per cell)");
    if let Some(peak) = peak_rss_mb() {
        println!(
            "peak RSS        {peak:.1} MB (VmHWM, includes the {:.1} MB file bytes)",
            bytes.len() as f64 / 1e6
        );
    }
    println!();
    Ok(())
}

fn peak_rss_mb() -> Option<f64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

const STATES: [&str; 12] = [
    "CA", "TX", "NY", "FL", "IL", "PA", "OH", "GA", "NC", "MI", "WA", "AZ",
];
const INDUSTRIES: [&str; 8] = [
    "Retail",
    "Finance",
    "Healthcare",
    "Technology",
    "Manufacturing",
    "Education",
    "Energy",
    "Media",
];
const AGE_BANDS: [&str; 6] = ["18-24", "25–34", "35-44", "45-54", "55-64", "65+"];
const INCOME_BANDS: [&str; 5] = [
    "Under $25,000",
    "$25,000 to $49,999",
    "$50,000 to $74,999",
    "$75,000 to $99,999",
    "$100,000 or more",
];
const TENURE: [&str; 5] = [
    "Less than 1 year",
    "1-2 years",
    "3-5 years",
    "6-10 years",
    "10+ years",
];
const CHANNELS: [&str; 5] = ["Email", "Paid Search", "Organic", "Referral", "Events"];
const EDUCATION: [&str; 5] = [
    "High School",
    "Some College",
    "Bachelor's",
    "Master's",
    "Doctorate",
];
const MISSING: [&str; 4] = ["", "NA", "unknown", "N/A"];

fn generate(args: &[String]) -> Result<(), String> {
    let usage = "usage: ingest_bench --generate ROWS OUT.csv [SEED]";
    let rows: usize = args.first().and_then(|a| a.parse().ok()).ok_or(usage)?;
    let path = args.get(1).ok_or(usage)?;
    let seed: u64 = args
        .get(2)
        .map_or(Ok(7), |s| s.parse())
        .map_err(|_| usage)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let file = fs::File::create(path).map_err(|e| format!("{path}: {e}"))?;
    let mut out = BufWriter::new(file);
    let header = "customer_id,age,age_band,gender,state,industry,income,income_band,tenure,education,\
                  channel,signup_date,last_purchase,visits,spend,discount,rating,newsletter,score,is_sale";
    writeln!(out, "{header}").map_err(|e| e.to_string())?;
    let pick = |rng: &mut ChaCha8Rng, list: &[&'static str]| list[rng.random_range(0..list.len())];
    for i in 0..rows {
        let missing = |rng: &mut ChaCha8Rng, value: String| {
            if rng.random_bool(0.03) {
                MISSING[rng.random_range(0..MISSING.len())].to_string()
            } else {
                value
            }
        };
        let age: u32 = rng.random_range(18..80);
        let band = AGE_BANDS[((age.saturating_sub(18)) / 10).min(5) as usize];
        let income: u32 = rng.random_range(12_000..180_000);
        let income_band = INCOME_BANDS[(income / 25_000).min(4) as usize];
        let gender = pick(&mut rng, &["F", "M"]).to_string();
        let industry = pick(&mut rng, &INDUSTRIES).to_string();
        let tenure = pick(&mut rng, &TENURE).to_string();
        let education = pick(&mut rng, &EDUCATION).to_string();
        let spend = format!("{:.2}", rng.random_range(0.0..5000.0));
        let fields = [
            format!("C{:08}", 1_000_000 + i),
            missing(&mut rng, age.to_string()),
            missing(&mut rng, band.to_string()),
            missing(&mut rng, gender),
            pick(&mut rng, &STATES).to_string(),
            missing(&mut rng, industry),
            missing(
                &mut rng,
                format!("\"${},{:03}\"", income / 1000, income % 1000),
            ),
            missing(&mut rng, format!("\"{income_band}\"")),
            missing(&mut rng, tenure),
            missing(&mut rng, education),
            pick(&mut rng, &CHANNELS).to_string(),
            format!(
                "{}-{:02}-{:02}",
                rng.random_range(2015..2025),
                rng.random_range(1..13),
                rng.random_range(1..29)
            ),
            format!(
                "{:02}/{:02}/2024",
                rng.random_range(1..13),
                rng.random_range(1..29)
            ),
            rng.random_range(0..60).to_string(),
            missing(&mut rng, spend),
            format!("{}%", rng.random_range(0..40)),
            rng.random_range(1..6).to_string(),
            pick(&mut rng, &["yes", "no"]).to_string(),
            format!("{:.4}", rng.random_range(-3.0..3.0)),
            pick(&mut rng, &["TRUE", "FALSE", "FALSE", "FALSE"]).to_string(),
        ];
        // About one row in 20,000 is ragged (a field lost), as in real exports.
        let take = if rng.random_bool(0.00005) {
            fields.len() - 1
        } else {
            fields.len()
        };
        writeln!(out, "{}", fields[..take].join(",")).map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    println!("wrote {rows} rows × 20 columns to {path} (seed {seed})");
    Ok(())
}
