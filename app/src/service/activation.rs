//! Ready to activate: filters with live counts before segmenting, the holdout (control) group, match
//! coverage with platform minimums, upload files for six destinations, two segments compared. Every
//! answer comes from the engine ([`audience_engine::filter`], [`audience_engine::holdout`],
//! [`audience_engine::coverage`], [`audience_engine::export::destinations`],
//! [`audience_engine::compare`]); this file wires them to the session.
//!
//! With a filter, the last results' labels are one per *kept* row: [`Session::table_for`] gives the
//! table they belong to, [`Session::labels_by_row`] the label of every row of the file (filtered-out
//! rows in no segment).

use audience_engine::compare::{compare, CompareError, CompareParams, Comparison, Side};
use audience_engine::coverage::{coverage, thousands};
use audience_engine::export::customer_match::{
    detect_identifier_columns, CustomerMatchOptions, Identifier, IdentifierColumn,
};
use audience_engine::export::destinations::{audience_files, Destination};
use audience_engine::export::personas_json::Activation;
use audience_engine::export::{write_clustered_rows, ClusteredCsvOptions, ExportError};
use audience_engine::filter::{select_rows, FilterCounts, FilterError};
use audience_engine::holdout::{split, HoldoutError, HoldoutSplit, NO_SEGMENT};
use audience_engine::pipeline::free_column_name;
use audience_engine::table::Table;

use super::exports::{download_stem, text_file};
use super::{ServiceError, Session};
use crate::protocol::activation::{
    ActivationAnswer, ActivationRequest, CoverageReport, FilterReport, FilterSettings, FilteredOut,
    RuleCount,
};
use crate::protocol::{ExportFile, Response, SegmentSettings};

/// Why an activation request cannot be carried out; each message says what to do next.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ActivationError {
    /// A filter rule cannot be used on the file.
    #[error("Filter rule “{rule}”: {source}.")]
    Rule {
        /// The rule as text.
        rule: String,
        /// Why.
        source: FilterError,
    },
    /// The filter keeps no row.
    #[error(
        "The filter keeps none of the {} customers; loosen a rule or remove one, then segment again.",
        thousands(*rows)
    )]
    KeepsNone {
        /// Rows in the file.
        rows: usize,
    },
    /// The holdout share is outside 0–50%.
    #[error("{0}")]
    Holdout(#[from] HoldoutError),
    /// The held-out customers were asked for before a holdout was drawn.
    #[error("No control group yet: set a holdout share above 0% first.")]
    NoHoldout,
    /// Upload files were asked for without a destination.
    #[error("Choose at least one platform for the upload files.")]
    NoDestination,
    /// Two segments cannot be compared.
    #[error("{}.", capitalised(&.0.to_string()))]
    Compare(#[from] CompareError),
}

impl ActivationError {
    /// Whether the user's settings are the cause (rather than a missing step).
    pub fn is_settings(&self) -> bool {
        !matches!(self, ActivationError::NoHoldout)
    }
}

/// The rows a filter kept, as a table of their own (what gets segmented).
#[derive(Debug)]
pub(super) struct FilteredRows {
    /// Indices (into the loaded table) of the rows kept, in order.
    kept: Vec<usize>,
    /// The kept rows.
    table: Table,
    /// Rows per rule and in total.
    counts: FilterCounts,
    /// What the clustered CSV does with the rest.
    filtered_out: FilteredOut,
}

/// What the last segmentation's activation holds: its filter and the holdout drawn on it.
#[derive(Debug, Default)]
pub(super) struct ActivationState {
    filter: Option<FilteredRows>,
    /// The holdout, with the fingerprint of the labels it was drawn on.
    holdout: Option<(u64, HoldoutSplit)>,
}

/// A cheap fingerprint of a label vector (FNV-1a), so a holdout is never used on other labels.
fn fingerprint(labels: &[u32]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ labels.len() as u64;
    for &label in labels {
        hash ^= u64::from(label);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The identifier columns of `table` (e-mail, phone, name, ZIP, country), detected by name and content.
fn identifier_columns(table: &Table) -> Vec<IdentifierColumn> {
    detect_identifier_columns(table)
        .iter()
        .map(IdentifierColumn::from)
        .collect()
}

fn identifier_word(identifier: Identifier) -> &'static str {
    match identifier {
        Identifier::Email => "e-mail",
        Identifier::Phone => "phone",
        Identifier::FirstName => "first name",
        Identifier::LastName => "last name",
        Identifier::Zip => "ZIP",
        Identifier::Country => "country",
    }
}

impl Session {
    /// Carries out an activation request.
    #[inline(never)]
    pub(super) fn activation_request(
        &mut self,
        request: ActivationRequest,
    ) -> Result<Response, ServiceError> {
        let answer = |answer| Ok(Response::Activation(Box::new(answer)));
        match request {
            ActivationRequest::Count(settings) => {
                answer(ActivationAnswer::Counts(self.count_filter(&settings)?))
            }
            ActivationRequest::Holdout { share, seed } => {
                answer(ActivationAnswer::Holdout(self.draw_holdout(share, seed)?))
            }
            ActivationRequest::HoldoutFile => self.holdout_file().map(Response::File),
            ActivationRequest::Coverage {
                destinations,
                default_country,
            } => answer(ActivationAnswer::Coverage(
                self.match_coverage(&destinations, default_country.as_deref())?,
            )),
            ActivationRequest::Files {
                destinations,
                segments,
                default_country,
            } => self
                .upload_files(&destinations, &segments, default_country.as_deref())
                .map(|(files, notes)| {
                    Response::Activation(Box::new(ActivationAnswer::Files { files, notes }))
                }),
            ActivationRequest::Compare { a, b } => {
                answer(ActivationAnswer::Compared(self.compare_segments(a, b)?))
            }
        }
    }

    /// Rows each rule keeps on its own and the rows the whole filter keeps; a rule that cannot be used
    /// gets its reason instead of a count.
    pub(super) fn count_filter(
        &self,
        settings: &FilterSettings,
    ) -> Result<FilterReport, ServiceError> {
        let table = &self.dataset()?.table;
        let mut usable = true;
        let rules = settings
            .rules
            .iter()
            .map(|rule| match rule.resolve(table) {
                Ok(filter) => RuleCount {
                    rule: rule.to_string(),
                    rows: Some(filter.counts(table).kept),
                    error: None,
                },
                Err(error) => {
                    usable = false;
                    RuleCount {
                        rule: rule.to_string(),
                        rows: None,
                        error: Some(format!("{}.", capitalised(&error.to_string()))),
                    }
                }
            })
            .collect();
        let kept = match settings.rule() {
            Some(rule) if usable => rule
                .resolve(table)
                .ok()
                .map(|filter| filter.kept_rows(table).len()),
            Some(_) => None,
            None => Some(table.n_rows()),
        };
        Ok(FilterReport {
            rows: table.n_rows(),
            rules,
            kept,
        })
    }

    /// Applies the filter of `settings` to the loaded table and keeps the result for the run about to
    /// start (no filter: the whole table). The holdout of earlier results is dropped.
    pub(super) fn start_filtered_run(
        &mut self,
        settings: &SegmentSettings,
    ) -> Result<(), ServiceError> {
        self.activation = ActivationState::default();
        let Some(filter) = settings.filter.as_ref() else {
            return Ok(());
        };
        let Some(rule) = filter.rule() else {
            return Ok(());
        };
        let table = &self.dataset()?.table;
        let resolved = rule
            .resolve(table)
            .map_err(|source| ActivationError::Rule {
                rule: rule.to_string(),
                source,
            })?;
        let counts = resolved.counts(table);
        let kept = resolved.kept_rows(table);
        if kept.is_empty() {
            return Err(ActivationError::KeepsNone { rows: counts.rows }.into());
        }
        let filtered = select_rows(table, &kept);
        self.activation.filter = Some(FilteredRows {
            kept,
            table: filtered,
            counts,
            filtered_out: filter.filtered_out,
        });
        Ok(())
    }

    /// The table the run under way segments: the filtered rows, or the loaded table.
    pub(super) fn table_for_run(&self) -> Result<&Table, ServiceError> {
        let dataset = self.dataset()?;
        Ok(self
            .activation
            .filter
            .as_ref()
            .map_or(&dataset.table, |filtered| &filtered.table))
    }

    /// The filter of the last run, when its labels are `n_labels` long (one per kept row).
    fn filter_for(&self, n_labels: usize) -> Option<&FilteredRows> {
        self.activation
            .filter
            .as_ref()
            .filter(|filtered| filtered.kept.len() == n_labels)
    }

    /// The table `labels` belong to: the filtered rows of the last run when it had a filter, else the
    /// loaded table.
    pub(super) fn table_for(&self, labels: &[u32]) -> Result<&Table, ServiceError> {
        let dataset = self.dataset()?;
        Ok(match self.filter_for(labels.len()) {
            Some(filtered) if filtered.kept.len() != dataset.table.n_rows() => &filtered.table,
            _ => &dataset.table,
        })
    }

    /// The last results' label of every row of the loaded table ([`NO_SEGMENT`] for rows the filter left
    /// out).
    pub(super) fn labels_by_row(&self) -> Result<Vec<u32>, ServiceError> {
        let dataset = self.dataset()?;
        let results = self.results.as_ref().ok_or(ServiceError::NoResults)?;
        let labels = &results.segmentation.labels;
        Ok(match self.filter_for(labels.len()) {
            Some(filtered) => {
                let mut all = vec![NO_SEGMENT; dataset.table.n_rows()];
                for (&row, &label) in filtered.kept.iter().zip(labels) {
                    all[row] = label;
                }
                all
            }
            None => labels.clone(),
        })
    }

    /// The holdout drawn on the last results, if any.
    fn holdout(&self) -> Option<&HoldoutSplit> {
        let labels = &self.results.as_ref()?.segmentation.labels;
        self.activation
            .holdout
            .as_ref()
            .filter(|(print, held)| *print == fingerprint(labels) && held.total_held_out() > 0)
            .map(|(_, held)| held)
    }

    /// Draws the holdout of the last results (a share of 0 removes it).
    pub(super) fn draw_holdout(
        &mut self,
        share: f64,
        seed: u64,
    ) -> Result<HoldoutSplit, ServiceError> {
        let results = self.results.as_ref().ok_or(ServiceError::NoResults)?;
        let labels = &results.segmentation.labels;
        let drawn = split(labels, share, seed).map_err(ActivationError::from)?;
        self.activation.holdout = Some((fingerprint(labels), drawn.clone()));
        Ok(drawn)
    }

    /// The labels for upload files: held-out customers in no segment.
    pub(super) fn upload_labels(&self) -> Result<Vec<u32>, ServiceError> {
        let results = self.results.as_ref().ok_or(ServiceError::NoResults)?;
        let labels = &results.segmentation.labels;
        Ok(match self.holdout() {
            Some(holdout) => holdout.upload_labels(labels),
            None => labels.clone(),
        })
    }

    /// The held-out customers: every column plus their segment.
    fn holdout_file(&self) -> Result<ExportFile, ServiceError> {
        let dataset = self.dataset()?;
        let results = self.results.as_ref().ok_or(ServiceError::NoResults)?;
        let holdout = self.holdout().ok_or(ActivationError::NoHoldout)?;
        let labels = &results.segmentation.labels;
        let table = self.table_for(labels)?;
        let rows: Vec<usize> = (0..table.n_rows())
            .filter(|&row| holdout.held_out[row])
            .collect();
        let segment_column = free_column_name(table, "segment");
        let segment = |row: usize| (labels[row] + 1).to_string();
        let extra: [(&str, &dyn Fn(usize) -> String); 1] = [(segment_column.as_str(), &segment)];
        let options = ClusteredCsvOptions {
            delimiter: dataset.delimiter,
            ..ClusteredCsvOptions::default()
        };
        let mut out = Vec::new();
        write_clustered_rows(table, &options, &rows, &extra, &mut out)?;
        text_file(
            format!("{}-holdout.csv", download_stem(&dataset.file_name)),
            "text/csv",
            out,
        )
    }

    /// What the personas JSON's `activation` holds: the filter and the holdout, when there are any.
    pub(super) fn activation_summary(&self) -> Option<Activation> {
        let labels = &self.results.as_ref()?.segmentation.labels;
        let activation = Activation {
            filter: self
                .filter_for(labels.len())
                .map(|filtered| filtered.counts.clone()),
            holdout: self.holdout().cloned(),
            coverage: None,
        };
        (activation != Activation::default()).then_some(activation)
    }

    /// Writes the clustered CSV of the last results: with a filter in "mark" mode every row of the file
    /// (filtered-out rows with an empty segment and `in_filter` = no), otherwise the rows segmented;
    /// a `holdout` column (yes/no) once a holdout is drawn. `rows` (into the segmented rows) limits
    /// the file to those rows, e.g. the segments matching the described audience.
    pub(super) fn write_clustered(
        &self,
        options: &ClusteredCsvOptions,
        rows: Option<&[usize]>,
        out: &mut Vec<u8>,
    ) -> Result<(), ServiceError> {
        let dataset = self.dataset()?;
        let results = self.results.as_ref().ok_or(ServiceError::NoResults)?;
        let labels = &results.segmentation.labels;
        let names = results.report.names_by_index();
        let holdout = self.holdout();
        let filter = self.filter_for(labels.len());
        let marking = filter.is_some_and(|f| f.filtered_out == FilteredOut::Mark);
        // Row of the written table → row of the segmented table.
        let (table, inner): (&Table, Vec<Option<usize>>) = match filter {
            Some(filtered) if filtered.filtered_out == FilteredOut::Mark => {
                let mut inner = vec![None; dataset.table.n_rows()];
                for (i, &row) in filtered.kept.iter().enumerate() {
                    inner[row] = Some(i);
                }
                (&dataset.table, inner)
            }
            _ => {
                let table = self.table_for(labels)?;
                (table, (0..table.n_rows()).map(Some).collect())
            }
        };
        let written: Vec<usize> = match (rows, filter) {
            (Some(rows), Some(filtered)) if table.n_rows() != labels.len() => {
                rows.iter().map(|&row| filtered.kept[row]).collect()
            }
            (Some(rows), _) => rows.to_vec(),
            (None, _) => (0..table.n_rows()).collect(),
        };
        let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
        let segment =
            |row: usize| inner[row].map_or(String::new(), |i| (labels[i] + 1).to_string());
        let segment_name = |row: usize| {
            inner[row]
                .and_then(|i| names.get(labels[i] as usize).cloned())
                .unwrap_or_default()
        };
        let in_filter = |row: usize| yes_no(inner[row].is_some());
        let held = |row: usize| match (inner[row], holdout) {
            (Some(i), Some(h)) => yes_no(h.held_out[i]),
            _ => String::new(),
        };
        let segment_column = free_column_name(table, "segment");
        let name_column = free_column_name(table, "segment_name");
        let filter_column = free_column_name(table, "in_filter");
        let holdout_column = free_column_name(table, "holdout");
        let mut extra: Vec<(&str, &dyn Fn(usize) -> String)> = vec![
            (segment_column.as_str(), &segment),
            (name_column.as_str(), &segment_name),
        ];
        if marking {
            extra.push((filter_column.as_str(), &in_filter));
        }
        if holdout.is_some() {
            extra.push((holdout_column.as_str(), &held));
        }
        write_clustered_rows(table, options, &written, &extra, out)?;
        Ok(())
    }

    /// Match coverage of every segment's upload list (held-out customers left out) and the lists below
    /// a platform's minimum.
    pub(super) fn match_coverage(
        &self,
        destinations: &[Destination],
        default_country: Option<&str>,
    ) -> Result<CoverageReport, ServiceError> {
        let results = self.results.as_ref().ok_or(ServiceError::NoResults)?;
        let table = self.table_for(&results.segmentation.labels)?;
        let columns = identifier_columns(table);
        if columns.is_empty() {
            return Err(ServiceError::NoIdentifiers);
        }
        let upload = self.upload_labels()?;
        let report = coverage(
            table,
            &upload,
            &columns,
            country(default_country),
            destinations,
        )?;
        Ok(CoverageReport {
            coverage: report,
            columns: columns
                .iter()
                .map(|c| {
                    format!(
                        "{} ({})",
                        table.columns()[c.column].name,
                        identifier_word(c.identifier)
                    )
                })
                .collect(),
            held_out: self.holdout().map_or(0, HoldoutSplit::total_held_out),
        })
    }

    /// Upload files for each destination and segment (every segment when `segments` is empty), held-out
    /// and filtered-out customers left out; a line per file on the rows written and skipped.
    pub(super) fn upload_files(
        &self,
        destinations: &[Destination],
        segments: &[u32],
        default_country: Option<&str>,
    ) -> Result<(Vec<ExportFile>, Vec<String>), ServiceError> {
        if destinations.is_empty() {
            return Err(ActivationError::NoDestination.into());
        }
        let results = self.results.as_ref().ok_or(ServiceError::NoResults)?;
        let table = self.table_for(&results.segmentation.labels)?;
        let columns = identifier_columns(table);
        if columns.is_empty() {
            return Err(ServiceError::NoIdentifiers);
        }
        let upload = self.upload_labels()?;
        // Segments with someone left to upload (a segment may be all held out).
        let chosen: Vec<u32> = if segments.is_empty() {
            (0..results.segmentation.k as u32).collect()
        } else {
            segments.to_vec()
        };
        let mut present = vec![false; results.segmentation.k];
        for &label in &upload {
            if let Some(slot) = present.get_mut(label as usize) {
                *slot = true;
            }
        }
        let (chosen, empty): (Vec<u32>, Vec<u32>) = chosen
            .into_iter()
            .partition(|&s| present.get(s as usize).copied().unwrap_or(false));
        let options = CustomerMatchOptions {
            default_country: country(default_country).map(str::to_string),
            segment_names: results.report.names_by_index(),
            ..CustomerMatchOptions::default()
        };
        let mut files = Vec::new();
        let mut notes = Vec::new();
        for &destination in destinations {
            if chosen.is_empty() {
                break;
            }
            match audience_files(table, &upload, &chosen, &columns, destination, &options) {
                Ok(made) => {
                    for file in made {
                        let report = &file.report;
                        notes.push(format!(
                            "{}: {} of {} customers written, {} skipped ({} without an identifier {} takes, {} unusable).",
                            file.file_name,
                            thousands(report.rows_written),
                            thousands(report.rows_in_segment),
                            thousands(report.rows_skipped),
                            thousands(report.skipped_empty),
                            destination.label(),
                            thousands(report.skipped_unusable)
                        ));
                        files.push(ExportFile {
                            name: file.file_name,
                            mime: "text/csv".into(),
                            content: file.csv,
                        });
                    }
                }
                Err(ExportError::NoIdentifierColumns) => notes.push(format!(
                    "No {} files: the file has no column {} takes (an e-mail{}).",
                    destination.label(),
                    destination.label(),
                    if destination == Destination::TikTok {
                        " or a phone"
                    } else {
                        ""
                    }
                )),
                Err(error) => return Err(error.into()),
            }
        }
        for segment in empty {
            notes.push(format!(
                "Segment {} has no customer left to upload (all held out or none in the segment); it has no upload files.",
                segment + 1
            ));
        }
        Ok((files, notes))
    }

    /// Segment `a` against `b` on every usable column of the segmented rows (the conversion column of
    /// the run compared as conversion).
    pub(super) fn compare_segments(&self, a: u32, b: Side) -> Result<Comparison, ServiceError> {
        let results = self.results.as_ref().ok_or(ServiceError::NoResults)?;
        let labels = &results.segmentation.labels;
        let table = self.table_for(labels)?;
        let mut params = CompareParams::new(a, b);
        params.target = results.settings.target.clone();
        params.positive = results.settings.positive_value.clone();
        Ok(compare(table, labels, &params).map_err(ActivationError::from)?)
    }
}

/// A default country as the engine takes it: trimmed, upper case, `None` when empty.
fn country(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|text| !text.is_empty())
}

#[cfg(test)]
mod tests;
