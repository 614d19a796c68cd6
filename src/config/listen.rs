//! Listener addresses as the operator writes them: `"127.0.0.1:8080"`, `"[::1]:8080"`, or
//! `"off"`.

use std::net::SocketAddr;

use serde::{Deserialize, Deserializer};

/// Parses an address to listen on, or `off` for none.
pub(super) fn parse(text: &str) -> Result<Option<SocketAddr>, String> {
    match text.trim() {
        "off" => Ok(None),
        t => t.parse().map(Some).map_err(|_| {
            format!(
                "`{text}` is not an address to listen on: write an IP address and a port, \
                 such as \"127.0.0.1:8080\" or \"[::1]:8080\", or \"off\""
            )
        }),
    }
}

/// An address to listen on, or `off`.
pub(super) fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SocketAddr>, D::Error> {
    let text = String::deserialize(d)?;
    parse(&text).map_err(serde::de::Error::custom)
}

/// A count of at least one.
pub(super) fn positive_count<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    match usize::deserialize(d)? {
        0 => Err(serde::de::Error::custom(
            "0 would take no connection at all: write a number of at least 1, such as 512",
        )),
        n => Ok(n),
    }
}

/// Parses `"10.0.0.1"` or `"10.0.0.0/8"` (IPv4 or IPv6).
pub(super) fn network(text: &str) -> Result<ipnet::IpNet, String> {
    let t = text.trim();
    t.parse::<ipnet::IpNet>()
        .or_else(|_| t.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| {
            format!(
                "`{text}` is not an IP address or network: write it like \"10.0.0.1\", \
                 \"10.0.0.0/8\" or \"fd00::/8\""
            )
        })
}

/// A list of IP addresses or networks.
pub(super) fn networks<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ipnet::IpNet>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|t| network(t).map_err(serde::de::Error::custom))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trusted_proxy_is_an_address_or_a_network() {
        assert_eq!(network("10.0.0.1").map(|n| n.prefix_len()), Ok(32));
        assert_eq!(network("10.0.0.0/8").map(|n| n.prefix_len()), Ok(8));
        assert_eq!(network(" ::1 ").map(|n| n.prefix_len()), Ok(128));
        assert!(network("proxy.local").is_err_and(|e| e.contains("10.0.0.0/8")));
    }

    #[test]
    fn an_address_with_a_port_or_off_is_read_and_a_name_is_refused() {
        assert_eq!(
            parse("127.0.0.1:8080"),
            Ok(Some(SocketAddr::from(([127, 0, 0, 1], 8080))))
        );
        assert_eq!(parse(" off "), Ok(None));
        assert!(parse("[::1]:9").is_ok_and(|a| a.is_some()));
        for bad in ["localhost:8080", "8080", "127.0.0.1", "on"] {
            assert!(
                parse(bad).is_err_and(|e| e.contains("127.0.0.1:8080")),
                "{bad}"
            );
        }
    }
}
