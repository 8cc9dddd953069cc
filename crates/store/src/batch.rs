//! Many rows in few statements. A burst of PBX frames, or of call ends,
//! used to be one `INSERT` per row: on PostgreSQL one round trip each, on
//! SQLite one hop to the connection's worker thread each. Rows now go in
//! multi-row `INSERT`s whose sizes are powers of two, so a handful of
//! statement shapes stay prepared on every connection whatever the burst.
//! On PostgreSQL, where each statement is a round trip, a burst is one
//! statement instead: its rows as one JSON array, unpacked by the server
//! (`json_to_recordset`), committed on its own.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use ringbridge_core::pbx::PbxEvent;
use ringbridge_core::store::StoreError;
use sqlx::Row;

use crate::sql::{Backend, db_err, millis};

/// Rows per statement at most, on SQLite. Its statements take anonymous
/// `?` parameters: sqlx binds a named one (`$N`) by asking SQLite for each
/// parameter's name, a linear search of the statement's names, so binding
/// cost grew with the square of the rows. Anonymous ones bind in order at
/// a constant cost each, so a whole burst fits in a few statements (256
/// rows: at most 1,536 parameters, far below SQLite's limit of 32,766).
const MAX_ROWS: usize = 256;

/// `n` rows as statement sizes: powers of two, largest first.
fn sizes(mut n: usize) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        if n == 0 {
            return None;
        }
        let size = MAX_ROWS.min(1 << n.ilog2());
        n -= size;
        Some(size)
    })
}

/// `head` then `size` copies of `row` separated by commas, then `tail`.
fn multi_row(head: &str, row: &str, size: usize, tail: &str) -> String {
    let mut text = String::with_capacity(head.len() + size * (row.len() + 2) + tail.len());
    text.push_str(head);
    for r in 0..size {
        if r > 0 {
            text.push_str(", ");
        }
        text.push_str(row);
    }
    text.push_str(tail);
    text
}

/// The text of each statement size, built once: `shapes[log2(size)]`.
struct Shapes(std::sync::OnceLock<Vec<String>>);

impl Shapes {
    const fn new() -> Self {
        Self(std::sync::OnceLock::new())
    }

    fn get(&self, size: usize, build: impl Fn(usize) -> String) -> &str {
        let all = self
            .0
            .get_or_init(|| (0..=MAX_ROWS.ilog2()).map(|log| build(1 << log)).collect());
        &all[size.ilog2() as usize]
    }
}

static JOURNAL_SQL: Shapes = Shapes::new();
static ENQUEUE_SQL: Shapes = Shapes::new();

/// Appends events to the journal in one transaction.
pub(crate) async fn journal(
    pool: &sqlx::AnyPool,
    backend: Backend,
    pbx: &str,
    events: &[(DateTime<Utc>, PbxEvent)],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let mut payloads = Vec::with_capacity(events.len());
    for (_, event) in events {
        payloads.push(
            serde_json::to_string(event)
                .map_err(|e| StoreError::Corrupt(ringbridge_core::cause::Cause::new(e)))?,
        );
    }
    if backend == Backend::Postgres {
        let rows: Vec<_> = events
            .iter()
            .zip(&payloads)
            .map(|((at, event), payload)| JournalRow {
                at: millis(*at),
                call_id: event.call_id().map(|c| c.as_str()),
                kind: event.kind(),
                payload,
            })
            .collect();
        // Diagnostic only: its commit need not wait for the disk (see
        // `crate::commit` for what a server crash can lose, and why no call).
        sqlx::query(concat!(
            crate::commit::unsynced!(),
            "INSERT INTO pbx_event_journal (pbx, received_at, call_id, kind, payload)
             SELECT $1, r.at, r.call_id, r.kind, r.payload
             FROM unsynced, ROWS FROM (json_to_recordset($2::json) AS (at bigint, call_id text, kind text, payload text))
                  WITH ORDINALITY AS r(at, call_id, kind, payload, n)
             ORDER BY r.n",
        ))
        .bind(pbx)
        .bind(encode(&rows)?)
        .execute(pool)
        .await
        .map_err(db_err)?;
        return Ok(());
    }
    let mut tx = pool.begin().await.map_err(db_err)?;
    let mut at = 0;
    for size in sizes(events.len()) {
        let sql = JOURNAL_SQL.get(size, |size| {
            multi_row(
                "INSERT INTO pbx_event_journal (pbx, received_at, call_id, kind, payload) VALUES ",
                "(?, ?, ?, ?, ?)",
                size,
                "",
            )
        });
        let mut query = sqlx::query(sql);
        for ((received_at, event), payload) in events[at..at + size].iter().zip(&payloads[at..]) {
            query = query
                .bind(pbx)
                .bind(millis(*received_at))
                .bind(event.call_id().map(|c| c.as_str()))
                .bind(event.kind())
                .bind(payload.as_str());
        }
        query.execute(&mut *tx).await.map_err(db_err)?;
        at += size;
    }
    tx.commit().await.map_err(db_err)
}

#[derive(serde::Serialize)]
struct JournalRow<'a> {
    at: i64,
    call_id: Option<&'a str>,
    kind: &'a str,
    payload: &'a str,
}

fn encode(rows: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(rows)
        .map_err(|e| StoreError::Corrupt(ringbridge_core::cause::Cause::new(e)))
}

/// One job to insert: key, payload, due.
#[derive(serde::Serialize)]
pub(crate) struct JobRow<'a> {
    pub key: &'a str,
    pub payload: &'a str,
    /// Epoch milliseconds.
    pub due: i64,
}

/// Inserts pending jobs of `kind` in one transaction, leaving any job with
/// the same kind and key as it is; says, per job, whether it was added (a
/// key repeated within `jobs`: its first job only).
pub(crate) async fn enqueue(
    pool: &sqlx::AnyPool,
    backend: Backend,
    kind: &str,
    jobs: &[JobRow<'_>],
) -> Result<Vec<bool>, StoreError> {
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    let now = millis(Utc::now());
    let mut inserted: HashSet<String> = HashSet::with_capacity(jobs.len());
    if backend == Backend::Postgres {
        // Rows in their order (ids follow it, and claims go by id); a
        // key repeated within the burst conflicts with its first row.
        let rows = sqlx::query(
            "INSERT INTO outbox (kind, key, payload, status, attempts, created_at, next_attempt_at, updated_at)
             SELECT $1, r.key, r.payload, 'pending', 0, $2, r.due, $2
             FROM ROWS FROM (json_to_recordset($3::json) AS (key text, payload text, due bigint))
                  WITH ORDINALITY AS r(key, payload, due, n)
             ORDER BY r.n
             ON CONFLICT (kind, key) DO NOTHING RETURNING key",
        )
        .bind(kind)
        .bind(now)
        .bind(encode(&jobs)?)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
        for row in rows {
            inserted.insert(row.try_get(0).map_err(db_err)?);
        }
        return Ok(jobs.iter().map(|job| inserted.remove(job.key)).collect());
    }
    let mut tx = pool.begin().await.map_err(db_err)?;
    let mut at = 0;
    for size in sizes(jobs.len()) {
        let sql = ENQUEUE_SQL.get(size, |size| {
            multi_row(
                "INSERT INTO outbox (kind, key, payload, status, attempts, created_at, next_attempt_at, updated_at) VALUES ",
                "(?, ?, ?, 'pending', 0, ?, ?, ?)",
                size,
                " ON CONFLICT (kind, key) DO NOTHING RETURNING key",
            )
        });
        let mut query = sqlx::query(sql);
        for job in &jobs[at..at + size] {
            query = query
                .bind(kind)
                .bind(job.key)
                .bind(job.payload)
                .bind(now)
                .bind(job.due)
                .bind(now);
        }
        for row in query.fetch_all(&mut *tx).await.map_err(db_err)? {
            inserted.insert(row.try_get(0).map_err(db_err)?);
        }
        at += size;
    }
    tx.commit().await.map_err(db_err)?;
    // The first job of an inserted key is the one that was added.
    Ok(jobs.iter().map(|job| inserted.remove(job.key)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_powers_of_two_covering_the_rows() {
        for n in [0, 1, 2, 3, 7, 255, 256, 257, 1000, 1024, 5000] {
            let parts: Vec<usize> = sizes(n).collect();
            assert_eq!(parts.iter().sum::<usize>(), n, "{n}");
            assert!(
                parts.iter().all(|s| s.is_power_of_two() && *s <= MAX_ROWS),
                "{parts:?}"
            );
            assert!(parts.windows(2).all(|w| w[0] >= w[1]), "{parts:?}");
        }
        assert_eq!(sizes(7).collect::<Vec<_>>(), [4, 2, 1]);
    }

    #[test]
    fn statements_repeat_their_row_per_size() {
        assert_eq!(multi_row("V ", "(?, ?)", 2, " R"), "V (?, ?), (?, ?) R");
        let shapes = Shapes::new();
        for size in [1, 2, 4, MAX_ROWS] {
            let sql = shapes.get(size, |size| multi_row("", "(?)", size, ""));
            assert_eq!(sql.matches("(?)").count(), size);
        }
    }
}
