//! The REST endpoints ringbridge uses, one file per resource, as methods on
//! [`YeastarClient`](crate::YeastarClient).

pub mod calls;
pub mod cdr;
pub mod contacts;
pub mod extensions;
pub mod recordings;
pub mod system;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::client::YeastarClient;
use crate::error::{ApiError, Result, YeastarError};
use crate::wire::WireU32;

/// The documented maximum page size for CDR and contact listings.
pub const MAX_PAGE_SIZE: u32 = 10_000;

/// A safety stop for a PBX that keeps answering full pages.
pub(crate) const MAX_PAGES: u32 = 10_000;

/// A list/search answer: `total_number` and `data` (absent when empty).
#[derive(Debug, Deserialize)]
pub(crate) struct Page<T> {
    #[serde(default)]
    pub total_number: Option<WireU32>,
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
}

/// An answer whose only content is `errcode`/`errmsg`.
#[derive(Debug, Deserialize)]
pub(crate) struct Done {}

/// An answer carrying the id of what was created.
#[derive(Debug, Deserialize)]
pub(crate) struct Created {
    pub id: crate::wire::WireText,
}

impl YeastarClient {
    /// Every row of a paged listing. `60001 DATA NOT FOUND` means empty.
    pub(crate) async fn get_all<T: DeserializeOwned>(
        &self,
        endpoint: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<T>> {
        let page_size = self.config().page_size.clamp(1, MAX_PAGE_SIZE);
        let mut rows = Vec::new();
        for page in 1..=MAX_PAGES {
            let mut q = query.to_vec();
            q.push(("page", page.to_string()));
            q.push(("page_size", page_size.to_string()));
            let answer: Page<T> = match self.get(endpoint, &q).await {
                Err(YeastarError::Api(ApiError::DataNotFound(_))) => return Ok(rows),
                other => other?,
            };
            let got = answer.data.len();
            rows.extend(answer.data);
            // Trust `total_number` when given (the PBX may cap the page size
            // below ours); otherwise a short page is the last one.
            let done = match answer.total_number.and_then(|t| t.0) {
                Some(total) => got == 0 || rows.len() >= total as usize,
                None => got < page_size as usize,
            };
            if done {
                return Ok(rows);
            }
        }
        tracing::warn!(endpoint, "stopped paging after {MAX_PAGES} pages");
        Ok(rows)
    }
}

/// Parses a numeric id we are about to send (`PbxContactId`, `PhonebookId`
/// are strings in core, integers on the wire).
pub(crate) fn numeric_id(kind: &str, id: &str) -> Result<i64> {
    id.trim()
        .parse()
        .map_err(|_| YeastarError::Invalid(format!("{kind} id {id:?} is not a Yeastar id")))
}
