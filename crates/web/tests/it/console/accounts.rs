//! Accounts take their extension from the PBX's list: one outside it
//! (9999 on a three-extension PBX) or another account's is refused with a
//! clear message; an account can be edited; the last admin stays one.

use reqwest::StatusCode;
use ringbridge_core::accounts::{AccountStore, Role};

use super::{assert_inert, plain, start};

const PW: &str = "agent password 1";

fn account<'a>(username: &'a str, extension: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("username", username),
        ("display_name", "Bo"),
        ("role", "agent"),
        ("extension", extension),
        ("password", PW),
        ("password_confirm", PW),
    ]
}

#[tokio::test]
async fn the_extension_comes_from_the_pbx_and_is_not_shared() {
    let app = start().await;
    let admin = app.admin().await;
    let page = app.get(&admin, "/admin/accounts").await;
    for ext in ["1005", "1006", "1007"] {
        assert!(
            page.body
                .contains(&format!("<option value=\"{ext}\">{ext} · ")),
            "{ext} offered: {}",
            page.body
        );
    }
    // The PBX's names are shown escaped in the list.
    assert_inert(&page.body);

    let unknown = app
        .submit(
            &admin,
            "/admin/accounts",
            "/admin/accounts",
            &account("bo", "9999"),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        plain(&unknown.body).contains(
            "Extension 9999 is not on the phone system (it has 3 extensions). Pick one from the list."
        ),
        "{}",
        unknown.body
    );

    app.agent(&admin).await; // ana at 1005
    let taken = app
        .submit(
            &admin,
            "/admin/accounts",
            "/admin/accounts",
            &account("bo", "1005"),
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        plain(&taken.body).contains("Extension 1005 is already ana&#39;s."),
        "{}",
        taken.body
    );
    let listed = plain(&app.get(&admin, "/admin/accounts").await.body);
    assert!(
        listed.contains("<option value=\"1005\">1005 · Maya Ortiz — already ana&#39;s</option>"),
        "{listed}"
    );
    let names: Vec<String> = app
        .store
        .accounts()
        .await
        .unwrap()
        .iter()
        .map(|a| a.username.to_string())
        .collect();
    assert_eq!(names, ["ana", "root"], "nothing made by the refused forms");
}

#[tokio::test]
async fn an_account_is_edited_and_the_last_admin_stays_admin() {
    let app = start().await;
    let admin = app.admin().await;
    app.agent(&admin).await;
    let ana = app
        .store
        .accounts()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.username.to_string() == "ana")
        .unwrap();
    let path = format!("/admin/accounts/{}", ana.id.0);
    let page = app.get(&admin, &path).await;
    assert!(page.body.contains("id=\"edit-form\""), "{}", page.body);
    assert!(
        page.body
            .contains("<option value=\"1005\" selected>1005 · Maya Ortiz</option>"),
        "her own extension is not flagged as taken: {}",
        page.body
    );

    let edit = format!("{path}/edit");
    let saved = app
        .submit(
            &admin,
            &path,
            &edit,
            &[
                ("display_name", "Ana Pereira"),
                ("role", "agent"),
                ("extension", "1007"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location, format!("{path}?done=account-saved"));
    let shown = app.get(&admin, &saved.location).await;
    assert!(shown.body.contains("Account saved."), "{}", shown.body);
    let ana = app.store.account(ana.id).await.unwrap().unwrap();
    assert_eq!(ana.profile.display_name, "Ana Pereira");
    assert_eq!(ana.profile.extension.as_deref(), Some("1007"));

    let outside = app
        .submit(
            &admin,
            &path,
            &edit,
            &[
                ("display_name", "Ana"),
                ("role", "agent"),
                ("extension", "9999"),
            ],
        )
        .await;
    assert_eq!(outside.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(plain(&outside.body).contains("Extension 9999 is not on the phone system"));

    // The only admin cannot make itself an agent.
    let root = app
        .store
        .accounts()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.username.to_string() == "root")
        .unwrap();
    let root_path = format!("/admin/accounts/{}", root.id.0);
    let refused = app
        .submit(
            &admin,
            &root_path,
            &format!("{root_path}/edit"),
            &[
                ("display_name", "Rita"),
                ("role", "agent"),
                ("extension", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("The last enabled administrator must stay an administrator."),
        "{}",
        refused.body
    );
    let root = app.store.account(root.id).await.unwrap().unwrap();
    assert_eq!(root.profile.role, Role::Admin);
    assert_eq!(root.profile.display_name, "Rita Admin", "nothing saved");

    // Without the form's token nothing changes.
    let forged = app
        .post(&admin, &edit, &[("display_name", "X"), ("role", "admin")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}
