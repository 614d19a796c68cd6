//! `timeline.hbs`: one sentence per event, as the timeline stored them when Rust built them,
//! and what people typed left as typed (it is escaped where the entry is shown).

use super::*;
use crate::render::{TemplateName, Templates};

#[test]
fn every_event_is_worded_in_one_line_as_the_timeline_always_stored_it() {
    let said = Templates::load(None)
        .expect("the built-in templates load")
        .render_samples(TemplateName::Timeline)
        .expect("renders");
    assert_eq!(
        said,
        [
            "Declared P1 availability incident: Login down",
            "Raised severity from P1 to P0: all regions",
            "Moved from Phase 1: Detection & Triage to Phase 2: Containment",
            "<@5> is now incident commander, taking over from <@6>",
            "Public update: Rolled back the login deploy (ETA: 2026-03-14 12:05 UTC)",
            "Service alert posted for players (ETA: 2026-03-14 12:05 UTC)",
            "Turned into a security incident: the channel becomes private and nothing more \
             goes to players",
            "Fix applied. Root cause: bad deploy. Compensation: 500 gems",
            "All-clear given at once (all_clear:now), without the verification window",
            "Fix verified: it held. Recovery & Communication begins",
            "The fix did not hold: errors again. Back to Phase 4: Resolution",
            "Closed and archived",
            "Title changed from \"Login down\" to \"Login slow\"",
            "Systems changed from none to login, store",
            "Summary changed to: Logins time out",
            "Start of the problem changed from 2026-03-14 09:05 UTC to 2026-03-14 08:05 UTC",
            "Paged the database team",
            "(message: https://discord.com/channels/1/2/3; its words: use Apps → Add to timeline)",
            "Ticked “DB snapshot” (Phase 2: Containment)",
            "Ran “Restart login” (run 7)",
            "“Restart login” failed: HTTP 500 after 1.2s: upstream down",
            "“restart-login” failed: not sent after 0.0s: no action `restart-login` is \
             configured any more",
            "“Restart login” was sent and no answer came (timed out): asked whether it ran",
            "“Restart login” was sent and no answer came (the bot stopped after sending it, \
             before it recorded an answer): asked whether it ran",
            "Attached by hand: Alert from Sentry: Login 5xx (3 seen, first at 2026-03-14 \
             09:05:00 UTC) https://sentry.example/1",
            "Alert resolved: Login 5xx (Sentry says it is over: a hint for the verify step, not \
             an all-clear)",
            "Declared automatically by the rule [[intake.auto_declare]] login",
            "Blocked at Cloudflare: 203.0.113.7, 198.51.100.0/24 (credential stuffing)",
            "Unblocked at Cloudflare, their time was up: 203.0.113.7",
            "Locked the server down: invites paused until 2026-03-14 12:05 UTC; DMs paused until \
             2026-03-14 12:05 UTC; slow-mode 30s in 2 channel(s)",
            "Lifted the lockdown: what was there before is back",
            "Maintenance started: Login database upgrade until 2026-03-14 12:05 UTC",
            "Game maintenance mode on: “Maintenance mode” failed (HTTP 503): upstream down",
            "Game maintenance mode off: “Maintenance mode” failed (not sent): runbook actions \
             are not set up in this process",
            "Post-mortem: Started (optional for a P2 incident, started with /postmortem start)",
            "Post-mortem: Action item added under \"Preventive measures\"",
            "Post-mortem: Lesson learned added under \"What didn't\"",
            "Post-mortem: Impact recorded",
            "Post-mortem: Review meeting moved to 2026-03-16 15:00 UTC (after the deadline, \
             allowed by a commander)",
            "Post-mortem: Marked done",
        ]
    );
}

#[test]
fn typed_text_is_stored_as_typed_and_escaped_only_where_it_is_shown() {
    let templates = Templates::load(None).expect("the built-in templates load");
    let note = TimelineView::Note {
        text: "**bold** <@&1> [x](https://x.example)".into(),
    };
    assert_eq!(
        templates
            .render(TemplateName::Timeline, &note)
            .expect("renders"),
        "**bold** <@&1> [x](https://x.example)"
    );
}

#[test]
fn a_lockdown_entry_says_only_what_was_locked_and_ends_without_a_semicolon() {
    let templates = Templates::load(None).expect("the built-in templates load");
    let said = |invites: bool, channels: usize| {
        let view = TimelineView::LockedDown {
            invites_until: invites.then(|| "2026-03-14 12:05 UTC".to_owned()),
            dms_until: None,
            slowmode: 10,
            channels,
        };
        templates.timeline_text(&view).expect("renders")
    };
    assert_eq!(
        said(true, 0),
        "Locked the server down: invites paused until 2026-03-14 12:05 UTC"
    );
    assert_eq!(
        said(false, 3),
        "Locked the server down: slow-mode 10s in 3 channel(s)"
    );
    let hook = |outcome, status| TimelineView::MaintenanceHook {
        on: false,
        label: "Maintenance mode".into(),
        outcome,
        status,
        what: "timed out".into(),
        why: None,
    };
    let said = |v: &TimelineView| templates.timeline_text(v).expect("renders");
    assert_eq!(
        said(&hook(HookOutcome::Ran, Some(200))),
        "Game maintenance mode off: “Maintenance mode” ran (HTTP 200)"
    );
    assert_eq!(
        said(&hook(HookOutcome::Unknown, None)),
        "Game maintenance mode off: “Maintenance mode” was sent and no answer came (timed out)"
    );
}
