//! A lean BERT WordPiece tokenizer, equal in output to Hugging Face `tokenizers` with
//! all-MiniLM-L6-v2's `tokenizer.json` (BertNormalizer + BertPreTokenizer + WordPiece, no special
//! tokens added).
//!
//! Steps: special-token literals (`[UNK]`, `[PAD]`, …) are split off first, as `tokenizers` does
//! for added tokens; then clean text (drop NUL, U+FFFD and control characters; every whitespace
//! becomes a space), put spaces around CJK ideographs, strip accents (NFD, drop non-spacing marks),
//! lower-case; split on whitespace and around punctuation; greedy longest-match-first subwords with
//! the `##` continuation prefix, a word with an unmatched piece or over 100 characters becoming
//! `[UNK]`.

use std::collections::HashMap;

use unicode_categories::UnicodeCategories;
use unicode_normalization::UnicodeNormalization;

const MAX_WORD_CHARS: usize = 100;
const SPECIALS: [&str; 5] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

/// One token of a tokenized text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece {
    /// A vocabulary entry (its row in the embedding table).
    Known(u32),
    /// A word the vocabulary cannot spell, or the literal `[UNK]`.
    Unknown,
}

/// WordPiece vocabulary with BERT's basic (uncased) pre-processing.
#[derive(Clone, Debug)]
pub struct WordPiece {
    /// Word-initial pieces → row.
    initial: HashMap<String, u32>,
    /// Continuation pieces (without the `##` prefix) → row.
    continuation: HashMap<String, u32>,
    /// Special-token literals present in the vocabulary → row.
    specials: HashMap<&'static str, u32>,
    tokens: Vec<String>,
}

impl WordPiece {
    /// Builds the tokenizer from the vocabulary in row order (one token per entry).
    pub fn new(tokens: Vec<String>) -> Self {
        let mut initial = HashMap::with_capacity(tokens.len());
        let mut continuation = HashMap::with_capacity(tokens.len() / 4);
        let mut specials = HashMap::new();
        for (row, token) in tokens.iter().enumerate() {
            let row = row as u32;
            if let Some(special) = SPECIALS.iter().find(|s| **s == token) {
                specials.insert(*special, row);
            } else if let Some(rest) = token.strip_prefix("##") {
                continuation.entry(rest.to_string()).or_insert(row);
            } else {
                initial.entry(token.clone()).or_insert(row);
            }
        }
        Self {
            initial,
            continuation,
            specials,
            tokens,
        }
    }

    /// The vocabulary size.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether the vocabulary is empty.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The text of a row's token.
    pub fn token(&self, row: u32) -> Option<&str> {
        self.tokens.get(row as usize).map(String::as_str)
    }

    /// Tokenizes `text`, calling `emit` for each piece in order.
    pub fn tokenize(&self, text: &str, mut emit: impl FnMut(Piece)) {
        let mut rest = text;
        while !rest.is_empty() {
            let next_special = SPECIALS
                .iter()
                .filter_map(|s| rest.find(s).map(|at| (at, *s)))
                .min();
            let (plain, special) = match next_special {
                Some((at, s)) => (&rest[..at], Some(s)),
                None => (rest, None),
            };
            self.tokenize_plain(plain, &mut emit);
            match special {
                Some(s) => {
                    match (s, self.specials.get(s)) {
                        ("[UNK]", _) => emit(Piece::Unknown),
                        (_, Some(&row)) => emit(Piece::Known(row)),
                        // [CLS], [SEP], [MASK]: pruned from the table, so they add nothing.
                        (_, None) => {}
                    }
                    rest = &rest[plain.len() + s.len()..];
                }
                None => rest = "",
            }
        }
    }

    fn tokenize_plain(&self, text: &str, emit: &mut impl FnMut(Piece)) {
        let normalized = normalize(text);
        for word in pre_tokenize(&normalized) {
            self.word_pieces(word, emit);
        }
    }

    fn word_pieces(&self, word: &str, emit: &mut impl FnMut(Piece)) {
        if word.chars().count() > MAX_WORD_CHARS {
            emit(Piece::Unknown);
            return;
        }
        // Collect first: a word with an unmatched piece is a single [UNK].
        let mut rows: smallvec_lite::Rows = smallvec_lite::Rows::default();
        let mut start = 0;
        while start < word.len() {
            let map = if start == 0 {
                &self.initial
            } else {
                &self.continuation
            };
            let mut end = word.len();
            let found = loop {
                if let Some(&row) = map.get(&word[start..end]) {
                    break Some(row);
                }
                match word[start..end].char_indices().next_back() {
                    Some((last, _)) if last > 0 => end = start + last,
                    _ => break None,
                }
            };
            match found {
                Some(row) => {
                    rows.push(row);
                    start = end;
                }
                None => {
                    emit(Piece::Unknown);
                    return;
                }
            }
        }
        rows.for_each(|row| emit(Piece::Known(row)));
    }
}

/// BertNormalizer: clean text, pad CJK ideographs, strip accents, lower-case.
fn normalize(text: &str) -> String {
    if text.is_ascii() {
        return text
            .chars()
            .filter(|&c| !c.is_ascii_control() || matches!(c, '\t' | '\n' | '\r'))
            .map(|c| {
                if c.is_ascii_whitespace() {
                    ' '
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
    }
    let mut cleaned = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\0' || c == '\u{fffd}' || is_control(c) {
            continue;
        }
        if is_whitespace(c) {
            cleaned.push(' ');
        } else if is_cjk(c) {
            cleaned.push(' ');
            cleaned.push(c);
            cleaned.push(' ');
        } else {
            cleaned.push(c);
        }
    }
    let stripped: String = cleaned.nfd().filter(|c| !c.is_mark_nonspacing()).collect();
    stripped.to_lowercase()
}

/// BertPreTokenizer: split on whitespace, and isolate each punctuation character.
fn pre_tokenize(text: &str) -> impl Iterator<Item = &str> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if is_whitespace(c) {
            if let Some(s) = start.take() {
                words.push(&text[s..i]);
            }
        } else if is_punctuation(c) {
            if let Some(s) = start.take() {
                words.push(&text[s..i]);
            }
            words.push(&text[i..i + c.len_utf8()]);
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        words.push(&text[s..]);
    }
    words.into_iter()
}

fn is_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r') || c.is_whitespace()
}

fn is_control(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\r') && c.is_other()
}

fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || c.is_punctuation()
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF
        | 0x3400..=0x4DBF
        | 0x20000..=0x2A6DF
        | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F
        | 0x2B820..=0x2CEAF
        | 0xF900..=0xFAFF
        | 0x2F800..=0x2FA1F)
}

/// A tiny inline buffer for a word's pieces (most words have 1–3), so tokenizing allocates little.
mod smallvec_lite {
    #[derive(Default)]
    pub struct Rows {
        inline: [u32; 8],
        len: usize,
        spill: Vec<u32>,
    }

    impl Rows {
        pub fn push(&mut self, row: u32) {
            if self.len < self.inline.len() {
                self.inline[self.len] = row;
            } else {
                self.spill.push(row);
            }
            self.len += 1;
        }

        pub fn for_each(&self, mut f: impl FnMut(u32)) {
            let inline = self.len.min(self.inline.len());
            self.inline[..inline].iter().for_each(|&r| f(r));
            self.spill.iter().for_each(|&r| f(r));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> WordPiece {
        let tokens = [
            "[PAD]", "[UNK]", "un", "##aff", "##able", "hello", "cafe", ",", "!", "日", "a", "##b",
        ];
        WordPiece::new(tokens.iter().map(|t| t.to_string()).collect())
    }

    fn pieces(wp: &WordPiece, text: &str) -> Vec<Piece> {
        let mut out = Vec::new();
        wp.tokenize(text, |p| out.push(p));
        out
    }

    #[test]
    fn greedy_longest_match_first_with_continuations() {
        let wp = vocab();
        assert_eq!(
            pieces(&wp, "unaffable"),
            vec![Piece::Known(2), Piece::Known(3), Piece::Known(4)]
        );
        assert_eq!(
            pieces(&wp, "abb"),
            vec![Piece::Known(10), Piece::Known(11), Piece::Known(11)]
        );
    }

    #[test]
    fn a_word_with_an_unmatched_piece_is_one_unknown() {
        let wp = vocab();
        assert_eq!(pieces(&wp, "unaffx"), vec![Piece::Unknown]);
    }

    #[test]
    fn accents_case_punctuation_and_cjk_are_normalized() {
        let wp = vocab();
        assert_eq!(
            pieces(&wp, "HÉLLO,Café!日"),
            vec![
                Piece::Known(5),
                Piece::Known(7),
                Piece::Known(6),
                Piece::Known(8),
                Piece::Known(9)
            ]
        );
    }

    #[test]
    fn special_literals_are_split_before_normalization() {
        let wp = vocab();
        assert_eq!(
            pieces(&wp, "hello[UNK]cafe [PAD][CLS]"),
            vec![
                Piece::Known(5),
                Piece::Unknown,
                Piece::Known(6),
                Piece::Known(0)
            ]
        );
    }

    #[test]
    fn words_over_100_characters_are_unknown() {
        let wp = vocab();
        let hundred = format!("a{}", "b".repeat(99));
        assert_eq!(pieces(&wp, &hundred).len(), 100);
        assert_eq!(pieces(&wp, &format!("{hundred}b")), vec![Piece::Unknown]);
    }
}
