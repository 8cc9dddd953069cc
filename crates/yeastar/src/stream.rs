//! A `Stream` over an mpsc receiver that optionally owns the task feeding it.
//! [`BatchStream`]: the same over a receiver of batches, item by item.

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

/// Items that travel in batches (one channel message per batch read from
/// the socket), handed out one by one.
pub(crate) struct BatchStream {
    rx: mpsc::Receiver<Vec<EventSourceItem>>,
    batch: std::vec::IntoIter<EventSourceItem>,
    /// Aborted when the stream is dropped.
    task: JoinHandle<()>,
}

impl BatchStream {
    pub fn new(rx: mpsc::Receiver<Vec<EventSourceItem>>, task: JoinHandle<()>) -> Self {
        Self {
            rx,
            batch: Vec::new().into_iter(),
            task,
        }
    }
}

impl Stream for BatchStream {
    type Item = EventSourceItem;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(item) = self.batch.next() {
                return Poll::Ready(Some(item));
            }
            match self.rx.poll_recv(cx) {
                Poll::Ready(Some(batch)) => self.batch = batch.into_iter(),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl Drop for BatchStream {
    fn drop(&mut self) {
        self.task.abort();
    }
}
