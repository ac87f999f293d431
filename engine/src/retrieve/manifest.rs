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
    /// How results state a range of the measure as an area trait, `{}` standing for the range, e.g.
    /// "the median household income is {}" (see [`Measure::area_phrase`]).
    #[serde(default)]
    pub phrase: String,
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

    /// A range of the measure worded as an area trait, never a personal one, e.g. "lives in ZIP codes
    /// where the median household income is $95k–$120k" (values in the measure's unit; the ends are
    /// swapped when given in reverse).
    ///
    /// # Example
    /// ```
    /// # use audience_engine::retrieve::Manifest;
    /// # let manifest = Manifest::from_json(include_bytes!("../../../catalog/dist/census/manifest.json")).unwrap();
    /// let income = manifest.measure_for("B19013_001E").unwrap();
    /// assert_eq!(
    ///     income.area_phrase(95_400.0, 120_000.0),
    ///     "lives in ZIP codes where the median household income is $95k–$120k"
    /// );
    /// let no_car = manifest.measure_for("DP04_0058PE").unwrap();
    /// assert_eq!(no_car.area_phrase(4.2, 4.4), "lives in ZIP codes where 4.2–4.4% of households have no vehicle");
    /// ```
    pub fn area_phrase(&self, low: f64, high: f64) -> String {
        let (low, high) = if low <= high {
            (low, high)
        } else {
            (high, low)
        };
        let range = self.format_range(low, high);
        let phrase = match self.phrase.contains("{}") {
            true => self.phrase.replacen("{}", &range, 1),
            false => format!("the {} is {range}", self.label.to_lowercase()),
        };
        format!("lives in ZIP codes where {phrase}")
    }

    /// `low–high` in the measure's unit ($95k–$120k, 12–18%, 34–38 years), or one value when both ends
    /// read the same.
    fn format_range(&self, low: f64, high: f64) -> String {
        let (unit, suffix) = match self.unit.as_str() {
            "dollars" => ("$", ""),
            "percent" => ("", "%"),
            "years" => ("", " years"),
            "minutes" => ("", " minutes"),
            _ => ("", ""),
        };
        // Enough decimals to tell the ends apart, but no more than the asset keeps.
        let width = high - low;
        let mut decimals = match self.unit.as_str() {
            "dollars" => 0,
            "percent" | "years" | "minutes" => usize::from(width < 2.0),
            _ => self.decimals as usize,
        };
        decimals = decimals.min(self.decimals as usize);
        let number = |v: f64| match unit {
            "$" => dollars(v, width),
            _ => thousands(v, decimals),
        };
        let (a, b) = (number(low), number(high));
        match a == b {
            true => format!("{unit}{a}{suffix}"),
            false => format!("{unit}{a}\u{2013}{unit}{b}{suffix}"),
        }
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

/// Dollars as $950, $95k, $1.2M (one decimal of thousands when the range is narrower than $10k).
fn dollars(v: f64, width: f64) -> String {
    if v.abs() >= 1e6 {
        format!("{:.1}M", v / 1e6).replace(".0M", "M")
    } else if v.abs() >= 1e3 {
        match width < 10_000.0 {
            true => format!("{:.1}k", v / 1e3).replace(".0k", "k"),
            false => format!("{:.0}k", v / 1e3),
        }
    } else {
        format!("{v:.0}")
    }
}

/// A number with `decimals` decimals and thousands separators (12,400).
fn thousands(v: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, v.abs());
    let (whole, fraction) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if v < 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        "-"
    } else {
        ""
    };
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}
