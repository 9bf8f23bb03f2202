//! The HTTP side of a scrape: one `reqwest::Client` per pool, one GET per scrape.
//!
//! The body is streamed into a buffer the loop reuses across scrapes, so a steady target causes no
//! allocation here; `body_size_limit` is enforced on the decompressed bytes while streaming.

use crate::pool_config::{HttpConfig, PoolConfig, Secret};
use crate::{Error, Result};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use std::time::Duration;

/// The `User-Agent` of every scrape.
pub const USER_AGENT_VALUE: &str = concat!("Vigil/", env!("CARGO_PKG_VERSION"));

/// Performs scrapes for one pool.
#[derive(Debug)]
pub(crate) struct Fetcher {
    /// Set while the pool is over its `target_limit`: every scrape fails with it.
    forced_error: parking_lot::Mutex<Option<String>>,
    client: reqwest::Client,
    http: HttpConfig,
    body_size_limit: u64,
    job: String,
    accept: HeaderValue,
}

impl Fetcher {
    pub fn new(cfg: &PoolConfig) -> Result<Self> {
        let bad = |message: String| Error::Config { job: cfg.job_name.clone(), message };
        let http = &cfg.http;
        let mut b = reqwest::Client::builder().user_agent(USER_AGENT_VALUE);
        b = b.redirect(if http.follow_redirects {
            reqwest::redirect::Policy::limited(10)
        } else {
            reqwest::redirect::Policy::none()
        });
        if !http.enable_http2 {
            b = b.http1_only();
        }
        if !http.enable_compression {
            b = b.no_gzip();
        }
        let tls = &http.tls;
        let read = |inline: &Option<String>, file: &Option<std::path::PathBuf>| -> Result<Option<Vec<u8>>> {
            if let Some(s) = inline {
                return Ok(Some(s.as_bytes().to_vec()));
            }
            match file {
                Some(path) => {
                    std::fs::read(path).map(Some).map_err(|e| bad(format!("reading {}: {e}", path.display())))
                }
                None => Ok(None),
            }
        };
        if let Some(ca) = read(&tls.ca, &tls.ca_file)? {
            let certs =
                reqwest::Certificate::from_pem_bundle(&ca).map_err(|e| bad(format!("invalid CA certificate: {e}")))?;
            for cert in certs {
                b = b.add_root_certificate(cert);
            }
        }
        match (read(&tls.cert, &tls.cert_file)?, read(&tls.key, &tls.key_file)?) {
            (Some(mut cert), Some(key)) => {
                cert.push(b'\n');
                cert.extend_from_slice(&key);
                let id = reqwest::Identity::from_pem(&cert)
                    .map_err(|e| bad(format!("invalid client certificate or key: {e}")))?;
                b = b.identity(id);
            }
            (None, None) => {}
            _ => return Err(bad("tls_config needs both a client certificate and a key".to_owned())),
        }
        if tls.insecure_skip_verify {
            b = b.tls_danger_accept_invalid_certs(true);
        }
        let client = b.build().map_err(|e| bad(format!("building HTTP client: {e}")))?;
        let accept =
            HeaderValue::from_str(&cfg.accept).map_err(|_| bad(format!("invalid Accept header {:?}", cfg.accept)))?;
        Ok(Self {
            forced_error: parking_lot::Mutex::new(None),
            client,
            http: http.clone(),
            body_size_limit: cfg.body_size_limit,
            job: cfg.job_name.clone(),
            accept,
        })
    }

    /// GETs `url` into `buf` (cleared first) within `timeout_ms`; returns the Content-Type.
    pub async fn fetch(&self, url: &str, timeout_ms: i64, buf: &mut Vec<u8>) -> Result<Option<String>> {
        buf.clear();
        if let Some(e) = self.forced_error.lock().clone() {
            return Err(Error::TargetLimit(e));
        }
        let timeout = Duration::from_millis(timeout_ms.max(1) as u64);
        match tokio::time::timeout(timeout, self.fetch_inner(url, timeout, buf)).await {
            Ok(r) => r,
            Err(_) => Err(Error::Timeout { url: url.to_owned(), timeout_ms }),
        }
    }

    /// Makes every scrape of the pool fail with `error` (or succeed again with `None`).
    pub fn set_forced_error(&self, error: Option<String>) {
        *self.forced_error.lock() = error;
    }

    async fn fetch_inner(&self, url: &str, timeout: Duration, buf: &mut Vec<u8>) -> Result<Option<String>> {
        let mut req = self
            .client
            .get(url)
            .header(ACCEPT, self.accept.clone())
            .header("X-Prometheus-Scrape-Timeout-Seconds", format!("{}", timeout.as_secs_f64()));
        if let Some(auth) = &self.http.basic_auth {
            let password = match &auth.password {
                Some(s) => Some(self.secret(s).await?),
                None => None,
            };
            req = req.basic_auth(&auth.username, password);
        }
        if let Some(auth) = &self.http.authorization
            && let Some(c) = &auth.credentials
        {
            let value = format!("{} {}", auth.kind, self.secret(c).await?);
            let mut value = HeaderValue::from_str(&value)
                .map_err(|_| Error::Http("authorization credentials are not a valid header value".into()))?;
            value.set_sensitive(true);
            req = req.header(AUTHORIZATION, value);
        }
        let mut resp = req.send().await.map_err(|e| http_error(url, &e))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(Error::Status(status.to_string()));
        }
        let content_type = resp.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let limit = self.body_size_limit;
        while let Some(chunk) = resp.chunk().await.map_err(|e| http_error(url, &e))? {
            if limit > 0 && (buf.len() + chunk.len()) as u64 > limit {
                return Err(Error::BodySizeLimit { limit });
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(content_type)
    }

    async fn secret(&self, s: &Secret) -> Result<String> {
        match s {
            Secret::Inline(v) => Ok(v.clone()),
            Secret::File(path) => match tokio::fs::read_to_string(path).await {
                Ok(v) => Ok(v.trim().to_owned()),
                Err(e) => {
                    Err(Error::Config { job: self.job.clone(), message: format!("reading {}: {e}", path.display()) })
                }
            },
        }
    }
}

/// Formats like Go's `Get "url": cause`, with the innermost causes appended.
fn http_error(url: &str, e: &reqwest::Error) -> Error {
    let mut msg = format!("Get \"{url}\": {e}");
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    Error::Http(msg)
}
