//! `ringbridge demo --exit` as a user runs it: the last line is a JSON
//! summary, checked against what the scenarios should have produced.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_exit_prints_a_summary_that_adds_up() {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_ringbridge"))
        .args(["demo", "--exit", "--calls", "45"])
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
    assert_eq!(summary["calls_played"], 45);
    assert_eq!(
        summary["calls_logged"], summary["calls_expected_logged"],
        "{summary}"
    );
    assert_eq!(summary["duplicate_logs"], 0);
    assert_eq!(
        summary["records_created"], summary["records_expected_created"],
        "{summary}"
    );
    assert_eq!(summary["jobs_failed"], 0);
    assert!(summary["phonebook_upserts"].as_u64().unwrap() > 0);
    for field in ["zoho_requests", "zoho_credits"] {
        assert!(summary[field].as_u64().unwrap() > 0, "{field}");
    }
}
