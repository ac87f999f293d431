//! `audience profile` and `audience demo` end to end, through the real binary.

mod common;

use common::{audience, Run};

const KNOWN: &str = "../engine/tests/fixtures/personas_known.csv";

#[test]
fn profile_prints_ranked_personas_of_an_existing_segment_column() {
    let Run {
        ok,
        stdout: out,
        stderr: err,
    } = audience(&[
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
    let Run {
        ok,
        stdout: out,
        stderr: err,
    } = audience(&[
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
    let Run {
        ok,
        stdout: _,
        stderr: err,
    } = audience(&["profile", KNOWN, "--segments", "cluster"]);
    assert!(!ok);
    assert!(
        err.contains("--segments \"cluster\" is not a column"),
        "{err}"
    );
    let Run {
        ok,
        stdout: _,
        stderr: err,
    } = audience(&["profile", "no/such/file.csv", "--segments", "x"]);
    assert!(!ok);
    assert!(err.contains("cannot read no/such/file.csv"), "{err}");
}

#[test]
fn the_shipped_demo_file_is_exactly_the_generator_output() {
    let Run {
        ok,
        stdout: out,
        stderr: err,
    } = audience(&["demo", "--rows", "5000", "--seed", "7"]);
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
    let Run {
        ok,
        stdout: _,
        stderr: err,
    } = audience(&[
        "demo",
        "--rows",
        "1000",
        "--seed",
        "5",
        "--out",
        input.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let Run {
        ok,
        stdout: out,
        stderr: err,
    } = audience(&[
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

#[test]
fn profile_marks_the_described_audience_applies_names_and_writes_just_those_rows() {
    let dir = std::env::temp_dir().join(format!("audience-trust-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let names = dir.join("names.csv");
    std::fs::write(&names, "segment,name\n1,West coast tech\n").unwrap();
    let matching = dir.join("audience.csv");
    let Run {
        ok,
        stdout: out,
        stderr: err,
    } = audience(&[
        "profile",
        KNOWN,
        "--segments",
        "segment",
        "--min-records",
        "3",
        "--tiers",
        "lift",
        "--names",
        names.to_str().unwrap(),
        "--audience",
        "tech people from referrals",
        "--audience-out",
        matching.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("Tiers by lift over the file's rate"), "{out}");
    // Segment 1 (the label "0" of the segment column) is all but one Tech and 8 of 10 Referral.
    assert!(
        out.contains("Described audience \"tech people from referrals\": Industry = Tech; Lead Source = Referral"),
        "{out}"
    );
    assert!(
        out.contains("Segment 1 matches (")
            && out.contains(
                "90% are Industry Tech (file: 50%); 80% are Lead Source Referral (file: 45%)"
            ),
        "{out}"
    );
    assert!(out.contains("\n#1 West coast tech\n"), "{out}");
    assert!(out.contains("✓ Matches the described audience"), "{out}");
    let written = std::fs::read_to_string(&matching).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines.len(), 11, "{written}");
    assert!(lines[1..]
        .iter()
        .all(|l| l.starts_with("0,") && l.ends_with(",West coast tech")));

    let Run {
        ok,
        stdout: json,
        stderr: err,
    } = audience(&[
        "profile",
        KNOWN,
        "--segments",
        "segment",
        "--json",
        "--audience",
        "tech",
    ]);
    assert!(ok, "{err}");
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["audience"]["segments"][0]["segment"], 1);
    assert_eq!(value["audience"]["segments"][0]["matches"], true);
    assert_eq!(value["tier_scheme"], "absolute");

    std::fs::write(&names, "7,Nobody\n").unwrap();
    let Run {
        ok,
        stdout: _,
        stderr: err,
    } = audience(&[
        "profile",
        KNOWN,
        "--segments",
        "segment",
        "--names",
        names.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(
        err.contains("there is no segment 7: the segments are numbered 1 to 2"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn categorical_reads_integer_codes_as_categories_in_the_profiles() {
    let dir = std::env::temp_dir().join(format!("audience-categorical-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("wholesale.csv");
    // Region 1, 2 and 3 are places, not amounts: segments 1 and 2 are regions 1 and 3.
    let mut csv = String::from("segment,Region,Spend\n");
    for i in 0..30 {
        let (segment, region) = if i < 15 {
            (1, [1, 1, 2][i % 3])
        } else {
            (2, 3)
        };
        csv += &format!("{segment},{region},{}\n", 100 + i);
    }
    std::fs::write(&input, &csv).unwrap();
    let profile = |extra: &[&str]| {
        let mut args = vec![
            "profile",
            input.to_str().unwrap(),
            "--segments",
            "segment",
            "--min-records",
            "3",
            "--json",
        ];
        args.extend_from_slice(extra);
        let Run {
            ok,
            stdout: out,
            stderr: err,
        } = audience(&args);
        assert!(ok, "{err}");
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        report["personas"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["traits"].as_array().unwrap().clone())
            .filter(|t| t["column"] == "Region")
            .map(|t| t["value"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let as_numbers = profile(&[]);
    assert!(
        as_numbers
            .iter()
            .any(|v| v.contains("largest value") || v.starts_with('≥') || v.starts_with('≤')),
        "{as_numbers:?}"
    );
    let as_categories = profile(&["--categorical", "Region"]);
    assert!(as_categories.contains(&"1".to_owned()), "{as_categories:?}");
    assert!(as_categories.contains(&"3".to_owned()), "{as_categories:?}");

    let Run {
        ok,
        stdout: _,
        stderr: err,
    } = audience(&["profile", input.to_str().unwrap(), "--categorical", "Area"]);
    assert!(!ok);
    assert!(
        err.contains(
            "--categorical \"Area\" is not a column of this file (columns: segment, Region, Spend)"
        ),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
