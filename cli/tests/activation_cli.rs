//! Activation end to end: `audience count`, `segment --where/--holdout/--match-out`, `audience compare`.

mod common;

use common::{audience, folder, succeeded};

use std::path::Path;

/// 200 customers: city cycles Paris, Rome, Oslo, Lima; every 10th has no e-mail.
fn csv() -> String {
    let mut text = String::from("id,age,city,member,email\n");
    for i in 0..200 {
        let city = ["Paris", "Rome", "Oslo", "Lima"][i % 4];
        let age = 20 + (i * 7) % 50;
        let member = if i % 3 == 0 { "yes" } else { "no" };
        let email = if i % 10 == 9 {
            String::new()
        } else {
            format!("c{i}@example.com")
        };
        text.push_str(&format!("c{i:04},{age},{city},{member},{email}\n"));
    }
    text
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn sha256(text: &str) -> String {
    // The same digest the engine writes, checked against an independent value in the engine's tests.
    audience_engine::export::customer_match::sha256_hex(text)
}

#[test]
fn count_prints_each_rule_and_the_total_without_running_anything() {
    let d = folder("count");
    let input = d.join("people.csv");
    std::fs::write(&input, csv()).unwrap();
    let text = succeeded(audience(&[
        "count",
        input.to_str().unwrap(),
        "--where",
        "city in Paris, Rome",
        "--where",
        "age >= 40 or has no email",
    ]));
    // city in Paris, Rome: 100; age >= 40: 7i mod 50 takes every value 0..49 once per 50 rows, ≥ 20 for
    // 30 of them → 120; has no email: 20. Together: computed below with the same rules in Rust.
    let mut expected = 0;
    for i in 0..200usize {
        let city_ok = i % 4 < 2;
        let age = 20 + (i * 7) % 50;
        if city_ok && (age >= 40 || i % 10 == 9) {
            expected += 1;
        }
    }
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0].trim(), "100  city in Paris, Rome");
    assert_eq!(lines[1].trim(), "120  age >= 40");
    assert_eq!(lines[2].trim(), "20  has no email");
    assert!(
        lines[3].trim().starts_with(&format!("{expected}  kept by")),
        "{text}"
    );
    let json = succeeded(audience(&[
        "count",
        input.to_str().unwrap(),
        "--where",
        "city in Paris, Rome",
        "--json",
    ]));
    let counts: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        (counts["kept"].as_u64(), counts["left_out"].as_u64()),
        (Some(100), Some(100))
    );
}

#[test]
fn an_unreadable_rule_names_the_word_and_what_was_expected() {
    let d = folder("badrule");
    let input = d.join("people.csv");
    std::fs::write(&input, csv()).unwrap();
    let run = audience(&["count", input.to_str().unwrap(), "--where", "age >= forty"]);
    assert!(!run.ok);
    let stderr = run.stderr;
    assert!(
        stderr.contains("at word 3 (forty): expected a number after >="),
        "{stderr}"
    );
}

fn segment(d: &Path, extra: &[&str]) -> (serde_json::Value, Vec<Vec<String>>) {
    let input = d.join("people.csv");
    std::fs::write(&input, csv()).unwrap();
    let out = d.join("clustered.csv");
    let mut args = vec![
        "segment",
        input.to_str().unwrap(),
        "--columns",
        "age,city,member",
        "--k",
        "2",
        "--min",
        "0.4",
        "--max",
        "0.6",
        "--seed",
        "3",
        "--restarts",
        "1",
        "--json",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let summary: serde_json::Value = serde_json::from_str(&succeeded(audience(&args))).unwrap();
    (summary, read_csv(&out))
}

#[test]
fn bounds_apply_to_the_filtered_rows_and_filtered_out_rows_are_marked() {
    let d = folder("mark");
    let (summary, rows) = segment(&d, &["--where", "city in Paris, Rome"]);
    assert_eq!(summary["rows"], 100);
    assert_eq!(summary["filter"]["kept"], 100);
    let sizes: Vec<u64> = summary["sizes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_u64().unwrap())
        .collect();
    assert!(sizes.iter().all(|&s| (40..=60).contains(&s)), "{sizes:?}");
    // Every input row is written; filtered-out rows have no segment and in_filter = no.
    assert_eq!(rows.len(), 201);
    assert_eq!(rows[0][5..], ["segment", "in_filter"]);
    for (i, row) in rows[1..].iter().enumerate() {
        let kept = i % 4 < 2;
        assert_eq!(row[6], if kept { "yes" } else { "no" });
        assert_eq!(row[5].is_empty(), !kept, "row {i}");
    }
}

#[test]
fn drop_leaves_filtered_out_rows_out_of_the_clustered_csv() {
    let d = folder("drop");
    let (_, rows) = segment(&d, &["--where", "city = Oslo", "--filtered-out", "drop"]);
    assert_eq!(rows.len(), 51);
    assert_eq!(rows[0].last().unwrap(), "segment");
    assert!(rows[1..].iter().all(|r| r[2] == "Oslo"));
}

#[test]
fn the_holdout_is_exact_per_segment_reproducible_and_written_to_its_own_file() {
    let d = folder("holdout");
    let holdout_file = d.join("control.csv");
    let extra = [
        "--holdout",
        "0.1",
        "--holdout-out",
        holdout_file.to_str().unwrap(),
    ];
    let (summary, rows) = segment(&d, &extra);
    let header = &rows[0];
    assert_eq!(header[5..], ["segment", "holdout"]);
    for s in summary["holdout"]["per_segment"].as_array().unwrap() {
        let number = s["segment"].as_u64().unwrap().to_string();
        let members = rows[1..].iter().filter(|r| r[5] == number).count();
        let held = rows[1..]
            .iter()
            .filter(|r| r[5] == number && r[6] == "yes")
            .count();
        assert_eq!(s["members"].as_u64().unwrap() as usize, members);
        // Nearest whole customer, halves up.
        assert_eq!(held, (members * 100 + 500) / 1000);
        assert_eq!(s["held_out"].as_u64().unwrap() as usize, held);
    }
    let control = read_csv(&holdout_file);
    let held_ids: Vec<&String> = rows[1..]
        .iter()
        .filter(|r| r[6] == "yes")
        .map(|r| &r[0])
        .collect();
    let control_ids: Vec<&String> = control[1..].iter().map(|r| &r[0]).collect();
    assert_eq!(control_ids, held_ids);
    // Same seed, same file: the same customers held out.
    let again = folder("holdout-again");
    let (_, rows_again) = segment(&again, &["--holdout", "0.1"]);
    assert_eq!(rows_again, rows);
}

#[test]
fn upload_files_leave_held_out_customers_out_and_count_skipped_rows() {
    let d = folder("upload");
    let folder = d.join("uploads");
    std::fs::create_dir_all(&folder).unwrap();
    let personas = d.join("personas.json");
    let (summary, rows) = segment(
        &d,
        &[
            "--holdout",
            "0.2",
            "--match-out",
            folder.to_str().unwrap(),
            "--destinations",
            "x,hashed-email,twitter",
            "--personas",
            personas.to_str().unwrap(),
        ],
    );
    // The personas JSON carries the holdout and the coverage (`activation`).
    let document = audience_engine::export::personas_json::read_personas_json(
        &std::fs::read_to_string(&personas).unwrap(),
    )
    .unwrap();
    let names = document.report.names_by_index();
    let activation = document.activation.unwrap();
    assert_eq!(
        serde_json::to_value(activation.holdout.unwrap().per_segment).unwrap(),
        summary["holdout"]["per_segment"]
    );
    assert_eq!(activation.coverage.unwrap().segments.len(), 2);
    let files = summary["upload_files"].as_array().unwrap();
    assert_eq!(files.len(), 4); // 2 destinations (twitter is X again) × 2 segments
    for segment in ["1", "2"] {
        let members: Vec<&Vec<String>> = rows[1..].iter().filter(|r| r[5] == segment).collect();
        let targeted: Vec<&&Vec<String>> = members.iter().filter(|r| r[6] == "no").collect();
        let with_email = targeted.iter().filter(|r| !r[4].is_empty()).count();
        // File names carry the persona's name, as the app's customer-match files do.
        let number: u32 = segment.parse().unwrap();
        let name = &names[number as usize - 1];
        let file_name = |slug: &str| {
            audience_engine::export::customer_match::file_name(
                audience_engine::export::customer_match::Platform::Google,
                number,
                Some(name),
            )
            .replace("customer-match-google-", &format!("customer-match-{slug}-"))
        };
        assert!(file_name("x").len() > "customer-match-x-segment-1.csv".len());
        let x = std::fs::read_to_string(folder.join(file_name("x"))).unwrap();
        assert_eq!(x.lines().count(), with_email);
        for member in &members {
            if member[4].is_empty() {
                continue;
            }
            let hash = sha256(&member[4]);
            assert_eq!(x.contains(&hash), member[6] == "no", "{}", member[0]);
        }
        let hashed = std::fs::read_to_string(folder.join(file_name("hashed-email"))).unwrap();
        assert!(hashed.starts_with("email_sha256\n"));
        let entry = files
            .iter()
            .find(|f| {
                f["destination"] == "x" && f["segment"].as_u64().unwrap().to_string() == segment
            })
            .unwrap();
        assert_eq!(entry["rows_written"].as_u64().unwrap() as usize, with_email);
        assert_eq!(
            entry["rows_skipped"].as_u64().unwrap() as usize,
            targeted.len() - with_email
        );
    }
    // Coverage is in the summary, with X's 100-member minimum warned for these small lists.
    let warnings = summary["coverage"]["warnings"].as_array().unwrap();
    assert!(warnings
        .iter()
        .any(|w| w["destination"] == "x" && w["minimum"] == 100));
}

#[test]
fn an_impossible_holdout_is_refused_before_anything_is_written() {
    let d = folder("badholdout");
    let input = d.join("people.csv");
    std::fs::write(&input, csv()).unwrap();
    let out = d.join("clustered.csv");
    let run = audience(&[
        "segment",
        input.to_str().unwrap(),
        "--holdout",
        "0.6",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!run.ok);
    assert!(run.stderr.contains("from 0 to 0.5"));
    assert!(!out.exists());
}

#[test]
fn compare_ranks_the_variables_and_gives_the_conversion_difference() {
    let d = folder("compare");
    let input = d.join("clustered.csv");
    std::fs::write(
        &input,
        "plan,age,converted,segment\nbasic,20,no,1\nbasic,30,no,1\npro,40,yes,1\nbasic,30,no,1\n\
         pro,50,yes,2\npro,60,yes,2\nbasic,70,no,2\npro,60,yes,2\nbasic,25,no,\n",
    )
    .unwrap();
    let text = succeeded(audience(&[
        "compare",
        input.to_str().unwrap(),
        "--segments",
        "1,2",
    ]));
    assert!(
        text.contains("conversion (converted = yes): 25.0% vs 75.0%, difference -50.0 points (95% interval -78.9 to +13.5)"),
        "{text}"
    );
    let json = succeeded(audience(&[
        "compare",
        input.to_str().unwrap(),
        "--segments",
        "1,rest",
        "--json",
    ]));
    let c: serde_json::Value = serde_json::from_str(&json).unwrap();
    // The row without a segment is in neither group: "the rest" is segment 2 only.
    assert_eq!(c["b_rows"], 4);
    assert_eq!(c["variables"][0]["column"], "age");
    let run = audience(&["compare", input.to_str().unwrap(), "--segments", "1,9"]);
    assert!(run.stderr.contains("segment 9 has no customers"));
}

#[test]
fn profile_takes_the_same_rules_and_says_what_it_kept() {
    let d = folder("profile");
    let input = d.join("people.csv");
    std::fs::write(&input, csv()).unwrap();
    let run = audience(&[
        "profile",
        input.to_str().unwrap(),
        "--segments",
        "city",
        "--where",
        "member = yes",
    ]);
    assert!(run.ok, "{}", run.stderr);
    let stderr = run.stderr;
    // member = yes for every third row: 67 of 200.
    assert!(
        stderr.contains("filter \"member = yes\" keeps 67 of 200 customers (133 left out"),
        "{stderr}"
    );
}

#[test]
fn formula_cells_in_marked_filtered_out_rows_are_escaped_and_counted() {
    let d = folder("formula");
    let input = d.join("people.csv");
    let mut text = csv();
    // A row the filter leaves out (Oslo) with a cell a spreadsheet would run.
    text.push_str("=HYPERLINK(\"x\"),33,Oslo,no,z@example.com\n");
    std::fs::write(&input, text).unwrap();
    let out = d.join("clustered.csv");
    let summary: serde_json::Value = serde_json::from_str(&succeeded(audience(&[
        "segment",
        input.to_str().unwrap(),
        "--columns",
        "age,member",
        "--k",
        "2",
        "--min",
        "0.3",
        "--max",
        "0.7",
        "--restarts",
        "1",
        "--where",
        "city in Paris, Rome",
        "--json",
        "--out",
        out.to_str().unwrap(),
    ])))
    .unwrap();
    assert_eq!(summary["formulas_escaped"], 1);
    let rows = read_csv(&out);
    assert_eq!(rows.len(), 202);
    assert!(rows[201][0].starts_with("'="), "{:?}", rows[201]);
    assert_eq!(rows[201][6], "no");
}
