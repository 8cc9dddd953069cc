//! `ringbridge backfill`: calls the live stream never reported are queued
//! from the PBX's call records and logged; a second run queues nothing and
//! the CRM holds each call once.

use chrono::{DateTime, Duration};
use indicatif::ProgressBar;
use ringbridge::backfill::{BackfillError, backfill};
use ringbridge::world::World;
use ringbridge_core::audit::{AuditOutcome, AuditStore, AuditSystem};
use ringbridge_core::outbox::JobKind;

use crate::support::*;

#[tokio::test]
async fn backfill_logs_what_the_stream_missed_and_nothing_twice() {
    // A stream subscribed to no call topics: ringbridge hears of no call
    // live, as when it was not running while they happened.
    let mut options = options();
    options.events.topics = vec![30008];
    let w = World::start(options).await.expect("world starts");
    let mut ids = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550123"), ("agent", "1005")],
    )
    .await;
    ids.extend(play(&w, "ring_group_unanswered", &[("caller", "4155550124")]).await);
    ids.extend(
        play(
            &w,
            "blind_transfer",
            &[
                ("caller", "4155550123"),
                ("agent", "1005"),
                ("target", "1007"),
            ],
        )
        .await,
    );
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "three calls: {ids:?}");
    assert_eq!(
        w.counts(JobKind::ProcessCall).await.unwrap().pending,
        0,
        "nothing came in live"
    );

    // A period of more than a day around the calls: several windows.
    let starts: Vec<i64> = w
        .pbx_sim
        .call_records()
        .iter()
        .map(|r| r.started_at)
        .collect();
    let first = DateTime::from_timestamp(*starts.iter().min().unwrap(), 0).unwrap();
    let last = DateTime::from_timestamp(*starts.iter().max().unwrap(), 0).unwrap();
    let (from, to) = (
        first - Duration::days(1) - Duration::hours(1),
        last + Duration::hours(1),
    );

    let hidden = ProgressBar::hidden();
    let summary = backfill(&w.yeastar, &w.store, "pbx", from, to, &hidden)
        .await
        .unwrap();
    assert_eq!(summary.windows, 2);
    assert_eq!(summary.calls_found, ids.len(), "{summary:?}");
    assert!(summary.records >= ids.len());
    assert_eq!((summary.queued, summary.already_known), (ids.len(), 0));
    settle(&w, ids.len() as u64).await;
    let logged = crm_calls(&w);
    assert_eq!(logged.len(), ids.len(), "{logged:#?}");
    for id in &ids {
        call_for(&logged, id);
    }

    // Again, after everything was written: nothing new.
    let again = backfill(&w.yeastar, &w.store, "pbx", from, to, &hidden)
        .await
        .unwrap();
    assert_eq!(
        (again.calls_found, again.queued, again.already_known),
        (ids.len(), 0, ids.len())
    );
    settle(&w, ids.len() as u64).await;
    let logged = crm_calls(&w);
    assert_eq!(logged.len(), ids.len());
    for id in &ids {
        call_for(&logged, id);
        // The audit trail shows the one write of each call log.
        let writes = w.store.for_key(&format!("pbx:{id}")).await.unwrap();
        let inserts: Vec<_> = writes.iter().filter(|e| e.target == "Calls").collect();
        assert_eq!(inserts.len(), 1, "{writes:?}");
        assert_eq!(inserts[0].system, AuditSystem::Crm);
        assert_eq!(inserts[0].outcome, AuditOutcome::Ok);
        let crm_id = inserts[0].remote_id.as_deref().unwrap();
        assert!(
            logged.iter().any(|c| c["id"] == crm_id),
            "audited id {crm_id} is in the CRM"
        );
    }

    let empty = backfill(&w.yeastar, &w.store, "pbx", to, from, &hidden).await;
    assert!(matches!(empty, Err(BackfillError::EmptyRange { .. })));
    w.stop().await;
}

/// Runs `ringbridge backfill` against the simulators and the nodes'
/// database: (exit success, stdout, stderr).
async fn backfill_binary(
    pbx: &ringbridge_sim_yeastar::SimYeastar,
    zoho: &ringbridge_sim_zoho::SimZoho,
    refresh: &str,
    db: &ringbridge_store::testing::TestDatabase,
    dir: &std::path::Path,
    from: &str,
    to: &str,
) -> (bool, String, String) {
    let out = crate::crash::node::command(pbx, zoho, refresh, db, dir)
        .args(["backfill", "--from", from, "--to", to])
        .output()
        .await
        .expect("ringbridge backfill runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The same in a terminal (`script` gives it one) with stdout sent to a
/// file: what the terminal shows is what went to stderr.
async fn backfill_in_a_terminal(
    cmd: tokio::process::Command,
    from: &str,
    to: &str,
    stdout_file: &std::path::Path,
) -> Option<(String, String)> {
    let script = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let std_cmd = cmd.as_std();
    let line = format!(
        "{} backfill --from {from} --to {to} > {}",
        std_cmd.get_program().to_string_lossy(),
        stdout_file.display()
    );
    let mut run = tokio::process::Command::new(script);
    // A person's terminal: indicatif draws nothing where TERM is unset or dumb.
    run.args(["-qec", &line, "/dev/null"])
        .env_clear()
        .env("TERM", "xterm");
    for (k, v) in std_cmd.get_envs() {
        if let Some(v) = v {
            run.env(k, v);
        }
    }
    let out = run.output().await.expect("script runs");
    assert!(out.status.success(), "{out:?}");
    Some((
        String::from_utf8_lossy(&out.stdout).into_owned(),
        std::fs::read_to_string(stdout_file).expect("stdout file"),
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backfill_command_queues_once_and_serve_logs_each_call_once() {
    use crate::crash::node::{kill_9, simulators, start_node};

    let (pbx, zoho, refresh) = simulators(std::time::Duration::from_secs(120)).await;
    let db = ringbridge_store::testing::fresh_sqlite();
    let data_dir = tempfile::tempdir().unwrap();
    let dir = data_dir.path();

    // Calls made while no ringbridge ran.
    let mut ids = Vec::new();
    for (name, param, number) in [
        ("inbound_answered", "caller", "4155550123"),
        ("outbound_answered", "number", "4155550124"),
        ("ring_group_unanswered", "caller", "4155550125"),
        ("inbound_answered", "caller", "4155550126"),
    ] {
        let scenario = ringbridge_sim_yeastar::builtin(name)
            .unwrap()
            .with_param(param, number)
            .unwrap();
        ids.extend(pbx.play(&scenario).await.unwrap());
    }
    assert_eq!(ids.len(), 4);
    let starts: Vec<i64> = pbx.call_records().iter().map(|r| r.started_at).collect();
    let at = |t: i64| DateTime::from_timestamp(t, 0).unwrap();
    let from = (at(*starts.iter().min().unwrap()) - Duration::hours(1)).to_rfc3339();
    let to = (at(*starts.iter().max().unwrap()) + Duration::hours(1)).to_rfc3339();

    let (ok, stdout, stderr) = backfill_binary(&pbx, &zoho, &refresh, &db, dir, &from, &to).await;
    assert!(ok, "backfill failed:\n{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "the summary only, no progress:\n{stdout}");
    assert!(
        lines[0].contains("4 calls found, 4 queued, 0 already known"),
        "{stdout}"
    );
    assert!(lines[1].contains("ringbridge serve"), "{stdout}");

    // Again before anything was logged: queued already, nothing new.
    let (ok, stdout, _) = backfill_binary(&pbx, &zoho, &refresh, &db, dir, &from, &to).await;
    assert!(ok);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.contains("4 calls found, 0 queued, 4 already known"),
        "{stdout}"
    );

    // `serve` logs what the backfill queued, each call once.
    let node = start_node(&pbx, &zoho, &refresh, &db, dir, &[]).await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    while zoho.calls().len() < ids.len() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // A third run, in a terminal, after the calls were logged.
    let stdout_file = dir.join("backfill.out");
    let cmd = crate::crash::node::command(&pbx, &zoho, &refresh, &db, dir);
    if let Some((terminal, stdout)) = backfill_in_a_terminal(cmd, &from, &to, &stdout_file).await {
        assert!(
            terminal.contains("fetching call records") || terminal.contains("queuing calls"),
            "the progress bar is drawn on stderr: {terminal:?}"
        );
        assert!(!stdout.contains("queuing calls"), "{stdout}");
        assert!(
            stdout.contains("4 calls found, 0 queued, 4 already known"),
            "{stdout}"
        );
    }
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let logged = zoho.calls();
    assert_eq!(logged.len(), ids.len(), "{logged:#?}");
    for id in &ids {
        call_for(&logged, id);
    }
    kill_9(node).await;
}
