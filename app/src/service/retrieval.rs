//! Retrieval: public census values for the file's ZIP codes, appended as segmentation columns.
//!
//! The worker hands the session the census manifest and ZIP index once (with the catalog), then the
//! measure files a request needs ([`Session::census_files_missing`] names them); the session never fetches.
//! Retrieved columns are named by their catalog code and are area-level: personas word them as where the
//! customers live (the engine's [`retrieve::mark_area_level`]), never as traits of the customers.

use audience_engine::retrieve::{
    self, detect_zip_column, CensusData, Manifest, RetrieveError, RetrieveRequest,
};
use audience_engine::table::Table;

use super::{ServiceError, Session};
use crate::protocol::{CatalogHit, DatasetPreview, RetrievalCoverage, RetrievedColumn};

impl Session {
    /// Installs the census manifest and ZIP index (the bytes of `manifest.json` and its index file).
    pub fn install_census(&mut self, manifest: &[u8], index: &[u8]) -> Result<(), ServiceError> {
        let manifest = Manifest::from_json(manifest).map_err(ServiceError::Retrieve)?;
        self.census = Some(CensusData::new(manifest, index).map_err(ServiceError::Retrieve)?);
        Ok(())
    }

    /// The census manifest, once installed.
    pub fn census_manifest(&self) -> Option<&Manifest> {
        self.census.as_ref().map(CensusData::manifest)
    }

    /// The measure files `codes` need that have not been added yet, to fetch from the census folder.
    pub fn census_files_missing(&self, codes: &[String]) -> Result<Vec<String>, ServiceError> {
        let census = self.census.as_ref().ok_or(ServiceError::NoCensus)?;
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let files = census
            .manifest()
            .files_for(codes)
            .map_err(ServiceError::Retrieve)?;
        let measures = census
            .manifest()
            .resolve(codes)
            .map_err(ServiceError::Retrieve)?;
        Ok(files
            .into_iter()
            .skip(1) // the index, installed with the manifest
            .filter(|file| {
                measures
                    .iter()
                    .find(|m| m.file == *file)
                    .is_some_and(|m| !self.loaded_measures.contains(&m.id))
            })
            .map(str::to_owned)
            .collect())
    }

    /// Adds the bytes of one measure file.
    pub fn add_census_file(&mut self, file: &str, bytes: &[u8]) -> Result<(), ServiceError> {
        let census = self.census.as_mut().ok_or(ServiceError::NoCensus)?;
        census
            .add_measure(file, bytes)
            .map_err(ServiceError::Retrieve)?;
        if let Some(measure) = census.manifest().measures().iter().find(|m| m.file == file) {
            self.loaded_measures.push(measure.id.clone());
        }
        Ok(())
    }

    /// The loaded file's ZIP column, when the census data is installed and the file has one.
    pub(super) fn zip_column(&self) -> Option<String> {
        let census = self.census.as_ref()?;
        let table = &self.dataset.as_ref()?.table;
        detect_zip_column(table, None, census.index())
            .ok()
            .map(|(index, _)| table.columns()[index].name.clone())
    }

    /// Appends one column per code (replacing the columns an earlier retrieval added), in the codes' sorted
    /// order; no codes removes them. Results of an earlier segmentation no longer describe the table and
    /// are dropped.
    ///
    /// Sorted, not in the order they were ticked: the table's column order is the matrix's, so the same
    /// codes give the same segments whichever the user ticked first.
    #[inline(never)]
    pub(super) fn retrieve_codes(
        &mut self,
        mut codes: Vec<String>,
    ) -> Result<DatasetPreview, ServiceError> {
        codes.sort_unstable();
        codes.dedup();
        let census = self.census.as_ref().ok_or(ServiceError::NoCensus)?;
        let dataset = self.dataset.as_mut().ok_or(ServiceError::NoFile)?;
        let previous: Vec<String> = dataset
            .retrieval
            .as_ref()
            .map(|r| r.columns.iter().map(|c| c.code.clone()).collect())
            .unwrap_or_default();
        let kept: Vec<_> = dataset
            .table
            .columns()
            .iter()
            .filter(|c| !previous.contains(&c.name))
            .cloned()
            .collect();
        let table = Table::new(kept)?;
        if codes.is_empty() {
            dataset.extend(table);
            dataset.retrieval = None;
            self.results = None;
            return Ok(dataset.current_preview());
        }
        let retrieved = retrieve::retrieve(&table, census, &RetrieveRequest::new(codes))
            .map_err(ServiceError::Retrieve)?;
        let manifest = census.manifest();
        dataset.retrieval = Some(RetrievalCoverage {
            zip_column: retrieved.zip_column,
            columns: retrieved
                .coverage
                .variables
                .iter()
                .zip(&retrieved.measures)
                .map(|(variable, measure)| RetrievedColumn {
                    code: variable.code.clone(),
                    label: measure.label.clone(),
                    vintage: measure.vintage.clone(),
                    source: manifest.source.clone(),
                })
                .collect(),
            coverage: retrieved.coverage,
            small_area_population: manifest.small_area_population,
            attribution: manifest.attribution.clone(),
        });
        dataset.extend(retrieved.table);
        self.results = None;
        Ok(dataset.current_preview())
    }
}

/// Puts retrievable hits first within each run of equally relevant neighbours; the search's order is
/// otherwise kept.
pub(super) fn retrievable_first(hits: &mut [CatalogHit]) {
    let mut start = 0;
    while start < hits.len() {
        let score = hits[start].score;
        let end = start
            + hits[start..]
                .iter()
                .take_while(|h| h.score == score)
                .count();
        hits[start..end].sort_by_key(|h| !h.retrievable); // stable: false (retrievable) first
        start = end;
    }
}

/// Whether a failure to retrieve is the user's to fix (no ZIP column, a code that cannot be retrieved).
pub(super) fn is_settings_error(error: &RetrieveError) -> bool {
    matches!(
        error,
        RetrieveError::NoCodes
            | RetrieveError::NotRetrievable { .. }
            | RetrieveError::NoZipColumn { .. }
            | RetrieveError::UnknownZipColumn { .. }
            | RetrieveError::ColumnExists { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Request, Response, SegmentSettings, VariableChoice};
    use audience_engine::ingest::HeaderMode;

    const CUSTOMERS: &[u8] = include_bytes!("../../../tests/fixtures/customers-zip.csv");
    const CENSUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog/dist/census/");
    const INCOME: &str = "B19013_001E";

    fn census_file(name: &str) -> Vec<u8> {
        std::fs::read(format!("{CENSUS}{name}")).unwrap()
    }

    /// A session with the customer fixture loaded and the census manifest and index installed.
    fn session() -> Session {
        let mut session = Session::new();
        let loaded = session.handle(
            Request::LoadFile {
                file_name: "customers-zip.csv".into(),
                header: HeaderMode::Auto,
            },
            Some(CUSTOMERS),
            &mut |_| {},
        );
        assert!(matches!(loaded, Response::Loaded(_)), "{loaded:?}");
        session
            .install_census(&census_file("manifest.json"), &census_file("zips.bin"))
            .unwrap();
        session
    }

    fn retrieve(session: &mut Session, codes: &[&str]) -> Response {
        for file in session
            .census_files_missing(&codes.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>())
            .unwrap()
        {
            session.add_census_file(&file, &census_file(&file)).unwrap();
        }
        session.handle(
            Request::Retrieve {
                base_url: "catalog".into(),
                codes: codes.iter().map(|c| (*c).to_owned()).collect(),
            },
            None,
            &mut |_| {},
        )
    }

    #[test]
    fn only_the_measure_files_not_yet_loaded_are_asked_for() {
        let mut session = session();
        let codes = vec![INCOME.to_owned()];
        assert_eq!(
            session.census_files_missing(&codes).unwrap(),
            vec!["median_household_income.bin".to_owned()]
        );
        session
            .add_census_file(
                "median_household_income.bin",
                &census_file("median_household_income.bin"),
            )
            .unwrap();
        assert!(session.census_files_missing(&codes).unwrap().is_empty());
    }

    #[test]
    fn retrieving_income_appends_a_column_and_counts_every_row() {
        let mut session = session();
        let Response::Retrieved(preview) = retrieve(&mut session, &[INCOME]) else {
            panic!("expected a retrieval");
        };
        assert_eq!(preview.n_rows, 20, "no row is dropped");
        assert_eq!(preview.columns.last().unwrap().name, INCOME);
        let retrieval = preview.retrieval.unwrap();
        assert_eq!(retrieval.zip_column, "zip");
        let c = &retrieval.coverage;
        assert_eq!((c.rows, c.invalid, c.blank), (20, 1, 1));
        assert_eq!(c.county, 1, "the PO Box 02238 gets its county's value");
        assert_eq!((c.zcta, c.small_area, c.unmatched), (17, 0, 0));
        assert_eq!(
            c.zcta + c.county + c.small_area + c.unmatched + c.invalid + c.blank,
            20
        );
        assert_eq!(retrieval.columns[0].label, "Median household income");
        assert!(retrieval.attribution.contains("GeoNames"));
        // Row C001 (94507) is top-coded: written as its bound.
        let income = session
            .dataset
            .as_ref()
            .unwrap()
            .table
            .column(INCOME)
            .unwrap();
        assert_eq!(income.number(0), Some(250_000.0));
        assert_eq!(income.number(2), Some(117_124.0));
        assert_eq!(
            income.number(3),
            Some(117_124.0),
            "the 4-digit 2139 is 02139"
        );
        assert_eq!(income.number(9), None, "blank");
        assert_eq!(income.number(10), None, "not a US ZIP");
    }

    #[test]
    fn retrieving_again_replaces_the_columns_and_no_codes_removes_them() {
        let mut session = session();
        retrieve(&mut session, &[INCOME]);
        let Response::Retrieved(preview) = retrieve(&mut session, &[INCOME]) else {
            panic!("expected a retrieval");
        };
        assert_eq!(preview.n_columns, 5, "the income column once");
        let Response::Retrieved(preview) = retrieve(&mut session, &[]) else {
            panic!("expected a retrieval");
        };
        assert_eq!(preview.n_columns, 4);
        assert!(preview.retrieval.is_none());
    }

    #[test]
    fn a_code_that_cannot_be_retrieved_names_the_closest_ones() {
        let mut session = session();
        let Response::Failed(failure) = session.handle(
            Request::Retrieve {
                base_url: "catalog".into(),
                codes: vec!["B19013_999E".into()],
            },
            None,
            &mut |_| {},
        ) else {
            panic!("expected a failure");
        };
        assert_eq!(failure.kind, crate::protocol::FailureKind::Settings);
        assert!(
            failure.message.contains("B19013_001E"),
            "{}",
            failure.message
        );
    }

    #[test]
    fn retrieval_before_the_census_files_arrive_says_to_wait() {
        let mut session = Session::new();
        session.handle(
            Request::LoadFile {
                file_name: "customers-zip.csv".into(),
                header: HeaderMode::Auto,
            },
            Some(CUSTOMERS),
            &mut |_| {},
        );
        let Response::Failed(failure) = session.handle(
            Request::Retrieve {
                base_url: "catalog".into(),
                codes: vec![INCOME.into()],
            },
            None,
            &mut |_| {},
        ) else {
            panic!("expected a failure");
        };
        assert_eq!(failure.kind, crate::protocol::FailureKind::NotReady);
    }

    #[test]
    fn the_same_codes_and_columns_in_any_order_give_the_same_segments() {
        const AGE: &str = "B01002_001E";
        let run = |codes: &[&str], columns: &[&str]| {
            let mut session = session();
            let Response::Retrieved(preview) = retrieve(&mut session, codes) else {
                panic!("expected a retrieval");
            };
            let names: Vec<String> = preview.columns.iter().map(|c| c.name.clone()).collect();
            let mut settings = SegmentSettings::on_columns(columns, 3, 7);
            for choice in &mut settings.variables {
                if choice.column == "spend" {
                    choice.weight = 2.0;
                }
            }
            let Response::Segmented(results) =
                session.handle(Request::Segment(settings), None, &mut |_| {})
            else {
                panic!("expected results");
            };
            let labels = session
                .results
                .as_ref()
                .unwrap()
                .segmentation
                .labels
                .clone();
            let personas: Vec<String> = results
                .report
                .personas
                .iter()
                .map(|p| p.name.clone())
                .collect();
            (names, labels, results.segmentation.cost.to_bits(), personas)
        };
        let ticked = run(&[INCOME, AGE], &["orders", "spend", INCOME, AGE]);
        let reversed = run(&[AGE, INCOME], &[AGE, INCOME, "spend", "orders"]);
        assert_eq!(
            ticked.0[4..],
            [AGE, INCOME],
            "retrieved columns in code order"
        );
        assert_eq!(ticked, reversed);
        assert_eq!(ticked.1.len(), 20);
    }

    #[test]
    fn personas_word_a_retrieved_column_as_where_customers_live_with_source_and_vintage() {
        let mut session = session();
        retrieve(&mut session, &[INCOME]);
        let settings = SegmentSettings {
            variables: vec![VariableChoice {
                column: INCOME.into(),
                weight: 1.0,
            }],
            bounds: None,
            k: Some(2),
            seed: 7,
            target: None,
            description: String::new(),
            tiers: Default::default(),
            positive_value: None,
            filter: None,
        };
        let Response::Segmented(results) =
            session.handle(Request::Segment(settings), None, &mut |_| {})
        else {
            panic!("expected results");
        };
        assert_area_level(&results.report);
        // Switching the tiers profiles again: the census column stays worded as the area's.
        let Response::Personas(retiered) = session.handle(
            Request::Tiers {
                tiers: audience_engine::profile::TierChoice::Lift,
            },
            None,
            &mut |_| {},
        ) else {
            panic!("expected re-tiered personas");
        };
        assert_area_level(&retiered);
    }

    fn assert_area_level(report: &audience_engine::profile::PersonaReport) {
        let income_traits: Vec<_> = report
            .personas
            .iter()
            .flat_map(|p| p.traits.iter().chain(&p.name_basis))
            .filter(|t| t.column == INCOME)
            .collect();
        assert!(!income_traits.is_empty(), "income defines the segments");
        for persona in &report.personas {
            for text in [&persona.name, &persona.summary] {
                assert!(
                    !text.contains("B19013"),
                    "the code is not shown as a trait: {text}"
                );
            }
        }
        assert!(
            report
                .personas
                .iter()
                .any(|p| p.summary.contains("ZIP-area median household income")),
            "the summary names the area's income"
        );
        for item in income_traits {
            assert!(
                item.phrase
                    .starts_with("lives in ZIP codes where the median household income is $"),
                "{}",
                item.phrase
            );
            let source = item.area_level.as_ref().expect("marked area-level");
            assert_eq!(
                source.vintage,
                "ACS 2018–2022 5-year, ZIP Code Tabulation Areas"
            );
            assert!(source.source.contains("American Community Survey"));
        }
    }

    #[test]
    fn income_is_among_the_matches_for_affluent_households_and_available_for_the_file() {
        let mut session = session();
        let installed = crate::service::tests::install_default_catalog(&mut session);
        assert!(
            matches!(installed, Response::CatalogReady { .. }),
            "{installed:?}"
        );
        let suggest = |session: &mut Session| {
            let Response::Suggestions(suggestions) = session.handle(
                Request::Suggest {
                    query: "affluent households with high income".into(),
                    data_kind: None,
                    withheld: Vec::new(),
                },
                None,
                &mut |_| {},
            ) else {
                panic!("expected suggestions");
            };
            suggestions
                .catalog
                .into_iter()
                .flat_map(|group| group.hits)
                .collect::<Vec<_>>()
        };
        let hits = suggest(&mut session);
        let income = hits
            .iter()
            .find(|hit| hit.code == INCOME)
            .expect("income matches");
        assert!(income.retrievable, "available for a file with ZIP codes");
        assert!(
            hits.iter().all(|hit| !hit.retrievable
                || session.census_manifest().unwrap().is_retrievable(&hit.code)),
            "only census measures are marked"
        );
        // A file without a ZIP column: nothing is available for it.
        session.handle(
            Request::LoadFile {
                file_name: "no-zip.csv".into(),
                header: HeaderMode::Auto,
            },
            Some(b"id,spend\n1,10\n2,20\n3,30\n"),
            &mut |_| {},
        );
        assert!(suggest(&mut session).iter().all(|hit| !hit.retrievable));
    }

    #[test]
    fn retrievable_hits_come_first_among_equally_relevant_ones_only() {
        let hit = |code: &str, score: f64, retrievable: bool| CatalogHit {
            code: code.into(),
            label: code.into(),
            table: String::new(),
            score,
            matched_terms: Vec::new(),
            retrievable,
            ..CatalogHit::default()
        };
        let mut hits = vec![
            hit("A", 0.9, false),
            hit("B", 0.5, false),
            hit("C", 0.5, true),
            hit("E", 0.5, true),
            hit("D", 0.7, true),
            hit("F", 0.5, false),
        ];
        retrievable_first(&mut hits);
        let order: Vec<&str> = hits.iter().map(|h| h.code.as_str()).collect();
        // Ties B, C, E: C and E move up; D (more relevant but ranked lower by the search) stays put.
        assert_eq!(order, ["A", "C", "E", "B", "D", "F"]);
    }
}
