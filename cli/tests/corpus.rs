//! The bad-and-unusual file corpus (issue #12): every file in `tests/corpus/files/` goes through the real
//! `audience segment`, and its outcome is checked against `tests/corpus/expectations.json` (written by
//! `tests/corpus/generate.py`, which explains the three outcomes). Never a panic; a refusal says the
//! expected thing; a readable file comes back with every row once, in order, fields byte-identical (but for
//! the `'` that the default `--escape-formulas` puts before a cell a spreadsheet would run), and segment
//! shares within the bounds asked for.

use std::path::{Path, PathBuf};
use std::process::Command;

use audience_engine::export::formula::escape_formula;
use serde_json::Value;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus")
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

fn arg_after(args: &[String], flag: &str) -> Option<String> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1).cloned())
}

/// Checks one file; returns what is wrong, if anything.
fn check(entry: &Value, out_dir: &Path) -> Result<(), String> {
    let name = entry["file"].as_str().unwrap();
    let input = corpus_dir().join("files").join(name);
    let output = out_dir.join(format!("{name}.out.csv"));
    let args = strings(&entry["args"]);
    let run = Command::new(env!("CARGO_BIN_EXE_audience"))
        .arg("segment")
        .arg(&input)
        .args(&args)
        .arg("--out")
        .arg(&output)
        .output()
        .map_err(|e| format!("cannot run audience: {e}"))?;
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    match run.status.code() {
        Some(0 | 1) => {}
        other => {
            return Err(format!(
                "exit code {other:?} (2: a usage error, 101: a panic): {stderr}"
            ))
        }
    }
    let outcome = entry["outcome"].as_str().unwrap();
    let gist = entry["gist"].as_str().unwrap_or_default();
    match outcome {
        "error" => {
            if run.status.success() {
                return Err(format!(
                    "expected a refusal containing {gist:?}, but it succeeded"
                ));
            }
            if !stderr.contains(gist) {
                return Err(format!("refusal does not contain {gist:?}: {stderr}"));
            }
            Ok(())
        }
        "either" => {
            if !run.status.success() && !stderr.contains(gist) {
                return Err(format!("refusal does not contain {gist:?}: {stderr}"));
            }
            Ok(())
        }
        "ok" => {
            if !run.status.success() {
                return Err(format!("expected success: {stderr}"));
            }
            for note in strings(&entry["notes"]) {
                if !stderr.contains(&note) {
                    return Err(format!("stderr does not contain {note:?}: {stderr}"));
                }
            }
            check_output(entry, &output, &args)
        }
        other => Err(format!("unknown outcome {other:?}")),
    }
}

/// Every row once, in order, fields identical, plus a `segment` in 1..=k with shares within bounds.
fn check_output(entry: &Value, output: &Path, args: &[String]) -> Result<(), String> {
    let delimiter = entry["delimiter"].as_str().unwrap().as_bytes()[0];
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_path(output)
        .map_err(|e| format!("cannot open the output: {e}"))?;
    let records: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.map(|r| r.iter().map(str::to_owned).collect()))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("the output is not a CSV: {e}"))?;
    let mut expected_header = strings(&entry["header"]);
    expected_header.push("segment".into());
    let (header, rows) = records.split_first().ok_or("the output is empty")?;
    if *header != expected_header {
        return Err(format!("header {header:?}, expected {expected_header:?}"));
    }
    let expected_rows: Vec<Vec<String>> = entry["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(strings)
        .collect();
    if rows.len() != expected_rows.len() {
        return Err(format!(
            "{} rows out, {} rows in",
            rows.len(),
            expected_rows.len()
        ));
    }
    let k: usize = arg_after(args, "--k").unwrap().parse().unwrap();
    let mut sizes = vec![0usize; k];
    for (i, (row, expected)) in rows.iter().zip(&expected_rows).enumerate() {
        let (segment, fields) = row.split_last().unwrap();
        // Formula cells come back escaped (the CLI's default); every other cell byte-identical.
        let expected: Vec<String> = expected
            .iter()
            .map(|cell| escape_formula(cell).into_owned())
            .collect();
        if fields != expected.as_slice() {
            return Err(format!("row {i}: {fields:?}, expected {expected:?}"));
        }
        match segment.parse::<usize>() {
            Ok(s) if (1..=k).contains(&s) => sizes[s - 1] += 1,
            _ => return Err(format!("row {i}: segment {segment:?} not in 1..={k}")),
        }
    }
    let min: f64 = arg_after(args, "--min").unwrap().parse().unwrap();
    let max: f64 = arg_after(args, "--max").unwrap().parse().unwrap();
    let n = rows.len() as f64;
    for (s, &size) in sizes.iter().enumerate() {
        let share = size as f64 / n;
        if share < min - 1e-9 || share > max + 1e-9 {
            return Err(format!(
                "segment {} holds {size} of {n} rows ({share:.3}), outside {min}..{max}",
                s + 1
            ));
        }
    }
    Ok(())
}

fn expectations() -> Value {
    let text = std::fs::read_to_string(corpus_dir().join("expectations.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_corpus_file_gives_its_expected_outcome() {
    let expectations = expectations();
    let entries = expectations["files"].as_array().unwrap();
    assert!(entries.len() >= 60, "{} files", entries.len());
    let out_dir = std::env::temp_dir().join(format!("audience-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).unwrap();
    let failures: Vec<String> = entries
        .iter()
        .filter_map(|entry| {
            check(entry, &out_dir)
                .err()
                .map(|e| format!("{}: {e}", entry["file"].as_str().unwrap()))
        })
        .collect();
    std::fs::remove_dir_all(&out_dir).ok();
    assert!(
        failures.is_empty(),
        "{} of {} files:\n{}",
        failures.len(),
        entries.len(),
        failures.join("\n")
    );
}

#[test]
fn every_corpus_file_has_an_expectation_and_every_expectation_a_file() {
    let expectations = expectations();
    let mut expected: Vec<String> = expectations["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file"].as_str().unwrap().to_owned())
        .collect();
    expected.sort();
    let mut present: Vec<String> = std::fs::read_dir(corpus_dir().join("files"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    present.sort();
    assert_eq!(present, expected);
}

/// The committed corpus is what the generator writes (skipped, with a message, without python3).
#[test]
fn the_generator_reproduces_the_committed_corpus() {
    let out_dir = std::env::temp_dir().join(format!("audience-corpus-gen-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).unwrap();
    let run = Command::new("python3")
        .arg(corpus_dir().join("generate.py"))
        .arg(&out_dir)
        .output();
    let Ok(run) = run else {
        eprintln!("python3 not found: the generator's output was not compared");
        return;
    };
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let committed = corpus_dir();
    let mut names: Vec<String> = std::fs::read_dir(out_dir.join("files"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    for name in &names {
        let fresh = std::fs::read(out_dir.join("files").join(name)).unwrap();
        let old = std::fs::read(committed.join("files").join(name))
            .unwrap_or_else(|_| panic!("{name} is generated but not committed"));
        assert!(fresh == old, "{name} differs from the generator's output");
    }
    let fresh = std::fs::read(out_dir.join("expectations.json")).unwrap();
    let old = std::fs::read(committed.join("expectations.json")).unwrap();
    assert!(
        fresh == old,
        "expectations.json differs from the generator's output"
    );
    std::fs::remove_dir_all(&out_dir).ok();
}
