//! The settings' time zone starts as the PBX's (until the page is first
//! saved, when the configuration file names none).

use ringbridge_core::console::ConsoleStore;

use super::start;

#[tokio::test]
async fn the_time_zone_defaults_to_the_pbxs() {
    let app = start().await;
    let admin = app.admin().await;
    let before = app.get(&admin, "/console/settings").await;
    assert!(
        before.body.contains("name=\"display_time_zone\"") && before.body.contains("value=\"UTC\""),
        "no PBX zone known: UTC as before: {}",
        before.body
    );
    *app.backend.pbx_zone.lock().unwrap() = Some("Etc/GMT-8".into());
    let page = app.get(&admin, "/console/settings").await;
    let field = &page.body[page
        .body
        .find("name=\"display_time_zone\"")
        .expect("the field")..];
    let field = field.split('>').next().unwrap();
    assert!(field.contains("value=\"Etc/GMT-8\""), "{field}");
    assert!(
        app.store.console().await.unwrap().settings.is_none(),
        "only offered"
    );
}
