//! What the engine worker does: plain Rust over `audience-engine`, with no browser types, so every request
//! can be tested natively.

use audience_engine::ingest::{self, Encoding, IngestOptions, IngestReport, Ingested};
use audience_engine::table::Table;

use crate::protocol::{ColumnPreview, DatasetPreview, Failure, Request, Response};

/// How many rows the preview shows.
pub const PREVIEW_ROWS: usize = 10;

/// The worker's state: the file the user loaded last.
#[derive(Debug, Default)]
pub struct Session {
    table: Option<Table>,
}

impl Session {
    /// A session with no file.
    pub fn new() -> Self {
        Self::default()
    }

    /// Carries out one request. `attachment` holds the bytes of the file sent with it, if any.
    pub fn handle(&mut self, request: Request, attachment: Option<&[u8]>) -> Response {
        match request {
            Request::LoadFile { file_name } => match attachment {
                None => failed(format!("No file came with the request to read {file_name:?}.")),
                Some(bytes) => match self.load(&file_name, bytes) {
                    Ok(preview) => Response::Loaded(preview),
                    Err(message) => failed(message),
                },
            },
        }
    }

    /// Reads a file, keeps its table, and describes it.
    fn load(&mut self, file_name: &str, bytes: &[u8]) -> Result<DatasetPreview, String> {
        let options = IngestOptions::default();
        let Ingested { table, report } =
            ingest::read_table(bytes, &options).map_err(|error| format!("{file_name}: {error}"))?;
        let columns = table
            .columns()
            .iter()
            .map(|column| ColumnPreview {
                name: column.name.clone(),
                column_type: column.column_type(),
                missing: column.missing_count(),
            })
            .collect();
        let rows = (0..table.n_rows().min(PREVIEW_ROWS))
            .map(|row| table.columns().iter().map(|column| column.text(row).to_owned()).collect())
            .collect();
        let preview = DatasetPreview {
            file_name: file_name.to_owned(),
            n_rows: table.n_rows(),
            n_columns: table.columns().len(),
            columns,
            rows,
            format: describe_format(&report),
            notes: notes(&report),
        };
        self.table = Some(table);
        Ok(preview)
    }
}

fn failed(message: String) -> Response {
    Response::Failed(Failure { message })
}

/// "UTF-8, `;`-separated, with a header row".
fn describe_format(report: &IngestReport) -> String {
    let encoding = match report.encoding {
        Encoding::Utf8 => "UTF-8",
        Encoding::Utf8Bom => "UTF-8 with BOM",
        Encoding::Utf16Le => "UTF-16 LE",
        Encoding::Utf16Be => "UTF-16 BE",
        Encoding::Windows1252 => "Windows-1252 / Latin-1",
    };
    let delimiter = match report.delimiter {
        '\t' => "tab".to_owned(),
        other => format!("\"{other}\""),
    };
    let header = if report.has_header { "with a header row" } else { "no header row" };
    format!("{encoding}, {delimiter}-separated, {header}")
}

/// What the user should know about how the file was read, most important first.
fn notes(report: &IngestReport) -> Vec<String> {
    let mut notes = Vec::new();
    if report.rows_skipped > 0 {
        let lines: Vec<String> = report.issues.iter().take(5).map(|issue| issue.line.to_string()).collect();
        let more = if report.rows_skipped > lines.len() { ", …" } else { "" };
        notes.push(format!(
            "{} of {} rows could not be read as-is and were set aside (lines {}{more}).",
            report.rows_skipped,
            report.rows_in_file,
            lines.join(", ")
        ));
    }
    for rename in &report.renamed_columns {
        notes.push(format!("Column {} was renamed from {:?} to {:?}.", rename.index + 1, rename.from, rename.to));
    }
    for column in report.columns.iter().filter(|column| column.unparsable > 0) {
        notes.push(format!(
            "{}: {} value(s) did not read as {:?} and count as missing (e.g. {:?}).",
            column.name,
            column.unparsable,
            column.column_type,
            column.unparsable_examples.first().map_or("", String::as_str)
        ));
    }
    notes
}
