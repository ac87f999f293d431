//! Retrieval on small hand-made assets with known answers (the real assets are checked in
//! `engine/tests/retrieve_known.rs`).

use super::*;
use crate::ingest::{read_table, IngestOptions};

/// ZIPs of the hand-made index: (zip, ZCTA row, county row); rows 0-2 are ZCTAs (row 2 small), row 3 a
/// county.
const ZIPS: &[(u32, u16, u16)] = &[
    (501, u16::MAX, 3),         // 00501: no ZCTA, county row 3
    (2139, 0, 3),               // 02139: ZCTA row 0
    (10001, 1, 3),              // 10001: ZCTA row 1 (top-coded income)
    (59638, 2, 3),              // 59638: small ZCTA row 2
    (9001, u16::MAX, u16::MAX), // 09001: neither
];

fn index_bytes() -> Vec<u8> {
    let mut bytes = b"ABZIP1\0\0".to_vec();
    for n in [ZIPS.len() as u32, 4, 3] {
        bytes.extend(n.to_le_bytes());
    }
    let mut sorted = ZIPS.to_vec();
    sorted.sort();
    let mut previous = 0;
    for &(zip, _, _) in &sorted {
        bytes.extend(((zip - previous) as u16).to_le_bytes());
        previous = zip;
    }
    for &(_, zcta, _) in &sorted {
        bytes.extend(zcta.to_le_bytes());
    }
    for &(_, _, county) in &sorted {
        bytes.extend(county.to_le_bytes());
    }
    bytes.extend([0, 0, 1, 0]);
    bytes
}

fn measure_bytes(scaled: [i32; 4]) -> Vec<u8> {
    let mut bytes = b"ABMEAS1\0".to_vec();
    bytes.extend(4u32.to_le_bytes());
    for v in scaled {
        bytes.extend(v.to_le_bytes());
    }
    bytes
}

const MANIFEST: &str = r#"{
 "vintage": "ACS 2018–2022 5-year, ZIP Code Tabulation Areas",
 "source": "test", "attribution": "test", "small_area_population": 100, "index": "zips.bin",
 "measures": [
  {"id": "median_household_income", "label": "Median household income", "unit": "dollars", "decimals": 0,
   "vintage": "v", "derivation": "B19013", "codes": ["B19013_001E", "DP03_0062E"],
   "censoring": [{"code": 250001, "value": 250000, "label": "≥ $250,000", "side": "top"}],
   "levels": ["zcta", "county"], "file": "income.bin"},
  {"id": "pct_bachelors_or_higher", "label": "People 25 and over with a bachelor's degree or higher",
   "unit": "percent", "decimals": 1, "vintage": "v", "derivation": "B15003", "codes": ["DP02_0068PE"],
   "censoring": [], "levels": ["zcta", "county"], "file": "bachelors.bin"},
  {"id": "population", "label": "Total population", "unit": "people", "decimals": 0, "vintage": "v",
   "derivation": "B01003", "codes": ["B01003_001E"], "censoring": [], "levels": ["zcta"],
   "file": "population.bin"}
 ]
}"#;

fn data() -> CensusData {
    let manifest = Manifest::from_json(MANIFEST.as_bytes()).unwrap();
    let mut data = CensusData::new(manifest, &index_bytes()).unwrap();
    // Rows: 02139, 10001, 59638 (small), county.
    data.add_measure("income.bin", &measure_bytes([117124, 250001, 50000, 90000]))
        .unwrap();
    data.add_measure("bachelors.bin", &measure_bytes([764, 709, i32::MIN, 455]))
        .unwrap();
    data.add_measure(
        "population.bin",
        &measure_bytes([39856, 27004, 12, i32::MIN]),
    )
    .unwrap();
    data
}

fn table(csv: &str) -> Table {
    read_table(csv.as_bytes(), &IngestOptions::default())
        .unwrap()
        .table
}

fn codes(list: &[&str]) -> Vec<String> {
    list.iter().map(|c| c.to_string()).collect()
}

fn numbers(table: &Table, name: &str) -> Vec<Option<f64>> {
    let column = table.column(name).unwrap();
    (0..table.n_rows()).map(|row| column.number(row)).collect()
}

#[test]
fn zip_texts_normalise_to_five_digit_numbers() {
    for (text, expected) in [
        ("02139", ZipKey::Zip(2139)),
        ("2139", ZipKey::Zip(2139)),
        ("601", ZipKey::Zip(601)),
        ("02139-4307", ZipKey::Zip(2139)),
        ("02139 4307", ZipKey::Zip(2139)),
        ("021394307", ZipKey::Zip(2139)),
        ("2139.0", ZipKey::Zip(2139)),
        (" 10001 ", ZipKey::Zip(10001)),
        ("", ZipKey::Blank),
        ("N/A", ZipKey::Blank),
        ("SW1A 1AA", ZipKey::Invalid),
        ("K1A 0B1", ZipKey::Invalid),
        ("75008", ZipKey::Zip(75008)),
        ("12", ZipKey::Invalid),
        ("123456", ZipKey::Invalid),
        ("2139.5", ZipKey::Invalid),
        ("02139-43", ZipKey::Invalid),
        ("ABCDE", ZipKey::Invalid),
    ] {
        assert_eq!(normalize_zip(text), expected, "{text:?}");
    }
}

#[test]
fn the_index_tells_zcta_small_area_county_and_unknown_apart() {
    let index = ZipIndex::from_bytes("zips.bin", &index_bytes()).unwrap();
    assert_eq!(index.len(), 5);
    assert_eq!(index.lookup(2139), ZipMatch::Zcta { row: 0 });
    assert_eq!(index.lookup(59638), ZipMatch::SmallArea { county: Some(3) });
    assert_eq!(index.lookup(501), ZipMatch::County { row: 3 });
    assert_eq!(index.lookup(9001), ZipMatch::Unknown);
    assert_eq!(index.lookup(12345), ZipMatch::Unknown);
}

#[test]
fn coverage_counts_every_row_once_and_values_follow_the_level() {
    let csv = "id,zip\n1,02139\n2,2139\n3,10001-0001\n4,59638\n5,00501\n6,09001\n7,SW1A 1AA\n8,\n";
    let request = RetrieveRequest::new(codes(&["B19013_001E", "DP02_0068PE", "B01003_001E"]));
    let retrieved = retrieve(&table(csv), &data(), &request).unwrap();
    let c = &retrieved.coverage;
    assert_eq!(
        (
            c.rows,
            c.zcta,
            c.small_area,
            c.county,
            c.unmatched,
            c.invalid,
            c.blank
        ),
        (8, 3, 1, 1, 1, 1, 1)
    );
    let t = &retrieved.table;
    assert_eq!(t.n_rows(), 8);
    let (income, top, county) = (Some(117124.0), Some(250000.0), Some(90000.0));
    assert_eq!(
        numbers(t, "B19013_001E"),
        [income, income, top, county, county, None, None, None]
    );
    assert_eq!(
        numbers(t, "DP02_0068PE"),
        [
            Some(76.4),
            Some(76.4),
            Some(70.9),
            Some(45.5),
            Some(45.5),
            None,
            None,
            None
        ]
    );
    // A count has no county value, and the small ZCTA's own count is withheld.
    assert_eq!(
        numbers(t, "B01003_001E"),
        [
            Some(39856.0),
            Some(39856.0),
            Some(27004.0),
            None,
            None,
            None,
            None,
            None
        ]
    );
    let income = &c.variables[0];
    assert_eq!(
        (income.values, income.county_values, income.censored),
        (5, 2, 1)
    );
    assert_eq!(c.variables[2].values, 3);
}

#[test]
fn input_columns_are_kept_and_new_ones_are_numeric_named_by_code() {
    let input = table("id,zip,plan\n1,02139,basic\n2,10001,premium\n");
    let request = RetrieveRequest::new(codes(&["DP03_0062E"]));
    let retrieved = retrieve(&input, &data(), &request).unwrap();
    assert_eq!(&retrieved.table.columns()[..3], input.columns());
    let added = &retrieved.table.columns()[3];
    assert_eq!(
        (added.name.as_str(), added.column_type()),
        ("DP03_0062E", ColumnType::Numeric)
    );
    assert_eq!((added.text(0), added.text(1)), ("117124", "250000"));
    assert_eq!(retrieved.measures[0].id, "median_household_income");
}

#[test]
fn a_zip_column_read_as_numbers_with_lost_zeros_is_found_by_values() {
    // No ZIP-like name; the values are numbers (2139, 501) a spreadsheet stripped of their zeros.
    let input = table("customer,location\nA,2139\nB,501\nC,10001\nD,59638\nE,12345\n");
    let retrieved = retrieve(
        &input,
        &data(),
        &RetrieveRequest::new(codes(&["B19013_001E"])),
    )
    .unwrap();
    assert_eq!(retrieved.zip_column, "location");
    assert_eq!(retrieved.zip_column_choice, ZipColumnChoice::ByValues);
    assert_eq!(retrieved.coverage.unmatched, 1);
    assert_eq!(numbers(&retrieved.table, "B19013_001E")[0], Some(117124.0));
}

#[test]
fn a_zip_like_name_wins_over_values_and_an_explicit_column_wins_over_both() {
    let input = table("home,Postal Code,work\n02139,10001,02139\n10001,99999,02139\n");
    let index = ZipIndex::from_bytes("zips.bin", &index_bytes()).unwrap();
    assert_eq!(
        detect_zip_column(&input, None, &index).unwrap(),
        (1, ZipColumnChoice::ByName)
    );
    assert_eq!(
        detect_zip_column(&input, Some("WORK"), &index).unwrap(),
        (2, ZipColumnChoice::Named)
    );
}

#[test]
fn no_zip_like_column_names_what_was_looked_for() {
    let input = table("id,age\n1,34\n2,51\n");
    let error = retrieve(
        &input,
        &data(),
        &RetrieveRequest::new(codes(&["B19013_001E"])),
    )
    .unwrap_err();
    assert!(matches!(
        error,
        RetrieveError::NoZipColumn { columns: 2, .. }
    ));
    let message = error.to_string();
    assert!(
        message.contains("zip, zip_code, zipcode, postal_code, postcode"),
        "{message}"
    );
    assert!(message.contains("name the column"), "{message}");
}

#[test]
fn an_unknown_zip_column_lists_the_columns() {
    let input = table("id,zip\n1,02139\n");
    let request = RetrieveRequest {
        codes: codes(&["B19013_001E"]),
        zip_column: Some("postcode".into()),
    };
    let error = retrieve(&input, &data(), &request).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the file has no column \"postcode\"; its columns are: id, zip"
    );
}

#[test]
fn many_invalid_zips_are_counted_and_no_row_is_dropped() {
    let mut csv = String::from("zip,n\n");
    for i in 0..90 {
        csv += &format!("not-a-zip-{i},{i}\n");
    }
    for i in 0..10 {
        csv += &format!("02139,{i}\n");
    }
    let request = RetrieveRequest::new(codes(&["B19013_001E"]));
    let retrieved = retrieve(&table(&csv), &data(), &request).unwrap();
    assert_eq!(
        (retrieved.coverage.invalid, retrieved.coverage.zcta),
        (90, 10)
    );
    assert_eq!(retrieved.table.n_rows(), 100);
    assert_eq!(
        retrieved
            .table
            .column("B19013_001E")
            .unwrap()
            .missing_count(),
        90
    );
}

#[test]
fn an_unknown_code_lists_the_closest_retrievable_variables() {
    let manifest = Manifest::from_json(MANIFEST.as_bytes()).unwrap();
    let error = manifest.resolve(&codes(&["B19013_001"])).unwrap_err();
    let RetrieveError::NotRetrievable { code, closest } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(code, "B19013_001");
    assert_eq!(closest[0], "B19013_001E (Median household income)");
    assert_eq!(closest.len(), 3, "one per measure: {closest:?}");
    let by_words = manifest.closest("household income");
    assert!(
        by_words[0].contains("Median household income"),
        "{by_words:?}"
    );
    assert!(error
        .to_string()
        .starts_with("B19013_001 cannot be retrieved by ZIP code; the closest"));
}

#[test]
fn codes_and_ids_resolve_in_any_case_and_name_the_files_to_fetch() {
    let manifest = Manifest::from_json(MANIFEST.as_bytes()).unwrap();
    assert!(manifest.is_retrievable("b19013_001e"));
    assert!(manifest.is_retrievable("population"));
    assert!(!manifest.is_retrievable("B19001_001E"));
    assert_eq!(
        manifest
            .files_for(&codes(&["DP03_0062E", "B19013_001E", "B01003_001E"]))
            .unwrap(),
        ["zips.bin", "income.bin", "population.bin"]
    );
    assert_eq!(manifest.resolve(&[]).unwrap_err(), RetrieveError::NoCodes);
}

#[test]
fn a_measure_not_loaded_and_a_clashing_column_are_refused() {
    let manifest = Manifest::from_json(MANIFEST.as_bytes()).unwrap();
    let bare = CensusData::new(manifest, &index_bytes()).unwrap();
    let input = table("zip\n02139\n");
    let error = retrieve(
        &input,
        &bare,
        &RetrieveRequest::new(codes(&["B01003_001E"])),
    )
    .unwrap_err();
    assert_eq!(
        error,
        RetrieveError::MeasureNotLoaded {
            code: "B01003_001E".into(),
            file: "population.bin".into()
        }
    );
    let input = table("zip,B01003_001E\n02139,5\n");
    let error = retrieve(
        &input,
        &data(),
        &RetrieveRequest::new(codes(&["B01003_001E"])),
    )
    .unwrap_err();
    assert!(matches!(error, RetrieveError::ColumnExists { .. }));
}

#[test]
fn damaged_assets_are_errors_not_panics() {
    let index = index_bytes();
    for cut in [0, 7, 12, 20, index.len() - 1] {
        let error = ZipIndex::from_bytes("zips.bin", &index[..cut]).unwrap_err();
        assert!(
            matches!(error, RetrieveError::Asset { .. }),
            "{cut}: {error:?}"
        );
    }
    let mut extra = index.clone();
    extra.push(0);
    assert!(ZipIndex::from_bytes("zips.bin", &extra).is_err());
    let mut bad_row = index.clone();
    let at = 8 + 12 + 2 * ZIPS.len(); // first ZCTA row
    bad_row[at..at + 2].copy_from_slice(&9u16.to_le_bytes());
    assert!(ZipIndex::from_bytes("zips.bin", &bad_row).is_err());

    let manifest = Manifest::from_json(MANIFEST.as_bytes()).unwrap();
    let mut data = CensusData::new(manifest, &index).unwrap();
    let mut short = b"ABMEAS1\0".to_vec();
    short.extend(3u32.to_le_bytes());
    short.extend([0u8; 12]);
    let error = data.add_measure("income.bin", &short).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("3 values for the index's 4 areas"),
        "{error}"
    );
    assert!(data
        .add_measure("nope.bin", &measure_bytes([0; 4]))
        .is_err());
    assert!(Manifest::from_json(b"{}").is_err());
}

#[test]
fn values_for_plain_zip_texts_match_the_table_retrieval() {
    let texts = ["02139", "00501", "nope", "02139", "10001"];
    let values = retrieve_values(texts, &data(), &codes(&["B19013_001E"])).unwrap();
    let (code, measure, column) = &values.columns[0];
    assert_eq!(
        (code.as_str(), measure.id.as_str()),
        ("B19013_001E", "median_household_income")
    );
    assert_eq!(
        column,
        &[
            Some(117124.0),
            Some(90000.0),
            None,
            Some(117124.0),
            Some(250000.0)
        ]
    );
    let c = &values.coverage;
    assert_eq!((c.rows, c.zcta, c.county, c.invalid), (5, 3, 1, 1));
    assert_eq!(c.variables[0].censored, 1);
}

#[test]
fn ranges_are_worded_as_area_traits_in_the_measure_unit() {
    let manifest = Manifest::from_json(MANIFEST.as_bytes()).unwrap();
    let income = manifest.measure_for("B19013_001E").unwrap();
    // No phrase in this manifest: the label stands in.
    assert_eq!(
        income.area_phrase(120_000.0, 95_400.0),
        "lives in ZIP codes where the median household income is $95k\u{2013}$120k"
    );
    assert_eq!(
        income.area_phrase(2_500.0, 7_260.0),
        "lives in ZIP codes where the median household income is $2.5k\u{2013}$7.3k"
    );
    assert_eq!(
        income.area_phrase(250_000.0, 250_000.0),
        "lives in ZIP codes where the median household income is $250k"
    );
    let mut bachelors = manifest.measure_for("DP02_0068PE").unwrap().clone();
    bachelors.phrase = "{} of adults hold a bachelor's degree".into();
    assert_eq!(
        bachelors.area_phrase(12.26, 18.0),
        "lives in ZIP codes where 12\u{2013}18% of adults hold a bachelor's degree"
    );
    let population = manifest.measure_for("B01003_001E").unwrap();
    assert_eq!(
        population.area_phrase(12_400.0, 1_250_000.0),
        "lives in ZIP codes where the total population is 12,400\u{2013}1,250,000"
    );
}

#[test]
fn a_code_given_twice_is_retrieved_once() {
    let input = table("zip\n02139\n");
    let request = RetrieveRequest::new(codes(&["B19013_001E", " b19013_001e", "DP03_0062E"]));
    let retrieved = retrieve(&input, &data(), &request).unwrap();
    let names: Vec<&str> = retrieved
        .table
        .columns()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["zip", "B19013_001E", "DP03_0062E"]);
    assert_eq!(retrieved.coverage.variables.len(), 2);
}

#[test]
fn a_column_is_found_by_values_at_the_share_of_known_zips_whatever_the_order_of_its_values() {
    // 10 rows of which 8 or 7 are known ZIPs (`VALUE_MATCH_SHARE` is 0.8), the other values first: the
    // count that gives up on hopeless columns must not give up on the first, and must on the second.
    let index = ZipIndex::from_bytes("zips.bin", &index_bytes()).unwrap();
    for (others, found) in [(2, true), (3, false)] {
        let mut csv = String::from("customer,location\n");
        for row in 0..10 {
            let value = if row < others {
                format!("x{row}")
            } else {
                "10001".to_owned()
            };
            csv.push_str(&format!("c{row},{value}\n"));
        }
        let detected = detect_zip_column(&table(&csv), None, &index);
        assert_eq!(
            detected.ok(),
            found.then_some((1, ZipColumnChoice::ByValues)),
            "{others} of 10 not ZIPs"
        );
    }
}
