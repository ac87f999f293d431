//! `audience segment`: split a CSV into size-constrained segments and write it back with a `segment` column.
//!
//! Every input row is written, in order, with its fields unchanged (formula cells aside, see below), plus
//! `segment` (1..=k). A file with rows that cannot be read as-is (ragged, broken quoting) is refused with their line numbers unless
//! `--skip-bad-rows` is given, in which case the skipped lines are listed on stderr.
//!
//! Outputs are safe: every check that can fail happens before fitting, each output is written to a
//! temporary file next to it and renamed into place only when the whole run succeeded (see
//! [`crate::output`]), and no output may be the input file. Input cells that a spreadsheet would run as a
//! formula are written with a leading `'` unless `--no-escape-formulas` is given.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use audience_engine::cluster::{
    degenerate, KChoice, KMediansParams, Segmentation, ShareBounds, DEFAULT_SCREENING_SAMPLE,
};
use audience_engine::encode::{
    default_selection, EncodeNote, RowEncoder, SelectedVariable, Selection,
};
use audience_engine::export::formula::{is_formula, InputCells};
use audience_engine::export::personas_json::personas_json_with;
use audience_engine::export::ClusteredCsvOptions;
use audience_engine::ingest::{BadRowPolicy, HeaderMode, Ingested};
use audience_engine::pipeline::conversion_column;
use audience_engine::profile::{profile_segments, PersonaReport, ProfileParams};
use audience_engine::table::Table;
use serde::Serialize;

use crate::input::{parse_header, read_input};
use crate::output::{self, CsvWriteArgs, Failure, Outputs};
use crate::refusals::{
    check_target, cluster_error, drop_earlier_segmentation, encode_error, nothing_to_cluster,
    SegmentColumns,
};

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
    /// column except the conversion column and an earlier `segment` column).
    #[arg(long, value_delimiter = ',')]
    pub columns: Option<Vec<String>>,
    /// Cluster on these columns even if they look like IDs or are empty, comma-separated (added to
    /// `--columns` or to the default columns).
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub force_columns: Vec<String>,
    /// Read these columns as categories whatever their values look like (integer codes such as region
    /// 1/2/3), comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub categorical: Vec<String>,
    /// The conversion column, never clustered on (default: detected by name and values, e.g. is_sale,
    /// converted, y, as `audience profile` does).
    #[arg(long)]
    pub target: Option<String>,
    /// The value of the conversion column that means converted (needed when its two values are not
    /// yes/no-like, e.g. `--positive '>50K'`).
    #[arg(long)]
    pub positive: Option<String>,
    /// Seed of every random choice (same file, settings and seed → same segments).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Independent restarts per k; the lowest cost wins (at least 10 when rows × encoded dimensions is
    /// at most 50,000, e.g. 2,000 customers on 25 dimensions, where a run is cheap and a costlier split
    /// more likely).
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
    /// Also save the segmentation (columns, encoding, centers, bounds, names; no customer row) as a model
    /// file, to put later files in the same segments with `audience apply`.
    #[arg(long, value_name = "FILE.json")]
    pub save_model: Option<PathBuf>,
    /// With --personas: conversion tiers `auto`, `absolute` or `lift` (as `audience profile --tiers`).
    #[arg(long, value_name = "auto|absolute|lift", default_value = "auto", value_parser = crate::trust::parse_tiers)]
    pub tiers: audience_engine::profile::TierChoice,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// Leave out rows that cannot be read as-is (listed on stderr) instead of refusing the file.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Whether the first line (after any title, comment or `sep=` lines) holds the column names:
    /// `yes`, `no` (every line is a customer; columns are named column_1, column_2, …) or `auto`.
    #[arg(long, value_name = "yes|no|auto", default_value = "auto", value_parser = parse_header)]
    pub header: HeaderMode,
    /// The file is an order log: roll it up to one row per customer first (as `audience rollup` with the
    /// detected columns) and segment the customers.
    #[arg(long)]
    pub rollup: bool,
    /// How the written CSV treats an earlier segment column and formula cells.
    #[command(flatten)]
    pub csv: CsvWriteArgs,
    /// Census values by ZIP code to add before segmenting (`--retrieve`, `--zip-column`).
    #[command(flatten)]
    pub census: crate::census::RetrieveArgs,
    /// Filters, holdout and upload files (`--where`, `--filtered-out`, `--holdout`, `--holdout-out`,
    /// `--match-out`, `--destinations`, `--default-country`).
    #[command(flatten)]
    pub activation: crate::activation::ActivationArgs,
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
    /// The `--where` filter: rule, rows kept, rows per condition (`rows` is then the rows kept).
    filter: Option<audience_engine::filter::FilterCounts>,
    /// The holdout per segment, with `--holdout`.
    holdout: Option<audience_engine::holdout::HoldoutSplit>,
    /// Match coverage and platform minimums, with `--match-out`.
    coverage: Option<audience_engine::coverage::Coverage>,
    /// Upload files written, with `--match-out`.
    upload_files: Vec<UploadFile>,
    /// Activation lines of the text summary.
    #[serde(skip)]
    activation_lines: Vec<String>,
    columns: Vec<&'a str>,
    /// The conversion column left out of clustering, if any.
    conversion_column: Option<String>,
    /// Whether the conversion column was detected (rather than named with `--target`).
    conversion_detected: bool,
    /// Columns of an earlier segmentation left out of clustering.
    left_out: Vec<String>,
    /// The column the segments are written to.
    segment_column: String,
    /// Things the user should know about the written file.
    warnings: Vec<String>,
    /// Input cells written with a leading `'` because a spreadsheet would run them as formulas.
    formulas_escaped: usize,
    dimensions: usize,
    notes: &'a [EncodeNote],
    k: usize,
    k_scores: Vec<KScore>,
    sizes: &'a [usize],
    shares: Vec<f64>,
    min_share: f64,
    max_share: f64,
    /// The share bounds asked for (`--min`, `--max`), over the rows segmented.
    #[serde(skip)]
    min_bound: f64,
    #[serde(skip)]
    max_bound: f64,
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
struct UploadFile {
    file: String,
    destination: audience_engine::export::destinations::Destination,
    segment: u32,
    rows_written: usize,
    rows_skipped: usize,
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
pub fn run(args: SegmentArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let bad_rows = if args.skip_bad_rows {
        BadRowPolicy::Skip
    } else {
        BadRowPolicy::Fail
    };
    let Ingested { table, report } =
        crate::rollup::maybe_roll_up(read_input(&args.file, args.header, bad_rows)?, args.rollup)?;
    let table = crate::input::as_categories(table, &args.categorical)?;
    let table = crate::census::with_retrieved(table, &args.census)?;
    let (table, filtered) = crate::activation::apply_filter(table, &args.activation.filter)?;
    crate::activation::check(&args.activation, &table)?;
    let read_seconds = started.elapsed().as_secs_f64();

    // Every check that can fail comes before fitting and before anything is written.
    let added = SegmentColumns::new(args.csv.segment_column.as_deref());
    added.check(&table, false, args.csv.replace_segment)?;
    if args.personas.is_some() || args.positive.is_some() {
        check_target(&table, args.target.as_deref(), args.positive.as_deref())?;
    }
    let conversion = conversion_column(&table, args.target.as_deref());
    let (selection, left_out) = select(
        &table,
        args.columns.as_deref(),
        &args.force_columns,
        args.target.as_deref(),
        conversion.as_deref(),
        &added,
    )?;
    let mut outputs = Outputs::new(&[&args.file])?;
    let to_stdout = args.out.as_os_str() == "-";
    let out_claim = if to_stdout {
        None
    } else {
        Some(outputs.claim("--out", &args.out)?)
    };
    let personas_claim = match &args.personas {
        Some(path) => Some(outputs.claim("--personas", path)?),
        None => None,
    };
    let holdout_claim = match &args.activation.holdout_out {
        Some(path) => Some(outputs.claim("--holdout-out", path)?),
        None => None,
    };
    let input_cells = args.csv.input_cells();
    let csv_options = ClusteredCsvOptions {
        delimiter: u8::try_from(report.delimiter)
            .map_err(|_| format!("delimiter {:?} is not ASCII", report.delimiter))?,
        input_cells,
        replace_existing: args.csv.replace_segment,
    };

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
    let encoder = RowEncoder::new(&table, &selection).map_err(|e| encode_error(e, &table))?;
    let valid = params.validate(encoder.n_rows()).map_err(cluster_error)?;
    // The fit's row order groups identical rows (their profiles come from it). Only a saved model reads
    // the matrix after the fit in file order: it is encoded so, and the fit moves its rows into its order
    // and back. Otherwise the rows are encoded straight into the fit's order.
    let (mut matrix, order) = match args.save_model {
        Some(_) => {
            let matrix = encoder.in_file_order();
            let order = valid.row_order(&matrix);
            (matrix, order)
        }
        None => valid.encode_in_fit_order(encoder),
    };
    let encode_seconds = clock.elapsed().as_secs_f64();

    let clock = Instant::now();
    // Degenerate inputs are said before and after the run: rows the chosen columns cannot tell apart.
    let ids = match args.save_model {
        Some(_) => degenerate::profile_ids_in_order(&matrix, &order),
        None => degenerate::profile_ids_of_reordered(&matrix, &order),
    };
    if let Some(warning) = degenerate::separability_of_profiles(&ids, &valid).warning() {
        eprintln!("warning: {warning}");
    }
    let mut quiet = |_| std::ops::ControlFlow::Continue(());
    let segmentation = match args.save_model {
        Some(_) => valid.fit_in_place_with_progress(&mut matrix, &order, &mut quiet),
        None => valid.fit_ordered_with_progress(&matrix, &order, &mut quiet),
    }
    .map_err(cluster_error)?;
    drop(order);
    if let Some(warning) =
        degenerate::after_run(&ids, &segmentation.labels, segmentation.k).warning()
    {
        eprintln!("warning: {warning}");
    }
    let segment_seconds = clock.elapsed().as_secs_f64();

    let clock = Instant::now();
    let labels = &segmentation.labels;
    // The personas (also for the upload files' names).
    let persona_report = match args.personas.is_some() || args.activation.match_out.is_some() {
        true => {
            let columns = selection
                .variables
                .iter()
                .map(|v| table.columns()[v.column].name.clone());
            Some(personas(&table, &segmentation, &args, columns)?)
        }
        false => None,
    };
    let names = persona_report
        .as_ref()
        .map_or(Vec::new(), |r| r.names_by_index());
    let plan = crate::activation::Plan::new(&args.activation, &table, labels, args.seed, names)?;
    plan.print_coverage();
    let write_csv = |w: &mut dyn Write| {
        crate::activation::write_clustered(
            &table,
            filtered.as_ref(),
            args.activation.filtered_out,
            &csv_options,
            &added.segment,
            labels,
            plan.holdout.as_ref(),
            w,
        )
    };
    if let (Some(claim), Some(report)) = (personas_claim, &persona_report) {
        let activation = plan.activation(filtered.as_ref());
        let json = personas_json_with(report, activation.as_ref()).map_err(|e| e.to_string())?;
        outputs.write(claim, |w| {
            w.write_all(json.as_bytes()).map_err(|e| e.to_string())
        })?;
    }
    if let Some(claim) = out_claim {
        outputs.write(claim, |w| write_csv(w))?;
    }
    if let (Some(claim), Some(holdout)) = (holdout_claim, &plan.holdout) {
        outputs.write(claim, |w| {
            crate::activation::write_holdout(
                &table,
                &csv_options,
                &added.segment,
                labels,
                holdout,
                w,
            )
        })?;
    }
    plan.write_files(&args.activation, &mut outputs)?;
    crate::model::save(
        &args,
        &table,
        &selection,
        &matrix,
        &segmentation,
        &mut outputs,
    )?;
    outputs.commit()?;
    if to_stdout {
        let mut stdout = output::Stdout::default();
        let mut writer = BufWriter::new(&mut stdout);
        let written =
            write_csv(&mut writer).and_then(|()| writer.flush().map_err(|e| e.to_string()));
        drop(writer);
        written.map_err(|e| stdout.failure(e))?;
    }
    let write_seconds = clock.elapsed().as_secs_f64();

    let shares = segmentation.shares();
    let summary = Summary {
        file: args.file.display().to_string(),
        out: args.out.display().to_string(),
        personas: args.personas.as_ref().map(|p| p.display().to_string()),
        rows: table.n_rows(),
        rows_skipped: report.rows_skipped,
        filter: filtered.as_ref().map(|f| f.counts.clone()),
        holdout: plan.holdout.clone(),
        coverage: plan.coverage.clone(),
        upload_files: plan
            .files
            .iter()
            .map(|f| UploadFile {
                file: f.file_name.clone(),
                destination: f.destination,
                segment: f.segment + 1,
                rows_written: f.report.rows_written,
                rows_skipped: f.report.rows_skipped,
            })
            .collect(),
        activation_lines: plan.describe(&args.activation),
        columns: selection
            .variables
            .iter()
            .map(|v| table.columns()[v.column].name.as_str())
            .collect(),
        conversion_column: conversion.filter(|c| {
            !selection
                .variables
                .iter()
                .any(|v| table.columns()[v.column].name == *c)
        }),
        conversion_detected: args.target.is_none(),
        left_out,
        segment_column: added.segment.clone(),
        warnings: stale_names(&table, &added, args.csv.replace_segment),
        formulas_escaped: match input_cells {
            // The rows written: every input row when filtered-out rows are marked.
            InputCells::EscapeFormulas => {
                count_formulas(match (&filtered, args.activation.filtered_out) {
                    (Some(f), crate::activation::FilteredOut::Mark) => &f.full,
                    _ => &table,
                })
            }
            InputCells::Unchanged => 0,
        },
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
        min_bound: args.min,
        max_bound: args.max,
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
    let text = if args.json {
        serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?
    } else {
        human(&summary, &segmentation)
    };
    if to_stdout {
        eprintln!("{text}");
        Ok(())
    } else {
        output::print(&format!("{text}\n"))
    }
}

/// With `--replace-segment` on an export of `audience profile`: its names column now describes the old
/// segments.
fn stale_names(table: &Table, added: &SegmentColumns, replace: bool) -> Vec<String> {
    let replaced = replace && table.column_index(&added.segment).is_some();
    match table.column_index(&added.name) {
        Some(_) if replaced => vec![format!(
            "the column {:?} still holds the names of the earlier segments; run `audience profile` with \
             --segments {} to name the new ones",
            added.name, added.segment
        )],
        _ => Vec::new(),
    }
}

/// Input cells a spreadsheet would run as formulas (column names included).
fn count_formulas(table: &Table) -> usize {
    table
        .columns()
        .iter()
        .map(|column| {
            usize::from(is_formula(&column.name))
                + (0..table.n_rows())
                    .filter(|&row| is_formula(column.text(row)))
                    .count()
        })
        .sum()
}

/// The clustering variables, and the columns left out because they hold an earlier segmentation.
///
/// Without `--columns`: the default selection without the conversion column (chosen or detected) and
/// without earlier segment columns. `--force-columns` adds columns (or forces listed ones) even if they
/// look like IDs or are empty.
fn select(
    table: &Table,
    columns: Option<&[String]>,
    force: &[String],
    target: Option<&str>,
    conversion: Option<&str>,
    added: &SegmentColumns,
) -> Result<(Selection, Vec<String>), String> {
    if let Some(target) = target {
        if table.column_index(target).is_none() {
            return Err(format!(
                "no column named {target:?} for --target; the columns are: {}",
                names(table)
            ));
        }
    }
    let index = |name: &String| {
        table.column_index(name.trim()).ok_or_else(|| {
            format!(
                "no column named {name:?}; the columns are: {}",
                names(table)
            )
        })
    };
    let forced = force.iter().map(index).collect::<Result<Vec<_>, _>>()?;
    let (mut selection, left_out) = match columns {
        None => {
            let mut selection = default_selection(table, conversion);
            let left_out = drop_earlier_segmentation(table, &mut selection, added);
            if selection.variables.is_empty() && forced.is_empty() {
                return Err(nothing_to_cluster(table));
            }
            (selection, left_out)
        }
        Some(wanted) => {
            let indices = wanted.iter().map(index).collect::<Result<Vec<_>, _>>()?;
            if let Some(target) = target {
                if wanted.iter().any(|w| w.trim() == target) {
                    return Err(format!(
                        "{target:?} is the conversion column (--target), which segments are compared on, so it cannot also form them. Remove it from --columns."
                    ));
                }
            }
            (Selection::columns(&indices), Vec::new())
        }
    };
    for column in forced {
        match selection.variables.iter_mut().find(|v| v.column == column) {
            Some(variable) => variable.force = true,
            None => selection.variables.push(SelectedVariable {
                column,
                weight: 1.0,
                force: true,
            }),
        }
    }
    // The summary lists the columns as the model does, however `--columns` listed them.
    Ok((selection.in_table_order(), left_out))
}

fn names(table: &Table) -> String {
    table
        .columns()
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The personas JSON of the segments (numbered `1..=k`, as in the CSV).
fn personas(
    table: &Table,
    segmentation: &Segmentation,
    args: &SegmentArgs,
    columns: impl IntoIterator<Item = String>,
) -> Result<PersonaReport, String> {
    // Names and defining traits come only from the columns segmented on.
    let mut params = ProfileParams::new()
        .segment_labels((1..=segmentation.k).map(|id| id.to_string()).collect())
        .segmentation_columns(columns);
    params.target = args.target.clone();
    params.positive_value = args.positive.clone();
    params.tiers = args.tiers;
    let mut report = profile_segments(table, &segmentation.labels, &params)
        .map_err(|e| format!("cannot profile the segments: {e}"))?;
    crate::census::mark_area_level(&mut report, table, &segmentation.labels, &args.census);
    Ok(report)
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
    if let Some(column) = &summary.conversion_column {
        line(format!(
            "left out the conversion column {column:?} ({}), as `audience profile` does",
            if summary.conversion_detected {
                "detected by its name and values; name another with --target"
            } else {
                "--target"
            }
        ));
    }
    if !summary.left_out.is_empty() {
        line(format!(
            "left out the earlier segment column(s) {} (name them in --columns to cluster on them)",
            summary.left_out.join(", ")
        ));
    }
    for warning in &summary.warnings {
        line(format!("note: {warning}"));
    }
    if summary.formulas_escaped > 0 {
        line(format!(
            "wrote {} cells that a spreadsheet would run as formulas with a leading ' (--no-escape-formulas keeps them unchanged)",
            summary.formulas_escaped
        ));
    }
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
    if let Some(filter) = &summary.filter {
        line(crate::activation::describe_filter(filter));
        line(format!(
            "each segment holds {}–{}% of the {} filtered customers",
            summary.min_bound * 100.0,
            summary.max_bound * 100.0,
            audience_engine::coverage::thousands(summary.rows)
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
    line(format!(
        "wrote {} (segments in column {:?})",
        summary.out, summary.segment_column
    ));
    if let Some(personas) = &summary.personas {
        line(format!("wrote personas to {personas}"));
    }
    for activation in &summary.activation_lines {
        line(activation.clone());
    }
    text.pop();
    text
}
