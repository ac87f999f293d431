//! `audience lookalike MODEL PROSPECTS --segment N`: score a prospect file by how much each row resembles
//! the customers of one saved segment, and export the best of them.
//!
//! Rows are written best first with three columns added: `lookalike_score` (0–100: the share of the
//! segment's own customers that are farther from its typical customer than the prospect),
//! `lookalike_band` (strong, good, weak, not a match) and `lookalike_reason` (the score in words).
//! `--top N` keeps the N best rows, `--band B` the rows of band B or better.

use std::path::PathBuf;

use audience_engine::export::{write_clustered_csv_with, ClusteredCsvOptions};
use audience_engine::ingest::{BadRowPolicy, HeaderMode, IngestOptions, Ingested};
use audience_engine::model::apply::encode_for_model;
use audience_engine::model::lookalike::{explain, ranking, score_rows, Band};
use audience_engine::table::{Column, Table};
use serde::Serialize;

use crate::input::{parse_header, read_input};
use crate::output::{self, CsvWriteArgs, Failure, Outputs};

/// Arguments of `audience lookalike`.
#[derive(Debug, clap::Args)]
pub struct LookalikeArgs {
    /// The saved segmentation (written by `audience segment --save-model`).
    pub model: PathBuf,
    /// The prospect CSV file to score.
    pub prospects: PathBuf,
    /// The segment the prospects should resemble (its number, 1..k).
    #[arg(long)]
    pub segment: u32,
    /// Keep only the N best-scoring prospects.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Keep only the prospects in this band or a better one: strong, good or weak.
    #[arg(long, value_parser = parse_band)]
    pub band: Option<Band>,
    /// Where to write the scored prospects, best first.
    #[arg(long, default_value = "lookalikes.csv")]
    pub out: PathBuf,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// Whether the first line holds the column names: `yes`, `no` or `auto`.
    #[arg(long, value_name = "yes|no|auto", default_value = "auto", value_parser = parse_header)]
    pub header: HeaderMode,
    /// How the written CSV treats formula cells.
    #[command(flatten)]
    pub csv: CsvWriteArgs,
}

fn parse_band(text: &str) -> Result<Band, String> {
    Band::parse(text).ok_or_else(|| format!("expected strong, good or weak, got {text:?}"))
}

#[derive(Serialize)]
struct Summary {
    segment: u32,
    name: Option<String>,
    prospects: usize,
    bands: Vec<(&'static str, usize)>,
    written: usize,
    out: String,
}

/// Runs `audience lookalike`.
pub fn run(args: LookalikeArgs) -> Result<(), Failure> {
    let model = crate::model::read(&args.model)?;
    let Ingested { table, report } = read_input(&args.prospects, args.header, BadRowPolicy::Fail)?;
    let table = crate::model::with_retrieval(&model, table)?;
    let delimiter = u8::try_from(report.delimiter)
        .map_err(|_| format!("delimiter {:?} is not ASCII", report.delimiter))?;
    let options = IngestOptions {
        delimiter: Some(delimiter),
        ..IngestOptions::default()
    };
    let mut outputs = Outputs::new(&[&args.prospects, &args.model])?;
    let claim = outputs.claim("--out", &args.out)?;
    let (matrix, notes) = encode_for_model(&model, &table, &options)
        .map_err(|e| format!("{}: {e}", args.prospects.display()))?;
    for note in &notes {
        eprintln!("audience: note: {}", note.message());
    }
    let scores = score_rows(&model, &matrix, args.segment).map_err(|e| e.to_string())?;
    let mut rows = ranking(&scores);
    if let Some(band) = args.band {
        rows.retain(|&r| scores[r].band <= band);
    }
    if let Some(top) = args.top {
        rows.truncate(top);
    }
    let chosen = select_rows(&table, &rows)?;
    let score = |i: usize| format!("{:.1}", scores[rows[i]].score);
    let band = |i: usize| scores[rows[i]].band.name().to_string();
    let reason = |i: usize| explain(&model, args.segment, &scores[rows[i]]);
    let extra: [(&str, &dyn Fn(usize) -> String); 3] = [
        ("lookalike_score", &score),
        ("lookalike_band", &band),
        ("lookalike_reason", &reason),
    ];
    let csv_options = ClusteredCsvOptions {
        delimiter,
        input_cells: args.csv.input_cells(),
        replace_existing: args.csv.replace_segment,
    };
    outputs.write(claim, |w| {
        write_clustered_csv_with(&chosen, &csv_options, &extra, w).map_err(|e| e.to_string())
    })?;
    outputs.commit()?;
    let bands = [Band::Strong, Band::Good, Band::Weak, Band::NotAMatch]
        .map(|b| (b.name(), scores.iter().filter(|s| s.band == b).count()))
        .to_vec();
    let summary = Summary {
        segment: args.segment,
        name: model.segments[args.segment as usize - 1].name.clone(),
        prospects: table.n_rows(),
        bands,
        written: rows.len(),
        out: args.out.display().to_string(),
    };
    let text = if args.json {
        serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?
    } else {
        let mut lines = vec![format!(
            "{} prospects scored against {}:",
            summary.prospects,
            model.segment_phrase(args.segment as usize - 1)
        )];
        for (band, count) in &summary.bands {
            lines.push(format!("{band:>12} {count:>8}"));
        }
        lines.push(format!(
            "wrote the {} best-matching prospects, best first, to {}",
            summary.written, summary.out
        ));
        lines.join("\n")
    };
    output::print(&format!("{text}\n"))
}

/// The given rows of `table`, in that order (every column and cell text kept).
fn select_rows(table: &Table, rows: &[usize]) -> Result<Table, String> {
    let columns = table
        .columns()
        .iter()
        .map(|c| {
            Column::with_dictionary(
                c.name.clone(),
                c.column_type(),
                rows.iter().map(|&r| c.code(r)).collect(),
                c.dictionary().clone(),
                c.cells().to_vec(),
                c.levels().to_vec(),
            )
            .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, _>>()?;
    Table::new(columns).map_err(|e| e.to_string())
}
