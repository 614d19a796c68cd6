//! `log.hbs`: what responders read in the log channel, typed text escaped, bot markup as built.

use super::*;
use crate::render::{TemplateName, Templates};

fn said(post: &LogPost) -> String {
    Templates::load(None)
        .expect("the built-in templates load")
        .render(TemplateName::Log, post)
        .expect("renders")
}

#[test]
fn a_declaration_names_the_title_as_typed_but_never_a_security_incidents() {
    let mut declared = DeclaredLog {
        number: 3,
        severity: "P0".into(),
        by: Markup::raw("<@5>"),
        title: Some("Login **down** @everyone".into()),
        channel: Markup::raw("<#9>"),
    };
    let post = |d: &DeclaredLog| LogPost {
        declared: Some(d.clone()),
        ..LogPost::default()
    };
    assert_eq!(
        said(&post(&declared)),
        "🚨 #3 **P0** declared by <@5>: Login \\*\\*down\\*\\* @\u{200B}everyone → <#9>"
    );
    declared.title = None;
    assert_eq!(
        said(&post(&declared)),
        "🚨 #3 **P0** declared by <@5>: security incident → <#9>"
    );
}

#[test]
fn a_job_that_gave_up_counts_its_attempts_unless_a_permission_was_missing() {
    let mut failed = JobFailedLog {
        kind: Markup::raw("open_channel"),
        incident: Some(4),
        attempts: 1,
        reason: Markup::raw("Discord answered 500"),
        forbidden: false,
    };
    let post = |f: &JobFailedLog| LogPost {
        job_failed: Some(f.clone()),
        ..LogPost::default()
    };
    assert_eq!(
        said(&post(&failed)),
        "⚠️ Gave up on a `open_channel` job for incident #4 after 1 attempt: Discord answered 500"
    );
    failed.attempts = 3;
    failed.incident = None;
    assert!(said(&post(&failed)).contains("job after 3 attempts: "));
    failed.forbidden = true;
    failed.reason = Markup::raw("I need **Pin Messages** in <#9>.");
    assert_eq!(
        said(&post(&failed)),
        "⚠️ I need **Pin Messages** in <#9>. (a `open_channel` job)"
    );
}

#[test]
fn a_status_webhook_turned_off_says_how_to_turn_it_back_on() {
    let post = LogPost {
        webhook_off: Some(WebhookOffLog {
            name: Markup::raw("fan_site"),
            failures: 3,
            error: Markup::raw("the service answered 503"),
        }),
        ..LogPost::default()
    };
    assert_eq!(
        said(&post),
        "⚠️ The status webhook `fan_site` failed 3 times in a row (last: the service answered 503), so \
         I turned it off: it gets no public changes until it is back on. Tell its owner, and \
         once their receiver answers 2xx again, run `incident-bot webhooks --on fan_site` (the \
         receiver then gets the current state of each incident, not what it missed)."
    );
}
