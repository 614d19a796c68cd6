//! Whether this replica and Discord agree on where interactions arrive: over the gateway, or
//! at the developer portal's Interactions Endpoint URL (`POST /interactions`). Once that URL is
//! set, Discord sends no interaction over the gateway, so every replica must serve it.

/// The metadata key holding the portal's Interactions Endpoint URL as last read from Discord
/// (empty: none set).
pub const PORTAL_URL_KEY: &str = "discord:interactions_endpoint_url";

/// How `[http] interactions` and the portal's URL disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disagreement {
    /// Discord sends interactions to a URL, but this replica does not serve them: no command,
    /// button or form reaches it at all.
    NotServed {
        /// The portal's URL.
        portal: String,
    },
    /// This replica serves `/interactions`, but Discord still uses the gateway: commands work,
    /// but a dead gateway owner costs commands until another takes over.
    NotSet,
}

impl Disagreement {
    /// Whether the bot cannot do its job this way (readiness fails).
    pub fn is_fatal(&self) -> bool {
        matches!(self, Self::NotServed { .. })
    }
}

impl std::fmt::Display for Disagreement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotServed { portal } => write!(
                f,
                "the developer portal sends interactions to {portal}, so none arrive over the \
                 gateway, but [http] interactions is off here: turn it on on every replica (or \
                 clear the Interactions Endpoint URL in the portal)"
            ),
            Self::NotSet => write!(
                f,
                "[http] interactions is on but the developer portal has no Interactions \
                 Endpoint URL: commands still arrive over the gateway only, and a dead gateway \
                 owner costs commands until another takes over; set the URL to the public \
                 listener's https://…/interactions"
            ),
        }
    }
}

/// How `serving` (`[http] interactions`) and the portal's URL (`portal`, empty when unset)
/// disagree, if they do.
pub fn disagreement(serving: bool, portal: &str) -> Option<Disagreement> {
    match (serving, portal.trim().is_empty()) {
        (false, false) => Some(Disagreement::NotServed {
            portal: portal.trim().to_owned(),
        }),
        (true, true) => Some(Disagreement::NotSet),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_url_nobody_serves_is_fatal() {
        let url = "https://bot.example/interactions";
        assert_eq!(disagreement(true, url), None);
        assert_eq!(disagreement(false, ""), None);
        assert!(disagreement(false, url).is_some_and(|d| d.is_fatal()));
        assert!(disagreement(true, " ").is_some_and(|d| !d.is_fatal()));
    }
}
