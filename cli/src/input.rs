//! Reading the input CSV for `segment` and `profile`: one function, so both commands read a file the same
//! way and say the same things about it on stderr (skipped preamble lines, repeated headers, the header
//! choice when it was a guess, removed NUL bytes, empty records, rows left out).

use std::io::Read;
use std::path::Path;

use audience_engine::ingest::{
    read_notes, retype, BadRowPolicy, HeaderMode, IngestError, IngestOptions, IngestReport,
    Ingested, StreamingReader,
};
use audience_engine::table::{ColumnType, Table};

/// Bytes read from the input file at a time.
const READ_BLOCK: usize = 4 << 20;

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
    let options = IngestOptions {
        header,
        bad_rows,
        ..IngestOptions::default()
    };
    // Read a block at a time: the records are parsed as the blocks come, never the whole file in memory.
    let cannot_read = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let mut file = std::fs::File::open(path).map_err(cannot_read)?;
    let size = file.metadata().map_or(0, |m| m.len() as usize);
    let mut reader = StreamingReader::with_capacity(options, size);
    let mut block = vec![0; READ_BLOCK];
    loop {
        let read = file.read(&mut block).map_err(cannot_read)?;
        if read == 0 {
            break;
        }
        reader.push(&block[..read]);
    }
    let ingested = reader.finish().map_err(|error| match &error {
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

/// The notes about how the file was read, one sentence each, with the flag to use where one helps, then
/// each row set aside with its reason.
pub fn notes(report: &IngestReport) -> Vec<String> {
    let mut notes = read_notes(report, "rerun with --header no");
    for issue in report.issues.iter().take(LISTED_LINES) {
        notes.push(format!("skipped {}", issue.message));
    }
    notes
}

/// `--categorical`: the columns read as categories whatever their values look like (integer codes such as
/// region 1/2/3 or channel 1/2), before anything is segmented or profiled.
///
/// # Errors
/// A column that is not in the file, named with the file's columns.
pub fn as_categories(mut table: Table, columns: &[String]) -> Result<Table, String> {
    for name in columns {
        let index = table.column_index(name).ok_or_else(|| {
            let names: Vec<&str> = table.columns().iter().map(|c| c.name.as_str()).collect();
            format!(
                "--categorical {name:?} is not a column of this file (columns: {})",
                names.join(", ")
            )
        })?;
        let column = retype(
            &table.columns()[index],
            ColumnType::Categorical,
            &IngestOptions::default(),
        )
        .map_err(|e| format!("--categorical {name:?}: {e}"))?;
        table
            .replace_column(index, column)
            .map_err(|e| format!("--categorical {name:?}: {e}"))?;
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_flag_values_map_to_modes() {
        assert_eq!(parse_header("yes"), Ok(HeaderMode::Present));
        assert_eq!(parse_header("NO"), Ok(HeaderMode::Absent));
        assert_eq!(parse_header("auto"), Ok(HeaderMode::Auto));
        assert!(parse_header("maybe").unwrap_err().contains("got \"maybe\""));
    }
}
