//! Saved segmentations end to end: `segment --save-model`, `apply`, `movement`, `lookalike`, `stability`.

mod common;

use common::{audience, folder, path, succeeded};

use std::path::{Path, PathBuf};

/// 60 customers in three planted groups.
fn customers() -> String {
    let mut csv = String::from("id,age,income,plan\n");
    for i in 0..60 {
        let jitter = i * 7 % 11;
        let (age, income, plan) = match i % 3 {
            0 => (22 + jitter, 20_000 + 300 * jitter, "basic"),
            1 => (40 + jitter, 55_000 + 500 * jitter, "plus"),
            _ => (63 + jitter, 98_000 + 700 * jitter, "premium"),
        };
        csv += &format!("C{i:03},{age},{income},{plan}\n");
    }
    csv
}

fn column(csv: &Path, name: &str) -> Vec<String> {
    let mut reader = csv::Reader::from_path(csv).unwrap();
    let index = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == name)
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap()[index].to_string())
        .collect()
}

/// Segments the customers (k = 3, shares 20–50 %) and saves the model; returns (dir, input, model).
fn saved(name: &str) -> (PathBuf, PathBuf, PathBuf) {
    let dir = folder(name);
    let input = dir.join("customers.csv");
    std::fs::write(&input, customers()).unwrap();
    let model = dir.join("model.json");
    succeeded(audience(&[
        "segment",
        path(&input),
        "--k",
        "3",
        "--min",
        "0.2",
        "--max",
        "0.5",
        "--out",
        path(&dir.join("clustered.csv")),
        "--save-model",
        path(&model),
    ]));
    (dir, input, model)
}

#[test]
fn a_saved_model_applied_to_its_training_file_gives_back_the_written_segments() {
    let (dir, input, model) = saved("same");
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(document["schema"], "audience-builder/segmentation-model");
    assert!(!std::fs::read_to_string(&model).unwrap().contains("C001"));
    let out = dir.join("applied.csv");
    let summary = succeeded(audience(&[
        "apply",
        path(&model),
        path(&input),
        "--out",
        path(&out),
        "--json",
    ]));
    let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(summary["rows"], 60);
    assert_eq!(
        column(&out, "segment"),
        column(&dir.join("clustered.csv"), "segment")
    );
    // Persona names travel with the model.
    assert!(column(&out, "segment_name").iter().all(|n| !n.is_empty()));
}

#[test]
fn the_300_row_demo_file_applied_to_its_own_model_gets_back_every_segment() {
    // Before apply replayed the fit's last assignment step, 4 of these 300 rows came back in another
    // segment (rows equally well placed in two segments) and `segment` printed a note saying so.
    let dir = folder("demo300");
    let input = dir.join("demo.csv");
    succeeded(audience(&["demo", "--rows", "300", "--out", path(&input)]));
    let model = dir.join("model.json");
    let segmented = dir.join("segmented.csv");
    let output = audience(&[
        "segment",
        path(&input),
        "--save-model",
        path(&model),
        "--out",
        path(&segmented),
    ]);
    assert!(output.ok, "{}", output.stderr);
    let stderr = output.stderr;
    assert!(!stderr.contains("in another segment"), "{stderr}");
    let applied = dir.join("applied.csv");
    succeeded(audience(&[
        "apply",
        path(&model),
        path(&input),
        "--out",
        path(&applied),
    ]));
    assert_eq!(column(&applied, "segment"), column(&segmented, "segment"));
}

#[test]
fn apply_refuses_a_file_without_a_saved_column_and_writes_nothing() {
    let (dir, _, model) = saved("missing");
    let other = dir.join("other.csv");
    std::fs::write(&other, customers().replace("income", "revenue")).unwrap();
    let out = dir.join("applied.csv");
    let run = audience(&["apply", path(&model), path(&other), "--out", path(&out)]);
    assert!(!run.ok);
    let message = run.stderr;
    assert!(
        message.contains("has no column \"income\" that the saved segmentation uses"),
        "{message}"
    );
    assert!(!out.exists());
}

#[test]
fn movement_counts_a_hand_made_pair_of_files() {
    let dir = folder("movement");
    let old = dir.join("old.csv");
    let new = dir.join("new.csv");
    std::fs::write(&old, "id,segment\na,1\nb,1\nc,2\nd,2\n").unwrap();
    std::fs::write(&new, "id,segment\na,1\nb,2\nc,2\ne,2\n").unwrap();
    let out = dir.join("moves.csv");
    let text = succeeded(audience(&[
        "movement",
        path(&old),
        path(&new),
        "--id",
        "id",
        "--out",
        path(&out),
    ]));
    assert!(
        text.starts_with(
            "3 customers in both files: 2 kept their segment (66.7%), 1 moved; 1 new, 1 gone"
        ),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "from,to,customers\n1,1,1\n1,2,1\n1,gone,0\n2,1,0\n2,2,1\n2,gone,1\nnew,1,0\nnew,2,1\n"
    );
}

#[test]
fn lookalike_writes_the_best_prospects_first_with_band_and_reason() {
    let (dir, input, model) = saved("lookalike");
    let clustered = column(&dir.join("clustered.csv"), "segment");
    // The segment of the first (young, basic) customer.
    let segment = clustered[0].clone();
    let out = dir.join("look.csv");
    succeeded(audience(&[
        "lookalike",
        path(&model),
        path(&input),
        "--segment",
        &segment,
        "--top",
        "5",
        "--out",
        path(&out),
    ]));
    let ids = column(&out, "id");
    assert_eq!(ids.len(), 5);
    // Every one of the five is a member of that segment, in the strong band.
    for id in &ids {
        let row: usize = id[1..].parse().unwrap();
        assert_eq!(clustered[row], segment, "{id}");
    }
    assert!(column(&out, "lookalike_band").iter().all(|b| b == "strong"));
    let scores: Vec<f64> = column(&out, "lookalike_score")
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(column(&out, "lookalike_reason")[0]
        .starts_with("closer to the typical customer of segment"));
}

#[test]
fn stability_of_planted_groups_keeps_every_row() {
    let (_, input, model) = saved("stability");
    let text = succeeded(audience(&[
        "stability",
        path(&model),
        path(&input),
        "--refits",
        "2",
        "--json",
    ]));
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["kept"], 1.0);
    assert_eq!(report["adjusted_rand"], 1.0);
    assert_eq!(report["refits"].as_array().unwrap().len(), 2);
    assert!(report["segments"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["unstable"] == false));
}

#[test]
fn movement_refuses_a_column_that_does_not_hold_segment_numbers() {
    let dir = folder("not-segments");
    let old = dir.join("old.csv");
    let new = dir.join("new.csv");
    std::fs::write(&old, "id,segment\na,4000000000\n").unwrap();
    std::fs::write(&new, "id,segment\na,1\n").unwrap();
    let out = dir.join("moves.csv");
    let run = audience(&[
        "movement",
        path(&old),
        path(&new),
        "--id",
        "id",
        "--out",
        path(&out),
    ]);
    assert!(!run.ok);
    let message = run.stderr;
    assert!(
        message.contains("holds segment number 4000000000"),
        "{message}"
    );
    assert!(!out.exists());
}

#[test]
fn census_values_retrieved_before_segmenting_are_retrieved_again_when_applying() {
    let dir = folder("retrieve");
    let input = dir.join("customers.csv");
    // Two areas: high-income Alamo (94507) and Puerto Rico (00601); the segments follow income.
    let mut csv = String::from("id,zip\n");
    for i in 0..20 {
        csv += &format!("{i},{}\n", if i % 2 == 0 { "94507" } else { "00601" });
    }
    std::fs::write(&input, &csv).unwrap();
    let model = dir.join("model.json");
    let clustered = dir.join("clustered.csv");
    succeeded(audience(&[
        "segment",
        path(&input),
        "--retrieve",
        "B19013_001E",
        "--columns",
        "B19013_001E",
        "--k",
        "2",
        "--min",
        "0.4",
        "--max",
        "0.6",
        "--out",
        path(&clustered),
        "--save-model",
        path(&model),
    ]));
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(document["retrieval"]["codes"][0], "B19013_001E");
    // Next month's file has only IDs and ZIP codes, in another order.
    let next = dir.join("next.csv");
    std::fs::write(&next, "id,zip\n100,00601\n101,94507\n").unwrap();
    let out = dir.join("applied.csv");
    succeeded(audience(&[
        "apply",
        path(&model),
        path(&next),
        "--out",
        path(&out),
        "--bounds",
        "nearest",
    ]));
    let segments = column(&clustered, "segment");
    assert_eq!(column(&out, "B19013_001E"), ["17526", "250000"]);
    assert_eq!(
        column(&out, "segment"),
        [segments[1].clone(), segments[0].clone()]
    );
}
