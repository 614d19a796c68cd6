//! `check --online` with a Cloudflare custom list: the list blocks nothing until a WAF custom
//! rule uses it, so Cloudflare (the fake, checked against the SDK's definitions) is asked for
//! the list's name and the zone's custom rules, and the check says what to create when none
//! blocks with it.

use incident_bot::config::WafMode;

use crate::support::bot::{spawn_bot_with, world};
use crate::support::fake_cloudflare::{custom_rule, FakeCloudflare, ACCOUNT, LIST, ZONE};

async fn check(cf: &FakeCloudflare) -> (Vec<String>, Vec<String>) {
    let fake = world::fake().start().await;
    let with_cloudflare = crate::waf::cloudflare(cf);
    let bot = spawn_bot_with(&fake, move |s| {
        with_cloudflare(s);
        s.cloudflare.mode = WafMode::List;
        s.cloudflare.account_id = Some(ACCOUNT.to_owned());
        s.cloudflare.list_id = Some(LIST.to_owned());
    })
    .await;
    incident_bot::startup::check_online(&bot.app.settings).await
}

#[tokio::test]
async fn check_online_says_what_rule_to_create_until_one_blocks_with_the_list() {
    let cf = FakeCloudflare::start().await;
    let zone = format!("zones/{ZONE}");

    // No custom rule at all: the zone has no entry point.
    let (problems, warnings) = check(&cf).await;
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("the list `incident_blocklist` blocks nothing")
            && problems[0].contains(
                "with the expression `(ip.src in $incident_blocklist)` and the action Block"
            ),
        "{problems:?}"
    );

    // A rule that names it but only logs, and one on a list of a longer name.
    cf.set_custom_rules(
        &zone,
        vec![
            custom_rule("(ip.src in $incident_blocklist)", "log", true),
            custom_rule("(ip.src in $incident_blocklist_old)", "block", true),
        ],
    );
    let (problems, _) = check(&cf).await;
    assert!(
        problems
            .iter()
            .any(|p| p.contains("enable and set to Block the rule that names it")),
        "{problems:?}"
    );

    cf.set_custom_rules(
        &zone,
        vec![custom_rule(
            "(ip.src in $incident_blocklist and not cf.client.bot)",
            "block",
            true,
        )],
    );
    let (problems, warnings) = check(&cf).await;
    assert!(
        problems.is_empty() && warnings.is_empty(),
        "{problems:?} {warnings:?}"
    );
    assert!(cf.violations().is_empty(), "{:?}", cf.violations());
}
