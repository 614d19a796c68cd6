//! Players' announcements on every configured network at once: the P0 story as one thread on
//! each, a security incident on none, and a turn to security cancelling what still waits.

use chrono::{TimeDelta, Utc};
use serde_json::json;

use incident_bot::config::Settings;

use crate::social_bluesky::on_bluesky;
use crate::social_mastodon::{on_mastodon, until};
use crate::social_x::on_x;
use crate::support::bot::{spawn_bot_with, world, STEP};
use crate::support::fake_bluesky::{FakeBluesky, APP_PASSWORD};
use crate::support::fake_mastodon::FakeMastodon;
use crate::support::fake_service::{Canned, Fault};
use crate::support::fake_x::FakeX;
use crate::support::story::{declare, run};

/// The three networks' fakes.
pub(crate) struct Networks {
    mastodon: FakeMastodon,
    bluesky: FakeBluesky,
    x: FakeX,
}

impl Networks {
    /// Starts the three fakes.
    pub(crate) async fn start() -> Self {
        Self {
            mastodon: FakeMastodon::start(500).await,
            bluesky: FakeBluesky::start().await,
            x: FakeX::start().await,
        }
    }

    /// Every network configured, X with replies and the link.
    pub(crate) fn configure(&self) -> impl FnOnce(&mut Settings) {
        let (m, b, x) = (
            on_mastodon(&self.mastodon, STEP),
            on_bluesky(&self.bluesky, APP_PASSWORD, STEP),
            on_x(&self.x, true, true, 50, STEP),
        );
        move |s| {
            m(s);
            b(s);
            x(s);
        }
    }
}

impl Networks {
    /// Waits until each network holds `firsts.len()` posts, then asserts they are one thread
    /// each: the posts begin with `firsts` in order, and each answers the one before it.
    pub(crate) async fn assert_one_thread_each(&self, firsts: &[&str]) {
        let n = firsts.len();
        until("every post on each network", || {
            self.mastodon.statuses().len() >= n
                && self.bluesky.records().len() >= n
                && self.x.posts().len() >= n
        })
        .await;
        let (m, b, x) = (
            self.mastodon.statuses(),
            self.bluesky.records(),
            self.x.posts(),
        );
        assert_eq!((m.len(), b.len(), x.len()), (n, n, n), "no post more");
        for (i, first) in firsts.iter().enumerate() {
            assert!(m[i].text.starts_with(first), "{i}: {}", m[i].text);
            assert!(b[i].text().starts_with(first), "{i}: {}", b[i].text());
            assert!(x[i].text.starts_with(first), "{i}: {}", x[i].text);
        }
        for i in 1..n {
            assert_eq!(m[i].in_reply_to_id.as_ref(), Some(&m[i - 1].id), "{i}");
            assert_eq!(b[i].value["reply"]["parent"]["uri"], b[i - 1].uri.as_str());
            assert_eq!(b[i].value["reply"]["root"]["uri"], b[0].uri.as_str());
            assert_eq!(x[i].in_reply_to.as_ref(), Some(&x[i - 1].id), "{i}");
        }
        self.assert_clean();
    }

    /// Asserts no network was called at all.
    pub(crate) fn assert_untouched(&self) {
        assert!(
            self.mastodon.service.received().is_empty(),
            "Mastodon was called"
        );
        assert!(
            self.bluesky.service.received().is_empty(),
            "Bluesky was called"
        );
        assert!(self.x.service.received().is_empty(), "X was called");
    }

    fn assert_clean(&self) {
        assert_eq!(self.mastodon.violations(), Vec::<String>::new());
        assert_eq!(self.bluesky.violations(), Vec::<String>::new());
        assert_eq!(self.x.violations(), Vec::<String>::new());
    }
}

/// The P0 transcript's public steps: the alert, a public update, the all-clear.
#[tokio::test]
async fn the_p0_story_is_one_thread_on_each_network_in_the_order_players_were_told() {
    let discord = world::fake().start().await;
    let nets = Networks::start().await;
    let bot = spawn_bot_with(&discord, nets.configure()).await;

    let channel = declare(
        &discord,
        world::RESPONDER,
        &[
            ("title", "Login down for everyone"),
            ("severity", "P0"),
            ("systems", "Login"),
            ("summary", "Players get *error 503* at the login screen"),
        ],
    )
    .await
    .id;
    run(
        &discord,
        world::COMMANDER,
        channel,
        "update",
        &[
            ("message", "We found a bad deploy and are rolling it back"),
            ("public", "true"),
            ("eta", "30 minutes"),
        ],
    )
    .await;
    run(
        &discord,
        world::COMMANDER,
        channel,
        "resolve",
        &[
            ("root_cause", "An expired certificate on the auth service"),
            ("compensation", "200 gems"),
            ("all_clear", "now"),
        ],
    )
    .await;
    until("three posts on each network", || {
        nets.mastodon.statuses().len() == 3
            && nets.bluesky.records().len() == 3
            && nets.x.posts().len() == 3
    })
    .await;
    bot.settle().await;

    let announced: Vec<String> = discord
        .messages(world::ANNOUNCEMENTS)
        .iter()
        .map(|m| m.content.clone())
        .collect();
    assert_eq!(announced.len(), 3, "{announced:#?}");
    let m = nets.mastodon.statuses();
    let b = nets.bluesky.records();
    let x = nets.x.posts();
    let firsts = [
        "🚨 Service Alert 🚨",
        "📣 Status update on Login",
        "✅ All Clear",
    ];
    for (i, first) in firsts.iter().enumerate() {
        assert!(m[i].text.starts_with(first), "{}", m[i].text);
        assert!(b[i].text().starts_with(first), "{}", b[i].text());
        assert!(x[i].text.starts_with(first), "{}", x[i].text);
    }
    // One thread each: every post after the alert answers the one before it.
    for i in 1..3 {
        assert_eq!(m[i].in_reply_to_id.as_ref(), Some(&m[i - 1].id));
        assert_eq!(b[i].value["reply"]["parent"]["uri"], b[i - 1].uri.as_str());
        assert_eq!(b[i].value["reply"]["root"]["uri"], b[0].uri.as_str());
        assert_eq!(x[i].in_reply_to.as_ref(), Some(&x[i - 1].id));
    }
    assert!(m[1].text.contains("ETA: "), "{}", m[1].text);
    assert!(
        m[2].text.contains("Compensation: 200 gems"),
        "{}",
        m[2].text
    );
    assert_eq!(nets.mastodon.violations(), Vec::<String>::new());
    assert_eq!(nets.bluesky.violations(), Vec::<String>::new());
    assert_eq!(nets.x.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_security_incident_never_reaches_any_network() {
    let discord = world::fake().start().await;
    let nets = Networks::start().await;
    let bot = spawn_bot_with(&discord, nets.configure()).await;

    let channel = declare(
        &discord,
        world::SECURITY,
        &[
            ("title", "Admin key leaked"),
            ("severity", "P0"),
            ("kind", "security"),
        ],
    )
    .await
    .id;
    run(&discord, world::SECURITY, channel, "announce", &[]).await;
    run(
        &discord,
        world::SECURITY,
        channel,
        "resolve",
        &[
            ("root_cause", "A key committed by mistake"),
            ("all_clear", "now"),
        ],
    )
    .await;
    bot.settle().await;

    assert!(
        nets.mastodon.service.received().is_empty(),
        "Mastodon was called"
    );
    assert!(
        nets.bluesky.service.received().is_empty(),
        "Bluesky was called"
    );
    assert!(nets.x.service.received().is_empty(), "X was called");
}

#[tokio::test]
async fn a_turn_to_security_cancels_the_waiting_posts_and_says_which_went_out() {
    let discord = world::fake().start().await;
    let mastodon = FakeMastodon::start(500).await;
    let bot = spawn_bot_with(&discord, on_mastodon(&mastodon, STEP)).await;
    let channel = declare(
        &discord,
        world::RESPONDER,
        &[
            ("title", "Login down"),
            ("severity", "P0"),
            ("systems", "Login"),
        ],
    )
    .await
    .id;
    until("the alert", || mastodon.statuses().len() == 1).await;

    // The instance asks the bot to come back in a minute: the update waits.
    let reset = (Utc::now() + TimeDelta::minutes(1)).to_rfc3339();
    mastodon.service.fault(Fault::Answer(
        Canned::json(429, &json!({ "error": "Too many requests" }))
            .with_header("x-ratelimit-reset", &reset),
    ));
    run(
        &discord,
        world::COMMANDER,
        channel,
        "update",
        &[
            ("message", "The attacker used a stolen key"),
            ("public", "true"),
        ],
    )
    .await;
    until("the update's refused call", || {
        mastodon
            .service
            .received()
            .iter()
            .filter(|r| r.method == "POST")
            .count()
            == 2
    })
    .await;
    run(
        &discord,
        world::RESPONDER,
        channel,
        "kind",
        &[("to", "security")],
    )
    .await;
    bot.settle().await;

    let said: Vec<String> = discord
        .messages(channel)
        .iter()
        .map(|m| m.content.replace('\\', ""))
        .collect();
    let notice = said
        .iter()
        .find(|m| m.contains("📵 Social posts"))
        .unwrap_or_else(|| panic!("no word on the social posts in {said:#?}"));
    assert!(
        notice.contains("1 still waiting was cancelled."),
        "{notice}"
    );
    assert!(notice.contains("still public on Mastodon (1)"), "{notice}");
    // Past the instance's reset, nothing more goes out.
    bot.clock.advance(TimeDelta::minutes(5));
    bot.settle().await;
    assert_eq!(mastodon.statuses().len(), 1);
}
