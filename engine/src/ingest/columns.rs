//! The columns a file's rows are read into: each cell looked up in its column's dictionary of distinct
//! texts, one code per row.
//!
//! Natively, on a machine with more than one core and a file of more than [`ROWS_FOR_THREADS`] rows, the
//! lookups run on threads of their own while the parser goes on: the rows are copied into batches
//! ([`RowBatch`]) that column threads read, each thread filling its share of the columns row after row.
//! Every column still sees its cells in row order, so the dictionaries and codes are the ones a single
//! thread builds. In wasm32 (one Web Worker) and for small files everything stays on the caller's thread.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::hashing::FastMap;
use crate::parallel::ROWS_FOR_THREADS;
use crate::table::{CodeStore, Dictionary};

/// Most column threads.
const MAX_COLUMN_THREADS: usize = 4;
/// A batch is handed to the column threads once it holds this many rows…
const BATCH_ROWS: usize = 4_096;
/// …or this many bytes of text.
const BATCH_BYTES: usize = 512 << 10;
/// Batches waiting for each column thread before the parser waits (bounds the memory in flight).
const BATCHES_QUEUED: usize = 4;

/// A column being filled: the dictionary of distinct texts and one code per row.
///
/// Texts of at most 15 bytes (most cells: numbers, codes, dates, short labels) are looked up as two words
/// (length and bytes, [`short_key`]), which hash and compare in a few instructions; longer texts by string.
/// Each new text is appended to the dictionary as it is first seen, so the dictionary is in code order.
///
/// While every text of the column comes after the one before it ([`comes_after`]: a customer id or a
/// row number in a file sorted by it), each one is new and is not looked up: the maps stay empty until
/// the first text that does not, which maps the dictionary in one go. A million-row id column was a
/// million inserts into a table outgrowing the caches, each a cache miss, with the table rebuilt at
/// every doubling.
#[derive(Default)]
struct ColumnBuilder {
    short: FastMap<(u64, u64), u32>,
    long: FastMap<String, u32>,
    dictionary: Dictionary,
    codes: CodeStore,
    /// Whether `short` and `long` hold every text of the dictionary (false while the texts ascend).
    mapped: bool,
}

/// Whether `text` comes after `last` when texts are ordered by length and then by bytes: the order in
/// which the numbers of a counter (`9`, `10`) and zero-padded ids (`C0099`, `C0100`) ascend. Texts that
/// each come after the one before are all different.
#[inline]
fn comes_after(text: &str, last: &str) -> bool {
    (text.len(), text.as_bytes()) > (last.len(), last.as_bytes())
}

/// `text` as a key of two words when it is at most 15 bytes long: its bytes in the low word and then the
/// high one (little-endian), its length in the high word's last byte.
///
/// Built from whole-word loads of the text (overlapping ones where it is shorter than a word), in 64-bit
/// arithmetic: wasm32 has no 128-bit shifts (each one was a call into the compiler's runtime, 15 a cell)
/// and a byte copy into a stack array followed by a wide load stalls the CPU.
fn short_key(text: &str) -> Option<(u64, u64)> {
    let bytes = text.as_bytes();
    let len = bytes.len();
    if len > 15 {
        return None;
    }
    let (low, high) = if len >= 8 {
        let low = word(&bytes[..8]);
        // Bytes 8.. are the top `len - 8` bytes of the last eight.
        let high = match len {
            8 => 0,
            _ => word(&bytes[len - 8..]) >> (8 * (16 - len)),
        };
        (low, high)
    } else if len >= 4 {
        // Two overlapping 4-byte loads: the bytes they share land on the same places.
        let first = u64::from(u32::from_le_bytes(bytes[..4].try_into().expect("4 bytes")));
        let last = u64::from(u32::from_le_bytes(
            bytes[len - 4..].try_into().expect("4 bytes"),
        ));
        (first | last << (8 * (len - 4)), 0)
    } else if len > 0 {
        let low = u64::from(bytes[0])
            | u64::from(bytes[len / 2]) << (8 * (len / 2))
            | u64::from(bytes[len - 1]) << (8 * (len - 1));
        (low, 0)
    } else {
        (0, 0)
    };
    Some((low, high | (len as u64) << 56))
}

/// Eight bytes as a little-endian word.
fn word(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(bytes.try_into().expect("8 bytes"))
}

impl ColumnBuilder {
    fn with_capacity(rows: usize) -> ColumnBuilder {
        ColumnBuilder {
            codes: CodeStore::with_capacity(rows),
            ..ColumnBuilder::default()
        }
    }

    fn push(&mut self, text: &str) {
        let code = self.code_of(text);
        self.codes.push(code);
    }

    /// The code of `text`, added to the dictionary when it is new.
    #[inline]
    fn code_of(&mut self, text: &str) -> u32 {
        let next = self.dictionary.len() as u32;
        if !self.mapped {
            let ascending = next == 0
                || self
                    .dictionary
                    .get(next as usize - 1)
                    .is_some_and(|last| comes_after(text, last));
            if ascending {
                return self.dictionary.push(text);
            }
            self.map_dictionary();
        }
        let code = match short_key(text) {
            Some((low, high)) => *self.short.entry((high, low)).or_insert(next),
            None => match self.long.get(text) {
                Some(&code) => code,
                None => {
                    self.long.insert(text.to_owned(), next);
                    next
                }
            },
        };
        if code == next {
            self.dictionary.push(text);
        }
        code
    }

    /// Every text of the dictionary put in the maps, once the texts no longer ascend.
    #[cold]
    #[inline(never)]
    fn map_dictionary(&mut self) {
        let short_texts = self
            .dictionary
            .iter()
            .filter(|text| short_key(text).is_some())
            .count();
        self.short.reserve(short_texts);
        self.long.reserve(self.dictionary.len() - short_texts);
        for (code, text) in self.dictionary.iter().enumerate() {
            match short_key(text) {
                Some((low, high)) => self.short.insert((high, low), code as u32),
                None => self.long.insert(text.to_owned(), code as u32),
            };
        }
        self.mapped = true;
    }

    /// The rows another reader read after this one's (their texts in `dictionary`, their codes in
    /// `codes`) appended: what pushing those rows' texts one by one gives, with one lookup per distinct
    /// text instead of one per row.
    fn append(&mut self, dictionary: &Dictionary, codes: &CodeStore) {
        let recoded: Vec<u32> = dictionary.iter().map(|text| self.code_of(text)).collect();
        match codes.view() {
            crate::table::Codes::U8(codes) => codes
                .iter()
                .for_each(|&code| self.codes.push(recoded[usize::from(code)])),
            crate::table::Codes::U16(codes) => codes
                .iter()
                .for_each(|&code| self.codes.push(recoded[usize::from(code)])),
            crate::table::Codes::U32(codes) => codes
                .iter()
                .for_each(|&code| self.codes.push(recoded[code as usize])),
        }
    }

    /// Every text replaced by `reread(text)` (distinct texts stay distinct), codes unchanged.
    fn reread(&mut self, reread: fn(&str) -> String) {
        let codes = std::mem::take(&mut self.codes);
        let (dictionary, _) = std::mem::take(self).finish();
        for text in dictionary.iter() {
            self.dictionary.push(&reread(text));
        }
        self.map_dictionary();
        self.codes = codes;
    }

    /// The dictionary in first-seen order, and the codes.
    fn finish(self) -> (Dictionary, CodeStore) {
        let (mut dictionary, mut codes) = (self.dictionary, self.codes);
        dictionary.shrink_to_fit();
        codes.shrink_to_fit();
        (dictionary, codes)
    }
}

/// Rows copied for the column threads: every field's text back to back, and where each ends.
#[derive(Default)]
struct RowBatch {
    text: String,
    /// `ends[row * width + column]`: the end of that field in `text` (its start is the previous end).
    ends: Vec<u32>,
}

impl RowBatch {
    /// An empty batch with room for a full one of rows `width` fields wide.
    fn with_room(width: usize) -> RowBatch {
        RowBatch {
            text: String::with_capacity(BATCH_BYTES + (BATCH_BYTES >> 2)),
            ends: Vec::with_capacity(BATCH_ROWS * width),
        }
    }

    /// Adds a row's fields; whether the batch is now full ([`BATCH_ROWS`] rows of `width` fields or
    /// [`BATCH_BYTES`] of text).
    fn push_row<'a>(&mut self, fields: impl Iterator<Item = &'a str>, width: usize) -> bool {
        for field in fields {
            self.text.push_str(field);
            self.ends.push(self.text.len() as u32);
        }
        self.ends.len() >= BATCH_ROWS * width || self.text.len() >= BATCH_BYTES
    }

    /// The rows pushed to `builders`, each given with its column, one column after the other.
    fn push_columns<'a>(
        &self,
        builders: impl Iterator<Item = (&'a mut ColumnBuilder, usize)>,
        width: usize,
    ) {
        let rows = self.rows(width);
        for (builder, column) in builders {
            for row in 0..rows {
                builder.push(self.field(row, column, width));
            }
        }
    }

    fn rows(&self, width: usize) -> usize {
        self.ends.len() / width.max(1)
    }

    /// The text of `column` in `row`.
    fn field(&self, row: usize, column: usize, width: usize) -> &str {
        let at = row * width + column;
        let start = if at == 0 {
            0
        } else {
            self.ends[at - 1] as usize
        };
        self.text
            .get(start..self.ends[at] as usize)
            .unwrap_or_default()
    }

    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }
}

/// What the parser sends a column thread.
enum Message {
    Rows(Arc<RowBatch>),
    /// The file turned out to be Windows-1252: read the texts so far again (see
    /// [`Columns::reread`]).
    Reread(fn(&str) -> String),
}

/// A column thread: the channel to it, and the thread, which gives back its columns when the channel
/// closes.
struct ColumnThread {
    sender: SyncSender<Message>,
    thread: JoinHandle<Vec<ColumnBuilder>>,
}

/// Columns filled on threads of their own (see the module docs).
struct Threaded {
    width: usize,
    /// Rows not yet handed over.
    batch: RowBatch,
    /// Batches handed over, oldest first; each is reused once no thread holds it.
    in_flight: std::collections::VecDeque<Arc<RowBatch>>,
    /// Thread `t` fills the columns `t`, `t + threads.len()`, …
    threads: Vec<ColumnThread>,
}

/// The columns of a table being read, filled row by row (see the module docs).
pub(super) struct Columns(Inner);

enum Inner {
    OnThisThread(OnThisThread),
    Threaded(Threaded),
}

/// Columns filled on the parser's thread: rows are copied into a batch and each batch's rows pushed
/// column by column, as a column thread does ([`fill_columns`]).
///
/// One column's lookups one after the other are independent of each other, so the processor overlaps
/// their cache misses (a column of many distinct amounts has a table larger than the caches); pushed row
/// by row, each lookup waited for its miss.
#[derive(Default)]
struct OnThisThread {
    /// Every column's builder.
    builders: Vec<ColumnBuilder>,
    /// Rows not yet pushed to the builders.
    batch: RowBatch,
}

impl OnThisThread {
    /// The batch's rows pushed to the builders, column by column; the batch left empty.
    fn push_batch(&mut self) {
        let width = self.builders.len();
        let builders = self.builders.iter_mut().zip(0..width);
        self.batch.push_columns(builders, width);
        self.batch.clear();
    }
}

impl Default for Columns {
    fn default() -> Columns {
        Columns(Inner::OnThisThread(OnThisThread::default()))
    }
}

/// Column threads for a table of `width` columns and about `rows_hint` rows: none in wasm32, on one core
/// or for a small file, else one fewer than the cores (the parser keeps one), at most
/// [`MAX_COLUMN_THREADS`] and one per column.
pub(super) fn column_threads(width: usize, rows_hint: usize) -> usize {
    if cfg!(target_arch = "wasm32") || rows_hint < ROWS_FOR_THREADS {
        return 0;
    }
    (crate::parallel::cores() - 1)
        .min(MAX_COLUMN_THREADS)
        .min(width)
}

impl Columns {
    /// `width` empty columns with room for `rows_hint` rows, filled on `threads` column threads (none:
    /// on the caller's thread; see [`column_threads`]).
    pub(super) fn new(width: usize, rows_hint: usize, threads: usize) -> Columns {
        let builders = (0..width).map(|_| ColumnBuilder::with_capacity(rows_hint));
        if threads == 0 || width == 0 {
            return Columns(Inner::OnThisThread(OnThisThread {
                builders: builders.collect(),
                batch: RowBatch::with_room(width),
            }));
        }
        let threads = threads.min(width);
        let mut shares: Vec<Vec<ColumnBuilder>> = (0..threads).map(|_| Vec::new()).collect();
        for (column, builder) in builders.enumerate() {
            shares[column % threads].push(builder);
        }
        let threads = shares
            .into_iter()
            .enumerate()
            .map(|(first, share)| {
                let (sender, receiver) = sync_channel(BATCHES_QUEUED);
                let thread = std::thread::spawn(move || {
                    fill_columns(share, first, threads, width, &receiver)
                });
                ColumnThread { sender, thread }
            })
            .collect();
        Columns(Inner::Threaded(Threaded {
            width,
            batch: RowBatch::default(),
            in_flight: std::collections::VecDeque::new(),
            threads,
        }))
    }

    /// Adds a row: its fields, one per column (the caller checks the count).
    pub(super) fn push_row<'a>(&mut self, fields: impl Iterator<Item = &'a str>) {
        match &mut self.0 {
            Inner::OnThisThread(columns) => {
                if columns.batch.push_row(fields, columns.builders.len()) {
                    columns.push_batch();
                }
            }
            Inner::Threaded(threaded) => {
                if threaded.batch.push_row(fields, threaded.width) {
                    threaded.hand_over();
                }
            }
        }
    }

    /// Every text read so far replaced by `reread(text)`, codes unchanged (a file found not to be UTF-8
    /// after its start: its texts read again from their bytes).
    pub(super) fn reread(&mut self, reread: fn(&str) -> String) {
        match &mut self.0 {
            Inner::OnThisThread(columns) => {
                columns.push_batch();
                columns
                    .builders
                    .iter_mut()
                    .for_each(|builder| builder.reread(reread));
            }
            Inner::Threaded(threaded) => {
                threaded.hand_over();
                threaded.send(|| Message::Reread(reread));
            }
        }
    }

    /// Each column's dictionary (in first-seen order) and codes, in column order.
    pub(super) fn finish(self) -> Vec<(Dictionary, CodeStore)> {
        self.builders()
            .into_iter()
            .map(ColumnBuilder::finish)
            .collect()
    }

    /// [`Self::finish`] with the rows of `later` (another reader's columns of the rows after these, one
    /// per column, in order) appended: the columns one reader of every row fills. `None` when `later`
    /// has not one column per column.
    pub(super) fn finish_appending(
        self,
        later: &[(Dictionary, CodeStore)],
    ) -> Option<Vec<(Dictionary, CodeStore)>> {
        let mut builders = self.builders();
        if builders.len() != later.len() {
            return None;
        }
        for (builder, (dictionary, codes)) in builders.iter_mut().zip(later) {
            builder.append(dictionary, codes);
        }
        Some(builders.into_iter().map(ColumnBuilder::finish).collect())
    }

    /// The columns' builders, in column order, once every row handed over is in them.
    fn builders(self) -> Vec<ColumnBuilder> {
        match self.0 {
            Inner::OnThisThread(mut columns) => {
                columns.push_batch();
                columns.builders
            }
            Inner::Threaded(mut threaded) => {
                threaded.hand_over();
                let width = threaded.width;
                let threads = threaded.threads.len();
                let mut shares: Vec<std::vec::IntoIter<ColumnBuilder>> = threaded
                    .threads
                    .into_iter()
                    .map(|ColumnThread { sender, thread }| {
                        drop(sender);
                        match thread.join() {
                            Ok(share) => share.into_iter(),
                            Err(panic) => std::panic::resume_unwind(panic),
                        }
                    })
                    .collect();
                (0..width)
                    .map(|column| {
                        shares[column % threads]
                            .next()
                            .expect("each column thread gives back its share of the columns")
                    })
                    .collect()
            }
        }
    }
}

impl Threaded {
    /// Sends the rows not yet handed over to every column thread, and starts a new batch (a free one when
    /// the oldest handed over is no longer held).
    fn hand_over(&mut self) {
        if self.batch.ends.is_empty() {
            return;
        }
        let next = match self.in_flight.front() {
            Some(oldest) if Arc::strong_count(oldest) == 1 => self
                .in_flight
                .pop_front()
                .and_then(|oldest| Arc::try_unwrap(oldest).ok())
                .map(|mut free| {
                    free.clear();
                    free
                })
                .unwrap_or_default(),
            _ => RowBatch::with_room(self.width),
        };
        let batch = Arc::new(std::mem::replace(&mut self.batch, next));
        self.send(|| Message::Rows(Arc::clone(&batch)));
        self.in_flight.push_back(batch);
    }

    /// Sends `message()` to every column thread. A thread that is gone panicked; its panic is raised when
    /// the columns are finished.
    fn send(&self, message: impl Fn() -> Message) {
        for thread in &self.threads {
            // Err: the thread is gone (it panicked); `finish` raises its panic.
            let _ = thread.sender.send(message());
        }
    }
}

/// A column thread's work: `share` holds the columns `first`, `first + threads`, … of `width`; each batch's
/// rows are pushed column by column (one column's lookups at a time keep its table in cache).
fn fill_columns(
    mut share: Vec<ColumnBuilder>,
    first: usize,
    threads: usize,
    width: usize,
    receiver: &Receiver<Message>,
) -> Vec<ColumnBuilder> {
    while let Ok(message) = receiver.recv() {
        match message {
            Message::Rows(batch) => {
                let builders = share.iter_mut().zip((first..width).step_by(threads));
                batch.push_columns(builders, width);
            }
            Message::Reread(reread) => share.iter_mut().for_each(|builder| builder.reread(reread)),
        }
    }
    share
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(
        rows: &[Vec<String>],
        width: usize,
        threads: usize,
        reread_at: Option<usize>,
    ) -> Vec<(Vec<String>, Vec<u32>)> {
        let mut columns = Columns::new(width, rows.len(), threads);
        for (i, row) in rows.iter().enumerate() {
            if reread_at == Some(i) {
                columns.reread(|text| text.to_uppercase());
            }
            columns.push_row(row.iter().map(String::as_str));
        }
        columns
            .finish()
            .into_iter()
            .map(|(dictionary, codes)| (dictionary.to_vec(), codes.view().to_vec()))
            .collect()
    }

    /// The bytes, then the length in the last byte, one byte at a time.
    fn short_key_byte_by_byte(text: &str) -> Option<(u64, u64)> {
        let bytes = text.as_bytes();
        if bytes.len() > 15 {
            return None;
        }
        let mut words = [0u64, (bytes.len() as u64) << 56];
        for (i, &b) in bytes.iter().enumerate() {
            words[i / 8] |= u64::from(b) << (8 * (i % 8));
        }
        Some((words[0], words[1]))
    }

    #[test]
    fn short_keys_hold_every_byte_and_the_length_of_texts_up_to_15_bytes() {
        let alphabet = "ab\u{0}z€9";
        let mut seen = std::collections::HashMap::new();
        for len in 0..=17 {
            for start in 0..alphabet.len() {
                // Texts of each length with bytes that differ by position, including NUL bytes.
                let text: String = alphabet.chars().cycle().skip(start).take(len).collect();
                for text in [text.clone(), format!("{text}\u{0}"), format!("\u{0}{text}")] {
                    let key = short_key(&text);
                    assert_eq!(key, short_key_byte_by_byte(&text), "{text:?}");
                    assert_eq!(key.is_some(), text.len() <= 15, "{text:?}");
                    if let Some(key) = key {
                        let earlier = seen.insert(key, text.clone());
                        assert!(earlier.is_none_or(|earlier| earlier == text), "{text:?}");
                    }
                }
            }
        }
    }

    /// The dictionary in first-seen order and each text's code, with a plain map.
    fn first_seen<'a>(texts: impl IntoIterator<Item = &'a str>) -> (Vec<String>, Vec<u32>) {
        let mut dictionary: Vec<String> = Vec::new();
        let mut codes_by_text = std::collections::HashMap::new();
        let codes = texts
            .into_iter()
            .map(|text| {
                *codes_by_text.entry(text.to_owned()).or_insert_with(|| {
                    dictionary.push(text.to_owned());
                    dictionary.len() as u32 - 1
                })
            })
            .collect();
        (dictionary, codes)
    }

    #[test]
    fn ascending_texts_are_coded_as_a_plain_map_codes_them_wherever_the_order_breaks() {
        // Counters (`9` before `10`), padded ids, long texts, each ascending up to a text seen before,
        // a text between two earlier ones, or the end.
        let counter: Vec<String> = (0..2_000).map(|i| i.to_string()).collect();
        let padded: Vec<String> = (0..2_000).map(|i| format!("C{i:09}")).collect();
        let long: Vec<String> = (0..500)
            .map(|i| format!("customer number {i:06} of the spring list"))
            .collect();
        let cases: Vec<Vec<&str>> = vec![
            counter.iter().map(String::as_str).collect(),
            padded.iter().map(String::as_str).collect(),
            long.iter().map(String::as_str).collect(),
            counter
                .iter()
                .map(String::as_str)
                .chain(["1999", "0", "1500", "2000", "0"])
                .collect(),
            padded
                .iter()
                .step_by(2)
                .map(String::as_str)
                .chain([padded[3].as_str(), padded[4].as_str()])
                .chain(padded[1_000..].iter().map(String::as_str))
                .collect(),
            long.iter()
                .map(String::as_str)
                .chain(["short", long[0].as_str(), "short", long[499].as_str()])
                .collect(),
            vec!["", "", "a"],
            vec!["b", "a", "b"],
        ];
        for texts in cases {
            let mut builder = ColumnBuilder::default();
            texts.iter().for_each(|text| builder.push(text));
            let (dictionary, codes) = builder.finish();
            let expected = first_seen(texts.iter().copied());
            assert_eq!((dictionary.to_vec(), codes.view().to_vec()), expected);
        }
    }

    #[test]
    fn rows_appended_to_an_ascending_column_keep_the_first_seen_codes() {
        let ids: Vec<String> = (0..300).map(|i| format!("id-{i}")).collect();
        for (first, second) in [
            (&ids[..200], &ids[200..]),
            (&ids[..200], &ids[100..]),
            (&ids[100..], &ids[..150]),
        ] {
            let mut before = ColumnBuilder::default();
            first.iter().for_each(|text| before.push(text));
            let mut after = ColumnBuilder::default();
            second.iter().for_each(|text| after.push(text));
            let (dictionary, codes) = after.finish();
            before.append(&dictionary, &codes);
            let (dictionary, codes) = before.finish();
            let expected = first_seen(first.iter().chain(second).map(String::as_str));
            assert_eq!((dictionary.to_vec(), codes.view().to_vec()), expected);
        }
    }

    #[test]
    fn texts_around_the_short_key_length_get_their_own_codes_in_first_seen_order() {
        let texts = [
            "a",
            "a ",
            "",
            "fifteen bytes!!",
            "sixteen bytes!!!",
            "fifteen bytes!",
            "Zoë",
            "a",
            "sixteen bytes!!!",
            "fifteen bytes!!",
            "Genève–Zürich ok",
        ];
        let mut builder = ColumnBuilder::default();
        for text in texts {
            builder.push(text);
        }
        let (dictionary, codes) = builder.finish();
        assert_eq!(
            dictionary.to_vec(),
            [
                "a",
                "a ",
                "",
                "fifteen bytes!!",
                "sixteen bytes!!!",
                "fifteen bytes!",
                "Zoë",
                "Genève–Zürich ok"
            ]
        );
        assert_eq!(codes.view().to_vec(), [0, 1, 2, 3, 4, 5, 6, 0, 4, 3, 7]);
    }

    #[test]
    fn columns_filled_on_threads_are_the_columns_filled_on_the_parsers_thread() {
        let width = 5;
        // Enough rows for several batches, texts short and long, repeated and unique.
        let rows: Vec<Vec<String>> = (0..3 * BATCH_ROWS + 17)
            .map(|row| {
                vec![
                    format!("id-{row}"),
                    format!("{}", row % 7),
                    if row % 3 == 0 {
                        String::new()
                    } else {
                        "a text longer than fifteen bytes".repeat(row % 4)
                    },
                    format!("{}", (row * 7919) % 1_000),
                    "é".repeat(row % 5),
                ]
            })
            .collect();
        let on_this_thread = filled(&rows, width, 0, None);
        assert_eq!(on_this_thread[1].0.len(), 7);
        // Every column, across the batches' edges, as a plain map codes it.
        for (column, filled) in on_this_thread.iter().enumerate() {
            let expected = first_seen(rows.iter().map(|row| row[column].as_str()));
            assert_eq!(*filled, expected, "column {column}");
        }
        for threads in [1, 2, 3, 5, 9] {
            assert_eq!(
                filled(&rows, width, threads, None),
                on_this_thread,
                "{threads} threads"
            );
        }
        let reread = filled(&rows, width, 0, Some(BATCH_ROWS + 3));
        assert!(reread[0]
            .0
            .iter()
            .take(BATCH_ROWS + 3)
            .all(|text| text.starts_with("ID-")));
        assert!(reread[0].0[BATCH_ROWS + 3].starts_with("id-"));
        for threads in [1, 2] {
            assert_eq!(
                filled(&rows, width, threads, Some(BATCH_ROWS + 3)),
                reread,
                "{threads} threads"
            );
        }
    }
}
