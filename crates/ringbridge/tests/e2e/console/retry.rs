//! A call log Zoho refused because of a setting is repaired from the
//! dashboard: the failed job names the field, the admin fixes the setting
//! and retries, and the log is rebuilt with the new setting — one Calls
//! record, never two.

use std::time::Duration;

use reqwest::StatusCode;
use ringbridge_sim_yeastar::SimYeastar;
use ringbridge_sim_zoho::SimZoho;

use super::{Ringbridge, demo_simulators, eventually, settings_form, start_connected_with};

/// Every answered inbound call's Call Result is a value the demo org's
/// picklist lacks: Zoho refuses each log.
const WRONG_RESULT: &str = "[engine.call_results]\ninbound_answered = \"Reached voicemail box\"\n";

async fn play(pbx: &SimYeastar, caller: &str) {
    let scenario = ringbridge_sim_yeastar::builtin("inbound_answered")
        .expect("scenario")
        .with_param("caller", caller)
        .expect("caller");
    pbx.play(&scenario).await.expect("played");
}

/// A page without the bidi isolation marks Fluent puts around arguments.
fn plain(page: String) -> String {
    page.replace(['\u{2068}', '\u{2069}'], "")
}

/// The failed-jobs table of the dashboard ("" when there is none).
async fn failed_table(rb: &Ringbridge, query: &str) -> String {
    let page = plain(rb.get(&format!("/console{query}")).await.body);
    page.split("id=\"failed-jobs\"")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .unwrap_or_default()
        .to_owned()
}

/// The job ids of the failed-jobs table's rows.
fn job_ids(table: &str) -> Vec<String> {
    table
        .split("data-job=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

/// The admin picks a value the org's picklist has, and the service runs with it.
async fn fix_the_setting(rb: &Ringbridge) {
    let saved = rb
        .post(
            "/console/settings",
            &settings_form(&[
                ("min_talk_s", "0"),
                ("result_inbound_answered", "Interested"),
            ]),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert!(saved.body.contains("Settings saved."), "{}", saved.body);
    // The old generation answered; give it time to stop before waiting
    // for the new one's links (as the other console tests do).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    eventually("both links up again", async || {
        rb.get("/console").await.body.matches("state ok").count() == 2
    })
    .await;
}

fn results(zoho: &SimZoho) -> Vec<String> {
    zoho.calls()
        .iter()
        .map(|c| c["Call_Result"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn refused_logs(
    pbx: &SimYeastar,
    zoho: &SimZoho,
    refresh: &str,
    callers: &[&str],
) -> Ringbridge {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let rb = start_connected_with(pbx, zoho, listener, refresh, WRONG_RESULT).await;
    rb.create_admin().await;
    rb.links_up().await;
    for caller in callers {
        play(pbx, caller).await;
    }
    eventually("the refused logs listed as failed", async || {
        job_ids(&failed_table(&rb, "").await).len() == callers.len()
    })
    .await;
    assert!(zoho.calls().is_empty(), "{:?}", zoho.calls());
    rb
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_rebuilds_a_refused_log_with_the_fixed_setting() {
    let (pbx, zoho, refresh) = demo_simulators().await;
    let mut rb = refused_logs(&pbx, &zoho, &refresh, &["4155550181"]).await;
    let table = failed_table(&rb, "").await;
    assert!(
        table.contains("Zoho refused the field Call_Result."),
        "{table}"
    );
    assert!(table.contains("Settings → Call result per kind"), "{table}");

    fix_the_setting(&rb).await;
    let id = job_ids(&table).remove(0);
    let retried = rb.post(&format!("/console/jobs/{id}/retry"), &[]).await;
    assert_eq!(retried.status, StatusCode::SEE_OTHER, "{}", retried.body);
    eventually("the rebuilt log written", async || !zoho.calls().is_empty()).await;
    eventually("no failed job left", async || {
        failed_table(&rb, "").await.is_empty()
    })
    .await;
    assert_eq!(results(&zoho), vec!["Interested".to_owned()]);
    // Retrying again finds nothing failed: still one record.
    let again = rb.post(&format!("/console/jobs/{id}/retry"), &[]).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.body);
    assert_eq!(zoho.calls().len(), 1, "{:?}", zoho.calls());
    rb.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_all_matching_the_filter_rebuilds_every_refused_log() {
    let (pbx, zoho, refresh) = demo_simulators().await;
    let mut rb = refused_logs(&pbx, &zoho, &refresh, &["4155550182", "4155550183"]).await;
    // The filter by error: a code no job has shows none, the field shows both.
    assert!(
        failed_table(&rb, "?error=MANDATORY_NOT_FOUND")
            .await
            .is_empty()
    );
    assert_eq!(
        job_ids(&failed_table(&rb, "?error=call_result").await).len(),
        2
    );

    fix_the_setting(&rb).await;
    let retried = rb
        .post("/console/jobs/retry-all", &[("filter", "Call_Result")])
        .await;
    assert_eq!(retried.status, StatusCode::SEE_OTHER, "{}", retried.body);
    assert_eq!(retried.location, "/console?retried=2#failed");
    let confirmed = plain(rb.get(&retried.location).await.body);
    assert!(
        confirmed.contains("2 failed job(s) queued again."),
        "{confirmed}"
    );
    eventually("both rebuilt logs written", async || {
        zoho.calls().len() >= 2
    })
    .await;
    eventually("no failed job left", async || {
        failed_table(&rb, "").await.is_empty()
    })
    .await;
    assert_eq!(results(&zoho), vec!["Interested".to_owned(); 2]);
    rb.shut_down().await;
}
