//! Agents write notes while they talk: a note typed while the call is
//! answered survives the call ending (text, chosen result and focus), and
//! saved, it lands in that call's Calls record in the CRM with its result.

use std::time::Duration;

use ringbridge_sim_yeastar::Scenario as PbxScenario;

use crate::support::*;

/// Ana Pereira, a known contact.
const CALLER: &str = "4155550123";

fn call(name: &str, steps: &str) -> PbxScenario {
    call_to_maya(name, CALLER, steps)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_typed_during_the_call_survives_its_end_and_lands_in_the_crm() {
    let Some(browser) = browser() else { return };
    let w = world().await;
    let maya = agent(&w, "maya", "1005").await;
    let mut scenario = Scenario::start(&browser, "note_kept", &scenario_env(&w, &maya)).await;
    scenario.step("connected").await;

    let answered = w
        .pbx_sim
        .play(&call(
            "answered",
            "[[steps]]\ndo = \"ring\"\n[[steps]]\ndo = \"answer\"\n",
        ))
        .await
        .expect("answered");
    scenario.step("typed").await;
    w.pbx_sim
        .play_on(
            &call(
                "over",
                "[[steps]]\ndo = \"wait\"\nsecs = 5\n[[steps]]\ndo = \"hangup\"\nby = \"caller\"\n",
            ),
            &[("main", &answered[0])],
        )
        .await
        .expect("over");
    scenario.go("ended").await;
    let results = scenario.finish().await;

    let kept = &results["kept"];
    assert_eq!(kept["forms"], 1, "{results:#}");
    assert_eq!(kept["text"], "Wants a quote <b>today</b>", "{results:#}");
    assert_eq!(kept["result"], "Interested", "{results:#}");
    assert_eq!(kept["focused"], "text", "{results:#}");
    assert_eq!(kept["state"], "ended", "{results:#}");
    assert_eq!(
        results["injected"], 0,
        "typed markup stays text: {results:#}"
    );

    let log = eventually(
        "the note in the call's log",
        Duration::from_secs(30),
        || {
            let logs = logs_for(&w, &answered[0]);
            assert!(logs.len() <= 1, "one Calls record: {logs:#?}");
            logs.into_iter().find(|l| l["Call_Result"] == "Interested")
        },
    )
    .await;
    let description = log["Description"].as_str().unwrap();
    assert!(
        description.contains("Wants a quote <b>today</b>, call back at 3"),
        "{description}"
    );
    w.stop().await;
}
