//! The catalog format: one [`Variable`] per record, loaded from JSON Lines or CSV.
//!
//! The format is documented in `catalog/README.md`. JSON Lines is the native form (the default
//! catalog ships as `catalog/dist/catalog.jsonl`); CSV is accepted for catalogs kept in a
//! spreadsheet, with list fields (`values`, `availability`) separated by `|`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::CatalogError;

/// How a variable's values are measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataType {
    /// Real numbers (counts, amounts, percentages), optionally within [`Variable::range`].
    Numeric,
    /// Ordered levels listed in [`Variable::values`].
    Ordinal,
    /// Unordered levels listed in [`Variable::values`].
    Categorical,
    /// Two levels (negative first) listed in [`Variable::values`].
    Binary,
}

impl DataType {
    const ALLOWED: &'static str = "numeric, ordinal, categorical, binary";

    fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "numeric" => Some(Self::Numeric),
            "ordinal" => Some(Self::Ordinal),
            "categorical" => Some(Self::Categorical),
            "binary" => Some(Self::Binary),
            _ => None,
        }
    }
}

/// Where a variable can come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataKind {
    /// The advertiser's own customer data (CRM, web and app analytics, surveys).
    FirstParty,
    /// Data bought or appended from a provider (public statistics, panels, data brokers).
    ThirdParty,
    /// Matched inside a data clean room with a partner's data.
    CleanRoom,
}

impl DataKind {
    const ALLOWED: &'static str = "first_party, third_party, clean_room";

    fn parse(text: &str) -> Option<Self> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "first_party" => Some(Self::FirstParty),
            "third_party" => Some(Self::ThirdParty),
            "clean_room" => Some(Self::CleanRoom),
            _ => None,
        }
    }
}

/// One audience variable of the catalog.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Variable {
    /// Unique code, e.g. `B01001_011E` or `AB_ENV_001`.
    pub code: String,
    /// Readable label, e.g. `Male / 25 to 29 years`.
    pub label: String,
    /// The concept or title of the variable's table, e.g. `Sex by age`.
    #[serde(default)]
    pub concept: String,
    /// Optional longer description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Table or group the variable belongs to, e.g. `B01001`.
    #[serde(default)]
    pub table: String,
    /// Type used to group results: demographic, financial, housing, behavioural, psychographic, ….
    #[serde(rename = "type")]
    pub kind: String,
    /// How values are measured.
    pub data_type: DataType,
    /// Levels of an ordinal, categorical or binary variable.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// `[min, max]` of a numeric variable; `None` at an end means unbounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<[Option<f64>; 2]>,
    /// Unit of a numeric variable (`count`, `percent`, `median`, `hours per week`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Where the definition (and data) come from.
    #[serde(default)]
    pub source: String,
    /// The kinds of data the variable is available in.
    #[serde(default)]
    pub availability: Vec<DataKind>,
}

impl Variable {
    /// The table family used to diversify results: the table code without an ACS race/ethnicity
    /// iteration suffix (`B19037A` → `B19037`) or Puerto Rico suffix (`B05001PR` → `B05001`).
    pub fn table_family(&self) -> &str {
        let table = self.table.as_str();
        let table = table.strip_suffix("PR").unwrap_or(table);
        let bytes = table.as_bytes();
        let starts_acs = bytes.len() >= 6
            && matches!(bytes[0], b'B' | b'C')
            && bytes[1..6].iter().all(u8::is_ascii_digit);
        if starts_acs && bytes.len() == 7 && bytes[6].is_ascii_uppercase() {
            &table[..6]
        } else {
            table
        }
    }

    /// The text embedded and indexed for this variable: label, concept and description.
    pub fn search_text(&self) -> String {
        let mut text = String::with_capacity(self.label.len() + self.concept.len() + 2);
        text.push_str(&self.label);
        if !self.concept.is_empty() {
            text.push_str(". ");
            text.push_str(&self.concept);
        }
        if let Some(description) = &self.description {
            text.push_str(". ");
            text.push_str(description);
        }
        text
    }

    fn validate(&self, record: usize) -> Result<(), CatalogError> {
        for (field, value) in [
            ("code", &self.code),
            ("label", &self.label),
            ("type", &self.kind),
        ] {
            if value.trim().is_empty() {
                return Err(CatalogError::EmptyField { record, field });
            }
        }
        if let Some([Some(min), Some(max)]) = self.range {
            if min > max || !min.is_finite() || !max.is_finite() {
                return Err(CatalogError::BadRange {
                    record,
                    min: min.to_string(),
                    max: max.to_string(),
                });
            }
        }
        Ok(())
    }
}

/// A loaded catalog: variables in file order with unique codes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalog {
    variables: Vec<Variable>,
}

impl Catalog {
    /// Builds a catalog from variables, checking required fields and code uniqueness.
    pub fn new(variables: Vec<Variable>) -> Result<Self, CatalogError> {
        if variables.is_empty() {
            return Err(CatalogError::EmptyCatalog);
        }
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(variables.len());
        for (i, variable) in variables.iter().enumerate() {
            variable.validate(i + 1)?;
            if let Some(first) = seen.insert(variable.code.as_str(), i + 1) {
                return Err(CatalogError::DuplicateCode {
                    code: variable.code.clone(),
                    first,
                    second: i + 1,
                });
            }
        }
        Ok(Self { variables })
    }

    /// Reads a catalog from JSON Lines or CSV, chosen by the first non-blank character (`{` means
    /// JSON Lines).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CatalogError> {
        let text = std::str::from_utf8(bytes).map_err(|e| CatalogError::NotUtf8 {
            offset: e.valid_up_to(),
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim_start().starts_with('{') {
            Self::from_jsonl(text)
        } else {
            Self::from_csv(text)
        }
    }

    /// Reads a catalog from JSON Lines (one [`Variable`] object per line; blank lines skipped).
    pub fn from_jsonl(text: &str) -> Result<Self, CatalogError> {
        let mut variables = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let variable: Variable =
                serde_json::from_str(line).map_err(|e| CatalogError::Jsonl {
                    line: i + 1,
                    message: e.to_string(),
                })?;
            variables.push(variable);
        }
        Self::new(variables)
    }

    /// Reads a catalog from CSV with a header row. Required columns: `code`, `label`, `type`,
    /// `data_type`. Optional: `concept`, `description`, `table`, `values` (`|`-separated),
    /// `range_min`, `range_max`, `unit`, `source`, `availability` (`|`-separated).
    pub fn from_csv(text: &str) -> Result<Self, CatalogError> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| CatalogError::Csv {
                record: 0,
                message: e.to_string(),
            })?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let find = |name: &str| header.iter().position(|h| h == name);
        let required = |name: &'static str| {
            find(name).ok_or_else(|| CatalogError::MissingColumn {
                column: name,
                found: header.join(","),
            })
        };
        let (code, label, kind, data_type) = (
            required("code")?,
            required("label")?,
            required("type")?,
            required("data_type")?,
        );
        let optional = [
            "concept",
            "description",
            "table",
            "values",
            "range_min",
            "range_max",
            "unit",
            "source",
            "availability",
        ]
        .map(find);
        let mut variables = Vec::new();
        for (i, row) in reader.records().enumerate() {
            let record = i + 1;
            let row = row.map_err(|e| CatalogError::Csv {
                record,
                message: e.to_string(),
            })?;
            let get = |col: Option<usize>| col.and_then(|c| row.get(c)).unwrap_or("").trim();
            let list = |col: Option<usize>| -> Vec<String> {
                get(col)
                    .split('|')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            };
            let data_type_text = get(Some(data_type));
            let parsed_type =
                DataType::parse(data_type_text).ok_or_else(|| CatalogError::UnknownValue {
                    record,
                    field: "data_type",
                    value: data_type_text.to_string(),
                    allowed: DataType::ALLOWED,
                })?;
            let availability = list(optional[8])
                .iter()
                .map(|a| {
                    DataKind::parse(a).ok_or_else(|| CatalogError::UnknownValue {
                        record,
                        field: "availability",
                        value: a.clone(),
                        allowed: DataKind::ALLOWED,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let bound = |col: Option<usize>| -> Result<Option<f64>, CatalogError> {
                let text = get(col);
                if text.is_empty() {
                    return Ok(None);
                }
                text.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .map(Some)
                    .ok_or_else(|| CatalogError::BadRange {
                        record,
                        min: get(optional[4]).to_string(),
                        max: get(optional[5]).to_string(),
                    })
            };
            let (min, max) = (bound(optional[4])?, bound(optional[5])?);
            let non_empty =
                |col: Option<usize>| Some(get(col).to_string()).filter(|s| !s.is_empty());
            variables.push(Variable {
                code: get(Some(code)).to_string(),
                label: get(Some(label)).to_string(),
                concept: get(optional[0]).to_string(),
                description: non_empty(optional[1]),
                table: get(optional[2]).to_string(),
                kind: get(Some(kind)).to_ascii_lowercase(),
                data_type: parsed_type,
                values: list(optional[3]),
                range: (min.is_some() || max.is_some()).then_some([min, max]),
                unit: non_empty(optional[6]),
                source: get(optional[7]).to_string(),
                availability,
            });
        }
        Self::new(variables)
    }

    /// The variables, in file order.
    pub fn variables(&self) -> &[Variable] {
        &self.variables
    }

    /// Number of variables.
    pub fn len(&self) -> usize {
        self.variables.len()
    }

    /// Whether the catalog is empty (never true for a constructed catalog).
    pub fn is_empty(&self) -> bool {
        self.variables.is_empty()
    }

    /// The variable with this code, if any.
    pub fn get(&self, code: &str) -> Option<&Variable> {
        self.variables.iter().find(|v| v.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSONL: &str = r#"{"code":"B01001_011E","label":"Male / 25 to 29 years","concept":"Sex by age","table":"B01001","type":"demographic","data_type":"numeric","unit":"count","range":[0,null],"source":"ACS","availability":["third_party"]}

{"code":"AB_ENV_001","label":"Agrees: I buy green","concept":"Environmental values","table":"AB_ENV","type":"psychographic","data_type":"ordinal","values":["disagree","agree"],"source":"audience-builder-authored","availability":["first_party","third_party"]}
"#;

    #[test]
    fn jsonl_loads_every_field_and_skips_blank_lines() {
        let catalog = Catalog::from_bytes(JSONL.as_bytes()).unwrap();
        assert_eq!(catalog.len(), 2);
        let age = &catalog.variables()[0];
        assert_eq!(age.kind, "demographic");
        assert_eq!(age.range, Some([Some(0.0), None]));
        assert_eq!(age.availability, vec![DataKind::ThirdParty]);
        let env = catalog.get("AB_ENV_001").unwrap();
        assert_eq!(env.data_type, DataType::Ordinal);
        assert_eq!(env.values, vec!["disagree", "agree"]);
    }

    #[test]
    fn csv_loads_lists_and_ranges() {
        let csv = "code,label,type,data_type,values,range_min,range_max,availability,table\n\
                   X1,Owns a dog,behavioural,binary,no|yes,,,first_party|clean room,PETS\n\
                   X2,Age,demographic,numeric,,18,99,third-party,AGE\n";
        let catalog = Catalog::from_bytes(csv.as_bytes()).unwrap();
        let dog = catalog.get("X1").unwrap();
        assert_eq!(dog.values, vec!["no", "yes"]);
        assert_eq!(
            dog.availability,
            vec![DataKind::FirstParty, DataKind::CleanRoom]
        );
        assert_eq!(
            catalog.get("X2").unwrap().range,
            Some([Some(18.0), Some(99.0)])
        );
    }

    #[test]
    fn bad_json_line_names_its_line_number() {
        let text = format!("{}\n{{\"code\": 3}}\n", JSONL.lines().next().unwrap());
        match Catalog::from_jsonl(&text) {
            Err(CatalogError::Jsonl { line, .. }) => assert_eq!(line, 2),
            other => panic!("expected a JSONL error, got {other:?}"),
        }
    }

    #[test]
    fn duplicate_codes_are_rejected_with_both_record_numbers() {
        let csv = "code,label,type,data_type\nA,x,demographic,numeric\nB,y,demographic,numeric\nA,z,demographic,numeric\n";
        assert_eq!(
            Catalog::from_csv(csv),
            Err(CatalogError::DuplicateCode {
                code: "A".into(),
                first: 1,
                second: 3
            })
        );
    }

    #[test]
    fn csv_without_required_column_and_unknown_values_are_specific_errors() {
        assert!(matches!(
            Catalog::from_csv("code,label,type\nA,x,demographic\n"),
            Err(CatalogError::MissingColumn {
                column: "data_type",
                ..
            })
        ));
        assert!(matches!(
            Catalog::from_csv("code,label,type,data_type\nA,x,demographic,text\n"),
            Err(CatalogError::UnknownValue {
                record: 1,
                field: "data_type",
                ..
            })
        ));
        assert!(matches!(
            Catalog::from_csv("code,label,type,data_type,range_min,range_max\nA,x,d,numeric,9,1\n"),
            Err(CatalogError::BadRange { record: 1, .. })
        ));
        assert_eq!(
            Catalog::from_csv("code,label,type,data_type\n"),
            Err(CatalogError::EmptyCatalog)
        );
        assert_eq!(
            Catalog::from_bytes(b"code\xff"),
            Err(CatalogError::NotUtf8 { offset: 4 })
        );
    }

    #[test]
    fn table_family_strips_race_and_puerto_rico_suffixes_only() {
        let mut v = Catalog::from_jsonl(JSONL).unwrap().variables()[0].clone();
        for (table, family) in [
            ("B19037A", "B19037"),
            ("B05001PR", "B05001"),
            ("C23002C", "C23002"),
            ("S0505", "S0505"),
            ("DP02", "DP02"),
            ("AB_ENV", "AB_ENV"),
        ] {
            v.table = table.into();
            assert_eq!(v.table_family(), family, "{table}");
        }
    }
}
