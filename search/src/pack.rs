//! The packed catalog: a catalog and its analysed lexical index in one compact binary file
//! (`catalog/dist/catalog.bin`), which loads without JSON parsing or text analysis.
//!
//! The default catalog's source is `catalog/dist/catalog.jsonl`; `catalog/build.sh` packs it with
//! the `catalog_pack` example, and a test checks that the committed file is exactly what packing
//! the committed JSON Lines gives. Reading it back yields the same [`Catalog`] and a
//! [`LexicalIndex`] that scores exactly as one built from the text (postings and lengths are
//! derived from the stored term sequences by the same code).
//!
//! Layout (integers are LEB128 varints unless said otherwise):
//!
//! * `b"ABCATB01"`;
//! * the string table: a count, then each string as its byte length and UTF-8 bytes (every
//!   distinct string once: codes, labels, concepts, tables, types, units, sources, value levels
//!   and the lexical terms);
//! * the variables: a count, then per variable the string numbers of `code`, `label`, `concept`,
//!   `description` (number + 1, 0 for none), `table`, `type`; `data_type` (0 numeric, 1 ordinal,
//!   2 categorical, 3 binary); the value count and string numbers; the range flags (bit 0: a
//!   range, bit 1: a minimum, bit 2: a maximum) followed by the present ends as little-endian
//!   `f64`; `unit` (number + 1, 0 for none); `source`; the availability bits (1 first-party,
//!   2 third-party, 4 clean room);
//! * the lexical index: the term count and each term's string number (term ids in order), then per
//!   variable its sequence length and entries `term << 2 | field` (fields: label, description,
//!   concept, code/table).

use rustc_hash::FxHashMap;

use super::graph::{put, Reader};
use super::lexical::{LexicalIndex, FIELD_BITS, TERM_MASK};
use super::record::{Catalog, DataKind, DataType, Variable};
use super::synonyms::Lexicon;
use super::CatalogError;

/// The packed catalog's first eight bytes.
pub const PACK_MAGIC: &[u8; 8] = b"ABCATB01";

const KINDS: [DataKind; 3] = [
    DataKind::FirstParty,
    DataKind::ThirdParty,
    DataKind::CleanRoom,
];
const TYPES: [DataType; 4] = [
    DataType::Numeric,
    DataType::Ordinal,
    DataType::Categorical,
    DataType::Binary,
];

/// Whether `bytes` is a packed catalog (starts with [`PACK_MAGIC`]).
pub fn is_packed(bytes: &[u8]) -> bool {
    bytes.starts_with(PACK_MAGIC)
}

/// Packs a catalog with its lexical index (analysed here; the lexicon plays no part in the file).
pub fn pack(catalog: &Catalog) -> Vec<u8> {
    let lexical = LexicalIndex::build(catalog.variables(), Lexicon::default());
    let (terms, sequence, ends) = lexical.sequence();
    // Strings are numbered in order of first use, so the file is a function of the catalog alone.
    let vars = catalog.variables();
    let mut body = Vec::new();
    let mut table: Vec<&str> = Vec::new();
    let mut index: FxHashMap<&str, u64> = FxHashMap::default();
    fn number_of<'a>(
        s: &'a str,
        table: &mut Vec<&'a str>,
        index: &mut FxHashMap<&'a str, u64>,
    ) -> u64 {
        *index.entry(s).or_insert_with(|| {
            table.push(s);
            table.len() as u64 - 1
        })
    }
    put(&mut body, vars.len() as u64);
    for v in vars {
        for s in [&v.code, &v.label, &v.concept] {
            let n = number_of(s, &mut table, &mut index);
            put(&mut body, n);
        }
        let n = v
            .description
            .as_deref()
            .map_or(0, |d| number_of(d, &mut table, &mut index) + 1);
        put(&mut body, n);
        for s in [&v.table, &v.kind] {
            let n = number_of(s, &mut table, &mut index);
            put(&mut body, n);
        }
        put(
            &mut body,
            TYPES
                .iter()
                .position(|&t| t == v.data_type)
                .expect("a type") as u64,
        );
        put(&mut body, v.values.len() as u64);
        for value in &v.values {
            let n = number_of(value, &mut table, &mut index);
            put(&mut body, n);
        }
        match v.range {
            None => put(&mut body, 0),
            Some([min, max]) => {
                put(
                    &mut body,
                    1 | (min.is_some() as u64) << 1 | (max.is_some() as u64) << 2,
                );
                for end in [min, max].into_iter().flatten() {
                    body.extend(end.to_le_bytes());
                }
            }
        }
        let n = v
            .unit
            .as_deref()
            .map_or(0, |u| number_of(u, &mut table, &mut index) + 1);
        put(&mut body, n);
        let n = number_of(&v.source, &mut table, &mut index);
        put(&mut body, n);
        let bits = KINDS
            .iter()
            .enumerate()
            .filter(|(_, k)| v.availability.contains(k))
            .fold(0u64, |b, (i, _)| b | 1 << i);
        put(&mut body, bits);
    }
    put(&mut body, terms.len() as u64);
    for term in &terms {
        let n = number_of(term, &mut table, &mut index);
        put(&mut body, n);
    }
    let mut start = 0usize;
    for &end in ends {
        let doc = &sequence[start..end as usize];
        put(&mut body, doc.len() as u64);
        for &s in doc {
            put(
                &mut body,
                ((s & TERM_MASK) as u64) << 2 | (s >> FIELD_BITS) as u64,
            );
        }
        start = end as usize;
    }
    let mut out = PACK_MAGIC.to_vec();
    put(&mut out, table.len() as u64);
    for s in &table {
        put(&mut out, s.len() as u64);
        out.extend_from_slice(s.as_bytes());
    }
    out.extend(body);
    out
}

/// Reads a packed catalog: the catalog (validated like any other) and its lexical index with
/// `lexicon`.
pub fn unpack(bytes: &[u8], lexicon: Lexicon) -> Result<(Catalog, LexicalIndex), CatalogError> {
    unpack_inner(bytes, lexicon).map_err(|e| match e {
        CatalogError::IndexFormat(m) => CatalogError::PackedFormat(m),
        other => other,
    })
}

fn unpack_inner(bytes: &[u8], lexicon: Lexicon) -> Result<(Catalog, LexicalIndex), CatalogError> {
    if !is_packed(bytes) {
        return Err(CatalogError::PackedFormat(format!(
            "not an ABCATB01 file ({} bytes)",
            bytes.len()
        )));
    }
    let bad = |m: String| CatalogError::PackedFormat(m);
    let mut r = Reader { bytes, at: 8 };
    let count = r.len(bytes.len())?;
    let mut strings: Vec<&str> = Vec::with_capacity(count);
    for i in 0..count {
        let len = r.len(bytes.len())?;
        let at = r.at;
        let raw = r.take(len)?;
        strings.push(std::str::from_utf8(raw).map_err(|e| {
            bad(format!(
                "string {i} at byte {at} is not UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ))
        })?);
    }
    let string = |r: &mut Reader<'_>| -> Result<String, CatalogError> {
        let n = r.len(usize::MAX)?;
        strings.get(n).map(|s| s.to_string()).ok_or_else(|| {
            bad(format!(
                "string number {n} at byte {} of a table of {}",
                r.at,
                strings.len()
            ))
        })
    };
    let optional = |r: &mut Reader<'_>| -> Result<Option<String>, CatalogError> {
        let n = r.len(usize::MAX)?;
        match n {
            0 => Ok(None),
            n => strings
                .get(n - 1)
                .map(|s| Some(s.to_string()))
                .ok_or_else(|| {
                    bad(format!(
                        "string number {} at byte {} of a table of {}",
                        n - 1,
                        r.at,
                        strings.len()
                    ))
                }),
        }
    };
    let n = r.len(bytes.len())?;
    let mut variables = Vec::with_capacity(n);
    for record in 1..=n {
        let (code, label, concept) = (string(&mut r)?, string(&mut r)?, string(&mut r)?);
        let description = optional(&mut r)?;
        let (table, kind) = (string(&mut r)?, string(&mut r)?);
        let t = r.get()?;
        let data_type = *TYPES.get(t as usize).ok_or_else(|| {
            bad(format!(
                "variable {record} has data type number {t} (0 to 3)"
            ))
        })?;
        let value_count = r.len(bytes.len())?;
        let values = (0..value_count)
            .map(|_| string(&mut r))
            .collect::<Result<Vec<_>, _>>()?;
        let flags = r.get()?;
        let range = match flags {
            0 => None,
            f if f & 1 == 1 && f <= 7 => {
                let mut end = |present: bool| -> Result<Option<f64>, CatalogError> {
                    if !present {
                        return Ok(None);
                    }
                    let raw = r.take(8)?;
                    Ok(Some(f64::from_le_bytes(raw.try_into().expect("8 bytes"))))
                };
                let min = end(f & 2 != 0)?;
                Some([min, end(f & 4 != 0)?])
            }
            f => return Err(bad(format!("variable {record} has range flags {f}"))),
        };
        let unit = optional(&mut r)?;
        let source = string(&mut r)?;
        let bits = r.get()?;
        if bits > 7 {
            return Err(bad(format!(
                "variable {record} has availability bits {bits} (0 to 7)"
            )));
        }
        let availability = KINDS
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & 1 << i != 0)
            .map(|(_, &k)| k)
            .collect();
        variables.push(Variable {
            code,
            label,
            concept,
            description,
            table,
            kind,
            data_type,
            values,
            range,
            unit,
            source,
            availability,
        });
    }
    let catalog = Catalog::new(variables)?;
    let term_count = r.len(bytes.len())?;
    let terms = (0..term_count)
        .map(|_| string(&mut r))
        .collect::<Result<Vec<_>, _>>()?;
    let mut sequence = Vec::new();
    let mut ends = Vec::with_capacity(n);
    for doc in 0..n {
        let len = r.len(bytes.len())?;
        for _ in 0..len {
            let entry = r.get()?;
            let (term, field) = (entry >> 2, entry & 3);
            if term >= term_count as u64 {
                return Err(bad(format!(
                    "variable {} has term {term} of {term_count}",
                    doc + 1
                )));
            }
            sequence.push((field as u32) << FIELD_BITS | term as u32);
        }
        ends.push(sequence.len() as u32);
    }
    if r.at != bytes.len() {
        return Err(bad(format!(
            "{} unread bytes at the end",
            bytes.len() - r.at
        )));
    }
    let lexical = LexicalIndex::from_parts(terms, sequence, &ends, lexicon);
    Ok((catalog, lexical))
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSONL: &str = r#"{"code":"B01001_011E","label":"Male / 25 to 29 years","concept":"Sex by age","table":"B01001","type":"demographic","data_type":"numeric","unit":"count","range":[0,null],"source":"ACS","availability":["third_party"]}
{"code":"B01001A_011E","label":"Male / 25 to 29 years","concept":"Sex by age (White alone)","table":"B01001A","type":"demographic","data_type":"numeric","range":[null,1.5],"source":"ACS","availability":["third_party","clean_room"]}
{"code":"AB_ENV_001","label":"Agrees: I buy green products","concept":"Environmental values","description":"Survey agreement, five levels","table":"AB_ENV","type":"psychographic","data_type":"ordinal","values":["disagree","neutral","agree"],"source":"audience-builder-authored","availability":["first_party","third_party"]}
{"code":"AB_X","label":"Has a car","type":"behavioural","data_type":"binary","values":["no","yes"],"range":[0,1]}
"#;

    fn catalog() -> Catalog {
        Catalog::from_bytes(JSONL.as_bytes()).unwrap()
    }

    #[test]
    fn a_packed_catalog_reads_back_equal_and_scores_like_the_text() {
        let catalog = catalog();
        let bytes = pack(&catalog);
        assert!(is_packed(&bytes));
        assert_eq!(pack(&catalog), bytes, "packing is deterministic");
        let lexicon = Lexicon::parse("millennials => 25 to 29 years").unwrap();
        let (read, lexical) = unpack(&bytes, lexicon.clone()).unwrap();
        assert_eq!(read, catalog);
        let built = LexicalIndex::build(catalog.variables(), lexicon);
        for query in [
            "millennials",
            "green products agree",
            "male sex",
            "car",
            "b01001a",
        ] {
            let units = built.analyze(query);
            assert_eq!(
                lexical.search(&units, 10),
                built.search(&units, 10),
                "{query}"
            );
            assert!(
                !built.search(&units, 10).is_empty(),
                "{query} finds something"
            );
        }
        assert_eq!(lexical.sequence(), built.sequence());
    }

    #[test]
    fn corrupt_packed_catalogs_are_specific_errors() {
        let bytes = pack(&catalog());
        let err = |bytes: &[u8]| unpack(bytes, Lexicon::default()).unwrap_err().to_string();
        assert!(err(b"ABCATB0").contains("not an ABCATB01 file (7 bytes)"));
        assert!(
            err(&bytes[..bytes.len() - 1]).starts_with("packed catalog: "),
            "truncated: {}",
            err(&bytes[..bytes.len() - 1])
        );
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(err(&longer).contains("1 unread bytes at the end"));
        // The first string (the first code, "B01001_011E") with an invalid UTF-8 byte.
        let mut bad = bytes.clone();
        bad[10] = 0xFF;
        assert!(
            err(&bad).contains("string 0 at byte 10 is not UTF-8"),
            "{}",
            err(&bad)
        );
        // A string number past the table: the first variable's code is string 0, the byte after
        // the string table.
        let strings = {
            let mut r = Reader {
                bytes: &bytes,
                at: 8,
            };
            let n = r.get().unwrap() as usize;
            for _ in 0..n {
                let len = r.get().unwrap() as usize;
                r.take(len).unwrap();
            }
            r.at
        };
        let mut bad = bytes.clone();
        bad[strings + 1] = 0x7F;
        assert!(err(&bad).contains("string number 127"), "{}", err(&bad));
    }
}
