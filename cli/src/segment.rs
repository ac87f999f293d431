//! `audience segment`: split a CSV into size-constrained segments and write it back with a `segment` column.
//!
//! Every input row is written, in order, with its fields unchanged, plus `segment` (1..=k). A file with
//! rows that cannot be read as-is (ragged, broken quoting) is refused with their line numbers unless
//! `--skip-bad-rows` is given, in which case the skipped lines are listed on stderr.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use audience_engine::cluster::{
    degenerate, KChoice, KMediansParams, Segmentation, ShareBounds, DEFAULT_SCREENING_SAMPLE,
};
use audience_engine::encode::{default_selection, encode, EncodeNote, Selection};
use audience_engine::export::personas_json::personas_json;
use audience_engine::export::write_clustered_csv;
use audience_engine::ingest::{read_table, BadRowPolicy, IngestOptions, Ingested};
use audience_engine::profile::{profile_segments, ProfileParams};
use audience_engine::table::Table;
use serde::Serialize;

/// Arguments of `audience segment`.
#[derive(Debug, clap::Args)]
pub struct SegmentArgs {
    /// The CSV file to segment.
    pub file: PathBuf,
    /// Smallest share of the rows any segment may hold.
    #[arg(long, default_value_t = 0.05)]
    pub min: f64,
    /// Largest share of the rows any segment may hold.
    #[arg(long, default_value_t = 0.10)]
    pub max: f64,
    /// Number of segments: `auto` (every k the shares allow, best silhouette) or a number.
    #[arg(long, default_value = "auto", value_parser = parse_k)]
    pub k: KChoice,
    /// Columns to cluster on, comma-separated (default: every numeric, binary, ordinal and categorical
    /// column except the target).
    #[arg(long, value_delimiter = ',')]
    pub columns: Option<Vec<String>>,
    /// A conversion/target column that must not take part in clustering.
    #[arg(long)]
    pub target: Option<String>,
    /// Seed of every random choice (same file, settings and seed → same segments).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Independent restarts per k; the lowest cost wins.
    #[arg(long, default_value_t = 3)]
    pub restarts: usize,
    /// Files with more rows than this screen the restarts (and each k for `--k auto`) on a seeded sample of
    /// this many rows, then fit all rows once from the best sample centers; `0` screens on all rows.
    #[arg(long, value_name = "ROWS", default_value_t = DEFAULT_SCREENING_SAMPLE)]
    pub screening_sample: usize,
    /// Where to write the clustered CSV (`-` for standard output).
    #[arg(long, default_value = "clustered.csv")]
    pub out: PathBuf,
    /// Also write the segments' personas (profiles, traits, names, conversion when `--target` is given) as
    /// versioned personas JSON to this file.
    #[arg(long, value_name = "FILE.json")]
    pub personas: Option<PathBuf>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// Leave out rows that cannot be read as-is (listed on stderr) instead of refusing the file.
    #[arg(long)]
    pub skip_bad_rows: bool,
}

fn parse_k(text: &str) -> Result<KChoice, String> {
    if text.eq_ignore_ascii_case("auto") {
        return Ok(KChoice::Auto);
    }
    text.parse::<usize>()
        .map(KChoice::Fixed)
        .map_err(|_| format!("expected `auto` or a whole number, got {text:?}"))
}

#[derive(Serialize)]
struct Summary<'a> {
    file: String,
    out: String,
    personas: Option<String>,
    rows: usize,
    rows_skipped: usize,
    columns: Vec<&'a str>,
    dimensions: usize,
    notes: &'a [EncodeNote],
    k: usize,
    k_scores: Vec<KScore>,
    sizes: &'a [usize],
    shares: Vec<f64>,
    min_share: f64,
    max_share: f64,
    cost: f64,
    iterations: usize,
    /// Rows of the sample restarts and k were screened on, if any.
    screening_sample: Option<usize>,
    converged: bool,
    certified: bool,
    seed: u64,
    seconds: Seconds,
}

#[derive(Serialize)]
struct KScore {
    k: usize,
    silhouette: f64,
}

#[derive(Serialize)]
struct Seconds {
    read: f64,
    encode: f64,
    segment: f64,
    write: f64,
    total: f64,
}

/// Runs `audience segment`.
pub fn run(args: SegmentArgs) -> Result<(), String> {
    let started = Instant::now();
    let bytes = std::fs::read(&args.file)
        .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    let options = IngestOptions {
        bad_rows: if args.skip_bad_rows {
            BadRowPolicy::Skip
        } else {
            BadRowPolicy::Fail
        },
        ..IngestOptions::default()
    };
    let Ingested { table, report } =
        read_table(&bytes, &options).map_err(|e| format!("{}: {e}", args.file.display()))?;
    drop(bytes);
    for issue in &report.issues {
        eprintln!("skipped line {}: {}", issue.line, issue.message);
    }
    let read_seconds = started.elapsed().as_secs_f64();

    let selection = select(&table, args.columns.as_deref(), args.target.as_deref())?;
    let clock = Instant::now();
    let matrix = encode(&table, &selection).map_err(|e| e.to_string())?;
    let encode_seconds = clock.elapsed().as_secs_f64();

    let params = KMediansParams::new()
        .with_k(args.k)
        .with_bounds(Some(ShareBounds {
            min: args.min,
            max: args.max,
        }))
        .with_restarts(args.restarts)
        .with_screening_sample(match args.screening_sample {
            0 => usize::MAX,
            rows => rows,
        })
        .with_seed(args.seed);
    let clock = Instant::now();
    // Degenerate inputs are said before and after the run: rows the chosen columns cannot tell apart.
    let valid = params.validate(matrix.n_rows).map_err(|e| e.to_string())?;
    if let Some(warning) = degenerate::separability(&matrix, &valid).warning() {
        eprintln!("warning: {warning}");
    }
    let segmentation = valid.fit(&matrix).map_err(|e| e.to_string())?;
    let ids = degenerate::profile_ids(&matrix);
    if let Some(warning) =
        degenerate::after_run(&ids, &segmentation.labels, segmentation.k).warning()
    {
        eprintln!("warning: {warning}");
    }
    let segment_seconds = clock.elapsed().as_secs_f64();

    let clock = Instant::now();
    write_output(&table, &segmentation, &args.out, report.delimiter)?;
    if let Some(path) = &args.personas {
        let columns = selection
            .variables
            .iter()
            .map(|v| table.columns()[v.column].name.clone());
        write_personas(&table, &segmentation, args.target.as_deref(), columns, path)?;
    }
    let write_seconds = clock.elapsed().as_secs_f64();

    let shares = segmentation.shares();
    let summary = Summary {
        file: args.file.display().to_string(),
        out: args.out.display().to_string(),
        personas: args.personas.as_ref().map(|p| p.display().to_string()),
        rows: table.n_rows(),
        rows_skipped: report.rows_skipped,
        columns: selection
            .variables
            .iter()
            .map(|v| table.columns()[v.column].name.as_str())
            .collect(),
        dimensions: matrix.n_dims,
        notes: &matrix.notes,
        k: segmentation.k,
        k_scores: segmentation
            .k_scores
            .iter()
            .map(|&(k, silhouette)| KScore { k, silhouette })
            .collect(),
        sizes: &segmentation.sizes,
        min_share: shares.iter().copied().fold(f64::INFINITY, f64::min),
        max_share: shares.iter().copied().fold(0.0, f64::max),
        shares,
        cost: segmentation.cost,
        iterations: segmentation.iterations,
        screening_sample: segmentation.sample_rows,
        converged: segmentation.converged,
        certified: segmentation.certified,
        seed: args.seed,
        seconds: Seconds {
            read: read_seconds,
            encode: encode_seconds,
            segment: segment_seconds,
            write: write_seconds,
            total: started.elapsed().as_secs_f64(),
        },
    };
    // With the CSV on stdout, the summary goes to stderr.
    let to_stdout = args.out.as_os_str() != "-";
    let text = if args.json {
        serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?
    } else {
        human(&summary, &segmentation)
    };
    if to_stdout {
        println!("{text}");
    } else {
        eprintln!("{text}");
    }
    Ok(())
}

fn select(
    table: &Table,
    columns: Option<&[String]>,
    target: Option<&str>,
) -> Result<Selection, String> {
    if let Some(target) = target {
        if table.column_index(target).is_none() {
            return Err(format!(
                "no column named {target:?}; columns: {}",
                names(table)
            ));
        }
    }
    match columns {
        None => {
            let selection = default_selection(table, target);
            if selection.variables.is_empty() {
                return Err(format!(
                    "no column can be clustered on (identifier, date, empty or target columns only): {}",
                    names(table)
                ));
            }
            Ok(selection)
        }
        Some(wanted) => {
            let indices = wanted
                .iter()
                .map(|name| {
                    table.column_index(name.trim()).ok_or_else(|| {
                        format!("no column named {name:?}; columns: {}", names(table))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(target) = target {
                if wanted.iter().any(|w| w.trim() == target) {
                    return Err(format!(
                        "the target column {target:?} cannot be clustered on"
                    ));
                }
            }
            Ok(Selection::columns(&indices))
        }
    }
}

fn names(table: &Table) -> String {
    table
        .columns()
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn write_output(
    table: &Table,
    segmentation: &Segmentation,
    out: &PathBuf,
    delimiter: char,
) -> Result<(), String> {
    let labels = &segmentation.labels;
    let segment = |row: usize| (labels[row] + 1).to_string();
    let delimiter =
        u8::try_from(delimiter).map_err(|_| format!("delimiter {delimiter:?} is not ASCII"))?;
    let extra: [(&str, &dyn Fn(usize) -> String); 1] = [("segment", &segment)];
    if out.as_os_str() == "-" {
        let stdout = std::io::stdout();
        let mut writer = BufWriter::new(stdout.lock());
        write_clustered_csv(table, delimiter, &extra, &mut writer).map_err(|e| e.to_string())?;
        writer.flush().map_err(|e| e.to_string())
    } else {
        let file =
            File::create(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
        let mut writer = BufWriter::new(file);
        write_clustered_csv(table, delimiter, &extra, &mut writer).map_err(|e| e.to_string())?;
        writer
            .flush()
            .map_err(|e| format!("cannot write {}: {e}", out.display()))
    }
}

/// Profiles the segments (numbered `1..=k`, as in the CSV) and writes the personas JSON to `path`.
fn write_personas(
    table: &Table,
    segmentation: &Segmentation,
    target: Option<&str>,
    columns: impl IntoIterator<Item = String>,
    path: &PathBuf,
) -> Result<(), String> {
    // Names and defining traits come only from the columns segmented on.
    let mut params = ProfileParams::new()
        .segment_labels((1..=segmentation.k).map(|id| id.to_string()).collect())
        .segmentation_columns(columns);
    params.target = target.map(String::from);
    let report = profile_segments(table, &segmentation.labels, &params)
        .map_err(|e| format!("cannot profile the segments: {e}"))?;
    let json = personas_json(&report).map_err(|e| e.to_string())?;
    std::fs::write(path, json).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn human(summary: &Summary, segmentation: &Segmentation) -> String {
    let mut text = String::new();
    let mut line = |s: String| {
        text.push_str(&s);
        text.push('\n');
    };
    line(format!(
        "{} rows ({} skipped), clustered on {} columns ({} dimensions): {}",
        summary.rows,
        summary.rows_skipped,
        summary.columns.len(),
        summary.dimensions,
        summary.columns.join(", ")
    ));
    for note in summary.notes {
        line(format!(
            "note: {}",
            serde_json::to_string(note).unwrap_or_default()
        ));
    }
    if summary.k_scores.len() > 1 {
        let scores: Vec<String> = summary
            .k_scores
            .iter()
            .map(|s| format!("{}: {:.4}", s.k, s.silhouette))
            .collect();
        line(format!("silhouette by k: {}", scores.join(", ")));
    }
    if let Some(rows) = summary.screening_sample {
        line(format!(
            "screened {} on a seeded sample of {rows} rows, then fitted all rows from the best sample centers",
            if summary.k_scores.len() > 1 {
                "every k and its restarts"
            } else {
                "the restarts"
            }
        ));
    }
    line(format!(
        "k = {} (sizes {}..={} rows each)",
        summary.k, segmentation.limits.lower, segmentation.limits.upper
    ));
    line("segment      rows   share".into());
    for (c, (&size, share)) in summary.sizes.iter().zip(&summary.shares).enumerate() {
        line(format!("{:>7} {:>9} {:>6.2}%", c + 1, size, share * 100.0));
    }
    line(format!(
        "L1 cost {:.3}; {} iterations ({}); assignment {}",
        summary.cost,
        summary.iterations,
        if summary.converged {
            "converged"
        } else {
            "iteration limit reached"
        },
        if summary.certified {
            "certified optimal"
        } else {
            "NOT certified"
        }
    ));
    line(format!(
        "time: read {:.3}s, encode {:.3}s, segment {:.3}s, write {:.3}s, total {:.3}s",
        summary.seconds.read,
        summary.seconds.encode,
        summary.seconds.segment,
        summary.seconds.write,
        summary.seconds.total
    ));
    line(format!("wrote {}", summary.out));
    if let Some(personas) = &summary.personas {
        line(format!("wrote personas to {personas}"));
    }
    text.pop();
    text
}
