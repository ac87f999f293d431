use super::*;
use crate::export::customer_match::detect_identifier_columns;
use crate::ingest::{read_table, IngestOptions};

/// Segment 1: rows 0–5, segment 2: rows 6–9; row 10 filtered out (NO_SEGMENT).
/// Bad on purpose: `ann@` (no domain), `@x.com` (no local part), `a b@x.com` (space), `a@x` (no dot),
/// `555-CALL` (letters), `12` (too short), `+999 1234567` (no such calling code), `(415) 555-0100` in a
/// row without a country (national number, country unknown).
const CONTACTS: &str = "\
email,phone,first_name,last_name,zip,country
ann@x.com,+1 415 555 0100,Ann,Lee,94016,US
ann@,555-CALL,Bo,Chan,10001,US
@x.com,12,Cy,,10001,US
a b@x.com,+999 1234567,Di,Ng,SW1A 1AA,GB
a@x,(415) 555-0100,,,,
eve@x.org,020 7946 0958,Eve,Roe,SW1A 1AA,GB
fay@x.com,,,,,
gus@x.com,+44 20 7946 0958,Gus,Orr,EC1A 1BB,GB
,,Hal,Ito,2134,US
,,Jo,,,
ivy@x.com,+1 415 555 0100,Ivy,Ko,94016,US
";

fn run(destinations: &[Destination]) -> Coverage {
    let t = read_table(CONTACTS.as_bytes(), &IngestOptions::default())
        .unwrap()
        .table;
    let columns: Vec<IdentifierColumn> = detect_identifier_columns(&t)
        .iter()
        .map(IdentifierColumn::from)
        .collect();
    let labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, NO_SEGMENT];
    coverage(&t, &labels, &columns, None, destinations).unwrap()
}

#[test]
fn bad_emails_and_phones_are_not_counted() {
    let report = run(&[]);
    let s1 = &report.segments[0];
    // Valid e-mails: ann@x.com, eve@x.org. Valid phones: +1 415…, GB national 020… (country GB).
    // Name + ZIP + country: Ann Lee, Bo Chan, Di Ng, Eve Roe (Cy has no last name).
    assert_eq!(
        (s1.members, s1.email, s1.phone, s1.name_zip_country, s1.any),
        (6, 2, 2, 4, 4)
    );
    assert!((s1.email_share - 2.0 / 6.0).abs() < 1e-12);
    let s2 = &report.segments[1];
    // fay, gus e-mails; gus phone; Gus Orr and Hal Ito (ZIP 2134 → 02134) addresses; Jo (a first name only).
    assert_eq!(
        (s2.members, s2.email, s2.phone, s2.name_zip_country, s2.any),
        (4, 2, 1, 2, 3)
    );
    // The filtered-out row (Ivy) is in no segment.
    assert_eq!(report.segments.len(), 2);
}

#[test]
fn list_sizes_follow_what_each_destination_takes() {
    let report = run(&Destination::ALL);
    let rows: Vec<usize> = report.segments[0].lists.iter().map(|l| l.rows).collect();
    // Google/Meta: any of the three (Ann, Bo, Di, Eve); TikTok: e-mail or phone (Ann, Eve; the 415
    // number of row 4 has no country, so it is invalid); the e-mail-only destinations: Ann, Eve.
    assert_eq!(rows, [4, 4, 2, 2, 2, 2]);
}

#[test]
fn lists_below_a_platforms_minimum_are_warned_with_the_numbers() {
    let report = run(&[Destination::LinkedIn, Destination::HashedEmail]);
    // LinkedIn needs 300; the hashed e-mail file has no minimum.
    assert_eq!(report.warnings.len(), 2);
    let w = &report.warnings[0];
    assert_eq!((w.segment, w.rows, w.minimum), (1, 2, 300));
    assert_eq!(
        w.message,
        "segment 1: the LinkedIn list has 2 customers, below the 300 matched members LinkedIn needs for \
         uploading and serving a contact list (and usually only part of a list matches); merge it with a \
         similar segment, lower the holdout or widen the filter"
    );
    let google = run(&[Destination::Google]);
    // YouTube and Gmail, Search and Display, lookalike seed: all three for both segments.
    assert_eq!(google.warnings.len(), 6);
}

#[test]
fn a_large_enough_list_gets_no_warning() {
    let mut csv = String::from("email\n");
    for i in 0..150 {
        csv += &format!("c{i}@example.com\n");
    }
    let t = read_table(csv.as_bytes(), &IngestOptions::default())
        .unwrap()
        .table;
    let columns = [IdentifierColumn {
        identifier: crate::export::customer_match::Identifier::Email,
        column: 0,
    }];
    let report = coverage(
        &t,
        &[0; 150],
        &columns,
        None,
        &[Destination::X, Destination::TikTok],
    )
    .unwrap();
    // X needs 100 (met); TikTok 1,000 (not met).
    let warned: Vec<Destination> = report.warnings.iter().map(|w| w.destination).collect();
    assert_eq!(warned, [Destination::TikTok]);
}

#[test]
fn thousands_are_grouped() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(12408), "12,408");
    assert_eq!(thousands(1_000_000), "1,000,000");
}

#[test]
fn sparse_labels_are_reported_by_their_own_numbers() {
    let t = read_table(
        &b"email\na@x.com\nb@x.com\nnope\n"[..],
        &IngestOptions::default(),
    )
    .unwrap()
    .table;
    let columns = [IdentifierColumn {
        identifier: crate::export::customer_match::Identifier::Email,
        column: 0,
    }];
    let report = coverage(&t, &[3_000_000_000, 7, 7], &columns, None, &[]).unwrap();
    let seen: Vec<(u32, usize, usize)> = report
        .segments
        .iter()
        .map(|s| (s.segment, s.members, s.email))
        .collect();
    assert_eq!(seen, [(8, 2, 1), (3_000_000_001, 1, 1)]);
}
