//! The engine's settings: what is logged and how, and what happens with
//! numbers the CRM does not know. Stored as JSON; every field has a default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::crm::CrmModule;
use crate::policy::LoggingPolicy;
use crate::template::Template;
use crate::tracker::OwnerPolicy;

/// What to do with a call whose outside number matches no CRM record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownNumberAction {
    /// Log the call without a related record.
    #[default]
    Nothing,
    CreateContact,
    CreateLead,
}

impl UnknownNumberAction {
    pub fn module(self) -> Option<CrmModule> {
        match self {
            Self::Nothing => None,
            Self::CreateContact => Some(CrmModule::Contacts),
            Self::CreateLead => Some(CrmModule::Leads),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EngineSettings {
    pub logging: LoggingPolicy,
    pub owner: OwnerPolicy,
    pub subject: Template,
    pub description: Template,
    pub unknown_inbound: UnknownNumberAction,
    pub unknown_outbound: UnknownNumberAction,
    /// Modules searched for a caller, in order of preference.
    pub match_modules: Vec<CrmModule>,
    /// CRM user who owns missed calls that rang several agents (a ring
    /// group or queue); `None` leaves them to the CRM's default owner.
    pub group_missed_owner: Option<String>,
    /// PBX phonebook that CRM contacts are copied into; `None` turns contact sync off.
    pub phonebook: Option<String>,
    /// Time zone for times shown in subjects and descriptions.
    pub display_time_zone: String,
    /// The CRM's "call result" per kind of call, e.g. outbound_unanswered =
    /// "No response/Busy". Empty by default: result picklists differ per org,
    /// and a value the org lacks would make Zoho refuse the log.
    pub call_results: std::collections::BTreeMap<crate::policy::CallKind, String>,
    /// Field values for records ringbridge creates, per module and by the
    /// CRM's field name (`[engine.create_defaults.Leads] Company = "Unknown
    /// caller"`): fills fields an org's layout makes mandatory. A value the
    /// caller or agent gave wins.
    pub create_defaults: BTreeMap<CrmModule, BTreeMap<String, String>>,
    /// Before an agent is shown a record (pop, chooser, recent calls), ask
    /// Zoho with the agent's own grant whether they may see it. `None`: on
    /// for agents who signed in with Zoho; `Some(true)`: for every agent
    /// (one without a grant sees no CRM details); `Some(false)`: off.
    pub respect_zoho_permissions: Option<bool>,
    /// How long an agent's "may see this record" answer is kept.
    pub visibility_ttl_secs: u64,
    /// Zoho profile names whose users get the admin role when they sign in
    /// with Zoho. Empty: admin rights are given in the console only.
    pub zoho_admin_profiles: Vec<String>,
    /// Missed inbound calls from known callers become CRM tasks (off when
    /// absent).
    pub missed_call_tasks: Option<crate::followup::MissedCallTasks>,
}

impl EngineSettings {
    /// Where an admin sets a default for `field` of new `module` records,
    /// for errors that name the field blocking creation.
    pub fn create_default_hint(module: CrmModule, field: &str) -> String {
        format!("set a value for it under [engine.create_defaults.{module}] as {field} = \"...\"")
    }
}

/// Zoho's standard Leads layout requires a Company, which an unknown
/// caller has not told us.
fn default_create_defaults() -> BTreeMap<CrmModule, BTreeMap<String, String>> {
    let leads = BTreeMap::from([("Company".to_owned(), "Unknown".to_owned())]);
    BTreeMap::from([(CrmModule::Leads, leads)])
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self {
            logging: LoggingPolicy::default(),
            owner: OwnerPolicy::default(),
            subject: Template::parse("{direction} call {name}").expect("valid default"),
            description: Template::parse("{direction} call with {number}, {handled_by}, talk time {duration}. PBX call {call_id}.")
                .expect("valid default"),
            unknown_inbound: UnknownNumberAction::Nothing,
            unknown_outbound: UnknownNumberAction::Nothing,
            match_modules: vec![CrmModule::Contacts, CrmModule::Leads, CrmModule::Accounts],
            group_missed_owner: None,
            phonebook: None,
            display_time_zone: "UTC".to_owned(),
            call_results: std::collections::BTreeMap::new(),
            create_defaults: default_create_defaults(),
            respect_zoho_permissions: None,
            visibility_ttl_secs: 300,
            zoho_admin_profiles: Vec::new(),
            missed_call_tasks: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_json_fills_defaults_and_bad_templates_are_refused() {
        let s: EngineSettings =
            serde_json::from_str(r#"{"unknown_inbound":"create_lead","phonebook":"CRM"}"#).unwrap();
        assert_eq!(s.unknown_inbound, UnknownNumberAction::CreateLead);
        assert_eq!(
            s.match_modules,
            [CrmModule::Contacts, CrmModule::Leads, CrmModule::Accounts]
        );
        assert!(serde_json::from_str::<EngineSettings>(r#"{"subject":"{oops}"}"#).is_err());
        assert_eq!(
            s.create_defaults[&CrmModule::Leads]["Company"],
            "Unknown",
            "new Leads get a Company unless configured otherwise"
        );
        let s2: EngineSettings = serde_json::from_str(
            r#"{"create_defaults":{"Leads":{"Company":"Unknown caller","Lead_Source":"Phone"}}}"#,
        )
        .unwrap();
        assert_eq!(
            s2.create_defaults[&CrmModule::Leads]["Lead_Source"],
            "Phone"
        );
        let round: EngineSettings =
            serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(round, s);
    }
}
