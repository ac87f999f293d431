//! The audience draft: the workflow's choices (description, conversion column, chosen columns, segment
//! settings) as one `Copy` value, provided once by [`App`](super::App) through Leptos context.

use leptos::prelude::*;

use audience_engine::profile::TierChoice;

use super::segment_step::SegmentForm;
use super::variables::ColumnChoice;

/// The signals of the audience being built. Components take it with `expect_context::<AudienceDraft>()`.
#[derive(Clone, Copy)]
pub struct AudienceDraft {
    /// The audience description.
    pub query: RwSignal<String>,
    /// The conversion column, if any.
    pub target: RwSignal<Option<String>>,
    /// The file's columns with their checked state and weights.
    pub choices: RwSignal<Vec<ColumnChoice>>,
    /// Segment sizes, k and seed.
    pub form: RwSignal<SegmentForm>,
    /// The tiers the user chose on the results (kept for every later run of the session).
    pub tiers: RwSignal<TierChoice>,
    /// The value that means converted, for the conversion column it was chosen for: `(column, value)`.
    pub positive: RwSignal<Option<(String, String)>>,
    /// Filter rules applied before segmenting.
    pub filter: RwSignal<super::activation::filters::FilterDraft>,
}

impl AudienceDraft {
    /// An empty draft with the default segment settings.
    pub fn new() -> Self {
        AudienceDraft {
            query: RwSignal::new(String::new()),
            target: RwSignal::new(None),
            choices: RwSignal::new(Vec::new()),
            form: RwSignal::new(SegmentForm::default()),
            tiers: RwSignal::new(TierChoice::default()),
            positive: RwSignal::new(None),
            filter: RwSignal::new(Default::default()),
        }
    }

    /// The segmentation request for the draft as it stands (read without tracking), with the description
    /// the segments are scored against.
    pub fn settings(&self) -> crate::protocol::SegmentSettings {
        let mut settings = self
            .form
            .get_untracked()
            .settings(&self.choices.get_untracked(), self.target.get_untracked());
        settings.description = self.query.get_untracked();
        settings.tiers = self.tiers.get_untracked();
        settings.positive_value = positive_for(
            settings.target.as_deref(),
            self.positive.get_untracked().as_ref(),
        );
        settings.filter = self.filter.with_untracked(|filter| filter.settings());
        settings
    }
}

/// The positive value to send for conversion column `target`: the one chosen for that same column.
pub fn positive_for(target: Option<&str>, chosen: Option<&(String, String)>) -> Option<String> {
    chosen
        .filter(|(column, _)| Some(column.as_str()) == target)
        .map(|(_, value)| value.clone())
}

impl Default for AudienceDraft {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_positive_value_goes_only_with_the_column_it_was_chosen_for() {
        let chosen = ("outcome".to_owned(), "renewed".to_owned());
        assert_eq!(
            positive_for(Some("outcome"), Some(&chosen)),
            Some("renewed".to_owned())
        );
        assert_eq!(positive_for(Some("is_sale"), Some(&chosen)), None);
        assert_eq!(positive_for(None, Some(&chosen)), None);
        assert_eq!(positive_for(Some("outcome"), None), None);
    }
}
