//! Probes of the rows of docs/zoho-assumptions.md that an org shows
//! without harm: each says "confirmed", "differs (what was seen)" or "not
//! observable". Read-only, except the two behind `--probe-writes`: a
//! Missed call created and deleted again, and a PhoneBridge notification
//! that is incomplete on purpose (it names a state, but no start time).

use chrono::Utc;
use reqwest::Method;
use ringbridge_core::console::CrmMode;
use ringbridge_zoho::phonebridge::PB_V3;
use ringbridge_zoho::rest::{
    CallType, CallsRecordBuilder, CoqlCondition, CoqlQuery, Criteria, ListOutcome, ListParams, Org,
    RecordError, RestClient, SearchBy, SearchParams, build_coql, build_get_record,
};
use ringbridge_zoho::{ApiRequest, ErrorCode, Operation, ZohoConnection, ZohoError};

use super::DoctorOptions;
use super::report::{Area, Report, Status};

/// Names of the probes, as the report shows them.
pub const PHONE_SEARCH: &str = "phone search spellings";
pub const CASE: &str = "search ignores case";
pub const EMPTY_COQL: &str = "empty COQL answers 204";
pub const UNKNOWN_ID: &str = "unknown record id";
pub const EDITION_NAME: &str = "edition name";
pub const MISSED_DURATION: &str = "Missed call without duration";
pub const PB_STATES: &str = "PhoneBridge missed state";

const SUBJECT: &str = "ringbridge doctor probe (deleted again)";

pub(super) async fn run(
    report: &mut Report,
    conn: &ZohoConnection,
    org: &Org,
    mode: CrmMode,
    options: &DoctorOptions,
) {
    let rest = conn.rest();
    let sample = sample_contact(&rest).await;
    phone_search(report, &rest, sample.as_ref()).await;
    case_insensitive(report, &rest, sample.as_ref()).await;
    empty_coql(report, conn).await;
    unknown_id(report, conn).await;
    edition_name(report, org);
    if options.probe_writes {
        missed_duration(report, &rest, org).await;
    } else {
        report.push(
            Area::Assumption,
            MISSED_DURATION,
            Status::NotObservable,
            "needs a test Calls record: run with --probe-writes (it is deleted again)",
        );
    }
    match (mode, options.probe_writes) {
        (CrmMode::PhoneBridge, true) => pb_missed_state(report, conn).await,
        (CrmMode::PhoneBridge, false) => report.push(
            Area::Assumption,
            PB_STATES,
            Status::NotObservable,
            "sends a (deliberately incomplete) call notification: run with --probe-writes",
        ),
        (CrmMode::Rest, _) => report.push(
            Area::Assumption,
            PB_STATES,
            Status::NotObservable,
            "PhoneBridge mode only",
        ),
    }
}

/// A Contact whose phone is typed with more than digits.
struct Sample {
    id: String,
    phone: String,
    last_name: String,
}

async fn sample_contact(rest: &RestClient) -> Option<Sample> {
    let mut params = ListParams::new(&["Phone", "Last_Name"]);
    params.per_page = 50;
    let Ok(ListOutcome::Page(page)) = rest.list_records("Contacts", &params).await else {
        return None;
    };
    page.records.iter().find_map(|r| {
        let phone = r.str("Phone")?;
        let digits = digits(phone);
        let id = r.id()?;
        (digits.len() >= 9 && digits != phone).then(|| Sample {
            id: id.to_owned(),
            phone: phone.to_owned(),
            last_name: r.str("Last_Name").unwrap_or_default().to_owned(),
        })
    })
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

async fn finds(rest: &RestClient, by: SearchBy, id: &str) -> Result<bool, ZohoError> {
    let page = rest
        .search("Contacts", &SearchParams::new(by).fields(&["Phone"]))
        .await?;
    Ok(page.records.iter().any(|r| r.id() == Some(id)))
}

/// Assumed (the simulator's default): phone search compares digits, so a
/// number typed another way is found, but its last digits alone are not.
async fn phone_search(report: &mut Report, rest: &RestClient, sample: Option<&Sample>) {
    let Some(sample) = sample else {
        report.push(
            Area::Assumption,
            PHONE_SEARCH,
            Status::NotObservable,
            "no Contact among the first 50 has a Phone typed with spaces or signs",
        );
        return;
    };
    let all = digits(&sample.phone);
    let tail = all[all.len() - 7..].to_owned();
    let mut found = Vec::new();
    for spelling in [sample.phone.clone(), all.clone(), tail.clone()] {
        match finds(rest, SearchBy::Phone(spelling), &sample.id).await {
            Ok(hit) => found.push(hit),
            Err(err) => {
                report.push(
                    Area::Assumption,
                    PHONE_SEARCH,
                    Status::Fail,
                    err.to_string(),
                );
                return;
            }
        }
    }
    let shown = |hit: bool| if hit { "found" } else { "not found" };
    let seen = format!(
        "stored {:?}: as typed {}, digits {all:?} {}, last 7 digits {tail:?} {}",
        sample.phone,
        shown(found[0]),
        shown(found[1]),
        shown(found[2])
    );
    let (status, meaning) = match (found[0], found[1], found[2]) {
        (true, true, false) => (Status::Confirmed, "digits are compared"),
        (true, false, false) => (
            Status::Differs,
            "only the exact text matches (ringbridge's lookups send several spellings and match locally)",
        ),
        (true, true, true) => (
            Status::Differs,
            "the last digits alone match (suffix matching; ringbridge compares the full number locally)",
        ),
        _ => (
            Status::Differs,
            "the number as stored does not find its own record",
        ),
    };
    report.push(
        Area::Assumption,
        PHONE_SEARCH,
        status,
        format!("{meaning}: {seen}"),
    );
}

async fn case_insensitive(report: &mut Report, rest: &RestClient, sample: Option<&Sample>) {
    let Some(sample) = sample.filter(|s| s.last_name.chars().any(char::is_alphabetic)) else {
        report.push(
            Area::Assumption,
            CASE,
            Status::NotObservable,
            "no sample Contact with a last name",
        );
        return;
    };
    let swapped: String = sample
        .last_name
        .chars()
        .map(|c| {
            if c.is_uppercase() {
                c.to_lowercase().collect::<String>()
            } else {
                c.to_uppercase().collect()
            }
        })
        .collect();
    let by = SearchBy::Criteria(Criteria::equals("Last_Name", &swapped));
    let (status, seen) = match finds(rest, by, &sample.id).await {
        Ok(true) => (
            Status::Confirmed,
            format!("Last_Name {swapped:?} finds {:?}", sample.last_name),
        ),
        Ok(false) => (
            Status::Differs,
            format!(
                "Last_Name {swapped:?} does not find {:?}: comparisons are case-sensitive",
                sample.last_name
            ),
        ),
        Err(err) => (Status::Fail, err.to_string()),
    };
    report.push(Area::Assumption, CASE, status, seen);
}

async fn empty_coql(report: &mut Report, conn: &ZohoConnection) {
    let mut query = CoqlQuery::new(
        &["id"],
        "Contacts",
        CoqlCondition::Eq("Phone".into(), "+999000000000001".into()),
    );
    query.limit = 1;
    let request = match build_coql(&query) {
        Ok(r) => r,
        Err(err) => {
            report.push(Area::Assumption, EMPTY_COQL, Status::Fail, err.to_string());
            return;
        }
    };
    let (status, seen) = match conn.execute(&request).await {
        Ok(resp) if resp.status == 204 => (Status::Confirmed, "204 No Content".to_owned()),
        Ok(resp) if resp.status == 200 => (
            Status::Differs,
            format!(
                "200 with {} (ringbridge reads an empty data array as nothing too)",
                String::from_utf8_lossy(&resp.body)
                    .chars()
                    .take(120)
                    .collect::<String>()
            ),
        ),
        Ok(resp) => (Status::Differs, format!("HTTP {}", resp.status)),
        Err(err) => (Status::Fail, err.to_string()),
    };
    report.push(Area::Assumption, EMPTY_COQL, status, seen);
}

async fn unknown_id(report: &mut Report, conn: &ZohoConnection) {
    let request = match build_get_record("Contacts", "1000000000000000001", &["id".to_owned()]) {
        Ok(r) => r,
        Err(err) => {
            report.push(Area::Assumption, UNKNOWN_ID, Status::Fail, err.to_string());
            return;
        }
    };
    let (status, seen) = match conn.execute(&request).await {
        Ok(resp) if resp.status == 204 => (Status::Confirmed, "204 No Content".to_owned()),
        Ok(resp) => match resp.clone().into_error() {
            ZohoError::Api(api) if resp.status == 400 && api.code == ErrorCode::InvalidData => {
                (Status::Confirmed, "400 INVALID_DATA".to_owned())
            }
            other => (Status::Differs, format!("HTTP {}: {other}", resp.status)),
        },
        Err(err) => (Status::Fail, err.to_string()),
    };
    report.push(Area::Assumption, UNKNOWN_ID, status, seen);
}

/// The edition keywords ringbridge reads `paid_type` with.
const EDITION_WORDS: &[&str] = &[
    "free",
    "standard",
    "starter",
    "professional",
    "enterprise",
    "zohoone",
    "zoho one",
    "ultimate",
    "crmplus",
    "crm plus",
];

fn edition_name(report: &mut Report, org: &Org) {
    let license = org.license_details.clone().unwrap_or_default();
    let name = if license.paid {
        license.paid_type
    } else {
        license.trial_type.or(Some("free".to_owned()))
    };
    let Some(name) = name else {
        report.push(
            Area::Assumption,
            EDITION_NAME,
            Status::NotObservable,
            "the org names no paid_type",
        );
        return;
    };
    let lower = name.to_ascii_lowercase();
    if EDITION_WORDS.iter().any(|w| lower.contains(w)) {
        report.push(
            Area::Assumption,
            EDITION_NAME,
            Status::Confirmed,
            format!("{name:?} reads as {:?}", org.edition()),
        );
    } else {
        report.push(
            Area::Assumption,
            EDITION_NAME,
            Status::Differs,
            format!("{name:?} is not a name ringbridge knows: limits are those of Free"),
        );
    }
}

/// Assumed: a Missed call needs no Call_Duration.
async fn missed_duration(report: &mut Report, rest: &RestClient, org: &Org) {
    let tz = org.tz().unwrap_or(chrono_tz::UTC);
    let record = match CallsRecordBuilder::new(SUBJECT, CallType::Missed, Utc::now(), tz).build() {
        Ok(r) => r.to_record(),
        Err(err) => {
            report.push(
                Area::Assumption,
                MISSED_DURATION,
                Status::Fail,
                err.to_string(),
            );
            return;
        }
    };
    let outcome = rest.insert_records("Calls", &[record], None).await;
    let (status, seen) = match outcome.map(|mut o| o.pop()) {
        Ok(Some(Ok(created))) => {
            let deleted = rest
                .delete_records("Calls", std::slice::from_ref(&created.id))
                .await;
            let cleanup = match deleted.map(|mut d| d.pop()) {
                Ok(Some(Ok(_))) => "and deleted again".to_owned(),
                Ok(Some(Err(err))) => {
                    format!("NOT deleted ({err}): delete Calls record {}", created.id)
                }
                Ok(None) => format!("NOT deleted: delete Calls record {}", created.id),
                Err(err) => format!("NOT deleted ({err}): delete Calls record {}", created.id),
            };
            (
                Status::Confirmed,
                format!("a Missed call without Call_Duration was accepted ({cleanup})"),
            )
        }
        Ok(Some(Err(RecordError::Rejected(api)))) if api.code == ErrorCode::MandatoryNotFound => (
            Status::Differs,
            format!(
                "refused without Call_Duration ({}: {}); ringbridge then sends 00:00 and keeps doing so",
                api.code.as_str(),
                api.message
            ),
        ),
        Ok(Some(Err(err))) => (Status::Fail, err.to_string()),
        Ok(None) => (Status::Fail, "no answer for the test record".to_owned()),
        Err(err) => (Status::Fail, err.to_string()),
    };
    report.push(Area::Assumption, MISSED_DURATION, status, seen);
}

/// Assumed: `missed` is accepted as documented. The notification leaves out
/// `start_time`, which a terminal state needs, so an org that accepts the
/// state stops at the missing parameter and logs nothing.
async fn pb_missed_state(report: &mut Report, conn: &ZohoConnection) {
    let form = [
        ("type", "received"),
        ("state", "missed"),
        ("id", "ringbridge-doctor-probe"),
        ("from", "+10000000000"),
        ("to", "0"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let request = ApiRequest::new(
        Method::POST,
        format!("{PB_V3}/callnotify"),
        Operation::PbCallNotify,
    )
    .form(form)
    .credits(0)
    .idempotent(false);
    let (status, seen) = match conn.execute(&request).await {
        Ok(resp) if resp.is_success() => (
            Status::Warn,
            "the incomplete notification was accepted: Zoho may have logged a call \"ringbridge-doctor-probe\"; delete it".to_owned(),
        ),
        Ok(resp) => match resp.into_error() {
            ZohoError::Api(api) if about_state(&api) => (
                Status::Differs,
                format!(
                    "state \"missed\" refused ({}: {}); ringbridge re-sends such calls as ended with duration 0",
                    api.code.as_str(),
                    api.message
                ),
            ),
            ZohoError::Api(api) if api.code == ErrorCode::PbxNotIntegrated => (
                Status::NotObservable,
                format!("{}: the org is not integrated yet", api.code.as_str()),
            ),
            other => (
                Status::Confirmed,
                format!("the state passed; Zoho stopped at another parameter ({other})"),
            ),
        },
        Err(err) => (Status::Fail, err.to_string()),
    };
    report.push(Area::Assumption, PB_STATES, status, seen);
}

fn about_state(api: &ringbridge_zoho::ApiError) -> bool {
    api.code == ErrorCode::InvalidData
        && (api.details.get("param").and_then(|p| p.as_str()) == Some("state")
            || api.details.get("api_name").and_then(|p| p.as_str()) == Some("state"))
}
