//! A minimal HTTP/1.1 client for loopback requests: one connection per request.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, header};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::Planned;
use crate::{Error, Result};

/// Largest response body read back; the demo's are a few hundred bytes.
const MAX_BODY: usize = 1 << 20;

/// Sends `request` to `target` and returns the response status once the body is read.
pub(super) async fn send(target: SocketAddr, request: &Planned, timeout: Duration) -> Result<u16> {
    let path = request.path;
    tokio::time::timeout(timeout, exchange(target, request))
        .await
        .map_err(|_| Error::Traffic { path, detail: format!("timed out after {timeout:?}") })?
}

async fn exchange(target: SocketAddr, planned: &Planned) -> Result<u16> {
    let path = planned.path;
    let fail = |detail: String| Error::Traffic { path, detail };
    let stream = TcpStream::connect(target).await.map_err(|e| fail(format!("connect to {target}: {e}")))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| fail(format!("handshake: {e}")))?;
    // The connection task ends once the exchange is over and `sender` is dropped.
    tokio::spawn(connection);
    let body = planned.body.clone().map(Body::from).unwrap_or_else(Body::empty);
    let request = Request::builder()
        .method(planned.method.clone())
        .uri(path)
        .header(header::HOST, target.to_string())
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::USER_AGENT, "vigil-demo-traffic")
        .body(body)
        .map_err(|e| fail(format!("build request: {e}")))?;
    let response = sender.send_request(request).await.map_err(|e| fail(format!("send: {e}")))?;
    let status = response.status().as_u16();
    axum::body::to_bytes(Body::new(response.into_body()), MAX_BODY)
        .await
        .map_err(|e| fail(format!("read body: {e}")))?;
    Ok(status)
}
