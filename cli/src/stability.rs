//! `audience stability MODEL FILE`: are the saved segments real, or an accident of one seed?
//!
//! The file (normally the one the segmentation was fitted on) is put in the saved segments, then
//! segmented afresh `--refits` times with other seeds (or on bootstrap samples of its rows, `--resample
//! bootstrap`) with the saved k, share bounds and restarts. For each segment and overall it reports the
//! share of rows that stay together (segments matched by overlap) and the adjusted Rand index, and flags
//! segments that keep fewer than 75 % of their rows.

use std::path::PathBuf;
use std::time::Instant;

use audience_engine::cluster::KMediansParams;
use audience_engine::ingest::{BadRowPolicy, HeaderMode, IngestOptions, Ingested};
use audience_engine::model::apply::{assign, encode_for_model, BoundsMode};
use audience_engine::stability::{stability, Resample, StabilityReport, UNSTABLE_BELOW};

use crate::input::{parse_header, read_input};
use crate::output::{self, Failure};

/// Arguments of `audience stability`.
#[derive(Debug, clap::Args)]
pub struct StabilityArgs {
    /// The saved segmentation (written by `audience segment --save-model`).
    pub model: PathBuf,
    /// The CSV file to refit (normally the file it was fitted on).
    pub file: PathBuf,
    /// How many times to segment afresh.
    #[arg(long, default_value_t = 5)]
    pub refits: usize,
    /// `seeds`: all rows with other seeds; `bootstrap`: rows drawn with replacement, other seeds.
    #[arg(long, value_name = "seeds|bootstrap", default_value = "seeds", value_parser = parse_resample)]
    pub resample: Resample,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Whether the first line holds the column names: `yes`, `no` or `auto`.
    #[arg(long, value_name = "yes|no|auto", default_value = "auto", value_parser = parse_header)]
    pub header: HeaderMode,
}

fn parse_resample(text: &str) -> Result<Resample, String> {
    match text.to_ascii_lowercase().as_str() {
        "seeds" => Ok(Resample::Seeds),
        "bootstrap" => Ok(Resample::Bootstrap),
        _ => Err(format!("expected seeds or bootstrap, got {text:?}")),
    }
}

/// Runs `audience stability`.
pub fn run(args: StabilityArgs) -> Result<(), Failure> {
    let started = Instant::now();
    if args.refits == 0 {
        return Err("--refits must be at least 1".into());
    }
    let model = crate::model::read(&args.model)?;
    let Ingested { table, report } = read_input(&args.file, args.header, BadRowPolicy::Fail)?;
    let table = crate::model::with_retrieval(&model, table)?;
    let options = IngestOptions {
        delimiter: u8::try_from(report.delimiter).ok(),
        ..IngestOptions::default()
    };
    let at = |e: &dyn std::fmt::Display| format!("{}: {e}", args.file.display());
    let (matrix, notes) = encode_for_model(&model, &table, &options).map_err(|e| at(&e))?;
    for note in &notes {
        eprintln!("audience: note: {}", note.message());
    }
    let (labels, _) = assign(&model, &matrix, BoundsMode::Exact).map_err(|e| at(&e))?;
    let params = KMediansParams::new()
        .with_bounds(model.bounds)
        .with_restarts(model.restarts.max(1))
        .with_seed(model.seed);
    let result = stability(
        &matrix,
        &params,
        &labels,
        model.k,
        args.refits,
        args.resample,
    )
    .map_err(|e| at(&e))?;
    let text = if args.json {
        serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?
    } else {
        human(&result, &model, started.elapsed().as_secs_f64())
    };
    output::print(&format!("{text}\n"))
}

fn human(
    report: &StabilityReport,
    model: &audience_engine::model::SegmentationModel,
    seconds: f64,
) -> String {
    let mut lines = vec![format!(
        "{} refits ({}): {:.1}% of rows stay in their segment, adjusted Rand index {:.3} (1 = the same \
         segments every time, 0 = no better than chance)",
        report.refits.len(),
        match report.resample {
            Resample::Seeds => "other seeds",
            Resample::Bootstrap => "bootstrap samples",
        },
        report.kept * 100.0,
        report.adjusted_rand
    )];
    lines.push("segment     kept   adj. Rand   name".into());
    for (index, s) in report.segments.iter().enumerate() {
        lines.push(format!(
            "{:>7} {:>7.1}%   {:>9.3}   {}{}",
            s.number,
            s.kept * 100.0,
            s.adjusted_rand,
            model.segments[index].name.as_deref().unwrap_or(""),
            if s.unstable { " (UNSTABLE)" } else { "" }
        ));
    }
    let unstable = report.unstable();
    if unstable.is_empty() {
        lines.push(format!(
            "every segment keeps at least {:.0}% of its rows: the segments are not an accident of one seed",
            UNSTABLE_BELOW * 100.0
        ));
    } else {
        lines.push(format!(
            "segment{} {} keep{} fewer than {:.0}% of {} rows across refits: treat {} with care, or try \
             another k or other columns",
            if unstable.len() == 1 { "" } else { "s" },
            unstable.iter().map(u32::to_string).collect::<Vec<_>>().join(", "),
            if unstable.len() == 1 { "s" } else { "" },
            UNSTABLE_BELOW * 100.0,
            if unstable.len() == 1 { "its" } else { "their" },
            if unstable.len() == 1 { "it" } else { "them" },
        ));
    }
    lines.push(format!("time: {seconds:.3}s"));
    lines.join("\n")
}
