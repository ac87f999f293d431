//! Exports: the downloads made from the last results (clustered CSV, personas JSON, summary CSV,
//! customer-match files).

use crate::protocol::{ExportFile, ExportKind};
use audience_engine::export::customer_match::{
    customer_match_files, detect_identifier_columns, CustomerMatchOptions, IdentifierColumn,
    Platform,
};
use audience_engine::export::formula::InputCells;
use audience_engine::export::personas_json::personas_json_with;
use audience_engine::export::summary_csv::write_summary_csv;
use audience_engine::export::ClusteredCsvOptions;

use super::{ServiceError, Session};

impl Session {
    /// Produces one of the downloads from the last results.
    #[inline(never)]
    pub(super) fn export(
        &self,
        kind: ExportKind,
        keep_formulas: bool,
        matching_only: bool,
    ) -> Result<ExportFile, ServiceError> {
        let dataset = self.dataset()?;
        let results = self.results.as_ref().ok_or(ServiceError::NoResults)?;
        let stem = download_stem(&dataset.file_name);
        match kind {
            ExportKind::ClusteredCsv => {
                let labels = &results.segmentation.labels;
                // "Only matching segments": the rows of the segments that match the description.
                let rows = if matching_only {
                    let audience = results
                        .audience
                        .as_ref()
                        .filter(|audience| !audience.query.criteria.is_empty())
                        .ok_or(ServiceError::NoAudience)?;
                    let rows = audience.matching_rows(labels);
                    if rows.is_empty() {
                        return Err(ServiceError::NoMatchingSegments {
                            segments: results.segmentation.k,
                            description: audience.query.description.clone(),
                        });
                    }
                    Some(rows)
                } else {
                    None
                };
                let mut out = Vec::new();
                // Downloads are opened in spreadsheets: input cells that would run as formulas are escaped
                // unless the user asked to keep them.
                let options = ClusteredCsvOptions {
                    delimiter: dataset.delimiter,
                    input_cells: if keep_formulas {
                        InputCells::Unchanged
                    } else {
                        InputCells::EscapeFormulas
                    },
                    ..ClusteredCsvOptions::default()
                };
                // A filter marks or drops the rows it left out; a holdout adds its column.
                self.write_clustered(&options, rows.as_deref(), &mut out)?;
                let name = match rows {
                    Some(_) => format!("{stem}-audience.csv"),
                    None => format!("{stem}-segments.csv"),
                };
                text_file(name, "text/csv", out)
            }
            ExportKind::PersonasJson => Ok(ExportFile {
                name: format!("{stem}-personas.json"),
                mime: "application/json".into(),
                content: personas_json_with(&results.report, self.activation_summary().as_ref())?,
            }),
            ExportKind::SummaryCsv => {
                let mut out = Vec::new();
                write_summary_csv(&results.report, &mut out)?;
                text_file(format!("{stem}-summary.csv"), "text/csv", out)
            }
        }
    }
}

impl Session {
    /// Gives segment `number` the user's name (trimmed; unique among the segments) for every later download;
    /// returns the renamed personas.
    #[inline(never)]
    pub(super) fn rename(
        &mut self,
        number: u32,
        name: &str,
    ) -> Result<audience_engine::profile::PersonaReport, ServiceError> {
        let results = self.results.as_mut().ok_or(ServiceError::NoResults)?;
        results.report.rename(number, name)?;
        Ok(results.report.clone())
    }
}

impl Session {
    /// Customer-match files for chosen segments: identifiers detected by name and content, normalised and
    /// SHA-256 hashed here, one file per segment; every skipped row is counted.
    #[inline(never)]
    pub(super) fn customer_match(
        &self,
        segments: &[u32],
        platform: Platform,
        default_country: Option<String>,
    ) -> Result<(Vec<ExportFile>, Vec<String>), ServiceError> {
        let results = self.results.as_ref().ok_or(ServiceError::NoResults)?;
        let table = self.table_for(&results.segmentation.labels)?;
        let detected = detect_identifier_columns(table);
        if detected.is_empty() {
            return Err(ServiceError::NoIdentifiers);
        }
        let columns: Vec<IdentifierColumn> = detected.iter().map(IdentifierColumn::from).collect();
        let options = CustomerMatchOptions {
            platform,
            default_country: default_country.filter(|country| !country.trim().is_empty()),
            segment_names: results.report.names_by_index(),
            ..CustomerMatchOptions::default()
        };
        // Held-out customers (the control group) are never uploaded.
        let files =
            customer_match_files(table, &self.upload_labels()?, segments, &columns, &options)?;
        let notes = files
            .iter()
            .map(|file| {
                let report = &file.report;
                format!(
                    "{}: {} of {} rows written, {} skipped ({} without identifiers, {} unusable).",
                    file.file_name,
                    report.rows_written,
                    report.rows_in_segment,
                    report.rows_skipped,
                    report.skipped_empty,
                    report.skipped_unusable
                )
            })
            .collect();
        let files = files
            .into_iter()
            .map(|file| ExportFile {
                name: file.file_name,
                mime: "text/csv".into(),
                content: file.csv,
            })
            .collect();
        Ok((files, notes))
    }
}

/// The start of a download's name: the file's name without its extension, with characters other than
/// letters, digits, `-` and `_` replaced by `_`.
pub(super) fn download_stem(file_name: &str) -> String {
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem);
    stem.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

pub(super) fn text_file(
    name: String,
    mime: &str,
    bytes: Vec<u8>,
) -> Result<ExportFile, ServiceError> {
    let content = String::from_utf8(bytes).map_err(|source| ServiceError::NotText {
        name: name.clone(),
        source,
    })?;
    Ok(ExportFile {
        name,
        mime: mime.into(),
        content,
    })
}
