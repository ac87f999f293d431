//! `audience profile FILE [--target COL] [--segments COL] [--json]`: ranked personas of a CSV's segments.
//!
//! With `--segments COL` the segments are the distinct values of that column (an earlier segmentation, or
//! any existing code such as a lifestyle segment). Prints a ranked table (rank, name, size, share,
//! conversion rate ± 95% interval, tier, top traits), each persona's summary and lenses, and the notes;
//! `--json` prints the personas JSON document instead, and `--summary-csv PATH` also writes the summary CSV.

use std::fmt::Write as _;
use std::path::PathBuf;

use audience_engine::export::personas_json::personas_json;
use audience_engine::export::summary_csv::write_summary_csv;
use audience_engine::ingest::{read_table, IngestOptions, Ingested};
use audience_engine::profile::{
    profile_segments, segments_from_column, LensColumns, PersonaReport, ProfileParams, SupportRule,
};

/// Arguments of `audience profile`.
#[derive(Debug, clap::Args)]
pub struct ProfileArgs {
    /// The CSV file.
    pub file: PathBuf,
    /// The conversion column (default: detected by name and values, e.g. is_sale, converted, y).
    #[arg(long)]
    pub target: Option<String>,
    /// The value of the target column that means converted (when it is not 1/yes/true/…).
    #[arg(long)]
    pub positive: Option<String>,
    /// Profile the segments in this column (one segment per distinct value).
    #[arg(long)]
    pub segments: Option<String>,
    /// A lifestyle/segment-code column to report as a code mix with diversity (repeatable).
    #[arg(long = "code")]
    pub codes: Vec<String>,
    /// Leave this column out of the profiles (repeatable).
    #[arg(long)]
    pub exclude: Vec<String>,
    /// Job-title column for the seniority lens (default: detected).
    #[arg(long)]
    pub title_column: Option<String>,
    /// Geography column (default: detected).
    #[arg(long)]
    pub geo_column: Option<String>,
    /// Lead-source column (default: detected).
    #[arg(long)]
    pub source_column: Option<String>,
    /// Minimum records holding a value for it to be a defining trait.
    #[arg(long, default_value_t = SupportRule::default().min_records)]
    pub min_records: usize,
    /// Minimum share of the segment holding a value for it to be a defining trait.
    #[arg(long, default_value_t = SupportRule::default().min_share)]
    pub min_share: f64,
    /// Print the personas JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Also write the segment summary CSV here.
    #[arg(long)]
    pub summary_csv: Option<PathBuf>,
}

fn read(path: &PathBuf) -> Result<Ingested, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let ingested = read_table(&bytes, &IngestOptions::default())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let report = &ingested.report;
    if report.rows_skipped > 0 {
        let lines: Vec<String> = report
            .issues
            .iter()
            .take(10)
            .map(|i| i.line.to_string())
            .collect();
        eprintln!(
            "audience: {} of {} rows could not be read and were skipped (lines {}{})",
            report.rows_skipped,
            report.rows_in_file,
            lines.join(", "),
            if report.rows_skipped > lines.len() {
                ", …"
            } else {
                ""
            }
        );
    }
    Ok(ingested)
}

/// Runs `audience profile`.
pub fn run(args: ProfileArgs) -> Result<(), String> {
    let table = read(&args.file)?.table;
    let Some(segment_column) = args.segments.as_deref() else {
        return Err(
            "name the column that holds the segments with --segments COL (for example the `segment` column \
             written by `audience segment`)"
                .into(),
        );
    };
    let column = table.column(segment_column).ok_or_else(|| {
        let names: Vec<&str> = table.columns().iter().map(|c| c.name.as_str()).collect();
        format!(
            "--segments {segment_column:?} is not a column of this file (columns: {})",
            names.join(", ")
        )
    })?;
    let segments = segments_from_column(column);
    let mut params = ProfileParams::new()
        .exclude(segment_column)
        .segment_labels(segments.names.clone())
        .lenses(LensColumns {
            job_title: args.title_column.clone(),
            geography: args.geo_column.clone(),
            lead_source: args.source_column.clone(),
            ..LensColumns::default()
        })
        .support(SupportRule {
            min_records: args.min_records,
            min_share: args.min_share,
            ..SupportRule::default()
        });
    params.target = args.target.clone();
    params.positive_value = args.positive.clone();
    params.code_columns = args.codes.clone();
    params.exclude.extend(args.exclude.iter().cloned());
    let report = profile_segments(&table, &segments.labels, &params).map_err(|e| e.to_string())?;

    if let Some(path) = &args.summary_csv {
        let file = std::fs::File::create(path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        write_summary_csv(&report, std::io::BufWriter::new(file)).map_err(|e| e.to_string())?;
    }
    if args.json {
        println!("{}", personas_json(&report).map_err(|e| e.to_string())?);
    } else {
        let source = format!("segments from column {segment_column:?}");
        print!(
            "{}",
            render(&report, &args.file.display().to_string(), &source)
        );
    }
    Ok(())
}

fn percent(value: f64) -> String {
    format!("{:.1}%", value * 100.0)
}

/// Pads `text` to `width` characters (not bytes).
fn pad(text: &str, width: usize) -> String {
    let length = text.chars().count();
    if length >= width {
        text.to_string()
    } else {
        format!("{text}{}", " ".repeat(width - length))
    }
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}

/// The readable report: header, ranked table, one block per persona, notes.
pub fn render(report: &PersonaReport, file: &str, source: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Personas of {file}: {} rows, {} segments ({source})",
        report.n_rows, report.n_segments
    );
    match &report.target {
        Some(target) => {
            let rate = target
                .overall
                .rate
                .map(percent)
                .unwrap_or_else(|| "n/a".into());
            let _ = writeln!(
                out,
                "Conversion column {:?} ({}: {:?} = converted): {} of {} converted, {rate}; ranked by conversion rate",
                target.column,
                if target.detected { "detected" } else { "chosen" },
                target.positive_value,
                target.overall.conversions,
                target.overall.n(),
            );
        }
        None => {
            let _ = writeln!(out, "No conversion column; ranked by size");
        }
    }
    let rule = report.support;
    let _ = writeln!(
        out,
        "Defining traits need ≥ {} records, ≥ {} of the segment and lift ≥ {}×\n",
        rule.min_records,
        percent(rule.min_share),
        rule.min_lift
    );

    let name_width = report
        .personas
        .iter()
        .map(|p| p.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 48);
    let _ = writeln!(
        out,
        "{:>4}  {}  {:>7}  {:>6}  {:<22}  {:<8}  Top traits",
        "Rank",
        pad("Name", name_width),
        "Size",
        "Share",
        "Conversion (95% CI)",
        "Tier"
    );
    for persona in &report.personas {
        let (conversion, tier) = match persona.conversion {
            Some(c) => match (c.rate, c.ci_low, c.ci_high, c.tier) {
                (Some(rate), Some(low), Some(high), Some(tier)) => (
                    format!("{} ({}–{})", percent(rate), percent(low), percent(high)),
                    tier.as_str().to_string(),
                ),
                _ => ("no target values".to_string(), String::new()),
            },
            None => ("–".to_string(), String::new()),
        };
        let traits: Vec<String> = persona
            .traits
            .iter()
            .map(|t| format!("{} ×{:.1}", t.phrase, t.lift))
            .collect();
        let _ = writeln!(
            out,
            "{:>4}  {}  {:>7}  {:>6}  {:<22}  {:<8}  {}",
            persona.rank,
            pad(&truncate(&persona.name, name_width), name_width),
            persona.size,
            percent(persona.share),
            conversion,
            tier,
            if traits.is_empty() {
                "–".to_string()
            } else {
                traits.join(", ")
            }
        );
    }

    for persona in &report.personas {
        let _ = writeln!(out, "\n#{} {}", persona.rank, persona.name);
        if let Some(label) = &persona.label {
            let _ = writeln!(out, "   segment {} ({label:?})", persona.segment);
        } else {
            let _ = writeln!(out, "   segment {}", persona.segment);
        }
        let _ = writeln!(out, "   {}", persona.summary);
        let lenses = &persona.profile.lenses;
        if let Some(seniority) = &lenses.seniority {
            let mix: Vec<String> = seniority
                .levels
                .iter()
                .filter(|l| l.count > 0)
                .map(|l| format!("{} {}", l.level.as_str(), percent(l.share)))
                .collect();
            let _ = writeln!(out, "   Seniority: {}", mix.join(", "));
        }
        if let Some(geo) = &lenses.geography {
            let top: Vec<String> = geo
                .top
                .iter()
                .take(3)
                .map(|v| format!("{} {}", v.value, percent(v.share)))
                .collect();
            let _ = writeln!(
                out,
                "   Geography ({}): {}; concentration {:?}",
                geo.column,
                top.join(", "),
                geo.concentration
            );
        }
        if let Some(professional) = &lenses.professional {
            for values in [
                &professional.industry,
                &professional.education,
                &professional.experience,
            ]
            .into_iter()
            .flatten()
            {
                let top: Vec<String> = values
                    .values
                    .iter()
                    .take(3)
                    .map(|v| format!("{} {}", v.value, percent(v.share)))
                    .collect();
                let _ = writeln!(out, "   {}: {}", values.column, top.join(", "));
            }
        }
        if let Some(acquisition) = &lenses.acquisition {
            let sources: Vec<String> = acquisition
                .sources
                .iter()
                .take(3)
                .map(|s| match s.conversion.and_then(|c| c.rate) {
                    Some(rate) => format!(
                        "{} {} (converts {})",
                        s.source.value,
                        percent(s.source.share),
                        percent(rate)
                    ),
                    None => format!("{} {}", s.source.value, percent(s.source.share)),
                })
                .collect();
            let _ = writeln!(
                out,
                "   Acquisition ({}): {}",
                acquisition.column,
                sources.join(", ")
            );
        }
    }
    for mix in &report.code_mixes {
        let _ = writeln!(
            out,
            "\nCode mix of {:?} ({} codes):",
            mix.column, mix.n_codes
        );
        for group in &mix.segments {
            let dominant: Vec<String> = group
                .dominant
                .iter()
                .map(|v| format!("{} {}", v.value, percent(v.share)))
                .collect();
            let diversity = group
                .diversity
                .map(|d| format!("{d:.2}"))
                .unwrap_or_else(|| "n/a".into());
            let _ = writeln!(
                out,
                "   segment {}: {}; diversity {diversity}",
                group.segment.unwrap_or_default(),
                dominant.join(", ")
            );
        }
    }
    if !report.notes.is_empty() {
        let _ = writeln!(out, "\nNotes:");
        for note in &report.notes {
            let _ = writeln!(out, "   - {}", note.message);
        }
    }
    out
}
