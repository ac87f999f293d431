//! Match coverage and platform minimums, before any upload file is written.
//!
//! [`coverage`] counts, per segment (its rows still to upload: held-out and filtered-out rows, labelled
//! [`NO_SEGMENT`], are left out), the members with
//! - a **valid e-mail**: one `@` between a non-empty local part and a dotted domain, no spaces (the
//!   customer-match rule);
//! - a **valid E.164 phone**: a number with `+` or `00` whose calling code and length are known, or a
//!   national number of the row's country (its country column, else the default country) whose length
//!   fits that country's numbering plan, trunk prefix removed (libphonenumber's lengths); letters make a
//!   phone invalid; a national number without a known country is invalid;
//! - **name + ZIP + country**: a first name, a last name, a ZIP or postcode, and a country (the row's or
//!   the default), all valid;
//!
//! and for each destination the size of its upload list (the rows it takes: Google and Meta any of the
//! three, TikTok an e-mail or phone, X, LinkedIn and the hashed e-mail file an e-mail). A list below a
//! platform's documented minimum ([`MINIMUMS`]) gives a [`MinimumWarning`]. The minimums count *matched*
//! people; an upload list only bounds that from above (part of a list matches), so a list under the
//! minimum cannot serve, and one just above it may not either.
//!
//! # Sources of the minimums
//! - Google Customer Match: 1,000 active members to serve on YouTube and Gmail, 100 on Search and
//!   Display (the figures issue #19 quotes from Google Ads Help, "About Customer Match"; the same split,
//!   100 for network inventory and 1,000 for YouTube, is in Ads Data Hub, "Creating remarketing
//!   audiences", <https://support.google.com/ads-data-hub/answer/9935747>). Google was reported in December
//!   2024 to have lowered its audience-segment minimum to 100 on every network
//!   (<https://ppc.land/google-slashes-audience-targeting-thresholds-to-100-users-across-all-networks>), so
//!   the 1,000 check errs on the safe side.
//! - Lookalike seed lists: 1,000 members (issue #19).
//! - Meta lookalikes: "Your source audience must contain at least 100 people from a single country"
//!   (Meta Business Help Centre, "About lookalike audiences",
//!   <https://www.facebook.com/business/help/164749007013531>).
//! - TikTok: "A minimum audience size of 1,000 is required to target Custom Audiences in an ad group"
//!   (<https://ads.tiktok.com/help/article/custom-audiences>).
//! - X: "An audience can only be targeted if it matches at least 100 users active within the past 90
//!   days" (<https://docs.x.com/x-ads-api/audiences>).
//! - LinkedIn: "Your uploaded list must have at least 300 rows" and "must reach a minimum of 300 matched
//!   members for your campaign to serve" (<https://www.linkedin.com/help/lms/answer/a1489764>).
//!
//! ```
//! use audience_engine::coverage::coverage;
//! use audience_engine::export::customer_match::{detect_identifier_columns, IdentifierColumn};
//! use audience_engine::export::destinations::Destination;
//! use audience_engine::ingest::{read_table, IngestOptions};
//!
//! let csv = b"email,phone\na@x.com,+14155550100\nnope,\n,+442079460958\n";
//! let table = read_table(&csv[..], &IngestOptions::default()).unwrap().table;
//! let columns: Vec<IdentifierColumn> = detect_identifier_columns(&table).iter().map(IdentifierColumn::from).collect();
//! let report = coverage(&table, &[0, 0, 0], &columns, None, &[Destination::TikTok]).unwrap();
//! let s = &report.segments[0];
//! assert_eq!((s.members, s.email, s.phone, s.name_zip_country), (3, 1, 2, 0));
//! assert_eq!(report.warnings[0].minimum, 1000); // TikTok: 2 rows, far below 1,000
//! ```

use serde::{Deserialize, Serialize};

use crate::export::customer_match::IdentifierColumn;
use crate::export::destinations::{Contacts, Destination};
use crate::export::ExportError;
use crate::holdout::NO_SEGMENT;
use crate::table::Table;

/// A platform's documented minimum list size for one use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PlatformMinimum {
    /// The destination.
    pub destination: Destination,
    /// What the minimum is for (`YouTube and Gmail`, `lookalike seed`, …).
    pub purpose: &'static str,
    /// The minimum number of (matched) members.
    pub members: usize,
    /// Where it is documented.
    pub source: &'static str,
}

/// The documented minimums (see the module docs for each source).
pub const MINIMUMS: &[PlatformMinimum] = &[
    PlatformMinimum {
        destination: Destination::Google,
        purpose: "YouTube and Gmail",
        members: 1000,
        source: "Google Ads Help, About Customer Match (as quoted in issue #19); support.google.com/ads-data-hub/answer/9935747",
    },
    PlatformMinimum {
        destination: Destination::Google,
        purpose: "Search and Display",
        members: 100,
        source: "Google Ads Help, About Customer Match (as quoted in issue #19); support.google.com/ads-data-hub/answer/9935747",
    },
    PlatformMinimum {
        destination: Destination::Google,
        purpose: "a lookalike seed",
        members: 1000,
        source: "issue #19",
    },
    PlatformMinimum {
        destination: Destination::Meta,
        purpose: "a lookalike seed (from one country)",
        members: 100,
        source: "facebook.com/business/help/164749007013531",
    },
    PlatformMinimum {
        destination: Destination::TikTok,
        purpose: "targeting a custom audience",
        members: 1000,
        source: "ads.tiktok.com/help/article/custom-audiences",
    },
    PlatformMinimum {
        destination: Destination::X,
        purpose: "targeting a custom audience",
        members: 100,
        source: "docs.x.com/x-ads-api/audiences",
    },
    PlatformMinimum {
        destination: Destination::LinkedIn,
        purpose: "uploading and serving a contact list",
        members: 300,
        source: "linkedin.com/help/lms/answer/a1489764",
    },
];

/// The upload list of one segment for one destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListSize {
    /// The destination.
    pub destination: Destination,
    /// Rows its file would hold.
    pub rows: usize,
}

/// The coverage of one segment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentCoverage {
    /// The segment's number as people see it (1..=k).
    pub segment: u32,
    /// Members to upload (held-out and filtered-out rows excluded).
    pub members: usize,
    /// Members with a valid e-mail.
    pub email: usize,
    /// Members with a valid E.164 phone.
    pub phone: usize,
    /// Members with first name, last name, ZIP and country.
    pub name_zip_country: usize,
    /// Members with at least one of the three.
    pub any: usize,
    /// `email / members` (0 when the segment has no member).
    pub email_share: f64,
    /// `phone / members`.
    pub phone_share: f64,
    /// `name_zip_country / members`.
    pub name_zip_country_share: f64,
    /// The upload list per destination asked for.
    pub lists: Vec<ListSize>,
}

/// A list below a platform's minimum.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MinimumWarning {
    /// The segment's number (1..=k).
    pub segment: u32,
    /// The destination.
    pub destination: Destination,
    /// What the minimum is for.
    pub purpose: String,
    /// Rows in the upload list.
    pub rows: usize,
    /// The minimum.
    pub minimum: usize,
    /// Where it is documented.
    pub source: String,
    /// The warning, in a marketer's words.
    pub message: String,
}

/// Coverage of every segment and the warnings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Per segment, by number.
    pub segments: Vec<SegmentCoverage>,
    /// Lists below a documented minimum, by segment then destination.
    pub warnings: Vec<MinimumWarning>,
}

/// `12408` → `12,408`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Counts the coverage of each segment of `labels` (0-based; [`NO_SEGMENT`] rows left out) and checks
/// each destination's list against [`MINIMUMS`].
///
/// # Errors
/// [`ExportError::LabelCount`], [`ExportError::ColumnOutOfRange`], [`ExportError::UnknownCountry`].
pub fn coverage(
    table: &Table,
    labels: &[u32],
    columns: &[IdentifierColumn],
    default_country: Option<&str>,
    destinations: &[Destination],
) -> Result<Coverage, ExportError> {
    if labels.len() != table.n_rows() {
        return Err(ExportError::LabelCount {
            labels: labels.len(),
            rows: table.n_rows(),
        });
    }
    let contacts = Contacts::new(table, columns, default_country)?;
    // One entry per segment present, ascending (labels may be sparse).
    let mut present: Vec<u32> = labels
        .iter()
        .copied()
        .filter(|&l| l != NO_SEGMENT)
        .collect();
    present.sort_unstable();
    present.dedup();
    let mut segments: Vec<SegmentCoverage> = present
        .iter()
        .map(|&s| SegmentCoverage {
            segment: s.saturating_add(1),
            members: 0,
            email: 0,
            phone: 0,
            name_zip_country: 0,
            any: 0,
            email_share: 0.0,
            phone_share: 0.0,
            name_zip_country_share: 0.0,
            lists: destinations
                .iter()
                .map(|&destination| ListSize {
                    destination,
                    rows: 0,
                })
                .collect(),
        })
        .collect();
    for (row, &label) in labels.iter().enumerate() {
        if label == NO_SEGMENT {
            continue;
        }
        let slot = present
            .binary_search(&label)
            .expect("every label other than NO_SEGMENT is present");
        let s = &mut segments[slot];
        let reach = contacts.row(row).reach();
        s.members += 1;
        s.email += usize::from(reach.email);
        s.phone += usize::from(reach.phone);
        s.name_zip_country += usize::from(reach.address);
        s.any += usize::from(reach.email || reach.phone || reach.address);
        for list in &mut s.lists {
            list.rows += usize::from(list.destination.takes(reach));
        }
    }
    let mut warnings = Vec::new();
    for s in &mut segments {
        let share = |n: usize| n as f64 / s.members as f64;
        (s.email_share, s.phone_share, s.name_zip_country_share) =
            (share(s.email), share(s.phone), share(s.name_zip_country));
        for list in &s.lists {
            for minimum in MINIMUMS
                .iter()
                .filter(|m| m.destination == list.destination && list.rows < m.members)
            {
                warnings.push(MinimumWarning {
                    segment: s.segment,
                    destination: list.destination,
                    purpose: minimum.purpose.to_string(),
                    rows: list.rows,
                    minimum: minimum.members,
                    source: minimum.source.to_string(),
                    message: format!(
                        "segment {}: the {} list has {} customers, below the {} matched members {} needs for {} \
                         (and usually only part of a list matches); merge it with a similar segment, lower the \
                         holdout or widen the filter",
                        s.segment,
                        list.destination.label(),
                        thousands(list.rows),
                        thousands(minimum.members),
                        list.destination.label(),
                        minimum.purpose
                    ),
                });
            }
        }
    }
    Ok(Coverage { segments, warnings })
}

#[cfg(test)]
mod tests;
