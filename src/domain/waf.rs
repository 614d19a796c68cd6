//! What a responder may ask the WAF to block: single addresses and the few ranges an IP access
//! rule takes, never a private, loopback or link-local address, nor one of the studio's own
//! ranges (`[cloudflare] never_block`). Parsed once, refused with a sentence that says why.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

/// The most targets one `/incident block` takes: a long list is an attachment, and each
/// target is one call to the WAF.
pub const MAX_TARGETS: usize = 200;

/// One address or range to block, in its canonical form (`203.0.113.7`, `198.51.100.0/24`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BlockTarget {
    /// One address.
    Address(IpAddr),
    /// A range: IPv4 /16 or /24, IPv6 /32, /48 or /64.
    Range(IpNet),
}

impl BlockTarget {
    /// Whether it is IPv6.
    pub fn is_v6(&self) -> bool {
        match self {
            Self::Address(a) => a.is_ipv6(),
            Self::Range(n) => matches!(n, IpNet::V6(_)),
        }
    }

    /// Whether it is a range rather than one address.
    pub fn is_range(&self) -> bool {
        matches!(self, Self::Range(_))
    }

    /// The range it covers (an address as a /32 or /128).
    pub fn net(&self) -> IpNet {
        match self {
            Self::Address(a) => IpNet::from(*a),
            Self::Range(n) => *n,
        }
    }

    /// Parses a stored target (as [`fmt::Display`] wrote it), without the policy checks.
    pub fn from_stored(text: &str) -> Option<Self> {
        if text.contains('/') {
            text.parse().ok().map(Self::Range)
        } else {
            text.parse().ok().map(Self::Address)
        }
    }
}

impl fmt::Display for BlockTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Address(a) => write!(f, "{a}"),
            Self::Range(n) => write!(f, "{n}"),
        }
    }
}

/// Why a target was refused: the sentence says what to type instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TargetError(pub String);

/// Parses `text`, a list of addresses and ranges separated by commas, spaces or new lines, into
/// the targets to block, each once, in the order given. `never` holds the studio's own ranges.
pub fn parse_targets(text: &str, never: &[IpNet]) -> Result<Vec<BlockTarget>, TargetError> {
    let mut targets: Vec<BlockTarget> = Vec::new();
    let mut refused: Vec<String> = Vec::new();
    let words = text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|w| !w.is_empty());
    for word in words {
        match parse_target(word, never) {
            Ok(t) if !targets.contains(&t) => targets.push(t),
            Ok(_) => {}
            Err(e) => refused.push(e.0),
        }
    }
    if !refused.is_empty() {
        let shown: Vec<&str> = refused.iter().take(5).map(String::as_str).collect();
        let more = match refused.len().saturating_sub(shown.len()) {
            0 => String::new(),
            n => format!(" ({n} more refused)"),
        };
        return Err(TargetError(format!(
            "Nothing was blocked. {}{more}",
            shown.join(" ")
        )));
    }
    if targets.is_empty() {
        return Err(TargetError(
            "Give at least one IP address or range to block, such as 203.0.113.7 or \
             198.51.100.0/24."
                .to_owned(),
        ));
    }
    if targets.len() > MAX_TARGETS {
        return Err(TargetError(format!(
            "That is {} targets; one block takes at most {MAX_TARGETS}. Block the rest in a \
             second command, or block their common range.",
            targets.len()
        )));
    }
    Ok(targets)
}

/// Parses one address or range and applies the policy.
pub fn parse_target(word: &str, never: &[IpNet]) -> Result<BlockTarget, TargetError> {
    let target = shape(word)?;
    if let Some(why) = reserved(&target.net()) {
        return Err(TargetError(format!(
            "{target} is {why}: blocking it at the WAF would do nothing to an attacker."
        )));
    }
    if let Some(own) = never.iter().find(|n| overlaps(n, &target.net())) {
        return Err(TargetError(format!(
            "{target} is within the studio's own range {own} ([cloudflare] never_block): it \
             is never blocked."
        )));
    }
    Ok(target)
}

/// The shape of a target, as an IP access rule takes it.
fn shape(word: &str) -> Result<BlockTarget, TargetError> {
    let Some((_, len)) = word.split_once('/') else {
        return word
            .parse::<IpAddr>()
            .map(BlockTarget::Address)
            .map_err(|_| {
                TargetError(format!(
                    "`{}` is not an IP address: write 203.0.113.7, 2001:db8::1 or a range such as \
                 198.51.100.0/24.",
                    shown(word)
                ))
            });
    };
    let net: IpNet = word.parse().map_err(|_| {
        TargetError(format!(
            "`{}` is not an IP range: write it as 198.51.100.0/24 or 2001:db8::/48.",
            shown(word)
        ))
    })?;
    let allowed: &[u8] = match net {
        IpNet::V4(_) => &[16, 24],
        IpNet::V6(_) => &[32, 48, 64],
    };
    if !allowed.contains(&net.prefix_len()) {
        let lens: Vec<String> = allowed.iter().map(|l| format!("/{l}")).collect();
        return Err(TargetError(format!(
            "{net}: Cloudflare's IP access rules take only {} ranges of this kind; block the \
             addresses one by one or the wider range.",
            lens.join(", ")
        )));
    }
    if net.trunc() != net {
        return Err(TargetError(format!(
            "/{len} after {} is not the start of a range: did you mean {}?",
            net.addr(),
            net.trunc()
        )));
    }
    Ok(BlockTarget::Range(net))
}

/// `word` as a refusal quotes it: only the characters an address has, at most 45 of them, so
/// that typed text never becomes markup or a mention.
fn shown(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '.' | '/'))
        .take(45)
        .collect()
}

/// What kind of reserved address a range touches, if any.
fn reserved(net: &IpNet) -> Option<&'static str> {
    const V4: &[(&str, &str)] = &[
        ("0.0.0.0/8", "a reserved \"this network\" address"),
        ("10.0.0.0/8", "a private address (RFC 1918)"),
        ("100.64.0.0/10", "a carrier-grade NAT address"),
        ("127.0.0.0/8", "a loopback address"),
        ("169.254.0.0/16", "a link-local address"),
        ("172.16.0.0/12", "a private address (RFC 1918)"),
        ("192.168.0.0/16", "a private address (RFC 1918)"),
        ("224.0.0.0/4", "a multicast address"),
        ("240.0.0.0/4", "a reserved address"),
    ];
    const V6: &[(&str, &str)] = &[
        ("::/128", "the unspecified address"),
        ("::1/128", "a loopback address"),
        ("::ffff:0:0/96", "an IPv4-mapped address"),
        ("fc00::/7", "a private (unique local) address"),
        ("fe80::/10", "a link-local address"),
        ("ff00::/8", "a multicast address"),
    ];
    V4.iter()
        .chain(V6)
        .filter_map(|(range, why)| range.parse::<IpNet>().ok().map(|r| (r, *why)))
        .find(|(range, _)| overlaps(range, net))
        .map(|(_, why)| why)
}

/// Whether two ranges share an address (one holds the other: CIDR ranges never half-overlap).
fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(b) || b.contains(a)
}

#[cfg(test)]
#[path = "waf_tests.rs"]
mod tests;
