//! On the results: the filter in words, the holdout (control group) with its counts per segment, match
//! coverage with platform minimums beside the destination picker, and the upload files.

use std::sync::Arc;

use audience_engine::coverage::{thousands, Coverage};
use audience_engine::export::destinations::Destination;
use audience_engine::holdout::{HoldoutSplit, DEFAULT_SHARE};
use audience_engine::pipeline::percent;
use leptos::prelude::*;

use super::super::feedback::{answer_beside, FieldMessage};
use super::super::worker_client::download_text;
use super::super::WorkerClient;
use crate::protocol::activation::CoverageReport;
use crate::protocol::{ActivationAnswer, ActivationRequest, Response, SegmentResults};

/// The filter the results were made with, in words (nothing without a filter).
pub fn filter_line(results: &SegmentResults, file_rows: Option<usize>) -> Option<String> {
    let filter = results.settings.filter.as_ref()?;
    let rule = filter.rule()?;
    let kept = results.report.n_rows;
    let of = file_rows.map_or(String::new(), |rows| format!(" of {}", thousands(rows)));
    let sizes = results.settings.bounds.map_or(String::new(), |bounds| {
        format!(
            " Each segment holds {}–{} of the {} filtered customers.",
            percent(bounds.min),
            percent(bounds.max),
            thousands(kept)
        )
    });
    Some(format!(
        "Filtered by “{rule}”: {}{of} customers segmented.{sizes}",
        thousands(kept)
    ))
}

/// A minimum's source as a link: the last word that looks like an address.
pub fn source_link(source: &str) -> Option<String> {
    source
        .split([' ', ';', '(', ')'])
        .rev()
        .find(|word| word.contains('/') && word.contains('.'))
        .map(|word| {
            if word.starts_with("http") {
                word.to_owned()
            } else {
                format!("https://{word}")
            }
        })
}

/// Holdout, coverage, minimums and upload files for the results.
#[component]
pub fn ActivationPanel(results: Arc<SegmentResults>) -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let holdout = RwSignal::new(None::<HoldoutSplit>);
    let share = RwSignal::new(DEFAULT_SHARE * 100.0);
    let seed = RwSignal::new(results.settings.seed);
    let holdout_message = RwSignal::new(String::new());
    let coverage = RwSignal::new(None::<CoverageReport>);
    let coverage_message = RwSignal::new(String::new());
    let files_message = RwSignal::new(String::new());
    let chosen = RwSignal::new(Destination::ALL.to_vec());
    let country = RwSignal::new("US".to_owned());
    let names: Vec<(u32, String)> = results
        .report
        .personas
        .iter()
        .map(|p| (p.number, p.name.clone()))
        .collect();
    let name_of = StoredValue::new(names);

    let check_coverage = move || {
        let reply = engine.activation(
            ActivationRequest::Coverage {
                destinations: chosen.get_untracked(),
                default_country: Some(country.get_untracked().trim().to_uppercase()),
            },
            Some("Checking match coverage…".into()),
        );
        answer_beside(reply, coverage_message, move |answer| {
            if let Response::Activation(answer) = answer {
                if let ActivationAnswer::Coverage(report) = *answer {
                    coverage.set(Some(report));
                }
            }
        });
    };
    let draw = move |_| {
        let reply = engine.activation(
            ActivationRequest::Holdout {
                share: share.get_untracked() / 100.0,
                seed: seed.get_untracked(),
            },
            Some("Drawing the control group…".into()),
        );
        answer_beside(reply, holdout_message, move |answer| {
            if let Response::Activation(answer) = answer {
                if let ActivationAnswer::Holdout(split) = *answer {
                    holdout.set((split.total_held_out() > 0).then_some(split));
                    // The upload lists just changed: coverage counted before is stale.
                    if coverage.get_untracked().is_some() {
                        check_coverage();
                    }
                }
            }
        });
    };
    let download_holdout = move |_| {
        let reply = engine.activation(
            ActivationRequest::HoldoutFile,
            Some("Preparing the download…".into()),
        );
        answer_beside(reply, holdout_message, |_| {});
    };
    let download_files = move |_| {
        let reply = engine.activation(
            ActivationRequest::Files {
                destinations: chosen.get_untracked(),
                segments: Vec::new(),
                default_country: Some(country.get_untracked().trim().to_uppercase()),
            },
            Some("Hashing identifiers…".into()),
        );
        answer_beside(reply, files_message, move |answer| {
            if let Response::Activation(answer) = answer {
                if let ActivationAnswer::Files { files, notes } = *answer {
                    let mut text = format!("Downloaded {} files. ", files.len());
                    text.push_str(&notes.join(" "));
                    files_message.set(text);
                    download_one_by_one(files, engine.status);
                }
            }
        });
    };
    let holdout_table = move || {
        holdout.get().map(|split| {
            let rows = split
                .per_segment
                .iter()
                .map(|s| {
                    let name = name_of.with_value(|names| {
                        names
                            .iter()
                            .find(|(n, _)| *n == s.segment)
                            .map(|(_, name)| name.clone())
                            .unwrap_or_default()
                    });
                    view! {
                        <tr data-segment=s.segment>
                            <th scope="row">{format!("{} {name}", s.segment)}</th>
                            <td>{thousands(s.members)}</td>
                            <td class="held-out">{thousands(s.held_out)}</td>
                            <td>{thousands(s.targeted)}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="table-scroll"><table id="holdout-table" class="data-table">
                    <caption>{format!(
                        "Control group: {} customers held out ({} of each segment, nearest whole customer, seed {}). \
                         They are marked holdout = yes in the clustered CSV and never go into upload files.",
                        thousands(split.total_held_out()), percent(split.share), split.seed
                    )}</caption>
                    <thead><tr><th scope="col">"Segment"</th><th scope="col">"Customers"</th><th scope="col">"Control"</th><th scope="col">"To target"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table></div>
            }
        })
    };
    let destination_boxes = Destination::ALL
        .into_iter()
        .map(|d| {
            let id = format!("destination-{}", d.slug());
            view! {
                <label class="inline destination">
                    <input type="checkbox" id=id value=d.slug()
                        prop:checked=move || chosen.get().contains(&d)
                        on:change=move |event| {
                            let on = event_target_checked(&event);
                            chosen.update(|list| {
                                list.retain(|x| *x != d);
                                if on {
                                    list.push(d);
                                    list.sort_by_key(|x| Destination::ALL.iter().position(|y| y == x));
                                }
                            });
                            if coverage.get_untracked().is_some() {
                                check_coverage();
                            }
                        } />
                    {format!(" {}", d.label())}
                </label>
            }
        })
        .collect_view();
    view! {
        <details class="activation" id="activation">
            <summary>"Ready to activate: control group, match coverage and upload files"</summary>
            <fieldset class="settings">
                <legend>"Control group (holdout)"</legend>
                <p class="hint">"A random share of every segment is kept out of campaigns, so their lift can be measured against customers like the ones reached."</p>
                <label for="holdout-share">"Hold out (0–50% of each segment)"</label>
                <input id="holdout-share" type="number" min="0" max="50" step="1" class="percent"
                    prop:value=move || share.get().to_string()
                    on:change=move |event| {
                        if let Ok(value) = event_target_value(&event).trim().parse::<f64>() { share.set(value) }
                    } />
                " % · "
                <label for="holdout-seed">"seed"</label>
                <input id="holdout-seed" type="number" min="0" step="1" class="count"
                    prop:value=move || seed.get().to_string()
                    on:change=move |event| {
                        if let Ok(value) = event_target_value(&event).trim().parse::<u64>() { seed.set(value) }
                    } />
                <button id="draw-holdout" type="button" class="secondary" on:click=draw>"Hold out"</button>
                {holdout_table}
                <Show when=move || holdout.get().is_some()>
                    <button id="export-holdout" type="button" class="secondary" on:click=download_holdout>
                        "Download the control group"
                    </button>
                </Show>
                <FieldMessage id="holdout-message" message=holdout_message />
            </fieldset>
            <fieldset class="settings">
                <legend>"Upload files for ad platforms"</legend>
                <p class="hint">"E-mails, phones and names are normalised and SHA-256 hashed in this tab; one file per segment and platform. Control-group and filtered-out customers are left out."</p>
                <div class="destinations" role="group" aria-label="Platforms">{destination_boxes}</div>
                <div class="field">
                    <label for="activation-country">"Country for phone numbers and addresses without one (ISO code)"</label>
                    <input id="activation-country" type="text" maxlength="2" class="count"
                        prop:value=move || country.get()
                        on:input=move |event| country.set(event_target_value(&event)) />
                </div>
                <button id="check-coverage" type="button" class="secondary" on:click=move |_| check_coverage()>
                    "Check match coverage"
                </button>
                <FieldMessage id="coverage-message" message=coverage_message />
                {move || coverage.get().map(|report| coverage_view(&report, &name_of.get_value()))}
                <button id="export-destinations" type="button" class="secondary" on:click=download_files
                    disabled=move || chosen.get().is_empty()>
                    "Download upload files"
                </button>
                <p id="destinations-message" class="files-message" role="status" aria-live="polite">{move || files_message.get()}</p>
            </fieldset>
        </details>
    }
}

/// Saves `files` one after another (a burst of downloads from one click loses some in Chromium).
fn download_one_by_one(
    files: Vec<crate::protocol::ExportFile>,
    status: RwSignal<super::super::EngineStatus>,
) {
    for (index, file) in files.into_iter().enumerate() {
        set_timeout(
            move || {
                if let Err(error) = download_text(&file) {
                    status.set(super::super::EngineStatus::Failed(error));
                }
            },
            std::time::Duration::from_millis(250 * index as u64),
        );
    }
}

/// Coverage per segment and the lists under a platform's minimum, each with its source.
fn coverage_view(report: &CoverageReport, names: &[(u32, String)]) -> impl IntoView {
    let Coverage { segments, warnings } = &report.coverage;
    let name = |segment: u32| {
        names
            .iter()
            .find(|(n, _)| *n == segment)
            .map_or(String::new(), |(_, name)| name.clone())
    };
    let rows = segments
        .iter()
        .map(|s| {
            view! {
                <tr data-segment=s.segment>
                    <th scope="row">{format!("{} {}", s.segment, name(s.segment))}</th>
                    <td>{thousands(s.members)}</td>
                    <td class="email-share">{percent(s.email_share)}</td>
                    <td class="phone-share">{percent(s.phone_share)}</td>
                    <td class="address-share">{percent(s.name_zip_country_share)}</td>
                </tr>
            }
        })
        .collect_view();
    let warnings = warnings
        .iter()
        .map(|w| {
            let link = source_link(&w.source);
            view! {
                <li data-segment=w.segment data-destination=w.destination.slug()>
                    {format!(
                        "Segment {}: the {} list has {} customers, below the {} that {} needs for {}. ",
                        w.segment,
                        w.destination.label(),
                        thousands(w.rows),
                        thousands(w.minimum),
                        w.destination.label(),
                        w.purpose
                    )}
                    {link.map(|href| view! { <a href=href.clone() target="_blank" rel="noopener noreferrer">"Source"</a> })}
                </li>
            }
        })
        .collect_view();
    let held = (report.held_out > 0).then(|| {
        format!(
            " {} control-group customers are left out.",
            thousands(report.held_out)
        )
    });
    view! {
        <div id="coverage">
            <div class="table-scroll"><table id="coverage-table" class="data-table">
                <caption>{format!(
                    "Match coverage of the upload lists: identifiers found in {}.{}",
                    report.columns.join(", "),
                    held.unwrap_or_default()
                )}</caption>
                <thead><tr>
                    <th scope="col">"Segment"</th><th scope="col">"Customers"</th>
                    <th scope="col">"Valid e-mail"</th><th scope="col">"Valid phone"</th>
                    <th scope="col">"Name + ZIP + country"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
            {(!report.coverage.warnings.is_empty()).then(|| view! {
                <p class="hint">"Only part of a list usually matches: merge a small segment with a similar one, lower the holdout or widen the filter."</p>
                <ul id="minimum-warnings" class="notes warnings">{warnings}</ul>
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimums_source_links_to_its_address() {
        assert_eq!(
            source_link("linkedin.com/help/lms/answer/a1489764").as_deref(),
            Some("https://linkedin.com/help/lms/answer/a1489764")
        );
        assert_eq!(
            source_link("Google Ads Help, About Customer Match (as quoted in issue #19); support.google.com/ads-data-hub/answer/9935747").as_deref(),
            Some("https://support.google.com/ads-data-hub/answer/9935747")
        );
        assert_eq!(source_link("issue #19"), None);
    }
}
