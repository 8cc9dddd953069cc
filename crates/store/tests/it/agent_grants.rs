use chrono::{TimeZone, Utc};
use ringbridge_core::accounts::{AccountProfile, AccountStore, NewAccount, Role, Username};
use ringbridge_core::agent_grant::{AgentGrant, AgentGrantStore, GrantStatus};
use ringbridge_store::testing::fresh_stores;
use secrecy::{ExposeSecret, SecretString};
use sqlx::Row;

#[tokio::test]
async fn an_agents_grant_is_sealed_replaced_and_goes_with_the_account() {
    for (store, db) in fresh_stores().await {
        let at = Utc.with_ymd_and_hms(2026, 3, 8, 9, 0, 0).unwrap();
        let account = store
            .create_account(&NewAccount {
                username: Username::parse("chen@corp.test").unwrap(),
                password_hash: "$argon2id$v=19$m=8,t=1,p=1$x".into(),
                profile: AccountProfile {
                    display_name: "Chen".into(),
                    role: Role::Agent,
                    crm_user_id: Some("u3".into()),
                    extension: Some("1003".into()),
                    disabled: false,
                },
                at,
            })
            .await
            .unwrap();
        assert!(store.agent_grant(account.id).await.unwrap().is_none());
        let grant = |token: &str| AgentGrant {
            account_id: account.id,
            crm_user_id: "u3".into(),
            email: "chen@corp.test".into(),
            refresh_token: SecretString::from(token.to_owned()),
            accounts_server: "https://accounts.zoho.eu".into(),
            api_domain: "https://www.zohoapis.eu".into(),
            created_at: at,
        };
        store.put_agent_grant(&grant("1000.first")).await.unwrap();
        store.put_agent_grant(&grant("1000.second")).await.unwrap();
        let kept = store.agent_grant(account.id).await.unwrap().unwrap();
        assert_eq!(
            kept.refresh_token.expose_secret(),
            "1000.second",
            "{:?}",
            db.backend
        );
        assert_eq!((kept.crm_user_id.as_str(), kept.created_at), ("u3", at));
        let row = sqlx::query("SELECT ciphertext FROM agent_grants")
            .fetch_one(store.pool())
            .await
            .unwrap();
        let sealed: Vec<u8> = row.try_get(0).unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"second"), "sealed at rest");

        assert!(matches!(
            store.grant_of_user("u3").await.unwrap(),
            GrantStatus::Live(g) if g.account_id == account.id
        ));
        assert!(matches!(
            store.grant_of_user("u9").await.unwrap(),
            GrantStatus::Never
        ));

        // Revoked: the token is gone, the fact that Chen used Zoho is not.
        assert!(store.revoke_agent_grant(account.id, at).await.unwrap());
        assert!(!store.revoke_agent_grant(account.id, at).await.unwrap());
        assert!(store.agent_grant(account.id).await.unwrap().is_none());
        assert!(matches!(
            store.grant_of_user("u3").await.unwrap(),
            GrantStatus::Revoked
        ));
        let row = sqlx::query("SELECT ciphertext FROM agent_grants")
            .fetch_one(store.pool())
            .await
            .unwrap();
        let gone: Option<Vec<u8>> = row.try_get(0).unwrap();
        assert!(gone.is_none(), "no token kept after revoking");
        store.put_agent_grant(&grant("1000.third")).await.unwrap();
        assert!(matches!(
            store.grant_of_user("u3").await.unwrap(),
            GrantStatus::Live(_)
        ));
        store.delete_account(account.id).await.unwrap();
        assert!(
            store.agent_grant(account.id).await.unwrap().is_none(),
            "deleted with its account"
        );
    }
}
