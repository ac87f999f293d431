//! Demo data: a seeded generator for a realistic B2B leads file with planted structure.
//!
//! Every lead is drawn from one of seven hidden archetypes (tech executives from referrals in CA/NY,
//! healthcare directors from webinars, junior retail staff from paid social, …), each with its own mix of
//! states, industries, titles, education, ages, experience, genders and lead sources, and its own
//! conversion probability, from about 55% for C-suite tech buyers down to about 3% for junior retail
//! leads. A few cells are left empty (education ≈ 2%, gender ≈ 3%, experience ≈ 1.5%, lead source ≈ 1%)
//! so the missing-value paths are exercised. Columns:
//! `State, Industry, Job Title, Education Level, Age_range, Years of Experience, Gender, Lead Source, is_sale`
//! (`is_sale` is `1` or `0`).
//!
//! The same [`DemoParams`] always give byte-identical output (ChaCha8 seeded from `seed`; no OS randomness).
//!
//! ```
//! use audience_engine::demo::{generate, DemoParams};
//!
//! let leads = generate(&DemoParams { rows: 200, seed: 7 }).unwrap();
//! let csv = leads.to_csv();
//! assert!(csv.starts_with("State,Industry,Job Title,Education Level,Age_range,"));
//! assert_eq!(csv.lines().count(), 201);
//! assert_eq!(csv, generate(&DemoParams { rows: 200, seed: 7 }).unwrap().to_csv());
//! ```

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The header of the demo file.
pub const COLUMNS: [&str; 9] = [
    "State",
    "Industry",
    "Job Title",
    "Education Level",
    "Age_range",
    "Years of Experience",
    "Gender",
    "Lead Source",
    "is_sale",
];

/// Most rows [`generate`] produces in one call.
pub const MAX_ROWS: usize = 10_000_000;

/// Settings of the generator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoParams {
    /// Number of leads.
    pub rows: usize,
    /// Seed.
    pub seed: u64,
}

impl Default for DemoParams {
    fn default() -> Self {
        DemoParams {
            rows: 5_000,
            seed: 7,
        }
    }
}

/// Why the generator refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DemoError {
    /// Zero rows asked for.
    #[error("the demo file needs at least 1 row, got 0")]
    NoRows,
    /// Too many rows asked for.
    #[error("{rows} rows asked for; the demo generator makes at most {max}")]
    TooManyRows {
        /// Rows asked for.
        rows: usize,
        /// The limit ([`MAX_ROWS`]).
        max: usize,
    },
}

type Weighted = &'static [(&'static str, f64)];

/// One hidden archetype: value mixes per column and a conversion probability.
struct Archetype {
    name: &'static str,
    weight: f64,
    states: Weighted,
    industries: Weighted,
    titles: Weighted,
    education: Weighted,
    ages: Weighted,
    experience: Weighted,
    sources: Weighted,
    male_share: f64,
    conversion: f64,
}

const ARCHETYPES: &[Archetype] = &[
    Archetype {
        name: "C-suite tech buyers",
        weight: 0.10,
        states: &[
            ("CA", 0.45),
            ("NY", 0.30),
            ("WA", 0.10),
            ("MA", 0.10),
            ("TX", 0.05),
        ],
        industries: &[("Technology", 0.85), ("Financial Services", 0.15)],
        titles: &[
            ("CEO", 0.25),
            ("CTO", 0.25),
            ("CIO", 0.15),
            ("Chief Product Officer", 0.10),
            ("Founder", 0.15),
            ("VP of Engineering", 0.10),
        ],
        education: &[
            ("Master's", 0.50),
            ("Bachelor's", 0.30),
            ("Doctorate", 0.20),
        ],
        ages: &[("35-44", 0.40), ("45-54", 0.45), ("55-64", 0.15)],
        experience: &[
            ("6-10 years", 0.10),
            ("11-15 years", 0.35),
            ("16+ years", 0.55),
        ],
        sources: &[
            ("Referral", 0.60),
            ("Partner", 0.25),
            ("Event", 0.10),
            ("Organic Search", 0.05),
        ],
        male_share: 0.62,
        conversion: 0.55,
    },
    Archetype {
        name: "Healthcare directors",
        weight: 0.12,
        states: &[
            ("TX", 0.25),
            ("FL", 0.25),
            ("IL", 0.20),
            ("PA", 0.15),
            ("OH", 0.15),
        ],
        industries: &[("Healthcare", 0.90), ("Education", 0.10)],
        titles: &[
            ("Director of Nursing", 0.30),
            ("Head of Patient Services", 0.20),
            ("Clinical Operations Manager", 0.25),
            ("Practice Manager", 0.25),
        ],
        education: &[
            ("Bachelor's", 0.45),
            ("Master's", 0.45),
            ("Doctorate", 0.10),
        ],
        ages: &[("35-44", 0.45), ("45-54", 0.40), ("55-64", 0.15)],
        experience: &[
            ("6-10 years", 0.35),
            ("11-15 years", 0.40),
            ("16+ years", 0.25),
        ],
        sources: &[
            ("Webinar", 0.40),
            ("Trade Show", 0.30),
            ("Email", 0.20),
            ("Organic Search", 0.10),
        ],
        male_share: 0.35,
        conversion: 0.28,
    },
    Archetype {
        name: "Finance professionals",
        weight: 0.15,
        states: &[
            ("NY", 0.35),
            ("IL", 0.20),
            ("NJ", 0.15),
            ("MA", 0.10),
            ("NC", 0.10),
            ("CA", 0.10),
        ],
        industries: &[("Financial Services", 0.80), ("Technology", 0.20)],
        titles: &[
            ("Financial Analyst", 0.30),
            ("Senior Accountant", 0.25),
            ("Risk Consultant", 0.20),
            ("Compliance Specialist", 0.25),
        ],
        education: &[("Bachelor's", 0.60), ("Master's", 0.40)],
        ages: &[("25-34", 0.55), ("35-44", 0.35), ("45-54", 0.10)],
        experience: &[
            ("3-5 years", 0.40),
            ("6-10 years", 0.45),
            ("11-15 years", 0.15),
        ],
        sources: &[
            ("Organic Search", 0.40),
            ("Email", 0.30),
            ("Webinar", 0.20),
            ("Paid Search", 0.10),
        ],
        male_share: 0.55,
        conversion: 0.14,
    },
    Archetype {
        name: "Manufacturing managers",
        weight: 0.15,
        states: &[
            ("OH", 0.25),
            ("MI", 0.25),
            ("IN", 0.15),
            ("WI", 0.15),
            ("PA", 0.10),
            ("TX", 0.10),
        ],
        industries: &[("Manufacturing", 0.85), ("Construction", 0.15)],
        titles: &[
            ("Plant Manager", 0.30),
            ("Operations Manager", 0.30),
            ("Production Supervisor", 0.20),
            ("Quality Engineer", 0.20),
        ],
        education: &[
            ("High School", 0.20),
            ("Associate's", 0.30),
            ("Bachelor's", 0.50),
        ],
        ages: &[("35-44", 0.45), ("45-54", 0.40), ("55-64", 0.15)],
        experience: &[
            ("6-10 years", 0.20),
            ("11-15 years", 0.40),
            ("16+ years", 0.40),
        ],
        sources: &[
            ("Trade Show", 0.50),
            ("Email", 0.20),
            ("Referral", 0.15),
            ("Paid Search", 0.15),
        ],
        male_share: 0.72,
        conversion: 0.18,
    },
    Archetype {
        name: "Education staff",
        weight: 0.12,
        states: &[
            ("CA", 0.15),
            ("TX", 0.15),
            ("NY", 0.10),
            ("GA", 0.15),
            ("NC", 0.15),
            ("OH", 0.15),
            ("AZ", 0.15),
        ],
        industries: &[("Education", 0.90), ("Healthcare", 0.10)],
        titles: &[
            ("Teacher", 0.35),
            ("Program Coordinator", 0.30),
            ("Curriculum Specialist", 0.20),
            ("Teaching Assistant", 0.15),
        ],
        education: &[("Bachelor's", 0.50), ("Master's", 0.50)],
        ages: &[("25-34", 0.40), ("35-44", 0.35), ("45-54", 0.25)],
        experience: &[
            ("3-5 years", 0.30),
            ("6-10 years", 0.40),
            ("11-15 years", 0.30),
        ],
        sources: &[("Webinar", 0.35), ("Email", 0.35), ("Organic Search", 0.30)],
        male_share: 0.30,
        conversion: 0.07,
    },
    Archetype {
        name: "Junior retail staff",
        weight: 0.20,
        states: &[
            ("FL", 0.25),
            ("TX", 0.25),
            ("CA", 0.20),
            ("GA", 0.15),
            ("AZ", 0.15),
        ],
        industries: &[("Retail", 0.85), ("Hospitality", 0.15)],
        titles: &[
            ("Sales Associate", 0.35),
            ("Jr. Marketing Coordinator", 0.20),
            ("Store Assistant", 0.20),
            ("Marketing Intern", 0.15),
            ("Customer Service Representative", 0.10),
        ],
        education: &[
            ("High School", 0.45),
            ("Associate's", 0.30),
            ("Bachelor's", 0.25),
        ],
        ages: &[("18-24", 0.60), ("25-34", 0.40)],
        experience: &[("0-2 years", 0.70), ("3-5 years", 0.30)],
        sources: &[
            ("Paid Social", 0.70),
            ("Display Ads", 0.20),
            ("Organic Search", 0.10),
        ],
        male_share: 0.45,
        conversion: 0.03,
    },
    Archetype {
        name: "Small-business owners",
        weight: 0.16,
        states: &[
            ("CA", 0.12),
            ("TX", 0.12),
            ("FL", 0.12),
            ("NY", 0.10),
            ("IL", 0.08),
            ("CO", 0.12),
            ("WA", 0.10),
            ("GA", 0.12),
            ("NC", 0.12),
        ],
        industries: &[
            ("Professional Services", 0.40),
            ("Retail", 0.20),
            ("Construction", 0.20),
            ("Real Estate", 0.20),
        ],
        titles: &[
            ("Owner", 0.40),
            ("Co-Founder", 0.20),
            ("General Manager", 0.20),
            ("Office Manager", 0.20),
        ],
        education: &[
            ("High School", 0.20),
            ("Associate's", 0.20),
            ("Bachelor's", 0.45),
            ("Master's", 0.15),
        ],
        ages: &[
            ("35-44", 0.35),
            ("45-54", 0.35),
            ("55-64", 0.20),
            ("65+", 0.10),
        ],
        experience: &[
            ("6-10 years", 0.25),
            ("11-15 years", 0.35),
            ("16+ years", 0.40),
        ],
        sources: &[
            ("Referral", 0.30),
            ("Paid Search", 0.30),
            ("Organic Search", 0.20),
            ("Email", 0.20),
        ],
        male_share: 0.58,
        conversion: 0.20,
    },
];

/// A generated leads file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoLeads {
    /// One record per lead, fields in [`COLUMNS`] order (`""` = missing).
    pub records: Vec<[String; 9]>,
    /// The hidden archetype of each lead (index into [`archetype_names`]), for checking the structure.
    pub archetypes: Vec<u32>,
}

/// Names of the hidden archetypes, by index.
pub fn archetype_names() -> Vec<&'static str> {
    ARCHETYPES.iter().map(|a| a.name).collect()
}

/// Index drawn with probability proportional to `weights`.
fn pick_index(rng: &mut ChaCha8Rng, weights: impl Iterator<Item = f64> + Clone) -> usize {
    let total: f64 = weights.clone().sum();
    let mut draw = rng.random_range(0.0..total);
    let mut last = 0;
    for (index, weight) in weights.enumerate() {
        if draw < weight {
            return index;
        }
        draw -= weight;
        last = index;
    }
    last
}

fn pick(rng: &mut ChaCha8Rng, options: Weighted) -> &'static str {
    options[pick_index(rng, options.iter().map(|(_, w)| *w))].0
}

fn maybe_missing(rng: &mut ChaCha8Rng, value: &str, missing_rate: f64) -> String {
    if rng.random_bool(missing_rate) {
        String::new()
    } else {
        value.to_string()
    }
}

/// Generates `params.rows` leads.
pub fn generate(params: &DemoParams) -> Result<DemoLeads, DemoError> {
    if params.rows == 0 {
        return Err(DemoError::NoRows);
    }
    if params.rows > MAX_ROWS {
        return Err(DemoError::TooManyRows {
            rows: params.rows,
            max: MAX_ROWS,
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let mut records = Vec::with_capacity(params.rows);
    let mut archetypes = Vec::with_capacity(params.rows);
    for _ in 0..params.rows {
        let index = pick_index(&mut rng, ARCHETYPES.iter().map(|a| a.weight));
        let a = &ARCHETYPES[index];
        let source = pick(&mut rng, a.sources);
        // Referrals convert a little better and paid social a little worse inside every archetype.
        let adjustment = match source {
            "Referral" => 0.05,
            "Paid Social" => -0.01,
            _ => 0.0,
        };
        let converted = rng.random_bool((a.conversion + adjustment).clamp(0.0, 1.0));
        let gender = if rng.random_bool(0.02) {
            "Non-binary"
        } else if rng.random_bool(a.male_share) {
            "Male"
        } else {
            "Female"
        };
        let (state, industry, title) = (
            pick(&mut rng, a.states),
            pick(&mut rng, a.industries),
            pick(&mut rng, a.titles),
        );
        let education = pick(&mut rng, a.education);
        let age = pick(&mut rng, a.ages);
        let experience = pick(&mut rng, a.experience);
        let record = [
            state.to_string(),
            industry.to_string(),
            title.to_string(),
            maybe_missing(&mut rng, education, 0.02),
            age.to_string(),
            maybe_missing(&mut rng, experience, 0.015),
            maybe_missing(&mut rng, gender, 0.03),
            maybe_missing(&mut rng, source, 0.01),
            if converted { "1" } else { "0" }.to_string(),
        ];
        records.push(record);
        archetypes.push(index as u32);
    }
    Ok(DemoLeads {
        records,
        archetypes,
    })
}

impl DemoLeads {
    /// The file as CSV text with a header row (RFC 4180 quoting where needed, `\n` line ends).
    pub fn to_csv(&self) -> String {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        // Writing to memory cannot fail; an error would only come from an I/O sink.
        let _ = writer.write_record(COLUMNS);
        for record in &self.records {
            let _ = writer.write_record(record);
        }
        let bytes = writer.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::fixtures::table;
    use crate::profile::{profile_segments, ProfileParams};

    #[test]
    fn the_same_seed_gives_the_same_file_and_another_seed_another() {
        let params = DemoParams {
            rows: 500,
            seed: 11,
        };
        let a = generate(&params).unwrap();
        assert_eq!(a, generate(&params).unwrap());
        assert_ne!(
            a.to_csv(),
            generate(&DemoParams {
                rows: 500,
                seed: 12
            })
            .unwrap()
            .to_csv()
        );
        assert_eq!(a.records.len(), 500);
    }

    #[test]
    fn bad_row_counts_are_refused() {
        assert_eq!(
            generate(&DemoParams { rows: 0, seed: 1 }),
            Err(DemoError::NoRows)
        );
        assert!(matches!(
            generate(&DemoParams {
                rows: MAX_ROWS + 1,
                seed: 1
            }),
            Err(DemoError::TooManyRows { .. })
        ));
    }

    #[test]
    fn the_planted_structure_shows_in_the_personas() {
        let leads = generate(&DemoParams::default()).unwrap();
        // Some cells are missing, on purpose.
        let empty_education = leads.records.iter().filter(|r| r[3].is_empty()).count();
        assert!((50..=150).contains(&empty_education), "{empty_education}");
        let table = table(&leads.to_csv());
        let report = profile_segments(&table, &leads.archetypes, &ProfileParams::new()).unwrap();
        assert_eq!(report.target.as_ref().unwrap().column, "is_sale");
        let top = &report.personas[0];
        let bottom = &report.personas[report.personas.len() - 1];
        let (top_rate, bottom_rate) = (
            top.conversion.unwrap().rate.unwrap(),
            bottom.conversion.unwrap().rate.unwrap(),
        );
        assert_eq!(
            archetype_names()[top.segment as usize],
            "C-suite tech buyers"
        );
        assert_eq!(
            archetype_names()[bottom.segment as usize],
            "Junior retail staff"
        );
        assert!(
            top_rate > 0.45 && bottom_rate < 0.06,
            "{top_rate} {bottom_rate}"
        );
        // Far apart, and the 95% intervals do not overlap: the difference is not noise.
        assert!(top_rate > 8.0 * bottom_rate);
        assert!(
            top.conversion.unwrap().ci_low.unwrap() > bottom.conversion.unwrap().ci_high.unwrap()
        );
        // The planted traits are what sets the top persona apart.
        let traits: Vec<&str> = top.traits.iter().map(|t| t.value.as_str()).collect();
        assert!(
            traits.contains(&"Technology") || traits.contains(&"Referral"),
            "{traits:?}"
        );
        let seniority = top.profile.lenses.seniority.as_ref().unwrap();
        assert_eq!(
            seniority.dominant,
            Some(crate::profile::seniority::Seniority::CSuite)
        );
    }
}
