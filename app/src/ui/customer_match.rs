//! Customer-match downloads: hashed identifier files for chosen segments, made in the browser.

use super::feedback::{answer_beside, FieldMessage};
use audience_engine::export::customer_match::Platform;
use audience_engine::profile::Persona;
use leptos::prelude::*;

use super::WorkerClient;

/// Platform, segments and default country; one file per chosen segment.
#[component]
pub fn CustomerMatchPanel(personas: Vec<Persona>) -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let platform = RwSignal::new(Platform::Google);
    let country = RwSignal::new("US".to_owned());
    // The best-ranked segment is chosen to start with.
    let chosen = RwSignal::new(
        personas
            .first()
            .map(|persona| vec![persona.segment])
            .unwrap_or_default(),
    );
    let options = personas
        .iter()
        .map(|persona| {
            let segment = persona.segment;
            let id = format!("match-segment-{}", segment + 1);
            view! {
                <li>
                    <input
                        type="checkbox"
                        id=id.clone()
                        class="match-segment"
                        prop:checked=move || chosen.get().contains(&segment)
                        on:change=move |event| {
                            let checked = event_target_checked(&event);
                            chosen.update(|chosen| {
                                chosen.retain(|&s| s != segment);
                                if checked {
                                    chosen.push(segment);
                                    chosen.sort_unstable();
                                }
                            });
                        }
                    />
                    <label for=id class="inline">{format!(" #{} {}", persona.rank, persona.name)}</label>
                </li>
            }
        })
        .collect_view();
    let message = RwSignal::new(String::new());
    let run = move |_| {
        let country = country.get_untracked();
        let reply = engine.customer_match(
            chosen.get_untracked(),
            platform.get_untracked(),
            Some(country.trim().to_uppercase()),
        );
        answer_beside(reply, message, |_| {});
    };
    view! {
        <details class="customer-match">
            <summary>"Customer-match files for ad platforms"</summary>
            <p class="hint">
                "E-mail addresses, phone numbers and names are normalised and SHA-256 hashed in this tab; one file per segment."
            </p>
            <div class="field">
                <label for="match-platform">"Platform"</label>
                <select id="match-platform" on:change=move |event| {
                    platform.set(if event_target_value(&event) == "meta" { Platform::Meta } else { Platform::Google })
                }>
                    <option value="google">"Google Ads Customer Match"</option>
                    <option value="meta">"Meta custom audience"</option>
                </select>
            </div>
            <div class="field">
                <label for="match-country">"Country for phone numbers without one (ISO code)"</label>
                <input id="match-country" type="text" maxlength="2" class="count"
                    prop:value=move || country.get()
                    on:input=move |event| country.set(event_target_value(&event)) />
            </div>
            <fieldset class="settings">
                <legend>"Segments"</legend>
                <ul class="match-segments">{options}</ul>
            </fieldset>
            <button id="export-customer-match" type="button" class="secondary"
                disabled=move || chosen.get().is_empty() || !engine.is_idle() on:click=run>
                "Download customer-match files"
            </button>
            <FieldMessage id="customer-match-message" message=message />
        </details>
    }
}
