//! The audience draft: the workflow's choices (description, conversion column, chosen columns, segment
//! settings) as one `Copy` value, provided once by [`App`](super::App) through Leptos context.

use leptos::prelude::*;

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
}

impl AudienceDraft {
    /// An empty draft with the default segment settings.
    pub fn new() -> Self {
        AudienceDraft {
            query: RwSignal::new(String::new()),
            target: RwSignal::new(None),
            choices: RwSignal::new(Vec::new()),
            form: RwSignal::new(SegmentForm::default()),
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
        settings
    }
}

impl Default for AudienceDraft {
    fn default() -> Self {
        Self::new()
    }
}
