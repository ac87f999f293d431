//! Text analysis for the lexical index: lower-case, split on anything that is not a letter or a
//! digit, drop stop words, light stemming.
//!
//! The stemmer is deliberately light (a few suffix rules, no dictionary): it folds plurals and the
//! common verb forms so "homeowners" meets "homeowner", "commuting" meets "commute" and "housing"
//! meets "house", without the over-stemming of a full Porter stemmer on short census words.

/// Words that carry no meaning for variable search.
const STOP_WORDS: &[&str] = &[
    "a", "about", "all", "an", "and", "are", "as", "at", "be", "by", "do", "does", "for", "from",
    "has", "have", "i", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "our",
    "people", "persons", "s", "than", "that", "the", "their", "them", "they", "those", "to", "who",
    "whom", "whose", "with",
];

/// Splits `text` into normalised terms (lower case, stop words dropped, stemmed).
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_term(text, |t| out.push(t));
    out
}

/// Calls `f` with each normalised term of `text`, in order.
pub fn for_each_term(text: &str, mut f: impl FnMut(String)) {
    for_each_word(text, |_, term| f(term));
}

/// Calls `f` with each kept word of `text` as written and as a normalised term, in order.
pub fn for_each_word<'a>(text: &'a str, mut f: impl FnMut(&'a str, String)) {
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let lower = word.to_lowercase();
        if STOP_WORDS.binary_search(&lower.as_str()).is_ok() {
            continue;
        }
        f(word, stem(&lower));
    }
}

/// Light English suffix stemming of a lower-case word.
pub fn stem(word: &str) -> String {
    let n = word.chars().count();
    if n <= 3 || !word.is_ascii() || word.bytes().any(|b| b.is_ascii_digit()) {
        return word.to_string();
    }
    let mut w = word.to_string();
    if let Some(base) = w.strip_suffix("ies").filter(|_| n > 4) {
        w = format!("{base}y");
    } else if let Some(base) = w.strip_suffix("sses") {
        w = format!("{base}ss");
    } else if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        w.pop();
    }
    if let Some(base) = w.strip_suffix("ing").filter(|b| b.len() >= 3) {
        w = base.to_string();
    } else if let Some(base) = w.strip_suffix("ed").filter(|b| b.len() >= 4) {
        w = base.to_string();
    }
    if w.len() > 4 && w.ends_with('e') {
        w.pop();
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn plurals_and_verb_forms_fold_together() {
        for (a, b) in [
            ("homeowners", "homeowner"),
            ("commuting", "commute"),
            ("commutes", "commute"),
            ("housing", "house"),
            ("families", "family"),
            ("renters", "renter"),
            ("driving", "drive"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} vs {b}");
        }
        assert_eq!(stem("bus"), "bus");
        assert_eq!(stem("status"), "status");
        assert_eq!(stem("100s"), "100s");
    }

    #[test]
    fn terms_split_punctuation_and_drop_stop_words() {
        assert_eq!(
            terms("Car, truck, or van -- carpooled / $25,000 to $29,999"),
            vec!["car", "truck", "van", "carpool", "25", "000", "29", "999"]
        );
        assert_eq!(terms("People who drive ALONE"), vec!["driv", "alon"]);
    }
}
