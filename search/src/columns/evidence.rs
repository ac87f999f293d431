//! Direct evidence that a description is about one of the file's columns: the words of the
//! description name the column, name some of its values, or ask for what the column holds (age
//! words such as "young" or "retirees" reach an age or birth-date column; channel words such as
//! "phone" or "referral" reach a contact or channel column).
//!
//! The hybrid search ranks columns by their headers and value samples as a whole; this module adds the
//! plain, explainable matches a marketer expects: "California" selects a `State` column holding `CA`,
//! "tech" selects an `Industry` column holding `Technology`, "senior" or "decision makers" select the
//! column of job titles. Each match says why, for the page to show. (Moved here from the app so the
//! CLI and the app share it.)

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
/// doesn't. `name` is the header, `levels` the column's distinct values (empty for a numeric
/// column), `is_job_title` says whether a value reads as a job title (for seniority words).
pub fn column_evidence(
    query: &str,
    name: &str,
    levels: &[&str],
    is_job_title: &dyn Fn(&str) -> bool,
) -> Vec<String> {
    let terms = query_terms(query);
    let lowered_query = format!(" {} ", words(query).join(" "));
    let mut evidence: Vec<String> = Vec::new();
    let mut add = |reason: String| {
        if !evidence.contains(&reason) {
            evidence.push(reason);
        }
    };
    let header_words = words(&super::humanize(name));
    for term in &terms {
        if header_words.iter().any(|word| names_word(term, word)) {
            add(format!("“{term}” names the column"));
        }
    }
    for &level in levels {
        let label_words = words(level);
        for term in &terms {
            if label_words.iter().any(|word| names_word(term, word)) {
                add(format!("“{term}” → {level}"));
            }
        }
        for (state, code) in US_STATES {
            if level.trim() == *code && lowered_query.contains(&format!(" {state} ")) {
                add(format!("“{state}” → {code}"));
            }
        }
    }
    // "senior" reaches an age column only when the rest of the request is about age.
    let senior_age = crate::synonyms::senior_means_age(query);
    for class in WORD_CLASSES {
        let Some(term) = terms.iter().find(|t| {
            class.asks(t) || (senior_age && class.name == "age" && t.as_str() == "senior")
        }) else {
            continue;
        };
        if class.header(&header_words) {
            add(format!("“{term}” → {} column", class.name));
        } else if let Some(level) = levels.iter().find(|l| class.value(l)) {
            add(format!("“{term}” → {level} ({})", class.name));
        }
    }
    let asks_seniority = terms
        .iter()
        .any(|term| SENIORITY_WORDS.contains(&term.as_str()));
    if asks_seniority && !levels.is_empty() {
        let titles = levels.iter().filter(|level| is_job_title(level)).count();
        if titles as f64 >= JOB_TITLE_SHARE * levels.len() as f64 {
            add("seniority is read from job titles".to_owned());
        }
    }
    evidence
}

/// A kind of column a marketer asks for in other words: "young" means an age column.
struct WordClass {
    /// What the page calls the column ("age", "contact channel").
    name: &'static str,
    /// Description words that ask for it (compared after lower-casing; a trailing "s" is folded).
    asks: &'static [&'static str],
    /// Header words of such a column.
    headers: &'static [&'static str],
    /// Values that show such a column (lower case, whole value or a word of it).
    values: &'static [&'static str],
}

impl WordClass {
    fn asks(&self, term: &str) -> bool {
        let singular = term.strip_suffix('s').unwrap_or(term);
        self.asks.iter().any(|a| *a == term || *a == singular)
    }

    fn header(&self, header_words: &[String]) -> bool {
        header_words.iter().any(|w| {
            let singular = w.strip_suffix('s').unwrap_or(w);
            self.headers.iter().any(|h| *h == w || *h == singular)
        })
    }

    fn value(&self, level: &str) -> bool {
        let lower = level.trim().to_lowercase();
        self.values.contains(&lower.as_str())
            || words(&lower)
                .iter()
                .any(|w| self.values.contains(&w.as_str()))
    }
}

/// The column kinds reached by words that do not name them.
const WORD_CLASSES: &[WordClass] = &[
    WordClass {
        name: "age",
        asks: &[
            "young",
            "younger",
            "youth",
            "youthful",
            "old",
            "older",
            "elderly",
            "seniors",
            "retiree",
            "retired",
            "pensioner",
            "student",
            "teen",
            "teenager",
            "millennial",
            "boomer",
            "zoomer",
            "gen-z",
            "genz",
            "gen-x",
            "aged",
            "middle-aged",
            "age",
            "ages",
        ],
        headers: &[
            "age",
            "dob",
            "birth",
            "birthdate",
            "birthday",
            "born",
            "yob",
            "birthyear",
            "agegroup",
            "ageband",
        ],
        values: &[],
    },
    WordClass {
        name: "contact channel",
        asks: &[
            "phone",
            "telephone",
            "call",
            "called",
            "calling",
            "cellular",
            "cell",
            "mobile",
            "sms",
            "email",
            "e-mail",
            "emailed",
            "mail",
            "mailed",
            "referral",
            "referred",
            "web",
            "website",
            "channel",
            "contacted",
            "contact",
            "reached",
            "webinar",
        ],
        headers: &[
            "contact",
            "channel",
            "source",
            "medium",
            "method",
            "acquisition",
            "touchpoint",
            "via",
            "utm",
        ],
        values: &[
            "cellular",
            "telephone",
            "phone",
            "mobile",
            "sms",
            "email",
            "e-mail",
            "mail",
            "referral",
            "web",
            "website",
            "online",
            "social",
            "app",
            "push",
            "webinar",
            "organic",
            "paid",
            "direct",
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn no_titles(_: &str) -> bool {
        false
    }

    /// Reads CTO, VP … and "… Intern" as job titles (the app passes the engine's seniority
    /// reader).
    fn titles(level: &str) -> bool {
        let l = level.to_lowercase();
        l.starts_with("vp") || l == "cto" || l.ends_with("intern")
    }

    #[test]
    fn a_state_name_selects_a_column_of_postal_codes() {
        let state = ["CA", "NY", "TX"];
        assert_eq!(
            column_evidence("tech buyers in California", "State", &state, &no_titles),
            vec!["“california” → CA"]
        );
        assert!(column_evidence("tech buyers in Canada", "State", &state, &no_titles).is_empty());
    }

    #[test]
    fn a_word_selects_the_values_it_begins() {
        let industry = ["Technology", "Retail", "Healthcare"];
        assert_eq!(
            column_evidence(
                "senior tech decision makers",
                "Industry",
                &industry,
                &no_titles
            ),
            vec!["“tech” → Technology"]
        );
        assert!(
            column_evidence("ret", "Industry", &industry, &no_titles).is_empty(),
            "three letters are too few for a prefix"
        );
    }

    #[test]
    fn seniority_words_select_the_job_title_column() {
        let jobs = ["VP of Engineering", "Marketing Intern", "CTO", "Teacher"];
        assert_eq!(
            column_evidence("senior decision makers", "Job Title", &jobs, &titles),
            vec!["seniority is read from job titles"]
        );
        let products = ["Shoes", "Hats", "Bags"];
        assert!(
            column_evidence("senior decision makers", "Product", &products, &titles).is_empty()
        );
    }

    #[test]
    fn the_header_itself_is_evidence_and_stop_words_are_not() {
        let source = ["Referral", "Webinar"];
        assert_eq!(
            column_evidence(
                "people who came through referrals by lead source",
                "Lead Source",
                &source,
                &no_titles
            ),
            vec![
                "“lead” names the column",
                "“source” names the column",
                "“referrals” → Referral",
                "“referrals” → contact channel column"
            ]
        );
        assert!(
            column_evidence("the people who came", "Lead Source", &source, &no_titles).is_empty()
        );
    }

    #[test]
    fn age_words_reach_an_age_or_birth_date_column() {
        for query in [
            "young customers with a housing loan",
            "millennials",
            "seniors who travel",
            "retirees",
            "students on a budget",
        ] {
            let term = query_terms(query)
                .into_iter()
                .find(|t| WORD_CLASSES[0].asks(t))
                .unwrap();
            assert_eq!(
                column_evidence(query, "age", &[], &no_titles),
                vec![format!("“{term}” → age column")],
                "{query}"
            );
            assert!(!column_evidence(query, "date_of_birth", &[], &no_titles).is_empty());
            assert!(!column_evidence(query, "AgeBand", &["18-24", "25-34"], &no_titles).is_empty());
            assert!(
                column_evidence(query, "balance", &[], &no_titles).is_empty(),
                "{query}"
            );
        }
        // "senior" alone is seniority ("senior decision makers"), not age.
        assert!(column_evidence("senior decision makers", "age", &[], &no_titles).is_empty());
    }

    #[test]
    fn senior_reaches_an_age_column_only_when_the_request_is_about_age() {
        assert_eq!(
            column_evidence("senior citizens who travel", "age", &[], &no_titles),
            vec!["“senior” → age column"]
        );
        assert!(
            column_evidence("senior citizens who travel", "balance", &[], &no_titles).is_empty()
        );
        assert!(column_evidence("senior engineers in tech", "age", &[], &no_titles).is_empty());
    }

    #[test]
    fn channel_words_reach_contact_and_channel_columns() {
        // The bank marketing file: `contact` holds cellular / telephone / unknown.
        let contact = ["cellular", "telephone", "unknown"];
        assert_eq!(
            column_evidence(
                "young customers with a housing loan contacted by phone",
                "contact",
                &contact,
                &no_titles
            ),
            vec!["“contacted” → contact channel column"]
        );
        assert_eq!(
            column_evidence("customers on the phone", "contact", &contact, &no_titles),
            vec!["“phone” → contact channel column"]
        );
        // A column of channel values under another name.
        assert_eq!(
            column_evidence(
                "signed up through a referral",
                "how_found",
                &["Referral", "Web", "Email"],
                &no_titles
            ),
            vec![
                "“referral” → Referral",
                "“referral” → Referral (contact channel)"
            ]
        );
        assert!(column_evidence("reached by phone", "balance", &[], &no_titles).is_empty());
    }
}
