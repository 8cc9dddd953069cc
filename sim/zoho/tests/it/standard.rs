//! Zoho's standard fields as its own examples write them, the field and layout metadata
//! that describes them, and the shapes of write answers, 429s, permission errors and
//! COQL rows.

use reqwest::StatusCode;
use ringbridge_sim_zoho::{Edition, Fault, FaultRule, Module, SimConfig};
use serde_json::{Value, json};

use crate::{H, assert_error};

/// The body of Zoho's insert-records example for Leads (its standard fields).
fn example_lead() -> Value {
    json!({
        "Salutation": "Mr.", "First_Name": "Patricia", "Last_Name": "Boyle",
        "Company": "Zylker", "Designation": "CEO", "Email": "p.boyle@zylker.example",
        "Secondary_Email": "pb@zylker.example", "Phone": "+1 415 555 0101",
        "Mobile": "+1 415 555 0102", "Website": "crm.zoho.com", "Skype_ID": "Skype_ID",
        "Twitter": "Twitter", "Lead_Source": "Advertisement", "Lead_Status": "Qualified",
        "Industry": "ASP", "No_of_Employees": 1791, "Annual_Revenue": 250_000.5,
        "Rating": "Acquired", "Email_Opt_Out": false, "Street": "Street", "City": "City",
        "State": "State", "Zip_Code": "Zip_Code", "Country": "Country",
        "Description": "Design your own layouts", "Tag": [{"name": "Hot"}],
    })
}

#[tokio::test]
async fn a_lead_keeps_every_standard_field_of_zohos_example() {
    let h = H::new().await;
    let lead = example_lead();
    let r = h
        .post_json("/crm/v8/Leads", &json!({"data": [lead.clone()]}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["data"][0]["details"]["id"].as_str().expect("id");
    let got = h.get(&format!("/crm/v8/Leads/{id}")).await.body;
    let got = &got["data"][0];
    for (k, v) in lead.as_object().expect("object") {
        assert_eq!(&got[k], v, "{k} kept");
    }
}

#[tokio::test]
async fn contacts_and_calls_keep_their_standard_fields() {
    let h = H::new().await;
    let contact = json!({
        "Last_Name": "Ng", "Assistant": "Mira", "Asst_Phone": "+1 415 555 0103",
        "Mailing_Street": "1 Main St", "Mailing_City": "Austin", "Mailing_State": "TX",
        "Mailing_Zip": "73301", "Mailing_Country": "USA", "Other_City": "Dallas",
        "Email_Opt_Out": true, "Skype_ID": "ng.skype", "Tag": [{"name": "VIP"}],
    });
    let r = h
        .post_json("/crm/v8/Contacts", &json!({"data": [contact.clone()]}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["data"][0]["details"]["id"].as_str().expect("id");
    let got = &h.get(&format!("/crm/v8/Contacts/{id}")).await.body["data"][0];
    for (k, v) in contact.as_object().expect("object") {
        assert_eq!(&got[k], v, "{k} kept");
    }
    let call = json!({"Subject": "Call", "Call_Type": "Inbound",
        "Call_Start_Time": "2025-03-10T14:05:00+01:00", "Call_Duration": "01:00",
        "Tag": [{"name": "PBX"}]});
    let r = h.post_json("/crm/v8/Calls", &json!({"data": [call]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["data"][0]["details"]["id"].as_str().expect("id");
    let got = &h.get(&format!("/crm/v8/Calls/{id}")).await.body["data"][0];
    assert_eq!(got["Tag"], json!([{"name": "PBX"}]));
}

#[tokio::test]
async fn standard_fields_are_checked_by_type_length_and_picklist() {
    let h = H::new().await;
    let bad = [
        ("Lead_Status", json!("Warm-ish"), "Lead_Status"),
        ("Rating", json!("Hot"), "Rating"),
        ("Email_Opt_Out", json!("no"), "Email_Opt_Out"),
        ("Annual_Revenue", json!("lots"), "Annual_Revenue"),
        ("Zip_Code", json!("9".repeat(31)), "Zip_Code"),
        ("Tag", json!("Hot"), "Tag"),
        ("Tag", json!([{"name": "x".repeat(26)}]), "Tag"),
        ("Shoe_Size", json!(44), "Shoe_Size"),
    ];
    for (field, value, named) in bad {
        let mut lead = json!({"Last_Name": "L", "Company": "C"});
        lead[field] = value;
        let r = h.post_json("/crm/v8/Leads", &json!({"data": [lead]})).await;
        let item = &r.body["data"][0];
        assert_eq!(item["code"], "INVALID_DATA", "{field}: {}", r.text);
        assert_eq!(item["details"]["api_name"], named, "{field}: {}", r.text);
        assert_eq!(
            item["details"]["json_path"],
            format!("$.data[0].{named}"),
            "{field}"
        );
    }
}

#[tokio::test]
async fn write_answers_carry_approval_state_and_name_id_users() {
    let h = H::new().await;
    let r = h
        .post_json(
            "/crm/v8/Leads",
            &json!({"data": [{"Last_Name": "S", "Company": "C"}]}),
        )
        .await;
    let d = &r.body["data"][0]["details"];
    assert_eq!(d["$approval_state"], "approved", "{}", r.text);
    for who in ["Created_By", "Modified_By"] {
        let keys: Vec<&str> = d[who]
            .as_object()
            .expect("user")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            ["id", "name"],
            "{who} as in Zoho's examples: {}",
            r.text
        );
        assert!(d[who]["name"].as_str().is_some_and(|n| !n.is_empty()));
    }
}

#[tokio::test]
async fn field_metadata_carries_the_schemas_required_keys() {
    let h = H::new().await;
    h.sim.set_unique_fields(Module::Leads, &["Email"]);
    h.sim.set_mandatory_fields(Module::Leads, &["Phone"]);
    let r = h.get("/crm/v8/settings/fields?module=Leads").await;
    let fields = r.body["fields"].as_array().expect("fields");
    let named = |n: &str| {
        fields
            .iter()
            .find(|f| f["api_name"] == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    for f in fields {
        for key in [
            "associated_module",
            "operation_type",
            "ui_type",
            "unique",
            "profiles",
            "history_tracking",
            "crypt",
            "external",
            "tooltip",
            "view_type",
            "created_time",
            "layout_associations",
            "convert_mapping",
            "email_parser",
            "sharing_properties",
        ] {
            assert!(f.get(key).is_some(), "{key} on {}", f["api_name"]);
        }
        assert!(f["ui_type"].is_i64());
        assert!(f["operation_type"]["api_create"].is_boolean());
        assert!(f["profiles"].as_array().is_some_and(|p| !p.is_empty()));
    }
    assert_eq!(named("Email")["unique"], json!({"casesensitive": "false"}));
    assert_eq!(named("Mobile")["unique"], json!({}));
    assert_eq!(named("Last_Name")["system_mandatory"], true);
    assert_eq!(named("Phone")["system_mandatory"], false);
    assert_eq!(named("Full_Name")["operation_type"]["api_create"], false);
    assert_eq!(named("Lead_Status")["data_type"], "picklist");
    assert!(
        named("Lead_Status")["pick_list_values"]
            .as_array()
            .expect("values")
            .iter()
            .any(|v| v["display_value"] == "Qualified")
    );
    assert_eq!(named("Tag")["json_type"], "jsonarray");
}

#[tokio::test]
async fn layouts_report_what_the_layout_makes_required() {
    let h = H::new().await;
    let required = |body: &Value| -> Vec<String> {
        body["layouts"][0]["sections"]
            .as_array()
            .expect("sections")
            .iter()
            .flat_map(|s| s["fields"].as_array().cloned().unwrap_or_default())
            .filter(|f| f["required"] == true)
            .filter_map(|f| f["api_name"].as_str().map(str::to_owned))
            .collect()
    };
    let before = h.get("/crm/v8/settings/layouts?module=Leads").await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.text);
    assert_eq!(required(&before.body), ["Last_Name", "Company"]);
    h.sim.set_mandatory_fields(Module::Leads, &["Email"]);
    let after = h.get("/crm/v8/settings/layouts?module=Leads").await;
    assert_eq!(required(&after.body), ["Last_Name", "Company", "Email"]);
    let r = h.get("/crm/v8/settings/layouts").await;
    assert_error(&r, 400, "REQUIRED_PARAM_MISSING");
    // The layouts scope is a scope of its own.
    let fields_only = h
        .sim
        .issue_tokens(&["ZohoCRM.settings.fields.READ"])
        .access_token;
    let r = h
        .send(h.req_as(
            &fields_only,
            reqwest::Method::GET,
            "/crm/v8/settings/layouts?module=Leads",
        ))
        .await;
    assert_error(&r, 401, "OAUTH_SCOPE_MISMATCH");
}

#[tokio::test]
async fn coql_rows_hold_the_selected_fields_and_id_as_configured() {
    let q = "select Last_Name from Contacts where Last_Name = 'Pereira'";
    let h = H::new().await;
    let row = h.coql(q).await.body["data"][0].clone();
    assert!(row["id"].is_string(), "id added unasked by default: {row}");
    let h = H::with(SimConfig {
        coql_adds_id: false,
        ..SimConfig::default()
    })
    .await;
    let row = h.coql(q).await.body["data"][0].clone();
    assert_eq!(row, json!({"Last_Name": "Pereira"}));
    let row = h
        .coql("select id, Last_Name from Contacts where Last_Name = 'Pereira'")
        .await
        .body["data"][0]
        .clone();
    assert!(row["id"].is_string(), "{row}");
}

#[tokio::test]
async fn a_429_is_zohos_error_body_with_the_configured_code() {
    for code in ["TOO_MANY_REQUESTS", "LIMIT_EXCEEDED"] {
        let h = H::with(SimConfig {
            rate_limit_code: code.into(),
            ..SimConfig::default()
        })
        .await;
        h.sim
            .inject_fault(FaultRule::next(1, Fault::TooManyRequests));
        let r = h.get("/crm/v8/org").await;
        assert_error(&r, 429, code);
        assert_eq!(r.body["details"], json!({}));
    }
}

#[tokio::test]
async fn no_permission_names_the_missing_permission() {
    let h = H::new().await;
    h.sim.set_edition(Edition::Free);
    let r = h.post_form("/phonebridge/v3/integrate", &[]).await;
    assert_error(&r, 403, "NO_PERMISSION");
    let names = r.body["details"]["permissions"]
        .as_array()
        .expect("permissions");
    assert!(
        !names.is_empty() && names.iter().all(Value::is_string),
        "{}",
        r.text
    );
}
