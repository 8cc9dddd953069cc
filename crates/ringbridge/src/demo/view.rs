//! The demo's live view: one line per thing that happens to a call.

use std::sync::Arc;

use ringbridge_core::policy::{LoggingPolicy, Skip};
use ringbridge_core::tracker::CallUpdate;
use ringbridge_engine::directory::DirectoryService;
use ringbridge_engine::{Ingested, Origin};
use tokio::sync::mpsc;

/// Prints each change; ringing calls show who is calling, from the local
/// phone directory (no CRM request). An ended call says whether it goes to
/// the CRM by the logging policy the demo started with.
pub async fn live(
    mut updates: mpsc::Receiver<Ingested>,
    directory: Arc<DirectoryService>,
    logging: LoggingPolicy,
) {
    while let Some(Ingested { update, origin }) = updates.recv().await {
        let line = match update {
            CallUpdate::Ringing {
                call_id,
                extension,
                other_party,
                ..
            } => {
                let who = match other_party.as_deref() {
                    None => "internal".to_owned(),
                    Some(number) => match directory
                        .lookup(number, None)
                        .await
                        .ok()
                        .and_then(|l| l.chosen)
                    {
                        Some(entry) => {
                            format!("{number} ({}, {})", entry.name, entry.record.module)
                        }
                        None => format!("{number} (unknown)"),
                    },
                };
                format!("☎  {call_id}  ringing at ext {extension}  ← {who}")
            }
            CallUpdate::Answered {
                call_id, extension, ..
            } => format!("✆  {call_id}  answered by ext {extension}"),
            CallUpdate::RingStopped {
                call_id,
                extension,
                answered_elsewhere,
            } => {
                format!(
                    "·  {call_id}  ext {extension} stopped ringing{}",
                    if answered_elsewhere {
                        " (answered elsewhere)"
                    } else {
                        ""
                    }
                )
            }
            CallUpdate::Left { call_id, extension } => {
                format!("·  {call_id}  ext {extension} hung up")
            }
            CallUpdate::Failed { call_id, reason } => {
                format!("✗  {call_id}  failed at the PBX: {reason}")
            }
            CallUpdate::Ended(outcome) => format!(
                "■  {}  ended: {:?}, {}, talk {} s{} → {}",
                outcome.call_id,
                outcome.direction,
                if outcome.answered {
                    "answered"
                } else {
                    "not answered"
                },
                outcome.record.talk_s.unwrap_or(0),
                if origin == Origin::CatchUp {
                    " (caught up from CDR)"
                } else {
                    ""
                },
                destiny(&logging, &outcome),
            ),
        };
        println!("{line}");
    }
}

/// Where an ended call goes, in the words of the demo's view.
fn destiny(logging: &LoggingPolicy, outcome: &ringbridge_core::tracker::CallOutcome) -> String {
    match logging.decide(outcome) {
        Ok(_) => "queued for the CRM".to_owned(),
        Err(Skip::KindDisabled(kind)) => format!("not logged ({kind:?} calls are off)"),
        Err(Skip::TooShort { talk_s }) => format!("not logged (talk {talk_s} s is too short)"),
        Err(Skip::OutsideBusinessHours) => "not logged (outside business hours)".to_owned(),
    }
}
