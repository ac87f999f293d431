//! `audience enrich` and `--retrieve`: the real binary on small customer files made here, with census
//! values known from the source parquet (see engine/tests/fixtures/census-known.json).

mod common;

use common::{audience, folder, listing};

use std::path::PathBuf;

const CUSTOMERS: &str = "id;name;zip;note\n\
1;Ann;02139;\"likes \"\"quotes\"\"; and semicolons\"\n\
2;Bob;2139;\n\
3;Cy;94507-1234;top-coded\n\
4;Di;SW1A 1AA;UK\n\
5;Ed;;blank\n\
6;Fa;02238;PO Box\n\
7;Gi;09001;military\n";

#[test]
fn enrich_keeps_every_row_unchanged_and_appends_one_column_per_code() {
    let dir = folder("rows");
    let input = dir.join("customers.csv");
    std::fs::write(&input, CUSTOMERS).unwrap();
    let out = dir.join("enriched.csv");
    let run = audience(&[
        "enrich",
        input.to_str().unwrap(),
        "--variables",
        "B19013_001E,DP02_0068PE",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(run.ok, "{}", run.stderr);
    let written = std::fs::read_to_string(&out).unwrap();
    let expected_values = [
        "117124;76.4",
        "117124;76.4",
        "250000;76.3",
        ";",
        ";",
        "128164;58.4",
        ";",
    ];
    let mut lines = written.lines();
    assert_eq!(
        lines.next(),
        Some("id;name;zip;note;B19013_001E;DP02_0068PE")
    );
    for ((line, input_line), values) in lines.zip(CUSTOMERS.lines().skip(1)).zip(expected_values) {
        assert_eq!(line, format!("{input_line};{values}"));
    }
    assert_eq!(written.lines().count(), CUSTOMERS.lines().count());
    // Coverage on stderr, in numbers.
    assert!(
        run.stderr.contains(
            "4 of 7 rows matched a ZIP code, 3 by their own ZIP code area, 1 by their county"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("3 rows kept with empty census values: 1 ZIP codes not found (military, retired or mistyped), 1 not US ZIP codes, 1 blank"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("1 top- or bottom-coded"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("GeoNames (CC BY 4.0)"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_failed_enrich_touches_no_output() {
    let dir = folder("failed");
    let input = dir.join("customers.csv");
    std::fs::write(&input, "id,age\n1,34\n2,51\n").unwrap();
    let out = dir.join("enriched.csv");
    std::fs::write(&out, "precious").unwrap();
    let run = audience(&[
        "enrich",
        input.to_str().unwrap(),
        "--variables",
        "B19013_001E",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("looked for a column named zip, zip_code, zipcode, postal_code, postcode"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("rerun with --zip-column COLUMN"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious");
    assert_eq!(listing(&dir), ["customers.csv", "enriched.csv"]);
}

#[test]
fn an_unknown_code_lists_the_closest_retrievable_variables() {
    let dir = folder("unknown");
    let input = dir.join("customers.csv");
    std::fs::write(&input, "id,zip\n1,02139\n").unwrap();
    let out = dir.join("enriched.csv");
    let run = audience(&[
        "enrich",
        input.to_str().unwrap(),
        "--variables",
        "B19013_001E,B25077_002E",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!run.ok);
    assert!(
        run.stderr.contains("B25077_002E cannot be retrieved by ZIP code; the closest retrievable variables are: B25077_001E (Median home value (owner-occupied))"),
        "{}",
        run.stderr
    );
    assert_eq!(listing(&dir), ["customers.csv"]);
}

#[test]
fn a_named_zip_column_is_used_and_a_mistyped_one_lists_the_columns() {
    let dir = folder("named");
    let input = dir.join("customers.csv");
    std::fs::write(&input, "id,home,work\n1,10001,02139\n").unwrap();
    let out = dir.join("enriched.csv");
    let path = |p: &PathBuf| p.to_str().unwrap().to_owned();
    let (input_path, out_path) = (path(&input), path(&out));
    let base = [
        "enrich",
        &input_path,
        "--variables",
        "B01003_001E",
        "--out",
        &out_path,
    ];
    let run = audience(&[&base[..], &["--zip-column", "work"]].concat());
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "id,home,work,B01003_001E\n1,10001,02139,39856\n"
    );
    let run = audience(&[&base[..], &["--zip-column", "office"]].concat());
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("the file has no column \"office\"; its columns are: id, home, work"),
        "{}",
        run.stderr
    );
}

#[test]
fn many_invalid_zips_are_counted_and_every_row_is_written() {
    let dir = folder("invalid");
    let input = dir.join("customers.csv");
    let mut csv = String::from("id,zip\n");
    for i in 0..30 {
        csv += &format!("{i},{}\n", if i < 27 { "n/a-ish" } else { "10001" });
    }
    std::fs::write(&input, &csv).unwrap();
    let out = dir.join("enriched.csv");
    let run = audience(&[
        "enrich",
        input.to_str().unwrap(),
        "--zip-column",
        "zip",
        "--variables",
        "B01003_001E",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stderr.contains("27 not US ZIP codes"), "{}", run.stderr);
    assert!(
        run.stderr.contains("most cells are not ZIP codes"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 31);
}

#[test]
fn segment_and_profile_retrieve_census_columns_before_clustering() {
    let dir = folder("segment");
    let input = dir.join("customers.csv");
    // Two areas: high-income Alamo (94507, top-coded) and Puerto Rico (00601, low income).
    let mut csv = String::from("id,zip\n");
    for i in 0..20 {
        csv += &format!("{i},{}\n", if i % 2 == 0 { "94507" } else { "00601" });
    }
    std::fs::write(&input, &csv).unwrap();
    let out = dir.join("clustered.csv");
    let run = audience(&[
        "segment",
        input.to_str().unwrap(),
        "--retrieve",
        "B19013_001E",
        "--k",
        "2",
        "--min",
        "0.4",
        "--max",
        "0.6",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(run.ok, "{}", run.stderr);
    let written = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<&str> = written.lines().collect();
    assert_eq!(rows[0], "id,zip,B19013_001E,segment");
    assert!(rows[1].starts_with("0,94507,250000,"), "{}", rows[1]);
    assert!(rows[2].starts_with("1,00601,17526,"), "{}", rows[2]);
    let segment_of = |row: &str| row.rsplit(',').next().unwrap().to_owned();
    assert_ne!(segment_of(rows[1]), segment_of(rows[2]));
    assert!(rows[1..]
        .iter()
        .step_by(2)
        .all(|r| segment_of(r) == segment_of(rows[1])));

    let run = audience(&[
        "profile",
        input.to_str().unwrap(),
        "--retrieve",
        "B19013_001E",
        "--json",
    ]);
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout.contains("B19013_001E"), "{}", run.stdout);
}

#[test]
fn search_marks_the_variables_enrich_can_add() {
    let run = audience(&["search", "gini index of income inequality", "--top", "10"]);
    assert!(run.ok, "{}", run.stderr);
    let marked: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains("[census by ZIP: audience enrich]"))
        .collect();
    assert!(
        marked.iter().any(|l| l.contains("B19083_001E")),
        "{}",
        run.stdout
    );
    // Only retrievable codes are marked (B19083_001E is the only Gini code with census values).
    assert!(
        marked.iter().all(|l| l.contains("B19083_001E")),
        "{}",
        run.stdout
    );
    let run = audience(&[
        "search",
        "gini index of income inequality",
        "--top",
        "10",
        "--json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        doc["retrievable_by_zip"],
        serde_json::json!(["B19083_001E"])
    );
}

#[test]
fn personas_word_retrieved_census_columns_as_where_the_customers_live() {
    let dir = folder("area-level");
    let input = dir.join("customers.csv");
    let mut csv = String::from("id,zip\n");
    for i in 0..20 {
        csv += &format!("{i},{}\n", if i % 2 == 0 { "94507" } else { "00601" });
    }
    std::fs::write(&input, &csv).unwrap();
    let personas = dir.join("personas.json");
    let segment = audience(&[
        "segment",
        input.to_str().unwrap(),
        "--retrieve",
        "B19013_001E",
        "--k",
        "2",
        "--min",
        "0.4",
        "--max",
        "0.6",
        "--out",
        dir.join("clustered.csv").to_str().unwrap(),
        "--personas",
        personas.to_str().unwrap(),
    ]);
    assert!(segment.ok, "{}", segment.stderr);
    let profile = audience(&[
        "profile",
        input.to_str().unwrap(),
        "--retrieve",
        "B19013_001E",
        "--k",
        "2",
        "--min",
        "0.4",
        "--max",
        "0.6",
        "--json",
    ]);
    assert!(profile.ok, "{}", profile.stderr);
    for json in [std::fs::read_to_string(&personas).unwrap(), profile.stdout] {
        let report: serde_json::Value = serde_json::from_str(&json).unwrap();
        let income: Vec<&serde_json::Value> = report["personas"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["traits"].as_array().unwrap())
            .filter(|t| t["column"] == "B19013_001E")
            .collect();
        assert!(!income.is_empty(), "income defines the segments: {json}");
        for item in income {
            let phrase = item["phrase"].as_str().unwrap();
            assert!(
                phrase.starts_with("lives in ZIP codes where the median household income is $"),
                "{phrase}"
            );
            assert_eq!(item["area_level"]["area"], "ZIP Code Tabulation Area");
            assert!(item["area_level"]["source"]
                .as_str()
                .unwrap()
                .contains("American Community Survey"));
        }
        for persona in report["personas"].as_array().unwrap() {
            assert!(
                !persona["name"].as_str().unwrap().contains("B19013"),
                "{}",
                persona["name"]
            );
        }
    }
}
