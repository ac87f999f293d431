//! Making a file readable: renaming a column, and describing columns (a data dictionary file or a
//! description typed by the user) so that the search can match columns whose names are codes.

use audience_search::ColumnDictionary;

use crate::protocol::{DatasetPreview, DictionaryReport};

use super::{ServiceError, Session};

/// Longest column name accepted, in characters.
pub const MAX_COLUMN_NAME: usize = 120;

impl Session {
    /// Renames column `column` to `name` (trimmed) in the file and its enriched table; the conversion
    /// column, the withheld columns and the column's description follow the new name. Results of an
    /// earlier run describe the old names and are dropped.
    #[inline(never)]
    pub(super) fn rename_column(
        &mut self,
        column: &str,
        name: &str,
    ) -> Result<DatasetPreview, ServiceError> {
        let name = name.trim();
        let dataset = self.dataset.as_mut().ok_or(ServiceError::NoFile)?;
        let index = dataset
            .table
            .column_index(column)
            .ok_or_else(|| ServiceError::NoColumn(column.to_owned()))?;
        if name.is_empty() || name.chars().count() > MAX_COLUMN_NAME {
            return Err(ServiceError::ColumnName {
                column: column.to_owned(),
                length: name.chars().count(),
            });
        }
        if name != column
            && dataset
                .table
                .columns()
                .iter()
                .any(|other| other.name.trim().eq_ignore_ascii_case(name))
        {
            return Err(ServiceError::ColumnNameTaken {
                column: column.to_owned(),
                name: name.to_owned(),
            });
        }
        let mut renamed = dataset.table.columns()[index].clone();
        renamed.name = name.to_owned();
        dataset.replace_base_column(column, &renamed)?;
        dataset.table.replace_column(index, renamed)?;
        if dataset.detected_target.as_deref() == Some(column) {
            dataset.detected_target = Some(name.to_owned());
        }
        if let Some(enrichment) = dataset.enrichment.as_mut() {
            if enrichment.customer_key == column {
                enrichment.customer_key = name.to_owned();
            }
        }
        for withheld in self.withheld.iter_mut().filter(|w| w.as_str() == column) {
            *withheld = name.to_owned();
        }
        if let Some(description) = self.dictionary.get(column).map(str::to_owned) {
            self.dictionary.insert(column, "");
            self.dictionary.insert(name, &description);
        }
        self.results = None;
        Ok(self.dataset()?.current_preview())
    }

    /// Reads a data dictionary (CSV: column, description) and adds its descriptions to the ones the
    /// session has; says which of the file's columns are described and which names are not columns.
    #[inline(never)]
    pub(super) fn load_dictionary(
        &mut self,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<DictionaryReport, ServiceError> {
        self.dataset()?;
        let text = String::from_utf8_lossy(bytes);
        let dictionary =
            ColumnDictionary::from_csv(&text).map_err(|source| ServiceError::Dictionary {
                file_name: file_name.to_owned(),
                source,
            })?;
        let names: Vec<String> = self.column_names();
        let mut not_in_file = Vec::new();
        for name in dictionary.names() {
            let description = dictionary.get(name).unwrap_or_default();
            self.dictionary.insert(name, description);
            if !names
                .iter()
                .any(|c| c.trim().eq_ignore_ascii_case(name.trim()))
            {
                not_in_file.push(name.to_owned());
            }
        }
        Ok(DictionaryReport {
            file_name: Some(file_name.to_owned()),
            described: self.described_columns(),
            not_in_file,
        })
    }

    /// Describes `column` in the user's words (an empty text removes its description).
    #[inline(never)]
    pub(super) fn describe_column(
        &mut self,
        column: &str,
        description: &str,
    ) -> Result<DictionaryReport, ServiceError> {
        if self.dataset()?.table.column_index(column).is_none() {
            return Err(ServiceError::NoColumn(column.to_owned()));
        }
        self.dictionary.insert(column, description);
        Ok(DictionaryReport {
            file_name: None,
            described: self.described_columns(),
            not_in_file: Vec::new(),
        })
    }

    /// The description of `column`, if it has a non-empty one.
    pub(super) fn column_description(&self, column: &str) -> Option<String> {
        self.dictionary
            .get(column)
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
    }

    fn column_names(&self) -> Vec<String> {
        self.dataset
            .as_ref()
            .map(|dataset| {
                dataset
                    .table
                    .columns()
                    .iter()
                    .map(|c| c.name.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The file's columns that have a description, in file order.
    fn described_columns(&self) -> Vec<String> {
        self.column_names()
            .into_iter()
            .filter(|name| self.column_description(name).is_some())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{
        ExportKind, FailureKind, Request, Response, SegmentSettings, Suggestions, VariableChoice,
    };
    use audience_engine::ingest::HeaderMode;
    use audience_search::{Catalog, Lexicon, SearchIndex, StaticEmbedder};
    use std::sync::Arc;

    fn ask(session: &mut Session, request: Request, attachment: Option<&[u8]>) -> Response {
        session.handle(request, attachment, &mut |_| {})
    }

    fn loaded(csv: &str) -> Session {
        let mut session = Session::new();
        let request = Request::LoadFile {
            file_name: "file.csv".into(),
            header: HeaderMode::Auto,
        };
        assert!(matches!(
            ask(&mut session, request, Some(csv.as_bytes())),
            Response::Loaded(_)
        ));
        session
    }

    /// A catalog whose vocabulary knows "plan", "spend", "car" and "policies", not "mostype".
    fn catalog() -> SearchIndex {
        let vocab = "[PAD]\n[UNK]\nplan\nspend\ncar\npolicies\n";
        let mut table = b"ABEMB001".to_vec();
        table.extend(6u32.to_le_bytes());
        table.extend(2u32.to_le_bytes());
        table.extend(1.0f32.to_le_bytes());
        table.extend([0u8, 0, 0, 0, 10, 0, 0, 10, 10, 10, 5, 5]);
        let embedder = Arc::new(StaticEmbedder::from_bytes(vocab.as_bytes(), &table).unwrap());
        let catalog = Catalog::from_bytes(
            br#"{"code":"X_1","label":"Plan","concept":"Plan","table":"X","type":"financial","data_type":"numeric"}"#,
        )
        .unwrap();
        SearchIndex::new(catalog, embedder, Lexicon::default_lexicon(), None).unwrap()
    }

    fn suggestions(session: &mut Session, query: &str) -> Suggestions {
        let request = Request::Suggest {
            query: query.into(),
            data_kind: None,
            withheld: Vec::new(),
        };
        match ask(session, request, None) {
            Response::Suggestions(suggestions) => suggestions,
            other => panic!("expected suggestions, got {other:?}"),
        }
    }

    const CODED: &str = "plan,MOSTYPE,outcome\ngold,1,renewed\nsilver,2,lapsed\ngold,3,renewed\nsilver,4,lapsed\ngold,1,lapsed\nsilver,2,renewed\n";

    #[test]
    fn a_renamed_column_is_used_in_suggestions_traits_and_downloads() {
        let mut session = loaded(CODED);
        let rename = |to: &str| Request::RenameColumn {
            column: "MOSTYPE".into(),
            name: to.into(),
        };
        let Response::Updated(preview) = ask(&mut session, rename(" car_policies "), None) else {
            panic!("expected the renamed preview");
        };
        assert_eq!(preview.columns[1].name, "car_policies");
        let names: Vec<String> = suggestions(&mut session, "car policies")
            .columns
            .iter()
            .map(|c| c.column.clone())
            .collect();
        assert!(names.contains(&"car_policies".to_owned()), "{names:?}");
        assert!(!names.contains(&"MOSTYPE".to_owned()));
        let settings = SegmentSettings::on_columns(&["car_policies"], 2, 1);
        assert!(matches!(
            ask(&mut session, Request::Segment(settings), None),
            Response::Segmented(_)
        ));
        let export = Request::Export {
            kind: ExportKind::ClusteredCsv,
            keep_formulas: false,
            matching_only: false,
        };
        let Response::File(file) = ask(&mut session, export, None) else {
            panic!("expected a download");
        };
        assert!(
            file.content.starts_with("plan,car_policies,outcome,"),
            "{}",
            file.content
        );
        // Another column's name, or nothing, is refused with a message.
        let Response::Failed(taken) = ask(&mut session, rename2("car_policies", "PLAN"), None)
        else {
            panic!("expected a refusal");
        };
        assert_eq!(taken.kind, FailureKind::Settings);
        assert!(
            taken
                .message
                .contains("already has a column called \"PLAN\""),
            "{}",
            taken.message
        );
        let Response::Failed(empty) = ask(&mut session, rename2("plan", "  "), None) else {
            panic!("expected a refusal");
        };
        assert!(
            empty
                .message
                .contains("1 to 120 characters (this one has 0)"),
            "{}",
            empty.message
        );
    }

    fn rename2(column: &str, name: &str) -> Request {
        Request::RenameColumn {
            column: column.into(),
            name: name.into(),
        }
    }

    #[test]
    fn a_described_coded_column_is_searched_by_its_description() {
        let mut session = loaded(CODED);
        session.catalog = Some(catalog());
        let coded = |s: &Suggestions| {
            s.columns
                .iter()
                .find(|c| c.column == "MOSTYPE")
                .unwrap()
                .clone()
        };
        let before = coded(&suggestions(&mut session, "car policies"));
        assert!(before.meaning_unknown, "{before:?}");
        assert_eq!(before.relevance, 0.0, "no made-up relevance: {before:?}");
        let dictionary = b"column,description\nMOSTYPE,Number of car policies\nZZZ,Not a column\n";
        let Response::Described(report) = ask(
            &mut session,
            Request::LoadDictionary {
                file_name: "codebook.csv".into(),
            },
            Some(dictionary),
        ) else {
            panic!("expected the dictionary report");
        };
        assert_eq!(report.described, ["MOSTYPE"]);
        assert_eq!(report.not_in_file, ["ZZZ"]);
        let after = coded(&suggestions(&mut session, "car policies"));
        assert!(!after.meaning_unknown, "{after:?}");
        assert_eq!(after.description.as_deref(), Some("Number of car policies"));
        assert!(after.relevance > 0.0, "{after:?}");
        // A typed description replaces it; a bad dictionary line is refused with its line number.
        let Response::Described(typed) = ask(
            &mut session,
            Request::DescribeColumn {
                column: "MOSTYPE".into(),
                description: "customer subtype".into(),
            },
            None,
        ) else {
            panic!("expected the report");
        };
        assert_eq!(typed.described, ["MOSTYPE"]);
        assert_eq!(
            coded(&suggestions(&mut session, "plan"))
                .description
                .as_deref(),
            Some("customer subtype")
        );
        let Response::Failed(bad) = ask(
            &mut session,
            Request::LoadDictionary {
                file_name: "bad.csv".into(),
            },
            Some(b"MOSTYPE,ok\nMRELSA\n"),
        ) else {
            panic!("expected a refusal");
        };
        assert!(
            bad.message.starts_with("bad.csv: data dictionary line 2"),
            "{}",
            bad.message
        );
    }

    #[test]
    fn the_chosen_value_of_a_two_valued_text_column_means_converted() {
        let mut session = loaded(CODED);
        let settings = |positive: Option<&str>| SegmentSettings {
            variables: vec![VariableChoice {
                column: "plan".into(),
                weight: 1.0,
            }],
            bounds: None,
            k: Some(2),
            seed: 1,
            target: Some("outcome".into()),
            description: String::new(),
            tiers: Default::default(),
            positive_value: positive.map(str::to_owned),
            filter: None,
        };
        let Response::Segmented(results) = ask(
            &mut session,
            Request::Segment(settings(Some("renewed"))),
            None,
        ) else {
            panic!("expected results");
        };
        let target = results.report.target.as_ref().expect("a conversion column");
        assert_eq!(target.positive_value, "renewed");
        // By hand: renewed in 3 of 6 rows; gold holds 2 of its 3 rows renewed.
        assert_eq!(target.overall.conversions, 3);
        let Response::Segmented(lapsed) = ask(
            &mut session,
            Request::Segment(settings(Some("lapsed"))),
            None,
        ) else {
            panic!("expected results");
        };
        assert_eq!(
            lapsed.report.target.as_ref().unwrap().positive_value,
            "lapsed"
        );
    }
}
