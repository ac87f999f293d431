//! Outputs that never destroy a file, cells that are never formulas, and refusals that say what to do:
//! the real binary on small files made here.

mod common;

use common::{audience, folder, listing, path};

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// 40 customers: an ID, a plan whose values read as formulas, a spend (negative numbers too), a 0/1 sale.
fn customers() -> String {
    let mut text = String::from("id,plan,spend,is_sale\n");
    for i in 0..40 {
        let plan = ["@gold", "=silver", "+bronze", "-tin"][i % 4];
        text.push_str(&format!(
            "c{i},{plan},{},{}\n",
            (i * 37) as i64 % 100 - 50,
            i % 2
        ));
    }
    text
}

/// 4 segments of 20–30 % of 40 rows: fast and exact.
const SMALL: [&str; 6] = ["--k", "4", "--min", "0.2", "--max", "0.3"];

fn column(csv: &str, name: &str) -> Vec<String> {
    let mut reader = csv_reader(csv);
    let index = reader.0.iter().position(|h| h == name).unwrap();
    reader.1.drain(..).map(|row| row[index].clone()).collect()
}

/// Header and rows of a small CSV without quotes.
fn csv_reader(csv: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = csv.lines();
    let split = |line: &str| line.split(',').map(String::from).collect::<Vec<_>>();
    let header = split(lines.next().unwrap());
    (header, lines.map(split).collect())
}

#[test]
fn a_failed_profile_leaves_an_existing_out_byte_identical_and_creates_no_summary() {
    let dir = folder("failed-profile");
    let input = dir.join("export.csv");
    // An earlier export: it already has a `segment` column.
    let export: String = customers()
        .lines()
        .enumerate()
        .map(|(i, line)| format!("{line},{}\n", if i == 0 { "segment" } else { "1" }))
        .collect();
    std::fs::write(&input, export).unwrap();
    let out = dir.join("clustered.csv");
    std::fs::write(&out, "precious earlier results\n").unwrap();
    let before = listing(&dir);
    let run = audience(&[
        "profile",
        path(&input),
        "--out",
        path(&out),
        "--summary-csv",
        path(&dir.join("summary.csv")),
    ]);
    assert!(!run.ok);
    assert!(
        run.stderr.contains("--replace-segment") && run.stderr.contains("--segment-column"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"precious earlier results\n");
    assert_eq!(
        listing(&dir),
        before,
        "nothing created, not even a temporary file"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn resegmenting_an_export_is_refused_before_fitting_with_both_ways_out() {
    let dir = folder("resegment");
    let input = dir.join("people.csv");
    std::fs::write(&input, customers()).unwrap();
    let first = dir.join("first.csv");
    let run = audience(
        &[
            &["segment", path(&input), "--out", path(&first)][..],
            &SMALL,
        ]
        .concat(),
    );
    assert!(run.ok, "{}", run.stderr);
    let second = dir.join("second.csv");
    std::fs::write(&second, "keep me").unwrap();
    let run = audience(
        &[
            &["segment", path(&first), "--out", path(&second)][..],
            &SMALL,
        ]
        .concat(),
    );
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("already has a column named \"segment\" (column 5 of 5)")
            && run.stderr.contains("--replace-segment")
            && run.stderr.contains("--segment-column NAME"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(&second).unwrap(), b"keep me");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_out_that_is_the_input_is_refused_and_the_input_is_untouched() {
    let dir = folder("same-file");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    let input = dir.join("people.csv");
    std::fs::write(&input, customers()).unwrap();
    // The same file through another path.
    let same = dir.join("sub").join("..").join("people.csv");
    for flag in ["--out", "--personas"] {
        let run = audience(&[&["segment", path(&input), flag, path(&same)][..], &SMALL].concat());
        assert!(!run.ok, "{flag}");
        assert!(run.stderr.contains("is the input file"), "{}", run.stderr);
    }
    let run = audience(&[
        "profile",
        path(&input),
        "--summary-csv",
        path(&same),
        "--k",
        "4",
    ]);
    assert!(!run.ok);
    assert!(run.stderr.contains("is the input file"), "{}", run.stderr);
    let out = dir.join("o.csv");
    let run = audience(
        &[
            &["profile", path(&input), "--out", path(&out)][..],
            &["--summary-csv", path(&out)],
        ]
        .concat(),
    );
    assert!(!run.ok);
    assert!(run.stderr.contains("are the same file"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&input).unwrap(), customers());
    assert_eq!(listing(&dir), ["people.csv", "sub"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn replace_segment_writes_over_the_old_column_in_place_and_never_clusters_on_it() {
    let dir = folder("replace");
    let input = dir.join("export.csv");
    // The old segment column sits in the middle and is numeric: it would be a clustering variable.
    let mut text = String::from("id,segment,spend\n");
    for i in 0..40 {
        text.push_str(&format!("c{i},{},{}\n", 90 + i % 3, i * 5));
    }
    std::fs::write(&input, &text).unwrap();
    let out = dir.join("out.csv");
    let run = audience(
        &[
            &["segment", path(&input), "--out", path(&out), "--json"][..],
            &["--replace-segment"],
            &SMALL,
        ]
        .concat(),
    );
    assert!(run.ok, "{}", run.stderr);
    let summary: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(summary["columns"], serde_json::json!(["spend"]));
    assert_eq!(summary["left_out"], serde_json::json!(["segment"]));
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written.lines().next(), Some("id,segment,spend"));
    for (line, original) in written.lines().zip(text.lines()).skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let before: Vec<&str> = original.split(',').collect();
        assert_eq!((fields[0], fields[2]), (before[0], before[2]));
        assert!(["1", "2", "3", "4"].contains(&fields[1]), "{line}");
    }
    // An export of `profile` also has names of the old segments: said, not silently left stale.
    let named = dir.join("named.csv");
    let with_names: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| format!("{l},{}\n", if i == 0 { "segment_name" } else { "Old" }))
        .collect();
    std::fs::write(&named, with_names).unwrap();
    let run = audience(
        &[
            &[
                "segment",
                path(&named),
                "--out",
                path(&out),
                "--replace-segment",
            ][..],
            &SMALL,
        ]
        .concat(),
    );
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("\"segment_name\" still holds the names of the earlier segments"),
        "{}",
        run.stdout
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn segment_column_writes_the_new_segments_under_another_name() {
    let dir = folder("rename");
    let input = dir.join("export.csv");
    let mut text = String::from("id,segment,spend\n");
    for i in 0..40 {
        text.push_str(&format!("c{i},{},{}\n", 90 + i % 3, i * 5));
    }
    std::fs::write(&input, &text).unwrap();
    let out = dir.join("out.csv");
    let run = audience(
        &[
            &["segment", path(&input), "--out", path(&out), "--json"][..],
            &["--segment-column", "segment_v2"],
            &SMALL,
        ]
        .concat(),
    );
    assert!(run.ok, "{}", run.stderr);
    let summary: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(summary["columns"], serde_json::json!(["spend"]));
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written.lines().next(), Some("id,segment,spend,segment_v2"));
    for (line, original) in written.lines().zip(text.lines()).skip(1) {
        let (kept, new) = line.rsplit_once(',').unwrap();
        assert_eq!(kept, original);
        assert!(["1", "2", "3", "4"].contains(&new), "{line}");
    }
    // Profile writes NAME and NAME_name.
    let out = dir.join("profiled.csv");
    let run = audience(
        &[
            &["profile", path(&input), "--out", path(&out)][..],
            &["--segment-column", "wave2"],
            &SMALL,
        ]
        .concat(),
    );
    assert!(run.ok, "{}", run.stderr);
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        written.lines().next(),
        Some("id,segment,spend,wave2,wave2_name")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn input_formulas_are_escaped_by_default_and_kept_byte_for_byte_when_asked() {
    let dir = folder("formulas");
    let input = dir.join("people.csv");
    std::fs::write(&input, customers()).unwrap();
    let out = dir.join("out.csv");
    let run = audience(&[&["segment", path(&input), "--out", path(&out)][..], &SMALL].concat());
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("wrote 40 cells that a spreadsheet would run as formulas"),
        "{}",
        run.stdout
    );
    let written = std::fs::read_to_string(&out).unwrap();
    let plans = column(&written, "plan");
    assert_eq!(&plans[..4], ["'@gold", "'=silver", "'+bronze", "'-tin"]);
    // Negative numbers are numbers, not formulas: unchanged.
    assert_eq!(column(&written, "spend")[0], "-50");
    let run = audience(
        &[
            &["segment", path(&input), "--out", path(&out)][..],
            &["--no-escape-formulas"],
            &SMALL,
        ]
        .concat(),
    );
    assert!(run.ok, "{}", run.stderr);
    let written = std::fs::read_to_string(&out).unwrap();
    for (line, original) in written.lines().zip(customers().lines()) {
        assert_eq!(line.rsplit_once(',').unwrap().0, original);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn generated_names_in_written_files_never_start_with_a_formula_character() {
    let dir = folder("names");
    let input = dir.join("people.csv");
    std::fs::write(&input, customers()).unwrap();
    let out = dir.join("out.csv");
    let summary = dir.join("summary.csv");
    // Names are built from cell values ("-tin Low Spend"); with input cells escaped or kept as they are,
    // the names written to the clustered CSV and the summary CSV are escaped.
    for flag in [None, Some("--no-escape-formulas")] {
        let run = audience(
            &[
                &["profile", path(&input), "--out", path(&out)][..],
                &["--summary-csv", path(&summary), "--min-records", "3"],
                &SMALL,
                flag.as_slice(),
            ]
            .concat(),
        );
        assert!(run.ok, "{}", run.stderr);
        let written = std::fs::read_to_string(&out).unwrap();
        let names = column(&written, "segment_name");
        let summary = std::fs::read_to_string(&summary).unwrap();
        let summary_names = column(&summary, "name");
        assert_eq!(summary_names.len(), 4);
        for name in names.iter().chain(&summary_names) {
            assert!(
                !name.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{flag:?}: {name:?}"
            );
        }
        let plan = if flag.is_some() { "@gold" } else { "'@gold" };
        assert_eq!(column(&written, "plan")[0], plan);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_reader_that_closes_stdout_early_ends_the_run_quietly() {
    let dir = folder("pipe");
    let input = dir.join("people.csv");
    std::fs::write(&input, customers()).unwrap();
    let runs: [&[&str]; 3] = [
        &["demo", "--rows", "20000"],
        &[
            "profile",
            path(&input),
            "--k",
            "4",
            "--min",
            "0.2",
            "--max",
            "0.3",
        ],
        &[
            "segment",
            path(&input),
            "--out",
            "-",
            "--k",
            "4",
            "--min",
            "0.2",
            "--max",
            "0.3",
        ],
    ];
    for args in runs {
        let mut child = Command::new(env!("CARGO_BIN_EXE_audience"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        if args[0] == "demo" {
            // `| head -1`: read one line, then close.
            let mut first = String::new();
            BufReader::new(stdout).read_line(&mut first).unwrap();
            assert!(first.starts_with("State,"), "{first}");
        } else {
            // Closed before the command writes anything.
            drop(stdout);
        }
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_ne!(output.status.code(), Some(101), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn segment_leaves_out_the_conversion_column_by_default_as_profile_does() {
    let dir = folder("conversion");
    let input = dir.join("people.csv");
    std::fs::write(&input, customers()).unwrap();
    let out = dir.join("out.csv");
    let run = audience(
        &[
            &["segment", path(&input), "--out", path(&out), "--json"][..],
            &SMALL,
        ]
        .concat(),
    );
    assert!(run.ok, "{}", run.stderr);
    let summary: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(summary["columns"], serde_json::json!(["plan", "spend"]));
    assert_eq!(summary["conversion_column"], "is_sale");
    let run = audience(&[&["segment", path(&input), "--out", path(&out)][..], &SMALL].concat());
    assert!(
        run.stdout
            .contains("left out the conversion column \"is_sale\""),
        "{}",
        run.stdout
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// 40 adults: an income class that is not yes/no-like, and an age.
fn incomes() -> String {
    let mut text = String::from("age,income\n");
    for i in 0..40 {
        let income = if i % 3 == 0 { ">50K" } else { "<=50K" };
        text.push_str(&format!("{},{income}\n", 20 + (i * 7) % 30));
    }
    text
}

#[test]
fn a_two_valued_target_that_is_not_yes_no_asks_for_positive_and_positive_works() {
    let dir = folder("positive");
    let input = dir.join("adults.csv");
    std::fs::write(&input, incomes()).unwrap();
    let run = audience(&[&["profile", path(&input), "--target", "income"][..], &SMALL].concat());
    assert!(!run.ok, "{}", run.stdout);
    assert!(
        run.stderr.contains("--positive")
            && run.stderr.contains("\">50K\"")
            && run.stderr.contains("\"<=50K\""),
        "{}",
        run.stderr
    );
    let run = audience(
        &[
            &["profile", path(&input), "--target", "income"][..],
            &["--positive", ">50K"],
            &SMALL,
        ]
        .concat(),
    );
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("Conversion column \"income\" (chosen: \">50K\" = converted): 14 of 40"),
        "{}",
        run.stdout
    );
    // segment: the personas need the same answer.
    let personas = dir.join("p.json");
    let out = dir.join("out.csv");
    let segment = [
        "segment",
        path(&input),
        "--target",
        "income",
        "--out",
        path(&out),
        "--personas",
        path(&personas),
    ];
    let run = audience(&[&segment[..], &SMALL].concat());
    assert!(!run.ok);
    assert!(run.stderr.contains("--positive"), "{}", run.stderr);
    assert!(!out.exists() && !personas.exists());
    let run = audience(&[&segment[..], &["--positive", ">50K"], &SMALL].concat());
    assert!(run.ok, "{}", run.stderr);
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&personas).unwrap()).unwrap();
    assert_eq!(document["target"]["positive_value"], ">50K");
    assert_eq!(document["target"]["overall"]["conversions"], 14);
    // --positive without --target: the detected conversion column, or a request to name one.
    let run = audience(&[&["profile", path(&input), "--positive", ">50K"][..], &SMALL].concat());
    assert!(!run.ok);
    assert!(run.stderr.contains("--target COL"), "{}", run.stderr);
    let people = dir.join("people.csv");
    std::fs::write(&people, customers()).unwrap();
    let run = audience(&[&["profile", path(&people), "--positive", "yes"][..], &SMALL].concat());
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("\"yes\" is not a value of the conversion column \"is_sale\""),
        "{}",
        run.stderr
    );
    // A value the column does not hold is named as such.
    let run = audience(&[&segment[..], &["--positive", "rich"], &SMALL].concat());
    assert!(!run.ok);
    assert!(
        run.stderr.contains("\"rich\" is not a value"),
        "{}",
        run.stderr
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_id_column_can_be_forced_and_the_refusal_says_how() {
    let dir = folder("force");
    let input = dir.join("people.csv");
    std::fs::write(&input, customers()).unwrap();
    let out = dir.join("out.csv");
    let base = ["segment", path(&input), "--out", path(&out), "--json"];
    let run = audience(&[&base[..], &["--columns", "id"], &SMALL].concat());
    assert!(!run.ok);
    assert!(
        run.stderr.contains("--force-columns id")
            && run.stderr.contains("40 different values in 40 rows"),
        "{}",
        run.stderr
    );
    let run = audience(
        &[
            &base[..],
            &["--columns", "id", "--force-columns", "id"],
            &SMALL,
        ]
        .concat(),
    );
    assert!(run.ok, "{}", run.stderr);
    let summary: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(summary["columns"], serde_json::json!(["id"]));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn impossible_bounds_say_the_minimum_rows_and_the_remedy() {
    let dir = folder("bounds");
    let input = dir.join("people.csv");
    let text: String = customers()
        .lines()
        .take(22)
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&input, text).unwrap();
    let run = audience(&["segment", path(&input), "--out", path(&dir.join("o.csv"))]);
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("21 customers cannot be split into segments of 5–10% each")
            && run.stderr.contains("Use at least 30 customers")
            && run.stderr.contains("--max 0.15"),
        "{}",
        run.stderr
    );
    assert_eq!(listing(&dir), ["people.csv"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn profile_with_nothing_to_cluster_says_why_and_what_to_do() {
    let dir = folder("nothing");
    let input = dir.join("ids.csv");
    let text: String = (0..40)
        .map(|i| format!("c{i},2026-01-{:02}\n", 1 + i % 28))
        .collect();
    std::fs::write(&input, format!("id,signup\n{text}")).unwrap();
    let run = audience(&["profile", path(&input)]);
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("no column can be used to form segments")
            && run.stderr.contains("--segments COLUMN")
            && run.stderr.contains("id, signup"),
        "{}",
        run.stderr
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
