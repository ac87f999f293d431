//! Delimiter and header detection on a sample of the file.
//!
//! # Delimiter
//! The sample is the first 64 KiB (at most 200 records). Each candidate `,` `;` tab `|` splits it with the
//! CSV parser itself (so delimiters inside quotes do not count). A candidate's *field count* is the most
//! common number of fields per record (ties: the larger) and its *consistency* the share of records
//! with that count. Candidates with a field count below 2 are out; among the rest the most consistent
//! wins, then the one with more fields, then the earlier in the list. When every candidate is out, the
//! file has a single column.
//!
//! # Header
//! The first record is a header when at least one of its fields is non-empty, none reads as a number or a
//! date, its non-empty fields are distinct (or, when some repeat, at least one column below holds only
//! numbers or dates: such a header is kept and its names de-duplicated), and no column contradicts it. A column contradicts it when the column's
//! other sampled values (up to 100 rows, leaving out lines equal to the first: a header repeated by
//! concatenated exports) contain the first row's value; this keeps files of labels
//! without a header (`red,big` / `blue,small` / `red,small`) from losing their first row. A first row with
//! an e-mail or web address over a column of them is data. A file of text columns whose first row repeats
//! nowhere below is taken to have a header, *not confidently*: the report says so
//! ([`HeaderReason::TextNotRepeated`]) and how to override it with
//! [`IngestOptions::header`](super::IngestOptions::header).

use csv::{ReaderBuilder, StringRecord};

use super::date::{parse_date, DateFormat};
use super::number::{parse_number, DecimalMark};
use super::HeaderReason;

/// The delimiters tried, in order of preference.
pub const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

const SAMPLE_BYTES: usize = 64 * 1024;
const SAMPLE_RECORDS: usize = 200;
const HEADER_BODY_ROWS: usize = 100;

/// A sample of records (fields as owned strings), blank records left out.
pub(crate) fn sample_records(text: &str, delimiter: u8, max: usize) -> Vec<Vec<String>> {
    let truncated = text.len() > SAMPLE_BYTES;
    let mut end = text.len().min(SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut reader = ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(&text.as_bytes()[..end]);
    let mut records = Vec::new();
    let mut record = StringRecord::new();
    while records.len() < max {
        match reader.read_record(&mut record) {
            Ok(true) => {
                if record.iter().any(|field| !field.trim().is_empty()) {
                    records.push(record.iter().map(str::to_owned).collect());
                }
            }
            Ok(false) => break,
            Err(_) => continue,
        }
    }
    if truncated && records.len() > 1 && records.len() < max {
        records.pop(); // probably cut in the middle
    }
    records
}

/// The field count of a candidate: (most common count, share of records with it).
fn field_count(records: &[Vec<String>]) -> (usize, f64) {
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for record in records {
        match counts
            .iter_mut()
            .find(|(fields, _)| *fields == record.len())
        {
            Some((_, n)) => *n += 1,
            None => counts.push((record.len(), 1)),
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)))
        .map_or((0, 0.0), |(fields, n)| {
            (fields, n as f64 / records.len() as f64)
        })
}

/// What the sample says about the delimiter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Sniffed {
    /// The chosen delimiter (`,` when the file has a single column).
    pub delimiter: u8,
    /// Most common number of fields per record under it.
    pub fields: usize,
}

/// Detects the delimiter (see the module docs); `fields == 1` means a single column.
pub(crate) fn sniff_delimiter(text: &str) -> Sniffed {
    let mut best: Option<(f64, usize, u8)> = None;
    for delimiter in CANDIDATES {
        let records = sample_records(text, delimiter, SAMPLE_RECORDS);
        let (fields, consistency) = field_count(&records);
        if fields < 2 {
            continue;
        }
        let better = match best {
            None => true,
            Some((c, f, _)) => consistency > c || (consistency == c && fields > f),
        };
        if better {
            best = Some((consistency, fields, delimiter));
        }
    }
    match best {
        Some((_, fields, delimiter)) => Sniffed { delimiter, fields },
        None => Sniffed {
            delimiter: b',',
            fields: 1,
        },
    }
}

/// The most common field count of the data rows under a known delimiter (the header's own count when the
/// sample has no data rows), and their mean length in bytes (to expect a number of rows from a size).
pub(crate) fn body_shape(text: &str, delimiter: u8, has_header: bool) -> (usize, usize) {
    let records = sample_records(text, delimiter, SAMPLE_RECORDS);
    let body = match records.split_first() {
        Some((_, rest)) if has_header && !rest.is_empty() => rest,
        _ => &records[..],
    };
    let fields = field_count(body).0;
    let bytes: usize = body
        .iter()
        .map(|r| r.iter().map(String::len).sum::<usize>() + r.len())
        .sum();
    (fields, (bytes / body.len().max(1)).max(1))
}

fn numeric_or_date(text: &str) -> bool {
    parse_number(text, DecimalMark::Point).is_some()
        || parse_number(text, DecimalMark::Comma).is_some()
        || DateFormat::ALL
            .iter()
            .any(|&f| parse_date(text, f).is_some())
}

/// The most common number of fields per record under `delimiter`.
pub(crate) fn usual_fields(text: &str, delimiter: u8) -> usize {
    field_count(&sample_records(text, delimiter, SAMPLE_RECORDS)).0
}

/// Whether a value looks like one customer's data rather than a column name: an e-mail address or a web
/// address.
fn looks_like_data(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    (value.contains('@') && value.contains('.') && !value.contains(' '))
        || lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("www.")
}

/// Why the first sampled record is or is not a header (see the module docs).
pub(crate) fn detect_header(text: &str, delimiter: u8) -> HeaderReason {
    let records = sample_records(text, delimiter, HEADER_BODY_ROWS + 1);
    let Some((first, body)) = records.split_first() else {
        return HeaderReason::FirstRowHasValues;
    };
    let labels: Vec<&str> = first.iter().map(|f| f.trim()).collect();
    // Lines equal to the first one (a header repeated by concatenated exports) say nothing either way.
    let same_as_first = |row: &Vec<String>| {
        let mut trimmed: Vec<&str> = row
            .iter()
            .map(|f| f.trim_start_matches('\u{feff}').trim())
            .collect();
        let mut first_key = labels.clone();
        while trimmed.last() == Some(&"") {
            trimmed.pop();
        }
        while first_key.last() == Some(&"") {
            first_key.pop();
        }
        trimmed == first_key
    };
    let body: Vec<Vec<String>> = body.iter().filter(|r| !same_as_first(r)).cloned().collect();
    let mut non_empty: Vec<&str> = labels.iter().copied().filter(|l| !l.is_empty()).collect();
    if non_empty.is_empty() || non_empty.iter().any(|l| numeric_or_date(l)) {
        return HeaderReason::FirstRowHasValues;
    }
    // A column of e-mails (or web addresses) with one in the first row: the first row is a customer.
    let shaped_like_body = labels.iter().enumerate().any(|(column, label)| {
        looks_like_data(label) && {
            let mut values = body
                .iter()
                .filter_map(|row| row.get(column))
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .peekable();
            values.peek().is_some() && values.all(looks_like_data)
        }
    });
    if shaped_like_body {
        return HeaderReason::FirstRowHasValues;
    }
    non_empty.sort_unstable();
    let duplicates = non_empty.windows(2).any(|pair| pair[0] == pair[1]);
    // A column of numbers or dates under a text label is strong evidence of a header.
    let supported = (0..labels.len()).any(|column| {
        let mut values = body
            .iter()
            .filter_map(|row| row.get(column))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .peekable();
        values.peek().is_some() && values.all(numeric_or_date)
    });
    if duplicates && !supported {
        return HeaderReason::RepeatedLabels;
    }
    let contradicted = labels.iter().enumerate().any(|(column, label)| {
        !label.is_empty()
            && body
                .iter()
                .any(|row| row.get(column).is_some_and(|value| value.trim() == *label))
    });
    if contradicted {
        HeaderReason::FirstRowRepeatsBelow
    } else if supported {
        HeaderReason::LabelsOverValues
    } else {
        HeaderReason::TextNotRepeated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_each_delimiter_on_a_consistent_file() {
        for delimiter in CANDIDATES {
            let d = delimiter as char;
            let text =
                format!("name{d}age{d}city\nAnn{d}34{d}Paris\nBob{d}41{d}\"Rome{d} Italy\"\n");
            assert_eq!(
                sniff_delimiter(&text),
                Sniffed {
                    delimiter,
                    fields: 3
                },
                "{d:?}"
            );
        }
    }

    #[test]
    fn semicolons_win_over_decimal_commas() {
        let text = "a;b;c\n1,5;2,25;3\n4,5;5;6,75\n";
        assert_eq!(sniff_delimiter(text).delimiter, b';');
    }

    #[test]
    fn a_file_with_no_delimiter_is_one_column() {
        assert_eq!(sniff_delimiter("email\na@x.org\nb@y.org\n").fields, 1);
    }

    #[test]
    fn header_over_numbers_is_detected_and_numbers_are_not_a_header() {
        assert_eq!(
            detect_header("age,income\n34,50000\n41,62000\n", b','),
            HeaderReason::LabelsOverValues
        );
        assert_eq!(
            detect_header("34,50000\n41,62000\n", b','),
            HeaderReason::FirstRowHasValues
        );
    }

    #[test]
    fn a_first_row_repeated_below_is_data() {
        assert_eq!(
            detect_header("red,big\nblue,small\nred,small\n", b','),
            HeaderReason::FirstRowRepeatsBelow
        );
        // All text and repeated nowhere: taken as a header, but not confidently.
        let reason = detect_header("colour,size\nred,big\nblue,small\n", b',');
        assert_eq!(reason, HeaderReason::TextNotRepeated);
        assert!(reason.has_header() && !reason.confident());
    }

    #[test]
    fn a_header_repeated_below_does_not_contradict_itself() {
        let text = "name,age\nAnn,34\nname,age\nBob,41\n";
        assert_eq!(detect_header(text, b','), HeaderReason::LabelsOverValues);
    }

    #[test]
    fn a_first_row_of_emails_over_emails_is_data() {
        let text = "ann@x.org,Paris\nbob@y.org,Rome\ncy@z.org,Oslo\n";
        assert_eq!(detect_header(text, b','), HeaderReason::FirstRowHasValues);
        let text = "email,city\nann@x.org,Paris\nbob@y.org,Rome\n";
        assert_eq!(detect_header(text, b','), HeaderReason::TextNotRepeated);
    }

    #[test]
    fn duplicate_labels_are_a_header_only_over_numbers() {
        assert_eq!(
            detect_header("x,x\nred,blue\n", b','),
            HeaderReason::RepeatedLabels
        );
        assert!(detect_header("x,x\n1,2\n", b',').has_header());
    }
}
