//! `company_contact/list|search|get|create|update|delete` (docs/yeastar-api.md §10).

use serde_json::Value;

use super::Ctx;
use crate::codes::{ApiError, ApiResult, Reply};
use crate::contacts::ContactInput;

const SORTABLE: &[&str] = &[
    "id",
    "contact_name",
    "company",
    "email",
    "business",
    "mobile",
    "home",
    "business_fax",
];

/// `GET company_contact/list`.
pub fn list(ctx: &Ctx) -> ApiResult {
    let paging = ctx.paging(SORTABLE)?;
    let st = ctx.shared.lock();
    let rows = st
        .book
        .contacts()
        .iter()
        .map(|c| st.book.contact_row(c))
        .collect();
    Ok(paging.reply(rows, str::to_owned))
}

/// `GET company_contact/search?search_value=`.
pub fn search(ctx: &Ctx) -> ApiResult {
    let paging = ctx.paging(SORTABLE)?;
    let needle = ctx.q("search_value").unwrap_or_default();
    let st = ctx.shared.lock();
    let rows: Vec<Value> = st
        .book
        .contacts()
        .iter()
        .filter(|c| st.book.matches(c, needle))
        .map(|c| st.book.contact_row(c))
        .collect();
    Ok(paging.reply(rows, str::to_owned))
}

/// `GET company_contact/get?id=`.
pub fn get(ctx: &Ctx) -> ApiResult {
    let id = ctx.q_id("id")?;
    let st = ctx.shared.lock();
    let c = st.book.contact(id).ok_or(ApiError::ContactNotExisted)?;
    Ok(Reply::ok().with("data", st.book.contact_detail(c)))
}

/// `POST company_contact/create` → `id`.
pub fn create(ctx: &Ctx) -> ApiResult {
    let mut input: ContactInput = ctx.json()?;
    // The PBX assigns ids; a stray `id` in the body is ignored.
    input.id = None;
    let id = ctx.shared.lock().book.create_contact(input)?;
    Ok(Reply::ok().with("id", id))
}

/// `POST company_contact/update`.
pub fn update(ctx: &Ctx) -> ApiResult {
    let input: ContactInput = ctx.json()?;
    ctx.shared.lock().book.update_contact(input)?;
    Ok(Reply::ok())
}

/// `GET company_contact/delete?id=`.
pub fn delete(ctx: &Ctx) -> ApiResult {
    let id = ctx.q_id("id")?;
    ctx.shared.lock().book.delete_contact(id)?;
    Ok(Reply::ok())
}
