//! Reading the input CSV for `segment` and `profile`: one function, so both commands read a file the same
//! way and say the same things about it on stderr (skipped preamble lines, repeated headers, the header
//! choice when it was a guess, removed NUL bytes, empty records, rows left out).

use std::path::Path;

use audience_engine::ingest::{
    read_table, BadRowPolicy, HeaderMode, IngestError, IngestOptions, IngestReport, Ingested,
    PreambleKind,
};

/// Bad-row line numbers listed on stderr before "…".
const LISTED_LINES: usize = 10;

/// Parses `--header yes|no|auto`.
pub fn parse_header(text: &str) -> Result<HeaderMode, String> {
    match text.to_ascii_lowercase().as_str() {
        "auto" => Ok(HeaderMode::Auto),
        "yes" | "true" | "present" => Ok(HeaderMode::Present),
        "no" | "false" | "absent" | "none" => Ok(HeaderMode::Absent),
        _ => Err(format!(
            "expected yes (the first line holds the column names), no (every line is a customer) \
             or auto, got {text:?}"
        )),
    }
}

/// Reads `path` under `header` and `bad_rows`, printing what was skipped or guessed to stderr.
///
/// # Errors
/// A message naming the file, what is wrong and the flag that helps (`--skip-bad-rows`, `--header no`).
pub fn read_input(
    path: &Path,
    header: HeaderMode,
    bad_rows: BadRowPolicy,
) -> Result<Ingested, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let options = IngestOptions {
        header,
        bad_rows,
        ..IngestOptions::default()
    };
    let ingested = read_table(&bytes, &options).map_err(|error| match &error {
        IngestError::BadRows {
            count,
            rows_in_file,
            first_problem,
            ..
        } => format!(
            "{}: {count} of {rows_in_file} rows could not be read as-is (wrong number of fields or \
             broken quoting), the first at {first_problem}; fix those lines, or rerun with \
             --skip-bad-rows to leave them out (each skipped line is listed)",
            path.display()
        ),
        IngestError::NoDataRows { guessed: true, .. } => {
            format!("{}: {error} (rerun with --header no)", path.display())
        }
        _ => format!("{}: {error}", path.display()),
    })?;
    for note in notes(&ingested.report) {
        eprintln!("audience: note: {note}");
    }
    Ok(ingested)
}

/// The notes about how the file was read, one sentence each, with the flag to use where one helps.
pub fn notes(report: &IngestReport) -> Vec<String> {
    let mut notes = Vec::new();
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
            "{} ({}); if that line is a customer, rerun with --header no",
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
    if report.rows_skipped > 0 {
        let lines: Vec<u64> = report.issues.iter().map(|i| i.line).collect();
        notes.push(format!(
            "{} of {} rows could not be read as-is and were left out (line{} {})",
            report.rows_skipped,
            report.rows_in_file,
            plural(report.rows_skipped),
            list(&lines, report.rows_skipped)
        ));
        for issue in report.issues.iter().take(LISTED_LINES) {
            notes.push(format!("skipped {}", issue.message));
        }
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

    fn report_of(text: &str) -> IngestReport {
        read_table(text.as_bytes(), &IngestOptions::default())
            .unwrap()
            .report
    }

    #[test]
    fn header_flag_values_map_to_modes() {
        assert_eq!(parse_header("yes"), Ok(HeaderMode::Present));
        assert_eq!(parse_header("NO"), Ok(HeaderMode::Absent));
        assert_eq!(parse_header("auto"), Ok(HeaderMode::Auto));
        assert!(parse_header("maybe").unwrap_err().contains("got \"maybe\""));
    }

    #[test]
    fn a_guessed_header_note_names_the_flag() {
        let notes = notes(&report_of("Ann,Paris\nBob,Rome\nCy,Oslo\n"));
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("--header no"), "{notes:?}");
        assert!(notes[0].contains("Ann, Paris"), "{notes:?}");
    }

    #[test]
    fn preamble_repeated_headers_and_empty_records_are_each_noted() {
        let notes = notes(&report_of("sep=,\nname,age\nAnn,34\n,\nname,age\nBob,41\n"));
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(notes[0].contains("line 1 (Excel sep= line"), "{notes:?}");
        assert!(notes[1].contains("1 repeated header line"), "{notes:?}");
        assert!(notes[1].contains("at line 5;"), "{notes:?}");
        assert!(notes[2].contains("1 empty record"), "{notes:?}");
    }
}
