//! The admin console's stored configuration.

use ringbridge_core::console::{
    ConsoleSettings, ConsoleStore, CrmConnection, CrmGrant, CrmMode, PbxConnection,
    RecordingLinkPolicy, UserOverride,
};
use ringbridge_core::settings::UnknownNumberAction;
use secrecy::{ExposeSecret, SecretString};
use sqlx::Row;

use super::each_backend;

fn secret(text: &str) -> SecretString {
    SecretString::from(text.to_owned())
}

fn crm(grant: Option<CrmGrant>) -> CrmConnection {
    CrmConnection {
        location: "eu".into(),
        accounts_server: "https://accounts.zoho.eu".into(),
        client_id: "1000.CLIENT".into(),
        client_secret: secret("zoho-client-secret-XYZ"),
        grant,
    }
}

fn grant() -> CrmGrant {
    CrmGrant {
        refresh_token: secret("1000.refresh-token-QQQ"),
        accounts_server: "https://accounts.zoho.eu".into(),
        api_domain: "https://www.zohoapis.eu".into(),
    }
}

#[tokio::test]
async fn an_empty_store_has_nothing_configured() {
    each_backend(|store, _| async move {
        let config = store.console().await.unwrap();
        assert!(config.pbx.is_none() && config.crm.is_none() && config.mode.is_none());
        assert!(config.settings.is_none() && config.users.is_empty());
        assert!(!config.is_complete());
        assert_eq!(config.revision, 0);
    })
    .await;
}

#[tokio::test]
async fn connections_round_trip_with_secrets_sealed() {
    each_backend(|store, _| async move {
        store
            .put_pbx(&PbxConnection {
                base_url: "https://pbx.test:8088".into(),
                client_id: "pbx-client".into(),
                client_secret: secret("pbx-client-secret-ABC"),
                accept_invalid_certs: true,
            })
            .await
            .unwrap();
        store.put_crm(&crm(None)).await.unwrap();
        let config = store.console().await.unwrap();
        let pbx = config.pbx.unwrap();
        assert_eq!(pbx.base_url, "https://pbx.test:8088");
        assert_eq!(pbx.client_secret.expose_secret(), "pbx-client-secret-ABC");
        assert!(pbx.accept_invalid_certs);
        let stored = config.crm.unwrap();
        assert_eq!(
            stored.client_secret.expose_secret(),
            "zoho-client-secret-XYZ"
        );
        assert!(stored.grant.is_none());

        store.put_crm_grant(&grant()).await.unwrap();
        store.put_mode(CrmMode::PhoneBridge).await.unwrap();
        let config = store.console().await.unwrap();
        let g = config.crm.as_ref().unwrap().grant.as_ref().unwrap();
        assert_eq!(g.refresh_token.expose_secret(), "1000.refresh-token-QQQ");
        assert_eq!(g.api_domain, "https://www.zohoapis.eu");
        assert_eq!(config.mode, Some(CrmMode::PhoneBridge));
        assert!(config.is_complete());

        // No secret is readable in any table.
        for table in ["console_config", "secrets"] {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {table}")))
                .fetch_all(store.pool())
                .await
                .unwrap();
            for row in rows {
                for i in 0..row.len() {
                    let text = row
                        .try_get::<String, _>(i)
                        .or_else(|_| {
                            row.try_get::<Vec<u8>, _>(i)
                                .map(|b| String::from_utf8_lossy(&b).into_owned())
                        })
                        .unwrap_or_default();
                    for s in ["pbx-client-secret", "zoho-client-secret", "refresh-token"] {
                        assert!(!text.contains(s), "{table} holds {s} in clear");
                    }
                }
            }
        }

        // A new client without a grant forgets the old grant.
        store.put_crm(&crm(None)).await.unwrap();
        let config = store.console().await.unwrap();
        assert!(!config.is_complete());
        assert!(config.crm.unwrap().grant.is_none());
    })
    .await;
}

#[tokio::test]
async fn a_removed_grant_keeps_the_client_and_drops_the_token() {
    each_backend(|store, _| async move {
        assert!(!store.remove_crm_grant().await.unwrap(), "nothing stored");
        store.put_crm(&crm(Some(grant()))).await.unwrap();
        let before = store.console_revision().await.unwrap();
        assert!(store.remove_crm_grant().await.unwrap());
        assert!(store.console_revision().await.unwrap() > before);
        let stored = store.console().await.unwrap().crm.unwrap();
        assert!(stored.grant.is_none());
        assert_eq!(stored.client_id, "1000.CLIENT");
        assert_eq!(
            stored.client_secret.expose_secret(),
            "zoho-client-secret-XYZ"
        );
        let token =
            sqlx::query("SELECT COUNT(*) FROM secrets WHERE name = 'console.crm.refresh_token'")
                .fetch_one(store.pool())
                .await
                .unwrap()
                .try_get::<i64, _>(0)
                .unwrap();
        assert_eq!(token, 0, "the refresh token is deleted, not only hidden");
        assert!(!store.remove_crm_grant().await.unwrap(), "already gone");
    })
    .await;
}

#[tokio::test]
async fn a_grant_needs_a_connection() {
    each_backend(|store, _| async move {
        assert!(store.put_crm_grant(&grant()).await.is_err());
        assert_eq!(store.console_revision().await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn settings_users_and_revisions() {
    each_backend(|store, _| async move {
        let mut settings = ConsoleSettings {
            default_country: Some("DE".into()),
            recording: RecordingLinkPolicy::ExpireAfterDays(90),
            ..ConsoleSettings::default()
        };
        settings.engine.unknown_inbound = UnknownNumberAction::CreateLead;
        settings.engine.phonebook = Some("CRM <Contacts>".into());
        store.put_settings(&settings).await.unwrap();
        let r1 = store.console_revision().await.unwrap();
        assert_eq!(store.console().await.unwrap().settings, Some(settings));

        let pair = UserOverride {
            extension: "1005".into(),
            crm_user_id: "u1".into(),
            crm_user_name: "<script>alert(1)</script>".into(),
        };
        store.put_user_override(&pair).await.unwrap();
        let mut moved = pair.clone();
        moved.crm_user_id = "u2".into();
        store.put_user_override(&moved).await.unwrap();
        let r2 = store.console_revision().await.unwrap();
        assert!(r2 > r1);
        assert_eq!(store.console().await.unwrap().users, vec![moved]);

        assert!(store.remove_user_override("1005").await.unwrap());
        assert!(!store.remove_user_override("1005").await.unwrap());
        let r3 = store.console_revision().await.unwrap();
        assert_eq!(r3, r2 + 1, "only a real removal counts");
        assert!(store.console().await.unwrap().users.is_empty());
    })
    .await;
}
