//! Saved audiences: the settings of a run (never data) kept in this browser's storage, and a settings
//! string to share them.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};

use super::draft::AudienceDraft;
use super::feedback::FieldMessage;
use super::segment_step::SegmentForm;
use super::variables::ColumnChoice;
use super::{EngineStatus, WorkerClient};
use crate::browser;
use crate::protocol::Response;

/// Where saved audiences live in `localStorage`.
pub const STORAGE_KEY: &str = "audience-builder.saved-audiences.v1";

/// The settings of one audience: description, conversion column, chosen columns and segmentation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AudienceSettings {
    /// A name for the list.
    pub name: String,
    /// The description.
    pub query: String,
    /// The conversion column.
    pub target: Option<String>,
    /// Chosen columns and their weights.
    pub columns: Vec<(String, f64)>,
    /// Smallest segment share, percent (`None`: no bounds).
    pub min_percent: Option<f64>,
    /// Largest segment share, percent.
    pub max_percent: Option<f64>,
    /// Fixed number of segments, if any.
    pub k: Option<usize>,
    /// Seed.
    pub seed: u64,
}

impl AudienceSettings {
    /// The settings on the page now.
    pub fn capture(
        name: String,
        query: &str,
        target: Option<String>,
        choices: &[ColumnChoice],
        form: &SegmentForm,
    ) -> Self {
        AudienceSettings {
            name,
            query: query.to_owned(),
            target,
            columns: choices
                .iter()
                .filter(|c| c.checked)
                .map(|c| (c.column.clone(), c.weight))
                .collect(),
            min_percent: form.bounded.then_some(form.min_percent),
            max_percent: form.bounded.then_some(form.max_percent),
            k: form.k,
            seed: form.seed,
        }
    }

    /// The segmentation form these settings describe.
    pub fn form(&self) -> SegmentForm {
        let defaults = SegmentForm::default();
        SegmentForm {
            min_percent: self.min_percent.unwrap_or(defaults.min_percent),
            max_percent: self.max_percent.unwrap_or(defaults.max_percent),
            bounded: self.min_percent.is_some() || self.max_percent.is_some(),
            k: self.k,
            seed: self.seed,
        }
    }

    /// Applies the chosen columns and weights to a fresh list of choices and says which saved columns the
    /// file has. When it has none of them, the choices stay as suggested (checking nothing would leave
    /// nothing to segment on).
    pub fn apply_to(&self, choices: &mut [ColumnChoice]) -> RestoreReport {
        let (matched, missing): (Vec<String>, Vec<String>) = self
            .columns
            .iter()
            .map(|(column, _)| column.clone())
            .partition(|column| choices.iter().any(|choice| &choice.column == column));
        let report = RestoreReport { matched, missing };
        if report.matched.is_empty() {
            return report;
        }
        for choice in choices.iter_mut() {
            match self
                .columns
                .iter()
                .find(|(column, _)| *column == choice.column)
            {
                Some((_, weight)) => {
                    choice.checked = true;
                    choice.weight = *weight;
                }
                None => choice.checked = false,
            }
        }
        report
    }

    /// What to tell the user after restoring on a file: which saved columns it lacks and what became of
    /// the conversion column (`target_found`: whether the file has the saved one; `kept`: the conversion
    /// column kept instead).
    pub fn restore_message(
        &self,
        report: &RestoreReport,
        target_found: bool,
        kept: Option<&str>,
    ) -> String {
        let quoted = |names: &[String]| {
            names
                .iter()
                .map(|n| format!("“{n}”"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = vec![format!("Restored “{}”.", self.name)];
        let total = self.columns.len();
        if report.missing.is_empty() {
            if total > 0 {
                parts.push(format!("All {total} saved columns are checked."));
            }
        } else if report.matched.is_empty() {
            parts.push(format!(
                "None of its {total} saved columns ({}) is in this file, so the suggested columns stay checked: check the ones to segment on.",
                quoted(&report.missing)
            ));
        } else {
            parts.push(format!(
                "{} of its {total} saved columns are checked ({}); not in this file: {}.",
                report.matched.len(),
                quoted(&report.matched),
                quoted(&report.missing)
            ));
        }
        if let (Some(saved), false) = (&self.target, target_found) {
            parts.push(match kept {
                Some(kept) => format!(
                    "The conversion column “{saved}” is not in this file; “{kept}” stays the conversion column."
                ),
                None => format!(
                    "The conversion column “{saved}” is not in this file; choose one in step 3 if the file has one."
                ),
            });
        }
        parts.join(" ")
    }

    /// The shareable settings string (compact JSON: readable, and holds no data).
    pub fn to_share_string(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a settings string.
    pub fn from_share_string(text: &str) -> Result<Self, String> {
        serde_json::from_str(text.trim())
            .map_err(|error| format!("That is not an Audience Builder settings string ({error})."))
    }
}

/// Which saved columns a file has.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RestoreReport {
    /// Saved columns the file has (checked with their saved weights).
    pub matched: Vec<String>,
    /// Saved columns the file lacks.
    pub missing: Vec<String>,
}

/// The saved audiences in this browser.
pub fn load_saved() -> Vec<AudienceSettings> {
    browser::load(STORAGE_KEY).unwrap_or_default()
}

fn store_saved(saved: &[AudienceSettings]) -> Result<(), String> {
    browser::store(STORAGE_KEY, saved)
}

/// Save, restore, delete and share audience settings.
#[component]
pub fn SavedAudiences() -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let AudienceDraft {
        query,
        target,
        choices,
        form,
        ..
    } = expect_context::<AudienceDraft>();
    let saved = RwSignal::new(load_saved());
    let name = RwSignal::new(String::new());
    let share = RwSignal::new(String::new());
    let current = move || {
        let label = name.get_untracked().trim().to_owned();
        let label = if label.is_empty() {
            query.get_untracked().chars().take(40).collect()
        } else {
            label
        };
        AudienceSettings::capture(
            label,
            &query.get_untracked(),
            target.get_untracked(),
            &choices.get_untracked(),
            &form.get_untracked(),
        )
    };
    let restore_message = RwSignal::new(String::new());
    let restore = move |settings: AudienceSettings| {
        query.set(settings.query.clone());
        // The saved conversion column when this file has it; otherwise the file's own stays.
        let columns: Vec<String> = engine
            .dataset
            .get_untracked()
            .map(|d| d.columns.into_iter().map(|c| c.name).collect())
            .unwrap_or_default();
        let target_found = settings
            .target
            .as_ref()
            .is_some_and(|saved| columns.contains(saved));
        if target_found || settings.target.is_none() {
            target.set(settings.target.clone());
        }
        form.set(settings.form());
        let suggestions = engine.suggest(query.get_untracked());
        engine.status.set(EngineStatus::Busy(format!(
            "Restoring “{}”…",
            settings.name
        )));
        // The new suggestions reset the column choices (see `App`); the saved ones go on top.
        spawn_local(async move {
            if let Response::Suggestions(_) = suggestions.await {
                let mut report = RestoreReport::default();
                choices.update(|choices| report = settings.apply_to(choices));
                let text = settings.restore_message(
                    &report,
                    target_found,
                    target.get_untracked().as_deref(),
                );
                restore_message.set(text.clone());
                engine.status.set(EngineStatus::Done(text));
            }
        });
    };
    let save = move |_| {
        let settings = current();
        let mut all = saved.get_untracked();
        all.retain(|other| other.name != settings.name);
        all.push(settings.clone());
        match store_saved(&all) {
            Ok(()) => {
                saved.set(all);
                engine.status.set(EngineStatus::Done(format!(
                    "Saved “{}” in this browser.",
                    settings.name
                )));
            }
            Err(message) => engine.status.set(EngineStatus::Failed(message)),
        }
    };
    let list = move || {
        saved
            .get()
            .into_iter()
            .map(|settings| {
                let (for_restore, for_delete) = (settings.clone(), settings.name.clone());
                view! {
                    <li class="saved-audience">
                        <span>{settings.name.clone()}</span>
                        <button type="button" class="link restore-audience" on:click=move |_| restore(for_restore.clone())>"Restore"</button>
                        <button type="button" class="link" on:click=move |_| {
                            let mut all = saved.get_untracked();
                            all.retain(|other| other.name != for_delete);
                            if store_saved(&all).is_ok() {
                                saved.set(all);
                            }
                        }>"Delete"</button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <details class="saved" id="saved-audiences">
            <summary>"Saved audiences"</summary>
            <p class="hint">"Settings only (description, columns, bounds, seed) are kept in this browser; never your data."</p>
            <div class="refine">
                <label for="audience-name">"Name"</label>
                <input id="audience-name" type="text" prop:value=move || name.get() on:input=move |event| name.set(event_target_value(&event)) />
                <button id="save-audience" type="button" class="secondary" on:click=save disabled=move || query.get().trim().is_empty()>"Save settings"</button>
            </div>
            <ul class="saved-list">{list}</ul>
            <FieldMessage id="restore-message" message=restore_message />
            <div class="refine">
                <label for="settings-string">"Settings string (copy to share, paste to load)"</label>
                <input id="settings-string" type="text" prop:value=move || share.get() on:input=move |event| share.set(event_target_value(&event)) />
                <span>
                    <button id="make-settings-string" type="button" class="secondary" on:click=move |_| share.set(current().to_share_string())>"Make string"</button>
                    <button id="load-settings-string" type="button" class="secondary" on:click=move |_| {
                        match AudienceSettings::from_share_string(&share.get_untracked()) {
                            Ok(settings) => restore(settings),
                            Err(message) => engine.status.set(EngineStatus::Failed(message)),
                        }
                    }>"Load string"</button>
                </span>
            </div>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use audience_engine::table::ColumnType;

    fn choice(column: &str, checked: bool, weight: f64) -> ColumnChoice {
        ColumnChoice {
            column: column.into(),
            column_type: ColumnType::Categorical,
            relevance: 0.5,
            checked,
            weight,
            matched_terms: Vec::new(),
            linked_variables: Vec::new(),
            meaning_unknown: false,
            description: None,
        }
    }

    #[test]
    fn settings_survive_the_share_string_and_restore_choices_and_form() {
        let form = SegmentForm {
            min_percent: 4.0,
            max_percent: 12.0,
            bounded: true,
            k: Some(9),
            seed: 77,
        };
        let choices = [choice("State", true, 2.0), choice("Gender", false, 1.0)];
        let settings = AudienceSettings::capture(
            "West".into(),
            "buyers in CA",
            Some("is_sale".into()),
            &choices,
            &form,
        );
        let back = AudienceSettings::from_share_string(&settings.to_share_string()).unwrap();
        assert_eq!(back, settings);
        assert_eq!(back.form(), form);
        let mut fresh = [
            choice("Gender", true, 1.0),
            choice("State", false, 1.0),
            choice("Industry", true, 1.0),
        ];
        let report = back.apply_to(&mut fresh);
        assert_eq!(report.matched, ["State"]);
        assert!(report.missing.is_empty());
        assert_eq!(
            fresh
                .iter()
                .map(|c| (c.column.as_str(), c.checked, c.weight))
                .collect::<Vec<_>>(),
            [
                ("Gender", false, 1.0),
                ("State", true, 2.0),
                ("Industry", false, 1.0)
            ]
        );
    }

    #[test]
    fn restoring_on_another_file_says_which_columns_are_missing_and_checks_nothing_away() {
        let choices = [choice("State", true, 2.0), choice("Age", true, 1.0)];
        let settings = AudienceSettings::capture(
            "West".into(),
            "buyers in CA",
            Some("is_sale".into()),
            &choices,
            &SegmentForm::default(),
        );
        // A file with one of the two saved columns.
        let mut other = [choice("State", false, 1.0), choice("plan", true, 1.0)];
        let report = settings.apply_to(&mut other);
        assert_eq!(
            report,
            RestoreReport {
                matched: vec!["State".into()],
                missing: vec!["Age".into()]
            }
        );
        assert_eq!(
            other.iter().map(|c| c.checked).collect::<Vec<_>>(),
            [true, false]
        );
        assert_eq!(
            settings.restore_message(&report, false, Some("converted")),
            "Restored “West”. 1 of its 2 saved columns are checked (“State”); not in this file: “Age”. \
             The conversion column “is_sale” is not in this file; “converted” stays the conversion column."
        );
        // A file with none of them: the suggested columns stay checked.
        let mut unrelated = [choice("plan", true, 1.0), choice("spend", false, 1.0)];
        let report = settings.apply_to(&mut unrelated);
        assert!(report.matched.is_empty());
        assert_eq!(
            unrelated.iter().map(|c| c.checked).collect::<Vec<_>>(),
            [true, false]
        );
        let message = settings.restore_message(&report, true, Some("is_sale"));
        assert!(
            message.contains("None of its 2 saved columns (“State”, “Age”) is in this file"),
            "{message}"
        );
    }

    #[test]
    fn unbounded_settings_restore_an_unbounded_form() {
        let form = SegmentForm {
            bounded: false,
            ..SegmentForm::default()
        };
        let settings = AudienceSettings::capture("x".into(), "q", None, &[], &form);
        assert_eq!((settings.min_percent, settings.max_percent), (None, None));
        assert!(!settings.form().bounded);
    }

    #[test]
    fn a_string_that_is_not_settings_gets_a_message() {
        let error = AudienceSettings::from_share_string("hello").unwrap_err();
        assert!(
            error.starts_with("That is not an Audience Builder settings string"),
            "{error}"
        );
    }
}
