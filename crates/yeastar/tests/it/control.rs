//! Per-channel call control through core's `Pbx` port against the simulator.

use std::time::Duration;

use ringbridge_core::pbx::{LegState, Participant, Pbx, PbxError};

use crate::support::{client, sim_with};

#[tokio::test]
async fn hold_mute_and_accepting_an_invitation_reach_the_pbx_with_the_channel() {
    let sim = sim_with(|s| {
        s.dial.talk_secs = None;
        s.invitation_window = Duration::from_secs(30);
    })
    .await;
    let pbx = client(&sim);
    let call_id = pbx.dial("1005", "5550199").await.expect("dial");
    let mut channel = None;
    for _ in 0..200 {
        let calls = pbx.active_calls().await.expect("query");
        channel = calls
            .iter()
            .filter(|c| c.call_id == call_id)
            .flat_map(|c| &c.participants)
            .find(|p| p.participant.extension() == Some("1005") && p.state.is_connected())
            .map(|p| p.participant.channel().to_owned());
        if channel.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let channel = channel.expect("the agent's leg is connected");

    pbx.hold(&channel).await.expect("hold");
    let held = pbx.active_calls().await.expect("query");
    let state = held
        .iter()
        .flat_map(|c| &c.participants)
        .find(|p| p.participant.channel() == channel)
        .map(|p| p.state.clone());
    assert_eq!(state, Some(LegState::OnHold));
    // Holding a held call: the PBX refuses this operation on the channel.
    assert!(matches!(
        pbx.hold(&channel).await,
        Err(PbxError::Unsupported(_))
    ));
    pbx.unhold(&channel).await.expect("unhold");
    pbx.mute(&channel).await.expect("mute");
    assert_eq!(sim.muted_channels(), vec![channel.clone()]);
    pbx.unmute(&channel).await.expect("unmute");
    assert!(sim.muted_channels().is_empty());
    for result in [
        pbx.hold("PJSIP/1005-ffffffff").await,
        pbx.mute("PJSIP/1005-ffffffff").await,
        pbx.accept_inbound("PJSIP/1005-ffffffff").await,
    ] {
        assert!(matches!(result, Err(PbxError::NotFound(_))), "{result:?}");
    }
    let sent: Vec<_> = sim
        .control_requests()
        .into_iter()
        .map(|r| (r.endpoint, r.channel_id == channel))
        .take(5)
        .collect();
    assert_eq!(
        sent,
        [
            ("call/hold".to_owned(), true),
            ("call/hold".to_owned(), true),
            ("call/unhold".to_owned(), true),
            ("call/mute".to_owned(), true),
            ("call/unmute".to_owned(), true),
        ]
    );

    // An inbound call held for the application's decision goes on once accepted.
    let (invited, trunk) = sim.invite_inbound("5550188", "1006").expect("invited");
    let calls = pbx.active_calls().await.expect("query");
    let held = calls
        .iter()
        .find(|c| c.call_id.0 == invited)
        .expect("held call");
    assert!(matches!(
        held.participants[0].participant,
        Participant::External { inbound: true, .. }
    ));
    pbx.accept_inbound(&trunk).await.expect("accept");
    let last = sim.control_requests().pop().expect("logged");
    assert_eq!(
        (last.endpoint.as_str(), last.errcode),
        ("call/accept_inbound", 0)
    );
}
