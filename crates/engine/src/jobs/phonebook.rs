//! `SyncPhonebook`: copies a CRM Contact into the configured PBX phonebook
//! so desk phones show the caller's name next time. The PBX contact carries
//! `crm:Contacts:<id>` in its remark, which is how it is found again: a
//! name change updates it, a retry never duplicates it.

use std::time::Duration;

use ringbridge_core::audit::{AuditEntry, AuditSystem};
use ringbridge_core::crm::CrmRecord;
use ringbridge_core::outbox::Job;
use ringbridge_core::pbx::{PbxContact, PbxError, PbxNumberKind, PhonebookId};
use ringbridge_core::store::StoreError;

use super::{Settlement, pbx_settlement};
use crate::context::EngineContext;

pub async fn run(ctx: &EngineContext) -> Result<(), StoreError> {
    ctx.run_simple_worker(10, |job, record: CrmRecord| async move {
        handle(ctx, job, record).await
    })
    .await
}

pub fn remark_for(record: &CrmRecord) -> String {
    format!("crm:{}:{}", record.reference.module, record.reference.id)
}

async fn handle(ctx: &EngineContext, job: Job, record: CrmRecord) -> Result<(), StoreError> {
    let Some(book_name) = ctx.settings().phonebook.clone() else {
        return ctx.complete(&job, "contact sync is off").await;
    };
    match sync(ctx, &job.key, &book_name, &record).await {
        Ok(id) => ctx.complete(&job, &id).await,
        Err(settlement) => ctx.settle(&job, settlement).await,
    }
}

async fn sync(
    ctx: &EngineContext,
    key: &str,
    book_name: &str,
    record: &CrmRecord,
) -> Result<String, Settlement> {
    let book = phonebook_id(ctx, key, book_name).await?;
    let contact = to_pbx_contact(record, &book);
    if contact.numbers.is_empty() {
        return Err(Settlement::Fail(
            "the contact has no number the PBX accepts".into(),
        ));
    }
    let remark = remark_for(record);
    let mut existing = None;
    for (_, number) in &contact.numbers {
        let found = ctx
            .pbx
            .search_contacts(number)
            .await
            .map_err(|e| pbx_settlement(&e))?;
        if let Some(hit) = found
            .into_iter()
            .find(|c| c.remark.as_deref() == Some(remark.as_str()))
        {
            existing = hit.id;
            break;
        }
    }
    match existing {
        Some(id) => {
            let written = ctx.pbx.update_contact(&id, &contact).await;
            let audited = written.as_ref().map(|()| id.0.as_str());
            ctx.audit(audit_entry("update", key, audited)).await;
            written.map_err(|e| pbx_settlement(&e))?;
            tracing::info!(contact = %record.name, pbx_id = %id.0, "updated the PBX phonebook contact");
            Ok(id.0)
        }
        None => {
            let written = ctx.pbx.create_contact(&contact).await;
            let audited = written.as_ref().map(|id| id.0.as_str());
            ctx.audit(audit_entry("create", key, audited)).await;
            let id = written.map_err(|e| pbx_settlement(&e))?;
            tracing::info!(contact = %record.name, pbx_id = %id.0, "added the contact to the PBX phonebook");
            Ok(id.0)
        }
    }
}

async fn phonebook_id(
    ctx: &EngineContext,
    key: &str,
    name: &str,
) -> Result<PhonebookId, Settlement> {
    let books = ctx.pbx.phonebooks().await.map_err(|e| pbx_settlement(&e))?;
    if let Some(book) = books.into_iter().find(|b| b.name == name) {
        return Ok(book.id);
    }
    let created = ctx.pbx.create_phonebook(name).await;
    let audited = created.as_ref().map(|id| id.0.as_str());
    ctx.audit(audit_entry("create_phonebook", key, audited))
        .await;
    created.map_err(|e| match pbx_settlement(&e) {
        // Another node may have just created it: look again shortly.
        Settlement::Fail(reason) => Settlement::Release {
            reason,
            after: Duration::from_secs(5),
        },
        other => other,
    })
}

fn audit_entry(action: &str, key: &str, result: Result<&str, &PbxError>) -> AuditEntry {
    match result {
        Ok(id) => AuditEntry::ok(AuditSystem::Pbx, action, "phonebook", key, Some(id)),
        Err(e) => AuditEntry::failed(AuditSystem::Pbx, action, "phonebook", key, e.to_string()),
    }
}

/// The PBX takes digits, spaces and `( ) . - +`, at most 31 characters.
fn pbx_number(raw: &str) -> Option<String> {
    let kept: String = raw
        .chars()
        .filter(|c| c.is_ascii_digit() || " ().-+".contains(*c))
        .collect();
    let kept = kept.trim().to_owned();
    (kept.chars().any(|c| c.is_ascii_digit()) && kept.len() <= 31).then_some(kept)
}

fn to_pbx_contact(record: &CrmRecord, book: &PhonebookId) -> PbxContact {
    let (first, last) = match record.name.rsplit_once(' ') {
        Some((first, last)) => (first.to_owned(), Some(last.to_owned())),
        None => (record.name.clone(), None),
    };
    let kinds = [
        PbxNumberKind::Business,
        PbxNumberKind::Mobile,
        PbxNumberKind::Home,
        PbxNumberKind::Other,
    ];
    let numbers = record
        .phones
        .iter()
        .filter_map(|p| pbx_number(p))
        .zip(kinds)
        .map(|(n, k)| (k, n))
        .collect();
    PbxContact {
        id: None,
        first_name: first,
        last_name: last,
        company: record.company.clone(),
        email: record.email.clone(),
        numbers,
        remark: Some(remark_for(record)),
        phonebooks: vec![book.clone()],
    }
}
