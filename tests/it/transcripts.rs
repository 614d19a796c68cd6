//! Whole stories as a person reads them, kept as snapshots a reviewer can read in one file:
//! each channel (players' announcements, the incident channel, the log) and each person's
//! own answers, rendered as Discord shows them (escapes consumed, mentions as names,
//! timestamps as dates), on a stopped clock so that every time in them is stable.

use chrono::{DateTime, TimeDelta, Utc};
use incident_bot::clock::ManualClock;
use incident_bot::config::Settings;
use serenity::all::{ChannelId, UserId};

use crate::support::bot::{spawn_bot_on, world, TestBot, STEP};
use crate::support::fake_discord::FakeDiscord;
use crate::support::fake_paging::{FakeNtfy, FakePagerDuty};
use crate::support::paging;
use crate::support::prometheus::Prometheus;
use crate::support::story::{answer_fix_check, incident, press, shows, FixCheck};
use crate::support::time::T0;

/// A story being told: the fake, the bot, and every answer people got, as they read it.
pub(crate) struct Story<'a> {
    fake: &'a FakeDiscord,
    bot: &'a TestBot,
    answers: Vec<String>,
    /// Messages as they read at a moment of the story, before a later answer rewrote them.
    moments: Vec<String>,
}

pub(crate) fn name(user: UserId) -> &'static str {
    match user {
        u if u == world::RESPONDER => "rhea",
        u if u == world::COMMANDER => "cole",
        u if u == world::SECURITY => "sana",
        _ => "pat",
    }
}

impl<'a> Story<'a> {
    pub(crate) fn new(fake: &'a FakeDiscord, bot: &'a TestBot) -> Self {
        Self {
            fake,
            bot,
            answers: Vec::new(),
            moments: Vec::new(),
        }
    }

    /// The channel the story's declare opened, once its work is done.
    pub(crate) async fn incident_channel(&self) -> ChannelId {
        self.bot.settle().await;
        self.fake
            .channels_under(world::INCIDENTS)
            .first()
            .map(|c| c.id)
            .expect("the incident channel")
    }

    /// Runs `/incident sub` and keeps the answer as its user read it.
    pub(crate) async fn incident(
        &mut self,
        who: UserId,
        at: ChannelId,
        sub: &str,
        opts: &[(&str, &str)],
    ) {
        let handle = incident(self.fake, who, at, sub, opts).await;
        let reply = handle.reply().await;
        self.keep(who, &format!("/incident {sub}"), opts, &reply);
        // What the command queued is posted before the next step, so the order is the story's.
        self.bot.settle().await;
    }

    /// Runs `/postmortem sub` with string options and keeps the answer.
    async fn postmortem(&mut self, who: UserId, at: ChannelId, sub: &str, opts: &[(&str, &str)]) {
        let mut b = self
            .fake
            .slash(who)
            .in_channel(at)
            .command("postmortem")
            .sub(sub);
        for (k, v) in opts {
            b = match v.parse::<i64>() {
                Ok(n) if *k != "revenue" => b.opt_int(k, n),
                _ => b.opt_str(k, v),
            };
        }
        let reply = b.send().await.reply().await;
        self.keep(who, &format!("/postmortem {sub}"), opts, &reply);
        self.bot.settle().await;
    }

    /// Runs `/maintenance sub` with string options and keeps the answer.
    async fn maintenance(&mut self, who: UserId, at: ChannelId, sub: &str, opts: &[(&str, &str)]) {
        let mut b = self
            .fake
            .slash(who)
            .in_channel(at)
            .command("maintenance")
            .sub(sub);
        for (k, v) in opts {
            b = b.opt_str(k, v);
        }
        let reply = b.send().await.reply().await;
        self.keep(who, &format!("/maintenance {sub}"), opts, &reply);
        self.bot.settle().await;
    }

    /// Presses a checklist button; a refusal, which only the presser sees, is kept as an answer.
    pub(crate) async fn press(&mut self, who: UserId, at: ChannelId, label: &str) {
        let (handle, _) = press(self.fake, who, at, label).await;
        if handle.ack().await.kind == 4 {
            let reply = handle.reply().await;
            let seen = self.fake.seen(&reply, self.now());
            self.answers.push(format!(
                "{} ▸ [button: {label}]\n    {}",
                name(who),
                seen.replace('\n', "\n    ")
            ));
        }
        self.bot.settle().await;
    }

    fn keep(
        &mut self,
        who: UserId,
        command: &str,
        opts: &[(&str, &str)],
        reply: &crate::support::fake_discord::FakeMessage,
    ) {
        // What the person picked, as Discord shows it to them: a user by name.
        let typed: Vec<String> = opts
            .iter()
            .map(|(k, v)| {
                let user = v
                    .strip_prefix("<@")
                    .and_then(|rest| rest.strip_suffix('>'))
                    .and_then(|id| id.parse::<u64>().ok());
                match user {
                    Some(id) => format!("{k}:@{}", name(UserId::new(id))),
                    None => format!("{k}:{v}"),
                }
            })
            .collect();
        let seen = self.fake.seen(reply, self.now());
        self.answers.push(format!(
            "{} ▸ {}\n    {}",
            name(who),
            [command.to_owned(), typed.join(" ")].join(" ").trim_end(),
            seen.replace('\n', "\n    ")
        ));
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        use incident_bot::clock::Clock;
        self.bot.clock.now()
    }

    /// Answers the fix check.
    pub(crate) async fn fix_check(&mut self, who: UserId, at: ChannelId, answer: FixCheck<'_>) {
        answer_fix_check(self.fake, who, at, answer, self.now()).await;
        self.bot.settle().await;
    }

    /// Keeps `channel`'s message containing `needle` as it reads now, once `ready` holds for
    /// it: a question reads differently once answered.
    pub(crate) async fn glimpse(
        &mut self,
        channel: ChannelId,
        needle: &str,
        ready: impl Fn(&crate::support::fake_discord::FakeMessage) -> bool,
    ) {
        shows(self.fake, channel, needle, |m| {
            m.content.contains(needle) && ready(m)
        })
        .await;
        let line = self
            .fake
            .seen_in(channel, self.now())
            .into_iter()
            .find(|l| l.contains(needle))
            .expect("just seen");
        let at = self.now().format("%H:%M");
        self.moments.push(format!("at {at}\n{}", line.trim_end()));
    }

    /// Moves the clock, then waits until `channel` shows a message containing `needle`.
    pub(crate) async fn later(&self, by: TimeDelta, channel: ChannelId, needle: &str) {
        self.bot.clock.advance(by);
        shows(self.fake, channel, needle, |m| m.content.contains(needle)).await;
    }

    /// The whole transcript: every channel as everyone sees it, then each person's answers.
    pub(crate) fn transcript(&self, channels: &[(&str, ChannelId)]) -> String {
        let mut out = String::new();
        for (title, channel) in channels {
            out.push_str(&format!("### #{title}\n"));
            for line in self.fake.seen_in(*channel, self.now()) {
                out.push_str(&format!("{}\n\n", line.trim_end()));
            }
        }
        if !self.moments.is_empty() {
            out.push_str("### messages as they read before they were answered\n");
            for m in &self.moments {
                out.push_str(&format!("{m}\n\n"));
            }
        }
        out.push_str("### answers only their asker sees\n");
        for a in &self.answers {
            out.push_str(&format!("{a}\n\n"));
        }
        // An event's id is a snowflake of when the fake made it: the one thing that differs
        // from run to run.
        for (n, event) in self.fake.scheduled_events().iter().enumerate() {
            out = out.replace(&event.id.to_string(), &format!("<event {}>", n + 1));
        }
        out
    }
}

/// Login's error rate, the query the README shows, read from `url`; a fix check an hour on.
pub(crate) fn with_login_rate(s: &mut Settings, url: String) {
    s.prometheus.url = Some(url);
    let login = s.systems.each.entry("Login".to_owned()).or_default();
    login.error_rate = Some(
        r#"sum(rate(http_requests_total{service="login",code=~"5.."}[1m])) / sum(rate(http_requests_total{service="login"}[1m]))"#
            .to_owned(),
    );
    login.good_below = Some(0.01);
}

/// Login's evidence: its Sentry issues and its backend logs in Grafana Explore.
fn with_login_links(s: &mut Settings) {
    let login = s.systems.each.entry("Login".to_owned()).or_default();
    login.sentry =
        Some("https://sentry.io/organizations/loh/issues/?project=4&start={from}&end={to}".into());
    login.logs = Some(
        r#"https://grafana.loh.game/explore?left={"datasource":"loki","queries":[{"expr":"{filename=~\"/var/log/loh-backend/.*\"}"}],"range":{"from":"{from_ms}","to":"{to_ms}"}}"#
            .into(),
    );
}

#[tokio::test]
async fn the_p0_story_as_players_and_responders_read_it() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    // Login's errors: 0.2 % before, 20 % from detection until the fix lands 20 minutes on,
    // then 0.1 %.
    let prometheus =
        Prometheus::with_history(T0 - TimeDelta::hours(2), T0 + TimeDelta::hours(2), |t| {
            if t < T0 {
                0.002
            } else if t < T0 + TimeDelta::minutes(20) {
                0.2
            } else {
                0.001
            }
        })
        .await;
    let url = prometheus.url();
    // On-call is paged outside Discord too: a fake PagerDuty and a fake ntfy.
    let pd = FakePagerDuty::start().await;
    let ntfy = FakeNtfy::start(paging::NTFY_TOKEN).await;
    let (pd_url, ntfy_url) = (pd.service.url(), ntfy.service.url());
    // The game's own maintenance mode: a hook the bot calls as windows start and end.
    let game = crate::support::fake_service::FakeService::start(|_| {
        crate::support::fake_service::Canned::json(200, &serde_json::json!({ "ok": true }))
    })
    .await;
    let hook = crate::maintenance_hook::hook(&game.url());
    // Players read the same news on Mastodon, Bluesky and X.
    let nets = crate::social::Networks::start().await;
    let social = nets.configure();
    let bot = spawn_bot_on(&fake, dir.path(), ManualClock::new(T0), move |s| {
        social(s);
        with_login_rate(s, url);
        with_login_links(s);
        paging::configure(s, &pd_url, &ntfy_url);
        std::env::set_var(crate::maintenance_hook::SECRET_VAR, "game-admin-secret");
        s.maintenance.hook = Some(hook.id.clone());
        s.actions = vec![hook];
    })
    .await;
    let mut story = Story::new(&fake, &bot);
    let (rhea, cole, sana) = (world::RESPONDER, world::COMMANDER, world::SECURITY);

    story
        .incident(
            rhea,
            world::GENERAL,
            "declare",
            &[
                ("title", "Login down for everyone"),
                ("severity", "P0"),
                ("systems", "Login"),
                ("summary", "Players get *error 503* at the login screen"),
            ],
        )
        .await;
    let channel = story.incident_channel().await;
    // A page that ran before the channel was open waits 2 s for its link.
    bot.clock.advance(TimeDelta::seconds(2));
    paging::until("the page in PagerDuty and ntfy", || {
        pd.events().len() == 1 && ntfy.published().len() == 1
    })
    .await;
    // Triage steps are ticked as they are done, by whoever did them.
    story.press(rhea, channel, "Alert received").await;
    story.press(rhea, channel, "Issue is real").await;
    story.press(cole, channel, "Severity set").await;
    let cole_at = format!("<@{cole}>");
    let sana_at = format!("<@{sana}>");
    story
        .incident(
            cole,
            channel,
            "assign",
            &[("role", "commander"), ("user", &cole_at)],
        )
        .await;
    story
        .incident(
            cole,
            channel,
            "assign",
            &[("role", "comms"), ("user", &sana_at)],
        )
        .await;
    // The on-call engineer acknowledged the page in PagerDuty: the timeline names them.
    let key = pd.alerts().keys().next().cloned().expect("the page's key");
    let ack = paging::acknowledgement_at(story.now(), &key, "ack-1");
    let signature = paging::sign(&ack, paging::WEBHOOK_SECRET);
    let heard = paging::deliver_to(bot.public, &ack, &signature).await;
    assert_eq!(heard.status, 200, "{}", heard.body);
    bot.settle().await;
    story
        .incident(
            sana,
            channel,
            "update",
            &[
                ("message", "We found a bad deploy and are rolling it back"),
                ("public", "true"),
                ("eta", "30 minutes"),
            ],
        )
        .await;
    story
        .incident(cole, channel, "phase", &[("to", "containment")])
        .await;
    story.press(sana, channel, "Traffic redirected").await;
    // Only who ticked a step, or a commander, can undo the tick.
    story.press(rhea, channel, "✓ Traffic redirected").await;
    // Maintenance mode from the checklist: a confirmation first, then players are told (🛠️)
    // and the status page shows Login under maintenance.
    story.press(cole, channel, "🛠️ Start maintenance…").await;
    story
        .press(cole, channel, "Confirm: players told, Login down 60m")
        .await;
    let under = |r: &crate::support::http::Response| r.body.contains("\"under_maintenance\"");
    crate::status_page::until(
        bot.public,
        "/api/v2/components.json",
        "Login under maintenance",
        under,
    )
    .await;
    crate::status_page::until(bot.public, "/", "the page", |r| {
        r.body.contains("Under maintenance")
    })
    .await;
    bot.settle().await;
    assert_eq!(
        crate::maintenance_hook::modes(&game),
        ["on"],
        "the game's hook"
    );
    story.incident(cole, channel, "status", &[]).await;
    story
        .incident(
            rhea,
            channel,
            "note",
            &[("text", "Rollback of `auth-7` started")],
        )
        .await;
    story
        .maintenance(cole, channel, "extend", &[("by", "2h")])
        .await;
    bot.settle().await;
    // Investigation: the checklist, then the evidence links over the incident's time.
    bot.clock.advance(TimeDelta::minutes(10));
    story
        .incident(cole, channel, "phase", &[("to", "investigation")])
        .await;
    // Twenty minutes without an update: the comms lead is reminded.
    story
        .later(TimeDelta::minutes(11), channel, "No update for")
        .await;
    story
        .incident(
            cole,
            channel,
            "resolve",
            &[
                ("root_cause", "An expired certificate on the auth service"),
                ("compensation", "200 gems"),
            ],
        )
        .await;
    bot.settle().await;
    // The verification window: the verify steps are ticked as they are done.
    story.press(rhea, channel, "Smoke tests run").await;
    story.press(sana, channel, "User reports resolved").await;
    // Players are told once the fix held: an hour on, the commander is asked.
    story
        .later(TimeDelta::hours(1), channel, "did it hold?")
        .await;
    // The verdict first; the chart follows on the same message.
    story
        .glimpse(channel, "did it hold?", |m| !m.attachments.is_empty())
        .await;
    story.press(rhea, channel, "Error rates watched").await;
    story.fix_check(cole, channel, FixCheck::Held).await;
    paging::until("the page resolved and the all-clear published", || {
        pd.alerts()[&key].status == "resolved" && ntfy.published().len() == 2
    })
    .await;
    // Recovery: maintenance mode off, and players told.
    story.press(cole, channel, "🛠️ End maintenance…").await;
    story
        .press(cole, channel, "Confirm: end maintenance, players told")
        .await;
    let back = |r: &crate::support::http::Response| !r.body.contains("\"under_maintenance\"");
    crate::status_page::until(bot.public, "/api/v2/components.json", "Login back", back).await;
    bot.settle().await;
    assert_eq!(
        crate::maintenance_hook::modes(&game),
        ["on", "off"],
        "the game's hook"
    );
    story
        .postmortem(
            cole,
            channel,
            "impact",
            &[("users", "12000"), ("downtime_minutes", "25")],
        )
        .await;
    // The review meeting: an event in the private meeting room, a call to everyone who acted.
    story
        .postmortem(cole, channel, "schedule", &[("when", "tomorrow 15:00")])
        .await;
    story.later(TimeDelta::hours(24), channel, "is due").await;
    story.postmortem(cole, channel, "draft", &[]).await;
    story.bot.clock.advance(TimeDelta::hours(5));
    let event = fake.scheduled_events().pop().expect("the meeting's event");
    fake.start_event(event.id);
    story
        .postmortem(
            cole,
            channel,
            "done",
            &[("link", "https://wiki.example.com/pm/1")],
        )
        .await;
    let event = fake.scheduled_events().pop().expect("the meeting's event");
    assert_eq!(event.status, 3, "the meeting that took place is completed");
    story.incident(cole, channel, "close", &[]).await;
    fake.wait_for("the archive", STEP, |f| {
        f.channel(channel)
            .is_some_and(|c| c.parent_id == Some(world::ARCHIVE))
    })
    .await;
    bot.settle().await;

    insta::assert_snapshot!(
        "p0_story",
        story.transcript(&[
            ("announcements (players)", world::ANNOUNCEMENTS),
            ("inc-1-login-down-for-everyone", channel),
            ("incident-log", world::LOG),
        ])
    );
    // What players read in Discord, they read as one thread on each network too.
    nets.assert_one_thread_each(&[
        "🚨 Service Alert 🚨",
        "📣 Status update on Login",
        "🛠️ Maintenance under way",
        "🛠️ Maintenance extended",
        "✅ All Clear",
        "🛠️ Maintenance complete",
    ])
    .await;
    assert_eq!(pd.alerts().len(), 1, "one page in PagerDuty");
    assert_eq!(pd.alerts()[&key].triggers, 1, "triggered once");
    assert!(pd.violations().is_empty(), "{:?}", pd.violations());
    assert!(ntfy.violations().is_empty(), "{:?}", ntfy.violations());
    insta::assert_snapshot!("p0_story_pages", pages_sent(&pd, &ntfy, channel));
}

/// What went out to PagerDuty and ntfy, one block a call, the incident channel's id named.
fn pages_sent(pd: &FakePagerDuty, ntfy: &FakeNtfy, channel: ChannelId) -> String {
    let mut out = String::from("### PagerDuty (Events API v2)\n");
    for e in pd.events() {
        let links: Vec<String> = e["links"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| {
                format!(
                    "{} <{}>",
                    l["text"].as_str().unwrap_or_default(),
                    l["href"].as_str().unwrap_or_default()
                )
            })
            .collect();
        out.push_str(&format!(
            "{} {}: {} [{}] {}\n\n",
            e["event_action"].as_str().unwrap_or_default(),
            e["dedup_key"].as_str().unwrap_or_default(),
            e["payload"]["summary"].as_str().unwrap_or("-"),
            e["payload"]["severity"].as_str().unwrap_or("-"),
            links.join(", ")
        ));
    }
    out.push_str("### ntfy\n");
    for m in ntfy.published() {
        out.push_str(&format!(
            "to {} priority {} tags {} click <{}>\n  {}\n  {}\n\n",
            m.topic,
            m.priority,
            m.tags,
            m.click.unwrap_or_default(),
            m.title,
            m.message
        ));
    }
    out.replace(&channel.to_string(), "<incident channel>")
}

#[tokio::test]
async fn the_security_story_as_the_security_team_reads_it_and_nobody_else_does() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let nets = crate::social::Networks::start().await;
    let bot = spawn_bot_on(&fake, dir.path(), ManualClock::new(T0), nets.configure()).await;
    let mut story = Story::new(&fake, &bot);
    let (rhea, sana) = (world::RESPONDER, world::SECURITY);

    story
        .incident(
            sana,
            world::GENERAL,
            "declare",
            &[
                ("title", "Admin key in a public repo"),
                ("severity", "P1"),
                ("kind", "security"),
            ],
        )
        .await;
    let channel = story.incident_channel().await;
    story.incident(rhea, world::GENERAL, "status", &[]).await;
    story
        .incident(world::PLAYER, world::GENERAL, "status", &[])
        .await;
    story.incident(sana, world::GENERAL, "status", &[]).await;
    let sana_at = format!("<@{sana}>");
    story
        .incident(
            sana,
            channel,
            "assign",
            &[("role", "commander"), ("user", &sana_at)],
        )
        .await;
    story
        .incident(
            sana,
            channel,
            "update",
            &[("message", "Key revoked"), ("public", "true")],
        )
        .await;
    story
        .incident(
            sana,
            channel,
            "resolve",
            &[
                ("root_cause", "A key committed by mistake"),
                ("all_clear", "now"),
            ],
        )
        .await;
    story.incident(sana, channel, "close", &[]).await;
    fake.wait_for("the archive", STEP, |f| {
        f.channel(channel)
            .is_some_and(|c| c.parent_id == Some(world::ARCHIVE))
    })
    .await;
    bot.settle().await;

    insta::assert_snapshot!(
        "security_story",
        story.transcript(&[
            ("announcements (players)", world::ANNOUNCEMENTS),
            ("sec-1", channel),
            ("incident-log", world::LOG),
        ])
    );
    // Nothing of it reaches any network.
    nets.assert_untouched();
}

/// Every message anyone can see (channels and each person's own answers) rendered as Discord
/// shows it: nothing the bot wrote may show as raw markup.
fn assert_reads_clean(fake: &FakeDiscord, now: DateTime<Utc>) -> usize {
    let mut seen = Vec::new();
    for channel in fake.channels() {
        for m in fake.messages(channel.id) {
            seen.push(fake.seen(&m, now));
        }
    }
    for i in fake.interactions() {
        if let Some(reply) = fake.reply_to(i.id) {
            seen.push(fake.seen(&reply, now));
        }
    }
    for text in &seen {
        for raw in ["<t:", "<@", "<#", "\\", "`"] {
            assert!(!text.contains(raw), "{raw:?} shows raw in:\n{text}");
        }
    }
    seen.len()
}

#[tokio::test]
async fn every_kind_of_message_reads_as_meant_with_no_raw_markup() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = spawn_bot_on(&fake, dir.path(), ManualClock::new(T0), |_| {}).await;
    let mut story = Story::new(&fake, &bot);
    let (rhea, cole) = (world::RESPONDER, world::COMMANDER);
    story
        .incident(
            rhea,
            world::GENERAL,
            "declare",
            &[
                ("title", "Login down"),
                ("severity", "P0"),
                ("systems", "Login"),
            ],
        )
        .await;
    let channel = story.incident_channel().await;
    // A tick shows who and when; a player's press is refused to them alone.
    story.press(rhea, channel, "Alert received").await;
    story.press(world::PLAYER, channel, "Issue is real").await;
    // Nobody takes command, nobody posts an update, triage overruns twice.
    story
        .later(TimeDelta::minutes(6), channel, "Nobody has taken command")
        .await;
    story
        .later(TimeDelta::minutes(5), channel, "is over its budget")
        .await;
    story
        .later(TimeDelta::minutes(10), channel, "No update for")
        .await;
    bot.settle().await;
    // Refusals and errors, each answered to its asker.
    story
        .incident(world::PLAYER, world::GENERAL, "status", &[])
        .await;
    story
        .incident(world::PLAYER, channel, "note", &[("text", "hello")])
        .await;
    story
        .incident(rhea, world::GENERAL, "note", &[("text", "wrong place")])
        .await;
    story
        .incident(rhea, channel, "severity", &[("level", "P0")])
        .await;
    story
        .incident(cole, channel, "severity", &[("level", "P0")])
        .await;
    story.incident(cole, channel, "close", &[]).await;
    story
        .incident(rhea, channel, "phase", &[("to", "triage")])
        .await;
    let pat = format!("<@{}>", world::PLAYER);
    story
        .incident(
            rhea,
            channel,
            "assign",
            &[("role", "scribe"), ("user", &pat)],
        )
        .await;
    story
        .postmortem(rhea, channel, "schedule", &[("when", "someday")])
        .await;
    story.incident(rhea, channel, "status", &[]).await;
    story.incident(rhea, world::GENERAL, "status", &[]).await;
    let cole_at = format!("<@{cole}>");
    story
        .incident(
            cole,
            channel,
            "assign",
            &[("role", "commander"), ("user", &cole_at)],
        )
        .await;
    story
        .incident(
            cole,
            channel,
            "severity",
            &[("level", "P1"), ("reason", "EU only")],
        )
        .await;
    story
        .incident(
            cole,
            channel,
            "severity",
            &[("level", "P0"), ("reason", "worldwide")],
        )
        .await;
    story
        .incident(
            cole,
            channel,
            "update",
            &[("message", "Rolling back"), ("public", "true")],
        )
        .await;
    // ETAs, a published update, corrected facts, the alert that went out already.
    story
        .incident(
            cole,
            channel,
            "update",
            &[
                ("message", "Still rolling back"),
                ("eta", "30m"),
                ("publish", "true"),
            ],
        )
        .await;
    story
        .incident(
            rhea,
            channel,
            "edit",
            &[("summary", "EU **first**"), ("detected_at", "08:55")],
        )
        .await;
    story.incident(cole, channel, "announce", &[]).await;
    story
        .incident(rhea, channel, "edit", &[("detected_at", "in an hour")])
        .await;
    story
        .incident(
            cole,
            channel,
            "resolve",
            &[("root_cause", "An expired certificate")],
        )
        .await;
    bot.settle().await;
    // A second incident turns security and back.
    story
        .incident(
            rhea,
            world::GENERAL,
            "declare",
            &[("title", "Odd logins"), ("severity", "P2"), ("eta", "2h")],
        )
        .await;
    bot.settle().await;
    let second = fake
        .channel_named("inc-2-odd-logins")
        .map(|c| c.id)
        .expect("the second channel");
    story
        .incident(rhea, second, "kind", &[("to", "security")])
        .await;
    story
        .incident(rhea, second, "kind", &[("to", "availability")])
        .await;
    story
        .incident(world::SECURITY, second, "kind", &[("to", "availability")])
        .await;
    story
        .incident(world::SECURITY, second, "announce", &[])
        .await;
    bot.settle().await;
    // The fix check: it did not hold, then a second fix did.
    story
        .later(TimeDelta::hours(1), channel, "did it hold?")
        .await;
    story
        .fix_check(
            cole,
            channel,
            FixCheck::Failed("Logins still time out in the EU"),
        )
        .await;
    story
        .incident(
            cole,
            channel,
            "resolve",
            &[("root_cause", "Two expired certificates")],
        )
        .await;
    story.bot.clock.advance(TimeDelta::hours(1));
    story.fix_check(cole, channel, FixCheck::Held).await;
    // Recovery: maintenance mode off, and players told.
    story.press(cole, channel, "🛠️ End maintenance…").await;
    story
        .press(cole, channel, "Confirm: end maintenance, players told")
        .await;
    let back = |r: &crate::support::http::Response| !r.body.contains("\"under_maintenance\"");
    crate::status_page::until(bot.public, "/api/v2/components.json", "Login back", back).await;
    // The post-mortem's reminders and its overdue escalation.
    story.later(TimeDelta::hours(24), channel, "is due").await;
    story
        .later(TimeDelta::hours(24), channel, "is overdue")
        .await;
    story.postmortem(cole, channel, "draft", &[]).await;
    story
        .postmortem(
            cole,
            channel,
            "done",
            &[("link", "https://wiki.example.com/pm/1")],
        )
        .await;
    story.incident(cole, channel, "close", &[]).await;
    bot.settle().await;

    let read = assert_reads_clean(&fake, story.now());
    assert!(read > 40, "only {read} messages were read");
}

#[tokio::test]
async fn the_containment_story_lockdown_block_unblock_unlock_as_the_security_team_reads_it() {
    let fake = world::fake().start().await;
    let cf = crate::support::fake_cloudflare::FakeCloudflare::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = spawn_bot_on(
        &fake,
        dir.path(),
        ManualClock::new(T0),
        crate::waf::cloudflare(&cf),
    )
    .await;
    let mut story = Story::new(&fake, &bot);
    let sana = world::SECURITY;
    let sana_at = format!("<@{sana}>");
    let general = format!("<#{}>", world::GENERAL);

    story
        .incident(
            sana,
            world::GENERAL,
            "declare",
            &[
                ("title", "Raid and credential stuffing"),
                ("severity", "P1"),
                ("kind", "security"),
            ],
        )
        .await;
    let channel = story.incident_channel().await;
    story
        .incident(
            sana,
            channel,
            "assign",
            &[("role", "commander"), ("user", &sana_at)],
        )
        .await;
    story
        .incident(
            sana,
            channel,
            "lockdown",
            &[
                ("invites", "true"),
                ("dms", "true"),
                ("slowmode", "30s"),
                ("channels", &general),
            ],
        )
        .await;
    story
        .incident(
            sana,
            channel,
            "block",
            &[
                ("targets", "198.51.100.7, 2001:db8:1::/48 10.0.0.1"),
                ("note", "credential stuffing"),
            ],
        )
        .await;
    story
        .incident(
            sana,
            channel,
            "block",
            &[
                ("targets", "198.51.100.7, 2001:db8:1::/48"),
                ("note", "credential stuffing"),
                ("until", "24h"),
            ],
        )
        .await;
    story
        .incident(
            sana,
            channel,
            "resolve",
            &[
                ("root_cause", "A leaked invite link and reused passwords"),
                ("all_clear", "now"),
            ],
        )
        .await;
    story.incident(sana, channel, "close", &[]).await;
    story.incident(sana, channel, "unblock", &[]).await;
    story.incident(sana, channel, "unlock", &[]).await;
    story.incident(sana, channel, "close", &[]).await;
    fake.wait_for("the archive", STEP, |f| {
        f.channel(channel)
            .is_some_and(|c| c.parent_id == Some(world::ARCHIVE))
    })
    .await;
    bot.settle().await;
    assert!(cf.rules().is_empty(), "{:?}", cf.rules());
    assert_eq!(cf.violations(), Vec::<String>::new());

    insta::assert_snapshot!(
        "containment_story",
        story.transcript(&[("sec-1", channel), ("incident-log", world::LOG)])
    );
}
