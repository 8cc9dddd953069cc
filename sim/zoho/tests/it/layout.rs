//! Fields an org's admin makes mandatory or unique: `MANDATORY_NOT_FOUND`, and
//! `DUPLICATE_DATA` naming the record that already holds the value.

use reqwest::StatusCode;
use ringbridge_sim_zoho::{Fixture, Module};
use serde_json::json;

use crate::H;

fn contact_id(h: &H, last: &str) -> String {
    h.sim
        .records(Module::Contacts)
        .into_iter()
        .find(|r| r["Last_Name"] == last)
        .and_then(|r| r["id"].as_str().map(str::to_owned))
        .expect("seeded contact")
}

#[tokio::test]
async fn a_unique_field_refuses_a_second_record_and_links_the_first() {
    let h = H::new().await;
    let dup = json!({"data": [{"Last_Name": "Again", "Email": "ANA@example.com"}]});
    // Without unique fields Zoho keeps both.
    let r = h.post_json("/crm/v8/Contacts", &dup).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let again = r.body["data"][0]["details"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    h.put_json(
        "/crm/v8/Contacts",
        &json!({"data": [{"id": again, "Email": "again@example.com"}]}),
    )
    .await;

    h.sim.set_unique_fields(Module::Contacts, &["Email"]);
    let before = h.sim.records(Module::Contacts).len();
    let r = h.post_json("/crm/v8/Contacts", &dup).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let item = &r.body["data"][0];
    assert_eq!(item["code"], "DUPLICATE_DATA");
    assert_eq!(item["status"], "error");
    assert_eq!(item["message"], "duplicate data");
    let d = &item["details"];
    assert_eq!(d["api_name"], "Email");
    assert_eq!(d["json_path"], "$.data[0].Email");
    assert_eq!(
        d["duplicate_record"]["id"],
        contact_id(&h, "Pereira").as_str()
    );
    let jane = h.sim.user_id("jane@zylker.example").expect("jane");
    assert_eq!(d["duplicate_record"]["Owner"]["id"], jane.as_str());
    assert_eq!(d["duplicate_record"]["Owner"]["name"], "Jane Doe");
    assert_eq!(d["duplicate_record"]["module"]["api_name"], "Contacts");
    assert_eq!(d["more_records"], false);
    assert_eq!(
        h.sim.records(Module::Contacts).len(),
        before,
        "nothing stored"
    );

    // In a batch only the duplicate fails.
    let batch = json!({"data": [{"Last_Name": "Fresh", "Email": "fresh@example.com"},
                                {"Last_Name": "Dup", "Email": "bob@acme.example"}]});
    let r = h.post_json("/crm/v8/Contacts", &batch).await;
    assert_eq!(r.status.as_u16(), 207, "{}", r.text);
    assert_eq!(r.body["data"][0]["code"], "SUCCESS");
    assert_eq!(r.body["data"][1]["details"]["json_path"], "$.data[1].Email");

    // An update onto another record's value is refused; keeping one's own is not.
    let bob = contact_id(&h, "Miller");
    let r = h
        .put_json(
            "/crm/v8/Contacts",
            &json!({"data": [{"id": bob, "Email": "ana@example.com"}]}),
        )
        .await;
    assert_eq!(r.body["data"][0]["code"], "DUPLICATE_DATA", "{}", r.text);
    let r = h
        .put_json(
            "/crm/v8/Contacts",
            &json!({"data": [{"id": bob, "Email": "bob@acme.example", "Title": "CFO"}]}),
        )
        .await;
    assert_eq!(r.body["data"][0]["code"], "SUCCESS", "{}", r.text);
}

#[tokio::test]
async fn a_layout_mandatory_field_is_required_on_insert_and_cannot_be_cleared() {
    let h = H::new().await;
    h.sim.set_mandatory_fields(Module::Contacts, &["Phone"]);
    let r = h
        .post_json(
            "/crm/v8/Contacts",
            &json!({"data": [{"Last_Name": "NoPhone"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.body["data"][0]["code"], "MANDATORY_NOT_FOUND");
    assert_eq!(r.body["data"][0]["details"]["api_name"], "Phone");
    assert_eq!(r.body["data"][0]["details"]["json_path"], "$.data[0].Phone");
    let ana = contact_id(&h, "Pereira");
    let r = h
        .put_json(
            "/crm/v8/Contacts",
            &json!({"data": [{"id": ana, "Phone": null}]}),
        )
        .await;
    assert_eq!(
        r.body["data"][0]["code"], "MANDATORY_NOT_FOUND",
        "{}",
        r.text
    );
    let r = h
        .post_json(
            "/crm/v8/Contacts",
            &json!({"data": [{"Last_Name": "WithPhone", "Phone": "+1 415 555 0111"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    h.sim.set_mandatory_fields(Module::Contacts, &[]);
    let r = h
        .post_json(
            "/crm/v8/Contacts",
            &json!({"data": [{"Last_Name": "NoPhone"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "cleared again: {}", r.text);
}

#[test]
fn a_fixture_sets_mandatory_and_unique_fields_by_name() {
    let base = "[[users]]\nlast_name = \"A\"\nemail = \"a@x\"\nrole = \"R\"\nprofile = \"P\"\n";
    let ok = format!(
        "{base}[mandatory]\nLeads = [\"Email\"]\n[unique]\nContacts = [\"Email\", \"Mobile\"]\n"
    );
    let f = Fixture::from_toml(&ok).expect("parses");
    assert_eq!(f.seed.layout.mandatory[&Module::Leads], ["Email"]);
    assert_eq!(f.seed.layout.unique[&Module::Contacts], ["Email", "Mobile"]);
    let bad = format!("{base}[unique]\nContacts = [\"Shoe_Size\"]\n");
    let err = Fixture::from_toml(&bad).expect_err("no such field");
    assert!(err.to_string().contains("Shoe_Size"), "{err}");
}
