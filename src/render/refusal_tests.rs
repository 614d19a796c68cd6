//! `refusal.hbs`: every reason has its case, words as before, values escaped by type.

use super::*;
use crate::domain::{MeetingError, TransitionError};
use crate::render::{TemplateName, Templates};

fn templates() -> Templates {
    Templates::load(None).expect("the built-in templates load")
}

fn said(refusal: &Refusal) -> String {
    templates().refusal(refusal).expect("renders")
}

/// The `kind`s the template has a case for: `(eq kind "…")`, or an attempt's
/// `(eq attempt.kind "…")`.
fn cases() -> std::collections::BTreeSet<String> {
    let source = include_str!("../../templates/refusal.hbs");
    ["(eq kind \"", "(eq attempt.kind \""]
        .into_iter()
        .flat_map(|at| source.split(at).skip(1))
        .filter_map(|rest| rest.split('"').next().map(str::to_owned))
        .collect()
}

/// The `kind`s of a view, its nested domain refusal's too, and those of what it holds (a
/// missing permission's attempt and permissions).
fn kinds(view: &Value, into: &mut std::collections::BTreeSet<String>) {
    match view {
        Value::Object(map) => {
            if let Some(Value::String(kind)) = map.get("kind") {
                into.insert(kind.clone());
            }
            map.values().for_each(|v| kinds(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| kinds(v, into)),
        _ => {}
    }
}

#[test]
fn every_reason_has_a_case_in_the_template_and_every_case_a_sample() {
    let mut sampled = std::collections::BTreeSet::new();
    for view in RefusalView::samples() {
        kinds(&view.0, &mut sampled);
    }
    let cases = cases();
    let unsampled: Vec<_> = cases.difference(&sampled).collect();
    assert!(
        unsampled.is_empty(),
        "cases without a sample: {unsampled:?}"
    );
    // A container kind (`transition`) has no words of its own; each of its kinds does.
    let containers = [
        "transition",
        "not_allowed",
        "text",
        "systems",
        "eta",
        "when",
        "meeting",
    ];
    let unworded: Vec<_> = sampled
        .iter()
        .filter(|k| !cases.contains(*k) && !containers.contains(&k.as_str()))
        .collect();
    assert!(unworded.is_empty(), "reasons without words: {unworded:?}");
}

#[test]
fn every_sample_says_something_after_its_sign() {
    let t = templates();
    for (refusal, text) in samples()
        .iter()
        .zip(t.render_samples(TemplateName::Refusal).unwrap())
    {
        let words = text.trim_start_matches(['⛔', '⏳', ' ']);
        assert!(words.len() > 12, "{refusal:?} says only {text:?}");
        assert!(!text.contains('\n'), "{refusal:?} is one line: {text:?}");
    }
}

#[test]
fn a_domain_refusal_reads_as_a_sentence_with_the_bots_markup_as_built() {
    assert_eq!(
        said(&TransitionError::Closed.into()),
        "⛔ This incident is closed: declare a new one if the problem is back."
    );
    assert_eq!(
        said(&TransitionError::SameKind(crate::domain::IncidentKind::Availability).into()),
        "⛔ This is already an availability incident."
    );
    assert_eq!(
        said(&MeetingError::AfterDeadline { due: 1_800_000_000 }.into()),
        "⛔ That is after the post-mortem's deadline, <t:1800000000:F>. Pick an earlier time, or \
         a commander can allow it with `after_deadline:True`"
    );
    assert_eq!(
        said(&Refusal::OutOfRange(crate::domain::OutOfRange {
            field: "downtime_minutes",
            max: 10,
            meaning: "ten",
            given: 11,
        })),
        "⛔ downtime_minutes must be a whole number from 0 to 10 (ten); you gave 11."
    );
}

#[test]
fn typed_text_in_a_refusal_is_escaped_and_links_the_bot_built_are_kept() {
    let exists = Refusal::PostmortemExists {
        number: IncidentNumber(3),
        started_by: None,
        reason: Some(Typed("required: **Login** <@&1>".into())),
        done: Some(1_800_000_000),
        due: 1_800_000_000,
    };
    assert_eq!(
        said(&exists),
        "⛔ Incident #3 already has a post-mortem (required: \\*\\*Login\\*\\* \\<@&1>), marked \
         done <t:1800000000:f>."
    );
    let sent = Refusal::AlertAlreadySent {
        channel: channel(4),
        link: Some("https://discord.com/channels/1/4/9".into()),
    };
    assert_eq!(
        said(&sent),
        "⛔ The service alert went out already: https://discord.com/channels/1/4/9. Tell players \
         what changed with /incident update public:true."
    );
}

#[test]
fn the_log_channel_reads_a_refusal_without_the_sign() {
    let text = templates()
        .refusal_in_log(&Refusal::AlertDismissed)
        .expect("renders");
    assert_eq!(
        text,
        "This alert was dismissed as not real; declare with /incident declare if it is."
    );
}

#[test]
fn postmortem_done_while_action_items_have_no_ticket_says_how_to_finish_anyway() {
    for (missing, start) in [
        (1, "⛔ 1 action item has no"),
        (2, "⛔ 2 action items have no"),
    ] {
        let text = said(&Refusal::ActionsWithoutTicket { missing });
        assert!(text.starts_with(start), "{text}");
        assert!(text.contains("`without_tickets:True`"), "{text}");
    }
}
