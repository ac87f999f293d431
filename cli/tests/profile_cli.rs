//! `audience profile` and `audience demo` end to end, through the real binary.

use std::process::Command;

fn audience(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_audience"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

const KNOWN: &str = "../engine/tests/fixtures/personas_known.csv";

#[test]
fn profile_prints_ranked_personas_of_an_existing_segment_column() {
    let (ok, out, err) = audience(&[
        "profile",
        KNOWN,
        "--segments",
        "segment",
        "--min-records",
        "3",
        "--code",
        "Lifestyle",
    ]);
    assert!(ok, "{err}");
    let rank_lines: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("   1  ") || l.starts_with("   2  "))
        .collect();
    assert_eq!(rank_lines.len(), 2, "{out}");
    assert!(
        rank_lines[0].contains("Spend 95–120 Tech CA")
            && rank_lines[0].contains("70.0% (39.7%–89.2%)")
    );
    assert!(rank_lines[0].contains("PREMIUM"));
    assert!(
        rank_lines[1].contains("Aged 18–24 Spend 20–40 Retail") && rank_lines[1].contains("MEDIUM")
    );
    assert!(out.contains("Conversion column \"is_sale\" (detected"));
    assert!(out.contains("column \"Notes\" is missing in all 20 rows"));
}

#[test]
fn profile_json_is_the_versioned_document() {
    let (ok, out, err) = audience(&[
        "profile",
        KNOWN,
        "--segments",
        "segment",
        "--json",
        "--code",
        "Lifestyle",
    ]);
    assert!(ok, "{err}");
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["schema"], "audience-builder/personas");
    assert_eq!(value["version"], 2);
    assert_eq!(value["personas"].as_array().unwrap().len(), 2);
    assert_eq!(value["code_mixes"][0]["column"], "Lifestyle");
}

#[test]
fn profile_names_a_missing_segment_column_and_a_missing_file() {
    let (ok, _, err) = audience(&["profile", KNOWN, "--segments", "cluster"]);
    assert!(!ok);
    assert!(
        err.contains("--segments \"cluster\" is not a column"),
        "{err}"
    );
    let (ok, _, err) = audience(&["profile", "no/such/file.csv", "--segments", "x"]);
    assert!(!ok);
    assert!(err.contains("cannot read no/such/file.csv"), "{err}");
}

#[test]
fn the_shipped_demo_file_is_exactly_the_generator_output() {
    let (ok, out, err) = audience(&["demo", "--rows", "5000", "--seed", "7"]);
    assert!(ok, "{err}");
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../public/demo/leads.csv"
    ))
    .unwrap();
    assert!(
        out == shipped,
        "public/demo/leads.csv differs from `audience demo --rows 5000 --seed 7`"
    );
}

#[test]
fn profile_without_segments_segments_first_and_writes_every_row_back() {
    let dir = std::env::temp_dir().join(format!("audience-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("leads.csv");
    let clustered = dir.join("clustered.csv");
    let (ok, _, err) = audience(&[
        "demo",
        "--rows",
        "1000",
        "--seed",
        "5",
        "--out",
        input.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let (ok, out, err) = audience(&[
        "profile",
        input.to_str().unwrap(),
        "--k",
        "10",
        "--out",
        clustered.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("k = 10"), "{out}");
    assert!(
        out.contains("(not \"is_sale\")"),
        "the target must not be clustered: {out}"
    );
    // Ranks 1..=10, each segment exactly 100 rows (10 segments within 5–10% of 1,000 rows).
    for rank in 1..=10 {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("{rank:>4}  ")))
            .unwrap();
        assert!(line.contains("  100   10.0%"), "{line}");
    }
    let original = std::fs::read_to_string(&input).unwrap();
    let written = std::fs::read_to_string(&clustered).unwrap();
    assert_eq!(original.lines().count(), written.lines().count());
    for (before, after) in original.lines().zip(written.lines()).skip(1) {
        assert!(
            after.starts_with(&format!("{before},")),
            "{before} → {after}"
        );
    }
    assert!(written
        .lines()
        .next()
        .unwrap()
        .ends_with(",segment,segment_name"));
    std::fs::remove_dir_all(&dir).unwrap();
}
