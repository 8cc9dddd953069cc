//! REST calls through core's `Pbx` port against the simulator.

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use futures_util::TryStreamExt;
use ringbridge_core::pbx::{
    CallDirection, CallStatus, Pbx, PbxContact, PbxError, PbxNumberKind, RecordingRef,
};
use ringbridge_yeastar::PhonebookUpdate;

use crate::support::{client, client_with, sim};

fn sim_now(sim: &ringbridge_sim_yeastar::SimYeastar) -> DateTime<Utc> {
    DateTime::from_timestamp(sim.clock().now(), 0).expect("valid time")
}

#[tokio::test]
async fn click_to_call_rings_the_extension_and_can_be_hung_up() {
    // The call stays up until hung up.
    let sim = crate::support::sim_with(|s| s.dial.talk_secs = None).await;
    let pbx = client(&sim);
    assert!(pbx.active_calls().await.expect("idle query").is_empty());

    let call_id = pbx.dial("1005", "5550199").await.expect("dial");
    let requests = sim.dial_requests();
    let request = requests.last().expect("a dial request");
    assert_eq!(
        (request.caller.as_str(), request.callee.as_str()),
        ("1005", "5550199")
    );
    assert_eq!(request.auto_answer.as_deref(), Some("no"));
    assert_eq!(request.call_id, call_id.0);

    // The PBX sets the call up in the background: poll briefly.
    let mut call = None;
    for _ in 0..100 {
        let calls = pbx.active_calls().await.expect("query");
        call = calls.into_iter().find(|c| c.call_id == call_id);
        if call.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let call = call.expect("the new call is live");
    let caller = call
        .participants
        .iter()
        .find(|p| p.participant.extension() == Some("1005"))
        .expect("the caller's leg");
    assert!(caller.state.is_connected(), "{:?}", caller.state);
    pbx.hang_up(caller.participant.channel())
        .await
        .expect("hang up");
    let left = pbx.active_calls().await.expect("query");
    assert!(left.iter().all(|c| c.call_id != call_id), "{left:?}");

    let err = pbx
        .hang_up("PJSIP/1005-ffffffff")
        .await
        .expect_err("no such channel");
    assert!(matches!(err, PbxError::NotFound(_)), "{err}");
}

#[tokio::test]
async fn cdr_search_returns_each_leg_once_in_order() {
    let sim = sim().await;
    let start = sim_now(&sim);
    sim.play_builtin("inbound_answered")
        .await
        .expect("scenario");
    sim.play_builtin("queue_answered").await.expect("scenario");
    let end = sim_now(&sim) + ChronoDuration::seconds(1);
    // Small pages so paging is exercised.
    let pbx = client_with(&sim, |cfg| cfg.page_size = 2);

    let records = pbx.call_records(start, end).await.expect("search");
    assert_eq!(records.len(), sim.cdr_rows().len(), "every row, once");
    assert!(
        records
            .windows(2)
            .all(|w| w[0].started_at <= w[1].started_at)
    );
    let mut legs: Vec<_> = records.iter().filter_map(|r| r.leg_id.clone()).collect();
    legs.sort();
    legs.dedup();
    assert_eq!(legs.len(), records.len(), "leg ids are unique");

    let inbound = records
        .iter()
        .find(|r| r.direction == CallDirection::Inbound && r.to_number == "1005")
        .expect("the inbound call's extension leg");
    assert_eq!(inbound.disposition, CallStatus::Answered);
    assert_eq!(inbound.from_number, "5550199");
    assert!(inbound.talk_s.is_some());
    assert!(inbound.recording.is_some());

    let later = pbx.call_records(end, end + ChronoDuration::hours(1)).await;
    assert_eq!(later.expect("empty window"), vec![]);
    let page = pbx.cdr_list(1, 1).await.expect("cdr/list");
    assert_eq!(page.records.len(), 1);
    assert_eq!(page.total, Some(records.len() as u32));
}

/// The window is read from `cdr/list` by each row's epoch `timestamp`, so
/// neither the PBX's display format nor its time zone matters, and paging
/// stops at the first page older than the window.
#[tokio::test]
async fn call_records_ignore_the_display_format_and_stop_early() {
    let sim = crate::support::sim_with(|s| {
        s.display_format = "YYYY/MM/DD hh:mm:ss AM".parse().expect("format");
        s.utc_offset_secs = -7 * 3600;
        s.search_accepts_epoch = false;
    })
    .await;
    for _ in 0..3 {
        sim.play_builtin("internal").await.expect("early call");
    }
    sim.clock().advance(std::time::Duration::from_secs(3600));
    let start = sim_now(&sim);
    sim.play_builtin("inbound_answered")
        .await
        .expect("scenario");
    let end = sim_now(&sim) + ChronoDuration::seconds(1);
    sim.clock().advance(std::time::Duration::from_secs(3600));
    sim.play_builtin("internal").await.expect("later call");
    let pbx = client_with(&sim, |cfg| cfg.page_size = 1);

    let records = pbx.call_records(start, end).await.expect("window");
    assert!(!records.is_empty());
    assert!(
        records
            .iter()
            .all(|r| r.started_at >= start && r.started_at < end)
    );
    assert!(records.iter().any(|r| r.from_number == "5550199"));
    let in_window = sim
        .cdr_rows()
        .iter()
        .filter(|r| {
            let ts = r["timestamp"].as_i64().unwrap_or_default();
            ts >= start.timestamp() && ts < end.timestamp()
        })
        .count();
    assert_eq!(records.len(), in_window, "every row of the window, once");
    assert_eq!(sim.request_count("v1.0/cdr/search"), 0);
    let pages = sim.request_count("v1.0/cdr/list");
    assert!(
        pages <= in_window as u64 + 2,
        "stops after the first older row: {pages} pages for {in_window} rows of {}",
        sim.cdr_rows().len()
    );
}

/// Plays a recorded call; a client and the call's recording.
async fn recorded_call(
    sim: &ringbridge_sim_yeastar::SimYeastar,
) -> (ringbridge_yeastar::YeastarClient, RecordingRef) {
    let start = sim_now(sim);
    sim.play_builtin("inbound_answered")
        .await
        .expect("scenario");
    let pbx = client(sim);
    let records = pbx
        .call_records(start, sim_now(sim) + ChronoDuration::seconds(1))
        .await
        .expect("records");
    let file = records
        .iter()
        .find_map(|r| r.recording.clone())
        .expect("a recorded call");
    (pbx, file)
}

#[tokio::test]
async fn recordings_stream_whole_and_by_range() {
    let sim = sim().await;
    let (pbx, file) = recorded_call(&sim).await;

    let whole = pbx.recording(&file, None).await.expect("download");
    assert_eq!(whole.range, None);
    assert!(
        whole.content_type.starts_with("audio/"),
        "{}",
        whole.content_type
    );
    let length = whole.length.expect("length known");
    let bytes: Vec<u8> = whole
        .body
        .try_fold(Vec::new(), |mut acc, chunk| async move {
            acc.extend_from_slice(&chunk);
            Ok(acc)
        })
        .await
        .expect("body");
    assert_eq!(bytes.len() as u64, length);
    assert!(bytes.starts_with(b"RIFF"), "a WAV file");

    let part = pbx
        .recording(&file, Some((100, Some(199))))
        .await
        .expect("range");
    assert_eq!(part.range, Some((100, length)));
    let chunks: Vec<bytes::Bytes> = part.body.try_collect().await.expect("body");
    assert_eq!(chunks.concat(), bytes[100..200]);

    let tail = pbx
        .recording(&file, Some((length - 10, None)))
        .await
        .expect("tail");
    let chunks: Vec<bytes::Bytes> = tail.body.try_collect().await.expect("body");
    assert_eq!(chunks.concat(), bytes[bytes.len() - 10..]);

    let missing = pbx.recording(&RecordingRef("nope.wav".into()), None).await;
    assert!(matches!(
        missing,
        Err(PbxError::NotFound(_)) | Err(PbxError::Rejected { .. })
    ));
}

#[tokio::test]
async fn contacts_and_phonebooks_round_trip() {
    let sim = sim().await;
    let pbx = client(&sim);
    let book = pbx
        .create_phonebook("ringbridge CRM")
        .await
        .expect("phonebook");
    assert!(
        pbx.phonebooks()
            .await
            .expect("list")
            .iter()
            .any(|b| b.id == book && b.name == "ringbridge CRM")
    );

    let mut contact = PbxContact {
        id: None,
        first_name: "Lena".into(),
        last_name: Some("Brandt".into()),
        company: Some("Nordwerk GmbH".into()),
        email: Some("lena@nordwerk.test".into()),
        numbers: vec![
            (PbxNumberKind::Business, "+49 30 901820".into()),
            (PbxNumberKind::Mobile, "+49 151 2345678".into()),
        ],
        remark: Some("crm:Contacts:4410000000098765".into()),
        phonebooks: vec![book.clone()],
    };
    let id = pbx.create_contact(&contact).await.expect("create");
    let found = pbx.search_contacts("Brandt").await.expect("search");
    let row = found
        .iter()
        .find(|c| c.id.as_ref() == Some(&id))
        .expect("found");
    assert_eq!(
        row.first_name, "Lena Brandt",
        "list rows carry contact_name"
    );
    assert_eq!(row.numbers, contact.numbers);
    assert_eq!(row.remark, contact.remark);
    // Also in any `sel_all` phonebook the PBX has.
    assert!(row.phonebooks.contains(&book), "{:?}", row.phonebooks);

    contact.company = None;
    contact.numbers = vec![(PbxNumberKind::Mobile, "+49 151 9999999".into())];
    pbx.update_contact(&id, &contact).await.expect("update");
    let found = pbx.search_contacts("Brandt").await.expect("search");
    let row = found
        .iter()
        .find(|c| c.id.as_ref() == Some(&id))
        .expect("found");
    assert_eq!(row.numbers, contact.numbers, "numbers replaced");
    assert_eq!(row.company, None, "company cleared");

    let detail = pbx.phonebook_get(&book).await.expect("get");
    assert_eq!(detail.member_select.as_deref(), Some("sel_specific"));
    assert!(detail.contacts.iter().any(|c| c.id.as_ref() == Some(&id)));
    let numeric: i64 = id.0.parse().expect("numeric id");
    pbx.phonebook_update(&PhonebookUpdate {
        id: book.0.parse().expect("numeric id"),
        del_contacts_id_list: vec![numeric],
        ..PhonebookUpdate::default()
    })
    .await
    .expect("update phonebook");
    let detail = pbx.phonebook_get(&book).await.expect("get");
    assert!(detail.contacts.iter().all(|c| c.id.as_ref() != Some(&id)));

    let bad = pbx
        .update_contact(
            &ringbridge_core::pbx::PbxContactId("999999".into()),
            &contact,
        )
        .await;
    assert!(matches!(bad, Err(PbxError::NotFound(_))), "{bad:?}");
}

#[tokio::test]
async fn extensions_carry_their_email() {
    let sim = sim().await;
    let exts = client(&sim).extensions().await.expect("list");
    let maya = exts.iter().find(|e| e.number == "1005").expect("1005");
    assert_eq!(maya.email.as_deref(), Some("maya@corp.test"));
    let ben = exts.iter().find(|e| e.number == "1002").expect("1002");
    assert_eq!(ben.email.as_deref(), Some("ben@corp.test"));
    // 1008 has no address on the PBX: none, not an empty one.
    let unnamed = exts.iter().find(|e| e.number == "1008").expect("1008");
    assert_eq!(unnamed.email, None);
    assert_eq!(exts.len(), sim.settings().company.extensions.len());
}

#[tokio::test]
async fn phonebooks_are_found_by_name() {
    let sim = sim().await;
    let pbx = client(&sim);
    let made = pbx
        .create_phonebook("ringbridge CRM")
        .await
        .expect("phonebook");
    let found = pbx.phonebook_search("CRM").await.expect("search");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (&found[0].id, found[0].name.as_str()),
        (&made, "ringbridge CRM")
    );
    let suppliers = pbx.phonebook_search("suppl").await.expect("search");
    assert_eq!(
        suppliers
            .iter()
            .map(|b| b.name.as_str())
            .collect::<Vec<_>>(),
        ["Suppliers"]
    );
    assert!(
        pbx.phonebook_search("nothing like it")
            .await
            .expect("search")
            .is_empty()
    );
}

#[tokio::test]
async fn company_contacts_are_listed_with_numbers_and_books() {
    let sim = sim().await;
    // Small pages so paging is exercised.
    let pbx = client_with(&sim, |cfg| cfg.page_size = 2);
    let contacts = pbx.company_contact_list().await.expect("list");
    assert_eq!(contacts.len(), sim.contacts().len());
    let lena = contacts
        .iter()
        .find(|c| c.first_name == "Lena Brandt")
        .expect("Lena");
    assert_eq!(lena.company.as_deref(), Some("Nordwerk GmbH"));
    assert_eq!(lena.email.as_deref(), Some("lena@nordwerk.test"));
    assert_eq!(
        lena.numbers,
        [
            (PbxNumberKind::Business, "+49 30 901820".to_owned()),
            (PbxNumberKind::Mobile, "+49 151 2345678".to_owned()),
        ]
    );
    let books = pbx.phonebooks().await.expect("books");
    let book = |name: &str| {
        books
            .iter()
            .find(|b| b.name == name)
            .expect(name)
            .id
            .clone()
    };
    let (everyone, suppliers) = (book("Company Directory"), book("Suppliers"));
    assert_eq!(lena.phonebooks, std::slice::from_ref(&everyone), "{lena:?}");
    let tom = contacts
        .iter()
        .find(|c| c.first_name == "Tom Reyes")
        .expect("Tom");
    assert_eq!(tom.email, None);
    assert!(
        tom.phonebooks.contains(&everyone) && tom.phonebooks.contains(&suppliers),
        "{tom:?}"
    );
}

#[tokio::test]
async fn a_queue_calls_rows_share_one_call_id() {
    let sim = sim().await;
    let start = sim_now(&sim);
    let ids = sim.play_builtin("queue_answered").await.expect("scenario");
    let pbx = client(&sim);
    let records = pbx
        .call_records(start, sim_now(&sim) + ChronoDuration::seconds(1))
        .await
        .expect("search");
    assert_eq!(ids.len(), 1);
    assert!(records.len() >= 2, "queue and agent legs: {records:#?}");
    assert!(
        records.iter().all(|r| r.call_id.as_str() == ids[0]),
        "one call id for every leg: {records:#?}"
    );
    assert!(
        records
            .iter()
            .any(|r| r.to_number == "1003" && r.disposition == CallStatus::Answered),
        "the answering agent's leg: {records:#?}"
    );
}

#[tokio::test]
async fn system_information_names_model_and_firmware() {
    let sim = sim().await;
    let info = client(&sim)
        .system_information()
        .await
        .expect("information");
    assert_eq!(info.model, sim.settings().model_name);
    assert_eq!(info.firmware_version, sim.settings().firmware_version);
    assert_eq!(info.serial.as_deref(), Some(sim.settings().serial.as_str()));
}

/// A PBX that refuses a second contact with a number already in the
/// phonebook: the error says which field, for the dashboard.
#[tokio::test]
async fn a_duplicate_contact_is_refused_naming_the_field() {
    let sim = crate::support::sim_with(|s| s.unique_contacts_in_phonebook = true).await;
    let pbx = client(&sim);
    let book = pbx.create_phonebook("ringbridge CRM").await.expect("book");
    let contact = PbxContact {
        id: None,
        first_name: "Ada".into(),
        last_name: Some("Quinn".into()),
        company: None,
        email: None,
        numbers: vec![(PbxNumberKind::Business, "+1 415 555 0170".into())],
        remark: Some("crm:Contacts:1".into()),
        phonebooks: vec![book.clone()],
    };
    pbx.create_contact(&contact).await.expect("first");
    let twin = PbxContact {
        remark: Some("crm:Contacts:2".into()),
        ..contact.clone()
    };
    let err = pbx.create_contact(&twin).await.expect_err("duplicate");
    match &err {
        PbxError::Rejected { code, message } => {
            assert_eq!(code, "40003");
            assert!(message.contains("already exists: number"), "{message}");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    let err = pbx
        .create_phonebook("ringbridge CRM")
        .await
        .expect_err("same name");
    assert!(err.to_string().contains("already exists: name"), "{err}");
}

/// Cloud PBXs hand out links under `/api/downloadattachment/` (the route
/// 30033 points to): recordings still play.
#[tokio::test]
async fn recordings_stream_from_attachment_links() {
    let sim = crate::support::sim_with(|s| s.attachment_download_links = true).await;
    let (pbx, file) = recorded_call(&sim).await;
    let stream = pbx.recording(&file, None).await.expect("download");
    let bytes: Vec<bytes::Bytes> = stream.body.try_collect().await.expect("body");
    assert!(bytes.concat().starts_with(b"RIFF"), "a WAV file");
    assert_eq!(sim.request_count("download"), 1);
}
