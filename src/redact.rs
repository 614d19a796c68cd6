//! Keeps Discord's secrets out of the log and out of the job table. An interaction's token is
//! part of every REST path that answers it (`/interactions/{id}/{token}/callback`,
//! `/webhooks/{app_id}/{token}/…`), and reqwest's errors print the URL they failed on; whoever
//! reads the log (or a job's `last_error`) could answer, edit or delete the interaction's
//! messages for 15 minutes. Its own module, beside the layers, so that the job queue and the
//! Discord adapter both use it without one depending on the other.

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// The path segments followed by `{id}/{token}`.
const TOKEN_PATHS: [&str; 2] = ["/interactions/", "/webhooks/"];

/// How the bot token is introduced in an `Authorization` header.
const BOT_PREFIX: &str = "Bot ";

/// A real bot token is some 70 characters; a shorter word after `Bot ` is prose ("Bot user").
const MIN_BOT_TOKEN: usize = 20;

/// Characters of a token as Discord issues them (base64url and dots) or as a URL encodes them.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '%' | '+' | '=')
}

/// The length in bytes of the token characters `text` starts with (all ASCII).
fn token_len(text: &str) -> usize {
    text.find(|c| !is_token_char(c)).unwrap_or(text.len())
}

/// `text` with the token of every `/interactions/{id}/{token}` and `/webhooks/{id}/{token}`
/// path, and a bot token after `Bot `, replaced by [`REDACTED`]; the ids stay, so a line still
/// says which interaction failed.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = TOKEN_PATHS
            .iter()
            .chain(std::iter::once(&BOT_PREFIX))
            .filter_map(|marker| rest.find(marker).map(|at| (at, *marker)))
            .min_by_key(|(at, _)| *at);
        let Some((at, marker)) = next else {
            break;
        };
        let after = at + marker.len();
        out.push_str(&rest[..after]);
        rest = &rest[after..];
        let (kept, secret) = if marker == BOT_PREFIX {
            let len = token_len(rest);
            (0, if len >= MIN_BOT_TOKEN { len } else { 0 })
        } else {
            let id = token_len(rest);
            if id > 0 && rest[id..].starts_with('/') {
                (id + 1, token_len(&rest[id + 1..]))
            } else {
                (0, 0)
            }
        };
        out.push_str(&rest[..kept]);
        if secret > 0 {
            out.push_str(REDACTED);
        }
        rest = &rest[kept + secret..];
    }
    out.push_str(rest);
    out
}

/// An error with its causes, `what failed: why: root cause`, redacted: how the bot logs any
/// error that may have come from Discord. Never log such an error with `Debug`, which prints
/// serenity's `ErrorResponse { url, .. }` and reqwest's URL field as they are.
pub fn error_chain(error: &anyhow::Error) -> String {
    redact(&format!("{error:#}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OjE2OTg.dGVzdC10b2tlbi1f_x-y";

    #[test]
    fn an_interaction_callback_url_keeps_its_id_and_loses_its_token() {
        let url = format!("http://127.0.0.1:5/api/v10/interactions/1234567890/{TOKEN}/callback");
        assert_eq!(
            redact(&format!("error sending request for url ({url})")),
            "error sending request for url \
             (http://127.0.0.1:5/api/v10/interactions/1234567890/[redacted]/callback)"
        );
    }

    #[test]
    fn interaction_webhook_urls_lose_their_token_with_or_without_a_rest() {
        for (url, want) in [
            (
                format!("/webhooks/42/{TOKEN}/messages/@original"),
                "/webhooks/42/[redacted]/messages/@original",
            ),
            (format!("/webhooks/42/{TOKEN}"), "/webhooks/42/[redacted]"),
            (
                format!("/webhooks/42/{TOKEN}?wait=true"),
                "/webhooks/42/[redacted]?wait=true",
            ),
        ] {
            assert_eq!(redact(&url), want);
        }
    }

    #[test]
    fn every_token_in_a_debug_dump_is_redacted() {
        let dump = format!(
            "ErrorResponse {{ url: \"https://discord.com/api/v10/interactions/1/{TOKEN}/callback\", \
             next: \"/webhooks/2/{TOKEN}/messages/@original\" }}"
        );
        let redacted = redact(&dump);
        assert!(!redacted.contains(TOKEN), "{redacted}");
        assert_eq!(redacted.matches(REDACTED).count(), 2, "{redacted}");
    }

    #[test]
    fn a_bot_token_after_bot_is_redacted_and_prose_is_not() {
        let header =
            "authorization: Bot MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123";
        assert_eq!(redact(header), "authorization: Bot [redacted]");
        for prose in ["Bot is lacking permissions", "Bot user 5", "Bot "] {
            assert_eq!(redact(prose), prose);
        }
    }

    #[test]
    fn text_without_secrets_and_paths_without_a_token_are_untouched() {
        for text in [
            "",
            "connection closed before message completed",
            "POST /channels/1/messages: 500 Internal Server Error",
            "/interactions/ is where callbacks go",
            "/interactions/123",
            "née «/webhooks/» ✅",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn the_cause_chain_is_kept_and_redacted() {
        let root =
            anyhow::anyhow!("error sending request for url (/interactions/7/{TOKEN}/callback)");
        let error = root
            .context("Error while sending HTTP request.")
            .context("could not answer");
        assert_eq!(
            error_chain(&error),
            "could not answer: Error while sending HTTP request.: \
             error sending request for url (/interactions/7/[redacted]/callback)"
        );
    }
}
