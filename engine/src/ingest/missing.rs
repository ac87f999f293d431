//! Missing-value markers.
//!
//! A cell is missing when its text, with surrounding whitespace removed, equals one of the markers exactly
//! (so the list spells out the case variants it accepts). The empty string is always a marker.

/// The markers used when [`IngestOptions::missing_markers`](super::IngestOptions::missing_markers) is left
/// at its default.
pub const DEFAULT_MISSING_MARKERS: &[&str] = &[
    "", "NA", "N/A", "n/a", "na", "#N/A", "null", "NULL", "Null", "None", "none", "NaN", "nan",
    "?", "-", "--", "unknown", "Unknown", "UNKNOWN",
];

/// A set of missing-value markers.
#[derive(Clone, Debug)]
pub struct MissingMarkers {
    markers: Vec<String>,
}

impl MissingMarkers {
    /// Builds the set from `markers` (each trimmed; the empty string is always included).
    pub fn new(markers: &[String]) -> Self {
        let mut markers: Vec<String> = markers.iter().map(|m| m.trim().to_owned()).collect();
        markers.push(String::new());
        markers.sort();
        markers.dedup();
        MissingMarkers { markers }
    }

    /// Whether `text` is missing.
    pub fn is_missing(&self, text: &str) -> bool {
        let text = text.trim();
        text.is_empty()
            || self
                .markers
                .binary_search_by(|m| m.as_str().cmp(text))
                .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_marker_is_missing_with_surrounding_spaces() {
        let markers: Vec<String> = DEFAULT_MISSING_MARKERS
            .iter()
            .map(|m| m.to_string())
            .collect();
        let set = MissingMarkers::new(&markers);
        for marker in DEFAULT_MISSING_MARKERS {
            assert!(set.is_missing(marker), "{marker:?}");
            assert!(set.is_missing(&format!("  {marker} ")), "{marker:?} padded");
        }
        for present in ["0", "No", "unknowns", "N", "Nan Goldin", "-1"] {
            assert!(!set.is_missing(present), "{present:?}");
        }
    }

    #[test]
    fn custom_markers_replace_the_defaults_but_keep_the_empty_string() {
        let set = MissingMarkers::new(&["-999".to_string()]);
        assert!(set.is_missing("-999"));
        assert!(set.is_missing("   "));
        assert!(!set.is_missing("NA"));
    }
}
