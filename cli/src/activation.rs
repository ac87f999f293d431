//! Ready to activate: `--where` filters, `--holdout` control groups, match coverage and upload files for
//! `audience segment` (and `--where` for `audience profile`), plus `audience count`.
//!
//! The logic lives in the engine ([`audience_engine::filter`], [`audience_engine::holdout`],
//! [`audience_engine::coverage`], [`audience_engine::export::destinations`]); this module turns flags
//! into calls, claims the output files and says what happened in a marketer's words.

use std::io::Write;
use std::path::PathBuf;

use audience_engine::coverage::{coverage, thousands, Coverage};
use audience_engine::export::customer_match::{
    detect_identifier_columns, CustomerMatchOptions, IdentifierColumn,
};
use audience_engine::export::destinations::{audience_files, AudienceFile, Destination};
use audience_engine::export::personas_json::Activation;
use audience_engine::export::{write_clustered_rows, ClusteredCsvOptions};
use audience_engine::filter::{parse_rules, select_rows, FilterCounts};
use audience_engine::holdout::{split, HoldoutSplit, DEFAULT_SHARE, NO_SEGMENT};
use audience_engine::ingest::{BadRowPolicy, HeaderMode};
use audience_engine::table::Table;

use crate::input::{parse_header, read_input};
use crate::output::{self, Failure, Outputs};

/// `--where` rules.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilterArgs {
    /// Keep only the customers matching RULE before anything runs; repeat to combine with `and`.
    /// Examples: "state in CA, NY", "age >= 30", "lead_source != Partner", "has email",
    /// "(plan = pro or spend > 100) and not has no email". Grammar: README, Activation.
    #[arg(long = "where", value_name = "RULE")]
    pub rules: Vec<String>,
}

/// What the clustered CSV does with rows the filter leaves out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilteredOut {
    /// Leave them out of the file.
    Drop,
    /// Keep them, with an empty segment and `in_filter` = `no`.
    Mark,
}

fn parse_filtered_out(text: &str) -> Result<FilteredOut, String> {
    match text.to_ascii_lowercase().as_str() {
        "drop" => Ok(FilteredOut::Drop),
        "mark" => Ok(FilteredOut::Mark),
        _ => Err(format!("expected `drop` or `mark`, got {text:?}")),
    }
}

fn parse_destination(text: &str) -> Result<Destination, String> {
    Destination::parse(text).ok_or_else(|| {
        format!(
            "unknown destination {text:?}; choose from {}",
            Destination::ALL.map(Destination::slug).join(", ")
        )
    })
}

/// The activation flags of `audience segment`.
#[derive(Debug, clap::Args)]
pub struct ActivationArgs {
    /// Filter rules (`--where`).
    #[command(flatten)]
    pub filter: FilterArgs,
    /// With --where: `mark` keeps the customers the filter leaves out in the clustered CSV with an empty
    /// segment and `in_filter` = no (the default: no row disappears); `drop` leaves them out of it.
    #[arg(long, value_name = "drop|mark", default_value = "mark", value_parser = parse_filtered_out)]
    pub filtered_out: FilteredOut,
    /// Hold out this share of every segment as a control group (0–0.5; `--holdout` alone is 0.1): a
    /// `holdout` column (yes/no) in the clustered CSV, counts in the personas JSON, and never in upload
    /// files. Drawn from --seed, exact per segment (nearest whole customer, halves up).
    #[arg(long, value_name = "SHARE", num_args = 0..=1, default_missing_value = "0.1")]
    pub holdout: Option<f64>,
    /// Write the held-out customers (every input column plus the segment) to this CSV (implies
    /// --holdout 0.1 when --holdout is not given).
    #[arg(long, value_name = "FILE")]
    pub holdout_out: Option<PathBuf>,
    /// Write upload files into this existing folder: one per segment and destination, with identifiers
    /// normalised and SHA-256 hashed; held-out and filtered-out customers are left out. Match coverage
    /// and platform minimums are printed first.
    #[arg(long, value_name = "FOLDER")]
    pub match_out: Option<PathBuf>,
    /// Destinations for --match-out, comma-separated: google, meta, tiktok, x, linkedin, hashed-email
    /// (default: all six).
    #[arg(long, value_delimiter = ',', value_parser = parse_destination)]
    pub destinations: Vec<Destination>,
    /// The country of rows without one (an ISO code such as US): gives national phone numbers their
    /// calling code and completes addresses.
    #[arg(long, value_name = "CC")]
    pub default_country: Option<String>,
}

/// The rows a filter kept, with the whole file they came from.
pub struct Filtered {
    /// The table as read.
    pub full: Table,
    /// Indices (into `full`) of the rows kept, in order.
    pub kept: Vec<usize>,
    /// Counts per condition and in total.
    pub counts: FilterCounts,
}

/// Applies `--where`: the table of the kept rows, and what was filtered (`None` without rules).
pub fn apply_filter(table: Table, args: &FilterArgs) -> Result<(Table, Option<Filtered>), Failure> {
    if args.rules.is_empty() {
        return Ok((table, None));
    }
    let rule = parse_rules(&args.rules).map_err(|e| format!("--where: {e}"))?;
    let filter = rule.resolve(&table).map_err(|e| format!("--where: {e}"))?;
    let counts = filter.counts(&table);
    let kept = filter.kept_rows(&table);
    if kept.is_empty() {
        return Err(format!(
            "the filter keeps none of the {} customers ({}); loosen the --where rules",
            thousands(counts.rows),
            per_condition(&counts)
        )
        .into());
    }
    let filtered = select_rows(&table, &kept);
    Ok((
        filtered,
        Some(Filtered {
            full: table,
            kept,
            counts,
        }),
    ))
}

fn per_condition(counts: &FilterCounts) -> String {
    counts
        .conditions
        .iter()
        .map(|c| format!("{}: {}", c.condition, thousands(c.rows)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The filter in words, for the summary.
pub fn describe_filter(counts: &FilterCounts) -> String {
    format!(
        "filter {:?} keeps {} of {} customers ({} left out; {})",
        counts.rule,
        thousands(counts.kept),
        thousands(counts.rows),
        thousands(counts.left_out),
        per_condition(counts)
    )
}

/// Checks the activation flags before any work: the holdout share, the upload folder, the column names
/// the clustered CSV adds.
pub fn check(args: &ActivationArgs, table: &Table) -> Result<(), Failure> {
    if let Some(share) = holdout_share(args) {
        if !(0.0..=0.5).contains(&share) {
            return Err(format!(
                "--holdout {share} is not possible: choose a share from 0 to 0.5 (0–50% of each segment), for example 0.1"
            )
            .into());
        }
    }
    if let Some(folder) = &args.match_out {
        if !folder.is_dir() {
            return Err(format!(
                "--match-out {} is not a folder; create it first or name an existing folder",
                folder.display()
            )
            .into());
        }
        if identifier_columns(table).is_empty() {
            return Err(
                "--match-out: the file has no e-mail, phone or name + ZIP + country column to upload; \
                 name them e.g. email, phone, first_name, last_name, zip, country"
                    .into(),
            );
        }
    }
    for (name, used) in [
        ("holdout", holdout_share(args).is_some()),
        (
            "in_filter",
            !args.filter.rules.is_empty() && args.filtered_out == FilteredOut::Mark,
        ),
    ] {
        if used && table.column_index(name).is_some() {
            return Err(format!(
                "the file already has a column named {name:?}, which this run adds; rename that column first"
            )
            .into());
        }
    }
    Ok(())
}

fn holdout_share(args: &ActivationArgs) -> Option<f64> {
    args.holdout
        .or(args.holdout_out.as_ref().map(|_| DEFAULT_SHARE))
}

fn identifier_columns(table: &Table) -> Vec<IdentifierColumn> {
    detect_identifier_columns(table)
        .iter()
        .map(IdentifierColumn::from)
        .collect()
}

/// What a segmentation run does after the fit: holdout, coverage, upload files.
pub struct Plan {
    /// The holdout, if asked for.
    pub holdout: Option<HoldoutSplit>,
    /// Coverage of the upload lists, with --match-out.
    pub coverage: Option<Coverage>,
    /// Upload files, with --match-out.
    pub files: Vec<AudienceFile>,
    /// Segments (numbers) with members but none left to upload.
    pub empty_segments: Vec<u32>,
}

impl Plan {
    /// Draws the holdout and builds the upload files of `labels` (0-based, one per row of `table`);
    /// `names` (by segment index, may be empty) go into the file names.
    pub fn new(
        args: &ActivationArgs,
        table: &Table,
        labels: &[u32],
        seed: u64,
        names: Vec<String>,
    ) -> Result<Self, Failure> {
        let holdout = match holdout_share(args) {
            Some(share) => Some(split(labels, share, seed).map_err(|e| e.to_string())?),
            None => None,
        };
        let upload: Vec<u32> = match &holdout {
            Some(h) => h.upload_labels(labels),
            None => labels.to_vec(),
        };
        let (mut coverage_report, mut files, mut empty_segments) = (None, Vec::new(), Vec::new());
        if args.match_out.is_some() {
            let columns = identifier_columns(table);
            let mut destinations: Vec<Destination> = Vec::new();
            for &d in &args.destinations {
                if !destinations.contains(&d) {
                    destinations.push(d);
                }
            }
            if destinations.is_empty() {
                destinations = Destination::ALL.to_vec();
            }
            let report = coverage(
                table,
                &upload,
                &columns,
                args.default_country.as_deref(),
                &destinations,
            )
            .map_err(|e| e.to_string())?;
            let segments: Vec<u32> = report.segments.iter().map(|s| s.segment - 1).collect();
            let k = labels.iter().max().map_or(0, |&m| m + 1);
            empty_segments = (0..k)
                .filter(|s| labels.contains(s) && !segments.contains(s))
                .map(|s| s + 1)
                .collect();
            let options = CustomerMatchOptions {
                default_country: args.default_country.clone(),
                segment_names: names,
                ..CustomerMatchOptions::default()
            };
            for destination in destinations {
                match audience_files(table, &upload, &segments, &columns, destination, &options) {
                    Ok(mut made) => files.append(&mut made),
                    // A destination without its identifier (X without an e-mail column) is said, not fatal.
                    Err(audience_engine::export::ExportError::NoIdentifierColumns) => eprintln!(
                        "note: no {} files: the file has no column {} takes (e-mail{})",
                        destination.label(),
                        destination.label(),
                        if destination == Destination::TikTok {
                            " or phone"
                        } else {
                            ""
                        }
                    ),
                    Err(e) => return Err(e.to_string().into()),
                }
            }
            coverage_report = Some(report);
        }
        Ok(Plan {
            holdout,
            coverage: coverage_report,
            files,
            empty_segments,
        })
    }

    /// The personas document's `activation`, when there is anything to say.
    pub fn activation(&self, filtered: Option<&Filtered>) -> Option<Activation> {
        let activation = Activation {
            filter: filtered.map(|f| f.counts.clone()),
            holdout: self.holdout.clone(),
            coverage: self.coverage.clone(),
        };
        (activation != Activation::default()).then_some(activation)
    }

    /// Prints coverage and minimums (to standard error, before files are written).
    pub fn print_coverage(&self) {
        let Some(report) = &self.coverage else {
            return;
        };
        eprintln!(
            "match coverage of the upload lists (held-out and filtered-out customers left out):"
        );
        eprintln!("segment  customers   e-mail    phone  name+ZIP+country");
        for s in &report.segments {
            eprintln!(
                "{:>7} {:>10} {:>7.1}% {:>7.1}% {:>8.1}%",
                s.segment,
                thousands(s.members),
                s.email_share * 100.0,
                s.phone_share * 100.0,
                s.name_zip_country_share * 100.0
            );
        }
        // One line per segment: every list below a minimum, with its numbers.
        for s in &report.segments {
            let below: Vec<String> = report
                .warnings
                .iter()
                .filter(|w| w.segment == s.segment)
                .map(|w| {
                    format!(
                        "{} {} of {} ({})",
                        w.destination.label(),
                        thousands(w.rows),
                        thousands(w.minimum),
                        w.purpose
                    )
                })
                .collect();
            if !below.is_empty() {
                eprintln!(
                    "warning: segment {}'s upload lists are below platform minimums: {}. Only part of a list \
                     usually matches: merge the segment with a similar one, lower the holdout or widen the filter.",
                    s.segment,
                    below.join("; ")
                );
            }
        }
        for segment in &self.empty_segments {
            eprintln!(
                "note: segment {segment} has no customer left to upload (all held out); it has no upload files"
            );
        }
    }

    /// Claims and writes every upload file into `folder`.
    pub fn write_files(&self, args: &ActivationArgs, outputs: &mut Outputs) -> Result<(), Failure> {
        let Some(folder) = &args.match_out else {
            return Ok(());
        };
        for file in &self.files {
            let claim = outputs.claim("--match-out", &folder.join(&file.file_name))?;
            outputs.write(claim, |w| {
                w.write_all(file.csv.as_bytes()).map_err(|e| e.to_string())
            })?;
        }
        Ok(())
    }

    /// Lines for the summary: holdout per segment, files written with skipped rows.
    pub fn describe(&self, args: &ActivationArgs) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(h) = &self.holdout {
            let per: Vec<String> = h
                .per_segment
                .iter()
                .map(|s| format!("{}: {} of {}", s.segment, s.held_out, thousands(s.members)))
                .collect();
            lines.push(format!(
                "holdout {:.0}% per segment (seed {}, nearest whole customer): {} customers held out ({}); \
                 column \"holdout\"{}",
                h.share * 100.0,
                h.seed,
                thousands(h.total_held_out()),
                per.join(", "),
                match &args.holdout_out {
                    Some(path) => format!(", also written to {}", path.display()),
                    None => String::new(),
                }
            ));
        }
        if let Some(folder) = &args.match_out {
            let skipped: usize = self.files.iter().map(|f| f.report.rows_skipped).sum();
            lines.push(format!(
                "wrote {} upload files to {} ({} rows skipped for lack of a usable identifier, counted per file in --json)",
                self.files.len(),
                folder.display(),
                thousands(skipped)
            ));
        }
        lines
    }
}

/// Writes the clustered CSV: with a filter in `mark` mode every input row (filtered-out rows with an
/// empty segment and `in_filter` = no), otherwise the rows segmented; plus `holdout` when drawn.
#[allow(clippy::too_many_arguments)]
pub fn write_clustered(
    table: &Table,
    filtered: Option<&Filtered>,
    mode: FilteredOut,
    options: &ClusteredCsvOptions,
    segment_column: &str,
    labels: &[u32],
    holdout: Option<&HoldoutSplit>,
    out: &mut dyn Write,
) -> Result<(), String> {
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
    match (filtered, mode) {
        (Some(f), FilteredOut::Mark) => {
            // Row of the full file → row of the filtered table.
            let mut inner: Vec<Option<usize>> = vec![None; f.full.n_rows()];
            for (i, &row) in f.kept.iter().enumerate() {
                inner[row] = Some(i);
            }
            let segment =
                |row: usize| inner[row].map_or(String::new(), |i| (labels[i] + 1).to_string());
            let in_filter = |row: usize| yes_no(inner[row].is_some());
            let held = |row: usize| match (inner[row], holdout) {
                (Some(i), Some(h)) => yes_no(h.held_out[i]),
                _ => String::new(),
            };
            let mut extra: Vec<(&str, &dyn Fn(usize) -> String)> =
                vec![(segment_column, &segment), ("in_filter", &in_filter)];
            if holdout.is_some() {
                extra.push(("holdout", &held));
            }
            let rows: Vec<usize> = (0..f.full.n_rows()).collect();
            write_clustered_rows(&f.full, options, &rows, &extra, out).map_err(|e| e.to_string())
        }
        _ => {
            let segment = |row: usize| (labels[row] + 1).to_string();
            let held = |row: usize| holdout.map_or(String::new(), |h| yes_no(h.held_out[row]));
            let mut extra: Vec<(&str, &dyn Fn(usize) -> String)> = vec![(segment_column, &segment)];
            if holdout.is_some() {
                extra.push(("holdout", &held));
            }
            let rows: Vec<usize> = (0..table.n_rows()).collect();
            write_clustered_rows(table, options, &rows, &extra, out).map_err(|e| e.to_string())
        }
    }
}

/// Writes the held-out customers (every input column plus the segment).
pub fn write_holdout(
    table: &Table,
    options: &ClusteredCsvOptions,
    segment_column: &str,
    labels: &[u32],
    holdout: &HoldoutSplit,
    out: &mut dyn Write,
) -> Result<(), String> {
    let rows: Vec<usize> = (0..table.n_rows())
        .filter(|&r| holdout.held_out[r] && labels[r] != NO_SEGMENT)
        .collect();
    let segment = |row: usize| (labels[row] + 1).to_string();
    let extra: [(&str, &dyn Fn(usize) -> String); 1] = [(segment_column, &segment)];
    write_clustered_rows(table, options, &rows, &extra, out).map_err(|e| e.to_string())
}

/// Arguments of `audience count`.
#[derive(Debug, clap::Args)]
pub struct CountArgs {
    /// The CSV file.
    pub file: PathBuf,
    /// The rules (`--where`, repeatable).
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Whether the first line holds the column names: `yes`, `no` or `auto`.
    #[arg(long, value_name = "yes|no|auto", default_value = "auto", value_parser = parse_header)]
    pub header: HeaderMode,
    /// Print the counts as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `audience count`: rows kept per condition and in total, nothing else.
pub fn run_count(args: CountArgs) -> Result<(), Failure> {
    if args.filter.rules.is_empty() {
        return Err("give at least one rule with --where, e.g. --where \"state in CA, NY\"".into());
    }
    let table = read_input(&args.file, args.header, BadRowPolicy::Skip)?.table;
    let rule = parse_rules(&args.filter.rules).map_err(|e| format!("--where: {e}"))?;
    let filter = rule.resolve(&table).map_err(|e| format!("--where: {e}"))?;
    let counts = filter.counts(&table);
    let text = if args.json {
        serde_json::to_string_pretty(&counts).map_err(|e| e.to_string())? + "\n"
    } else {
        let mut text = String::new();
        for c in &counts.conditions {
            text += &format!("{:>10}  {}\n", thousands(c.rows), c.condition);
        }
        text += &format!(
            "{:>10}  kept by {} ({} of {} customers left out)\n",
            thousands(counts.kept),
            counts.rule,
            thousands(counts.left_out),
            thousands(counts.rows)
        );
        text
    };
    output::print(&text)
}
