//! Direct evidence that a description is about one of the file's columns: a thin call of
//! [`audience_search::column_evidence`] (shared with the CLI) with the column's header and values,
//! and the engine's reading of job titles for seniority words.

use audience_engine::profile::seniority::seniority;
use audience_engine::table::Column;

/// Why a description selects a column, in words for the page ("“tech” → Technology"); empty when it
/// doesn't.
pub fn column_evidence(query: &str, column: &Column) -> Vec<String> {
    let levels: Vec<&str> = column.levels().iter().map(|l| l.label.as_str()).collect();
    audience_search::column_evidence(query, &column.name, &levels, &|label| {
        seniority(label).is_some()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use audience_engine::table::{Cell, ColumnType, Level};

    fn categorical(name: &str, labels: &[&str]) -> Column {
        let levels = labels
            .iter()
            .map(|label| Level {
                label: (*label).into(),
                position: None,
            })
            .collect();
        Column::new(
            name,
            ColumnType::Categorical,
            (0..labels.len() as u32).collect(),
            labels.iter().map(|label| (*label).to_owned()).collect(),
            (0..labels.len() as u32).map(Cell::Level).collect(),
            levels,
        )
        .unwrap()
    }

    #[test]
    fn a_state_name_selects_a_column_of_postal_codes() {
        let state = categorical("State", &["CA", "NY", "TX"]);
        assert_eq!(
            column_evidence("tech buyers in California", &state),
            vec!["“california” → CA"]
        );
        assert!(column_evidence("tech buyers in Canada", &state).is_empty());
    }

    #[test]
    fn a_word_selects_the_values_it_begins() {
        let industry = categorical("Industry", &["Technology", "Retail", "Healthcare"]);
        assert_eq!(
            column_evidence("senior tech decision makers", &industry),
            vec!["“tech” → Technology"]
        );
        assert!(
            column_evidence("ret", &industry).is_empty(),
            "three letters are too few for a prefix"
        );
    }

    #[test]
    fn seniority_words_select_the_job_title_column() {
        let titles = categorical(
            "Job Title",
            &["VP of Engineering", "Marketing Intern", "CTO", "Teacher"],
        );
        assert_eq!(
            column_evidence("senior decision makers", &titles),
            vec!["seniority is read from job titles"]
        );
        let products = categorical("Product", &["Shoes", "Hats", "Bags"]);
        assert!(column_evidence("senior decision makers", &products).is_empty());
    }

    #[test]
    fn the_header_itself_is_evidence_and_stop_words_are_not() {
        let source = categorical("Lead Source", &["Referral", "Webinar"]);
        assert_eq!(
            column_evidence("people who came through referrals by lead source", &source),
            vec![
                "“lead” names the column",
                "“source” names the column",
                "“referrals” → Referral",
                "“referrals” → contact channel column"
            ]
        );
        assert!(column_evidence("the people who came", &source).is_empty());
    }
}
