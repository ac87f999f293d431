//! Two segments side by side: the variables that differ most (ranked by the engine's 0–1 difference
//! score, said in the view), their distributions as a chart and a table, and the conversion difference
//! with its 95% interval. Charts are SVG with a `viewBox`, so they shrink to a 360 px screen.

use std::sync::Arc;

use audience_engine::compare::{Comparison, Side, Spread, VariableDifference, MEASURE};
use audience_engine::pipeline::percent;
use leptos::prelude::*;

use super::super::feedback::{answer_beside, FieldMessage};
use super::super::WorkerClient;
use crate::charts::palette::category_colour;
use crate::protocol::{ActivationAnswer, ActivationRequest, Response, SegmentResults};

/// Variables drawn as charts (the rest are in the table).
const CHARTED: usize = 3;
/// Variables listed in the table.
const LISTED: usize = 10;

/// The choice of B as the select's value: a segment number, or `rest`.
fn side_of(value: &str) -> Side {
    value
        .parse::<u32>()
        .ok()
        .and_then(|number| number.checked_sub(1))
        .map_or(Side::Rest, Side::Segment)
}

/// How a variable differs, in words: the means of a number, the largest gap between value shares.
pub fn difference_text(variable: &VariableDifference) -> String {
    match (&variable.a, &variable.b) {
        (Spread::Numbers { mean: Some(a), .. }, Spread::Numbers { mean: Some(b), .. }) => {
            format!("average {} vs {}", round(*a), round(*b))
        }
        _ => variable
            .values
            .iter()
            // The first of the widest gaps (values come largest share first).
            .reduce(|best, v| {
                if (v.a - v.b).abs() > (best.a - best.b).abs() {
                    v
                } else {
                    best
                }
            })
            .map_or(String::new(), |v| {
                format!("{}: {} vs {}", v.value, percent(v.a), percent(v.b))
            }),
    }
}

fn round(value: f64) -> String {
    if value.abs() >= 100.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// The conversion difference in words.
pub fn conversion_text(comparison: &Comparison) -> Option<String> {
    let c = comparison.conversion.as_ref()?;
    let (rate_a, rate_b, difference) = (c.rate_a?, c.rate_b?, c.difference?);
    let interval = match (c.ci_low, c.ci_high) {
        (Some(low), Some(high)) => format!(
            " (95% interval {:+.1} to {:+.1} points)",
            low * 100.0,
            high * 100.0
        ),
        _ => String::new(),
    };
    Some(format!(
        "{} converts at {} ({} of {}), {} at {} ({} of {}): a difference of {:+.1} points{interval}.",
        capital(&comparison.a_label),
        percent(rate_a),
        c.a.0,
        c.a.1,
        comparison.b_label,
        percent(rate_b),
        c.b.0,
        c.b.1,
        difference * 100.0
    ))
}

fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Pick A and B, compare, show the result.
#[component]
pub fn ComparePanel(results: Arc<SegmentResults>) -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let segments: Vec<(u32, String)> = results
        .report
        .personas
        .iter()
        .map(|p| (p.number, format!("{} {}", p.number, p.name)))
        .collect();
    let a = RwSignal::new(1u32);
    let b = RwSignal::new("rest".to_owned());
    let comparison = RwSignal::new(None::<Comparison>);
    let message = RwSignal::new(String::new());
    let mut sorted = segments.clone();
    sorted.sort_unstable_by_key(|(n, _)| *n);
    let options_a = sorted
        .iter()
        .map(|(n, label)| view! { <option value=n.to_string() selected=*n == 1>{label.clone()}</option> })
        .collect_view();
    let options_b = sorted
        .iter()
        .map(|(n, label)| view! { <option value=n.to_string()>{label.clone()}</option> })
        .collect_view();
    let run = move |_| {
        let request = ActivationRequest::Compare {
            a: a.get_untracked().saturating_sub(1),
            b: side_of(&b.get_untracked()),
        };
        let reply = engine.activation(request, Some("Comparing the segments…".into()));
        answer_beside(reply, message, move |answer| {
            if let Response::Activation(answer) = answer {
                if let ActivationAnswer::Compared(result) = *answer {
                    comparison.set(Some(result));
                }
            }
        });
    };
    view! {
        <details class="compare" id="compare">
            <summary>"Compare two segments"</summary>
            <div class="compare-pick">
                <label for="compare-a">"Segment A"</label>
                <select id="compare-a" on:change=move |event| {
                    if let Ok(n) = event_target_value(&event).parse::<u32>() { a.set(n) }
                }>{options_a}</select>
                <label for="compare-b">"against"</label>
                <select id="compare-b" on:change=move |event| b.set(event_target_value(&event))>
                    <option value="rest" selected=true>"everyone else"</option>
                    {options_b}
                </select>
                <button id="run-compare" type="button" class="secondary" on:click=run>"Compare"</button>
            </div>
            <FieldMessage id="compare-message" message=message />
            {move || comparison.get().map(|c| comparison_view(&c))}
        </details>
    }
}

fn comparison_view(comparison: &Comparison) -> impl IntoView {
    let rows = comparison
        .variables
        .iter()
        .take(LISTED)
        .enumerate()
        .map(|(i, v)| {
            view! {
                <tr data-column=v.column.clone()>
                    <td>{i + 1}</td>
                    <th scope="row">{v.column.clone()}</th>
                    <td class="score">{format!("{:.2}", v.score)}</td>
                    <td>{difference_text(v)}</td>
                </tr>
            }
        })
        .collect_view();
    let charts = comparison
        .variables
        .iter()
        .take(CHARTED)
        .map(|v| variable_chart(v, &comparison.a_label, &comparison.b_label))
        .collect_view();
    view! {
        <div id="comparison" class="comparison">
            <h4>{format!(
                "{} ({} customers) vs {} ({} customers)",
                capital(&comparison.a_label), comparison.a_rows, comparison.b_label, comparison.b_rows
            )}</h4>
            {conversion_text(comparison).map(|text| view! { <p id="compare-conversion">{text}</p> })}
            <p class="hint" id="compare-measure">
                {format!("Variables are ranked by how much the two groups differ, from 0 (the same) to 1 (no overlap): {MEASURE}.")}
            </p>
            <div class="table-scroll">
                <table id="compare-table" class="data-table">
                    <thead><tr>
                        <th scope="col">"#"</th><th scope="col">"Variable"</th>
                        <th scope="col">"Difference (0–1)"</th><th scope="col">"How"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <div class="compare-charts">{charts}</div>
        </div>
    }
}

/// A variable's distribution in A and B: paired bars per value for categories, the five-number summary
/// as two box plots for numbers; a table beside it for screen readers.
fn variable_chart(variable: &VariableDifference, a_label: &str, b_label: &str) -> impl IntoView {
    let (colour_a, colour_b) = (category_colour(0), category_colour(1));
    let title = format!(
        "{}: {} (orange) vs {} (blue), difference {:.2}",
        variable.column, a_label, b_label, variable.score
    );
    let legend = view! {
        <p class="compare-legend">
            <span class="swatch-a">"■"</span>{format!(" {a_label}  ")}
            <span class="swatch-b">"■"</span>{format!(" {b_label}")}
        </p>
    };
    let body = match (&variable.a, &variable.b) {
        (
            Spread::Numbers {
                quartiles: Some(qa),
                ..
            },
            Spread::Numbers {
                quartiles: Some(qb),
                ..
            },
        ) => {
            let low = qa[0].min(qb[0]);
            let high = qa[4].max(qb[4]);
            let span = if high > low { high - low } else { 1.0 };
            let x = move |v: f64| 10.0 + 280.0 * (v - low) / span;
            let boxplot = move |q: [f64; 5], y: f64, colour: &'static str| {
                view! {
                    <line x1=x(q[0]) x2=x(q[4]) y1=y + 10.0 y2=y + 10.0 stroke=colour stroke-width="2" />
                    <rect x=x(q[1]) y=y width=(x(q[3]) - x(q[1])).max(1.0) height="20" fill=colour fill-opacity="0.5" stroke=colour />
                    <line x1=x(q[2]) x2=x(q[2]) y1=y y2=y + 20.0 stroke="#000" stroke-width="2" />
                }
            };
            let (qa, qb) = (*qa, *qb);
            let row = |label: &str, q: [f64; 5]| {
                view! {
                    <tr><th scope="row">{label.to_owned()}</th>
                    {q.iter().map(|v| view! { <td>{round(*v)}</td> }).collect_view()}</tr>
                }
            };
            view! {
                <svg class="compare-chart" viewBox="0 0 300 84" role="img" aria-label=title.clone()>
                    {boxplot(qa, 6.0, colour_a)}
                    {boxplot(qb, 36.0, colour_b)}
                    <text x="10" y="80" font-size="10">{round(low)}</text>
                    <text x="290" y="80" font-size="10" text-anchor="end">{round(high)}</text>
                </svg>
                <div class="table-scroll"><table class="data-table compare-values">
                    <thead><tr><th scope="col">""</th><th scope="col">"Min"</th><th scope="col">"25%"</th><th scope="col">"Median"</th><th scope="col">"75%"</th><th scope="col">"Max"</th></tr></thead>
                    <tbody>{row(a_label, qa)}{row(b_label, qb)}</tbody>
                </table></div>
            }
            .into_any()
        }
        _ => {
            let values = &variable.values;
            let height = 8.0 + 30.0 * values.len() as f64;
            let bars = values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let y = 4.0 + 30.0 * i as f64;
                    view! {
                        <text x="0" y=y + 16.0 font-size="11">{truncated(&v.value)}</text>
                        <rect x="100" y=y width=(190.0 * v.a).max(0.5) height="12" fill=colour_a />
                        <rect x="100" y=y + 13.0 width=(190.0 * v.b).max(0.5) height="12" fill=colour_b />
                    }
                })
                .collect_view();
            let rows = values
                .iter()
                .map(|v| view! { <tr><th scope="row">{v.value.clone()}</th><td>{percent(v.a)}</td><td>{percent(v.b)}</td></tr> })
                .collect_view();
            view! {
                <svg class="compare-chart" viewBox=format!("0 0 300 {height}") role="img" aria-label=title.clone()>{bars}</svg>
                <div class="table-scroll"><table class="data-table compare-values">
                    <thead><tr><th scope="col">"Value"</th><th scope="col">{a_label.to_owned()}</th><th scope="col">{b_label.to_owned()}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table></div>
            }
            .into_any()
        }
    };
    view! {
        <figure class="compare-variable" data-column=variable.column.clone()>
            <figcaption>{title.clone()}</figcaption>
            {legend}
            {body}
        </figure>
    }
}

fn truncated(text: &str) -> String {
    if text.chars().count() > 15 {
        text.chars().take(14).chain(['…']).collect()
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use audience_engine::compare::{ConversionDifference, ValueShares};

    #[test]
    fn b_is_a_segment_number_or_everyone_else() {
        assert_eq!(side_of("3"), Side::Segment(2));
        assert_eq!(side_of("rest"), Side::Rest);
        assert_eq!(side_of("0"), Side::Rest);
    }

    #[test]
    fn the_conversion_difference_is_said_in_points_with_its_interval() {
        let comparison = Comparison {
            a_label: "segment 1".into(),
            b_label: "the rest".into(),
            a_rows: 10,
            b_rows: 14,
            measure: String::new(),
            variables: vec![VariableDifference {
                column: "plan".into(),
                score: 1.0,
                smd: None,
                tvd: Some(1.0),
                a: Spread::Categories { n: 10, missing: 0 },
                b: Spread::Categories { n: 14, missing: 0 },
                values: vec![
                    ValueShares {
                        value: "pro".into(),
                        a: 1.0,
                        b: 0.0,
                    },
                    ValueShares {
                        value: "basic".into(),
                        a: 0.0,
                        b: 1.0,
                    },
                ],
            }],
            conversion: Some(ConversionDifference {
                column: "converted".into(),
                positive_value: "yes".into(),
                a: (7, 10),
                b: (3, 14),
                rate_a: Some(0.7),
                rate_b: Some(3.0 / 14.0),
                difference: Some(0.7 - 3.0 / 14.0),
                ci_low: Some(0.1),
                ci_high: Some(0.75),
            }),
        };
        assert_eq!(
            conversion_text(&comparison).unwrap(),
            "Segment 1 converts at 70.0% (7 of 10), the rest at 21.4% (3 of 14): a difference of \
             +48.6 points (95% interval +10.0 to +75.0 points)."
        );
        assert_eq!(
            difference_text(&comparison.variables[0]),
            "pro: 100.0% vs 0.0%"
        );
    }
}
