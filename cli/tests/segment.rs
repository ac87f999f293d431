//! `audience segment` end to end on a small generated CSV.

mod common;

use std::process::Command;

fn csv(rows: usize) -> String {
    let mut text = String::from("id,age,city,member,note\n");
    for i in 0..rows {
        let city = ["Paris", "Rome", "Oslo", "Lima"][i % 4];
        let age = 20 + (i * 7) % 50;
        let member = if i % 3 == 0 { "yes" } else { "no" };
        // A quoted field with the delimiter inside must come back unchanged.
        text.push_str(&format!("c{i:04},{age},{city},{member},\"a, b {i}\"\n"));
    }
    text
}

#[test]
fn segment_writes_every_row_unchanged_in_order_with_segments_within_bounds() {
    let dir = std::env::temp_dir().join(format!("audience-segment-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("people.csv");
    let output = dir.join("out.csv");
    let text = csv(200);
    std::fs::write(&input, &text).unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_audience"))
        .args([
            "segment",
            input.to_str().unwrap(),
            "--k",
            "5",
            "--min",
            "0.15",
            "--max",
            "0.25",
        ])
        .args([
            "--seed",
            "3",
            "--restarts",
            "1",
            "--json",
            "--out",
            output.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(summary["k"], 5);
    assert_eq!(summary["rows"], 200);
    let columns: Vec<&str> = summary["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        !columns.contains(&"id"),
        "identifiers are not clustered on: {columns:?}"
    );

    let written = std::fs::read_to_string(&output).unwrap();
    let mut sizes = [0usize; 5];
    let mut lines = written.lines();
    assert_eq!(lines.next(), Some("id,age,city,member,note,segment"));
    for (line, original) in lines.zip(text.lines().skip(1)) {
        let (fields, segment) = line.rsplit_once(',').unwrap();
        assert_eq!(fields, original);
        sizes[segment.parse::<usize>().unwrap() - 1] += 1;
    }
    assert_eq!(sizes.iter().sum::<usize>(), 200);
    assert!(sizes.iter().all(|&s| (30..=50).contains(&s)), "{sizes:?}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn impossible_bounds_are_refused_with_the_numbers() {
    let dir = std::env::temp_dir().join(format!("audience-segment-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("people.csv");
    std::fs::write(&input, csv(40)).unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_audience"))
        .args([
            "segment",
            input.to_str().unwrap(),
            "--min",
            "0.26",
            "--max",
            "0.30",
        ])
        .args(["--out", dir.join("o.csv").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!run.status.success());
    let message = String::from_utf8_lossy(&run.stderr);
    assert!(
        message.contains("26–30%") && message.contains("at least 4"),
        "{message}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn segment_can_write_personas_of_its_segments_with_the_target_passed_through() {
    let dir =
        std::env::temp_dir().join(format!("audience-segment-personas-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("people.csv");
    let output = dir.join("out.csv");
    let personas = dir.join("personas.json");
    std::fs::write(&input, csv(200)).unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_audience"))
        .args(["segment", input.to_str().unwrap(), "--k", "5"])
        .args([
            "--min",
            "0.15",
            "--max",
            "0.25",
            "--seed",
            "3",
            "--restarts",
            "1",
        ])
        .args(["--target", "member", "--out", output.to_str().unwrap()])
        .args([
            "--personas",
            personas.to_str().unwrap(),
            "--tiers",
            "absolute",
        ])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let written = std::fs::read_to_string(&output).unwrap();
    let mut sizes = [0usize; 5];
    for line in written.lines().skip(1) {
        sizes[line.rsplit_once(',').unwrap().1.parse::<usize>().unwrap() - 1] += 1;
    }
    let document = audience_engine::export::personas_json::read_personas_json(
        &std::fs::read_to_string(&personas).unwrap(),
    )
    .unwrap();
    let report = document.report;
    assert_eq!((report.n_rows, report.n_segments), (200, 5));
    assert_eq!(
        report.target.as_ref().map(|t| t.column.as_str()),
        Some("member")
    );
    // Every persona is one of the CSV's segments (numbered 1..=5) with the same size, and has a rate.
    for persona in &report.personas {
        assert_eq!(
            persona.label.as_deref(),
            Some(&*(persona.segment + 1).to_string())
        );
        assert_eq!(persona.size, sizes[persona.segment as usize]);
        // The JSON's `segment` is the CSV's number.
        assert_eq!(persona.number, persona.segment + 1);
        assert_eq!(persona.size, sizes[persona.number as usize - 1]);
        assert!(persona.conversion.is_some());
    }
    assert_eq!(
        report.tier_scheme,
        Some(audience_engine::profile::TierScheme::Absolute)
    );
    assert_eq!(report.personas.len(), 5);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn segmenting_on_columns_that_cannot_tell_customers_apart_is_said_before_and_after() {
    // `member` × `city` give 4 profiles of 100 customers; 5–10 % shares need at least 10 segments, so
    // each profile is split into segments that are copies of each other. The file is in `month` order, a
    // column nobody chose: it must not name the personas.
    let dir = std::env::temp_dir().join(format!("audience-segment-ties-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("people.csv");
    let mut text = String::from("member,city,month\n");
    for i in 0..400 {
        let member = if i % 2 == 0 { "yes" } else { "no" };
        let city = ["Paris", "Rome"][(i / 2) % 2];
        let month = ["jan", "feb", "mar", "apr"][i / 100];
        text.push_str(&format!("{member},{city},{month}\n"));
    }
    std::fs::write(&input, &text).unwrap();
    let personas = dir.join("personas.json");
    let run = Command::new(env!("CARGO_BIN_EXE_audience"))
        .args([
            "segment",
            input.to_str().unwrap(),
            "--columns",
            "member,city",
        ])
        .args(["--out", dir.join("o.csv").to_str().unwrap()])
        .args(["--personas", personas.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("give only 4 different customer profiles among 400 customers"),
        "{stderr}"
    );
    assert!(
        stderr.contains("are identical to another segment on every column segmented on"),
        "{stderr}"
    );
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&personas).unwrap()).unwrap();
    assert_eq!(document["distinct_profiles"], 4);
    for persona in document["personas"].as_array().unwrap() {
        let name = persona["name"].as_str().unwrap();
        assert!(!name.to_lowercase().contains("jan"), "{name}");
        assert!(
            !persona["identical_to"].as_array().unwrap().is_empty(),
            "{name}"
        );
        assert!(name.contains("(same profile as segment"), "{name}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_same_columns_listed_in_another_order_give_the_same_files() {
    let dir = common::folder("column-order");
    let input = dir.join("people.csv");
    std::fs::write(&input, csv(400)).unwrap();
    let names = ["out.csv", "personas.json", "model.json"].map(|name| dir.join(name));
    let files = |columns: &str| -> (Vec<Vec<u8>>, serde_json::Value) {
        let stdout = common::succeeded(common::audience(&[
            "segment",
            common::path(&input),
            "--columns",
            columns,
            "--seed",
            "5",
            "--out",
            common::path(&names[0]),
            "--personas",
            common::path(&names[1]),
            "--save-model",
            common::path(&names[2]),
            "--json",
        ]));
        let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let written = names
            .iter()
            .map(|name| std::fs::read(name).unwrap())
            .collect();
        (written, summary["columns"].clone())
    };
    let (listed, _) = files("age,city,member");
    for order in ["member,age,city", "city,member,age"] {
        let (reordered, columns) = files(order);
        for (name, (a, b)) in ["clustered CSV", "personas", "model"]
            .iter()
            .zip(listed.iter().zip(&reordered))
        {
            assert!(a == b, "{order}: the {name} differs");
        }
        assert_eq!(
            columns,
            serde_json::json!(["age", "city", "member"]),
            "the summary lists them in the file's order"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
