//! The user's columns (issue #16, item 4): coded headers get no made-up relevance until a data
//! dictionary or a typed description says what they hold; then the search uses it.

use std::sync::Arc;

use audience_search::{
    search_columns, ColumnDescription, ColumnDictionary, SearchOptions, StaticEmbedder,
};

fn embedder() -> Arc<StaticEmbedder> {
    let dist = |name: &str| {
        let path = format!("{}/../catalog/dist/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    Arc::new(StaticEmbedder::from_bytes(&dist("embed/vocab.txt"), &dist("embed/table.i8")).unwrap())
}

/// Four columns of the insurance extract (coded, Dutch abbreviations) and two plain ones.
fn columns() -> Vec<ColumnDescription> {
    vec![
        ColumnDescription::new("MOSTYPE", vec!["33".into(), "37".into()]),
        ColumnDescription::new("MRELSA", vec!["0".into(), "1".into()]),
        ColumnDescription::new("PBRAND", vec!["0".into(), "5".into()]),
        ColumnDescription::new("MGEMLEEF", vec!["2".into(), "3".into()]),
        ColumnDescription::new("age", vec![]),
        ColumnDescription::new("recycles", vec!["yes".into(), "no".into()]),
    ]
}

#[test]
fn coded_headers_are_of_unknown_meaning_and_plain_ones_are_not() {
    let e = embedder();
    let unknown: Vec<bool> = columns().iter().map(|c| c.meaning_unknown(&e)).collect();
    assert_eq!(unknown, vec![true, true, true, true, false, false]);
    for plain in ["contact", "commute_mode", "HouseholdIncome", "pdays_since"] {
        assert!(
            !ColumnDescription::new(plain, vec![]).meaning_unknown(&e),
            "{plain}"
        );
    }
}

#[test]
fn coded_columns_get_no_relevance_until_a_dictionary_describes_them() {
    let e = embedder();
    let mut cols = columns();
    for query in [
        "married couples",
        "fire insurance policy holders",
        "manicurists",
    ] {
        let hits = search_columns(query, &cols, e.clone(), &SearchOptions::default()).unwrap();
        assert!(
            hits.iter().all(|h| h.index >= 4),
            "{query}: a coded column was given relevance: {hits:?}"
        );
    }
    let dictionary = ColumnDictionary::from_csv(
        "column,description\n\
         MOSTYPE,Customer subtype\n\
         MRELSA,Married (share of households in the postcode)\n\
         PBRAND,\"Contribution to fire insurance policies\"\n",
    )
    .unwrap();
    assert!(dictionary.describe(&mut cols).is_empty());
    assert!(!cols[1].meaning_unknown(&e));
    assert!(cols[3].meaning_unknown(&e), "MGEMLEEF is still undescribed");
    let hits = search_columns(
        "married couples",
        &cols,
        e.clone(),
        &SearchOptions::default(),
    )
    .unwrap();
    assert_eq!(hits[0].index, 1, "{hits:?}");
    let hits = search_columns(
        "fire insurance policy holders",
        &cols,
        e.clone(),
        &SearchOptions::default(),
    )
    .unwrap();
    assert_eq!(hits[0].index, 2, "{hits:?}");
    // A description typed by the user works the same way.
    cols[3].description = Some("Average age in the postcode".into());
    let hits = search_columns("average age", &cols, e, &SearchOptions::default()).unwrap();
    assert!(hits.iter().take(2).any(|h| h.index == 3), "{hits:?}");
}

#[test]
fn coded_columns_are_linked_to_no_catalog_variable() {
    let dist = |name: &str| {
        let path = format!("{}/../catalog/dist/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap()
    };
    let (catalog, vocab, table) = (
        dist("catalog.bin"),
        dist("embed/vocab.txt"),
        dist("embed/table.i8"),
    );
    let index = audience_search::SearchIndex::from_bytes(&audience_search::SearchAssets {
        catalog: &catalog,
        vocab: &vocab,
        table: &table,
        graph: None,
    })
    .unwrap();
    let mut cols = columns();
    let links = index.link_columns(&cols, 2);
    assert!(links[1].candidates.is_empty(), "MRELSA: {:?}", links[1]);
    assert!(!links[4].candidates.is_empty(), "age");
    cols[1].description = Some("Married".into());
    let links = index.link_columns(&cols, 2);
    assert!(!links[1].candidates.is_empty());
}
