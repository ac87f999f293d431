//! The shared input path of `audience segment` and `audience profile` (issue #12): `--header`, and the
//! notes on stderr about what was skipped or guessed.

mod common;

use common::{audience, Run};

use std::path::PathBuf;

fn file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("audience-input-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Twelve customers, all text, the first line unique: a headerless file that looks like it has a header.
fn headerless() -> String {
    let mut text = String::from("Zed,Berlin,platinum\n");
    for i in 0..11 {
        let city = ["Paris", "Rome", "Oslo"][i % 3];
        let plan = ["gold", "silver"][i % 2];
        text.push_str(&format!("name{i},{city},{plan}\n"));
    }
    text
}

#[test]
fn profile_with_header_no_keeps_the_first_record() {
    let path = file("headerless.csv", &headerless());
    let path = path.to_str().unwrap();
    let bounds = ["--k", "2", "--min", "0.3", "--max", "0.7", "--json"];
    let Run {
        ok,
        stdout: out,
        stderr: err,
    } = audience(&[&["profile", path, "--header", "no"], &bounds[..]].concat());
    assert!(ok, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["n_rows"], 12);
    assert!(!err.contains("--header no"), "{err}");

    // Without the flag the first line is taken as the header, and stderr says it was a guess.
    let Run {
        ok,
        stdout: out,
        stderr: err,
    } = audience(&[&["profile", path], &bounds[..]].concat());
    assert!(ok, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["n_rows"], 11);
    assert!(err.contains("could also be a customer"), "{err}");
    assert!(err.contains("rerun with --header no"), "{err}");
}

#[test]
fn an_unknown_header_value_is_refused_with_the_choices() {
    let path = file("h.csv", "a,b\n1,2\n");
    let Run {
        ok,
        stdout: _,
        stderr: err,
    } = audience(&["segment", path.to_str().unwrap(), "--header", "maybe"]);
    assert!(!ok);
    assert!(err.contains("expected yes"), "{err}");
}

#[test]
fn profile_notes_a_title_line_and_a_repeated_header() {
    let mut text = String::from("Leads export\nname,age,plan\n");
    for i in 0..12 {
        text.push_str(&format!("n{i},{},{}\n", 20 + i, ["gold", "silver"][i % 2]));
        if i == 5 {
            text.push_str("name,age,plan\n");
        }
    }
    let path = file("titled.csv", &text);
    let Run {
        ok,
        stdout: out,
        stderr: err,
    } = audience(&[
        "profile",
        path.to_str().unwrap(),
        "--k",
        "2",
        "--min",
        "0.3",
        "--max",
        "0.7",
        "--json",
    ]);
    assert!(ok, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["n_rows"], 12);
    assert!(err.contains("line 1 (title: \"Leads export\")"), "{err}");
    assert!(
        err.contains("repeated header line") && err.contains("at line 9"),
        "{err}"
    );
}
