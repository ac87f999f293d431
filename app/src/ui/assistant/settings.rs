//! The assistant's settings: relay address, suppression threshold and review, kept in this browser.

use crate::assistant::privacy::DEFAULT_MIN_RECORDS;
use crate::browser;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub(super) const STORAGE_KEY: &str = "audience-builder.assistant.v1";

/// The assistant's settings, kept in this browser's local storage (never any data).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssistantPrefs {
    /// Relay address (`self` or the page's own origin); empty: no assistant.
    pub relay: String,
    /// Smallest group whose aggregates may be sent.
    pub min_records: usize,
    /// Whether tool results wait for a click before they are sent.
    pub review: bool,
}

impl Default for AssistantPrefs {
    fn default() -> Self {
        Self {
            relay: String::new(),
            min_records: DEFAULT_MIN_RECORDS,
            review: true,
        }
    }
}

pub(super) fn load_prefs() -> AssistantPrefs {
    browser::load(STORAGE_KEY).unwrap_or_default()
}

/// Saves the settings; a browser that refuses keeps them for this visit only.
pub(super) fn save_prefs(prefs: &AssistantPrefs) {
    let _ = browser::store(STORAGE_KEY, prefs);
}

/// `?relay=…` in the page address (for an embed), if any.
pub(super) fn relay_from_address() -> Option<String> {
    browser::page_parameter("relay")
}

/// Relay address, suppression threshold and review setting, saved in this browser.
#[component]
pub(super) fn AssistantSettings(prefs: RwSignal<AssistantPrefs>) -> impl IntoView {
    let relay = RwSignal::new(prefs.get_untracked().relay);
    let min_records = RwSignal::new(prefs.get_untracked().min_records.to_string());
    let review = RwSignal::new(prefs.get_untracked().review);
    let message = RwSignal::new(String::new());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let min = match min_records.get_untracked().trim().parse::<usize>() {
            Ok(n) if n >= 2 => n,
            _ => {
                message.set(format!(
                    "The minimum group size must be a whole number of at least 2 (got {:?}).",
                    min_records.get_untracked()
                ));
                return;
            }
        };
        let next = AssistantPrefs {
            relay: relay.get_untracked().trim().to_string(),
            min_records: min,
            review: review.get_untracked(),
        };
        save_prefs(&next);
        prefs.set(next);
        message.set("Saved in this browser.".into());
    };
    view! {
        <details class="assistant-settings">
            <summary>"Claude assistant settings"</summary>
            <form on:submit=save>
                <p class="privacy-note">
                    "Optional. With a relay address the Assistant panel appears. It sends your messages, column names, catalog variables and segment aggregates, never rows; every request is shown before it is sent."
                </p>
                <label>
                    "Relay address ("<code>"self"</code>" when the relay serves this page)"
                    <input
                        type="text"
                        id="assistant-relay"
                        prop:value=move || relay.get()
                        on:input=move |ev| relay.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    "Smallest group whose figures may be sent"
                    <input
                        type="number"
                        min="2"
                        id="assistant-min-records"
                        prop:value=move || min_records.get()
                        on:input=move |ev| min_records.set(event_target_value(&ev))
                    />
                </label>
                <label class="inline">
                    <input
                        type="checkbox"
                        id="assistant-review"
                        prop:checked=move || review.get()
                        on:change=move |ev| review.set(event_target_checked(&ev))
                    />
                    "Review each request before sending tool results"
                </label>
                <button type="submit" class="secondary">"Save assistant settings"</button>
                <p class="status" aria-live="polite">{move || message.get()}</p>
            </form>
        </details>
    }
}
