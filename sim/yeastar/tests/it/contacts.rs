//! Company contacts and phonebooks: write shape in, flat read shape out, and the errors.

use serde_json::{Value, json};

use crate::support::*;

fn lena(books: &[u64]) -> Value {
    json!({
        "first_name": "Lena", "last_name": "Brandt", "company": "Nordwerk GmbH",
        "email": "lena@nordwerk.test", "phonebook_id_list": books,
        "remark": "crm:Contacts:4410000000098765",
        "number_list": [
            {"num_type": "business_number", "number": "+49 30 901820"},
            {"num_type": "mobile_number", "number": "+49 151 2345678"},
            {"num_type": "home_fax", "number": "(030) 555-1.2"}
        ]
    })
}

#[tokio::test]
async fn create_then_read_flat_fields() {
    let sim = sim().await;
    let api = login(&sim).await;
    let book = api.post("phonebook/create", &json!({"name": "CRM"})).await;
    assert_eq!(book["errcode"], 0);
    let book_id = book["id"].as_u64().expect("id");
    let r = api.post("company_contact/create", &lena(&[book_id])).await;
    assert_eq!(r["errcode"], 0, "{r}");
    let id = r["id"].as_u64().expect("id");
    let found = api
        .get("company_contact/search", &[("search_value", "Nordwerk")])
        .await;
    let row = found["data"]
        .as_array()
        .expect("data")
        .iter()
        .find(|c| c["id"] == id)
        .cloned()
        .expect("created contact is searchable");
    assert_eq!(row["contact_name"], "Lena Brandt");
    assert_eq!(row["business"], "+49 30 901820");
    assert_eq!(row["mobile"], "+49 151 2345678");
    assert_eq!(row["home_fax"], "(030) 555-1.2");
    assert!(row.get("number_list").is_none() && row.get("business_number").is_none());
    assert!(
        row.get("street").is_none(),
        "no address fields in list rows"
    );
    let books: Vec<&str> = row["phonebook_list"]
        .as_array()
        .expect("books")
        .iter()
        .map(|b| b["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        books,
        vec!["Company Directory", "CRM"],
        "sel_all book includes new contacts"
    );
    let got = api
        .get("company_contact/get", &[("id", &id.to_string())])
        .await;
    assert_eq!(got["data"]["first_name"], "Lena");
    assert_eq!(got["data"]["remark"], "crm:Contacts:4410000000098765");
    assert!(got["data"].get("street").is_some());
    // Search by number.
    let by_number = api
        .get("company_contact/search", &[("search_value", "901820")])
        .await;
    assert_eq!(by_number["total_number"], 2, "seeded Lena plus the new one");
}

#[tokio::test]
async fn create_rejects_bad_bodies() {
    let sim = sim().await;
    let api = login(&sim).await;
    let mut no_first = lena(&[]);
    no_first.as_object_mut().expect("o").remove("first_name");
    let mut no_numbers = lena(&[]);
    no_numbers.as_object_mut().expect("o").remove("number_list");
    let mut bad_type = lena(&[]);
    bad_type["number_list"] = json!([{"num_type": "pager", "number": "1"}]);
    let mut bad_number = lena(&[]);
    bad_number["number_list"] = json!([{"num_type": "mobile_number", "number": "call me"}]);
    let mut long_number = lena(&[]);
    long_number["number_list"] = json!([{"num_type": "mobile_number", "number": "1".repeat(32)}]);
    let mut long_name = lena(&[]);
    long_name["first_name"] = json!("x".repeat(256));
    let mut empty_numbers = lena(&[]);
    empty_numbers["number_list"] = json!([]);
    for (what, body) in [
        ("first_name", no_first),
        ("number_list", no_numbers),
        ("num_type", bad_type),
        ("number chars", bad_number),
        ("number length", long_number),
        ("name length", long_name),
        ("empty list", empty_numbers),
    ] {
        assert_eq!(
            api.post("company_contact/create", &body).await["errcode"],
            40002,
            "{what}"
        );
    }
    assert_eq!(
        api.post("company_contact/create", &lena(&[99])).await["errcode"],
        70093
    );
    assert_eq!(sim.contacts().len(), 3, "nothing was created");
}

#[tokio::test]
async fn update_and_delete_errors() {
    let sim = sim().await;
    let api = login(&sim).await;
    let r = api
        .post(
            "company_contact/update",
            &json!({"id": 999, "first_name": "X"}),
        )
        .await;
    assert_eq!(
        r,
        json!({"errcode": 70128, "errmsg": "CONTACTS_NOT_EXISTED"})
    );
    assert_eq!(
        api.get("company_contact/delete", &[("id", "999")]).await["errcode"],
        70128
    );
    assert_eq!(
        api.get("company_contact/get", &[("id", "999")]).await["errcode"],
        70128
    );
    // Contact 2 is in the sel_specific "Suppliers" book: still referenced.
    let r = api.get("company_contact/delete", &[("id", "2")]).await;
    assert_eq!(
        r,
        json!({"errcode": 70091, "errmsg": "CONNECTION_RELATION_EXISTED"})
    );
    let r = api
        .post(
            "phonebook/update",
            &json!({"id": 2, "del_contacts_id_list": [2]}),
        )
        .await;
    assert_eq!(r["errcode"], 0);
    assert_eq!(
        api.get("company_contact/delete", &[("id", "2")]).await["errcode"],
        0
    );
    // number_list replaces the numbers.
    let r = api
        .post(
            "company_contact/update",
            &json!({"id": 1, "number_list": [{"num_type": "other_number", "number": "123"}]}),
        )
        .await;
    assert_eq!(r["errcode"], 0);
    let row = api.get("company_contact/get", &[("id", "1")]).await["data"].clone();
    assert_eq!(row["other"], "123");
    assert!(row.get("business").is_none());
    assert_eq!(row["last_name"], "Brandt", "untouched fields stay");
    // Membership from the contact side.
    let r = api
        .post(
            "company_contact/update",
            &json!({"id": 1, "phonebook_id_list": [2]}),
        )
        .await;
    assert_eq!(r["errcode"], 0);
    let book = api.get("phonebook/get", &[("id", "2")]).await["data"].clone();
    let ids: Vec<u64> = book["contacts_list"]
        .as_array()
        .expect("l")
        .iter()
        .filter_map(|c| c["id"].as_u64())
        .collect();
    assert_eq!(ids, vec![1]);
    assert_eq!(book["total"], 1);
    assert_eq!(
        api.post(
            "company_contact/update",
            &json!({"id": 1, "phonebook_id_list": [77]})
        )
        .await["errcode"],
        70093
    );
}

#[tokio::test]
async fn contact_cap_is_max_limitation() {
    let sim = sim_with(|s| s.max_contacts = 4).await;
    let api = login(&sim).await;
    assert_eq!(
        api.post("company_contact/create", &lena(&[])).await["errcode"],
        0
    );
    let r = api.post("company_contact/create", &lena(&[])).await;
    assert_eq!(
        r,
        json!({"errcode": 60002, "errmsg": "MAX LIMITATION EXCEEDED"})
    );
}

#[tokio::test]
async fn phonebook_crud() {
    let sim = sim().await;
    let api = login(&sim).await;
    let list = api.get("phonebook/list", &[]).await;
    assert_eq!(list["total_number"], 2);
    assert_eq!(list["data"][0]["member_select"], "sel_all");
    assert_eq!(
        api.post("phonebook/create", &json!({"name": ""})).await["errcode"],
        40002
    );
    assert_eq!(
        api.post("phonebook/create", &json!({"name": "Suppliers"}))
            .await["errcode"],
        40003
    );
    assert_eq!(
        api.post(
            "phonebook/create",
            &json!({"name": "X", "member_select": "some"})
        )
        .await["errcode"],
        40002
    );
    assert_eq!(
        api.post(
            "phonebook/create",
            &json!({"name": "X", "add_contacts_id_list": [42]})
        )
        .await["errcode"],
        70128
    );
    let r = api.post("phonebook/create", &json!({"name": "Partners", "member_select": "sel_specific", "add_contacts_id_list": [1, 3]})).await;
    let id = r["id"].as_u64().expect("id").to_string();
    let got = api.get("phonebook/get", &[("id", &id)]).await;
    assert_eq!(got["data"]["name"], "Partners");
    assert_eq!(got["data"]["total"], 2);
    assert_eq!(
        got["data"]["contacts_list"][1]["contact_name"],
        "Ines Moreau"
    );
    let found = api
        .get("phonebook/search", &[("search_value", "partn")])
        .await;
    assert_eq!(found["total_number"], 1);
    assert_eq!(
        api.post("phonebook/update", &json!({"id": 99, "name": "Y"}))
            .await["errcode"],
        70093
    );
    assert_eq!(
        api.get("phonebook/delete", &[("id", &id)]).await["errcode"],
        0
    );
    assert_eq!(
        api.get("phonebook/get", &[("id", &id)]).await["errcode"],
        70093
    );
    assert_eq!(
        api.get("phonebook/delete", &[("id", &id)]).await["errcode"],
        70093
    );
    assert_eq!(sim.phonebooks().len(), 2);
}

#[tokio::test]
async fn phonebook_cap() {
    let sim = sim_with(|s| s.max_phonebooks = 2).await;
    let api = login(&sim).await;
    assert_eq!(
        api.post("phonebook/create", &json!({"name": "Third"}))
            .await["errcode"],
        60002
    );
}

#[tokio::test]
async fn parameter_and_duplicate_errors_name_the_field() {
    let sim = sim_with(|s| s.unique_contacts_in_phonebook = true).await;
    let api = login(&sim).await;
    let book = api.post("phonebook/create", &json!({"name": "CRM"})).await;
    let book_id = book["id"].as_u64().expect("id");
    let again = api.post("phonebook/create", &json!({"name": "CRM"})).await;
    assert_eq!(again["errcode"], 40003);
    assert_eq!(again["errmsg"], "DUPLICATE KEY VALUE");
    assert_eq!(again["duplicate_field_list"], json!(["name"]));
    assert!(again["submsg"].as_str().is_some_and(|m| !m.is_empty()));

    let mut no_numbers = lena(&[book_id]);
    no_numbers.as_object_mut().expect("o").remove("number_list");
    let r = api.post("company_contact/create", &no_numbers).await;
    assert_eq!(r["errcode"], 40002);
    assert_eq!(r["invalid_param_list"][0]["field"], "number_list");
    let r = api
        .get("company_contact/list", &[("page_size", "100000")])
        .await;
    assert_eq!(r["invalid_param_list"][0]["field"], "page_size");

    // Seeded Lena is already in the sel_all book with these numbers.
    let r = api.post("company_contact/create", &lena(&[book_id])).await;
    assert_eq!(r["errcode"], 40003, "{r}");
    assert_eq!(r["duplicate_field_list"], json!(["number"]));
    // Another number, the same e-mail (any case).
    let mut same_mail = lena(&[book_id]);
    same_mail["number_list"] = json!([{"num_type": "mobile_number", "number": "+1 555 0100"}]);
    same_mail["email"] = json!("LENA@nordwerk.test");
    let r = api.post("company_contact/create", &same_mail).await;
    assert_eq!(r["duplicate_field_list"], json!(["email"]), "{r}");
    // Neither shared: created.
    same_mail["email"] = json!("other@nordwerk.test");
    let r = api.post("company_contact/create", &same_mail).await;
    assert_eq!(r["errcode"], 0, "{r}");
    let id = r["id"].as_u64().expect("id");
    // An update may not take another contact's number either.
    let r = api
        .post(
            "company_contact/update",
            &json!({"id": id, "number_list": [{"num_type": "business_number", "number": "+49 30 901820"}]}),
        )
        .await;
    assert_eq!(r["duplicate_field_list"], json!(["number"]), "{r}");
}
