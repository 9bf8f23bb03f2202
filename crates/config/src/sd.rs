//! Service discovery blocks: file, HTTP, Kubernetes and DNS. Other mechanisms (consul, ec2, ...)
//! are not supported; their keys are rejected as unknown fields.

use crate::http::http_client_fields;
use crate::types::{Duration, LabelSet, null_as_default};
use serde::{Deserialize, Serialize};

/// One `static_configs` entry.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StaticConfig {
    /// `host:port` targets.
    #[serde(default, deserialize_with = "null_as_default")]
    pub targets: Vec<String>,
    /// Labels attached to every target.
    #[serde(default, skip_serializing_if = "LabelSet::is_empty")]
    pub labels: LabelSet,
}

fn five_minutes() -> Duration {
    Duration::from_secs(300)
}

fn one_minute() -> Duration {
    Duration::from_secs(60)
}

fn thirty_seconds() -> Duration {
    Duration::from_secs(30)
}

/// `file_sd_configs` entry.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileSdConfig {
    /// File patterns (`*.json`, `*.yml`, `*.yaml`; `*` only in the last path element).
    pub files: Vec<String>,
    /// Re-read interval (default 5m).
    #[serde(default = "five_minutes")]
    pub refresh_interval: Duration,
}

impl FileSdConfig {
    /// Prometheus' pattern check: `^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$`.
    pub(crate) fn validate(&self) -> Result<(), String> {
        for f in &self.files {
            let ext_ok = ["json", "yml", "yaml", "JSON", "YML", "YAML"]
                .iter()
                .any(|e| f.strip_suffix(e).is_some_and(|s| s.ends_with('.')));
            let star_ok = match f.find('*') {
                None => true,
                Some(i) => !f[i + 1..].contains(['*', '/']),
            };
            if !ext_ok || !star_ok {
                return Err(format!("path name {f:?} is not valid for file discovery"));
            }
        }
        Ok(())
    }
}

http_client_fields! {
    /// `http_sd_configs` entry.
    #[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct HttpSdConfig {
        /// Endpoint returning target groups as JSON.
        pub url: String,
        /// Poll interval (default 1m).
        #[serde(default = "one_minute")]
        pub refresh_interval: Duration,
    }
}

impl HttpSdConfig {
    pub(crate) fn validate(&mut self) -> Result<(), String> {
        if self.url.is_empty() {
            return Err("URL is missing".into());
        }
        crate::url::check_http_url(&self.url)?;
        self.validate_http()
    }
}

/// Kubernetes object kinds that can be discovered.
pub const KUBERNETES_ROLES: [&str; 6] = ["pod", "service", "endpoints", "endpointslice", "node", "ingress"];

/// `namespaces` of a Kubernetes SD config.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KubernetesNamespaces {
    /// Also watch the namespace Vigil runs in.
    #[serde(default)]
    pub own_namespace: bool,
    /// Namespaces to watch (empty = all).
    #[serde(default, deserialize_with = "null_as_default")]
    pub names: Vec<String>,
}

/// One `selectors` entry.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KubernetesSelector {
    /// The role the selector applies to.
    pub role: String,
    /// Label selector.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// Field selector.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub field: String,
}

/// `attach_metadata`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AttachMetadata {
    /// Attach node metadata to pod/endpoints targets.
    #[serde(default)]
    pub node: bool,
    /// Attach namespace metadata.
    #[serde(default)]
    pub namespace: bool,
}

http_client_fields! {
    /// `kubernetes_sd_configs` entry.
    #[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct KubernetesSdConfig {
        /// What to discover: pod, service, endpoints, endpointslice, node or ingress.
        pub role: String,
        /// API server URL (empty = in-cluster).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        pub api_server: String,
        /// Kubeconfig file (exclusive with `api_server`).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        pub kubeconfig_file: String,
        /// Namespaces to watch.
        #[serde(default)]
        pub namespaces: KubernetesNamespaces,
        /// Label/field selectors per role.
        #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
        pub selectors: Vec<KubernetesSelector>,
        /// Extra metadata to attach.
        #[serde(default)]
        pub attach_metadata: AttachMetadata,
    }
}

impl KubernetesSdConfig {
    pub(crate) fn validate(&mut self) -> Result<(), String> {
        if self.role.is_empty() {
            return Err("role missing (one of: pod, service, endpoints, endpointslice, node, ingress)".into());
        }
        if !KUBERNETES_ROLES.contains(&self.role.as_str()) {
            return Err(format!("unknown Kubernetes SD role {:?}", self.role));
        }
        self.validate_http()?;
        if !self.api_server.is_empty() {
            crate::url::check_url(&self.api_server)?;
        }
        if !self.api_server.is_empty() && !self.kubeconfig_file.is_empty() {
            return Err("cannot use 'kubeconfig_file' and 'api_server' simultaneously".into());
        }
        let custom_client = self.basic_auth.is_some()
            || self.authorization.is_some()
            || self.tls_config != crate::http::TlsConfig::default()
            || !self.proxy_url.is_empty();
        if !self.kubeconfig_file.is_empty() && custom_client {
            return Err("cannot use a custom HTTP client configuration together with 'kubeconfig_file'".into());
        }
        if self.api_server.is_empty() && custom_client {
            return Err("to use custom HTTP client configuration please provide the 'api_server' URL explicitly".into());
        }
        for s in &self.selectors {
            let allowed: &[&str] = match self.role.as_str() {
                "pod" => &["pod", "node"],
                "service" => &["service"],
                "endpoints" => &["endpoints", "pod", "service", "node"],
                "endpointslice" => &["endpointslice", "pod", "service", "node"],
                "node" => &["node"],
                _ => &["ingress"],
            };
            if !allowed.contains(&s.role.as_str()) {
                return Err(format!(
                    "{} role supports only {} selectors, got {:?}",
                    self.role,
                    allowed.join(", "),
                    s.role
                ));
            }
        }
        Ok(())
    }
}

/// `dns_sd_configs` entry.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DnsSdConfig {
    /// DNS names to query.
    pub names: Vec<String>,
    /// Re-query interval (default 30s).
    #[serde(default = "thirty_seconds")]
    pub refresh_interval: Duration,
    /// Record type: SRV (default), A, AAAA, MX or NS.
    #[serde(default = "srv", rename = "type")]
    pub record_type: String,
    /// Port for A/AAAA/MX/NS records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

fn srv() -> String {
    "SRV".into()
}

impl DnsSdConfig {
    pub(crate) fn validate(&mut self) -> Result<(), String> {
        if self.names.is_empty() {
            return Err("DNS-SD config must contain at least one SRV record name".into());
        }
        self.record_type = self.record_type.to_ascii_uppercase();
        match self.record_type.as_str() {
            "SRV" => Ok(()),
            "A" | "AAAA" | "MX" | "NS" if self.port.is_none() => {
                Err("a port is required in DNS-SD configs for all record types except SRV".into())
            }
            "A" | "AAAA" | "MX" | "NS" => Ok(()),
            other => Err(format!("invalid DNS-SD records type {other}")),
        }
    }
}
