//! Reading a file handed over in chunks (a browser worker reading `File.slice`s, a native reader reading
//! blocks), with the same result as [`read_table`] on the whole file.
//!
//! The chunks may be cut anywhere: inside a quoted field, a multi-byte UTF-8 character, a UTF-16 code
//! unit or a CRLF. The caller never needs the whole file in one buffer of its own: in the browser the file
//! goes from `File.slice` into the engine chunk by chunk, so it is in memory once (the engine's copy), not
//! twice (a JavaScript `ArrayBuffer` and the engine's copy).
//!
//! Today the engine keeps the received bytes and reads them in [`StreamingReader::finish`], since the
//! encoding (UTF-8 or Windows-1252) is only known once the last byte has been seen; the bytes are freed
//! as soon as the table is built.

use super::{read_table, IngestError, IngestOptions, Ingested};

/// Reads a CSV file pushed in chunks; [`finish`](StreamingReader::finish) gives what [`read_table`] gives
/// on the concatenated chunks.
///
/// ```
/// use audience_engine::ingest::{read_table, IngestOptions, StreamingReader};
///
/// let file = "name,city\r\n\"Zoë, \"\"Z\"\"\",Genève\r\nBob,\"Le\r\nMans\"\r\n".as_bytes();
/// let mut reader = StreamingReader::new(IngestOptions::default());
/// for chunk in file.chunks(3) {
///     reader.push(chunk);
/// }
/// assert_eq!(reader.bytes_received(), file.len());
/// let streamed = reader.finish().unwrap();
/// assert_eq!(streamed, read_table(file, &IngestOptions::default()).unwrap());
/// assert_eq!(streamed.table.column("city").unwrap().text(1), "Le\r\nMans");
/// ```
#[derive(Clone, Debug)]
pub struct StreamingReader {
    options: IngestOptions,
    bytes: Vec<u8>,
}

impl StreamingReader {
    /// A reader for a file of unknown size, read under `options`.
    pub fn new(options: IngestOptions) -> StreamingReader {
        StreamingReader::with_capacity(options, 0)
    }

    /// A reader for a file of `bytes` bytes (e.g. `File.size`), so the memory is taken once, not grown.
    pub fn with_capacity(options: IngestOptions, bytes: usize) -> StreamingReader {
        StreamingReader {
            options,
            bytes: Vec::with_capacity(bytes),
        }
    }

    /// Adds the next chunk of the file (any length, cut anywhere; empty chunks are fine).
    pub fn push(&mut self, chunk: &[u8]) {
        self.bytes.extend_from_slice(chunk);
    }

    /// Bytes pushed so far (for a progress bar).
    pub fn bytes_received(&self) -> usize {
        self.bytes.len()
    }

    /// Reads the file pushed so far as its last chunk had arrived.
    ///
    /// # Errors
    /// Those of [`read_table`] on the same bytes.
    pub fn finish(self) -> Result<Ingested, IngestError> {
        let StreamingReader { options, bytes } = self;
        read_table(&bytes, &options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::IngestError;

    /// A small file with everything a chunk boundary can cut: a BOM, CRLF line ends, quoted fields with
    /// a delimiter, escaped quotes and a line break, multi-byte characters (2, 3 and 4 bytes), a blank
    /// line, a ragged row and a repeated header.
    fn tricky_file() -> Vec<u8> {
        let text = "\u{feff}name;city;spend;note\r\n\
                    Zoë;Genève;3,5;\"says \"\"hi\"\"; twice\"\r\n\
                    Bob;Le Mans;12;\"two\r\nlines\"\r\n\
                    \r\n\
                    Ana;Łódź;7,25;€ 😀\r\n\
                    Cy;Köln;1\r\n\
                    name;city;spend;note\r\n\
                    Dee;Zürich;NA;ok\r\n";
        text.as_bytes().to_vec()
    }

    fn streamed(bytes: &[u8], cuts: &[usize]) -> Result<Ingested, IngestError> {
        let mut reader = StreamingReader::new(IngestOptions::default());
        let mut from = 0;
        for &cut in cuts {
            reader.push(&bytes[from..cut]);
            from = cut;
        }
        reader.push(&bytes[from..]);
        reader.finish()
    }

    #[test]
    fn a_file_cut_at_any_byte_reads_as_the_whole_file() {
        let bytes = tricky_file();
        let whole = read_table(&bytes, &IngestOptions::default()).unwrap();
        assert_eq!(whole.report.rows_in_file, 5);
        assert_eq!(whole.report.rows_kept, 4);
        assert_eq!(whole.report.repeated_headers, 1);
        assert_eq!(whole.table.column("note").unwrap().text(1), "two\r\nlines");
        for cut in 0..=bytes.len() {
            assert_eq!(
                streamed(&bytes, &[cut]).unwrap(),
                whole,
                "cut at byte {cut}"
            );
        }
        for size in 1..=7 {
            let cuts: Vec<usize> = (size..bytes.len()).step_by(size).collect();
            assert_eq!(streamed(&bytes, &cuts).unwrap(), whole, "chunks of {size}");
        }
    }

    #[test]
    fn utf16_and_windows_1252_files_cut_anywhere_read_as_whole() {
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "id,ville\n1,Genève\n2,Zoë\n".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let latin = b"id,ville\n1,Gen\xE8ve\n2,Zo\xEB\n".to_vec();
        for bytes in [utf16, latin] {
            let whole = read_table(&bytes, &IngestOptions::default()).unwrap();
            assert_eq!(whole.table.column("ville").unwrap().text(0), "Genève");
            for cut in 0..=bytes.len() {
                assert_eq!(
                    streamed(&bytes, &[cut]).unwrap(),
                    whole,
                    "cut at byte {cut}"
                );
            }
        }
    }

    #[test]
    fn nothing_pushed_is_the_empty_file_error() {
        let reader = StreamingReader::new(IngestOptions::default());
        assert_eq!(reader.bytes_received(), 0);
        assert_eq!(
            reader.finish().unwrap_err(),
            IngestError::Empty {
                bytes: 0,
                bom: false
            }
        );
    }
}
