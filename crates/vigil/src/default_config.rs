//! The embedded default configuration: Vigil scrapes itself and its built-in demo API.

use std::net::SocketAddr;

const TEMPLATE: &str = include_str!("default_config.yml");

/// The default prometheus.yml with the actual listen addresses filled in.
///
/// Wildcard listen addresses (`0.0.0.0`, `::`) are scraped over loopback.
pub fn render(self_addr: SocketAddr, demo_addr: SocketAddr) -> String {
    TEMPLATE
        .replace("{{SELF_ADDRESS}}", &scrape_address(self_addr))
        .replace("{{DEMO_ADDRESS}}", &scrape_address(demo_addr))
}

fn scrape_address(addr: SocketAddr) -> String {
    let mut addr = addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    addr.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_in_addresses_and_uses_loopback_for_wildcards() {
        let text = render("0.0.0.0:9090".parse().unwrap(), "127.0.0.1:8000".parse().unwrap());
        assert!(text.contains("\"127.0.0.1:9090\""));
        assert!(text.contains("\"127.0.0.1:8000\""));
        assert!(!text.contains("{{"));
    }
}
