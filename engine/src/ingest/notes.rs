//! What a reader should be told about how a file was read, beyond its rows: skipped preamble lines,
//! repeated headers, a guessed header, removed NUL bytes and empty records. The CLI prints these on stderr
//! and the app shows them in its data step, so both say the same thing about the same file.

use super::{IngestReport, PreambleKind};
use crate::table::ColumnType;

/// Line numbers listed before "…".
const LISTED_LINES: usize = 10;

/// One sentence for each thing about `report` that the user should know, in file order of importance.
///
/// `header_remedy` says how to read the file without a header row in the caller's interface, e.g.
/// `"rerun with --header no"` or `"choose \"No header row\" above"`; it ends the note about a guessed
/// header. Rows set aside are summed up in one note with their first lines; callers may list each.
pub fn read_notes(report: &IngestReport, header_remedy: &str) -> Vec<String> {
    let mut notes = Vec::new();
    if report.whitespace_aligned {
        notes.push(format!(
            "read the file as {} columns separated by runs of spaces (a whitespace-aligned file); a value \
             with a space inside it would be split in two, and its row set aside",
            report.columns.len()
        ));
    }
    if !report.preamble.is_empty() {
        let kinds: Vec<String> = report
            .preamble
            .iter()
            .map(|p| {
                let kind = match p.kind {
                    PreambleKind::Separator => "Excel sep= line",
                    PreambleKind::Comment => "comment",
                    PreambleKind::Title => "title",
                };
                format!("line {} ({kind}: {:?})", p.line, p.text)
            })
            .collect();
        notes.push(format!(
            "skipped {} line{} before the table, not data and not column names: {}",
            report.preamble.len(),
            plural(report.preamble.len()),
            kinds.join(", ")
        ));
    }
    if report.repeated_headers > 0 {
        let lines = list(&report.repeated_header_lines, report.repeated_headers);
        notes.push(format!(
            "skipped {} repeated header line{} (the column names again, as in files joined together) \
             at line{} {lines}; they are not customers",
            report.repeated_headers,
            plural(report.repeated_headers),
            plural(report.repeated_headers)
        ));
    }
    if !report.header.confident {
        let names: Vec<&str> = report
            .columns
            .iter()
            .take(5)
            .map(|c| c.name.as_str())
            .collect();
        notes.push(format!(
            "{} ({}); if that line is a customer, {header_remedy}",
            report.header.explain(),
            names.join(", ")
        ));
    }
    if report.nul_bytes > 0 {
        notes.push(format!(
            "removed {} NUL byte{} (invisible characters left by a damaged export), the first on line {}",
            report.nul_bytes,
            plural(report.nul_bytes),
            report.first_nul_line.unwrap_or_default()
        ));
    }
    if report.empty_records > 0 {
        notes.push(format!(
            "left out {} empty record{} (every field empty, e.g. \",,,\"); they are not customers",
            report.empty_records,
            plural(report.empty_records)
        ));
    }
    for column in &report.columns {
        let examples = column
            .examples
            .iter()
            .take(2)
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        let zero_padded = column
            .examples
            .iter()
            .any(|e| e.len() >= 2 && e.starts_with('0') && e.bytes().all(|b| b.is_ascii_digit()));
        let compact_dates = column
            .examples
            .iter()
            .all(|e| e.len() == 8 && e.bytes().all(|b| b.is_ascii_digit()));
        match column.inferred_type {
            ColumnType::Identifier | ColumnType::Categorical if zero_padded => notes.push(format!(
                "{}: values such as {examples} keep their leading zeros and are read as codes, not numbers",
                column.name
            )),
            ColumnType::Date if compact_dates && !column.examples.is_empty() => notes.push(format!(
                "{}: eight-digit values such as {examples} are read as dates (year, month, day)",
                column.name
            )),
            _ => {}
        }
        if column.integer_codes {
            notes.push(format!(
                "{name} holds {} different whole numbers (such as {examples}) that look like category codes, \
                 so a \"high\" or \"low\" {name} means little; if they are codes, read {name} as categories \
                 (its type menu in the page, --categorical {name} in the CLI)",
                column.distinct,
                name = column.name
            ));
        }
    }
    if report.rows_skipped > 0 {
        let lines: Vec<u64> = report.issues.iter().map(|issue| issue.line).collect();
        notes.push(format!(
            "{} of {} rows could not be read as-is and were set aside (line{} {})",
            report.rows_skipped,
            report.rows_in_file,
            plural(report.rows_skipped),
            list(&lines, report.rows_skipped)
        ));
    }
    notes
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// "3, 6, 9" or "3, 6, 9, … (12 in all)".
fn list(lines: &[u64], total: usize) -> String {
    let shown: Vec<String> = lines
        .iter()
        .take(LISTED_LINES)
        .map(u64::to_string)
        .collect();
    if total > shown.len() {
        format!("{}, … ({total} in all)", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{read_table, IngestOptions};

    fn notes_of(text: &str) -> Vec<String> {
        let report = read_table(text.as_bytes(), &IngestOptions::default())
            .unwrap()
            .report;
        read_notes(&report, "rerun with --header no")
    }

    #[test]
    fn a_guessed_header_note_names_the_remedy() {
        let notes = notes_of("Ann,Paris\nBob,Rome\nCy,Oslo\n");
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("--header no"), "{notes:?}");
        assert!(notes[0].contains("Ann, Paris"), "{notes:?}");
    }

    #[test]
    fn preamble_repeated_headers_and_empty_records_are_each_noted() {
        let notes = notes_of("sep=,\nname,age\nAnn,34\n,\nname,age\nBob,41\n");
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(notes[0].contains("line 1 (Excel sep= line"), "{notes:?}");
        assert!(notes[1].contains("1 repeated header line"), "{notes:?}");
        assert!(notes[1].contains("at line 5;"), "{notes:?}");
        assert!(notes[2].contains("1 empty record"), "{notes:?}");
    }
}
