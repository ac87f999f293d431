//! `audience profile FILE [--target COL] [--segments COL] [--json]`: ranked personas of a CSV's segments.
//!
//! With `--segments COL` the segments are the distinct values of that column (an earlier segmentation, or
//! any existing code such as a lifestyle segment). Without it the file is segmented first, as
//! `audience segment` does: size-constrained K-Medians (shares `--min`..`--max`, `--k`, `--seed`) on every
//! usable column except the conversion column; `--out` then writes the clustered CSV (every input row
//! unchanged, plus `segment` 1..=k and `segment_name`). Prints a ranked table (rank, name, size, share,
//! conversion rate ± 95% interval, tier, top traits), each persona's summary and lenses, and the notes;
//! `--json` prints the personas JSON document instead, and `--summary-csv PATH` also writes the summary CSV.
//!
//! Outputs are written as `audience segment` writes them: checked before any work, renamed into place only
//! when the run succeeded, never over the input; input cells that a spreadsheet would run as formulas are
//! escaped unless `--no-escape-formulas`; generated cells (names, the summary CSV) always are.

use std::fmt::Write as _;
use std::path::PathBuf;

use audience_engine::audience::{score_segments, AudienceQuery};
use audience_engine::cluster::{degenerate, KChoice, KMediansParams, ShareBounds};
use audience_engine::encode::{default_selection, encode};
use audience_engine::export::personas_json::personas_json;
use audience_engine::export::summary_csv::write_summary_csv;
use audience_engine::export::{
    write_clustered_csv_with, write_clustered_rows, ClusteredCsvOptions,
};
use audience_engine::ingest::{BadRowPolicy, HeaderMode};
use audience_engine::pipeline::{conversion_column, percent};
use audience_engine::profile::{
    profile_segments, segments_from_column, LensColumns, PersonaReport, ProfileParams, SupportRule,
    TierScheme,
};
use audience_engine::projection::{project_for_plot, PlotParams};
use audience_engine::table::Table;

use crate::input::{parse_header, read_input};
use crate::output::{self, CsvWriteArgs, Failure, Outputs};
use crate::refusals::{
    check_target, cluster_error, drop_earlier_segmentation, encode_error, nothing_to_cluster,
    SegmentColumns,
};

/// Arguments of `audience profile`.
#[derive(Debug, clap::Args)]
pub struct ProfileArgs {
    /// The CSV file.
    pub file: PathBuf,
    /// The conversion column (default: detected by name and values, e.g. is_sale, converted, y).
    #[arg(long)]
    pub target: Option<String>,
    /// The value of the target column that means converted (needed when its two values are not
    /// 1/yes/true/…-like, e.g. `--positive '>50K'`).
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
    /// Read these columns as categories whatever their values look like (integer codes such as region
    /// 1/2/3), comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub categorical: Vec<String>,
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
    /// Without --segments: smallest share of the rows a new segment may hold.
    #[arg(long, default_value_t = 0.05)]
    pub min: f64,
    /// Without --segments: largest share of the rows a new segment may hold.
    #[arg(long, default_value_t = 0.10)]
    pub max: f64,
    /// Without --segments: number of segments (default: chosen automatically within the share bounds).
    #[arg(long)]
    pub k: Option<usize>,
    /// Without --segments: seed of the segmentation.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Without --segments: write the clustered CSV (input rows unchanged + segment, segment_name) here.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the personas JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Also write the segment summary CSV here.
    #[arg(long)]
    pub summary_csv: Option<PathBuf>,
    /// Whether the first line (after any title, comment or `sep=` lines) holds the column names:
    /// `yes`, `no` (every line is a customer; columns are named column_1, column_2, …) or `auto`.
    #[arg(long, value_name = "yes|no|auto", default_value = "auto", value_parser = parse_header)]
    pub header: HeaderMode,
    /// The file is an order log: roll it up to one row per customer first (as `audience rollup` with the
    /// detected columns) and profile the customers.
    #[arg(long)]
    pub rollup: bool,
    /// With --out: how the written CSV treats an earlier segment column and formula cells.
    #[command(flatten)]
    pub csv: CsvWriteArgs,
    /// Census values by ZIP code to add before profiling (`--retrieve`, `--zip-column`).
    #[command(flatten)]
    pub census: crate::census::RetrieveArgs,
    /// Keep only the customers matching the rules before profiling (`--where`, repeatable); the profile
    /// and --out then hold the kept customers only.
    #[command(flatten)]
    pub filter: crate::activation::FilterArgs,
    /// Conversion tiers: `auto` (by lift over the file's rate when it converts below 20%, else
    /// absolute), `absolute` (PREMIUM ≥ 50%, HIGH ≥ 25%, MEDIUM ≥ 10%, LOW ≥ 5%) or `lift` (PREMIUM ≥ 2×,
    /// HIGH ≥ 1.5×, MEDIUM ≥ 1×, LOW ≥ 0.5× the file's rate).
    #[arg(long, value_name = "auto|absolute|lift", default_value = "auto", value_parser = crate::trust::parse_tiers)]
    pub tiers: audience_engine::profile::TierChoice,
    /// Your own segment names: a text file with one `number,name` per line (numbers as in the `segment`
    /// column). Every output (table, JSON, summary CSV, --out's names) carries them.
    #[arg(long, value_name = "FILE")]
    pub names: Option<PathBuf>,
    /// Score every segment against this description ("young tech buyers from referrals") and mark the
    /// segments that match, with the reason.
    #[arg(long, value_name = "DESCRIPTION")]
    pub audience: Option<String>,
    /// With --audience: write just the matching segments' rows here (input rows unchanged + segment,
    /// segment_name).
    #[arg(long, value_name = "FILE", requires = "audience")]
    pub audience_out: Option<PathBuf>,
}

/// New segments for the table: size-constrained K-Medians on every usable column except the conversion
/// column (chosen or detected), as `audience segment` does. Returns the labels, a description and the
/// columns segmented on.
fn segment_first(
    table: &Table,
    args: &ProfileArgs,
    added: &SegmentColumns,
) -> Result<(Vec<u32>, String, Vec<String>), String> {
    let target = conversion_column(table, args.target.as_deref());
    let mut selection = default_selection(table, target.as_deref());
    let left_out = drop_earlier_segmentation(table, &mut selection, added);
    if selection.variables.is_empty() {
        return Err(nothing_to_cluster(table));
    }
    let matrix = encode(table, &selection).map_err(|e| encode_error(e, table))?;
    let k = match args.k {
        Some(k) => KChoice::Fixed(k),
        None => KChoice::Auto,
    };
    let params = KMediansParams::new()
        .with_k(k)
        .with_bounds(Some(ShareBounds {
            min: args.min,
            max: args.max,
        }))
        .with_seed(args.seed);
    // Degenerate inputs are said before and after the run: rows the chosen columns cannot tell apart.
    let valid = params.validate(matrix.n_rows).map_err(cluster_error)?;
    if let Some(warning) = degenerate::separability(&matrix, &valid).warning() {
        eprintln!("warning: {warning}");
    }
    let segmentation = valid.fit(&matrix).map_err(cluster_error)?;
    let ids = degenerate::profile_ids(&matrix);
    if let Some(warning) =
        degenerate::after_run(&ids, &segmentation.labels, segmentation.k).warning()
    {
        eprintln!("warning: {warning}");
    }
    let mut source = format!(
        "segmented here: size-constrained K-Medians, k = {}, shares {}–{}, seed {}, on {} columns{}",
        segmentation.k,
        percent(args.min),
        percent(args.max),
        args.seed,
        selection.variables.len(),
        target.map(|t| format!(" (not {t:?})")).unwrap_or_default()
    );
    if !left_out.is_empty() {
        source.push_str(&format!(
            "; left out the earlier segment column(s) {}",
            left_out.join(", ")
        ));
    }
    // The 2-D picture's explained variance says how much a scatter plot of these segments can show.
    if let Ok(plot) = project_for_plot(
        &matrix.data,
        matrix.n_rows,
        matrix.n_dims,
        &segmentation.labels,
        &PlotParams::default(),
    ) {
        let [first, second] = plot.pca.explained_variance_ratio;
        source.push_str(&format!(
            "; 2-D PCA explains {} + {} of the variance",
            percent(first),
            percent(second)
        ));
    }
    let columns = selection
        .variables
        .iter()
        .map(|v| table.columns()[v.column].name.clone())
        .collect();
    Ok((segmentation.labels, source, columns))
}

/// Runs `audience profile`.
pub fn run(args: ProfileArgs) -> Result<(), Failure> {
    let table = crate::rollup::maybe_roll_up(
        read_input(&args.file, args.header, BadRowPolicy::Skip)?,
        args.rollup,
    )?
    .table;
    let table = crate::input::as_categories(table, &args.categorical)?;
    let table = crate::census::with_retrieved(table, &args.census)?;
    let (table, filtered) = crate::activation::apply_filter(table, &args.filter)?;
    if let Some(filtered) = &filtered {
        eprintln!(
            "{}; the profile (and --out) hold the kept customers only",
            crate::activation::describe_filter(&filtered.counts)
        );
    }
    // Every check that can fail comes before segmenting and before anything is written.
    let added = SegmentColumns::new(args.csv.segment_column.as_deref());
    if args.out.is_some() || (args.audience_out.is_some() && args.segments.is_none()) {
        added.check(&table, true, args.csv.replace_segment)?;
    }
    check_target(&table, args.target.as_deref(), args.positive.as_deref())?;
    let mut outputs = Outputs::new(&[&args.file])?;
    let out_claim = match &args.out {
        Some(path) => Some(outputs.claim("--out", path)?),
        None => None,
    };
    let summary_claim = match &args.summary_csv {
        Some(path) => Some(outputs.claim("--summary-csv", path)?),
        None => None,
    };
    let audience_claim = match &args.audience_out {
        Some(path) => Some(outputs.claim("--audience-out", path)?),
        None => None,
    };
    let mut segmented_on = None;
    let (labels, names, source, segment_column) = match args.segments.as_deref() {
        Some(segment_column) => {
            let column = table.column(segment_column).ok_or_else(|| {
                let names: Vec<&str> = table.columns().iter().map(|c| c.name.as_str()).collect();
                format!(
                    "--segments {segment_column:?} is not a column of this file (columns: {})",
                    names.join(", ")
                )
            })?;
            let segments = segments_from_column(column);
            let source = format!("segments from column {segment_column:?}");
            (
                segments.labels,
                segments.names,
                source,
                Some(segment_column),
            )
        }
        None => {
            let (labels, source, columns) = segment_first(&table, &args, &added)?;
            segmented_on = Some(columns);
            let k = labels.iter().max().map_or(0, |&m| m as usize + 1);
            // Numbered 1..=k, as `audience segment` writes them.
            let names = (1..=k).map(|id| id.to_string()).collect();
            (labels, names, source, None)
        }
    };
    let mut params = ProfileParams::new()
        .segment_labels(names.clone())
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
    params.exclude = args.exclude.clone();
    // Names and defining traits come only from the columns segmented on, when segmented here.
    params.segmentation_columns = segmented_on;
    params.exclude.extend(segment_column.map(String::from));
    params.tiers = args.tiers;
    let mut report = profile_segments(&table, &labels, &params).map_err(|e| e.to_string())?;
    crate::census::mark_area_level(&mut report, &table, &labels, &args.census);
    if let Some(path) = &args.names {
        crate::trust::apply_names(&mut report, path)?;
    }
    if let Some(description) = &args.audience {
        let query = AudienceQuery::from_description(description, &table);
        report.audience = Some(score_segments(&table, &labels, &query));
    }

    if let Some(claim) = summary_claim {
        outputs.write(claim, |w| {
            write_summary_csv(&report, w).map_err(|e| e.to_string())
        })?;
    }
    let persona_names = report.names_by_index();
    let segment = |row: usize| names[labels[row] as usize].clone();
    let segment_name = |row: usize| {
        persona_names
            .get(labels[row] as usize)
            .cloned()
            .unwrap_or_default()
    };
    let options = ClusteredCsvOptions {
        delimiter: b',',
        input_cells: args.csv.input_cells(),
        replace_existing: args.csv.replace_segment,
    };
    if let (Some(claim), Some(audience)) = (audience_claim, &report.audience) {
        let rows = audience.matching_rows(&labels);
        // Segments read from a column keep it as it is: only their names are added (or replaced).
        let (extra, audience_options): (Vec<ExtraColumn>, _) = match segment_column {
            Some(_) => (
                vec![(added.name.as_str(), &segment_name)],
                ClusteredCsvOptions {
                    replace_existing: true,
                    ..options
                },
            ),
            None => (
                vec![
                    (added.segment.as_str(), &segment),
                    (added.name.as_str(), &segment_name),
                ],
                options,
            ),
        };
        outputs.write(claim, |w| {
            write_clustered_rows(&table, &audience_options, &rows, &extra, w)
                .map_err(|e| e.to_string())
        })?;
    }
    if let Some(claim) = out_claim {
        outputs.write(claim, |w| {
            write_clustered_csv_with(
                &table,
                &options,
                &[
                    (added.segment.as_str(), &segment),
                    (added.name.as_str(), &segment_name),
                ],
                w,
            )
            .map_err(|e| e.to_string())
        })?;
    }
    outputs.commit()?;
    let text = if args.json {
        let mut json = personas_json(&report).map_err(|e| e.to_string())?;
        json.push('\n');
        json
    } else {
        render(&report, &args.file.display().to_string(), &source)
    };
    output::print(&text)
}

/// An added column of a written CSV: its name and its value in a row.
type ExtraColumn<'a> = (&'a str, &'a dyn Fn(usize) -> String);

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
    if let Some(scheme) = report.tier_scheme {
        let _ = writeln!(
            out,
            "{}",
            match scheme {
                TierScheme::Lift => "Tiers by lift over the file's rate: PREMIUM ≥ 2×, HIGH ≥ 1.5×, MEDIUM ≥ 1×, LOW ≥ 0.5×, MINIMAL below (--tiers absolute for rates)",
                TierScheme::Absolute => "Tiers by conversion rate: PREMIUM ≥ 50%, HIGH ≥ 25%, MEDIUM ≥ 10%, LOW ≥ 5%, MINIMAL below (--tiers lift for lift over the file's rate)",
            }
        );
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

    if let Some(audience) = &report.audience {
        out.push_str(&crate::trust::render_audience(audience));
    }
    for persona in &report.personas {
        let _ = writeln!(out, "\n#{} {}", persona.rank, persona.name);
        if let Some(label) = &persona.label {
            let _ = writeln!(out, "   segment {label:?}");
        } else {
            let _ = writeln!(out, "   segment {}", persona.number);
        }
        let _ = writeln!(out, "   {}", persona.summary);
        if let Some(found) = report
            .audience
            .as_ref()
            .and_then(|a| a.segments.iter().find(|s| s.segment == persona.number))
            .filter(|found| found.matches)
        {
            let _ = writeln!(out, "   ✓ Matches the described audience: {}", found.reason);
        }
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
