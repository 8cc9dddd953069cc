//! What the settings page offers to choose from instead of free text: the
//! org's Call Result values (read from the CRM's field metadata), the
//! regions phone numbers are read in, and the time zones.

use std::sync::LazyLock;

use ringbridge_core::phone::known_regions;

use super::engine::RESULTS;
use super::form::{Problem, SettingsForm};
use crate::console::backend::Console;
use crate::console::explain;
use crate::pages::PageCtx;

/// Where the CRM keeps the call result: the Calls module's picklist.
pub const CALLS_MODULE: &str = "Calls";
pub const CALL_RESULT_FIELD: &str = "Call_Result";

/// One option of a select. `unknown` marks a value kept or posted that is
/// not among the offered ones (shown so the admin sees what is stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
    pub unknown: bool,
    /// A country's calling code (`+49`), for the script's label.
    pub dial: Option<String>,
}

/// `offered` as options with `chosen` selected; a non-empty `chosen` not
/// among them is added, marked unknown.
fn options(
    offered: impl Iterator<Item = (String, String, Option<String>)>,
    chosen: &str,
) -> Vec<Choice> {
    let chosen = chosen.trim();
    let mut found = false;
    let mut list: Vec<Choice> = offered
        .map(|(value, label, dial)| {
            let selected = value == chosen;
            found |= selected;
            Choice {
                value,
                label,
                selected,
                unknown: false,
                dial,
            }
        })
        .collect();
    if !found && !chosen.is_empty() {
        list.push(Choice {
            value: chosen.to_owned(),
            label: chosen.to_owned(),
            selected: true,
            unknown: true,
            dial: None,
        });
    }
    list
}

/// The org's Call Result values for a select showing `chosen`.
pub fn result_options(values: &[String], chosen: &str) -> Vec<Choice> {
    options(values.iter().map(|v| (v.clone(), v.clone(), None)), chosen)
}

/// Every region phone numbers can be read in, as `DE (+49)`: the page's
/// script names them in the page's language where the browser can
/// (`Intl.DisplayNames`). No crate names them here: the small ISO 3166
/// ones are unmaintained or English-only, and the browser knows both
/// languages of the page.
pub fn country_options(chosen: &str) -> Vec<Choice> {
    let chosen = chosen.trim().to_ascii_uppercase();
    options(
        known_regions().iter().map(|r| {
            let dial = format!("+{}", r.calling_code);
            (
                r.code.to_owned(),
                format!("{} ({dial})", r.code),
                Some(dial),
            )
        }),
        &chosen,
    )
}

/// The time zones the engine knows, by name (for the zone fields' list).
pub fn zones() -> &'static [&'static str] {
    static ZONES: LazyLock<Vec<&'static str>> =
        LazyLock::new(|| chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect());
    &ZONES
}

/// What the CRM was asked for the page: its active users and its Call
/// Result values, each or why it could not be asked (in the page's
/// language).
pub struct CrmChoices {
    pub users: Result<Vec<ringbridge_core::crm::CrmUser>, String>,
    pub call_results: Result<Vec<String>, String>,
}

impl CrmChoices {
    /// Asks both at once.
    pub async fn ask(console: &Console, ctx: &PageCtx) -> Self {
        let (users, results) = tokio::join!(
            console.backend.crm_users(),
            console
                .backend
                .crm_picklist(CALLS_MODULE, CALL_RESULT_FIELD)
        );
        Self {
            users: users
                .map(|users| users.into_iter().filter(|u| u.active).collect())
                .map_err(|err| explain(ctx, &err)),
            call_results: results.map_err(|err| explain(ctx, &err)),
        }
    }

    /// The call results of `form` the CRM would refuse, each beside its
    /// field. Nothing is refused while the CRM cannot be asked, nor when
    /// the org has no such picklist (nothing to check against).
    pub fn results_refused(&self, form: &SettingsForm) -> Vec<Problem> {
        let Ok(values) = &self.call_results else {
            return Vec::new();
        };
        if values.is_empty() {
            return Vec::new();
        }
        RESULTS
            .iter()
            .map(|(_, field, _)| *field)
            .filter(|field| {
                let typed = form.result(field).trim();
                !typed.is_empty() && !values.iter().any(|v| v == typed)
            })
            .map(|field| Problem::new(field, "console-settings-result-not-in-list"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_outside_the_list_is_shown_marked() {
        let values = ["Interested".to_owned(), "Invalid number".to_owned()];
        let shown = result_options(&values, "Intrested");
        assert_eq!(shown.len(), 3);
        assert!(shown[2].unknown && shown[2].selected && shown[2].value == "Intrested");
        let shown = result_options(&values, "Interested");
        assert!(shown.iter().all(|c| !c.unknown));
        assert!(shown[0].selected);
        assert!(result_options(&values, "").iter().all(|c| !c.selected));
    }

    #[test]
    fn countries_are_offered_by_code_with_their_calling_code() {
        let shown = country_options("de");
        let de = shown.iter().find(|c| c.selected).expect("Germany chosen");
        assert_eq!((de.value.as_str(), de.label.as_str()), ("DE", "DE (+49)"));
        assert!(!shown.iter().any(|c| c.unknown));
        // "Germany" cut to two letters is no longer possible: a name is
        // no code, and is shown as what it is.
        let typed = country_options("Germany");
        assert!(typed.last().is_some_and(|c| c.unknown));
        assert!(zones().contains(&"Europe/Berlin") && zones().contains(&"UTC"));
    }
}
