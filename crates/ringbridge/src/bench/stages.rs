//! Where a pop's time goes: the steps of the pop path timed one by one on
//! the same world right after the end-to-end run — parsing the ringing
//! frame, writing it to the event journal (ingest does that after the pop,
//! in batches: timed here on its own), and the directory lookup of the
//! caller.
//! What remains of the end-to-end latency is hand-offs between tasks,
//! serialization and the SSE write.

use anyhow::{Context, Result};
use chrono::Utc;
use ringbridge_core::store::Store;
use serde::Serialize;
use tokio::time::Instant;

use super::calls::{CallTemplate, synthetic_number};
use super::stats::{Latency, Recorder};
use crate::world::World;

#[derive(Debug, Clone, Serialize)]
pub struct PopStages {
    pub parse: Latency,
    pub journal_write: Latency,
    pub directory_lookup: Latency,
}

pub async fn measure(
    world: &World,
    template: &CallTemplate,
    directory_numbers: u64,
    samples: u64,
) -> Result<PopStages> {
    let settings = world.pbx_sim.settings();
    let (mut parse, mut journal, mut lookup) = (Recorder::new(), Recorder::new(), Recorder::new());
    for i in 0..samples {
        let number = synthetic_number((i * 104_729) % directory_numbers.max(1));
        // Ids past the end-to-end run's, so nothing here touches its calls.
        let call = template.call(10_000_000 + i, &number)?;
        let frame = call
            .ring
            .first()
            .context("a ringing frame")?
            .envelope(&settings.serial, settings.msg_as_object)
            .to_string();

        let t = Instant::now();
        let event = ringbridge_yeastar::events::parse_event(&frame, chrono_tz::UTC)?
            .context("the ringing frame is an event ringbridge uses")?;
        parse.record(t.elapsed());

        let t = Instant::now();
        world
            .store
            .journal_event("bench-stages", Utc::now(), &event)
            .await?;
        journal.record(t.elapsed());

        let t = Instant::now();
        let found = world.directory.lookup(&number, None).await?;
        lookup.record(t.elapsed());
        if found.chosen.is_none() {
            anyhow::bail!("{number} is not in the directory");
        }
    }
    Ok(PopStages {
        parse: parse.summary(),
        journal_write: journal.summary(),
        directory_lookup: lookup.summary(),
    })
}
