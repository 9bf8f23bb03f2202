//! Content negotiation for scraping, as Prometheus 3 does it: the `Accept` header built from a
//! job's `scrape_protocols`, and the body format chosen from the response's `Content-Type`
//! (with `fallback_scrape_protocol` for targets that send none, or one nobody knows).

use crate::Format;

/// A protocol a scrape can ask for, by its `scrape_protocols` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScrapeProtocol {
    /// `PrometheusProto`: delimited protobuf, the only format with native histograms.
    PrometheusProto,
    /// `PrometheusText0.0.4`.
    PrometheusText0_0_4,
    /// `PrometheusText1.0.0` (UTF-8 names, escaping negotiated).
    PrometheusText1_0_0,
    /// `OpenMetricsText0.0.1`.
    OpenMetricsText0_0_1,
    /// `OpenMetricsText1.0.0`.
    OpenMetricsText1_0_0,
}

/// How a scrape body is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyFormat {
    /// One of the text formats, read by the zero-copy [`crate::Parser`].
    Text(Format),
    /// Delimited protobuf, read by [`crate::protobuf::decode`].
    Protobuf,
}

impl ScrapeProtocol {
    /// Every protocol, in the order Prometheus lists them in its error messages (sorted by name).
    pub const ALL: [ScrapeProtocol; 5] = [
        ScrapeProtocol::OpenMetricsText0_0_1,
        ScrapeProtocol::OpenMetricsText1_0_0,
        ScrapeProtocol::PrometheusProto,
        ScrapeProtocol::PrometheusText0_0_4,
        ScrapeProtocol::PrometheusText1_0_0,
    ];

    /// The protocol with this `scrape_protocols` name (case-sensitive, as in Prometheus).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The `scrape_protocols` name.
    pub fn name(self) -> &'static str {
        match self {
            ScrapeProtocol::PrometheusProto => "PrometheusProto",
            ScrapeProtocol::PrometheusText0_0_4 => "PrometheusText0.0.4",
            ScrapeProtocol::PrometheusText1_0_0 => "PrometheusText1.0.0",
            ScrapeProtocol::OpenMetricsText0_0_1 => "OpenMetricsText0.0.1",
            ScrapeProtocol::OpenMetricsText1_0_0 => "OpenMetricsText1.0.0",
        }
    }

    /// The media range offered for it in the `Accept` header (without escaping or weight).
    pub fn header(self) -> &'static str {
        match self {
            ScrapeProtocol::PrometheusProto => {
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"
            }
            ScrapeProtocol::PrometheusText0_0_4 => "text/plain;version=0.0.4",
            ScrapeProtocol::PrometheusText1_0_0 => "text/plain;version=1.0.0",
            ScrapeProtocol::OpenMetricsText0_0_1 => "application/openmetrics-text;version=0.0.1",
            ScrapeProtocol::OpenMetricsText1_0_0 => "application/openmetrics-text;version=1.0.0",
        }
    }

    /// The body format a response in this protocol is read as.
    pub fn body_format(self) -> BodyFormat {
        match self {
            ScrapeProtocol::PrometheusProto => BodyFormat::Protobuf,
            ScrapeProtocol::PrometheusText0_0_4 | ScrapeProtocol::PrometheusText1_0_0 => BodyFormat::Text(Format::Text),
            ScrapeProtocol::OpenMetricsText0_0_1 | ScrapeProtocol::OpenMetricsText1_0_0 => {
                BodyFormat::Text(Format::OpenMetrics)
            }
        }
    }

    /// Only the 1.0.0 text formats carry the `escaping` parameter.
    fn takes_escaping(self) -> bool {
        matches!(self, ScrapeProtocol::PrometheusText1_0_0 | ScrapeProtocol::OpenMetricsText1_0_0)
    }
}

/// The `Accept` header for `protocols` in preference order: weights count down from `q=0.6`
/// (one more than there are protocols), `*/*` takes the next one, and the 1.0.0 text formats
/// carry `escaping=<escaping>` (`allow-utf-8` or `underscores`), exactly as Prometheus 3 writes it.
pub fn accept_header(protocols: &[ScrapeProtocol], escaping: &str) -> String {
    let mut weight = ScrapeProtocol::ALL.len() + 1;
    let mut out = String::with_capacity(64 * (protocols.len() + 1));
    for p in protocols {
        out.push_str(p.header());
        if p.takes_escaping() {
            out.push_str(";escaping=");
            out.push_str(escaping);
        }
        out.push_str(&format!(";q=0.{weight},"));
        weight = weight.saturating_sub(1);
    }
    out.push_str(&format!("*/*;q=0.{weight}"));
    out
}

/// The outcome of [`negotiate`]: the format, and why the fallback was used if it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// How to read the body.
    pub format: BodyFormat,
    /// Set when `fallback_scrape_protocol` decided (Prometheus logs this at debug level).
    pub fallback_reason: Option<String>,
}

/// Picks the body format from a response `Content-Type` as Prometheus 3 does: the media types
/// `application/openmetrics-text`, `application/vnd.google.protobuf` and `text/plain` (any
/// parameters) select their parser; a missing, unparsable or unknown type selects `fallback`,
/// and without a fallback the scrape fails with Prometheus' message.
pub fn negotiate(content_type: Option<&str>, fallback: Option<ScrapeProtocol>) -> Result<Negotiated, String> {
    let ct = content_type.unwrap_or("");
    let use_fallback = |reason: String, none: String| match fallback {
        Some(p) => Ok(Negotiated { format: p.body_format(), fallback_reason: Some(reason) }),
        None => Err(none),
    };
    let fallback_media = fallback.map_or("", |p| media_type_of(p.header()));
    if ct.is_empty() {
        return use_fallback(
            format!(
                "non-compliant scrape target sending blank Content-Type, using fallback_scrape_protocol {fallback_media:?}"
            ),
            "non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target"
                .to_owned(),
        );
    }
    let media = match parse_media_type(ct) {
        Ok(m) => m,
        Err(e) => {
            return use_fallback(
                format!(
                    "could not parse received Content-Type {ct:?}, using fallback_scrape_protocol {fallback_media:?}\n{e}"
                ),
                format!("cannot parse Content-Type {ct:?} and no fallback_scrape_protocol for target\n{e}"),
            );
        }
    };
    let format = match media.as_str() {
        "application/openmetrics-text" => BodyFormat::Text(Format::OpenMetrics),
        "application/vnd.google.protobuf" => BodyFormat::Protobuf,
        "text/plain" => BodyFormat::Text(Format::Text),
        _ => {
            return use_fallback(
                format!("received unsupported Content-Type {ct:?}, using fallback_scrape_protocol {fallback_media:?}"),
                format!(
                    "received unsupported Content-Type {ct:?} and no fallback_scrape_protocol specified for target"
                ),
            );
        }
    };
    Ok(Negotiated { format, fallback_reason: None })
}

fn media_type_of(header: &str) -> &str {
    header.split(';').next().unwrap_or("")
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b))
}

/// The lower-cased media type of a `Content-Type`, with Go's `mime.ParseMediaType` rules for
/// what makes it unparsable (a bad type, or a parameter without `name=value`; one trailing `;`
/// is allowed).
fn parse_media_type(ct: &str) -> Result<String, &'static str> {
    let mut parts = ct.split(';');
    let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let valid_type = match media.split_once('/') {
        Some((a, b)) => is_token(a) && is_token(b),
        None => is_token(&media),
    };
    if !valid_type {
        return Err("mime: expected token after slash");
    }
    let params: Vec<&str> = parts.collect();
    for (i, p) in params.iter().enumerate() {
        let p = p.trim();
        if p.is_empty() && i + 1 == params.len() {
            break;
        }
        match p.split_once('=') {
            Some((k, v)) if is_token(k.trim_end()) && !v.trim().is_empty() => {}
            _ => return Err("mime: invalid media parameter"),
        }
    }
    Ok(media)
}

#[cfg(test)]
mod tests;
