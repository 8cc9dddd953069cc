use std::collections::HashSet;
use std::sync::Mutex as StdMutex;

use async_trait::async_trait;
use chrono::{TimeZone, Utc};

use super::*;

/// Zoho as one user sees it: the records in `visible`; counts the checks.
struct FakeZoho {
    eyes: Result<Eyes, VisibilityError>,
    visible: StdMutex<HashSet<String>>,
    checked: StdMutex<Vec<Vec<String>>>,
}

#[async_trait]
impl RecordVisibility for FakeZoho {
    async fn eyes(&self, _user: &str, _required: bool) -> Result<Eyes, VisibilityError> {
        self.eyes.clone()
    }

    async fn check(
        &self,
        _user: &str,
        records: &[CrmRecordRef],
    ) -> Result<Vec<bool>, VisibilityError> {
        self.checked
            .lock()
            .unwrap()
            .push(records.iter().map(|r| r.id.clone()).collect());
        let visible = self.visible.lock().unwrap();
        Ok(records.iter().map(|r| visible.contains(&r.id)).collect())
    }

    async fn crm_as(&self, _user: &str) -> Result<Arc<dyn Crm>, VisibilityError> {
        Err(VisibilityError::Unavailable("no CRM in this test".into()))
    }
}

fn fake(eyes: Result<Eyes, VisibilityError>, visible: &[&str]) -> Arc<FakeZoho> {
    Arc::new(FakeZoho {
        eyes,
        visible: StdMutex::new(visible.iter().map(|s| (*s).to_owned()).collect()),
        checked: StdMutex::new(Vec::new()),
    })
}

fn record(id: &str) -> CrmRecord {
    CrmRecord {
        reference: CrmRecordRef {
            module: CrmModule::Contacts,
            id: id.into(),
        },
        name: format!("Name {id}"),
        company: None,
        email: None,
        phones: vec!["+14155550123".into()],
        owner_id: None,
        account: None,
        modified_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
    }
}

fn found(ids: &[&str]) -> Match {
    let mut all = ids.iter().map(|id| record(id));
    Match {
        chosen: all.next(),
        others: all.collect(),
    }
}

const TTL: Duration = Duration::from_secs(300);

fn ids(sighted: &Sighted) -> Vec<String> {
    match sighted {
        Sighted::Records(m) => m
            .chosen
            .iter()
            .chain(&m.others)
            .map(|r| r.reference.id.clone())
            .collect(),
        other => panic!("not records: {other:?}"),
    }
}

#[tokio::test]
async fn only_visible_records_in_the_rules_order_and_a_warm_cache_asks_nothing() {
    let zoho = fake(Ok(Eyes::Own), &["b", "c"]);
    let v = Visibility::new(zoho.clone());
    let cold = v
        .sift(Some("u1"), found(&["a", "b", "c"]), false, TTL)
        .await
        .unwrap();
    assert_eq!(ids(&cold), ["b", "c"], "the rule's pick among the visible");
    assert_eq!(v.requests(), 1, "one batched check");
    let warm = v
        .sift(Some("u1"), found(&["a", "b", "c"]), false, TTL)
        .await
        .unwrap();
    assert_eq!(warm, cold);
    assert_eq!(v.requests(), 1, "a warm cache costs no request");
    assert_eq!(zoho.checked.lock().unwrap().len(), 1);

    // Someone else's eyes are their own.
    v.sift(Some("u2"), found(&["a"]), false, TTL).await.unwrap();
    assert_eq!(v.requests(), 2);
}

#[tokio::test]
async fn a_record_nobody_here_may_see_is_hidden_and_an_owner_change_rechecks() {
    let zoho = fake(Ok(Eyes::Own), &[]);
    let v = Visibility::new(zoho.clone());
    let hidden = v.sift(Some("u1"), found(&["a"]), false, TTL).await.unwrap();
    assert_eq!(
        hidden,
        Sighted::Hidden {
            module: CrmModule::Contacts
        }
    );
    assert!(hidden.chosen().is_none());

    // The record moves to u1 in the directory sync: asked again.
    zoho.visible.lock().unwrap().insert("a".into());
    v.forget_record(&record("a").reference);
    let now_seen = v.sift(Some("u1"), found(&["a"]), false, TTL).await.unwrap();
    assert_eq!(ids(&now_seen), ["a"]);
    assert_eq!(v.requests(), 2);
}

#[tokio::test]
async fn expired_answers_are_asked_again() {
    let zoho = fake(Ok(Eyes::Own), &["a"]);
    let v = Visibility::new(zoho);
    v.sift(Some("u1"), found(&["a"]), false, Duration::ZERO)
        .await
        .unwrap();
    v.sift(Some("u1"), found(&["a"]), false, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(v.requests(), 2);
}

#[tokio::test]
async fn no_grant_shows_no_crm_details_never_the_org_wide_view() {
    let v = Visibility::new(fake(Err(VisibilityError::NoGrant), &["a"]));
    let none = v.sift(Some("u1"), found(&["a"]), true, TTL).await.unwrap();
    assert_eq!(none, Sighted::NoGrant);
    assert_eq!(v.requests(), 0);
    // An unpaired extension has no eyes of its own when every agent must use theirs.
    let unpaired = v.sift(None, found(&["a"]), true, TTL).await.unwrap();
    assert_eq!(unpaired, Sighted::NoGrant);
}

#[tokio::test]
async fn users_who_never_signed_in_with_zoho_keep_the_org_wide_view() {
    let v = Visibility::new(fake(Ok(Eyes::OrgWide), &[]));
    let all = v
        .sift(Some("u1"), found(&["a", "b"]), false, TTL)
        .await
        .unwrap();
    assert_eq!(ids(&all), ["a", "b"]);
    assert_eq!(v.requests(), 0);
}

#[tokio::test]
async fn a_revoked_grant_forgets_the_users_answers() {
    let zoho = fake(Ok(Eyes::Own), &["a"]);
    let v = Visibility::new(zoho);
    v.sift(Some("u1"), found(&["a"]), false, TTL).await.unwrap();
    v.forget_user("u1");
    v.sift(Some("u1"), found(&["a"]), false, TTL).await.unwrap();
    assert_eq!(v.requests(), 2);
}
