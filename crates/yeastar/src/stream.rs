//! A `Stream` over an mpsc receiver that optionally owns the task feeding it.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use ringbridge_core::pbx::EventSourceItem;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub(crate) struct ItemStream {
    rx: mpsc::Receiver<EventSourceItem>,
    /// Aborted when the stream is dropped.
    task: Option<JoinHandle<()>>,
}

impl ItemStream {
    pub fn new(rx: mpsc::Receiver<EventSourceItem>, task: Option<JoinHandle<()>>) -> Self {
        Self { rx, task }
    }
}

impl Stream for ItemStream {
    type Item = EventSourceItem;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

impl Drop for ItemStream {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}
