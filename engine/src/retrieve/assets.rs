//! The binary census assets: the ZIP index and one value file per measure (little-endian; the layout is
//! written by `catalog/census/build_census.py`).

use super::RetrieveError;

const INDEX_MAGIC: &[u8; 8] = b"ABZIP1\0\0";
const MEASURE_MAGIC: &[u8; 8] = b"ABMEAS1\0";
const NO_ROW: u16 = u16::MAX;
const MISSING: i32 = i32::MIN;

/// What the ZIP index knows about one 5-digit ZIP code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZipMatch {
    /// The ZIP has its own ZCTA, with enough residents for its estimates.
    Zcta {
        /// Row of the ZCTA in the measure files.
        row: usize,
    },
    /// The ZIP's ZCTA has fewer residents than the small-area threshold: its estimates are withheld.
    SmallArea {
        /// Row of its county, when it has one.
        county: Option<usize>,
    },
    /// The ZIP has no ZCTA (PO Box, unique or a ZIP created since): its county stands in.
    County {
        /// Row of the county in the measure files.
        row: usize,
    },
    /// The ZIP is not known.
    Unknown,
}

/// The ZIP index (`zips.bin`): sorted ZIP codes and, for each, its ZCTA and county rows.
#[derive(Clone, Debug, PartialEq)]
pub struct ZipIndex {
    zips: Vec<u32>,
    zcta_rows: Vec<u16>,
    county_rows: Vec<u16>,
    small_area: Vec<bool>,
    n_rows: usize,
}

/// Reads little-endian words from a byte slice, with the file name for errors.
struct Reader<'a> {
    file: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(file: &'a str, bytes: &'a [u8], magic: &[u8; 8]) -> Result<Self, RetrieveError> {
        if bytes.len() < 8 || &bytes[..8] != magic {
            return Err(asset_error(
                file,
                "it does not start with the expected format marker",
            ));
        }
        Ok(Reader { file, bytes, at: 8 })
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], RetrieveError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len());
        let end = end.ok_or_else(|| {
            asset_error(
                self.file,
                &format!("it ends after {} bytes, before its data", self.bytes.len()),
            )
        })?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn u32(&mut self) -> Result<u32, RetrieveError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    fn u16s(&mut self, n: usize) -> Result<Vec<u16>, RetrieveError> {
        let bytes = self.take(n.saturating_mul(2))?;
        Ok(bytes
            .chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .collect())
    }

    fn finish(&self) -> Result<(), RetrieveError> {
        match self.at == self.bytes.len() {
            true => Ok(()),
            false => Err(asset_error(
                self.file,
                &format!("{} bytes follow its data", self.bytes.len() - self.at),
            )),
        }
    }
}

fn asset_error(file: &str, problem: &str) -> RetrieveError {
    RetrieveError::Asset {
        file: file.to_owned(),
        problem: problem.to_owned(),
    }
}

impl ZipIndex {
    /// Reads the ZIP index; `file` names it in errors.
    ///
    /// # Errors
    /// [`RetrieveError::Asset`] for bytes of another format, cut short, or rows out of range.
    pub fn from_bytes(file: &str, bytes: &[u8]) -> Result<Self, RetrieveError> {
        let mut reader = Reader::new(file, bytes, INDEX_MAGIC)?;
        let n_zips = reader.u32()? as usize;
        let n_rows = reader.u32()? as usize;
        let _n_zcta_rows = reader.u32()?;
        let deltas = reader.u16s(n_zips)?;
        let zcta_rows = reader.u16s(n_zips)?;
        let county_rows = reader.u16s(n_zips)?;
        let small_area: Vec<bool> = reader.take(n_rows)?.iter().map(|f| f & 1 == 1).collect();
        reader.finish()?;
        let mut zips = Vec::with_capacity(n_zips);
        let mut zip = 0u32;
        for delta in deltas {
            zip += u32::from(delta);
            zips.push(zip);
        }
        if zips.windows(2).any(|w| w[0] >= w[1]) || zips.last().is_some_and(|&z| z > 99_999) {
            return Err(asset_error(
                file,
                "its ZIP codes are not sorted 5-digit numbers",
            ));
        }
        let in_range = |row: &u16| *row == NO_ROW || usize::from(*row) < n_rows;
        if !zcta_rows.iter().chain(&county_rows).all(in_range) {
            return Err(asset_error(
                file,
                &format!("a row is past its {n_rows} rows"),
            ));
        }
        Ok(ZipIndex {
            zips,
            zcta_rows,
            county_rows,
            small_area,
            n_rows,
        })
    }

    /// Number of ZIP codes indexed.
    pub fn len(&self) -> usize {
        self.zips.len()
    }

    /// Whether no ZIP code is indexed.
    pub fn is_empty(&self) -> bool {
        self.zips.is_empty()
    }

    /// The indexed ZIP codes, sorted (as numbers: 2139 for 02139).
    pub fn zips(&self) -> &[u32] {
        &self.zips
    }

    /// Number of rows (ZCTAs then counties) every measure file must have.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// What the index knows about `zip` (a 5-digit ZIP code as a number, e.g. 2139 for 02139).
    pub fn lookup(&self, zip: u32) -> ZipMatch {
        let Ok(at) = self.zips.binary_search(&zip) else {
            return ZipMatch::Unknown;
        };
        let row = |r: u16| (r != NO_ROW).then_some(usize::from(r));
        match (row(self.zcta_rows[at]), row(self.county_rows[at])) {
            (Some(zcta), county) if self.small_area[zcta] => ZipMatch::SmallArea { county },
            (Some(row), _) => ZipMatch::Zcta { row },
            (None, Some(row)) => ZipMatch::County { row },
            (None, None) => ZipMatch::Unknown,
        }
    }
}

/// The values of one measure (`<measure>.bin`), one per index row.
#[derive(Clone, Debug, PartialEq)]
pub struct MeasureValues {
    scaled: Vec<i32>,
    scale: f64,
}

impl MeasureValues {
    /// Reads a measure file whose values keep `decimals` decimals; `file` names it in errors.
    ///
    /// # Errors
    /// [`RetrieveError::Asset`] for bytes of another format or cut short.
    pub fn from_bytes(file: &str, bytes: &[u8], decimals: u32) -> Result<Self, RetrieveError> {
        let mut reader = Reader::new(file, bytes, MEASURE_MAGIC)?;
        let n_rows = reader.u32()? as usize;
        let scaled = reader
            .take(n_rows.saturating_mul(4))?
            .chunks_exact(4)
            .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        reader.finish()?;
        Ok(MeasureValues {
            scaled,
            scale: 10f64.powi(decimals.min(9) as i32),
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.scaled.len()
    }

    /// Whether the file has no rows.
    pub fn is_empty(&self) -> bool {
        self.scaled.is_empty()
    }

    /// The value in `row`, `None` when the source has none (or `row` is out of range).
    pub fn get(&self, row: usize) -> Option<f64> {
        match self.scaled.get(row) {
            Some(&v) if v != MISSING => Some(f64::from(v) / self.scale),
            _ => None,
        }
    }
}
