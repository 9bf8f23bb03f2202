//! Who is asking: the client's address for the query log, and its connection, watched while a
//! handler works so that a client that hangs up cancels what it asked for.

use crate::conn::Peer;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use vigil_promql::QueryOrigin;
use vigil_storage::Cancel;

/// Cancels the query when the client hangs up (watched by a task on its connection) or when the
/// handler is dropped, and stops the watcher when the query is over.
pub(crate) struct CancelGuard {
    cancel: Arc<AtomicBool>,
    watcher: Option<tokio::task::JoinHandle<()>>,
}

impl CancelGuard {
    pub(crate) fn new(cancel: &Arc<AtomicBool>, peer: Option<Peer>) -> Self {
        let watcher = peer.map(|peer| {
            let cancel = Arc::clone(cancel);
            tokio::spawn(async move {
                peer.hung_up().await;
                cancel.store(true, Ordering::Relaxed);
            })
        });
        Self { cancel: Arc::clone(cancel), watcher }
    }
}

impl Drop for CancelGuard {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
        if let Some(w) = self.watcher.take() {
            w.abort();
        }
    }
}

/// Who sent the request: its address, method and path for the query log, and its connection, to
/// cancel the query when the client hangs up.
pub(crate) struct Client {
    pub(crate) origin: QueryOrigin,
    peer: Option<Peer>,
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Absent when the router is driven without a socket (unit tests).
        let peer = parts.extensions.get::<ConnectInfo<Peer>>().map(|ConnectInfo(p)| p.clone());
        let client_ip = peer.as_ref().map_or_else(String::new, |p| p.addr.ip().to_string());
        let origin =
            QueryOrigin::Http { client_ip, method: parts.method.to_string(), path: parts.uri.path().to_owned() };
        Ok(Self { origin, peer })
    }
}

impl Client {
    /// The client's connection, if the router runs on a socket.
    pub(crate) fn peer(&self) -> Option<Peer> {
        self.peer.clone()
    }

    /// A storage cancellation token that fires when the client hangs up or `timeout` passes,
    /// and the guard that watches the connection until it is dropped.
    pub(crate) fn storage_cancel(&self, timeout: Duration) -> (Cancel, CancelGuard) {
        let flag = Arc::new(AtomicBool::new(false));
        let guard = CancelGuard::new(&flag, self.peer());
        (Cancel::new(Some(flag), Instant::now().checked_add(timeout)), guard)
    }
}
