//! Real-time pacing and the CLI arguments.

use std::time::{Duration, Instant};

use clap::Parser;
use ringbridge_sim_yeastar::{BUILTIN_NAMES, CdrMode, ClockStart, Scenario, SimYeastarArgs};

use crate::support::*;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: SimYeastarArgs,
}

#[test]
fn cli_arguments_build_settings_and_scenarios() {
    let cli = Cli::try_parse_from([
        "sim",
        "--listen",
        "127.0.0.1:0",
        "--play",
        "all",
        "--every",
        "5",
        "--msg-as-object",
        "--cdr-mode",
        "legacy",
        "--client-id",
        "abc",
    ])
    .expect("parses");
    let s = cli.args.settings().expect("settings");
    assert!(s.msg_as_object);
    assert_eq!(s.cdr_mode, CdrMode::Legacy);
    assert_eq!(s.client_id, "abc");
    assert_eq!(s.clock, ClockStart::System);
    assert!(s.realtime_scenarios);
    assert_eq!(
        cli.args.scenarios().expect("scenarios").len(),
        BUILTIN_NAMES.len()
    );
    let one = Cli::try_parse_from(["sim", "--play", "voicemail"]).expect("parses");
    assert_eq!(one.args.scenarios().expect("one")[0].name, "voicemail");
    assert!(
        Cli::try_parse_from(["sim", "--play", "nope"])
            .expect("parses")
            .args
            .scenarios()
            .is_err()
    );
    assert!(
        Cli::try_parse_from(["sim", "--every", "5"]).is_err(),
        "--every needs --play"
    );
}

#[tokio::test]
async fn realtime_scenarios_take_real_time_on_the_system_clock() {
    let sim = sim_with(|s| {
        s.clock = ClockStart::System;
        s.realtime_scenarios = true;
    })
    .await;
    let s = Scenario::from_toml(
        r#"
name = "short"
[[calls]]
id = "c"
from = { kind = "external", number = "5550199" }
to = { kind = "extension", number = "1005" }
[[steps]]
do = "ring"
[[steps]]
do = "wait"
secs = 1
[[steps]]
do = "no_answer"
"#,
    )
    .expect("toml");
    let started = Instant::now();
    sim.play(&s).await.expect("played");
    assert!(started.elapsed() >= Duration::from_millis(950));
    let rec = &sim.call_records()[0];
    assert!(rec.ended_at - rec.started_at >= 1);
}

#[tokio::test]
async fn bad_scenarios_are_rejected() {
    let sim = sim().await;
    assert!(Scenario::from_toml("name = 1").is_err());
    let unknown_call = Scenario::from_toml(
        r#"
name = "x"
[[calls]]
id = "c"
from = { kind = "extension", number = "1004" }
to = { kind = "extension", number = "1005" }
[[steps]]
do = "ring"
call = "other"
"#,
    )
    .expect("parses");
    assert!(sim.play(&unknown_call).await.is_err());
    let bad_party = Scenario::from_toml(
        r#"
name = "x"
[[calls]]
id = "c"
from = { kind = "extension", number = "4242" }
to = { kind = "extension", number = "1005" }
[[steps]]
do = "ring"
"#,
    )
    .expect("parses");
    assert!(sim.play(&bad_party).await.is_err());
    assert!(sim.live_calls().is_empty());
}
