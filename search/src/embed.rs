//! Query and item embedding with a static (model2vec-style) int8 token table.
//!
//! A text's vector is the mean of the table rows of its WordPiece tokens (`[UNK]` dropped),
//! L2-normalised: no neural network runs at query time. The table is distilled offline from
//! all-MiniLM-L6-v2 by `catalog/distil.py` and ships as two files:
//!
//! * `vocab.txt`: one token per line, in row order;
//! * `table.i8`: `b"ABEMB001"`, then little-endian `u32` rows, `u32` dims, `f32` scale, then
//!   `rows × dims` signed bytes. The scale cancels under L2 normalisation; it is kept for reference.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use super::wordpiece::{Piece, WordPiece};
use super::CatalogError;

const MAGIC: &[u8; 8] = b"ABEMB001";

/// The version of how texts become vectors (tokenization, summing, normalising, quantising), part
/// of [`StaticEmbedder::fingerprint`]: raise it with any change that alters a vector, so that a
/// graph built on the old vectors is refused (the test `the_shipped_graph_was_built_on_the_vectors_computed_today`
/// fails until it is).
pub const VECTOR_CODE_VERSION: u64 = 1;

/// A 64-bit fingerprint: FNV-1a's xor-and-multiply step over little-endian 64-bit words (the last
/// one zero-padded) rather than bytes, eight times fewer steps over the megabytes of a table. It
/// detects a change, not an adversary; the same bytes give the same value on every platform.
#[derive(Clone, Debug)]
pub struct Fingerprint(u64);

impl Default for Fingerprint {
    fn default() -> Self {
        Self::new()
    }
}

impl Fingerprint {
    /// FNV-1a's offset basis.
    pub fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    /// Adds one word.
    pub fn write_u64(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(0x0000_0100_0000_01b3);
    }

    /// Adds bytes: their length, then their words.
    pub fn write_bytes(&mut self, bytes: &[u8]) {
        self.write_u64(bytes.len() as u64);
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.write_u64(u64::from_le_bytes(word.try_into().expect("8 bytes")));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.write_u64(u64::from_le_bytes(last));
        }
    }

    /// Adds a string's UTF-8 bytes (with their length, so that `"ab", "c"` and `"a", "bc"` differ).
    pub fn write_str(&mut self, text: &str) {
        self.write_bytes(text.as_bytes());
    }

    /// The fingerprint so far.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

/// A static token-embedding table with its tokenizer.
#[derive(Clone, Debug)]
pub struct StaticEmbedder {
    wordpiece: WordPiece,
    dims: usize,
    table: Vec<i8>,
}

impl StaticEmbedder {
    /// Loads the tokenizer vocabulary (`vocab.txt`) and the int8 table (`table.i8`).
    pub fn from_bytes(vocab: &[u8], table: &[u8]) -> Result<Self, CatalogError> {
        let vocab = std::str::from_utf8(vocab).map_err(|e| {
            CatalogError::EmbeddingTable(format!(
                "vocabulary is not UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ))
        })?;
        let tokens: Vec<String> = vocab.lines().map(String::from).collect();
        if table.len() < 20 || &table[..8] != MAGIC {
            return Err(CatalogError::EmbeddingTable(format!(
                "not an ABEMB001 table ({} bytes; expected the 8-byte magic and a 12-byte header)",
                table.len()
            )));
        }
        let word = |at: usize| {
            u32::from_le_bytes([table[at], table[at + 1], table[at + 2], table[at + 3]])
        };
        let (rows, dims) = (word(8) as usize, word(12) as usize);
        let expected = rows.checked_mul(dims).and_then(|n| n.checked_add(20));
        if dims == 0 || expected != Some(table.len()) {
            return Err(CatalogError::EmbeddingTable(format!(
                "header says {rows} rows × {dims} dims, which needs {} bytes, but the file has {}",
                expected.map_or("an impossible number of".to_string(), |n| n.to_string()),
                table.len()
            )));
        }
        if tokens.len() != rows {
            return Err(CatalogError::VocabularySize {
                vocab: tokens.len(),
                rows,
            });
        }
        Ok(Self {
            wordpiece: WordPiece::new(tokens),
            dims,
            table: table[20..].iter().map(|&b| b as i8).collect(),
        })
    }

    /// Vector dimensions.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// The tokens of `text` that carry a vector (`[UNK]` dropped), as vocabulary strings.
    pub fn tokens(&self, text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        self.wordpiece.tokenize(text, |piece| {
            if let Piece::Known(row) = piece {
                out.extend(self.wordpiece.token(row));
            }
        });
        out
    }

    /// The L2-normalised mean of the rows of `text`'s tokens, or `None` when no token is known
    /// (empty text, only unknown words).
    pub fn embed(&self, text: &str) -> Option<Vec<f32>> {
        let (sum, count) = self.sum_rows(text);
        finish(&sum, count)
    }

    /// The sum of the rows of `text`'s known tokens, and how many there are.
    fn sum_rows(&self, text: &str) -> (Vec<i32>, usize) {
        let mut sum = vec![0i32; self.dims];
        let mut count = 0usize;
        self.wordpiece.tokenize(text, |piece| {
            if let Piece::Known(row) = piece {
                self.add_row(&mut sum, row);
                count += 1;
            }
        });
        (sum, count)
    }

    /// Embeds many texts, caching the pieces of each distinct word: the bulk path used to embed a
    /// catalog at load time. Equal to calling [`StaticEmbedder::embed`] on each text.
    pub fn embed_many<'a>(
        &self,
        texts: impl IntoIterator<Item = &'a str>,
    ) -> Vec<Option<Vec<f32>>> {
        let mut cache: HashMap<&'a str, Vec<u32>> = HashMap::new();
        let mut out = Vec::new();
        for text in texts {
            // Words split on ASCII whitespace tokenize independently of each other, except that a
            // special-token literal could span a split: texts containing '[' take the plain path.
            if text.contains('[') {
                out.push(self.embed(text));
                continue;
            }
            let mut sum = vec![0i32; self.dims];
            let mut count = 0usize;
            for word in text.split_ascii_whitespace() {
                let rows = cache.entry(word).or_insert_with(|| {
                    let mut rows = Vec::new();
                    self.wordpiece.tokenize(word, |piece| {
                        if let Piece::Known(row) = piece {
                            rows.push(row);
                        }
                    });
                    rows
                });
                for &row in rows.iter() {
                    let start = row as usize * self.dims;
                    for (s, &v) in sum.iter_mut().zip(&self.table[start..start + self.dims]) {
                        *s += v as i32;
                    }
                }
                count += rows.len();
            }
            out.push(finish(&sum, count));
        }
        out
    }

    /// A fingerprint of the vocabulary and the table (with [`VECTOR_CODE_VERSION`]): embedders
    /// with the same fingerprint embed every text the same.
    pub fn fingerprint(&self) -> u64 {
        let mut hash = Fingerprint::new();
        hash.write_u64(VECTOR_CODE_VERSION);
        hash.write_u64(self.dims as u64);
        for row in 0.. {
            let Some(token) = self.wordpiece.token(row) else {
                break;
            };
            hash.write_str(token);
        }
        hash.write_u64(self.table.len() as u64);
        for chunk in self.table.chunks(8) {
            let mut word = [0u8; 8];
            for (byte, &value) in word.iter_mut().zip(chunk) {
                *byte = value as u8;
            }
            hash.write_u64(u64::from_le_bytes(word));
        }
        hash.finish()
    }

    /// Embeds many texts given as parts, caching each distinct part's token sum: the bulk path
    /// used to embed a catalog at load time. A text's parts are read as if joined with spaces (a
    /// text is `parts.join(" ")`); because BERT's pre-tokenizer splits on whitespace and splits
    /// off every punctuation character, the tokens of `a b` are the tokens of `a` then those of
    /// `b`, so the result equals [`StaticEmbedder::embed`] of the joined text. Parts shared by many
    /// texts (a table's concept, a label segment such as `25 to 29 years`, a lone `/`) are then
    /// tokenized and summed once.
    pub fn embed_parts_many<'a, P>(
        &self,
        texts: impl IntoIterator<Item = P>,
    ) -> Vec<Option<Vec<f32>>>
    where
        P: IntoIterator<Item = &'a str>,
    {
        let mut out = Vec::new();
        self.embed_parts_each(texts, |v| out.push(v.map(<[f32]>::to_vec)));
        out
    }

    /// [`StaticEmbedder::embed_parts_many`] without a vector allocated per text: `each` receives
    /// each text's vector (in a reused buffer), in order.
    pub fn embed_parts_each<'a, P>(
        &self,
        texts: impl IntoIterator<Item = P>,
        mut each: impl FnMut(Option<&[f32]>),
    ) where
        P: IntoIterator<Item = &'a str>,
    {
        let mut cache: FxHashMap<&'a str, (Vec<i32>, usize)> = FxHashMap::default();
        let mut sum = vec![0i32; self.dims];
        let (mut mean, mut vector) = (Vec::new(), Vec::new());
        for parts in texts {
            sum.fill(0);
            let mut count = 0usize;
            for part in parts {
                count += self.add_part(part, &mut cache, &mut sum);
            }
            let known = finish_into(&sum, count, &mut mean, &mut vector);
            each(known.then_some(vector.as_slice()));
        }
    }

    /// Adds `part`'s token rows to `sum` (from `cache`, or tokenized and cached now) and returns how many
    /// there are. A function of its own, not inlined into the loop over the texts: a browser's wasm
    /// engine optimises a function once it has run for a while, but only from its next call on, so the
    /// loop's work must be in calls.
    #[inline(never)]
    fn add_part<'a>(
        &self,
        part: &'a str,
        cache: &mut FxHashMap<&'a str, (Vec<i32>, usize)>,
        sum: &mut [i32],
    ) -> usize {
        let (part_sum, part_count) = cache.entry(part).or_insert_with(|| self.sum_rows(part));
        sum.iter_mut()
            .zip(part_sum.iter())
            .for_each(|(s, p)| *s += p);
        *part_count
    }

    fn add_row(&self, sum: &mut [i32], row: u32) {
        let start = row as usize * self.dims;
        for (s, &v) in sum.iter_mut().zip(&self.table[start..start + self.dims]) {
            *s += v as i32;
        }
    }
}

fn finish(sum: &[i32], count: usize) -> Option<Vec<f32>> {
    let mut vector = Vec::new();
    finish_into(sum, count, &mut Vec::new(), &mut vector).then_some(vector)
}

/// The normalised mean of `count` rows summing to `sum`, into `vector` (`mean` is scratch);
/// false, leaving `vector` unspecified, when there is none (no row, or a zero mean).
fn finish_into(sum: &[i32], count: usize, mean: &mut Vec<f64>, vector: &mut Vec<f32>) -> bool {
    if count == 0 {
        return false;
    }
    mean.clear();
    mean.extend(sum.iter().map(|&s| s as f64 / count as f64));
    let norm = mean.iter().map(|v| v * v).sum::<f64>().sqrt();
    if norm == 0.0 {
        return false;
    }
    vector.clear();
    vector.extend(mean.iter().map(|v| (v / norm) as f32));
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[[i8; 2]]) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend((rows.len() as u32).to_le_bytes());
        bytes.extend(2u32.to_le_bytes());
        bytes.extend(1.0f32.to_le_bytes());
        bytes.extend(rows.iter().flatten().map(|&v| v as u8));
        bytes
    }

    #[test]
    fn vector_is_the_normalised_mean_of_known_token_rows() {
        let vocab = b"[PAD]\n[UNK]\nred\nblue\n";
        let embedder =
            StaticEmbedder::from_bytes(vocab, &table(&[[0, 0], [9, 9], [3, 0], [0, 4]])).unwrap();
        // mean of (3,0) and (0,4) = (1.5, 2) → normalised (0.6, 0.8); the unknown word adds nothing.
        let v = embedder.embed("Red zzz BLUE").unwrap();
        assert!(
            (v[0] - 0.6).abs() < 1e-6 && (v[1] - 0.8).abs() < 1e-6,
            "{v:?}"
        );
        assert_eq!(embedder.embed("zzz"), None);
        assert_eq!(embedder.tokens("blue red"), vec!["blue", "red"]);
        assert_eq!(
            embedder.embed_parts_many([vec!["Red", "zzz", "BLUE"], vec![], vec!["blue", "red"]]),
            vec![
                embedder.embed("Red zzz BLUE"),
                None,
                embedder.embed("red blue")
            ]
        );
        assert_eq!(
            embedder.embed_many(["Red zzz BLUE", "zzz", "red [UNK] blue"]),
            vec![
                embedder.embed("Red zzz BLUE"),
                None,
                embedder.embed("red blue")
            ]
        );
    }

    #[test]
    fn malformed_tables_are_rejected_with_sizes() {
        let good = table(&[[1, 2], [3, 4]]);
        assert!(matches!(
            StaticEmbedder::from_bytes(b"a\nb\nc\n", &good),
            Err(CatalogError::VocabularySize { vocab: 3, rows: 2 })
        ));
        let err = StaticEmbedder::from_bytes(b"a\nb\n", &good[..good.len() - 1]).unwrap_err();
        assert!(
            err.to_string()
                .contains("needs 24 bytes, but the file has 23"),
            "{err}"
        );
        assert!(StaticEmbedder::from_bytes(b"a\n", b"nonsense").is_err());
    }
}
