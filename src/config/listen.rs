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

#[cfg(test)]
mod tests {
    use super::*;

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
