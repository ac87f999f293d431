//! Direct evidence that a description is about one of the file's columns: the words of the description
//! name the column, or name some of its values.
//!
//! The hybrid search ranks columns by their headers and value samples as a whole; this module adds the
//! plain, explainable matches a marketer expects: "California" selects a `State` column holding `CA`,
//! "tech" selects an `Industry` column holding `Technology`, "senior" or "decision makers" select the
//! column of job titles. Each match says why, for the page to show.

use audience_engine::profile::seniority::seniority;
use audience_engine::table::Column;

/// Words that never count as evidence.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "after",
    "all",
    "also",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "but",
    "by",
    "came",
    "come",
    "customers",
    "for",
    "from",
    "have",
    "has",
    "high",
    "in",
    "into",
    "is",
    "it",
    "its",
    "like",
    "live",
    "living",
    "low",
    "more",
    "most",
    "of",
    "on",
    "or",
    "our",
    "people",
    "some",
    "than",
    "that",
    "the",
    "their",
    "them",
    "they",
    "this",
    "those",
    "through",
    "to",
    "very",
    "via",
    "want",
    "who",
    "whose",
    "with",
    "within",
];

/// Description words that ask for a level of seniority; they select a column of job titles.
const SENIORITY_WORDS: &[&str] = &[
    "senior",
    "junior",
    "executive",
    "executives",
    "exec",
    "execs",
    "c-suite",
    "csuite",
    "leadership",
    "leaders",
    "decision",
    "decision-makers",
    "makers",
    "managers",
    "management",
    "director",
    "directors",
    "vp",
    "vps",
    "entry-level",
    "entry",
    "interns",
    "intern",
    "chief",
    "chiefs",
    "seniority",
    "head",
];

/// US state and DC names with their postal codes, for descriptions that name a state in a file of codes.
const US_STATES: &[(&str, &str)] = &[
    ("alabama", "AL"),
    ("alaska", "AK"),
    ("arizona", "AZ"),
    ("arkansas", "AR"),
    ("california", "CA"),
    ("colorado", "CO"),
    ("connecticut", "CT"),
    ("delaware", "DE"),
    ("district of columbia", "DC"),
    ("florida", "FL"),
    ("georgia", "GA"),
    ("hawaii", "HI"),
    ("idaho", "ID"),
    ("illinois", "IL"),
    ("indiana", "IN"),
    ("iowa", "IA"),
    ("kansas", "KS"),
    ("kentucky", "KY"),
    ("louisiana", "LA"),
    ("maine", "ME"),
    ("maryland", "MD"),
    ("massachusetts", "MA"),
    ("michigan", "MI"),
    ("minnesota", "MN"),
    ("mississippi", "MS"),
    ("missouri", "MO"),
    ("montana", "MT"),
    ("nebraska", "NE"),
    ("nevada", "NV"),
    ("new hampshire", "NH"),
    ("new jersey", "NJ"),
    ("new mexico", "NM"),
    ("new york", "NY"),
    ("north carolina", "NC"),
    ("north dakota", "ND"),
    ("ohio", "OH"),
    ("oklahoma", "OK"),
    ("oregon", "OR"),
    ("pennsylvania", "PA"),
    ("rhode island", "RI"),
    ("south carolina", "SC"),
    ("south dakota", "SD"),
    ("tennessee", "TN"),
    ("texas", "TX"),
    ("utah", "UT"),
    ("vermont", "VT"),
    ("virginia", "VA"),
    ("washington", "WA"),
    ("west virginia", "WV"),
    ("wisconsin", "WI"),
    ("wyoming", "WY"),
];

/// Shortest description word that may match the start of a longer word ("tech" → "technology").
const MIN_PREFIX: usize = 4;
/// Share of a column's levels that must read as job titles for seniority words to select it.
const JOB_TITLE_SHARE: f64 = 0.5;

/// Lower-case words of a text (letters, digits, `-`, `'` and `+`).
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '\'' | '+')))
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The description's meaningful words.
pub fn query_terms(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in words(query) {
        let word = word.trim_end_matches("'s").to_owned();
        if word.chars().count() >= 2
            && !STOP_WORDS.contains(&word.as_str())
            && !terms.contains(&word)
        {
            terms.push(word);
        }
    }
    terms
}

/// Whether description word `term` names `word`: the same word, its plural, or (from four letters on) its
/// beginning.
fn names_word(term: &str, word: &str) -> bool {
    term == word
        || word.strip_suffix('s') == Some(term)
        || term.strip_suffix('s') == Some(word)
        || (term.chars().count() >= MIN_PREFIX && word.starts_with(term))
}

/// Why a description selects a column, in words for the page ("“tech” → Technology"); empty when it
/// doesn't.
pub fn column_evidence(query: &str, column: &Column) -> Vec<String> {
    let terms = query_terms(query);
    let lowered_query = format!(" {} ", words(query).join(" "));
    let mut evidence: Vec<String> = Vec::new();
    let mut add = |reason: String| {
        if !evidence.contains(&reason) {
            evidence.push(reason);
        }
    };
    let header_words = words(&column.name);
    for term in &terms {
        if header_words.iter().any(|word| names_word(term, word)) {
            add(format!("“{term}” names the column"));
        }
    }
    let levels = column.levels();
    for level in levels {
        let label_words = words(&level.label);
        for term in &terms {
            if label_words.iter().any(|word| names_word(term, word)) {
                add(format!("“{term}” → {}", level.label));
            }
        }
        for (state, code) in US_STATES {
            if level.label.trim() == *code && lowered_query.contains(&format!(" {state} ")) {
                add(format!("“{state}” → {code}"));
            }
        }
    }
    let asks_seniority = terms
        .iter()
        .any(|term| SENIORITY_WORDS.contains(&term.as_str()));
    if asks_seniority && !levels.is_empty() {
        let titles = levels
            .iter()
            .filter(|level| seniority(&level.label).is_some())
            .count();
        if titles as f64 >= JOB_TITLE_SHARE * levels.len() as f64 {
            add("seniority is read from job titles".to_owned());
        }
    }
    evidence
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
                "“referrals” → Referral"
            ]
        );
        assert!(column_evidence("the people who came", &source).is_empty());
    }
}
