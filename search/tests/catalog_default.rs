//! The default catalog's committed artifacts (catalog/dist): they load together, the Rust
//! tokenizer and embedder reproduce the Python reference, and the example requests find
//! the right variable families.

use std::sync::{Arc, OnceLock};

use audience_search::{
    catalog_source_fingerprint, embed_catalog, group_by_type, pack, search_columns, Catalog,
    ColumnDescription, SearchAssets, SearchHit, SearchIndex, SearchMode, SearchOptions,
    StaticEmbedder,
};

fn dist(name: &str) -> Vec<u8> {
    let path = format!("{}/../catalog/dist/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let (catalog, vocab, table, graph) = (
            dist("catalog.bin"),
            dist("embed/vocab.txt"),
            dist("embed/table.i8"),
            dist("hnsw.bin"),
        );
        SearchIndex::from_bytes(&SearchAssets {
            catalog: &catalog,
            vocab: &vocab,
            table: &table,
            graph: Some(&graph),
        })
        .expect("the committed artifacts load together")
    })
}

fn top10(query: &str) -> Vec<SearchHit> {
    index().search(query, &SearchOptions::default())
}

fn describe(hits: &[SearchHit]) -> String {
    hits.iter()
        .map(|h| format!("{} {} [{}]", h.code, h.label, h.kind))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_shipped_graph_was_built_on_the_vectors_computed_today() {
    // hnsw.bin's header (see the `ann` module) holds the fingerprint of the vectors it was built
    // on and of what they were computed from. The app checks only the second when it loads, to
    // embed no variable then; this checks that today's code still computes the same vectors from
    // the same source: a change to tokenizing or quantising without raising VECTOR_CODE_VERSION
    // (and rebuilding the graph with catalog/build.sh) fails here.
    let graph = dist("hnsw.bin");
    assert_eq!(&graph[..8], b"ABHNSW03");
    let catalog = index().catalog();
    let embedder = index().embedder();
    let vectors = embed_catalog(catalog, embedder);
    assert_eq!(
        u64::from_le_bytes(graph[16..24].try_into().unwrap()),
        vectors.fingerprint(),
        "the graph was built on other vectors: run catalog/build.sh --skip-distil"
    );
    assert_eq!(
        u64::from_le_bytes(graph[24..32].try_into().unwrap()),
        catalog_source_fingerprint(catalog, embedder),
    );
    assert_eq!(index().store().fingerprint(), vectors.fingerprint());
}

#[test]
fn the_committed_packed_catalog_is_the_packed_jsonl() {
    // catalog.bin is built from catalog.jsonl by `catalog/build.sh` (example catalog_pack); a
    // stale one (the JSON Lines edited, or the analyser changed) fails here.
    let source = Catalog::from_bytes(&dist("catalog.jsonl")).expect("catalog.jsonl loads");
    let packed = pack::pack(&source);
    assert!(
        packed == dist("catalog.bin"),
        "catalog/dist/catalog.bin is not the packed catalog.jsonl: run catalog/build.sh \
         --skip-distil (or the catalog_pack example)"
    );
    assert_eq!(index().catalog(), &source);
}

#[test]
fn default_catalog_has_census_and_authored_variables_and_a_graph() {
    let index = index();
    assert!(index.has_graph());
    let vars = index.catalog().variables();
    let authored = vars
        .iter()
        .filter(|v| v.source == "audience-builder-authored")
        .count();
    assert!(authored >= 300, "{authored} authored variables");
    assert!(
        vars.len() - authored > 46_000,
        "{} census variables",
        vars.len() - authored
    );
    assert!(vars
        .iter()
        .all(|v| !v.table.starts_with("B98") && !v.table.starts_with("B99")));
    assert!(vars
        .iter()
        .all(|v| !v.label.contains("Ã") && !v.label.contains("!!")));
    let light_rail = index.catalog().get("B08006_012E").expect("B08006_012E");
    assert!(
        light_rail.label.contains("carro público"),
        "{}",
        light_rail.label
    );
}

#[test]
fn rust_embedding_matches_the_python_reference_vectors() {
    #[derive(serde::Deserialize)]
    struct Reference {
        text: String,
        tokens: Vec<String>,
        vector: Vec<f64>,
    }
    let references: Vec<Reference> = serde_json::from_slice(&dist("embed/reference.json")).unwrap();
    assert!(references.len() >= 10);
    let embedder =
        StaticEmbedder::from_bytes(&dist("embed/vocab.txt"), &dist("embed/table.i8")).unwrap();
    for r in references {
        assert_eq!(embedder.tokens(&r.text), r.tokens, "tokens of {:?}", r.text);
        let v = embedder
            .embed(&r.text)
            .expect("every reference text has a known token");
        let worst = v
            .iter()
            .zip(&r.vector)
            .map(|(a, b)| (*a as f64 - b).abs())
            .fold(0.0, f64::max);
        assert!(worst <= 1e-5, "{:?}: max abs difference {worst}", r.text);
    }
}

#[test]
fn drive_alone_finds_the_commuting_variables() {
    let hits = top10("people who drive alone to work");
    assert!(
        hits.iter()
            .take(5)
            .filter(|h| h.label.to_lowercase().contains("drove alone"))
            .count()
            >= 3,
        "{}",
        describe(&hits)
    );
    assert!(
        hits[0]
            .matched_terms
            .iter()
            .any(|t| t.contains("drove alone")),
        "{:?}",
        hits[0]
    );
}

#[test]
fn empty_nesters_find_the_life_stage_and_no_children_families() {
    let hits = top10("empty nesters");
    assert!(
        hits.iter().any(|h| h.code == "AB_LIFE_001"),
        "{}",
        describe(&hits)
    );
    assert!(
        hits.iter().any(|h| {
            let l = h.label.to_lowercase();
            l.contains("no own children") || l.contains("no children under 18")
        }),
        "{}",
        describe(&hits)
    );
}

#[test]
fn high_income_homeowners_find_owner_income_brackets() {
    let hits = top10("high-income homeowners");
    let owner_by_income = |h: &&SearchHit| {
        let l = h.label.to_lowercase();
        l.contains("owner")
            && (l.contains("$150,000") || l.contains("$200,000") || l.contains("$100,000"))
    };
    assert!(
        hits.iter().any(|h| owner_by_income(&h)),
        "{}",
        describe(&hits)
    );
    assert!(
        hits.iter()
            .any(|h| h.kind == "housing" && h.label.to_lowercase().contains("owner")),
        "{}",
        describe(&hits)
    );
}

#[test]
fn the_long_request_covers_environment_age_income_and_urban() {
    let hits = top10(
        "environmentally conscious millennials with high disposable income who live in urban areas",
    );
    let any = |pred: &dyn Fn(&SearchHit) -> bool| hits.iter().any(pred);
    let why = describe(&hits);
    assert!(
        any(&|h| h.code.starts_with("AB_ENV_")),
        "environment:\n{why}"
    );
    assert!(
        any(&|h| h.code == "AB_FIN_016"
            || h.label.contains("$200,000")
            || h.label.contains("$150,000")),
        "income:\n{why}"
    );
    assert!(
        any(&|h| h.code.starts_with("AB_GEO_") || h.label.to_lowercase().contains("principal city")),
        "urban:\n{why}"
    );
    assert!(
        any(&|h| [
            "25 to 29 years",
            "30 to 34 years",
            "35 to 39 years",
            "25 to 44 years"
        ]
        .iter()
        .any(|a| h.label.contains(a))),
        "age:\n{why}"
    );
}

#[test]
fn variables_meeting_every_facet_of_a_request_are_not_held_back_by_the_facet_cap() {
    // "married couples" and "children" are two synonym facets; each facet alone may place at most
    // two variables ahead of the rest, but a variable meeting both answers the whole request.
    for mode in [SearchMode::Hybrid, SearchMode::Lexical] {
        let hits = index().search(
            "married couples with children",
            &SearchOptions {
                mode,
                ..SearchOptions::default()
            },
        );
        let both = hits
            .iter()
            .filter(|h| {
                let l = h.label.to_lowercase();
                l.contains("married") && l.contains("children")
            })
            .count();
        assert!(both >= 5, "{mode:?}: {both} of 10\n{}", describe(&hits));
    }
}

#[test]
fn a_synonym_trigger_inside_a_longer_one_does_not_fire() {
    // "single mothers" is a trigger of its own; "singles" (→ people living alone) is inside it.
    let hits = top10("single mothers");
    assert!(
        hits.iter()
            .flat_map(|h| &h.matched_terms)
            .all(|t| !t.starts_with("singles →")),
        "{:#?}",
        hits.iter().map(|h| &h.matched_terms).collect::<Vec<_>>()
    );
    assert!(
        hits.iter().any(|h| {
            let l = h.label.to_lowercase();
            l.contains("female householder") && l.contains("no spouse")
        }),
        "{}",
        describe(&hits)
    );
}

#[test]
fn no_table_family_fills_the_top_ten() {
    for query in [
        "median household income",
        "veterans",
        "people living in poverty",
    ] {
        let hits = top10(query);
        let mut families = std::collections::HashMap::new();
        for h in &hits {
            let v = &index().catalog().variables()[h.index];
            *families.entry(v.table_family()).or_insert(0) += 1;
        }
        assert!(families.values().all(|&n| n <= 2), "{query}: {families:?}");
        assert_eq!(hits.len(), 10);
        assert!(!group_by_type(&hits).is_empty());
    }
}

#[test]
fn search_is_deterministic_and_hnsw_agrees_with_exact_on_the_top_hit() {
    let q = "households without internet access";
    assert_eq!(top10(q), top10(q));
    let semantic = |exact| {
        index().search(
            q,
            &SearchOptions {
                mode: SearchMode::Semantic,
                exact,
                max_per_table: 0,
                ..SearchOptions::default()
            },
        )
    };
    assert_eq!(semantic(true)[0].code, semantic(false)[0].code);
}

#[test]
fn user_columns_are_searched_and_linked() {
    let columns = vec![
        ColumnDescription::new("customer_id", vec!["C-0001".into(), "C-0002".into()]),
        ColumnDescription::new(
            "commute_mode",
            vec!["Drove alone".into(), "Bus".into(), "Bicycle".into()],
        ),
        ColumnDescription::new(
            "HouseholdIncome",
            vec!["$50,000 to $74,999".into(), "$200,000 or more".into()],
        ),
        ColumnDescription::new("recycles", vec!["yes".into(), "no".into()]),
    ];
    let embedder: Arc<StaticEmbedder> = index().embedder().clone();
    let hits = search_columns(
        "people who drive alone to work",
        &columns,
        embedder.clone(),
        &SearchOptions::default(),
    )
    .unwrap();
    assert_eq!(hits[0].index, 1, "{hits:?}");
    let hits = search_columns(
        "affluent households",
        &columns,
        embedder.clone(),
        &SearchOptions::default(),
    )
    .unwrap();
    assert_eq!(hits[0].index, 2, "{hits:?}");
    let hits = search_columns(
        "environmentally friendly",
        &columns,
        embedder,
        &SearchOptions::default(),
    )
    .unwrap();
    assert_eq!(hits[0].index, 3, "{hits:?}");

    let links = index().link_columns(&columns[1..], 5);
    assert_eq!(links.len(), 3);
    assert!(
        links[0]
            .candidates
            .iter()
            .any(|h| h.table.starts_with("B08")),
        "{:?}",
        links[0]
    );
    let income = |h: &SearchHit| {
        let v = &index().catalog().variables()[h.index];
        v.concept.to_lowercase().contains("income") && h.label.contains("$50,000 to $74,999")
    };
    assert!(links[1].candidates.iter().any(income), "{:?}", links[1]);
    assert!(
        links[2]
            .candidates
            .iter()
            .any(|h| h.code.starts_with("AB_ENV_")),
        "{:?}",
        links[2]
    );
}

#[test]
fn a_user_catalog_in_csv_is_searchable_without_a_graph() {
    let csv = "code,label,concept,type,data_type,values\n\
               LOY1,Loyalty tier,CRM,behavioural,ordinal,bronze|silver|gold\n\
               AGE1,Age band,Demographics,demographic,ordinal,18-24|25-34|35-44\n";
    let index = SearchIndex::from_bytes(&SearchAssets {
        catalog: csv.as_bytes(),
        vocab: &dist("embed/vocab.txt"),
        table: &dist("embed/table.i8"),
        graph: None,
    })
    .unwrap();
    assert!(!index.has_graph());
    let hits = index.search("gold status members", &SearchOptions::default());
    assert_eq!(hits[0].code, "LOY1", "{hits:?}");
    assert!(index.search("   ", &SearchOptions::default()).is_empty());
}
