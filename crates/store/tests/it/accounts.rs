use chrono::{DateTime, Duration, TimeZone, Utc};
use ringbridge_core::accounts::{
    AccountError, AccountProfile, AccountStore, ApiScope, NewAccount, NewApiToken, NewSession,
    Role, TokenHash, Username,
};
use ringbridge_store::testing::fresh_stores;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 8, 9, 0, 0).unwrap()
}

fn new_account(name: &str, role: Role) -> NewAccount {
    NewAccount {
        username: Username::parse(name).unwrap(),
        password_hash: format!("$argon2id$v=19$m=8,t=1,p=1${name}"),
        profile: AccountProfile {
            display_name: format!("<b>{name}</b> 李"),
            role,
            crm_user_id: None,
            extension: Some("1001".into()),
            disabled: false,
        },
        at: t0(),
    }
}

#[tokio::test]
async fn first_admin_is_created_once() {
    for (store, db) in fresh_stores().await {
        assert!(!store.has_admin().await.unwrap());
        // Setup always makes an admin, whatever role the form claimed.
        let admin = store
            .create_first_admin(&new_account("root", Role::Agent))
            .await
            .unwrap()
            .expect("first admin");
        assert!(admin.is_admin(), "{:?}", db.backend);
        assert!(store.has_admin().await.unwrap());
        assert_eq!(
            store
                .create_first_admin(&new_account("second", Role::Admin))
                .await
                .unwrap(),
            None
        );
        assert_eq!(store.accounts().await.unwrap(), vec![admin.clone()]);

        // Disabling the only admin does not reopen setup.
        let mut profile = admin.profile.clone();
        profile.disabled = true;
        assert!(
            store
                .update_account(admin.id, &profile, t0())
                .await
                .unwrap()
        );
        assert!(store.has_admin().await.unwrap());
        store.close().await;
    }
}

#[tokio::test]
async fn racing_setups_make_one_admin() {
    for (store, db) in fresh_stores().await {
        let attempts = (0..6).map(|n| {
            let store = store.clone();
            async move {
                store
                    .create_first_admin(&new_account(&format!("admin{n}"), Role::Admin))
                    .await
            }
        });
        let results = futures_util::future::join_all(attempts).await;
        let created = results.iter().filter(|r| matches!(r, Ok(Some(_)))).count();
        assert_eq!(created, 1, "{:?}: {results:?}", db.backend);
        assert_eq!(store.accounts().await.unwrap().len(), 1);
        store.close().await;
    }
}

#[tokio::test]
async fn accounts_round_trip_and_names_are_unique() {
    for (store, db) in fresh_stores().await {
        let agent = store
            .create_account(&new_account("alice", Role::Agent))
            .await
            .unwrap();
        assert_eq!(agent.profile.display_name, "<b>alice</b> 李");
        assert_eq!(agent.profile.role, Role::Agent);
        assert_eq!(agent.created_at, t0());
        assert!(!store.has_admin().await.unwrap(), "{:?}", db.backend);
        assert_eq!(
            store
                .create_account(&new_account("ALICE", Role::Admin))
                .await
                .unwrap_err(),
            AccountError::UsernameTaken(Username::parse("alice").unwrap())
        );

        let creds = store
            .credentials(&Username::parse("Alice").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(creds.account, agent);
        assert_eq!(creds.password_hash, "$argon2id$v=19$m=8,t=1,p=1$alice");
        assert!(
            store
                .credentials(&Username::parse("bob").unwrap())
                .await
                .unwrap()
                .is_none()
        );

        let later = t0() + Duration::minutes(5);
        let profile = AccountProfile {
            display_name: "Alice Ng".into(),
            role: Role::Admin,
            crm_user_id: Some("4150868000000225013".into()),
            extension: None,
            disabled: true,
        };
        assert!(
            store
                .update_account(agent.id, &profile, later)
                .await
                .unwrap()
        );
        assert!(
            store
                .set_password(agent.id, "new-hash", true, later)
                .await
                .unwrap()
        );
        let back = store.account(agent.id).await.unwrap().unwrap();
        assert!(back.must_change_password, "an admin's reset");
        store
            .set_password(agent.id, "own-hash", false, later)
            .await
            .unwrap();
        assert!(
            !store
                .account(agent.id)
                .await
                .unwrap()
                .unwrap()
                .must_change_password
        );
        store
            .set_password(agent.id, "new-hash", false, later)
            .await
            .unwrap();
        let back = store.account(agent.id).await.unwrap().unwrap();
        assert_eq!(back.profile, profile);
        assert_eq!(back.updated_at, later);
        assert_eq!(back.created_at, t0());
        let creds = store.credentials(&back.username).await.unwrap().unwrap();
        assert_eq!(creds.password_hash, "new-hash");

        let missing = ringbridge_core::accounts::AccountId(agent.id.0 + 100);
        assert!(store.account(missing).await.unwrap().is_none());
        assert!(
            !store
                .update_account(missing, &profile, later)
                .await
                .unwrap()
        );
        assert!(
            !store
                .set_password(missing, "x", false, later)
                .await
                .unwrap()
        );
        store.close().await;
    }
}

#[tokio::test]
async fn sessions_are_found_by_hash_touched_and_deleted() {
    for (store, db) in fresh_stores().await {
        let alice = store
            .create_account(&new_account("alice", Role::Agent))
            .await
            .unwrap();
        let bob = store
            .create_account(&new_account("bob", Role::Agent))
            .await
            .unwrap();
        let session = |n: u8, who, ua: Option<&str>| NewSession {
            hash: TokenHash([n; 32]),
            account_id: who,
            created_at: t0(),
            expires_at: t0() + Duration::hours(24),
            user_agent: ua.map(str::to_owned),
            client_addr: Some("203.0.113.7".into()),
        };
        store
            .create_session(&session(1, alice.id, Some("Firefox")))
            .await
            .unwrap();
        store
            .create_session(&session(2, alice.id, None))
            .await
            .unwrap();
        store
            .create_session(&session(3, bob.id, None))
            .await
            .unwrap();

        let (found, account) = store.session(&TokenHash([1; 32])).await.unwrap().unwrap();
        assert_eq!(account, alice, "{:?}", db.backend);
        assert_eq!(found.last_seen_at, t0());
        assert_eq!(found.expires_at, t0() + Duration::hours(24));
        assert_eq!(found.user_agent.as_deref(), Some("Firefox"));
        assert!(store.session(&TokenHash([9; 32])).await.unwrap().is_none());

        // Touching moves forward only.
        let t1 = t0() + Duration::minutes(3);
        store.touch_session(&TokenHash([1; 32]), t1).await.unwrap();
        store
            .touch_session(&TokenHash([1; 32]), t0())
            .await
            .unwrap();
        let (found, _) = store.session(&TokenHash([1; 32])).await.unwrap().unwrap();
        assert_eq!(found.last_seen_at, t1);

        store.delete_session(&TokenHash([1; 32])).await.unwrap();
        assert!(store.session(&TokenHash([1; 32])).await.unwrap().is_none());
        assert!(store.session(&TokenHash([2; 32])).await.unwrap().is_some());

        assert_eq!(store.delete_sessions_of(alice.id).await.unwrap(), 1);
        assert!(store.session(&TokenHash([2; 32])).await.unwrap().is_none());
        assert!(store.session(&TokenHash([3; 32])).await.unwrap().is_some());
        store.close().await;
    }
}

#[tokio::test]
async fn pruning_drops_idle_and_expired_sessions() {
    for (store, db) in fresh_stores().await {
        let alice = store
            .create_account(&new_account("alice", Role::Agent))
            .await
            .unwrap();
        let mk = |n: u8, expires: Duration| NewSession {
            hash: TokenHash([n; 32]),
            account_id: alice.id,
            created_at: t0(),
            expires_at: t0() + expires,
            user_agent: None,
            client_addr: None,
        };
        store
            .create_session(&mk(1, Duration::hours(1)))
            .await
            .unwrap(); // expires
        store
            .create_session(&mk(2, Duration::hours(48)))
            .await
            .unwrap(); // idles out
        store
            .create_session(&mk(3, Duration::hours(48)))
            .await
            .unwrap(); // kept
        let now = t0() + Duration::hours(2);
        store
            .touch_session(&TokenHash([3; 32]), now - Duration::minutes(1))
            .await
            .unwrap();
        let pruned = store
            .prune_sessions(now, now - Duration::minutes(30))
            .await
            .unwrap();
        assert_eq!(pruned, 2, "{:?}", db.backend);
        assert!(store.session(&TokenHash([3; 32])).await.unwrap().is_some());
        store.close().await;
    }
}

#[tokio::test]
async fn api_tokens_list_resolve_and_revoke() {
    for (store, db) in fresh_stores().await {
        let alice = store
            .create_account(&new_account("alice", Role::Agent))
            .await
            .unwrap();
        let bob = store
            .create_account(&new_account("bob", Role::Agent))
            .await
            .unwrap();
        let mk = |n: u8, who, name: &str| NewApiToken {
            account_id: who,
            name: name.to_owned(),
            prefix: format!("rbt_{n}{n}{n}"),
            hash: TokenHash([n; 32]),
            scopes: vec![ApiScope::Dial, ApiScope::RecordsRead],
            at: t0() + Duration::seconds(i64::from(n)),
            expires_at: (n != 2).then(|| t0() + Duration::days(90)),
        };
        let first = store
            .create_api_token(&mk(1, alice.id, "Chrome at desk"))
            .await
            .unwrap();
        let second = store
            .create_api_token(&mk(2, alice.id, "Laptop"))
            .await
            .unwrap();
        let bobs = store.create_api_token(&mk(3, bob.id, "Bob")).await.unwrap();
        assert_eq!(first.prefix, "rbt_111");
        assert_eq!(first.last_used_at, None);
        assert_eq!(first.scopes, [ApiScope::Dial, ApiScope::RecordsRead]);
        assert_eq!(first.expires_at, Some(t0() + Duration::days(90)));
        assert_eq!(second.expires_at, None);
        assert_eq!(
            store.api_tokens(alice.id).await.unwrap(),
            vec![second.clone(), first.clone()],
            "{:?}",
            db.backend
        );

        let (token, account) = store.api_token(&TokenHash([1; 32])).await.unwrap().unwrap();
        assert_eq!(token, first);
        assert_eq!(account, alice);
        let used = t0() + Duration::minutes(9);
        store.touch_api_token(first.id, used).await.unwrap();
        let (token, _) = store.api_token(&TokenHash([1; 32])).await.unwrap().unwrap();
        assert_eq!(token.last_used_at, Some(used));

        // Only the owner revokes, and only once.
        assert!(!store.revoke_api_token(bob.id, first.id).await.unwrap());
        assert!(store.revoke_api_token(alice.id, first.id).await.unwrap());
        assert!(!store.revoke_api_token(alice.id, first.id).await.unwrap());
        assert!(
            store
                .api_token(&TokenHash([1; 32]))
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(store.api_tokens(alice.id).await.unwrap(), vec![second]);
        assert_eq!(store.api_tokens(bob.id).await.unwrap(), vec![bobs]);
        store.close().await;
    }
}

#[tokio::test]
async fn an_account_lists_its_sessions_and_is_deleted_with_them_and_its_tokens() {
    for (store, db) in fresh_stores().await {
        let root = store
            .create_account(&new_account("root", Role::Admin))
            .await
            .unwrap();
        let ana = store
            .create_account(&new_account("ana", Role::Agent))
            .await
            .unwrap();
        for (n, at) in [(1u8, t0()), (2, t0() + Duration::minutes(5))] {
            store
                .create_session(&NewSession {
                    hash: TokenHash([n; 32]),
                    account_id: ana.id,
                    created_at: at,
                    expires_at: at + Duration::hours(8),
                    user_agent: Some(format!("browser {n}")),
                    client_addr: None,
                })
                .await
                .unwrap();
        }
        store
            .create_api_token(&NewApiToken {
                account_id: ana.id,
                name: "extension".into(),
                prefix: "rb_abcd".into(),
                hash: TokenHash([9; 32]),
                scopes: ApiScope::EXTENSION.to_vec(),
                at: t0(),
                expires_at: None,
            })
            .await
            .unwrap();
        let sessions = store.sessions_of(ana.id).await.unwrap();
        // One session ends by its handle, and only for its own account.
        let handle = sessions[0].handle();
        assert!(!store.end_session(root.id, &handle).await.unwrap());
        assert!(!store.end_session(ana.id, "%").await.unwrap());
        assert!(store.end_session(ana.id, &handle).await.unwrap());
        assert!(!store.end_session(ana.id, &handle).await.unwrap());
        assert_eq!(store.sessions_of(ana.id).await.unwrap().len(), 1);
        store
            .create_session(&NewSession {
                hash: sessions[0].hash,
                account_id: ana.id,
                created_at: sessions[0].created_at,
                expires_at: sessions[0].expires_at,
                user_agent: sessions[0].user_agent.clone(),
                client_addr: None,
            })
            .await
            .unwrap();
        let sessions = store.sessions_of(ana.id).await.unwrap();
        let agents: Vec<_> = sessions.iter().map(|s| s.user_agent.as_deref()).collect();
        assert_eq!(
            agents,
            [Some("browser 2"), Some("browser 1")],
            "{:?}",
            db.backend
        );
        assert!(store.sessions_of(root.id).await.unwrap().is_empty());

        assert!(store.delete_account(ana.id).await.unwrap());
        assert!(store.account(ana.id).await.unwrap().is_none());
        assert!(store.session(&TokenHash([1; 32])).await.unwrap().is_none());
        assert!(
            store
                .api_token(&TokenHash([9; 32]))
                .await
                .unwrap()
                .is_none()
        );
        assert!(store.sessions_of(ana.id).await.unwrap().is_empty());
        assert!(!store.delete_account(ana.id).await.unwrap(), "already gone");
        assert!(store.account(root.id).await.unwrap().is_some());
    }
}
