//! The census manifest: what can be retrieved, from where, and how.

use serde::{Deserialize, Serialize};

use super::RetrieveError;

/// How many closest retrievable variables a [`RetrieveError::NotRetrievable`] lists.
pub const CLOSEST_LISTED: usize = 5;

/// The manifest of the census assets (`manifest.json`): the shared facts and one [`Measure`] per
/// retrievable measure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Survey and geography, e.g. "ACS 2018–2022 5-year, ZIP Code Tabulation Areas".
    pub vintage: String,
    /// Where the values come from.
    pub source: String,
    /// The attribution to show wherever the values are shown.
    pub attribution: String,
    /// ZCTAs with fewer residents than this are withheld: their ZIPs get the county value.
    pub small_area_population: u32,
    /// File name of the ZIP index.
    pub index: String,
    /// The retrievable measures.
    pub measures: Vec<Measure>,
}

/// One retrievable measure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    /// Short identifier, also the asset's file stem, e.g. `median_household_income`.
    pub id: String,
    /// Plain-words label.
    pub label: String,
    /// Unit of the values (dollars, percent, years, …).
    pub unit: String,
    /// Decimals kept in the asset.
    pub decimals: u32,
    /// Survey and geography of the values.
    pub vintage: String,
    /// How the measure derives from ACS tables.
    pub derivation: String,
    /// The catalog codes it answers, e.g. `B19013_001E` and `DP03_0062E`.
    pub codes: Vec<String>,
    /// Stored codes that stand for "at least"/"at most" a bound (top- and bottom-coding).
    pub censoring: Vec<Censoring>,
    /// The levels a value can come from: always `zcta`; `county` when ZIPs without a usable ZCTA get their
    /// county's value (population- or household-weighted over the county's ZCTAs, an approximation).
    pub levels: Vec<AreaLevel>,
    /// File name of the measure's values.
    pub file: String,
}

/// A top- or bottom-coded value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Censoring {
    /// The number the source stores, e.g. 250001.
    pub code: f64,
    /// The bound written instead, e.g. 250000.
    pub value: f64,
    /// What it means, e.g. "≥ $250,000".
    pub label: String,
}

/// Where a value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaLevel {
    /// The ZIP's own ZIP Code Tabulation Area.
    Zcta,
    /// The ZIP's county (weighted over its ZCTAs): an approximation.
    County,
}

impl Measure {
    /// Whether ZIPs without a usable ZCTA get their county's value.
    pub fn has_county_fallback(&self) -> bool {
        self.levels.contains(&AreaLevel::County)
    }

    /// The bound and meaning of a stored value that is top- or bottom-coded.
    pub fn censoring_of(&self, stored: f64) -> Option<&Censoring> {
        self.censoring.iter().find(|c| c.code == stored)
    }

    /// `CODE (label)` with the measure's first code.
    pub fn describe(&self) -> String {
        format!("{} ({})", self.codes[0], self.label)
    }
}

impl Manifest {
    /// Reads `manifest.json`.
    ///
    /// # Errors
    /// [`RetrieveError::Manifest`] when the bytes are not a manifest or a measure answers no code.
    pub fn from_json(bytes: &[u8]) -> Result<Self, RetrieveError> {
        let manifest: Manifest =
            serde_json::from_slice(bytes).map_err(|e| RetrieveError::Manifest {
                problem: e.to_string(),
            })?;
        if let Some(measure) = manifest.measures.iter().find(|m| m.codes.is_empty()) {
            return Err(RetrieveError::Manifest {
                problem: format!("measure {} answers no catalog code", measure.id),
            });
        }
        Ok(manifest)
    }

    /// The retrievable measures.
    pub fn measures(&self) -> &[Measure] {
        &self.measures
    }

    /// Whether a catalog code (e.g. `B19013_001E`, any case) can be retrieved by ZIP code.
    pub fn is_retrievable(&self, code: &str) -> bool {
        self.measure_for(code).is_some()
    }

    /// The measure answering `code` (a catalog code or a measure id, any case).
    pub fn measure_for(&self, code: &str) -> Option<&Measure> {
        let code = code.trim();
        self.measures.iter().find(|m| {
            m.id.eq_ignore_ascii_case(code) || m.codes.iter().any(|c| c.eq_ignore_ascii_case(code))
        })
    }

    /// The measures answering `codes`, in order.
    ///
    /// # Errors
    /// [`RetrieveError::NoCodes`] for an empty list; [`RetrieveError::NotRetrievable`] for the first code
    /// no measure answers, with the closest retrievable variables.
    pub fn resolve<'a>(&'a self, codes: &[String]) -> Result<Vec<&'a Measure>, RetrieveError> {
        if codes.is_empty() {
            return Err(RetrieveError::NoCodes);
        }
        codes
            .iter()
            .map(|code| {
                self.measure_for(code)
                    .ok_or_else(|| RetrieveError::NotRetrievable {
                        code: code.trim().to_owned(),
                        closest: self.closest(code),
                    })
            })
            .collect()
    }

    /// The asset files needed to retrieve `codes`: the ZIP index, then one file per measure.
    ///
    /// # Errors
    /// As [`Manifest::resolve`].
    pub fn files_for(&self, codes: &[String]) -> Result<Vec<&str>, RetrieveError> {
        let mut files = vec![self.index.as_str()];
        for measure in self.resolve(codes)? {
            if !files.contains(&measure.file.as_str()) {
                files.push(&measure.file);
            }
        }
        Ok(files)
    }

    /// Up to [`CLOSEST_LISTED`] retrievable variables closest to `code`, one per measure, as `CODE (label)`: by the words
    /// it shares with a label, then by how few characters differ from a code.
    pub fn closest(&self, code: &str) -> Vec<String> {
        let wanted = code.trim().to_ascii_lowercase();
        let words: Vec<&str> = wanted
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| w.len() > 2)
            .collect();
        let mut scored: Vec<(usize, usize, String)> = Vec::new();
        for measure in &self.measures {
            let label = format!("{} {}", measure.label, measure.id).to_ascii_lowercase();
            let shared = words.iter().filter(|w| label.contains(*w)).count();
            // One entry per measure: its code closest to the one asked for.
            let (distance, code) = measure
                .codes
                .iter()
                .map(|c| (edit_distance(&wanted, &c.to_ascii_lowercase()), c))
                .min()
                .expect("a measure answers at least one code");
            scored.push((shared, distance, format!("{code} ({})", measure.label)));
        }
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        scored
            .into_iter()
            .map(|(_, _, text)| text)
            .take(CLOSEST_LISTED)
            .collect()
    }
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}
