//! Feedback where the user acts: a request's refusal said beside the control that sent it (in an
//! `aria-live` message next to it, as well as in the status line), and the focus moved to what a step
//! produced.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::reply::Reply;
use crate::browser;
use crate::protocol::Response;

/// Awaits `reply`: a refusal goes into `message` (shown beside the control); any other answer clears it and
/// is handed to `done`.
pub fn answer_beside(
    reply: Reply,
    message: RwSignal<String>,
    done: impl FnOnce(Response) + 'static,
) {
    spawn_local(async move {
        match reply.await {
            Response::Failed(failure) => message.set(failure.message),
            answer => {
                message.set(String::new());
                done(answer);
            }
        }
    });
}

/// Moves the focus to the element `id` once the page has drawn the answer that made it, unless the user
/// has moved on meanwhile: only from the page's body or one of the controls `from` that asked.
pub fn focus_after_render(id: &'static str, from: &'static [&'static str]) {
    request_animation_frame(move || {
        let active = browser::document().and_then(|document| {
            let active = document.active_element()?;
            let body = document.body().map(web_sys::Element::from);
            (Some(&active) != body.as_ref()).then(|| active.id())
        });
        if active.is_none_or(|active| from.contains(&active.as_str())) {
            browser::focus(id);
        }
    });
}

/// The message beside a control: empty until a request of that control is refused.
#[component]
pub fn FieldMessage(id: &'static str, message: RwSignal<String>) -> impl IntoView {
    view! { <p id=id class="field-message" role="status" aria-live="polite">{move || message.get()}</p> }
}
