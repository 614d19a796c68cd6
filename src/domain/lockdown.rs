//! What `/incident lockdown` asks, parsed once: the channels to slow down (typed as channel
//! mentions) and the slow-mode, within Discord's limits.

use super::ChannelId;

/// Discord's longest slow-mode: six hours.
pub const MAX_SLOWMODE_SECS: u16 = 21_600;

/// The channels to slow down, at most this many at once.
pub const MAX_CHANNELS: usize = 20;

/// Why a lockdown's options were refused: the sentence says what to type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LockdownError(pub String);

/// The channels named in `text` as mentions (`<#123> <#456>`, as Discord writes a `#channel`
/// typed into an option), each once, in order.
pub fn parse_channels(text: &str) -> Result<Vec<ChannelId>, LockdownError> {
    let mut out: Vec<ChannelId> = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || c == ',') {
        if word.is_empty() {
            continue;
        }
        let id = word
            .strip_prefix("<#")
            .and_then(|w| w.strip_suffix('>'))
            .and_then(|w| w.parse::<u64>().ok())
            .and_then(ChannelId::new)
            .ok_or_else(|| {
                LockdownError(
                    "Name the channels by typing # and picking each one, such as #general \
                     #looking-for-group."
                        .to_owned(),
                )
            })?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    if out.len() > MAX_CHANNELS {
        return Err(LockdownError(format!(
            "That is {} channels; a lockdown slows down at most {MAX_CHANNELS}.",
            out.len()
        )));
    }
    Ok(out)
}

/// A slow-mode as typed (`30s`, `5m`, `1h`) in seconds, from 1 s to Discord's 6 h.
pub fn parse_slowmode(text: &str) -> Result<u16, LockdownError> {
    let refused = || {
        LockdownError(format!(
            "slowmode takes a duration from 1s to 6h, such as 30s or 5m; `{}` is not one.",
            text.chars()
                .filter(char::is_ascii_alphanumeric)
                .take(20)
                .collect::<String>()
        ))
    };
    let secs = humantime::parse_duration(text.trim())
        .map(|d| d.as_secs())
        .map_err(|_| refused())?;
    u16::try_from(secs)
        .ok()
        .filter(|s| (1..=MAX_SLOWMODE_SECS).contains(s))
        .ok_or_else(refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_are_read_from_their_mentions_once_each() {
        let ids = parse_channels("<#11> <#22>, <#11>").expect("mentions");
        assert_eq!(ids.iter().map(|c| c.get()).collect::<Vec<_>>(), [11, 22]);
        assert!(parse_channels("#general").is_err());
        assert!(parse_channels("<#0>").is_err());
    }

    #[test]
    fn a_slowmode_is_between_a_second_and_six_hours() {
        assert_eq!(parse_slowmode("30s"), Ok(30));
        assert_eq!(parse_slowmode("5m"), Ok(300));
        assert_eq!(parse_slowmode("6h"), Ok(21_600));
        assert!(parse_slowmode("7h").is_err());
        assert!(parse_slowmode("0s").is_err());
        assert!(parse_slowmode("soon").is_err());
    }
}
