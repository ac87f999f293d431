//! The reading plan: what the start of the text says about the whole table (the `sep=` line, the
//! delimiter, comment and title lines, the header, the usual field count), decided once, before the records
//! are read (steps 2 and 3 of the module docs).
//!
//! Every decision looks at a sample (the first 64 KiB and at most 200 records, the first 20 lines), so a
//! file read in chunks can be planned as soon as its start has arrived ([`Gate::Head`]); the records are
//! then read while the rest arrives. A start that cannot decide alone (a text that might be JSON or HTML,
//! whose last character matters) asks for the whole text; a whitespace-aligned file is planned on the
//! tab-separated rewrite of its start.

use super::header::HeaderChoice;
use super::preamble::{self, PreambleLine, MAX_PREAMBLE_LINES};
use super::records::Layout;
use super::{aligned, lines, sniff, IngestError, IngestOptions};

/// Bytes of the sample after the table's start (the sniffers read at most 64 KiB of it).
const SAMPLE_BYTES: usize = 64 * 1024;
/// Non-blank lines the start must hold (a single-column check reads 200 of them).
const SAMPLE_LINES: usize = 201;

/// What was decided about a text.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub delimiter: u8,
    pub whitespace_aligned: bool,
    pub header: HeaderChoice,
    /// Skipped lines before the table.
    pub preamble: Vec<PreambleLine>,
    /// Byte where the table starts (after the preamble).
    pub table_start: usize,
    /// `\n` bytes before `table_start`.
    pub newlines_before: u64,
    /// Blank lines among the preamble's lines.
    pub preamble_blank_lines: usize,
    body_fields: usize,
    /// Mean bytes per data row in the sample.
    row_bytes: usize,
    line_offset: u64,
    max_issues: usize,
}

impl Plan {
    /// How to read the records of a text of about `text_bytes` bytes.
    pub(crate) fn layout(&self, text_bytes: usize) -> Layout {
        let rows = text_bytes.saturating_sub(self.table_start) / self.row_bytes.max(1);
        Layout {
            delimiter: self.delimiter,
            has_header: self.header.has_header,
            body_fields: self.body_fields,
            max_issues: self.max_issues,
            rows_hint: rows + rows / 10,
            line_offset: self.line_offset,
            column_threads: None,
        }
    }
}

/// Whether the text given is all of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Gate {
    /// The whole text.
    Whole,
    /// The start of a longer text.
    Head,
}

/// The outcome of planning.
#[derive(Debug)]
pub(crate) enum Planned {
    /// Read the records from `table_start` on.
    Ready(Plan),
    /// A whitespace-aligned file: read its tab-separated rewrite ([`plan_rewritten`]).
    Aligned,
    /// (Start only) too short to decide: wait for more.
    NeedMore,
    /// (Start only) the decision needs the whole text.
    NeedsWhole,
}

/// Plans the reading of `whole` (all of the text, or its start under [`Gate::Head`]).
pub(crate) fn plan(
    whole: &str,
    gate: Gate,
    options: &IngestOptions,
) -> Result<Planned, IngestError> {
    let head = gate == Gate::Head;
    if whole.trim().is_empty() {
        if head {
            return Ok(Planned::NeedMore);
        }
        return Err(IngestError::NoColumns {
            lines: whole.lines().count(),
        });
    }
    if head && !enough(whole) {
        return Ok(Planned::NeedMore);
    }
    // Excel's `sep=;` line, then the delimiter, then comments and titles before the table.
    let mut preamble = Vec::new();
    let mut table_start = 0;
    let mut hinted = None;
    if let Some((entry, rest, delimiter)) = preamble::separator(whole) {
        preamble.push(entry);
        table_start = rest;
        hinted = Some(delimiter);
    }
    let after_separator = &whole[table_start..];
    if head && !enough(after_separator) {
        return Ok(Planned::NeedMore);
    }
    let delimiter = match options.delimiter.or(hinted) {
        Some(delimiter) => delimiter,
        None => {
            if head && after_separator.trim_start().starts_with(['{', '[', '<']) {
                // JSON or HTML is told by its last character too.
                return Ok(Planned::NeedsWhole);
            }
            super::check_other_format(after_separator)?;
            let sniffed = sniff::sniff_delimiter(after_separator);
            if sniffed.fields >= 2 {
                sniffed.delimiter
            } else if aligned::is_aligned(after_separator) {
                return Ok(Planned::Aligned);
            } else {
                super::check_single_column(after_separator)?;
                sniffed.delimiter
            }
        }
    };
    let plan = finish(whole, table_start, preamble, delimiter, false, options);
    if head && !enough(&whole[plan.table_start..]) {
        return Ok(Planned::NeedMore);
    }
    Ok(Planned::Ready(plan))
}

/// Plans the tab-separated rewrite of a whitespace-aligned file (which has no `sep=` line).
pub(crate) fn plan_rewritten(rewritten: &str, options: &IngestOptions) -> Plan {
    finish(rewritten, 0, Vec::new(), b'\t', true, options)
}

/// [`plan_rewritten`] from the rewrite of the file's start, when that start holds every sample.
pub(crate) fn plan_rewritten_start(rewritten: &str, options: &IngestOptions) -> Option<Plan> {
    if !enough(rewritten) {
        return None;
    }
    let plan = plan_rewritten(rewritten, options);
    enough(&rewritten[plan.table_start..]).then_some(plan)
}

/// The plan once the delimiter is known: comment and title lines, header, field count.
fn finish(
    whole: &str,
    mut table_start: usize,
    mut preamble: Vec<PreambleLine>,
    delimiter: u8,
    whitespace_aligned: bool,
    options: &IngestOptions,
) -> Plan {
    let lines_before = lines::count_breaks(&whole[..table_start]) as u64;
    let after_separator = &whole[table_start..];
    let usual = sniff::usual_fields(after_separator, delimiter);
    let (found, start) =
        preamble::comments_and_titles(after_separator, delimiter, usual, lines_before + 1);
    preamble.extend(found);
    table_start += start;
    let text = &whole[table_start..];
    let line_offset = lines::count_breaks(&whole[..table_start]) as u64;
    let preamble_blank_lines = (line_offset as usize).saturating_sub(preamble.len());
    let header = HeaderChoice::decide(options.header, || sniff::detect_header(text, delimiter));
    let (body_fields, row_bytes) = sniff::body_shape(text, delimiter, header.has_header);
    let newlines_before = whole.as_bytes()[..table_start]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64;
    Plan {
        delimiter,
        whitespace_aligned,
        header,
        preamble,
        table_start,
        newlines_before,
        preamble_blank_lines,
        body_fields,
        row_bytes,
        line_offset,
        max_issues: options.max_issues,
    }
}

/// Whether the start of a text holds every sample the plan reads: more than 64 KiB and more than 200
/// complete non-blank lines (`\n`-terminated; a file of lone `\r` line ends waits for its end).
fn enough(text: &str) -> bool {
    if text.len() <= SAMPLE_BYTES + 8 {
        return false;
    }
    let mut complete = 0;
    let mut rest = text;
    while let Some(end) = rest.find('\n') {
        if !rest[..end].trim().is_empty() {
            complete += 1;
            if complete >= SAMPLE_LINES.max(MAX_PREAMBLE_LINES) {
                return true;
            }
        }
        rest = &rest[end + 1..];
    }
    false
}
