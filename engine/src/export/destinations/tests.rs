use super::*;
use crate::export::customer_match::detect_identifier_columns;
use crate::ingest::{read_table, IngestOptions};

const PEOPLE: &str = include_str!("../../../tests/fixtures/destinations/people.csv");
/// Rows 0–3 and 5 are segment 1 (index 0), row 4 segment 2.
const LABELS: [u32; 6] = [0, 0, 0, 0, 1, 0];

fn table() -> Table {
    read_table(PEOPLE.as_bytes(), &IngestOptions::default())
        .unwrap()
        .table
}

fn file(destination: Destination, labels: &[u32]) -> AudienceFile {
    let t = table();
    let columns: Vec<IdentifierColumn> = detect_identifier_columns(&t)
        .iter()
        .map(IdentifierColumn::from)
        .collect();
    audience_files(
        &t,
        labels,
        &[0],
        &columns,
        destination,
        &CustomerMatchOptions::default(),
    )
    .unwrap()
    .remove(0)
}

#[test]
fn tiktok_files_match_the_fixture_byte_for_byte() {
    let f = file(Destination::TikTok, &LABELS);
    assert_eq!(
        f.csv,
        include_str!("../../../tests/fixtures/destinations/tiktok-segment-1.csv")
    );
    assert_eq!(f.file_name, "customer-match-tiktok-segment-1.csv");
    // TikTok's own example: janedoe@gmail.com hashes to d6117306…
    assert!(f
        .csv
        .contains("d6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69"));
    let r = &f.report;
    assert_eq!(
        (
            r.rows_in_segment,
            r.rows_written,
            r.skipped_empty,
            r.skipped_unusable
        ),
        (5, 3, 1, 1)
    );
    assert_eq!(r.skipped_examples, [2, 3]);
}

#[test]
fn x_files_are_one_hash_per_line_without_a_header() {
    let f = file(Destination::X, &LABELS);
    assert_eq!(
        f.csv,
        include_str!("../../../tests/fixtures/destinations/x-segment-1.csv")
    );
    let r = &f.report;
    assert_eq!(
        (r.rows_written, r.skipped_empty, r.skipped_unusable),
        (2, 2, 1)
    );
}

#[test]
fn linkedin_files_keep_the_template_headers_and_fill_only_the_email() {
    let f = file(Destination::LinkedIn, &LABELS);
    assert_eq!(
        f.csv,
        include_str!("../../../tests/fixtures/destinations/linkedin-segment-1.csv")
    );
}

#[test]
fn hashed_email_files_have_one_column() {
    let f = file(Destination::HashedEmail, &LABELS);
    assert_eq!(
        f.csv,
        include_str!("../../../tests/fixtures/destinations/hashed-email-segment-1.csv")
    );
    assert_eq!(f.report.rows_written + f.report.rows_skipped, 5);
}

#[test]
fn rows_in_no_segment_are_never_written() {
    // Jane (row 0) held out: the X file keeps only janedoe@gmail.com.
    let mut labels = LABELS;
    labels[0] = NO_SEGMENT;
    let f = file(Destination::X, &labels);
    assert_eq!(
        f.csv,
        "d6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69\n"
    );
    assert_eq!(f.report.rows_in_segment, 4);
    let google = file(Destination::Google, &labels);
    assert_eq!(google.report.rows_in_segment, 4);
    assert!(google
        .file_name
        .starts_with("customer-match-google-segment-1"));
}

#[test]
fn destinations_read_their_slugs_and_common_names() {
    for d in Destination::ALL {
        assert_eq!(Destination::parse(d.slug()), Some(d));
    }
    assert_eq!(Destination::parse("Twitter"), Some(Destination::X));
    assert_eq!(Destination::parse("facebook"), Some(Destination::Meta));
    assert_eq!(Destination::parse("myspace"), None);
}

#[test]
fn a_destination_without_its_column_or_rows_is_a_typed_error() {
    let t = read_table(&b"phone\n+14155550100\n"[..], &IngestOptions::default())
        .unwrap()
        .table;
    let columns = [IdentifierColumn {
        identifier: Identifier::Phone,
        column: 0,
    }];
    let options = CustomerMatchOptions::default();
    let err = audience_files(&t, &[0], &[0], &columns, Destination::X, &options).unwrap_err();
    assert!(matches!(err, ExportError::NoIdentifierColumns), "{err}");
    // TikTok takes phones.
    let tiktok = audience_files(&t, &[0], &[0], &columns, Destination::TikTok, &options).unwrap();
    assert_eq!(
        tiktok[0].csv,
        format!("Phone_SHA256\n{}\n", sha256_hex("14155550100"))
    );
    let err = audience_files(
        &t,
        &[NO_SEGMENT],
        &[0],
        &columns,
        Destination::TikTok,
        &options,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "segment 1 has no customers to upload (all of them are held out or filtered out); choose another segment or a smaller holdout"
    );
}
