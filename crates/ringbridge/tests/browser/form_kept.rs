//! Agents type while they talk: a half-typed Create contact form survives
//! the call being answered and ending (what was typed and the focus); once
//! the record exists, every row for that number names it, so none invites
//! a duplicate.

use ringbridge_sim_yeastar::Scenario as PbxScenario;
use ringbridge_sim_zoho::Module;

use crate::support::*;

const CALLER: &str = "4155550191";

fn call(name: &str, steps: &str) -> PbxScenario {
    call_to_maya(name, CALLER, steps)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_typed_form_survives_answer_and_hang_up() {
    let Some(browser) = browser() else { return };
    let w = world().await;
    let maya = agent(&w, "maya", "1005").await;
    let mut scenario = Scenario::start(&browser, "form_kept", &scenario_env(&w, &maya)).await;
    scenario.step("connected").await;

    play(
        &w,
        "inbound_missed",
        &[("caller", CALLER), ("agent", "1005")],
    )
    .await;
    let ringing = w
        .pbx_sim
        .play(&call("rings", "[[steps]]\ndo = \"ring\"\n"))
        .await
        .expect("ringing");
    scenario.step("typed").await;
    w.pbx_sim
        .play_on(
            &call(
                "answered_then_over",
                "[[steps]]\ndo = \"answer\"\n[[steps]]\ndo = \"wait\"\nsecs = 20\n\
                 [[steps]]\ndo = \"hangup\"\nby = \"caller\"\n",
            ),
            &[("main", &ringing[0])],
        )
        .await
        .expect("answered and over");
    scenario.go("ended").await;
    let results = scenario.finish().await;

    let kept = &results["kept"];
    assert_eq!(kept["forms"], 1, "{results:#}");
    assert_eq!(kept["first_name"], "Lin", "{results:#}");
    assert_eq!(kept["last_name"], "Che", "{results:#}");
    assert_eq!(kept["focused"], "last_name", "{results:#}");
    assert_eq!(kept["state"], "ended", "{results:#}");

    let contacts: Vec<_> = w
        .zoho_sim
        .records(Module::Contacts)
        .into_iter()
        .filter(|r| r["Last_Name"] == "Chen")
        .collect();
    assert_eq!(
        contacts.len(),
        1,
        "one Contact, typed in full: {contacts:?}"
    );
    assert_eq!(contacts[0]["First_Name"], "Lin");

    assert!(
        results["earlier_row"]
            .as_str()
            .unwrap()
            .contains("Lin Chen"),
        "{results:#}"
    );
    assert_eq!(results["live_create_buttons"], 0, "{results:#}");
    let recent = results["recent_records"].as_array().unwrap();
    assert!(
        recent.len() >= 2
            && recent
                .iter()
                .all(|r| r.as_str().unwrap().contains("Lin Chen")),
        "{results:#}"
    );
    w.stop().await;
}
