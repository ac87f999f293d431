//! What every per-segment upload file shares, whatever the destination: a CSV in memory with the
//! destination's header, every row of the segment counted as written or skipped (with the reason and the
//! first examples), each output column's values counted as valid, empty or unusable, and the file name
//! with the segment's number and persona name. [`customer_match`](super::customer_match) (Google, Meta)
//! and [`destinations`](super::destinations) (TikTok, X, LinkedIn, hashed e-mail) decide only which
//! values go in a row.

use super::customer_match::normalise::Normalised;
use super::customer_match::{
    file_name_for, CustomerMatchOptions, CustomerMatchReport, FieldReport,
};
use super::ExportError;

/// Rows of a segment kept as examples of skipped rows in the report.
const SKIPPED_EXAMPLES: usize = 10;

/// One segment's upload file while it is written.
pub(crate) struct SegmentUpload {
    writer: csv::Writer<Vec<u8>>,
    report: CustomerMatchReport,
}

impl SegmentUpload {
    /// A file for `segment` that starts with `header` (no header line when it is empty, as X wants).
    pub(crate) fn new<'h>(
        segment: u32,
        header: impl IntoIterator<Item = &'h str>,
    ) -> Result<Self, ExportError> {
        let mut writer = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Necessary)
            .terminator(csv::Terminator::Any(b'\n'))
            .flexible(true)
            .from_writer(Vec::new());
        let header: Vec<&str> = header.into_iter().collect();
        if !header.is_empty() {
            writer.write_record(&header)?;
        }
        Ok(SegmentUpload {
            writer,
            report: CustomerMatchReport {
                segment,
                rows_in_segment: 0,
                rows_written: 0,
                rows_skipped: 0,
                skipped_empty: 0,
                skipped_unusable: 0,
                skipped_examples: Vec::new(),
                fields: Vec::new(),
            },
        })
    }

    /// Counts a row of the segment, and each output column's value for it in `fields` (in order).
    pub(crate) fn count<'f, 'v>(
        &mut self,
        fields: impl IntoIterator<Item = &'f mut FieldReport>,
        values: impl IntoIterator<Item = &'v Normalised>,
    ) {
        self.report.rows_in_segment += 1;
        for (field, value) in fields.into_iter().zip(values) {
            match value {
                Normalised::Valid(_) => field.valid += 1,
                Normalised::Empty => field.empty += 1,
                Normalised::Invalid => field.invalid += 1,
            }
        }
    }

    /// Leaves row `row` (0-based data row) out of the file: with no identifier value at all
    /// (`had_value` false), or with values none of which can be matched.
    pub(crate) fn skip(&mut self, row: usize, had_value: bool) {
        self.report.rows_skipped += 1;
        if had_value {
            self.report.skipped_unusable += 1;
        } else {
            self.report.skipped_empty += 1;
        }
        if self.report.skipped_examples.len() < SKIPPED_EXAMPLES {
            self.report.skipped_examples.push(row);
        }
    }

    /// Writes one row of the file.
    pub(crate) fn write<I, T>(&mut self, record: I) -> Result<(), ExportError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.writer.write_record(record)?;
        self.report.rows_written += 1;
        Ok(())
    }

    /// The finished file: its name (`destination` slug, the segment's number and persona name), its
    /// text and its report with `fields`.
    pub(crate) fn finish(
        self,
        destination: &str,
        fields: Vec<FieldReport>,
        options: &CustomerMatchOptions,
    ) -> Result<(String, String, CustomerMatchReport), ExportError> {
        let mut report = self.report;
        report.fields = fields;
        let bytes = self
            .writer
            .into_inner()
            .map_err(|e| ExportError::Io(e.into_error()))?;
        let csv = String::from_utf8(bytes).expect("the CSV is built from UTF-8 strings");
        let segment = report.segment;
        let name = options
            .segment_names
            .get(segment as usize)
            .map(String::as_str);
        Ok((file_name_for(destination, segment + 1, name), csv, report))
    }
}
