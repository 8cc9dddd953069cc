//! `ringbridge demo --exit` as a user runs it: the last line is a JSON
//! summary, counted from the simulators and checked against what the
//! scenarios should have produced.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_exit_prints_a_summary_that_adds_up() {
    // Enough calls for every scenario kind of the plan to be played, with
    // known and unknown numbers.
    let calls = 2 * ringbridge::demo::plan::SCENARIOS.len() + 4;
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_ringbridge"))
        .args(["demo", "--exit", "--calls", &calls.to_string()])
        .current_dir(tempfile::tempdir().unwrap().path())
        .output()
        .await
        .expect("demo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "demo failed: {}\n{}",
        stdout,
        String::from_utf8_lossy(&output.stderr)
    );
    let last = stdout.lines().last().expect("a summary line");
    let summary: serde_json::Value = serde_json::from_str(last).expect("the last line is JSON");
    assert_eq!(summary["calls_played"], calls, "{summary}");
    let expected_logged = summary["calls_expected_logged"].as_u64().unwrap();
    // Every scenario logs one call but the internal one (not logged) and
    // the two overlapping calls from one number (two logs).
    assert!(expected_logged >= calls as u64 - 2, "{summary}");
    assert_eq!(summary["calls_logged"], expected_logged, "{summary}");
    assert_eq!(summary["duplicate_logs"], 0, "{summary}");
    // Leads really created in the CRM: one per unknown number that called in.
    let created = summary["records_created"].as_u64().unwrap();
    assert_eq!(summary["records_expected_created"], created, "{summary}");
    assert!(created > 0, "{summary}");
    // Contacts really in the PBX phonebook: one per CRM Contact that called.
    let upserts = summary["phonebook_upserts"].as_u64().unwrap();
    assert_eq!(summary["phonebook_expected_upserts"], upserts, "{summary}");
    assert!(upserts > 0, "{summary}");
    assert_eq!(summary["jobs_failed"], 0);
    for field in ["zoho_requests", "zoho_credits"] {
        assert!(summary[field].as_u64().unwrap() > 0, "{field}");
    }
}

#[test]
fn the_demo_plan_covers_every_case_of_the_engine() {
    let planned: Vec<&str> = ringbridge::demo::plan::SCENARIOS
        .iter()
        .map(|p| p.scenario)
        .collect();
    for case in [
        "inbound_answered",
        "inbound_missed",
        "ring_group_answered",
        "ring_group_unanswered",
        "queue_answered",
        "queue_unanswered",
        "blind_transfer",
        "attended_transfer",
        "voicemail",
        "internal",
        "simultaneous_same_caller",
        "outbound_answered",
        "outbound_unanswered",
        "outbound_busy",
    ] {
        assert!(planned.contains(&case), "{case} is not in the demo's plan");
    }
    // Unknown callers are played too (every fourth call).
    let unknown = ringbridge::demo::plan::nth(3).unwrap().0;
    assert!(
        unknown.params.values().any(|v| v == "4155550190"),
        "{:?}",
        unknown.params
    );
}

/// `ringbridge demo` as the README's first command runs it: the live view
/// shows a call ringing with who is calling, and the printed CRM view and
/// agent panel answer. (Its calls take real time; the test stops it early.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_demo_shows_calls_and_serves_its_pages() {
    use tokio::io::{AsyncBufReadExt, BufReader};

    let dir = tempfile::tempdir().unwrap();
    let mut demo = tokio::process::Command::new(env!("CARGO_BIN_EXE_ringbridge"))
        .args(["demo", "--every", "1"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("demo starts");
    let mut lines = BufReader::new(demo.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    let found = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.expect("stdout") {
            seen.push(line.clone());
            if line.contains("ringing at ext") {
                return;
            }
        }
    })
    .await;
    assert!(found.is_ok(), "no call rang in the live view: {seen:#?}");
    let url_after = |prefix: &str| {
        seen.iter()
            .find_map(|l| l.split_once(prefix).map(|(_, rest)| rest.to_owned()))
            .and_then(|rest| rest.split_whitespace().next().map(str::to_owned))
            .unwrap_or_else(|| panic!("{prefix} in {seen:#?}"))
    };
    let crm_view = url_after("call log in a browser: ");
    let panel = url_after("agent panel: ");
    let ringing = seen.iter().find(|l| l.contains("ringing at ext")).unwrap();
    // The caller is named from the local directory, or said to be unknown.
    assert!(ringing.contains(" ← "), "{ringing}");
    let client = reqwest::Client::new();
    let page = client.get(&crm_view).send().await.expect("CRM view");
    assert_eq!(page.status(), 200, "{crm_view}");
    // The printed sign-ins work: the agent reaches the panel, the admin the
    // accounts (before, no administrator existed and every sign-in page
    // offered to create one).
    let base = panel.trim_end_matches("/panel").to_owned();
    for (prefix, page) in [
        ("agent panel: ", "/panel"),
        ("as the administrator: ", "/admin/accounts"),
    ] {
        let line = seen
            .iter()
            .find(|l| l.contains(prefix))
            .unwrap_or_else(|| panic!("{prefix} in {seen:#?}"));
        let (username, password) = printed_sign_in(line);
        let body = signed_in_page(&base, &username, &password, page).await;
        // Signed in: the page offers to sign out.
        assert!(
            body.contains("action=\"/logout\""),
            "{username} did not reach {page}: {body}"
        );
    }
    demo.kill().await.expect("stopped");
}

/// `(sign in as NAME / PASSWORD)` from a line the demo printed.
fn printed_sign_in(line: &str) -> (String, String) {
    let inner = line
        .split_once("(sign in as ")
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("no sign-in in {line}"));
    let (user, password) = inner.split_once(" / ").expect("NAME / PASSWORD");
    (user.to_owned(), password.to_owned())
}

/// Signs in through the login form and returns the body of `page`.
async fn signed_in_page(base: &str, username: &str, password: &str, page: &str) -> String {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("a client");
    let login = client
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("login page");
    assert!(login.url().path().ends_with("/login"), "{}", login.url());
    let form = login.text().await.expect("login form");
    let token = crate::console::csrf(&form);
    let signed = client
        .post(format!("{base}/login"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .expect("signed in");
    assert!(signed.status().is_success(), "{}", signed.status());
    let answer = client
        .get(format!("{base}{page}"))
        .send()
        .await
        .expect("the page");
    assert_eq!(answer.url().path(), page, "{username} was sent elsewhere");
    assert_eq!(answer.status(), 200, "{username} at {page}");
    answer.text().await.expect("a body")
}
