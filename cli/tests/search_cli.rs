//! `audience search` end to end, through the real binary: the built-in catalog with its HNSW graph
//! (loaded by `audience-search` without its graph-building feature), a user catalog searched
//! exactly, and the messages for unusable requests.

mod common;

use common::{audience, Run};

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn the_built_in_catalog_finds_the_commuting_variables_through_its_graph() {
    let Run {
        ok,
        stdout: out,
        stderr: err,
    } = audience(&[
        "search",
        "people who drive alone to work",
        "--json",
        "--top",
        "5",
        "--variables",
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
    let Run {
        ok,
        stdout: out,
        stderr: err,
    } = audience(&[
        "search",
        "homeowners",
        "--catalog",
        catalog,
        "--json",
        "--variables",
    ]);
    assert!(ok, "{err}");
    let doc = json(&out);
    assert_eq!(doc["catalog_variables"], 2);
    assert_eq!(doc["hits"][0]["code"], "B25003_002E", "{out}");

    let Run {
        ok,
        stdout: out,
        stderr: err,
    } = audience(&[
        "search",
        "drive alone",
        "--catalog",
        catalog,
        "--top",
        "1",
        "--variables",
    ]);
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
fn results_are_concepts_with_the_variable_a_marketer_means_preselected() {
    let Run {
        ok,
        stdout: out,
        stderr: err,
    } = audience(&["search", "median household income"]);
    assert!(ok, "{err}");
    assert!(
        out.starts_with("10 concepts for \"median household income\" (of 47049 variables)"),
        "{out}"
    );
    let first = out.split("\n  2. ").next().unwrap();
    assert!(
        first.contains("1. Median household income in the past 12 months (in 2019 inflation-adjusted dollars) (B19013) · 1 variable  [financial]")
            && first.contains("✓ B19013_001E"),
        "{out}"
    );

    let Run {
        ok,
        stdout: out,
        stderr: err,
    } = audience(&["search", "homeowners", "--json"]);
    assert!(ok, "{err}");
    let doc = json(&out);
    let concepts = doc["concepts"].as_array().unwrap();
    assert_eq!(concepts.len(), 10);
    let mut tables: Vec<&str> = concepts
        .iter()
        .map(|c| c["table"].as_str().unwrap())
        .collect();
    tables.sort_unstable();
    tables.dedup();
    assert_eq!(tables.len(), 10, "ten different tables: {out}");
    let tenure = concepts.iter().find(|c| c["table"] == "B25003").unwrap();
    assert_eq!(tenure["variables"][0]["label"], "Owner occupied");
    assert_eq!(tenure["selected"], 1);
}

#[test]
fn unusable_requests_say_what_to_do_instead() {
    let Run {
        ok,
        stdout: _,
        stderr: err,
    } = audience(&["search", "  "]);
    assert!(!ok);
    assert!(
        err.contains("the search is empty")
            && err.contains("audience search \"high-income homeowners\""),
        "{err}"
    );

    let Run {
        ok,
        stdout: _,
        stderr: err,
    } = audience(&["search", "renters", "--top", "0"]);
    assert!(!ok);
    assert!(err.contains("use --top 1 or more"), "{err}");

    let Run {
        ok,
        stdout: _,
        stderr: err,
    } = audience(&["search", "renters", "--catalog", "no-such-catalog.csv"]);
    assert!(!ok);
    assert!(
        err.contains("cannot read the catalog no-such-catalog.csv") && err.contains("--catalog"),
        "{err}"
    );
}
