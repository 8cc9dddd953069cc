//! `phonebook/list|search|get|create|update|delete` (docs/yeastar-api.md §10).

use serde::Deserialize;
use serde_json::Value;

use super::Ctx;
use crate::codes::{ApiError, ApiResult, Reply};

fn member_select(s: Option<&str>) -> Result<Option<bool>, ApiError> {
    match s {
        None => Ok(None),
        Some("sel_all") => Ok(Some(true)),
        Some("sel_specific") => Ok(Some(false)),
        Some(_) => Err(ApiError::ParameterError),
    }
}

/// `GET phonebook/list`.
pub fn list(ctx: &Ctx) -> ApiResult {
    let paging = ctx.paging(&["id", "name"])?;
    let st = ctx.shared.lock();
    let rows = st
        .book
        .phonebooks()
        .iter()
        .map(|b| st.book.book_row(b))
        .collect();
    Ok(paging.reply(rows, str::to_owned))
}

/// `GET phonebook/search?search_value=`.
pub fn search(ctx: &Ctx) -> ApiResult {
    let paging = ctx.paging(&["id", "name"])?;
    let needle = ctx.q("search_value").unwrap_or_default().to_lowercase();
    let st = ctx.shared.lock();
    let rows: Vec<Value> = st
        .book
        .phonebooks()
        .iter()
        .filter(|b| b.name.to_lowercase().contains(&needle))
        .map(|b| st.book.book_row(b))
        .collect();
    Ok(paging.reply(rows, str::to_owned))
}

/// `GET phonebook/get?id=` → `id`, `name`, `member_select`, `contacts_list`, `total`.
pub fn get(ctx: &Ctx) -> ApiResult {
    let id = ctx.q_id("id")?;
    let st = ctx.shared.lock();
    let b = st.book.phonebook(id).ok_or(ApiError::PhonebookNotExisted)?;
    let contacts: Vec<Value> = st
        .book
        .book_members(b)
        .iter()
        .filter_map(|c| st.book.contact(*c))
        .map(|c| st.book.contact_row(c))
        .collect();
    let mut data = st.book.book_row(b);
    data["contacts_list"] = Value::Array(contacts);
    Ok(Reply::ok().with("data", data))
}

#[derive(Deserialize)]
struct Create {
    name: String,
    member_select: Option<String>,
    #[serde(default)]
    add_contacts_id_list: Vec<u64>,
}

/// `POST phonebook/create` → `id`.
pub fn create(ctx: &Ctx) -> ApiResult {
    let body: Create = ctx.json()?;
    let all = member_select(body.member_select.as_deref())?.unwrap_or(false);
    let id = ctx
        .shared
        .lock()
        .book
        .create_book(&body.name, all, &body.add_contacts_id_list)?;
    Ok(Reply::ok().with("id", id))
}

#[derive(Deserialize)]
struct Update {
    id: u64,
    name: Option<String>,
    member_select: Option<String>,
    #[serde(default)]
    add_contacts_id_list: Vec<u64>,
    #[serde(default)]
    del_contacts_id_list: Vec<u64>,
}

/// `POST phonebook/update`.
pub fn update(ctx: &Ctx) -> ApiResult {
    let body: Update = ctx.json()?;
    let all = member_select(body.member_select.as_deref())?;
    ctx.shared.lock().book.update_book(
        body.id,
        body.name.as_deref(),
        all,
        &body.add_contacts_id_list,
        &body.del_contacts_id_list,
    )?;
    Ok(Reply::ok())
}

/// `GET phonebook/delete?id=`.
pub fn delete(ctx: &Ctx) -> ApiResult {
    let id = ctx.q_id("id")?;
    ctx.shared.lock().book.delete_book(id)?;
    Ok(Reply::ok())
}
