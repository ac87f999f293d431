//! `audience apply MODEL FILE`: put every row of a file in the segments of a saved segmentation.
//!
//! The file's columns are matched by name and encoded with the saved figures, so the training file gets
//! its own segments back and next month's file gets the same segment numbers and names. A missing
//! column or a column that now holds another kind of value is refused before anything is written; values
//! the saved segmentation never saw are listed. `--bounds exact` (the default) keeps every segment's
//! share within the saved bounds with the fit's own assignment solver, replaying the fit's last assignment
//! step (so the training file gets back every label); `--bounds nearest` puts each row in the segment of
//! its nearest center.

use std::path::PathBuf;
use std::time::Instant;

use audience_engine::export::{write_clustered_csv_with, ClusteredCsvOptions};
use audience_engine::ingest::{BadRowPolicy, HeaderMode, IngestOptions, Ingested};
use audience_engine::model::apply::{apply, ApplyNote, BoundsMode};
use serde::Serialize;

use crate::input::{parse_header, read_input};
use crate::output::{self, CsvWriteArgs, Failure, Outputs};
use crate::refusals::SegmentColumns;

/// Arguments of `audience apply`.
#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// The saved segmentation (written by `audience segment --save-model`).
    pub model: PathBuf,
    /// The CSV file to put in those segments.
    pub file: PathBuf,
    /// Where to write the file with its `segment` (and `segment_name`) columns.
    #[arg(long, default_value = "applied.csv")]
    pub out: PathBuf,
    /// `exact`: every segment's share within the saved bounds (the same solver as the fit); `nearest`:
    /// each row in the segment of its nearest center.
    #[arg(long, value_name = "exact|nearest", default_value = "exact", value_parser = parse_bounds)]
    pub bounds: BoundsMode,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// Leave out rows that cannot be read as-is (listed on stderr) instead of refusing the file.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Whether the first line holds the column names: `yes`, `no` or `auto`.
    #[arg(long, value_name = "yes|no|auto", default_value = "auto", value_parser = parse_header)]
    pub header: HeaderMode,
    /// How the written CSV treats an earlier segment column and formula cells.
    #[command(flatten)]
    pub csv: CsvWriteArgs,
}

fn parse_bounds(text: &str) -> Result<BoundsMode, String> {
    match text.to_ascii_lowercase().as_str() {
        "exact" => Ok(BoundsMode::Exact),
        "nearest" => Ok(BoundsMode::Nearest),
        _ => Err(format!(
            "expected exact (keep the saved share bounds) or nearest (each row to its nearest segment), \
             got {text:?}"
        )),
    }
}

#[derive(Serialize)]
struct Summary {
    model: String,
    file: String,
    out: String,
    rows: usize,
    rows_skipped: usize,
    bounds: BoundsMode,
    segments: Vec<SegmentRow>,
    /// Rows in the segment of their nearest center.
    at_nearest: usize,
    notes: Vec<ApplyNote>,
    seconds: f64,
}

#[derive(Serialize)]
struct SegmentRow {
    segment: u32,
    name: Option<String>,
    rows: usize,
    share: f64,
    saved_share: f64,
}

/// Runs `audience apply`.
pub fn run(args: ApplyArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let model = crate::model::read(&args.model)?;
    let bad_rows = if args.skip_bad_rows {
        BadRowPolicy::Skip
    } else {
        BadRowPolicy::Fail
    };
    let Ingested { table, report } = read_input(&args.file, args.header, bad_rows)?;
    let table = crate::model::with_retrieval(&model, table)?;
    let added = SegmentColumns::new(args.csv.segment_column.as_deref());
    let named = model.segments.iter().any(|s| s.name.is_some());
    added.check(&table, named, args.csv.replace_segment)?;
    let delimiter = u8::try_from(report.delimiter)
        .map_err(|_| format!("delimiter {:?} is not ASCII", report.delimiter))?;
    let mut outputs = Outputs::new(&[&args.file, &args.model])?;
    let claim = outputs.claim("--out", &args.out)?;
    let options = IngestOptions {
        delimiter: Some(delimiter),
        ..IngestOptions::default()
    };
    let applied = apply(&model, &table, args.bounds, &options)
        .map_err(|e| format!("{}: {e}", args.file.display()))?;
    let labels = &applied.labels;
    let segment = |row: usize| (labels[row] + 1).to_string();
    let name = |row: usize| {
        model.segments[labels[row] as usize]
            .name
            .clone()
            .unwrap_or_default()
    };
    let mut extra: Vec<(&str, &dyn Fn(usize) -> String)> = vec![(&added.segment, &segment)];
    if named {
        extra.push((&added.name, &name));
    }
    let csv_options = ClusteredCsvOptions {
        delimiter,
        input_cells: args.csv.input_cells(),
        replace_existing: args.csv.replace_segment,
    };
    outputs.write(claim, |w| {
        write_clustered_csv_with(&table, &csv_options, &extra, w).map_err(|e| e.to_string())
    })?;
    outputs.commit()?;

    let n = table.n_rows().max(1) as f64;
    let summary = Summary {
        model: args.model.display().to_string(),
        file: args.file.display().to_string(),
        out: args.out.display().to_string(),
        rows: table.n_rows(),
        rows_skipped: report.rows_skipped,
        bounds: args.bounds,
        segments: model
            .segments
            .iter()
            .zip(&applied.sizes)
            .map(|(s, &rows)| SegmentRow {
                segment: s.number,
                name: s.name.clone(),
                rows,
                share: rows as f64 / n,
                saved_share: s.share,
            })
            .collect(),
        at_nearest: applied.at_nearest,
        notes: applied.notes,
        seconds: started.elapsed().as_secs_f64(),
    };
    let text = if args.json {
        serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?
    } else {
        human(&summary)
    };
    output::print(&format!("{text}\n"))
}

fn human(summary: &Summary) -> String {
    let mut lines = vec![format!(
        "{} rows ({} skipped) put in the {} saved segments of {} ({})",
        summary.rows,
        summary.rows_skipped,
        summary.segments.len(),
        summary.model,
        match summary.bounds {
            BoundsMode::Exact => "share bounds kept exactly",
            BoundsMode::Nearest => "each row to its nearest segment",
        }
    )];
    for note in &summary.notes {
        lines.push(format!("note: {}", note.message()));
    }
    lines.push("segment      rows   share   saved share   name".into());
    for s in &summary.segments {
        lines.push(format!(
            "{:>7} {:>9} {:>6.2}%       {:>6.2}%   {}",
            s.segment,
            s.rows,
            s.share * 100.0,
            s.saved_share * 100.0,
            s.name.as_deref().unwrap_or("")
        ));
    }
    if summary.bounds == BoundsMode::Exact && summary.at_nearest < summary.rows {
        lines.push(format!(
            "{} of {} rows are in their nearest segment; the others were moved to keep the saved shares \
             (--bounds nearest keeps every row at its nearest segment)",
            summary.at_nearest, summary.rows
        ));
    }
    lines.push(format!("wrote {} in {:.3}s", summary.out, summary.seconds));
    lines.join("\n")
}
