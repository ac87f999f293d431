//! Benchmark of the exact size-constrained K-Medians against k-means-constrained (PyPI).
//!
//! Run it through `scripts/bench-segment.sh`, which installs the Python comparison into a virtualenv and
//! adds the wasm row (headless Chromium):
//!
//! ```text
//! cargo run --release -p audience-engine --example bench_segment -- \
//!     [--rows 10000,100000,1000000] [--restarts 1] [--runs 3] [--seed 1] \
//!     [--python target/bench-venv/bin/python --python-script scripts/bench_kmc.py] \
//!     [--python-max-rows 100000] [--fresh-python]
//! cargo run --release -p audience-engine --example bench_segment -- --write-csv ROWS OUT.csv [--seed 1]
//! ```
//!
//! For each row count it generates the seeded mixed table of `cluster::bench_data` (planted, unevenly sized
//! groups; 16 encoded dimensions), encodes it, segments it `--runs` times with k = 14 and shares 5–10 % and
//! reports the median wall and CPU time of `fit`, then hands the same encoded matrix to k-means-constrained
//! (`n_init=1`, same k and size bounds) and scores both labellings with the one L1 cost function,
//! `cluster::l1_cost`. Peak memory of ours is the peak heap during `fit` (counting allocator, the encoded
//! matrix included); of Python, the process's peak resident set.
//!
//! k-means-constrained takes minutes at 100k rows, so its results are cached in `target/bench-segment/`
//! under the matrix's fingerprint and reused while the matrix, k and limits are unchanged (`--fresh-python`
//! runs it again). With `--write-csv` it writes the same seeded table of ROWS rows as a CSV file and exits:
//! `scripts/bench-segment.sh` times `audience segment` and the pandas + k-means-constrained pipeline
//! (`scripts/bench_pipeline.py`) on it end to end. CPU time is the thread's (Linux `/proc/thread-self/schedstat`) for ours and
//! `time.process_time()` for Python, reported because the machine may be shared.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use audience_engine::cluster::bench_data::{labels_fingerprint, mixed_table, ENCODED_DIMS};
use audience_engine::cluster::{l1_cost, KChoice, KMediansParams, ShareBounds};
use audience_engine::encode::{default_selection, encode, EncodedMatrix};

struct Counting;
static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                    - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const K: usize = 14;
const BOUNDS: ShareBounds = ShareBounds {
    min: 0.05,
    max: 0.10,
};

struct Options {
    rows: Vec<usize>,
    restarts: usize,
    runs: usize,
    seed: u64,
    python: Option<PathBuf>,
    python_script: PathBuf,
    python_max_rows: usize,
    fresh_python: bool,
    write_csv: Option<(usize, PathBuf)>,
}

fn parse() -> Result<Options, String> {
    let mut options = Options {
        rows: vec![10_000, 100_000, 1_000_000],
        restarts: 1,
        runs: 3,
        seed: 1,
        python: None,
        python_script: PathBuf::from("scripts/bench_kmc.py"),
        python_max_rows: 100_000,
        fresh_python: false,
        write_csv: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--rows" => {
                options.rows = value()?
                    .split(',')
                    .map(|s| s.trim().parse().map_err(|e| format!("--rows {s}: {e}")))
                    .collect::<Result<_, _>>()?
            }
            "--restarts" => {
                options.restarts = value()?.parse().map_err(|e| format!("--restarts: {e}"))?
            }
            "--runs" => {
                options.runs = value()?
                    .parse::<usize>()
                    .map_err(|e| format!("--runs: {e}"))?
                    .max(1)
            }
            "--seed" => options.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--python" => options.python = Some(PathBuf::from(value()?)),
            "--python-script" => options.python_script = PathBuf::from(value()?),
            "--python-max-rows" => {
                options.python_max_rows = value()?
                    .parse()
                    .map_err(|e| format!("--python-max-rows: {e}"))?
            }
            "--no-python" => options.python = None,
            "--fresh-python" => options.fresh_python = true,
            "--write-csv" => {
                let rows = value()?
                    .parse()
                    .map_err(|e| format!("--write-csv ROWS: {e}"))?;
                options.write_csv = Some((rows, PathBuf::from(value()?)));
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

/// CPU time of the calling thread in seconds (Linux: `/proc/thread-self/schedstat`, nanoseconds on CPU);
/// NaN elsewhere.
fn thread_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(f64::NAN, |ns| ns as f64 / 1e9)
}

struct Row {
    rows: usize,
    tool: String,
    seconds: f64,
    cpu_seconds: f64,
    peak_mb: f64,
    min_share: f64,
    max_share: f64,
    cost: f64,
    note: String,
}

fn shares(labels: &[u32], k: usize) -> (f64, f64, Vec<usize>) {
    let mut sizes = vec![0usize; k];
    labels.iter().for_each(|&l| sizes[l as usize] += 1);
    let n = labels.len() as f64;
    let min = *sizes.iter().min().unwrap() as f64 / n;
    let max = *sizes.iter().max().unwrap() as f64 / n;
    (min, max, sizes)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// What k-means-constrained reported for one matrix.
struct PythonRun {
    seconds: f64,
    cpu_seconds: f64,
    peak_mb: f64,
    labels: Vec<u32>,
    cached: bool,
}

fn run_python(options: &Options, matrix: &EncodedMatrix, seed: u64) -> Result<PythonRun, String> {
    let python = options.python.as_ref().ok_or("no python")?;
    let dir = PathBuf::from("target/bench-segment");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let bytes: Vec<u8> = matrix.data.iter().flat_map(|v| v.to_le_bytes()).collect();
    let limits = BOUNDS.limits(matrix.n_rows);
    // FNV-1a over the matrix bytes and the settings: the cache key.
    let key = bytes
        .iter()
        .copied()
        .chain(
            [K, limits.lower, limits.upper, seed as usize]
                .iter()
                .flat_map(|x| x.to_le_bytes()),
        )
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
        });
    let report_path = dir.join(format!("kmc_{}_{key:016x}.json", matrix.n_rows));
    let labels_path = dir.join(format!("kmc_{}_{key:016x}.i32", matrix.n_rows));
    let cached = !options.fresh_python && report_path.exists() && labels_path.exists();
    let report_text = if cached {
        std::fs::read_to_string(&report_path).map_err(|e| e.to_string())?
    } else {
        let matrix_path = dir.join(format!("matrix_{}.f32", matrix.n_rows));
        std::fs::write(&matrix_path, &bytes).map_err(|e| e.to_string())?;
        let output = Command::new(python)
            .arg(&options.python_script)
            .arg(&matrix_path)
            .args(
                [matrix.n_rows, matrix.n_dims, K, limits.lower, limits.upper]
                    .map(|x| x.to_string()),
            )
            .arg(seed.to_string())
            .arg(&labels_path)
            .output()
            .map_err(|e| format!("running {}: {e}", python.display()))?;
        std::fs::remove_file(&matrix_path).ok();
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).into_owned());
        }
        let text = String::from_utf8_lossy(output.stdout.trim_ascii()).into_owned();
        std::fs::write(&report_path, &text).map_err(|e| e.to_string())?;
        text
    };
    let report: serde_json::Value =
        serde_json::from_str(&report_text).map_err(|e| format!("python output: {e}"))?;
    let labels: Vec<u32> = std::fs::read(&labels_path)
        .map_err(|e| e.to_string())?
        .chunks_exact(4)
        .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u32)
        .collect();
    let number = |name: &str| report[name].as_f64().unwrap_or(f64::NAN);
    Ok(PythonRun {
        seconds: number("seconds"),
        cpu_seconds: number("cpu_seconds"),
        peak_mb: number("peak_rss_mb"),
        labels,
        cached,
    })
}

/// Writes [`mixed_table`]`(rows, seed)` as a CSV file with a header (no text of it needs quoting).
fn write_csv(rows: usize, seed: u64, path: &std::path::Path) -> std::io::Result<()> {
    use std::io::Write;
    let table = mixed_table(rows, seed);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let columns = table.columns();
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    writeln!(out, "{}", names.join(","))?;
    for row in 0..rows {
        for (i, column) in columns.iter().enumerate() {
            let separator = if i + 1 == columns.len() { "\n" } else { "," };
            write!(out, "{}{separator}", column.text(row))?;
        }
    }
    out.flush()
}

fn main() {
    let options = match parse() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("bench_segment: {message}");
            std::process::exit(2);
        }
    };
    if let Some((rows, path)) = &options.write_csv {
        if let Err(error) = write_csv(*rows, options.seed, path) {
            eprintln!("bench_segment: writing {}: {error}", path.display());
            std::process::exit(1);
        }
        return;
    }
    let mut table_rows = Vec::new();
    let mut ours_time = Vec::new();
    for &n in &options.rows {
        let table = mixed_table(n, options.seed);
        let started = Instant::now();
        let matrix = encode(&table, &default_selection(&table, None)).expect("bench data encodes");
        let encode_seconds = started.elapsed().as_secs_f64();
        drop(table);
        assert_eq!(matrix.n_dims, ENCODED_DIMS);
        let matrix_mb = (matrix.data.len() * 4) as f64 / 1e6;
        let params = KMediansParams::new()
            .with_k(KChoice::Fixed(K))
            .with_bounds(Some(BOUNDS))
            .with_restarts(options.restarts)
            .with_seed(options.seed);
        let (mut walls, mut cpus, mut peaks) = (Vec::new(), Vec::new(), Vec::new());
        let mut result = None;
        for _ in 0..options.runs {
            PEAK.store(CURRENT.load(Ordering::Relaxed), Ordering::Relaxed);
            let started = Instant::now();
            let cpu_started = thread_cpu_seconds();
            let run = params.fit(&matrix).expect("bench data segments");
            walls.push(started.elapsed().as_secs_f64());
            cpus.push(thread_cpu_seconds() - cpu_started);
            peaks.push(PEAK.load(Ordering::Relaxed) as f64 / 1e6);
            if let Some(previous) = &result {
                assert_eq!(previous, &run, "same seed, same segmentation");
            }
            result = Some(run);
        }
        let result = result.expect("at least one run");
        let (seconds, cpu_seconds) = (median(&mut walls), median(&mut cpus));
        let peak_mb = peaks.iter().copied().fold(0.0, f64::max);
        let cost = l1_cost(&matrix, &result.labels, K).expect("valid labels");
        let (min_share, max_share, _) = shares(&result.labels, K);
        ours_time.push((n, seconds, cpu_seconds, peak_mb / matrix_mb));
        table_rows.push(Row {
            rows: n,
            tool: format!("audience K-Medians, native ({} restart)", options.restarts),
            seconds,
            cpu_seconds,
            peak_mb,
            min_share,
            max_share,
            cost,
            note: format!(
                "median of {} runs (wall {}); encode {:.3}s; matrix {:.1} MB; peak/matrix {:.2}; labels {:016x}; \
                 {} iterations; certified: {}; {:?}",
                options.runs,
                walls.iter().map(|w| format!("{w:.3}")).collect::<Vec<_>>().join(" / "),
                encode_seconds,
                matrix_mb,
                peak_mb / matrix_mb,
                labels_fingerprint(&result.labels),
                result.iterations,
                result.certified,
                result.assign_stats
            ),
        });
        if options.python.is_some() && n <= options.python_max_rows {
            match run_python(&options, &matrix, options.seed) {
                Ok(python) => {
                    let cost = l1_cost(&matrix, &python.labels, K).expect("python labels are 0..k");
                    let (min_share, max_share, sizes) = shares(&python.labels, K);
                    let limits = BOUNDS.limits(n);
                    let exact = sizes
                        .iter()
                        .all(|&s| s >= limits.lower && s <= limits.upper);
                    table_rows.push(Row {
                        rows: n,
                        tool: "k-means-constrained (n_init=1)".into(),
                        seconds: python.seconds,
                        cpu_seconds: python.cpu_seconds,
                        peak_mb: python.peak_mb,
                        min_share,
                        max_share,
                        cost,
                        note: format!(
                            "one run{}; peak = process RSS; bounds hold: {exact}",
                            if python.cached {
                                " (cached result for this exact matrix)"
                            } else {
                                ""
                            }
                        ),
                    });
                }
                Err(message) => eprintln!("k-means-constrained at {n} rows failed: {message}"),
            }
        }
    }
    println!(
        "| rows | tool | time (s) | CPU (s) | peak memory (MB) | min share | max share | L1 cost | notes |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|---:|---|");
    for r in &table_rows {
        println!(
            "| {} | {} | {:.3} | {:.3} | {:.1} | {:.4} | {:.4} | {:.1} | {} |",
            r.rows,
            r.tool,
            r.seconds,
            r.cpu_seconds,
            r.peak_mb,
            r.min_share,
            r.max_share,
            r.cost,
            r.note
        );
    }
    println!();
    for r in table_rows.iter().filter(|r| r.tool.starts_with("k-means")) {
        if let Some(ours) = table_rows
            .iter()
            .find(|o| o.rows == r.rows && o.tool.starts_with("audience"))
        {
            println!(
                "{} rows: ours is {:.0}x faster by wall time, {:.0}x by CPU time (target >= 100x); \
                 L1 cost ours / theirs = {:.4} (target <= 1)",
                r.rows,
                r.seconds / ours.seconds,
                r.cpu_seconds / ours.cpu_seconds,
                ours.cost / r.cost
            );
        }
    }
    let at = |n: usize| ours_time.iter().find(|t| t.0 == n);
    if let (Some(small), Some(large)) = (at(100_000), at(1_000_000)) {
        println!(
            "1M / 100k time ratio: {:.2} wall, {:.2} CPU (target <= 10); 1M peak heap / encoded matrix: {:.2} (target <= 3)",
            large.1 / small.1,
            large.2 / small.2,
            large.3
        );
    }
}
