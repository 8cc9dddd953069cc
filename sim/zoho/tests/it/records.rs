//! Records API: reads, paging, writes with per-record results, validation errors.

use reqwest::{Method, StatusCode};
use ringbridge_sim_zoho::Module;
use serde_json::{Value, json};

use crate::{H, assert_error};

fn id_of(h: &H, module: Module, name_field: &str, name: &str) -> String {
    h.sim
        .records(module)
        .into_iter()
        .find(|r| r[name_field] == name)
        .and_then(|r| r["id"].as_str().map(str::to_owned))
        .expect("seeded record")
}

#[tokio::test]
async fn list_requires_fields_and_pages() {
    let h = H::new().await;
    let r = h.get("/crm/v8/Contacts").await;
    assert_error(&r, 400, "REQUIRED_PARAM_MISSING");
    assert_eq!(r.body["details"]["param_name"], "fields");
    let r = h
        .get("/crm/v8/Contacts?fields=Last_Name,Phone&per_page=2&sort_order=asc")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let data = r.body["data"].as_array().expect("data");
    assert_eq!(data.len(), 2);
    assert_eq!(
        data[0].as_object().map(|o| o.len()),
        Some(3),
        "id + 2 fields"
    );
    assert_eq!(data[0]["Last_Name"], "Pereira");
    let info = &r.body["info"];
    assert_eq!(info["more_records"], true);
    assert_eq!(info["sort_by"], "id");
    let token = info["next_page_token"].as_str().expect("token").to_owned();
    let r2 = h
        .get(&format!(
            "/crm/v8/Contacts?fields=Last_Name&per_page=2&page_token={token}"
        ))
        .await;
    assert_eq!(r2.body["data"][0]["Last_Name"], "Wei");
    let r3 = h
        .get("/crm/v8/Contacts?fields=Last_Name&per_page=2&page=3")
        .await;
    assert_eq!(r3.status, StatusCode::NO_CONTENT);
    assert!(r3.text.is_empty());
    assert_error(
        &h.get("/crm/v8/Contacts?fields=Last_Name&per_page=201")
            .await,
        400,
        "INVALID_DATA",
    );
    assert_error(
        &h.get("/crm/v8/Contacts?fields=Nope").await,
        400,
        "INVALID_DATA",
    );
    let far = h.get("/crm/v8/Contacts?fields=Last_Name&page=11").await;
    assert_error(&far, 400, "DISCRETE_PAGINATION_LIMIT_EXCEEDED");
    // Default order: id descending.
    let r = h.get("/crm/v8/Contacts?fields=Last_Name").await;
    assert_eq!(r.body["data"][0]["Last_Name"], "Dora");
}

#[tokio::test]
async fn if_modified_since_and_single_record() {
    let h = H::new().await;
    let future = (h.sim.now() + chrono::Duration::hours(1)).to_rfc3339();
    let r = h
        .send(
            h.req(Method::GET, "/crm/v8/Contacts?fields=Last_Name")
                .header("If-Modified-Since", future),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    let ana = id_of(&h, Module::Contacts, "Last_Name", "Pereira");
    let r = h.get(&format!("/crm/v8/Contacts/{ana}")).await;
    let rec = &r.body["data"][0];
    assert_eq!(rec["Full_Name"], "Ana Pereira");
    assert_eq!(rec["Account_Name"]["name"], "Zylker Inc");
    assert_eq!(rec["Owner"]["email"], "jane@zylker.example");
    assert_eq!(
        h.get("/crm/v8/Contacts/5725767999999999999").await.status,
        StatusCode::NO_CONTENT
    );
    assert_error(&h.get("/crm/v8/Contacts/abc").await, 400, "INVALID_DATA");
}

#[tokio::test]
async fn insert_reports_each_record() {
    let h = H::new().await;
    let r = h
        .post_json(
            "/crm/v8/Contacts",
            &json!({"data": [{"First_Name": "Eve", "Last_Name": "Stone", "Phone": "+1 555 0100"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let item = &r.body["data"][0];
    assert_eq!(item["code"], "SUCCESS");
    assert_eq!(item["message"], "record added");
    let id = item["details"]["id"].as_str().expect("id");
    assert_eq!(id.len(), 19);
    assert_eq!(item["details"]["Created_By"]["name"], "Jane Doe");
    assert!(item["details"]["Created_By"]["id"].is_string());
    assert_eq!(
        item["details"]["Modified_By"],
        item["details"]["Created_By"]
    );
    assert_eq!(item["details"]["$approval_state"], "approved");
    assert_eq!(
        h.sim.record(Module::Contacts, id).expect("stored")["Full_Name"],
        "Eve Stone"
    );

    let mixed = h
        .post_json(
            "/crm/v8/Contacts",
            &json!({"data": [{"Last_Name": "Ok"}, {"First_Name": "NoLast"}, {"Last_Name": "Bad", "Email": "not-an-email"}]}),
        )
        .await;
    assert_eq!(mixed.status, StatusCode::MULTI_STATUS);
    let d = mixed.body["data"].as_array().expect("data");
    assert_eq!(d[0]["status"], "success");
    assert_eq!(
        d[1],
        json!({"code": "MANDATORY_NOT_FOUND", "details": {"api_name": "Last_Name", "json_path": "$.data[1].Last_Name"},
               "message": "required field not found", "status": "error"})
    );
    assert_eq!(d[2]["code"], "INVALID_DATA");
    assert_eq!(d[2]["details"]["api_name"], "Email");

    let all_bad = h
        .post_json(
            "/crm/v8/Leads",
            &json!({"data": [{"Last_Name": "NoCompany"}]}),
        )
        .await;
    assert_eq!(all_bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(all_bad.body["data"][0]["details"]["api_name"], "Company");

    let many: Vec<Value> = (0..101)
        .map(|i| json!({"Last_Name": format!("N{i}")}))
        .collect();
    let r = h
        .post_json("/crm/v8/Contacts", &json!({"data": many}))
        .await;
    assert_error(&r, 400, "LIMIT_EXCEEDED");
    assert_error(
        &h.post_json("/crm/v8/Contacts", &json!({"data": []})).await,
        400,
        "INVALID_DATA",
    );
    let too_long = h
        .post_json(
            "/crm/v8/Contacts",
            &json!({"data": [{"Last_Name": "x".repeat(81)}]}),
        )
        .await;
    assert_eq!(too_long.body["data"][0]["details"]["maximum_length"], 80);
}

#[tokio::test]
async fn calls_validation_and_rendering() {
    let h = H::new().await;
    let ana = id_of(&h, Module::Contacts, "Last_Name", "Pereira");
    let lee = id_of(&h, Module::Leads, "Last_Name", "Park");
    let call = |extra: Value| {
        let mut base = json!({"Subject": "Call", "Call_Type": "Inbound", "Call_Start_Time": "2025-03-10T14:05:12+01:00", "Call_Duration": "04:35"});
        if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        json!({"data": [base]})
    };
    let ok = h
        .post_json(
            "/crm/v8/Calls",
            &call(json!({"Who_Id": {"id": ana}, "What_Id": {"id": lee}, "$se_module": "Leads"})),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text);
    let id = ok.body["data"][0]["details"]["id"].as_str().expect("id");
    let rec = h.get(&format!("/crm/v8/Calls/{id}")).await.body["data"][0].clone();
    assert_eq!(rec["Call_Start_Time"], "2025-03-10T14:05:12+01:00");
    assert_eq!(rec["Call_Duration_in_seconds"], 275);
    assert_eq!(rec["Who_Id"], json!({"name": "Ana Pereira", "id": ana}));
    assert_eq!(rec["What_Id"]["name"], "Lee Park");
    assert_eq!(rec["$se_module"], "Leads");
    assert_eq!(rec["CTI_Entry"], false);
    let cases = [
        (
            json!({"Call_Start_Time": "2025-03-10 14:05:12"}),
            "Call_Start_Time",
        ),
        (
            json!({"Call_Start_Time": "2025-03-10T14:05:12"}),
            "Call_Start_Time",
        ),
        (json!({"Call_Duration": "4:5"}), "Call_Duration"),
        (json!({"Call_Duration": "00:00"}), "Call_Duration"),
        (json!({"Call_Type": "Sideways"}), "Call_Type"),
        (json!({"Who_Id": {"id": lee}}), "Who_Id"),
        (
            json!({"What_Id": {"id": lee}, "$se_module": "Calls"}),
            "$se_module",
        ),
        (json!({"Owner": {"id": "123"}}), "Owner"),
    ];
    for (extra, field) in cases {
        let r = h.post_json("/crm/v8/Calls", &call(extra.clone())).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{extra}: {}", r.text);
        assert_eq!(r.body["data"][0]["code"], "INVALID_DATA", "{extra}");
        assert_eq!(r.body["data"][0]["details"]["api_name"], field, "{extra}");
    }
    let dt = h
        .post_json(
            "/crm/v8/Calls",
            &call(json!({"Call_Start_Time": "yesterday"})),
        )
        .await;
    assert_eq!(
        dt.body["data"][0]["details"]["expected_data_type"],
        "datetime"
    );
    let no_se = h
        .post_json("/crm/v8/Calls", &call(json!({"What_Id": {"id": lee}})))
        .await;
    assert_eq!(no_se.body["data"][0]["code"], "MANDATORY_NOT_FOUND");
    assert_eq!(no_se.body["data"][0]["details"]["api_name"], "$se_module");
    let missed = h
        .post_json(
            "/crm/v8/Calls",
            &json!({"data": [{"Subject": "M", "Call_Type": "Missed", "Call_Start_Time": "2025-03-10T14:05:12Z"}]}),
        )
        .await;
    assert_eq!(missed.status, StatusCode::CREATED, "{}", missed.text);
}

#[tokio::test]
async fn update_delete_upsert_count() {
    let h = H::new().await;
    let ana = id_of(&h, Module::Contacts, "Last_Name", "Pereira");
    let r = h
        .put_json(
            "/crm/v8/Contacts",
            &json!({"data": [{"id": ana, "First_Name": "Anna"}, {"Last_Name": "NoId"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::MULTI_STATUS);
    assert_eq!(r.body["data"][0]["message"], "record updated");
    assert_eq!(r.body["data"][1]["details"]["api_name"], "id");
    assert_eq!(
        h.sim.record(Module::Contacts, &ana).expect("rec")["Full_Name"],
        "Anna Pereira"
    );
    let r = h
        .put_json(
            &format!("/crm/v8/Contacts/{ana}"),
            &json!({"data": [{"Last_Name": null}]}),
        )
        .await;
    assert_eq!(r.body["data"][0]["code"], "MANDATORY_NOT_FOUND");
    let bad = h
        .put_json(
            "/crm/v8/Contacts/5725767999999999999",
            &json!({"data": [{"Last_Name": "Z"}]}),
        )
        .await;
    assert_eq!(bad.body["data"][0]["details"]["id"], "5725767999999999999");

    let up = h
        .post_json(
            "/crm/v8/Contacts/upsert",
            &json!({"data": [{"Last_Name": "Pereira", "Email": "ANA@example.com", "Title": "CTO"}, {"Last_Name": "New", "Email": "new@x.example"}]}),
        )
        .await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.text);
    assert_eq!(up.body["data"][0]["action"], "update");
    assert_eq!(up.body["data"][0]["duplicate_field"], "Email");
    assert_eq!(up.body["data"][0]["details"]["id"], ana.as_str());
    assert_eq!(up.body["data"][1]["action"], "insert");
    assert_eq!(
        h.post_json("/crm/v8/Calls/upsert", &json!({"data": [{}]}))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    let count = h.get("/crm/v8/Contacts/actions/count").await;
    assert_eq!(count.body, json!({"count": "5"}));
    let del = h
        .send(h.req(
            Method::DELETE,
            &format!("/crm/v8/Contacts?ids={ana},5725767999999999999"),
        ))
        .await;
    assert_eq!(del.status, StatusCode::MULTI_STATUS);
    assert_eq!(del.body["data"][0]["message"], "record deleted");
    assert_error(
        &h.send(h.req(Method::DELETE, "/crm/v8/Contacts")).await,
        400,
        "REQUIRED_PARAM_MISSING",
    );
    let deleted = h.get("/crm/v8/Contacts/deleted?type=all").await;
    assert_eq!(deleted.body["data"][0]["id"], ana.as_str());
    assert_eq!(deleted.body["data"][0]["display_name"], "Anna Pereira");
    assert_eq!(
        h.get("/crm/v8/Leads/deleted").await.status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn users_org_fields_preferences() {
    let h = H::new().await;
    let users = h.get("/crm/v8/users?type=ActiveUsers").await;
    assert_eq!(users.body["users"].as_array().map(Vec::len), Some(3));
    assert_eq!(users.body["info"]["count"], 3);
    let me = h.get("/crm/v8/users?type=CurrentUser").await;
    assert_eq!(me.body["users"][0]["email"], "jane@zylker.example");
    let off = h.get("/crm/v8/users?type=DeactiveUsers").await;
    assert_eq!(off.body["users"][0]["status"], "disabled");
    assert_eq!(
        h.get("/crm/v8/users?type=ActiveUsers&page=2&per_page=3")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let org = h.get("/crm/v8/org").await;
    assert_eq!(org.body["org"][0]["time_zone"], "Europe/Berlin");
    assert_eq!(
        org.body["org"][0]["license_details"]["paid_type"],
        "enterprise"
    );
    let f = h.get("/crm/v8/settings/fields?module=Calls").await;
    let call_type = f.body["fields"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["api_name"] == "Call_Type"))
        .expect("Call_Type");
    assert_eq!(call_type["system_mandatory"], true);
    assert_eq!(
        call_type["pick_list_values"].as_array().map(Vec::len),
        Some(3)
    );
    assert_error(
        &h.get("/crm/v8/settings/fields").await,
        400,
        "REQUIRED_PARAM_MISSING",
    );
    let prefs = h.get("/crm/v8/settings/call_preferences").await;
    assert_eq!(
        prefs.body,
        json!({"call_preferences": {"show_from_number": true, "show_to_number": true}})
    );
    let put = h
        .put_json(
            "/crm/v8/settings/call_preferences",
            &json!({"call_preferences": {"show_from_number": false, "show_to_number": true}}),
        )
        .await;
    assert_eq!(put.body["call_preferences"]["code"], "SUCCESS");
    let prefs = h.get("/crm/v8/settings/call_preferences").await;
    assert_eq!(prefs.body["call_preferences"]["show_from_number"], false);
}

#[tokio::test]
async fn web_view_escapes_record_data() {
    let h = H::new().await;
    let id = h
        .sim
        .insert_record(
            Module::Contacts,
            json!({"Last_Name": "<img src=x onerror=alert(1)>"}),
        )
        .expect("insert");
    let index = h.send(h.http.get(h.api("/_sim/"))).await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(index.text.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!index.text.contains("<img src=x"));
    let page = h
        .send(h.http.get(h.sim.record_url(Module::Contacts, &id)))
        .await;
    assert!(page.text.contains("&lt;img"));
    assert!(!page.text.contains("<img"));
    // The web view is not recorded as API traffic.
    assert!(
        h.sim
            .requests()
            .iter()
            .all(|r| !r.path.starts_with("/_sim"))
    );
}

/// A key naming no field of the module is `INVALID_DATA` with its `api_name` and
/// `json_path`, as Zoho answers an invalid API name; `id` and `$` keys are not fields.
#[tokio::test]
async fn a_write_naming_an_unknown_field_is_invalid_data() {
    let h = H::new().await;
    let r = h
        .post_json(
            "/crm/v8/Leads",
            &json!({"data": [{"Last_Name": "Ng", "Company": "Acme", "Favourite_Colour": "blue"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(
        r.body["data"][0],
        json!({"code": "INVALID_DATA", "details": {"api_name": "Favourite_Colour", "json_path": "$.data[0].Favourite_Colour"},
               "message": "invalid data", "status": "error"})
    );
    assert!(
        h.sim
            .records(Module::Leads)
            .iter()
            .all(|l| l["Last_Name"] != "Ng"),
        "nothing written"
    );
    let ok = h
        .post_json(
            "/crm/v8/Leads",
            &json!({"data": [{"Last_Name": "Ng", "Company": "Acme", "$approval": null}]}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text);

    let lenient = H::with(ringbridge_sim_zoho::SimConfig {
        refuse_unknown_fields: false,
        ..Default::default()
    })
    .await;
    let r = lenient
        .post_json(
            "/crm/v8/Leads",
            &json!({"data": [{"Last_Name": "Ng", "Company": "Acme", "Favourite_Colour": "blue"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}
