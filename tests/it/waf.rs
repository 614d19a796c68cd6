//! `/incident block` and `/incident unblock` against a fake Cloudflare checked against the
//! request types of Cloudflare's SDK: a rule per address, found again after a lost answer, a
//! refused range, a token to fix, a rate limit waited out, and blocks that lift at `until`.

use std::time::Duration;

use chrono::TimeDelta;
use incident_bot::config::{Settings, WafMode};
use serenity::all::ChannelId;

use crate::support::bot::{spawn_bot_with, world, TestBot, STEP};
use crate::support::fake_cloudflare::{refused, FakeCloudflare, ACCOUNT, LIST, TOKEN, ZONE};
use crate::support::fake_discord::FakeDiscord;
use crate::support::fake_service::Fault;
use crate::support::story::{declare, run, run_pm, shows};

/// `[cloudflare]` pointed at `cf`, with access rules in its zone.
pub fn cloudflare(cf: &FakeCloudflare) -> impl FnOnce(&mut Settings) {
    let url = url::Url::parse(&cf.url()).expect("a URL");
    move |s: &mut Settings| {
        s.cloudflare.api_base = url;
        s.cloudflare.zone_id = Some(ZONE.to_owned());
        s.cloudflare.token = Some(TOKEN.to_owned().into());
        s.cloudflare.timeout = Duration::from_millis(500);
        s.cloudflare.never_block = vec!["203.0.113.0/24".parse().expect("a range")];
    }
}

/// A bot with Cloudflare on, and a security incident's channel.
async fn security_incident(
    fake: &FakeDiscord,
    tweak: impl FnOnce(&mut Settings),
) -> (TestBot, ChannelId) {
    let bot = spawn_bot_with(fake, tweak).await;
    let channel = declare(
        fake,
        world::SECURITY,
        &[
            ("title", "Credential stuffing on login"),
            ("severity", "P1"),
            ("kind", "security"),
        ],
    )
    .await;
    (bot, channel.id)
}

async fn block(fake: &FakeDiscord, channel: ChannelId, opts: &[(&str, &str)]) -> String {
    run(fake, world::SECURITY, channel, "block", opts).await
}

#[tokio::test]
async fn a_block_is_one_cloudflare_rule_per_address_until_unblock_lifts_them() {
    let fake = world::fake().start().await;
    let cf = FakeCloudflare::start().await;
    let (bot, channel) = security_incident(&fake, cloudflare(&cf)).await;

    let answer = block(
        &fake,
        channel,
        &[
            ("targets", "198.51.100.7, 2001:db8::/48 198.51.0.0/16"),
            ("note", "stuffing from a botnet"),
        ],
    )
    .await;
    assert!(answer.contains("Blocking 3"), "{answer}");
    let said = shows(&fake, channel, "the block", |m| {
        m.content.contains("Blocked at")
    })
    .await;
    let text = fake.seen(&said, chrono::Utc::now());
    let pings = fake.pings(said.id);
    assert!(pings.nobody(), "{pings:?}");
    assert!(text.contains("198.51.100.7"), "{text}");
    assert!(text.contains("stuffing from a botnet"), "{text}");
    let rules = cf.rules();
    assert_eq!(rules.len(), 3, "{rules:?}");
    let kinds: Vec<&str> = rules.iter().map(|r| r.target.as_str()).collect();
    assert_eq!(kinds, ["ip", "ip_range", "ip_range"]);
    assert!(rules
        .iter()
        .all(|r| r.mode == "block" && r.scope == format!("zones/{ZONE}")));
    assert!(
        rules
            .iter()
            .all(|r| r.notes.starts_with("incident-bot: incident #1")),
        "each rule's note names the incident: {rules:?}"
    );

    // The same address again is left alone.
    let again = block(&fake, channel, &[("targets", "198.51.100.7")]).await;
    assert!(
        again.contains("blocked in this incident already"),
        "{again}"
    );

    let lifted = run(&fake, world::SECURITY, channel, "unblock", &[]).await;
    assert!(lifted.contains("Lifting 3"), "{lifted}");
    shows(&fake, channel, "the unblock", |m| {
        m.content.contains("Unblocked at")
    })
    .await;
    bot.settle().await;
    assert!(cf.rules().is_empty(), "{:?}", cf.rules());
    let timeline = bot
        .app
        .db
        .timeline(incident_bot::domain::IncidentId(1))
        .await
        .expect("timeline");
    let containment: Vec<&str> = timeline
        .iter()
        .filter(|e| e.kind == incident_bot::domain::EntryKind::Containment)
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(containment.len(), 2, "{containment:?}");
    assert!(containment[0].starts_with("Blocked at Cloudflare: 198.51.100.7"));
    assert!(containment[1].starts_with("Unblocked at Cloudflare"));
    assert_eq!(cf.violations(), Vec::<String>::new());

    // The post-mortem draft lists each block and when it was lifted.
    run_pm(&fake, world::SECURITY, channel, "draft", &[]).await;
    let post = shows(&fake, channel, "the draft", |m| {
        m.attachments.iter().any(|a| a.filename.ends_with(".md"))
    })
    .await;
    let draft = String::from_utf8(post.attachments[0].bytes.clone()).expect("utf-8");
    assert!(draft.contains("Blocked at the WAF:"), "{draft}");
    assert!(
        draft.contains("- 198.51.100.7 at Cloudflare, by ")
            && draft.contains("(stuffing from a botnet); lifted "),
        "{draft}"
    );
}

#[tokio::test]
async fn a_private_or_own_range_is_refused_saying_why_and_nothing_reaches_cloudflare() {
    let fake = world::fake().start().await;
    let cf = FakeCloudflare::start().await;
    let (_bot, channel) = security_incident(&fake, cloudflare(&cf)).await;

    let private = block(&fake, channel, &[("targets", "198.51.100.7 10.0.0.0/16")]).await;
    assert!(
        private.contains("10.0.0.0/16 is a private address"),
        "{private}"
    );
    let own = block(&fake, channel, &[("targets", "203.0.113.9")]).await;
    assert!(own.contains("never_block"), "{own}");
    let narrow = block(&fake, channel, &[("targets", "198.51.100.0/25")]).await;
    assert!(narrow.contains("/16, /24"), "{narrow}");
    assert!(cf.service.received().is_empty());
}

#[tokio::test]
async fn blocks_are_refused_outside_a_security_incident_and_when_cloudflare_is_off() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot_with(&fake, |_| {}).await;
    let channel = declare(
        &fake,
        world::COMMANDER,
        &[("title", "Login slow"), ("severity", "P2")],
    )
    .await;
    let off = run(
        &fake,
        world::COMMANDER,
        channel.id,
        "block",
        &[("targets", "198.51.100.7")],
    )
    .await;
    assert!(off.contains("[cloudflare]"), "{off}");
}

#[tokio::test]
async fn a_refused_token_is_said_once_as_the_permission_to_grant() {
    let fake = world::fake().start().await;
    let cf = FakeCloudflare::start().await;
    let (bot, channel) = security_incident(&fake, cloudflare(&cf)).await;
    cf.fault(Fault::Answer(refused(401, 10000, "Authentication error")));

    block(&fake, channel, &[("targets", "198.51.100.7")]).await;
    let told = shows(&fake, world::LOG, "the refusal", |m| {
        m.content.contains("INCIDENT_BOT_CLOUDFLARE_API_TOKEN")
    })
    .await;
    let text = fake.seen(&told, chrono::Utc::now());
    let pings = fake.pings(told.id);
    assert!(pings.nobody(), "{pings:?}");
    assert!(text.contains("Zone → Firewall Services → Edit"), "{text}");
    bot.settle().await;
    assert_eq!(
        cf.service.received().len(),
        1,
        "a refused token is not retried"
    );
    assert!(cf.rules().is_empty());
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_and_the_block_then_goes_in() {
    let fake = world::fake().start().await;
    let cf = FakeCloudflare::start().await;
    let (bot, channel) = security_incident(&fake, cloudflare(&cf)).await;
    cf.fault(Fault::Answer(
        refused(429, 10000, "Rate limited").with_header("retry-after", "1"),
    ));

    block(&fake, channel, &[("targets", "198.51.100.7")]).await;
    advance_until(&bot, || cf.rules().len() == 1).await;
    shows(&fake, channel, "the block", |m| {
        m.content.contains("Blocked at")
    })
    .await;
    let methods: Vec<String> = cf
        .service
        .received()
        .iter()
        .map(|r| r.method.clone())
        .collect();
    assert_eq!(
        methods,
        ["GET", "GET", "POST"],
        "the rate-limited lookup was tried again"
    );
}

#[tokio::test]
async fn a_lost_answer_is_found_again_and_makes_no_second_rule() {
    let fake = world::fake().start().await;
    let cf = FakeCloudflare::start().await;
    let (bot, channel) = security_incident(&fake, cloudflare(&cf)).await;
    // The lookup passes; the create acts, and its answer never arrives.
    cf.fault(Fault::Pass);
    cf.fault(Fault::LoseAnswer);

    block(&fake, channel, &[("targets", "198.51.100.7")]).await;
    advance_until(&bot, || cf.service.received().len() >= 3).await;
    shows(&fake, channel, "the block", |m| {
        m.content.contains("Blocked at")
    })
    .await;
    let rules = cf.rules();
    assert_eq!(rules.len(), 1, "one rule, not two: {rules:?}");
    let methods: Vec<String> = cf
        .service
        .received()
        .iter()
        .map(|r| r.method.clone())
        .collect();
    assert_eq!(
        methods,
        ["GET", "POST", "GET"],
        "the retry looked it up and adopted it"
    );
    // Unblock deletes that rule: its id was recorded from the lookup.
    run(&fake, world::SECURITY, channel, "unblock", &[]).await;
    shows(&fake, channel, "the unblock", |m| {
        m.content.contains("Unblocked at")
    })
    .await;
    assert!(cf.rules().is_empty());
}

#[tokio::test]
async fn a_block_with_until_lifts_itself_when_its_time_is_up() {
    let fake = world::fake().start().await;
    let cf = FakeCloudflare::start().await;
    let (bot, channel) = security_incident(&fake, cloudflare(&cf)).await;

    block(
        &fake,
        channel,
        &[("targets", "198.51.100.7"), ("until", "2h")],
    )
    .await;
    shows(&fake, channel, "the block", |m| {
        m.content.contains("Blocked at")
    })
    .await;
    bot.clock.advance(TimeDelta::minutes(119));
    bot.settle().await;
    assert_eq!(cf.rules().len(), 1, "still blocked before its time");
    bot.clock.advance(TimeDelta::minutes(2));
    let lifted = shows(&fake, channel, "the unblock", |m| {
        m.content.contains("Unblocked at")
    })
    .await;
    let text = fake.seen(&lifted, chrono::Utc::now());
    let pings = fake.pings(lifted.id);
    assert!(pings.nobody(), "{pings:?}");
    assert!(text.contains("its time was up"), "{text}");
    assert!(cf.rules().is_empty());
}

#[tokio::test]
async fn a_list_block_waits_for_its_bulk_operation_and_waits_out_a_429_while_one_is_pending() {
    let fake = world::fake().start().await;
    let cf = FakeCloudflare::start().await;
    let base = cloudflare(&cf);
    let (bot, channel) = security_incident(&fake, move |s| {
        base(s);
        s.cloudflare.zone_id = None;
        s.cloudflare.account_id = Some(ACCOUNT.to_owned());
        s.cloudflare.mode = WafMode::List;
        s.cloudflare.list_id = Some(LIST.to_owned());
    })
    .await;

    // Another bulk operation of the account is pending when the first item is written.
    cf.fault(Fault::Pass);
    cf.fault(Fault::Answer(
        refused(429, 10045, "a bulk operation is already pending").with_header("retry-after", "1"),
    ));
    block(&fake, channel, &[("targets", "198.51.100.7 2001:db8::1")]).await;
    advance_until(&bot, || cf.items().len() == 2).await;
    shows(&fake, channel, "the block", |m| {
        m.content.contains("Blocked at")
    })
    .await;
    let items = cf.items();
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(items
        .iter()
        .all(|i| i.comment.as_deref().is_some_and(|c| c.contains("#1"))));
    run(&fake, world::SECURITY, channel, "unblock", &[]).await;
    shows(&fake, channel, "the unblock", |m| {
        m.content.contains("Unblocked at")
    })
    .await;
    bot.settle().await;
    assert!(cf.items().is_empty(), "{:?}", cf.items());
    assert_eq!(cf.violations(), Vec::<String>::new());
}

/// Moves the bot's clock on in steps of ten seconds until `done` (a retry's backoff passes),
/// giving up after a step of real time.
async fn advance_until(bot: &TestBot, done: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + STEP;
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not within {STEP:?}"
        );
        bot.clock.advance(TimeDelta::seconds(10));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_list_too_long_to_type_comes_as_an_attached_text_file() {
    let fake = world::fake().start().await;
    let cf = FakeCloudflare::start().await;
    let (_bot, channel) = security_incident(&fake, cloudflare(&cf)).await;
    // 120 addresses: more than a string option's 6,000 characters would hold comfortably.
    let list: String = (1..=120).map(|n| format!("198.51.100.{n}\n")).collect();

    let handle = fake
        .slash(world::SECURITY)
        .in_channel(channel)
        .command("incident")
        .sub("block")
        .opt_attachment("file", "attackers.txt", &list)
        .opt_str("targets", "2001:db8::1")
        .send()
        .await;
    let answer = handle.reply().await.content;
    assert!(answer.contains("Blocking 121"), "{answer}");
    fake.wait_for("every rule", STEP, |_| cf.rules().len() == 121)
        .await;
    assert_eq!(cf.violations(), Vec::<String>::new());
}
