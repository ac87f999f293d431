//! The marketing synonym lexicon: query phrases ("millennials", "empty nesters", "affluent") mapped
//! to the phrases that express them in catalog labels ("25 to 29 years", "no own children under 18
//! years", "$200,000 or more").
//!
//! The lexicon is data (`catalog/synonyms.txt`, embedded with `include_str!`), one entry per line:
//! `trigger; trigger => phrase; phrase`, `#` starting a comment.

use super::analyze::terms;
use super::CatalogError;

/// The default lexicon shipped with the search.
pub const DEFAULT_LEXICON: &str = include_str!("../../catalog/synonyms.txt");

/// Words of a request, as written (lower case), that make it about people's age.
const AGE_WORDS: &[&str] = &[
    "seniors",
    "citizen",
    "citizens",
    "elderly",
    "old",
    "older",
    "oldest",
    "aged",
    "age",
    "ages",
    "retired",
    "retiree",
    "retirees",
    "retirement",
    "pensioner",
    "pensioners",
    "pension",
    "grandparents",
    "65",
    "70",
    "75",
    "80",
];

/// Whether "senior" in a request means older people rather than a rank: the request writes the
/// noun "seniors", or another of its words is about age ("senior citizens", "senior retirees",
/// "seniors 65 and older"). "senior decision makers" and "senior engineers" are ranks: their
/// "senior" never fires the lexicon's age entry, nor reaches an age column. `query`: the request
/// as written.
pub fn senior_means_age(query: &str) -> bool {
    query
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .any(|w| AGE_WORDS.contains(&w.as_str()))
}

/// One lexicon entry, analysed.
#[derive(Clone, Debug, PartialEq)]
struct Entry {
    triggers: Vec<(String, Vec<String>)>,
    phrases: Vec<(String, Vec<String>)>,
}

/// An expansion added to a query: which trigger fired and the phrase it adds.
#[derive(Clone, Debug, PartialEq)]
pub struct Expansion {
    /// The trigger as written in the lexicon, e.g. `millennials`.
    pub trigger: String,
    /// The phrase as written, e.g. `25 to 29 years`.
    pub phrase: String,
    /// The phrase's analysed terms.
    pub terms: Vec<String>,
}

/// A parsed synonym lexicon.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Lexicon {
    entries: Vec<Entry>,
}

impl Lexicon {
    /// Parses a lexicon in the `trigger; … => phrase; …` format.
    pub fn parse(text: &str) -> Result<Self, CatalogError> {
        let mut entries = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let error = |message: String| CatalogError::Lexicon {
                line: i + 1,
                message,
            };
            let (left, right) = line
                .split_once("=>")
                .ok_or_else(|| error("expected `triggers => phrases`".into()))?;
            let side =
                |text: &str, what: &str| -> Result<Vec<(String, Vec<String>)>, CatalogError> {
                    let items: Vec<(String, Vec<String>)> = text
                        .split(';')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| (s.to_string(), terms(s)))
                        .collect();
                    if items.is_empty() {
                        return Err(error(format!("no {what}")));
                    }
                    if let Some((s, _)) = items.iter().find(|(_, t)| t.is_empty()) {
                        return Err(error(format!("{what} {s:?} has only stop words")));
                    }
                    Ok(items)
                };
            entries.push(Entry {
                triggers: side(left, "trigger")?,
                phrases: side(right, "phrase")?,
            });
        }
        Ok(Self { entries })
    }

    /// The built-in lexicon ([`DEFAULT_LEXICON`]).
    pub fn default_lexicon() -> Self {
        Self::parse(DEFAULT_LEXICON).expect("the built-in lexicon parses (checked by a test)")
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the lexicon has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The expansions for an analysed query: for each entry with a trigger occurring as
    /// consecutive query terms, every phrase of the entry (once, even if several triggers fire).
    ///
    /// The longest trigger wins: an occurrence lying inside a longer trigger's occurrence does not
    /// fire, so "pet owners" expands to pet ownership and not also to home owners through "owners",
    /// and "high disposable income" does not also fire "disposable income".
    pub fn expand(&self, query_terms: &[String]) -> Vec<Expansion> {
        // Every trigger occurrence as (entry, trigger, start, length).
        let mut occurrences: Vec<(usize, usize, usize, usize)> = Vec::new();
        for (e, entry) in self.entries.iter().enumerate() {
            for (t, (_, terms)) in entry.triggers.iter().enumerate() {
                for (start, window) in query_terms.windows(terms.len()).enumerate() {
                    if window == terms.as_slice() {
                        occurrences.push((e, t, start, terms.len()));
                    }
                }
            }
        }
        let inside_a_longer = |&(_, _, start, len): &(usize, usize, usize, usize)| {
            occurrences
                .iter()
                .any(|&(_, _, s, l)| l > len && s <= start && start + len <= s + l)
        };
        let mut out: Vec<Expansion> = Vec::new();
        for (e, entry) in self.entries.iter().enumerate() {
            let fired = occurrences
                .iter()
                .filter(|o| o.0 == e && !inside_a_longer(o))
                .map(|o| o.1)
                .min();
            if let Some(t) = fired {
                let trigger = &entry.triggers[t].0;
                for (phrase, terms) in &entry.phrases {
                    if !out.iter().any(|e| &e.terms == terms) {
                        out.push(Expansion {
                            trigger: trigger.clone(),
                            phrase: phrase.clone(),
                            terms: terms.clone(),
                        });
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The phrases `query` adds, in order.
    fn phrases(lexicon: &Lexicon, query: &str) -> Vec<String> {
        lexicon
            .expand(&terms(query))
            .into_iter()
            .map(|e| e.phrase)
            .collect()
    }

    #[test]
    fn the_longest_trigger_wins_over_triggers_inside_it() {
        let lexicon = Lexicon::parse(
            "homeowners; owners => owner occupied\n\
             pet owners => pet owner\n\
             singles => living alone\n\
             single mothers => female householder",
        )
        .unwrap();
        let fired = |q: &str| phrases(&lexicon, q);
        assert_eq!(fired("pet owners"), ["pet owner"]);
        assert_eq!(fired("single mothers"), ["female householder"]);
        // Apart, each fires.
        assert_eq!(fired("owners of pets"), ["owner occupied"]);
        assert_eq!(
            fired("singles and single mothers"),
            ["living alone", "female householder"]
        );
        assert_eq!(
            fired("pet owners who are homeowners"),
            ["owner occupied", "pet owner"]
        );
    }

    #[test]
    fn built_in_lexicon_parses_and_covers_the_example_requests() {
        let lexicon = Lexicon::parse(DEFAULT_LEXICON).unwrap();
        assert!(lexicon.len() >= 40, "{} entries", lexicon.len());
        let fired = |q: &str| phrases(&lexicon, q);
        assert!(fired("environmentally conscious millennials").contains(&"25 to 29 years".into()));
        assert!(fired("Empty Nesters").contains(&"no own children under 18 years".into()));
        assert!(fired("people who drive alone to work").contains(&"drove alone".into()));
        assert!(fired("high-income homeowners").contains(&"$200,000 or more".into()));
        assert!(fired("high-income homeowners").contains(&"owner occupied".into()));
        assert!(fired("live in urban areas").contains(&"principal city".into()));
        assert!(fired("dog walkers").is_empty());
    }

    #[test]
    fn a_trigger_must_occur_as_consecutive_terms() {
        let lexicon = Lexicon::parse("empty nesters => no children").unwrap();
        assert_eq!(lexicon.expand(&terms("nesters who are empty")), vec![]);
        let e = lexicon.expand(&terms("the empty nesters"));
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].trigger, "empty nesters");
        assert_eq!(e[0].terms, vec!["no", "children"]);
    }

    #[test]
    fn malformed_lines_name_their_line_number() {
        assert_eq!(
            Lexicon::parse("# c\n\nfoo bar\n"),
            Err(CatalogError::Lexicon {
                line: 3,
                message: "expected `triggers => phrases`".into()
            })
        );
        assert!(matches!(
            Lexicon::parse("a => the; of\n"),
            Err(CatalogError::Lexicon { line: 1, .. })
        ));
    }
}
