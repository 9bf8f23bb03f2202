//! Moving the request body from the connection to the blocking parser: [`pump`] reads frames on
//! the async side and [`ChannelReader`] turns them back into a [`std::io::Read`].

use axum::body::{Body, Bytes, HttpBody};
use std::io::{self, Read};
use std::pin::Pin;
use std::time::Duration;
use tokio::sync::mpsc;

/// One piece of the body, or why the body ended early.
pub(super) type Chunk = Result<Bytes, io::Error>;

/// What is still read and thrown away after the parser gave up, so that a client that is still
/// sending gets to read the error instead of a connection reset (Go's server drains 256 KiB).
const DRAIN_BYTES: usize = 4 << 20;

/// Forwards `body` into `tx` until it ends, the receiver goes away, or no bytes arrive for
/// `idle` (a stalled client must not hold its slot and buffers for ever). Once the receiver is
/// gone, up to [`DRAIN_BYTES`] more are read and dropped.
pub(super) async fn pump(mut body: Body, tx: mpsc::Sender<Chunk>, idle: Duration) {
    let mut draining = None;
    loop {
        let frame = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx));
        let item = match tokio::time::timeout(idle, frame).await {
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no request body bytes arrived for {}s", idle.as_secs()),
            )),
            Ok(None) => return,
            Ok(Some(Err(e))) => Err(io::Error::new(io::ErrorKind::ConnectionAborted, e.to_string())),
            Ok(Some(Ok(frame))) => match frame.into_data() {
                Ok(data) if data.is_empty() => continue,
                Ok(data) => Ok(data),
                // Trailers carry no samples.
                Err(_) => continue,
            },
        };
        if let Some(left) = &mut draining {
            match item {
                Ok(data) if data.len() < *left => *left -= data.len(),
                _ => return,
            }
            continue;
        }
        let failed = item.is_err();
        if failed {
            let _ = tx.send(item).await;
            return;
        }
        if tx.send(item).await.is_err() {
            draining = Some(DRAIN_BYTES);
        }
    }
}

/// A blocking reader over the chunks [`pump`] sends; must be used off the async threads.
pub(super) struct ChannelReader {
    rx: mpsc::Receiver<Chunk>,
    current: Bytes,
}

impl ChannelReader {
    pub(super) fn new(rx: mpsc::Receiver<Chunk>) -> Self {
        Self { rx, current: Bytes::new() }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                None => return Ok(0),
                Some(Ok(data)) => self.current = data,
                Some(Err(e)) => return Err(e),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}
