//! The views of containment on systems outside the channel: WAF blocks (`/incident block`,
//! `/incident unblock`) and the Discord lockdown (`/incident lockdown`, `/incident unlock`), as
//! the incident channel is told and as the person who asked is answered.

use serde::Serialize;

use super::{Answer, Markup, Notice};

/// Addresses are now blocked at the WAF.
#[derive(Debug, Clone, Serialize)]
pub struct WafBlocked {
    /// Who asked (a mention).
    pub by: Markup,
    /// The WAF: `Cloudflare`.
    pub service: String,
    /// The addresses and ranges, as the bot wrote them.
    pub targets: Vec<String>,
    /// Why, as typed.
    pub note: Option<String>,
    /// When they are lifted by themselves (a timestamp), if ever.
    pub until: Option<Markup>,
}

/// Blocks were lifted at the WAF.
#[derive(Debug, Clone, Serialize)]
pub struct WafUnblocked {
    /// Who asked (a mention); `None` when their time ran out.
    pub by: Option<Markup>,
    /// The WAF: `Cloudflare`.
    pub service: String,
    /// The addresses and ranges, as the bot wrote them.
    pub targets: Vec<String>,
}

/// The answer to `/incident block` or `/incident unblock`.
#[derive(Debug, Clone, Serialize)]
pub struct WafAnswer {
    /// It lifts blocks, rather than adding them.
    pub unblock: bool,
    /// How many entries are being added or lifted.
    pub count: usize,
    /// How many of those typed were blocked in this incident already (left alone).
    pub already: usize,
    /// When the blocks lift by themselves (a timestamp), if ever.
    pub until: Option<Markup>,
}

/// Discord's guild was locked down, in part or further.
#[derive(Debug, Clone, Serialize)]
pub struct LockdownSet {
    /// Who asked (a mention).
    pub by: Markup,
    /// Until when invites are paused (a timestamp), when they are.
    pub invites_until: Option<Markup>,
    /// Until when DMs between members who are not friends are paused, when they are.
    pub dms_until: Option<Markup>,
    /// The slow-mode set, `30s`, when one was.
    pub slowmode: Option<String>,
    /// The channels it was set on (channel mentions).
    pub channels: Vec<Markup>,
}

/// The lockdown was lifted: what was there before is back.
#[derive(Debug, Clone, Serialize)]
pub struct LockdownLifted {
    /// Who asked (a mention).
    pub by: Markup,
    /// Invites were resumed.
    pub invites: bool,
    /// DMs were resumed.
    pub dms: bool,
    /// The channels whose slow-mode is back as it was (channel mentions).
    pub channels: Vec<Markup>,
}

/// At the resolve or the fix held: the lockdown is still in place.
#[derive(Debug, Clone, Serialize)]
pub struct LockdownStill {
    /// Who locked the server down (a mention).
    pub by: Markup,
    /// Who pressed "Lift the lockdown" under it (a mention), once someone did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifting: Option<Markup>,
}

/// The title of a triage card from Discord's own safety signals.
#[derive(Debug, Clone, Serialize)]
pub struct DiscordSignal {
    /// `raid`, `dm_spam` or `automod`.
    pub kind: String,
    /// AutoMod's rule (its id).
    pub rule: Option<String>,
}

/// The answer to `/incident lockdown` or `/incident unlock`.
#[derive(Debug, Clone, Serialize)]
pub struct LockdownAnswer {
    /// It lifts the lockdown, rather than setting it.
    pub unlock: bool,
}

/// `/incident flag`: a flag for the game client was set or cleared.
#[derive(Debug, Clone, Serialize)]
pub struct FlagChanged {
    /// Who did it (a mention); `None` on the timeline, which names its actor itself.
    pub by: Option<Markup>,
    /// The flag, as a code span (`ranked_disabled`).
    pub name: Markup,
    /// Set, rather than cleared.
    pub on: bool,
}

/// The answer to `/incident flag`.
#[derive(Debug, Clone, Serialize)]
pub struct FlagAnswer {
    /// The flag, as a code span.
    pub name: Markup,
    /// Set, rather than cleared.
    pub on: bool,
    /// Players were told of the incident already, so the game feed shows it now.
    pub public: bool,
}

/// One WAF block, in the post-mortem draft.
#[derive(Debug, Clone, Serialize)]
pub struct ContainmentLine {
    /// The address or range.
    pub target: String,
    /// The WAF: `Cloudflare`.
    pub service: String,
    /// Who asked (a name).
    pub by: Markup,
    /// When it was asked, a full date.
    pub at: String,
    /// Why, as typed.
    pub note: Option<String>,
    /// When it was lifted, a full date; `None` while it blocks (or never took).
    pub lifted_at: Option<String>,
    /// Whether the WAF confirmed it.
    pub confirmed: bool,
}

impl ContainmentLine {
    pub(super) fn sample() -> Self {
        Self {
            target: "198.51.100.0/24".into(),
            service: "Cloudflare".into(),
            by: Markup::raw("Sana"),
            at: "2026-11-26 12:10 UTC".into(),
            note: Some("credential stuffing".into()),
            lifted_at: Some("2026-11-27 12:10 UTC".into()),
            confirmed: true,
        }
    }
}

impl Notice {
    /// A sample of every containment kind, for [`Notice::sample`].
    pub(super) fn containment_samples() -> Self {
        let by = || Markup::raw("<@1>");
        Self {
            waf_blocked: Some(WafBlocked {
                by: by(),
                service: "Cloudflare".into(),
                targets: vec!["198.51.100.7".into(), "203.0.113.0/24".into()],
                note: Some("credential stuffing".into()),
                until: Some(Markup::raw("<t:0:f>")),
            }),
            waf_unblocked: Some(WafUnblocked {
                by: None,
                service: "Cloudflare".into(),
                targets: vec!["198.51.100.7".into()],
            }),
            lockdown_set: Some(LockdownSet {
                by: by(),
                invites_until: Some(Markup::raw("<t:0:f>")),
                dms_until: Some(Markup::raw("<t:0:f>")),
                slowmode: Some("30s".into()),
                channels: vec![Markup::raw("<#5>")],
            }),
            lockdown_still: Some(LockdownStill {
                by: by(),
                lifting: None,
            }),
            lockdown_lifted: Some(LockdownLifted {
                by: by(),
                invites: true,
                dms: true,
                channels: vec![Markup::raw("<#5>")],
            }),
            discord_signal: Some(DiscordSignal {
                kind: "automod".into(),
                rule: Some("1100000000000000900".into()),
            }),
            flag_changed: Some(FlagChanged {
                by: Some(by()),
                name: super::code_span("ranked_disabled"),
                on: true,
            }),
            ..Self::default()
        }
    }
}

impl Answer {
    /// A sample of every containment kind, for [`Answer::sample`].
    pub(super) fn containment_samples() -> Self {
        Self {
            waf: Some(WafAnswer {
                unblock: false,
                count: 2,
                already: 1,
                until: Some(Markup::raw("<t:0:f>")),
            }),
            lockdown: Some(LockdownAnswer { unlock: false }),
            flag: Some(FlagAnswer {
                name: super::code_span("ranked_disabled"),
                on: true,
                public: false,
            }),
            ..Self::default()
        }
    }
}

macro_rules! kinds {
    ($view:ident: $($kind:ident => $field:ident),* $(,)?) => {
        $(impl From<$kind> for $view {
            fn from(kind: $kind) -> Self {
                Self {
                    $field: Some(kind),
                    ..Self::default()
                }
            }
        })*
    };
}

kinds! { Notice: WafBlocked => waf_blocked, WafUnblocked => waf_unblocked,
LockdownSet => lockdown_set, LockdownLifted => lockdown_lifted, LockdownStill => lockdown_still,
DiscordSignal => discord_signal }
kinds! { Notice: FlagChanged => flag_changed }
kinds! { Answer: WafAnswer => waf, LockdownAnswer => lockdown }
kinds! { Answer: FlagAnswer => flag }
