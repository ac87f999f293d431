//! Renaming a column in the preview (headerless files, coded names): the new name is used from then on
//! in suggestions, traits, persona names and downloads.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::draft::AudienceDraft;
use super::worker_client::ColumnRole;
use super::WorkerClient;
use crate::protocol::Response;

/// The page's own references to column `old` after it became `new`: its role and the conversion column
/// (with the value chosen for it).
pub fn follow_rename(
    roles: &mut [(String, ColumnRole)],
    target: &mut Option<String>,
    positive: &mut Option<(String, String)>,
    old: &str,
    new: &str,
) {
    for (column, _) in roles.iter_mut().filter(|(column, _)| column == old) {
        *column = new.to_owned();
    }
    if target.as_deref() == Some(old) {
        *target = Some(new.to_owned());
    }
    if let Some((column, _)) = positive.as_mut().filter(|(column, _)| column == old) {
        *column = new.to_owned();
    }
}

/// A "Rename" button under a column's header, opening a field for the new name.
#[component]
pub fn RenameColumn(index: usize, name: String) -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let AudienceDraft {
        target, positive, ..
    } = expect_context::<AudienceDraft>();
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(name.clone());
    let message = RwSignal::new(String::new());
    let field = NodeRef::<leptos::html::Input>::new();
    let input_id = format!("column-name-input-{index}");
    let button_id = format!("rename-column-{index}");
    let message_id = format!("rename-column-message-{index}");
    let old = StoredValue::new(name.clone());
    let save = move || {
        let old = old.get_value();
        let new = draft.get_untracked().trim().to_owned();
        if new == old {
            editing.set(false);
            return;
        }
        let reply = engine.rename_column(old.clone(), new.clone());
        spawn_local(async move {
            match reply.await {
                Response::Updated(_) => {
                    engine.roles.update(|roles| {
                        let (mut t, mut p) = (target.get_untracked(), positive.get_untracked());
                        follow_rename(roles, &mut t, &mut p, &old, &new);
                        target.set(t);
                        positive.set(p);
                    });
                    // The preview is drawn again with the new name: the focus goes to its button.
                    request_animation_frame(move || {
                        crate::browser::focus(&format!("rename-column-{index}"));
                    });
                }
                Response::Failed(failure) => {
                    message.set(failure.message);
                    if let Some(field) = field.get_untracked() {
                        let _ = field.focus();
                    }
                }
                _ => {}
            }
        });
    };
    let described_by = message_id.clone();
    view! {
        <div class="column-rename">
            <Show
                when=move || editing.get()
                fallback=move || {
                    let label = format!("Rename column {}", name);
                    view! {
                        <button
                            type="button"
                            class="link rename-column"
                            id=button_id.clone()
                            aria-label=label
                            disabled=move || !engine.is_idle()
                            on:click=move |_| {
                                editing.set(true);
                                request_animation_frame(move || {
                                    if let Some(field) = field.get_untracked() {
                                        let _ = field.focus();
                                        field.select();
                                    }
                                });
                            }
                        >
                            "Rename"
                        </button>
                    }
                }
            >
                <form class="rename-form" on:submit=move |event| { event.prevent_default(); save(); }>
                    <label for=input_id.clone() class="visually-hidden">"New column name"</label>
                    <input
                        id=input_id.clone()
                        class="column-name-input"
                        node_ref=field
                        type="text"
                        aria-describedby=described_by.clone()
                        prop:value=move || draft.get()
                        on:input=move |event| draft.set(event_target_value(&event))
                    />
                    <button type="submit" class="secondary">"Save"</button>
                    <button type="button" class="link" on:click=move |_| { editing.set(false); message.set(String::new()); }>
                        "Cancel"
                    </button>
                </form>
            </Show>
            <p id=message_id class="field-message" role="status" aria-live="polite">{move || message.get()}</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_renamed_column_keeps_its_role_and_stays_the_conversion_column() {
        let mut roles = vec![
            ("column_1".to_owned(), ColumnRole::Id),
            ("column_3".to_owned(), ColumnRole::Exclude),
        ];
        let mut target = Some("column_2".to_owned());
        let mut positive = Some(("column_2".to_owned(), ">50K".to_owned()));
        follow_rename(
            &mut roles,
            &mut target,
            &mut positive,
            "column_2",
            "income_band",
        );
        assert_eq!(target.as_deref(), Some("income_band"));
        assert_eq!(
            positive,
            Some(("income_band".to_owned(), ">50K".to_owned()))
        );
        follow_rename(
            &mut roles,
            &mut target,
            &mut positive,
            "column_1",
            "customer",
        );
        assert_eq!(roles[0], ("customer".to_owned(), ColumnRole::Id));
        assert_eq!(roles[1], ("column_3".to_owned(), ColumnRole::Exclude));
        assert_eq!(target.as_deref(), Some("income_band"));
    }
}
