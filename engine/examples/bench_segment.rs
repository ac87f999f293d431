//! Benchmark of the exact size-constrained K-Medians against k-means-constrained (PyPI).
//!
//! Run it through `scripts/bench-segment.sh`, which installs the Python comparison into a virtualenv:
//!
//! ```text
//! cargo run --release -p audience-engine --example bench_segment -- \
//!     [--rows 10000,100000,1000000] [--restarts 3] [--seed 1] \
//!     [--python target/bench-venv/bin/python --python-script scripts/bench_kmc.py] [--python-max-rows 100000]
//! ```
//!
//! For each row count it generates a seeded mixed table (6 numeric, 3 ordinal, 1 binary and 2 categorical
//! columns with planted, unevenly sized groups: 16 encoded dimensions), encodes it, segments it with k = 14
//! and shares 5–10 %, then hands the same encoded matrix to k-means-constrained (`n_init=1`, same k and
//! size bounds) and scores both labellings with the one L1 cost function, `cluster::l1_cost`. Peak memory of
//! ours is the peak heap during `fit` (counting allocator, the encoded matrix included); of Python, the
//! process's peak resident set.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use audience_engine::cluster::{l1_cost, KChoice, KMediansParams, ShareBounds};
use audience_engine::encode::{default_selection, encode, EncodedMatrix};
use audience_engine::table::{Cell, Column, ColumnType, Level, Table};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

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
    seed: u64,
    python: Option<PathBuf>,
    python_script: PathBuf,
    python_max_rows: usize,
}

fn parse() -> Result<Options, String> {
    let mut options = Options {
        rows: vec![10_000, 100_000, 1_000_000],
        restarts: 3,
        seed: 1,
        python: None,
        python_script: PathBuf::from("scripts/bench_kmc.py"),
        python_max_rows: 100_000,
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
            "--seed" => options.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--python" => options.python = Some(PathBuf::from(value()?)),
            "--python-script" => options.python_script = PathBuf::from(value()?),
            "--python-max-rows" => {
                options.python_max_rows = value()?
                    .parse()
                    .map_err(|e| format!("--python-max-rows: {e}"))?
            }
            "--no-python" => options.python = None,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

/// A seeded mixed table: 12 planted groups of uneven size (from 2 % to 20 % of the rows).
fn generate(n: usize, seed: u64) -> Table {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let group_weights = [
        20.0, 15.0, 12.0, 10.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 2.0, 2.0,
    ];
    let total: f64 = group_weights.iter().sum();
    let mut groups = Vec::with_capacity(n);
    for _ in 0..n {
        let mut u = rng.random::<f64>() * total;
        let mut g = 0;
        while u >= group_weights[g] && g + 1 < group_weights.len() {
            u -= group_weights[g];
            g += 1;
        }
        groups.push(g);
    }
    let noise = |rng: &mut ChaCha8Rng, spread: f64| {
        (rng.random::<f64>() + rng.random::<f64>() - 1.0) * spread
    };
    let mut numeric = |name: &str, lo: i64, hi: i64, centre: &dyn Fn(usize) -> f64, spread: f64| {
        let codes: Vec<u32> = groups
            .iter()
            .map(|&g| {
                let v = (centre(g) + noise(&mut rng, spread)).round() as i64;
                (v.clamp(lo, hi) - lo) as u32
            })
            .collect();
        Column::new(
            name,
            ColumnType::Numeric,
            codes,
            (lo..=hi).map(|v| v.to_string()).collect(),
            (lo..=hi).map(|v| Cell::Number(v as f64)).collect(),
            vec![],
        )
        .expect("valid column")
    };
    let age = numeric("age", 18, 90, &|g| 22.0 + 5.0 * g as f64, 12.0);
    let income = numeric(
        "income_k",
        10,
        300,
        &|g| 30.0 + 17.0 * ((g * 7) % 12) as f64,
        40.0,
    );
    let tenure = numeric(
        "tenure_months",
        0,
        240,
        &|g| 10.0 + 18.0 * ((g * 5) % 12) as f64,
        30.0,
    );
    let spend = numeric(
        "monthly_spend",
        0,
        999,
        &|g| 50.0 + 80.0 * ((g * 11) % 12) as f64,
        150.0,
    );
    let visits = numeric("visits", 0, 60, &|g| 5.0 + 4.0 * ((g * 3) % 12) as f64, 8.0);
    let satisfaction = numeric("satisfaction", 0, 100, &|g| 30.0 + 5.0 * g as f64, 25.0);
    let mut levelled = |name: &str,
                        column_type: ColumnType,
                        labels: &[&str],
                        pick: &dyn Fn(usize, f64) -> usize| {
        let codes: Vec<u32> = groups
            .iter()
            .map(|&g| pick(g, rng.random::<f64>()).min(labels.len() - 1) as u32)
            .collect();
        let levels = labels
            .iter()
            .enumerate()
            .map(|(i, l)| Level {
                label: l.to_string(),
                position: (column_type != ColumnType::Categorical).then_some(i as f64),
            })
            .collect();
        Column::new(
            name,
            column_type,
            codes,
            labels.iter().map(|l| l.to_string()).collect(),
            (0..labels.len() as u32).map(Cell::Level).collect(),
            levels,
        )
        .expect("valid column")
    };
    let near = |centre: usize, u: f64| (centre as f64 + (u - 0.5) * 2.5).round().max(0.0) as usize;
    let age_band = levelled(
        "age_band",
        ColumnType::Ordinal,
        &["18-24", "25-34", "35-44", "45-54", "55-64", "65+"],
        &|g, u| near(g / 2, u),
    );
    let income_band = levelled(
        "income_band",
        ColumnType::Ordinal,
        &["<30k", "30-50k", "50-75k", "75-100k", "100k+"],
        &|g, u| near((g * 7 % 12) / 3, u),
    );
    let education = levelled(
        "education",
        ColumnType::Ordinal,
        &[
            "none",
            "high school",
            "some college",
            "bachelor",
            "graduate",
        ],
        &|g, u| near(g % 5, u),
    );
    let has_app = levelled("has_app", ColumnType::Binary, &["no", "yes"], &|g, u| {
        usize::from(u < if g % 2 == 0 { 0.8 } else { 0.2 })
    });
    let region = levelled(
        "region",
        ColumnType::Categorical,
        &["north", "south", "east", "west"],
        &|g, u| {
            if u < 0.7 {
                g % 4
            } else {
                (u * 40.0) as usize % 4
            }
        },
    );
    let channel = levelled(
        "channel",
        ColumnType::Categorical,
        &["web", "store"],
        &|g, u| usize::from((u < 0.75) == (g % 3 == 0)),
    );
    Table::new(vec![
        age,
        income,
        tenure,
        spend,
        visits,
        satisfaction,
        age_band,
        income_band,
        education,
        has_app,
        region,
        channel,
    ])
    .expect("equal lengths")
}

/// CPU time of the calling thread in seconds (Linux: `/proc/thread-self/schedstat`, nanoseconds on CPU);
/// NaN elsewhere. Reported next to wall time because the machine may be shared.
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

fn run_python(
    options: &Options,
    matrix: &EncodedMatrix,
    seed: u64,
) -> Result<(f64, f64, Vec<u32>), String> {
    let python = options.python.as_ref().ok_or("no python")?;
    let dir = PathBuf::from("target/bench-segment");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let matrix_path = dir.join(format!("matrix_{}.f32", matrix.n_rows));
    let labels_path = dir.join(format!("labels_{}.i32", matrix.n_rows));
    let bytes: Vec<u8> = matrix.data.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(&matrix_path, bytes).map_err(|e| e.to_string())?;
    let limits = BOUNDS.limits(matrix.n_rows);
    let output = Command::new(python)
        .arg(&options.python_script)
        .arg(&matrix_path)
        .args([matrix.n_rows, matrix.n_dims, K, limits.lower, limits.upper].map(|x| x.to_string()))
        .arg(seed.to_string())
        .arg(&labels_path)
        .output()
        .map_err(|e| format!("running {}: {e}", python.display()))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let report: serde_json::Value = serde_json::from_slice(output.stdout.trim_ascii())
        .map_err(|e| format!("python output: {e}"))?;
    let labels: Vec<u32> = std::fs::read(&labels_path)
        .map_err(|e| e.to_string())?
        .chunks_exact(4)
        .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u32)
        .collect();
    Ok((
        report["seconds"].as_f64().unwrap_or(f64::NAN),
        report["peak_rss_mb"].as_f64().unwrap_or(f64::NAN),
        labels,
    ))
}

fn main() {
    let options = match parse() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("bench_segment: {message}");
            std::process::exit(2);
        }
    };
    let mut table_rows = Vec::new();
    let mut ours_time = Vec::new();
    for &n in &options.rows {
        let table = generate(n, options.seed);
        let started = Instant::now();
        let matrix = encode(&table, &default_selection(&table, None)).expect("bench data encodes");
        let encode_seconds = started.elapsed().as_secs_f64();
        drop(table);
        assert_eq!(matrix.n_dims, 16);
        let matrix_mb = (matrix.data.len() * 4) as f64 / 1e6;
        let params = KMediansParams::new()
            .with_k(KChoice::Fixed(K))
            .with_bounds(Some(BOUNDS))
            .with_restarts(options.restarts)
            .with_seed(options.seed);
        PEAK.store(CURRENT.load(Ordering::Relaxed), Ordering::Relaxed);
        let started = Instant::now();
        let cpu_started = thread_cpu_seconds();
        let result = params.fit(&matrix).expect("bench data segments");
        let seconds = started.elapsed().as_secs_f64();
        let cpu = thread_cpu_seconds() - cpu_started;
        eprintln!("fit {n}: wall {seconds:.3}s cpu {cpu:.3}s");
        let peak_mb = PEAK.load(Ordering::Relaxed) as f64 / 1e6;
        let cost = l1_cost(&matrix, &result.labels, K).expect("valid labels");
        let (min_share, max_share, _) = shares(&result.labels, K);
        ours_time.push((n, seconds, peak_mb / matrix_mb));
        table_rows.push(Row {
            rows: n,
            tool: format!("audience K-Medians ({} restarts)", options.restarts),
            seconds,
            peak_mb,
            min_share,
            max_share,
            cost,
            note: format!(
                "encode {:.3}s; matrix {:.1} MB; peak/matrix {:.2}; {} iterations; certified: {}; {:?}",
                encode_seconds,
                matrix_mb,
                peak_mb / matrix_mb,
                result.iterations,
                result.certified,
                result.assign_stats
            ),
        });
        if options.python.is_some() && n <= options.python_max_rows {
            match run_python(&options, &matrix, options.seed) {
                Ok((seconds, peak_mb, labels)) => {
                    let cost = l1_cost(&matrix, &labels, K).expect("python labels are 0..k");
                    let (min_share, max_share, sizes) = shares(&labels, K);
                    let limits = BOUNDS.limits(n);
                    let exact = sizes
                        .iter()
                        .all(|&s| s >= limits.lower && s <= limits.upper);
                    table_rows.push(Row {
                        rows: n,
                        tool: "k-means-constrained (n_init=1)".into(),
                        seconds,
                        peak_mb,
                        min_share,
                        max_share,
                        cost,
                        note: format!("peak = process RSS; bounds hold: {exact}"),
                    });
                }
                Err(message) => eprintln!("k-means-constrained at {n} rows failed: {message}"),
            }
        }
    }
    println!(
        "| rows | tool | time (s) | peak memory (MB) | min share | max share | L1 cost | notes |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|---|");
    for r in &table_rows {
        println!(
            "| {} | {} | {:.3} | {:.1} | {:.4} | {:.4} | {:.1} | {} |",
            r.rows, r.tool, r.seconds, r.peak_mb, r.min_share, r.max_share, r.cost, r.note
        );
    }
    println!();
    for r in table_rows.iter().filter(|r| r.tool.starts_with("k-means")) {
        if let Some(ours) = table_rows
            .iter()
            .find(|o| o.rows == r.rows && o.tool.starts_with("audience"))
        {
            println!(
                "{} rows: ours is {:.0}x faster; L1 cost ours / theirs = {:.4}",
                r.rows,
                r.seconds / ours.seconds,
                ours.cost / r.cost
            );
        }
    }
    let at = |n: usize| ours_time.iter().find(|t| t.0 == n);
    if let (Some(small), Some(large)) = (at(100_000), at(1_000_000)) {
        println!(
            "1M / 100k time ratio: {:.2} (target <= 10); 1M peak heap / encoded matrix: {:.2} (target <= 3)",
            large.1 / small.1,
            large.2
        );
    }
}
