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
    /// Bit `n` set when a marker is `n` bytes long (`n` < 64); bit 63 also stands for every longer one.
    lengths: u64,
    /// Bit `b` set when a non-empty marker starts with byte `b`.
    first_bytes: [u64; 4],
}

impl MissingMarkers {
    /// Builds the set from `markers` (each trimmed; the empty string is always included).
    pub fn new(markers: &[String]) -> Self {
        let mut markers: Vec<String> = markers.iter().map(|m| m.trim().to_owned()).collect();
        markers.push(String::new());
        markers.sort();
        markers.dedup();
        let mut lengths = 0u64;
        let mut first_bytes = [0u64; 4];
        for marker in &markers {
            lengths |= 1 << marker.len().min(63);
            if let Some(&byte) = marker.as_bytes().first() {
                first_bytes[usize::from(byte >> 6)] |= 1 << (byte & 63);
            }
        }
        MissingMarkers {
            markers,
            lengths,
            first_bytes,
        }
    }

    /// Whether `text` is missing.
    pub fn is_missing(&self, text: &str) -> bool {
        let text = super::trim::trim(text);
        let Some(&first) = text.as_bytes().first() else {
            return true;
        };
        // Most texts differ from every marker in length or first byte: no search for them.
        let length_seen = self.lengths & (1 << text.len().min(63)) != 0;
        let first_seen = self.first_bytes[usize::from(first >> 6)] & (1 << (first & 63)) != 0;
        length_seen
            && first_seen
            && self
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
        assert!(!set.is_missing("-998"));
    }

    #[test]
    fn long_and_non_ascii_markers_are_found_and_only_they() {
        let long =
            "not collected at the time of the survey, see the appendix for the reasons".to_string();
        assert!(long.len() > 64);
        let set = MissingMarkers::new(&[long.clone(), "—".to_string(), "ничего".to_string()]);
        for marker in [long.as_str(), "—", " ничего ", ""] {
            assert!(set.is_missing(marker), "{marker:?}");
        }
        let other_long = format!("{long}!");
        let same_length = format!("N{}", &long[1..]);
        for present in [other_long.as_str(), same_length.as_str(), "–", "ничто", "x"] {
            assert!(!set.is_missing(present), "{present:?}");
        }
    }
}
