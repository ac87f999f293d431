//! `audience search` end to end, through the real binary: the built-in catalog with its HNSW graph
//! (loaded by `audience-search` without its graph-building feature), a user catalog searched
//! exactly, and the messages for unusable requests.

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

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn the_built_in_catalog_finds_the_commuting_variables_through_its_graph() {
    let (ok, out, err) = audience(&[
        "search",
        "people who drive alone to work",
        "--json",
        "--top",
        "5",
    ]);
    assert!(ok, "{err}");
    let doc = json(&out);
    assert_eq!(doc["catalog_variables"], 47_049);
    let hits = doc["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 5);
    let label = hits[0]["label"].as_str().unwrap().to_lowercase();
    assert!(label.contains("drove alone"), "{out}");
}

#[test]
fn a_user_catalog_in_csv_is_searched_and_printed_by_type() {
    let path = std::env::temp_dir().join(format!("audience-search-cli-{}.csv", std::process::id()));
    std::fs::write(
        &path,
        "code,label,concept,type,data_type\n\
         B08301_003E,Car truck or van / Drove alone,Means of transportation to work,transportation,numeric\n\
         B25003_002E,Owner occupied,Tenure,housing,numeric\n",
    )
    .unwrap();
    let catalog = path.to_str().unwrap();
    let (ok, out, err) = audience(&["search", "homeowners", "--catalog", catalog, "--json"]);
    assert!(ok, "{err}");
    let doc = json(&out);
    assert_eq!(doc["catalog_variables"], 2);
    assert_eq!(doc["hits"][0]["code"], "B25003_002E", "{out}");

    let (ok, out, err) = audience(&["search", "drive alone", "--catalog", catalog, "--top", "1"]);
    std::fs::remove_file(&path).unwrap();
    assert!(ok, "{err}");
    assert!(
        out.starts_with("1 variables for \"drive alone\" (of 2):"),
        "{out}"
    );
    assert!(out.contains("TRANSPORTATION"), "{out}");
    assert!(out.contains("1. B08301_003E"), "{out}");
}

#[test]
fn unusable_requests_say_what_to_do_instead() {
    let (ok, _, err) = audience(&["search", "  "]);
    assert!(!ok);
    assert!(
        err.contains("the search is empty")
            && err.contains("audience search \"high-income homeowners\""),
        "{err}"
    );

    let (ok, _, err) = audience(&["search", "renters", "--top", "0"]);
    assert!(!ok);
    assert!(err.contains("use --top 1 or more"), "{err}");

    let (ok, _, err) = audience(&["search", "renters", "--catalog", "no-such-catalog.csv"]);
    assert!(!ok);
    assert!(
        err.contains("cannot read the catalog no-such-catalog.csv") && err.contains("--catalog"),
        "{err}"
    );
}
