//! Reading: the customer file read, typed and described for the preview; a column re-read under another
//! type.

use crate::protocol::{ColumnPreview, ColumnStats, DatasetPreview, Failure, Response};
use audience_engine::ingest::{
    self, ColumnSummary, Encoding, HeaderMode, IngestOptions, IngestReport, Ingested,
    StreamingReader,
};
use audience_engine::pipeline::conversion_column;
use audience_engine::table::{Column, ColumnType};

use super::rollup::LogState;
use super::{is_clusterable, now_ms, Dataset, ServiceError, Session, PREVIEW_ROWS};

impl Session {
    /// Reads a file, keeps its table, and describes it.
    #[inline(never)]
    pub(super) fn load(
        &mut self,
        file_name: &str,
        bytes: &[u8],
        header: HeaderMode,
    ) -> Result<DatasetPreview, ServiceError> {
        let started = now_ms();
        let read = ingest::read_table(bytes, &customer_file_options(header));
        self.keep_read(file_name, header, read, started)
    }

    /// Reads the customer file `file_name` (`size` bytes, 0 when unknown) as `fill` pushes its pieces
    /// into the reader, then keeps it as [`Request::LoadFile`](crate::protocol::Request::LoadFile) does.
    /// The worker reads the browser's `File` a slice at a time this way: the records are read while the
    /// slices come, and the file's bytes are never held whole next to the table. A failure of `fill`
    /// (the browser could not read the file) is the answer, and the file loaded before stays.
    pub fn load_streamed(
        &mut self,
        file_name: &str,
        header: HeaderMode,
        size: usize,
        fill: &mut dyn FnMut(&mut StreamingReader) -> Result<(), Failure>,
    ) -> Response {
        let started = now_ms();
        let mut reader = StreamingReader::with_capacity(customer_file_options(header), size);
        if let Err(failure) = fill(&mut reader) {
            return Response::Failed(failure);
        }
        self.keep_streamed(file_name, header, reader.finish(), started)
    }

    /// Keeps the customer file `file_name`, read since `started` (ms, `Date.now()`'s clock) by readers
    /// the caller fed (the engine worker and its reading helper, each the rows of half of the file), as
    /// [`Self::load_streamed`] keeps what it reads: the answer to
    /// [`Request::LoadFile`](crate::protocol::Request::LoadFile).
    pub fn keep_streamed(
        &mut self,
        file_name: &str,
        header: HeaderMode,
        read: Result<Ingested, ingest::IngestError>,
        started: f64,
    ) -> Response {
        self.keep_previous();
        self.dictionary = Default::default();
        match self.keep_read(file_name, header, read, started) {
            Ok(preview) => Response::Loaded(preview),
            Err(error) => Response::Failed(error.into()),
        }
    }

    /// Keeps a file read since `started` (ms) and describes it.
    fn keep_read(
        &mut self,
        file_name: &str,
        header: HeaderMode,
        read: Result<Ingested, ingest::IngestError>,
        started: f64,
    ) -> Result<DatasetPreview, ServiceError> {
        let Ingested { table, report } = read.map_err(|source| ServiceError::Read {
            file_name: file_name.to_owned(),
            source,
        })?;
        let detected_target = conversion_column(&table, None);
        let log = LogState::detect(&table, &report);
        let dataset = Dataset {
            file_name: file_name.to_owned(),
            base: None,
            table,
            delimiter: u8::try_from(report.delimiter).unwrap_or(b','),
            format: describe_format(&report),
            row_notes: row_notes(&report, header),
            detected_target,
            enrichment: None,
            retrieval: None,
            log,
        };
        let mut preview = preview(&dataset, &report.columns);
        preview.read_ms = Some(now_ms() - started);
        self.dataset = Some(dataset);
        self.results = None;
        Ok(preview)
    }

    /// Re-reads one column under another type, in the file and in its enriched table.
    #[inline(never)]
    pub(super) fn retype(
        &mut self,
        name: &str,
        column_type: ColumnType,
    ) -> Result<DatasetPreview, ServiceError> {
        let dataset = self.dataset.as_mut().ok_or(ServiceError::NoFile)?;
        let options = dataset.options();
        let index = dataset
            .table
            .column_index(name)
            .ok_or_else(|| ServiceError::NoColumn(name.to_owned()))?;
        let column = ingest::retype(&dataset.table.columns()[index], column_type, &options)
            .map_err(|source| ServiceError::Retype {
                column: name.to_owned(),
                type_name: type_name(column_type),
                source,
            })?;
        dataset.replace_base_column(name, &column)?;
        dataset.table.replace_column(index, column)?;
        self.results = None;
        Ok(dataset.current_preview())
    }
}

/// How a customer file is read under the page's header setting (by the engine worker, and by its reading
/// helper for the rows of a large file's second half).
pub fn customer_file_options(header: HeaderMode) -> IngestOptions {
    IngestOptions {
        header,
        ..IngestOptions::default()
    }
}

/// "UTF-8, `;`-separated, with a header row".
pub(super) fn describe_format(report: &IngestReport) -> String {
    let encoding = match report.encoding {
        Encoding::Utf8 => "UTF-8",
        Encoding::Utf8Bom => "UTF-8 with BOM",
        Encoding::Utf16Le => "UTF-16 LE",
        Encoding::Utf16Be => "UTF-16 BE",
        Encoding::Windows1252 => "Windows-1252 / Latin-1",
    };
    let delimiter = match report.delimiter {
        _ if report.whitespace_aligned => "whitespace-aligned columns".to_owned(),
        '\t' => "tab-separated".to_owned(),
        other => format!("\"{other}\"-separated"),
    };
    let header = if report.has_header {
        "with a header row"
    } else {
        "no header row"
    };
    format!("{encoding}, {delimiter}, {header}")
}

impl Dataset {
    /// Ingest options matching how the file was read (its delimiter decides decimal commas).
    pub(super) fn options(&self) -> IngestOptions {
        IngestOptions {
            delimiter: Some(self.delimiter),
            ..IngestOptions::default()
        }
    }

    /// The preview of the table as it stands.
    pub(super) fn current_preview(&self) -> DatasetPreview {
        let options = self.options();
        let summaries: Vec<ColumnSummary> = self
            .table
            .columns()
            .iter()
            .map(|column| ingest::column_summary(column, &options))
            .collect();
        preview(self, &summaries)
    }
}

/// What the page shows about a dataset, given each column's summary.
pub(super) fn preview(dataset: &Dataset, summaries: &[ColumnSummary]) -> DatasetPreview {
    let table = &dataset.table;
    let columns = table
        .columns()
        .iter()
        .zip(summaries)
        .map(|(column, summary)| column_preview(column, summary))
        .collect();
    let rows = (0..table.n_rows().min(PREVIEW_ROWS))
        .map(|row| {
            table
                .columns()
                .iter()
                .map(|column| column.text(row).to_owned())
                .collect()
        })
        .collect();
    let mut notes = dataset.row_notes.clone();
    notes.extend(column_notes(summaries));
    DatasetPreview {
        file_name: dataset.file_name.clone(),
        n_rows: table.n_rows(),
        n_columns: table.columns().len(),
        columns,
        rows,
        format: dataset.format.clone(),
        notes,
        detected_target: dataset.detected_target.clone(),
        enrichment: dataset.enrichment.clone(),
        retrieval: dataset.retrieval.clone(),
        read_ms: None,
        log: dataset.log.as_ref().map(LogState::offer),
    }
}

pub(super) fn column_preview(column: &Column, summary: &ColumnSummary) -> ColumnPreview {
    ColumnPreview {
        name: column.name.clone(),
        column_type: column.column_type(),
        missing: summary.missing,
        distinct: summary.distinct,
        clusterable: is_clusterable(column.column_type()),
        stats: ColumnStats::of(column),
    }
}

/// The type's name in messages.
pub(super) fn type_name(column_type: ColumnType) -> &'static str {
    match column_type {
        ColumnType::Numeric => "numeric",
        ColumnType::Binary => "binary",
        ColumnType::Ordinal => "ordinal",
        ColumnType::Categorical => "categorical",
        ColumnType::Identifier => "identifier",
        ColumnType::Date => "date",
        ColumnType::Empty => "empty",
    }
}

/// What the user should know about how the file's rows and headers were read.
pub(super) fn row_notes(report: &IngestReport, header: HeaderMode) -> Vec<String> {
    let remedy = match header {
        HeaderMode::Auto => "choose \"No header row\" under Header row above",
        HeaderMode::Present | HeaderMode::Absent => "choose another Header row setting above",
    };
    let mut notes = ingest::read_notes(report, remedy);
    for rename in &report.renamed_columns {
        notes.push(format!(
            "Column {} was renamed from {:?} to {:?}.",
            rename.index + 1,
            rename.from,
            rename.to
        ));
    }
    notes
}

/// Columns with values their type cannot read.
pub(super) fn column_notes(summaries: &[ColumnSummary]) -> Vec<String> {
    let mut notes = Vec::new();
    for column in summaries.iter().filter(|column| column.unparsable > 0) {
        notes.push(format!(
            "{}: {} value(s) did not read as {:?} and count as missing (e.g. {:?}).",
            column.name,
            column.unparsable,
            column.column_type,
            column
                .unparsable_examples
                .first()
                .map_or("", String::as_str)
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{FailureKind, Request};

    /// A customer file long enough to be read while its slices come (about 200 KB).
    fn customers() -> String {
        let mut csv = String::from("id;city;spend;member\n");
        for row in 0..8_000 {
            let city = ["Köln", "Malmö", "Genève"][row % 3];
            csv.push_str(&format!(
                "{row};{city};{},{};{}\n",
                row % 90,
                row % 10,
                row % 2
            ));
        }
        csv
    }

    #[test]
    fn a_file_pushed_in_slices_loads_as_the_same_file_read_whole() {
        let csv = customers();
        let mut whole = Session::new();
        let request = Request::LoadFile {
            file_name: "shop.csv".into(),
            header: HeaderMode::Auto,
        };
        let Response::Loaded(mut expected) =
            whole.handle(request, Some(csv.as_bytes()), &mut |_| {})
        else {
            panic!("expected a preview");
        };
        let mut sliced = Session::new();
        let mut fill = |reader: &mut StreamingReader| {
            for slice in csv.as_bytes().chunks(10_007) {
                reader.push(slice);
            }
            assert!(reader.is_streaming());
            Ok(())
        };
        let Response::Loaded(mut preview) =
            sliced.load_streamed("shop.csv", HeaderMode::Auto, csv.len(), &mut fill)
        else {
            panic!("expected a preview");
        };
        assert_eq!((preview.n_rows, preview.n_columns), (8_000, 4));
        assert_eq!(preview.rows[2], vec!["2", "Genève", "2,2", "0"]);
        (preview.read_ms, expected.read_ms) = (None, None);
        assert_eq!(preview, expected);
        assert_eq!(
            sliced.dataset().unwrap().table,
            whole.dataset().unwrap().table
        );
    }

    #[test]
    fn a_file_the_browser_cannot_read_fails_and_keeps_the_file_loaded_before() {
        let mut session = Session::new();
        let mut first = |reader: &mut StreamingReader| {
            reader.push(b"id,spend\n1,5\n2,7\n");
            Ok(())
        };
        assert!(matches!(
            session.load_streamed("first.csv", HeaderMode::Auto, 0, &mut first),
            Response::Loaded(_)
        ));
        let mut broken = |_: &mut StreamingReader| {
            Err(Failure::new(
                FailureKind::Browser,
                "reading the file: NotReadableError",
            ))
        };
        let Response::Failed(failure) =
            session.load_streamed("second.csv", HeaderMode::Auto, 100, &mut broken)
        else {
            panic!("expected a failure");
        };
        assert_eq!(failure.kind, FailureKind::Browser);
        assert_eq!(session.dataset().unwrap().file_name, "first.csv");
    }
}
