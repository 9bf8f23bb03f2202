//! HTTP client settings shared by scrape configs, SD configs, alertmanagers and remote storage.
//!
//! Prometheus inlines these fields into each owner; serde cannot combine `flatten` with
//! `deny_unknown_fields`, so `http_client_fields!` pastes them into
//! each owning struct and generates `http_client()` / `validate_http()` for it.

use crate::types::Secret;
use serde::{Deserialize, Serialize};

/// `basic_auth`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    /// User name.
    #[serde(default)]
    pub username: String,
    /// Password (redacted when serialized).
    #[serde(default, skip_serializing_if = "Secret::is_empty")]
    pub password: Secret,
    /// File holding the password.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub password_file: String,
}

/// `authorization`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Authorization {
    /// Scheme; `Bearer` when empty.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// Credentials (redacted when serialized).
    #[serde(default, skip_serializing_if = "Secret::is_empty")]
    pub credentials: Secret,
    /// File holding the credentials.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub credentials_file: String,
}

/// `tls_config`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// Inline CA certificate (PEM).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ca: String,
    /// CA certificate file.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ca_file: String,
    /// Inline client certificate (PEM).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cert: String,
    /// Client certificate file.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cert_file: String,
    /// Inline client key (redacted when serialized).
    #[serde(default, skip_serializing_if = "Secret::is_empty")]
    pub key: Secret,
    /// Client key file.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key_file: String,
    /// Expected server name (SNI).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub server_name: String,
    /// Skip certificate verification.
    #[serde(default)]
    pub insecure_skip_verify: bool,
    /// Minimum TLS version: `TLS10`, `TLS11`, `TLS12` or `TLS13`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub min_version: String,
    /// Maximum TLS version.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub max_version: String,
}

const TLS_VERSIONS: [&str; 4] = ["TLS10", "TLS11", "TLS12", "TLS13"];

impl TlsConfig {
    /// Prometheus' checks on a TLS block.
    pub fn validate(&self) -> Result<(), String> {
        let both = |a: &str, b: &str, what: &str| {
            if !a.is_empty() && !b.is_empty() {
                Err(format!("at most one of {what} and {what}_file must be configured"))
            } else {
                Ok(())
            }
        };
        both(&self.ca, &self.ca_file, "ca")?;
        both(&self.cert, &self.cert_file, "cert")?;
        both(self.key.expose(), &self.key_file, "key")?;
        let has_cert = !self.cert.is_empty() || !self.cert_file.is_empty();
        let has_key = !self.key.is_empty() || !self.key_file.is_empty();
        if has_cert && !has_key {
            return Err(
                "exactly one of key or key_file must be configured when a client certificate is configured".into()
            );
        }
        if has_key && !has_cert {
            return Err("exactly one of cert or cert_file must be configured when a client key is configured".into());
        }
        for v in [&self.min_version, &self.max_version] {
            if !v.is_empty() && !TLS_VERSIONS.contains(&v.as_str()) {
                return Err(format!("unknown TLS version: {v}"));
            }
        }
        Ok(())
    }
}

/// The HTTP client settings of one owner, after validation (bearer tokens moved into
/// `authorization`, its type defaulted to `Bearer`).
#[derive(Debug, Clone, PartialEq)]
pub struct HttpClientConfig {
    /// `basic_auth`.
    pub basic_auth: Option<BasicAuth>,
    /// `authorization`.
    pub authorization: Option<Authorization>,
    /// `tls_config`.
    pub tls_config: TlsConfig,
    /// `proxy_url` (empty = none).
    pub proxy_url: String,
    /// `follow_redirects`.
    pub follow_redirects: bool,
    /// `enable_http2`.
    pub enable_http2: bool,
}

/// Shared validation: Prometheus' `HTTPClientConfig.Validate`, which also rewrites legacy bearer
/// tokens into `authorization`.
pub(crate) fn validate_http(
    basic_auth: &Option<BasicAuth>,
    authorization: &mut Option<Authorization>,
    bearer_token: &mut Secret,
    bearer_token_file: &mut String,
    tls: &TlsConfig,
    proxy_url: &str,
) -> Result<(), String> {
    let has_bearer = !bearer_token.is_empty() || !bearer_token_file.is_empty();
    if !bearer_token.is_empty() && !bearer_token_file.is_empty() {
        return Err("at most one of bearer_token & bearer_token_file must be configured".into());
    }
    if basic_auth.is_some() && has_bearer {
        return Err("at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured".into());
    }
    if let Some(b) = basic_auth
        && !b.password.is_empty()
        && !b.password_file.is_empty()
    {
        return Err("at most one of basic_auth password & password_file must be configured".into());
    }
    match authorization {
        Some(a) => {
            if has_bearer {
                return Err("authorization is not compatible with bearer_token & bearer_token_file".into());
            }
            if !a.credentials.is_empty() && !a.credentials_file.is_empty() {
                return Err("at most one of authorization credentials & credentials_file must be configured".into());
            }
            a.kind = a.kind.trim().to_owned();
            if a.kind.is_empty() {
                a.kind = "Bearer".into();
            }
            if a.kind.eq_ignore_ascii_case("basic") {
                return Err(r#"authorization type cannot be set to "basic", use "basic_auth" instead"#.into());
            }
            if basic_auth.is_some() {
                return Err("at most one of basic_auth, oauth2 & authorization must be configured".into());
            }
        }
        None if has_bearer => {
            *authorization = Some(Authorization {
                kind: "Bearer".into(),
                credentials: std::mem::take(bearer_token),
                credentials_file: std::mem::take(bearer_token_file),
            });
        }
        None => {}
    }
    tls.validate()?;
    if !proxy_url.is_empty() {
        crate::url::check_url(proxy_url).map_err(|e| format!("invalid proxy_url: {e}"))?;
    }
    Ok(())
}

pub(crate) fn yes() -> bool {
    true
}

/// Defines a struct with the given fields plus Prometheus' inlined HTTP client fields, and
/// `http_client()` / `validate_http()` for it.
macro_rules! http_client_fields {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $($body:tt)* }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $($body)*
            /// HTTP basic authentication.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub basic_auth: Option<crate::http::BasicAuth>,
            /// `Authorization` header settings.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub authorization: Option<crate::http::Authorization>,
            /// Legacy bearer token; moved into `authorization` by validation.
            #[serde(default, skip_serializing_if = "crate::types::Secret::is_empty")]
            pub bearer_token: crate::types::Secret,
            /// Legacy bearer token file; moved into `authorization` by validation.
            #[serde(default, skip_serializing_if = "String::is_empty")]
            pub bearer_token_file: String,
            /// TLS settings.
            #[serde(default)]
            pub tls_config: crate::http::TlsConfig,
            /// HTTP proxy.
            #[serde(default, skip_serializing_if = "String::is_empty")]
            pub proxy_url: String,
            /// Follow HTTP redirects (default true).
            #[serde(default = "crate::http::yes")]
            pub follow_redirects: bool,
            /// Allow HTTP/2 (default true).
            #[serde(default = "crate::http::yes")]
            pub enable_http2: bool,
        }

        impl $name {
            /// The HTTP client settings (call after the config was validated).
            pub fn http_client(&self) -> $crate::http::HttpClientConfig {
                $crate::http::HttpClientConfig {
                    basic_auth: self.basic_auth.clone(),
                    authorization: self.authorization.clone(),
                    tls_config: self.tls_config.clone(),
                    proxy_url: self.proxy_url.clone(),
                    follow_redirects: self.follow_redirects,
                    enable_http2: self.enable_http2,
                }
            }

            #[allow(dead_code)]
            pub(crate) fn validate_http(&mut self) -> Result<(), String> {
                $crate::http::validate_http(
                    &self.basic_auth,
                    &mut self.authorization,
                    &mut self.bearer_token,
                    &mut self.bearer_token_file,
                    &self.tls_config,
                    &self.proxy_url,
                )
            }

            /// Files this block reads credentials or certificates from (for `check config`).
            pub fn credential_files(&self) -> Vec<&str> {
                let mut out = Vec::new();
                if let Some(b) = &self.basic_auth {
                    out.push(b.password_file.as_str());
                }
                if let Some(a) = &self.authorization {
                    out.push(a.credentials_file.as_str());
                }
                out.push(self.bearer_token_file.as_str());
                out.push(self.tls_config.cert_file.as_str());
                out.push(self.tls_config.key_file.as_str());
                out.retain(|f| !f.is_empty());
                out
            }
        }
    };
}

pub(crate) use http_client_fields;
