//! Connections: a listener that caps open connections (`--web.max-connections`, as Prometheus)
//! and hands handlers a way to notice that their client hung up.
//!
//! hyper does not read from an HTTP/1 connection while a handler runs, so it drops the handler
//! only when writing the response fails: a client that gives up on a minute-long query would
//! leave it running to the end. The stream is therefore shared ([`Arc<TcpStream>`]) between hyper
//! and [`Peer::hung_up`], which peeks at it while the handler works: end of stream or a reset
//! means the client is gone, and the query is cancelled.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Prometheus' default for `--web.max-connections`.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// A TCP listener that accepts at most `max` connections at a time; further clients wait in the
/// kernel's backlog until one closes.
#[derive(Debug)]
pub struct LimitedListener {
    inner: TcpListener,
    slots: Arc<Semaphore>,
}

impl LimitedListener {
    /// Wraps `inner`; `max` 0 means no limit.
    pub fn new(inner: TcpListener, max: usize) -> Self {
        let max = if max == 0 { Semaphore::MAX_PERMITS } else { max };
        Self { inner, slots: Arc::new(Semaphore::new(max)) }
    }
}

impl axum::serve::Listener for LimitedListener {
    type Io = Conn;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Conn, SocketAddr) {
        loop {
            // The semaphore is never closed, so this only waits.
            let Ok(slot) = Arc::clone(&self.slots).acquire_owned().await else { continue };
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    // Small JSON answers should not wait for Nagle.
                    let _ = stream.set_nodelay(true);
                    return (Conn { stream: Arc::new(stream), _slot: slot }, addr);
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(e) => {
                    tracing::warn!(error = %e, "Accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// One accepted connection: the shared stream plus its slot under the connection limit.
#[derive(Debug)]
pub struct Conn {
    stream: Arc<TcpStream>,
    _slot: OwnedSemaphorePermit,
}

impl AsyncRead for Conn {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        loop {
            ready!(self.stream.poll_read_ready(cx))?;
            match self.stream.try_read(buf.initialize_unfilled()) {
                Ok(n) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                // Readiness was cleared by `try_read`; poll again to register for the next one.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        loop {
            ready!(self.stream.poll_write_ready(cx))?;
            match self.stream.try_write(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                other => return Poll::Ready(other),
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(socket2::SockRef::from(&*self.stream).shutdown(std::net::Shutdown::Write))
    }
}

/// The client of a request: its address and a handle on its connection.
#[derive(Debug, Clone)]
pub struct Peer {
    /// The client's address.
    pub addr: SocketAddr,
    stream: Option<Arc<TcpStream>>,
}

impl Peer {
    /// Resolves once the client has closed or reset the connection. Pending forever when that
    /// cannot be told: no socket (tests driving the router directly), or the client already sent
    /// its next request (pipelining), whose bytes hyper has not read yet.
    pub async fn hung_up(&self) {
        let Some(stream) = &self.stream else { return std::future::pending().await };
        let mut byte = [0u8; 1];
        match stream.peek(&mut byte).await {
            Ok(0) | Err(_) => {}
            Ok(_) => std::future::pending().await,
        }
    }
}

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, LimitedListener>> for Peer {
    fn connect_info(stream: axum::serve::IncomingStream<'_, LimitedListener>) -> Self {
        Self { addr: *stream.remote_addr(), stream: Some(Arc::clone(&stream.io().stream)) }
    }
}
