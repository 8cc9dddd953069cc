//! The example company and scenario at the repository root (`examples/yeastar-*.toml`)
//! parse, fit together and play as their comments say, so they never rot.

use ringbridge_sim_yeastar::{CompanyFile, Scenario, SimSettings, SimYeastar};

const COMPANY: &str = include_str!("../../../../examples/yeastar-company.toml");
const SCENARIO: &str = include_str!("../../../../examples/yeastar-scenario.toml");

#[test]
fn the_example_company_parses_into_a_berlin_office() {
    let file = CompanyFile::from_toml(COMPANY).expect("example company parses");
    let s = file.apply(SimSettings::default());
    assert_eq!(s.time_zone, Some(chrono_tz::Europe::Berlin));
    assert_eq!(s.firmware_version, "37.14.0.18");
    let c = &s.company;
    assert_eq!(c.extensions.len(), 6);
    assert_eq!(
        (c.ring_groups.len(), c.queues.len(), c.trunks.len()),
        (1, 1, 2)
    );
    assert_eq!(c.trunks[0].dids.len(), 2);
    assert_eq!(c.phonebooks[1].contacts, [0, 1]);
}

#[tokio::test]
async fn the_example_scenario_plays_across_the_dst_change_with_its_fault() {
    let settings = CompanyFile::from_toml(COMPANY)
        .expect("company")
        .apply(SimSettings::for_tests());
    let sim = SimYeastar::start(settings).await.expect("starts");
    let scenario = Scenario::from_toml(SCENARIO).expect("example scenario parses");
    let ids = sim.play(&scenario).await.expect("plays");
    let record = &sim.call_records()[0];
    assert_eq!(record.call_id, ids[0]);
    assert_eq!(record.did_name, "Mandantenservice");
    assert_eq!(
        record.queues,
        [("610".to_owned(), "Mandantenservice".to_owned())]
    );
    // 01:58:30 CET is 00:58:30 UTC; the call ends 143 s later, at 03:00:53 CEST.
    assert_eq!(record.started_at, 1_806_195_510);
    assert_eq!(record.ended_at - record.started_at, 143);
    let rows = sim.cdr_rows();
    assert!(
        rows.iter().all(|r| r["time"] == "28/03/2027 01:58:30"),
        "{rows:#?}"
    );
    // The fault step left the event socket refused.
    assert!(sim.faults().ws_refused_secs > 60);
}

#[derive(clap::Parser)]
struct Cli {
    #[command(flatten)]
    args: ringbridge_sim_yeastar::SimYeastarArgs,
}

#[test]
fn the_company_flag_loads_the_file_and_other_flags_win() {
    use clap::Parser;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/yeastar-company.toml"
    );
    let cli =
        Cli::try_parse_from(["sim", "--company", path, "--firmware", "37.2.0.10"]).expect("parses");
    let s = cli.args.settings().expect("the example loads");
    assert_eq!(s.time_zone, Some(chrono_tz::Europe::Berlin));
    assert_eq!(s.company.extensions[0].caller_id_name, "Katrin Vogel");
    assert_eq!(
        s.firmware_version, "37.2.0.10",
        "the flag wins over the file"
    );
    assert!(!s.display_format.hour12, "the file's display format");
    assert_eq!(s.admin_token, None);

    let with_token = Cli::try_parse_from(["sim", "--admin-token", "t0k"]).expect("parses");
    let s = with_token.args.settings().expect("defaults");
    assert_eq!(s.admin_token.as_deref(), Some("t0k"));
    assert_eq!(s.company.extensions.len(), 8, "the built-in company");

    let missing = Cli::try_parse_from(["sim", "--company", "no/such/company.toml"])
        .expect("parses")
        .args
        .settings()
        .expect_err("a missing file is an error");
    assert!(
        missing.to_string().contains("no/such/company.toml"),
        "{missing}"
    );
}
