//! Per-column controls in the preview: the type a column is read as, and its role (use, ID, exclude,
//! or the conversion column).

use audience_engine::table::ColumnType;
use leptos::prelude::*;

use super::draft::AudienceDraft;
use super::preview::type_label;
use super::worker_client::ColumnRole;
use super::WorkerClient;

/// The types a user can pick for a column.
pub const TYPE_CHOICES: [ColumnType; 6] = [
    ColumnType::Numeric,
    ColumnType::Binary,
    ColumnType::Ordinal,
    ColumnType::Categorical,
    ColumnType::Identifier,
    ColumnType::Date,
];

/// The type named by a `<select>` value.
pub fn parse_type(value: &str) -> Option<ColumnType> {
    TYPE_CHOICES
        .into_iter()
        .find(|column_type| type_label(*column_type) == value)
}

/// The role select's value for a column.
fn role_value(roles: &[(String, ColumnRole)], target: Option<&str>, name: &str) -> &'static str {
    if target == Some(name) {
        return "conversion";
    }
    match roles.iter().find(|(column, _)| column == name) {
        Some((_, ColumnRole::Id)) => "id",
        Some((_, ColumnRole::Exclude)) => "exclude",
        _ => "use",
    }
}

/// Sets `name`'s role to the one a `<select>` value names, updating the conversion column.
fn set_role(
    roles: RwSignal<Vec<(String, ColumnRole)>>,
    target: RwSignal<Option<String>>,
    name: &str,
    value: &str,
) {
    let role = match value {
        "id" => ColumnRole::Id,
        "exclude" => ColumnRole::Exclude,
        _ => ColumnRole::Use,
    };
    roles.update(|roles| {
        roles.retain(|(column, _)| column != name);
        if role != ColumnRole::Use {
            roles.push((name.to_owned(), role));
        }
    });
    if value == "conversion" {
        target.set(Some(name.to_owned()));
    } else if target.get_untracked().as_deref() == Some(name) {
        target.set(None);
    }
}

/// A column's type and role selects (for the preview's header cell).
#[component]
pub fn ColumnControls(
    index: usize,
    name: String,
    column_type: ColumnType,
    /// Whether the column holds exactly two values (it can be the conversion column).
    #[prop(optional)]
    two_valued: bool,
) -> impl IntoView {
    let engine = expect_context::<WorkerClient>();
    let AudienceDraft { target, .. } = expect_context::<AudienceDraft>();
    let type_id = format!("column-type-{index}");
    let role_id = format!("column-role-{index}");
    let binary = column_type == ColumnType::Binary || two_valued;
    let role_name = name.clone();
    let current_role = {
        let name = name.clone();
        Memo::new(move |_| role_value(&engine.roles.get(), target.get().as_deref(), &name))
    };
    let type_options = TYPE_CHOICES
        .into_iter()
        .map(|choice| {
            let label = type_label(choice);
            view! { <option value=label selected=choice == column_type>{label}</option> }
        })
        .collect_view();
    let retype_name = name.clone();
    view! {
        <div class="column-controls">
            <label for=type_id.clone() class="visually-hidden">{format!("Type of {name}")}</label>
            <select
                id=type_id
                class="column-type-select"
                data-column=name.clone()
                disabled=move || !engine.is_idle()
                // Back to the column's actual type whenever the engine answers (a refused type included).
                prop:value=move || {
                    engine.status.track();
                    type_label(column_type)
                }
                on:change=move |event| {
                    if let Some(choice) = parse_type(&event_target_value(&event)) {
                        if choice != column_type {
                            engine.retype(retype_name.clone(), choice);
                        }
                    }
                }
            >
                {type_options}
            </select>
            <label for=role_id.clone() class="visually-hidden">{format!("Role of {name}")}</label>
            <select
                id=role_id
                class="column-role-select"
                data-column=name.clone()
                on:change=move |event| set_role(engine.roles, target, &role_name, &event_target_value(&event))
            >
                <option value="use" selected=move || current_role.get() == "use">"use"</option>
                <option value="id" selected=move || current_role.get() == "id">"ID"</option>
                <option value="exclude" selected=move || current_role.get() == "exclude">"exclude"</option>
                {binary.then(|| view! {
                    <option value="conversion" selected=move || current_role.get() == "conversion">"conversion"</option>
                })}
            </select>
            <super::column_rename::RenameColumn index=index name=name.clone() />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_choice_parses_back_from_its_label() {
        for choice in TYPE_CHOICES {
            assert_eq!(parse_type(type_label(choice)), Some(choice));
        }
        assert_eq!(parse_type("empty"), None);
    }

    #[test]
    fn the_conversion_column_shows_as_conversion_and_others_by_role() {
        let roles = vec![
            ("id".to_owned(), ColumnRole::Id),
            ("notes".to_owned(), ColumnRole::Exclude),
        ];
        assert_eq!(role_value(&roles, Some("is_sale"), "is_sale"), "conversion");
        assert_eq!(role_value(&roles, Some("is_sale"), "id"), "id");
        assert_eq!(role_value(&roles, None, "notes"), "exclude");
        assert_eq!(role_value(&roles, None, "state"), "use");
    }
}
