//! `sim zoho --fixture FILE`: an org described in TOML is what the API serves.

use clap::Parser;
use reqwest::StatusCode;
use ringbridge_sim_zoho::{Edition, Fixture, Module, SimConfig, SimZohoArgs};
use serde_json::Value;

use crate::H;

#[derive(Parser)]
struct Cmd {
    #[command(flatten)]
    args: SimZohoArgs,
}

/// The example next to the README, relative to this crate.
const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/zoho-fixture.toml"
);

/// Every module, an owner other than the first user, an inactive user, an edition.
const EVERY_MODULE: &str = r#"
edition = "professional"
[org]
company_name = "Fixture Co"
time_zone = "Asia/Kolkata"
[[users]]
first_name = "Ada"
last_name = "Admin"
email = "ada@fixture.test"
role = "CEO"
profile = "Administrator"
[[users]]
last_name = "Gone"
email = "gone@fixture.test"
role = "Agent"
profile = "Standard"
active = false
[[users]]
last_name = "Ravi"
email = "ravi@fixture.test"
role = "Agent"
profile = "Standard"
phone = "+91 80 1234 5678"
[[records]]
module = "Accounts"
key = "acct"
fields = { Account_Name = "Fixture Account", Phone = "+91 80 5555 0000" }
[[records]]
module = "Contacts"
key = "c1"
owner = "ravi@fixture.test"
fields = { Last_Name = "Kumar", Phone = "+91 98 1111 2222", Account_Name = { ref = "acct" } }
[[records]]
module = "Leads"
fields = { Last_Name = "Lead", Company = "Lead Co", Mobile = "+91 98 3333 4444" }
[[records]]
module = "Deals"
fields = { Deal_Name = "Big deal", Stage = "Qualification", Closing_Date = "2031-05-01", Contact_Name = { ref = "c1" } }
[[records]]
module = "Calls"
owner = "ravi@fixture.test"
fields = { Subject = "Earlier call", Call_Type = "Inbound", Call_Start_Time = "2025-03-10T14:05:12+05:30", Call_Duration = "02:10", Who_Id = { ref = "c1" } }

[[records]]
module = "Tasks"
owner = "ravi@fixture.test"
fields = { Subject = "Call back", Due_Date = "2025-03-11", Who_Id = { ref = "c1" } }
"#;

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("{}-{name}", std::process::id()));
    std::fs::write(&path, text).expect("temp fixture written");
    path
}

#[tokio::test]
async fn a_fixture_given_on_the_command_line_is_served() {
    let path = temp_file("every-module.toml", EVERY_MODULE);
    let cmd = Cmd::parse_from(["sim", "--fixture", path.to_str().expect("utf-8 path")]);
    let config = cmd.args.load_config().expect("fixture loads");
    assert_eq!(config.edition, Edition::Professional, "the file's edition");
    let h = H::with(config).await;

    let org = h.get("/crm/v8/org").await;
    assert_eq!(org.body["org"][0]["company_name"], "Fixture Co");
    assert_eq!(org.body["org"][0]["time_zone"], "Asia/Kolkata");
    assert_eq!(
        org.body["org"][0]["license_details"]["paid_type"],
        "professional"
    );

    let users = h.get("/crm/v8/users?type=AllUsers").await;
    let users = users.body["users"].as_array().expect("users").clone();
    let emails: Vec<&str> = users.iter().filter_map(|u| u["email"].as_str()).collect();
    assert_eq!(
        emails,
        ["ada@fixture.test", "gone@fixture.test", "ravi@fixture.test"]
    );
    assert_eq!(users[1]["status"], "disabled");
    assert_eq!(users[2]["role"]["name"], "Agent");
    assert_eq!(users[2]["profile"]["name"], "Standard");
    assert_eq!(users[2]["phone"], "+91 80 1234 5678");

    let ravi = h.sim.user_id("ravi@fixture.test").expect("ravi");
    for module in Module::ALL {
        assert_eq!(h.sim.records(module).len(), 1, "one {module} record");
    }
    let contact = &h.sim.records(Module::Contacts)[0];
    assert_eq!(contact["Owner"]["id"], ravi.as_str());
    assert_eq!(contact["Account_Name"]["name"], "Fixture Account");
    let call = &h.sim.calls()[0];
    assert_eq!(call["Owner"]["id"], ravi.as_str());
    assert_eq!(call["Who_Id"]["name"], "Kumar");
    // Record times are shown in the org's time zone.
    assert_eq!(call["Call_Start_Time"], "2025-03-10T14:05:12+05:30");

    let flag = Cmd::parse_from([
        "sim",
        "--fixture",
        path.to_str().expect("utf-8 path"),
        "--edition",
        "free",
    ]);
    assert_eq!(
        flag.args.load_config().expect("loads").edition,
        Edition::Free,
        "--edition wins over the file"
    );
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn the_example_fixture_is_the_demo_org() {
    let fixture = Fixture::load(std::path::Path::new(EXAMPLE)).expect("example loads");
    let h = H::with(SimConfig {
        seed: fixture.seed,
        ..SimConfig::default()
    })
    .await;
    let r = h.get("/crm/v8/users?type=ActiveUsers").await;
    assert_eq!(r.status, StatusCode::OK);
    let users = r.body["users"].as_array().expect("users");
    assert_eq!(users.len(), 7);
    assert_eq!(users[0]["profile"]["name"], "Administrator");
    let roles: Vec<&str> = users
        .iter()
        .filter_map(|u| u["role"]["name"].as_str())
        .collect();
    assert_eq!(roles.iter().filter(|r| **r == "Manager").count(), 1);
    assert!(roles.iter().filter(|r| **r == "Agent").count() >= 2);
    let r = h.get("/crm/v8/org").await;
    assert_eq!(r.body["org"][0]["time_zone"], "America/Los_Angeles");
    let phones: Vec<Value> = h
        .sim
        .records(Module::Contacts)
        .into_iter()
        .map(|c| c["Phone"].clone())
        .collect();
    assert!(phones.contains(&Value::from("+1 (415) 555-0123")));
}

#[test]
fn a_broken_fixture_names_the_file_and_the_problem() {
    let path = temp_file("broken.toml", "[[users]]\nlast_name = \"A\"\n");
    let err = Fixture::load(&path).expect_err("email, role, profile missing");
    let text = err.to_string();
    assert!(
        text.contains("broken.toml") && text.contains("email"),
        "{text}"
    );
    let cyclic = "[[roles]]\nname = \"A\"\nreports_to = \"B\"\n[[roles]]\nname = \"B\"\nreports_to = \"A\"\n\
                  [[users]]\nlast_name = \"A\"\nemail = \"a@x\"\nrole = \"A\"\nprofile = \"P\"\n";
    assert!(Fixture::from_toml(cyclic).is_err(), "a role above itself");
    let _ = std::fs::remove_file(path);
}

/// A record the fixture gets wrong is refused at start, as the API would refuse it.
#[tokio::test]
async fn invalid_records_stop_the_start() {
    let text = "[[users]]\nlast_name = \"A\"\nemail = \"a@x\"\nrole = \"R\"\nprofile = \"P\"\n\
                [[records]]\nmodule = \"Contacts\"\nfields = { First_Name = \"No last name\" }\n";
    let fixture = Fixture::from_toml(text).expect("parses");
    let started = ringbridge_sim_zoho::SimZoho::start(SimConfig {
        seed: fixture.seed,
        ..SimConfig::default()
    })
    .await;
    let err = started.expect_err("Last_Name is mandatory");
    assert!(err.to_string().contains("MANDATORY_NOT_FOUND"), "{err}");
}
