//! Minimal URL checks (scheme and host present), enough to reject what Prometheus rejects at
//! load time without pulling in a URL crate.

/// Checks that `s` looks like `scheme://host[...]` with an http(s) scheme.
pub(crate) fn check_http_url(s: &str) -> Result<(), String> {
    let scheme = check_url(s)?;
    if scheme != "http" && scheme != "https" {
        return Err(format!("URL scheme must be 'http' or 'https', got {scheme:?}"));
    }
    Ok(())
}

/// Checks that `s` looks like `scheme://host[...]`; returns the lower-cased scheme.
pub(crate) fn check_url(s: &str) -> Result<String, String> {
    let Some((scheme, rest)) = s.split_once("://") else {
        return Err(format!("{s:?} is not an absolute URL (scheme://host)"));
    };
    let scheme_ok = scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return Err(format!("{s:?} has an invalid scheme"));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    if host.is_empty() {
        return Err(format!("{s:?} has no host"));
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("{s:?} contains whitespace or control characters"));
    }
    Ok(scheme.to_ascii_lowercase())
}
