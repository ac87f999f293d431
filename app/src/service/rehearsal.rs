//! A rehearsal: one small segmentation of made-up rows in a session of its own, which the worker runs
//! once while it waits for the user, so that the user's first segmentation runs on optimised code.
//!
//! Browsers run WebAssembly first as quickly compiled baseline code and compile a function again,
//! optimised, only once it has run for a while; a call already under way keeps its baseline code. On the
//! demo (5,000 rows) the worker took 0.6–0.76 s for a first segmentation and 0.23–0.35 s for the next
//! one in the same page. The rehearsal's rows are generated here, never shown, and its session is dropped:
//! it reads nothing of the user's and changes nothing they see.

use super::suggestions::catalog_answer;
use super::Session;
use crate::protocol::{
    CatalogAnswer, ColumnsToSearch, Request, Response, SegmentSettings, VariableChoice,
};
use audience_engine::cluster::ShareBounds;
use audience_search::ColumnDescription;
use std::fmt::Write;

/// Rows in the engine worker's own rehearsal: enough for the hot loops of reading, encoding, the bounded
/// fit, the profiles and the plot to be optimised, few enough to take a fraction of a second on baseline
/// code (natively 0.06 s; 1,500 rows took 0.28 s natively and 0.53 s in a fresh worker), since a request
/// that comes meanwhile waits for it.
pub const REHEARSAL_ROWS: usize = 400;

/// Rows in the warm-up worker's rehearsal (see `bridge`): it runs beside the engine worker, so nothing
/// waits for it, and on this many rows also the loops that run once per segmentation over every row (a
/// profile's counts, every trait's lift in every segment, the scatter's projection) have run long enough
/// to be optimised; 400 rows left them as baseline code, a quarter of the worker's time on a 100k-row file.
pub const WARM_UP_ROWS: usize = 2000;

/// Reads, segments (5–10 % bounds, k chosen automatically, as the page's defaults) and profiles `rows`
/// made-up customers ([`REHEARSAL_ROWS`], [`WARM_UP_ROWS`]), then writes the results as the worker's reply
/// would be written. Returns the response so that tests can see it succeeded; the worker drops it.
pub fn rehearse(rows: usize) -> Response {
    let mut session = Session::new();
    let file = rehearsal_csv(rows);
    let loaded = session.handle(
        Request::LoadFile {
            file_name: "rehearsal.csv".into(),
            header: Default::default(),
        },
        Some(file.as_bytes()),
        &mut |_| {},
    );
    if matches!(loaded, Response::Failed(_)) {
        return loaded;
    }
    let variables = ["Region", "Channel", "Age", "Plan"]
        .into_iter()
        .map(|column| VariableChoice {
            column: column.into(),
            weight: 1.0,
        })
        .collect();
    let settings = SegmentSettings {
        variables,
        bounds: Some(ShareBounds::default()),
        k: None,
        seed: 42,
        target: Some("Converted".into()),
        description: REHEARSAL_DESCRIPTION.into(),
        tiers: Default::default(),
        positive_value: None,
        filter: None,
    };
    let response = session.handle(Request::Segment(settings), None, &mut |_| {});
    // The reply is written as JSON text on its way to the page: rehearse that too.
    let _ = serde_json::to_string(&response);
    response
}

/// The description the rehearsals use.
const REHEARSAL_DESCRIPTION: &str = "young urban customers with a high yearly spend";

/// Searches the catalog installed in `session` once, as a suggestion does ([`catalog_answer`]), for a
/// made-up description and the rehearsal file's made-up columns, so that the user's first Find variables
/// runs on optimised code: in Chromium the catalog worker's first search took 0.15 s against 0.02 s for
/// the next. `None` without a catalog. The catalog worker runs it once, after it has computed the
/// catalog's item vectors, unless the user has searched already.
pub fn rehearse_search(session: &Session) -> Option<CatalogAnswer> {
    let catalog = session.catalog.as_ref()?;
    let columns: [(&str, &[&str]); 5] = [
        ("Region", &REGIONS),
        ("Channel", &CHANNELS),
        ("Age", &[]),
        ("Yearly spend", &[]),
        ("Plan", &PLANS),
    ];
    let to_search = ColumnsToSearch {
        query: REHEARSAL_DESCRIPTION.into(),
        candidates: (0..columns.len()).collect(),
        descriptions: columns
            .iter()
            .map(|(name, values)| {
                ColumnDescription::new(
                    (*name).to_owned(),
                    values
                        .iter()
                        .filter(|value| !value.is_empty())
                        .map(|value| (*value).to_owned())
                        .collect(),
                )
            })
            .collect(),
    };
    catalog_answer(catalog, &to_search, None).ok()
}

/// The rehearsal file's regions, channels and plans (a plan may be missing).
const REGIONS: [&str; 5] = ["North", "South", "East", "West", "Central"];
const CHANNELS: [&str; 4] = ["Referral", "Search", "Social", "Event"];
const PLANS: [&str; 3] = ["Basic", "Plus", ""];

/// `rows` made-up customers: two text columns, two numbers, a text column with gaps and a yes/no
/// conversion column, from a fixed pseudo-random sequence (the same file every time).
fn rehearsal_csv(rows: usize) -> String {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        // SplitMix64.
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut csv = String::with_capacity(rows * 48);
    csv.push_str("Region,Channel,Age,Yearly spend,Plan,Converted\n");
    for _ in 0..rows {
        let region = REGIONS[(next() % 5) as usize];
        let channel = CHANNELS[(next() % 4) as usize];
        let age = 18 + next() % 60;
        let spend = 100 + next() % 9_900;
        let plan = PLANS[(next() % 3) as usize];
        let converted = if next() % 10 == 0 { "yes" } else { "no" };
        // Writing to a String cannot fail.
        let _ = writeln!(csv, "{region},{channel},{age},{spend},{plan},{converted}");
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_rehearsals_segment_their_rows_within_the_page_default_bounds() {
        for rows in [REHEARSAL_ROWS, WARM_UP_ROWS] {
            let Response::Segmented(results) = rehearse(rows) else {
                panic!("the rehearsal of {rows} rows did not segment");
            };
            let sizes: Vec<usize> = results
                .report
                .personas
                .iter()
                .map(|persona| persona.size)
                .collect();
            assert_eq!(sizes.iter().sum::<usize>(), rows);
            // 5 % to 10 % of the rows each (20 to 40 of 400, 100 to 200 of 2,000).
            assert!(
                sizes
                    .iter()
                    .all(|&size| size * 20 >= rows && size * 10 <= rows),
                "{rows}: {sizes:?}"
            );
        }
    }

    #[test]
    fn the_search_rehearsal_answers_for_each_made_up_column_once_a_catalog_is_installed() {
        let mut session = Session::new();
        assert_eq!(rehearse_search(&session), None);
        assert!(matches!(
            super::super::tests::install_default_catalog(&mut session),
            Response::CatalogReady { .. }
        ));
        let answer = rehearse_search(&session).expect("a catalog is installed");
        assert_eq!(answer.columns.len(), 5);
        assert!(!answer.catalog.is_empty());
    }

    #[test]
    fn the_rehearsal_file_is_the_same_every_time() {
        assert_eq!(rehearsal_csv(50), rehearsal_csv(50));
        assert_eq!(rehearsal_csv(50).lines().count(), 51);
    }
}
