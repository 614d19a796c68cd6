//! What responders do with a triage card besides Declare and Not real: attach it to an incident
//! being worked, let a rule declare it, and press Declare twice at once.

use chrono::Utc;
use incident_bot::config::Settings;
use incident_bot::domain::{AutoDeclare, AutoDeclareRules};
use serde_json::Value;

use crate::intake::{card_lines, deliver, with_intake, FIRING};
use crate::support::bot::{spawn_bot_with, world, STEP};
use crate::support::fake_discord::{FakeChannel, FakeDiscord, FakeMessage};
use crate::support::story::{button_labels, buttons, declare, shows, shows_seen};

/// The card in the log channel (the alerts channel is unset in these tests).
fn the_card(fake: &FakeDiscord) -> FakeMessage {
    fake.messages(world::LOG)
        .into_iter()
        .rev()
        .find(|m| m.content.contains("LoginErrors"))
        .expect("the card")
}

/// The select menus of a message: (custom id, [(value, label)]).
fn menus(message: &FakeMessage) -> Vec<(String, Vec<(String, String)>)> {
    fn walk(components: &[Value], out: &mut Vec<(String, Vec<(String, String)>)>) {
        for c in components {
            if c["type"] == 3 {
                let options = c["options"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|o| {
                        let text = |k: &str| o[k].as_str().unwrap_or_default().to_owned();
                        (text("value"), text("label"))
                    })
                    .collect();
                out.push((
                    c["custom_id"].as_str().unwrap_or_default().to_owned(),
                    options,
                ));
            }
            if let Some(inner) = c["components"].as_array() {
                walk(inner, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&message.components, &mut out);
    out
}

/// Asserts that the card's one menu offers #1 "Database replica lag" alone; returns its id.
fn offers_only_the_replica_lag(message: &FakeMessage) -> String {
    let offered = menus(message);
    assert_eq!(
        offered[0].1,
        vec![(
            "1".to_owned(),
            "#1 P2 Database replica lag (Database)".to_owned()
        )]
    );
    offered[0].0.clone()
}

#[tokio::test]
async fn a_card_offers_the_incidents_being_worked_and_attaching_one_joins_its_timeline() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_intake).await;
    assert_eq!(deliver(&bot, FIRING.as_bytes()).await.status, 200);
    let card = card_lines(&fake, "the card", |l| l.contains("LoginErrors")).await;
    assert!(
        !card.contains("[select:"),
        "nothing to attach to yet: {card}"
    );
    assert!(
        card.contains("Declare it, or say it is not real."),
        "{card}"
    );

    // An incident of another system is declared by hand: the card now offers it.
    let channel = declare(
        &fake,
        world::COMMANDER,
        &[
            ("title", "Database replica lag"),
            ("severity", "P2"),
            ("systems", "Database"),
        ],
    )
    .await;
    let card = card_lines(&fake, "the card offering #1", |l| {
        l.contains("LoginErrors") && l.contains("[select: Attach to incident #…]")
    })
    .await;
    assert!(
        card.contains("Declare it, attach it to an incident being worked, or say it is not real."),
        "{card}"
    );
    let message = the_card(&fake);
    let custom_id = offers_only_the_replica_lag(&message);

    // A stale choice (an incident closed meanwhile) is refused to the chooser alone.
    let stale = fake
        .button(world::RESPONDER, message.id, &custom_id)
        .select(&["99"])
        .send()
        .await;
    let refusal = stale.reply().await;
    assert_eq!(
        fake.seen(&refusal, Utc::now()),
        "⛔ Incident #99 is no longer being worked. Pick another, or declare a new one."
    );
    assert_eq!(
        bot.app.db.alert_cards().await.expect("cards")[0].incident,
        None
    );

    let picked = fake
        .button(world::RESPONDER, message.id, &custom_id)
        .select(&["1"])
        .send()
        .await;
    assert_eq!(picked.ack().await.kind, 7, "the card itself changes");
    let after = fake.message(message.id).expect("the card");
    let seen = fake.seen(&after, Utc::now());
    assert!(seen.contains("Incident: #1"), "{seen}");
    assert!(button_labels(&after).is_empty(), "{seen}");
    assert!(
        menus(&after).is_empty(),
        "an attached card offers nothing more"
    );

    // The incident's channel is told, without pinging anyone, and its timeline has the alert.
    let line = shows(&fake, channel.id, "the attach line", |m| {
        m.content.contains("Alert attached")
    })
    .await;
    let seen = fake.seen(&line, Utc::now());
    assert!(
        seen.starts_with(
            "🔔 Alert attached by @rhea: LoginErrors: Login error rate above 5% \
             (Alertmanager, since "
        ) && seen.ends_with(" ago)"),
        "{seen}"
    );
    assert!(fake.pings(line.id).nobody());
    let stored = &bot.app.db.alert_cards().await.expect("cards")[0];
    let incident = stored.incident.expect("attached");
    let timeline = bot.app.db.timeline(incident).await.expect("timeline");
    let entry = timeline
        .iter()
        .find(|e| {
            e.text
                .starts_with("Attached by hand: Alert from Alertmanager: LoginErrors")
        })
        .unwrap_or_else(|| panic!("{timeline:#?}"));
    assert_eq!(entry.actor.map(|u| u.get()), Some(world::RESPONDER.get()));
}

fn page_declares_p1(s: &mut Settings) {
    with_intake(s);
    let rule =
        AutoDeclare::parse("alertmanager", &["severity=page".to_owned()], "P1").expect("rule");
    s.intake.auto_declare = AutoDeclareRules::new(vec![rule]);
}

#[tokio::test]
async fn an_auto_declare_rule_declares_the_alert_without_a_press() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, page_declares_p1).await;
    assert_eq!(deliver(&bot, FIRING.as_bytes()).await.status, 200);

    fake.wait_for("the incident channel", STEP, |f| {
        f.channels_under(world::INCIDENTS)
            .iter()
            .any(|c| c.name.starts_with("inc-1"))
    })
    .await;
    let card = card_lines(&fake, "the card naming its incident", |l| {
        l.contains("LoginErrors") && l.contains("Incident: #1")
    })
    .await;
    assert!(!card.contains("[button:"), "nothing left to press: {card}");

    let stored = &bot.app.db.alert_cards().await.expect("cards")[0];
    let id = stored.incident.expect("declared");
    let record = bot
        .app
        .db
        .incident(id)
        .await
        .expect("db")
        .expect("incident");
    assert_eq!(record.incident.severity.to_string(), "P1");
    assert_eq!(
        record.incident.detected_at.to_rfc3339(),
        "2026-11-30T14:02:00+00:00"
    );
    assert_eq!(record.incident.declared_by.get(), world::BOT.get());
    let timeline = bot.app.db.timeline(id).await.expect("timeline");
    let texts: Vec<_> = timeline.iter().map(|e| e.text.as_str()).collect();
    assert!(
        texts[0].starts_with("Alert from Alertmanager: LoginErrors"),
        "{texts:#?}"
    );
    assert!(
        texts.contains(
            &"Declared automatically by the rule [[intake.auto_declare]] alertmanager severity=page → P1"
        ),
        "{texts:#?}"
    );
    // A P1 pages the responders, as any P1 does.
    let channel = fake
        .channels_under(world::INCIDENTS)
        .into_iter()
        .find(|c| c.name.starts_with("inc-1"))
        .expect("channel");
    let intro = shows(&fake, channel.id, "the page", |m| {
        !fake.pings(m.id).roles.is_empty()
    })
    .await;
    assert_eq!(fake.pings(intro.id).roles, vec![world::RESPONDER_ROLE]);

    // The same alert again is the same card and the same incident.
    assert_eq!(deliver(&bot, FIRING.as_bytes()).await.status, 200);
    bot.settle().await;
    assert_eq!(bot.app.db.alert_cards().await.expect("cards").len(), 1);
    assert_eq!(fake.channels_under(world::INCIDENTS).len(), 1);
}

#[tokio::test]
async fn two_people_pressing_declare_at_once_open_one_incident() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_intake).await;
    assert_eq!(deliver(&bot, FIRING.as_bytes()).await.status, 200);
    card_lines(&fake, "the card", |l| l.contains("LoginErrors")).await;
    let card = the_card(&fake);
    let id_of = |label: &str| {
        buttons(&card)
            .into_iter()
            .find(|b| b["label"] == label)
            .and_then(|b| b["custom_id"].as_str().map(str::to_owned))
            .expect("the button")
    };
    let (p1, p2) = (id_of("Declare P1"), id_of("Declare P2"));
    let (first, second) = tokio::join!(
        fake.button(world::RESPONDER, card.id, &p1).send(),
        fake.button(world::COMMANDER, card.id, &p2).send(),
    );
    let acks = [first.ack().await.kind, second.ack().await.kind];
    assert!(acks.contains(&7), "one press changes the card: {acks:?}");
    assert!(acks.contains(&4), "the other is told: {acks:?}");
    let loser = if acks[0] == 4 { first } else { second };
    let told = loser.reply().await;
    assert_eq!(
        fake.seen(&told, Utc::now()),
        "⛔ This alert is already incident #1: work it in its channel."
    );
    fake.wait_for("the incident channel", STEP, |f| {
        !f.channels_under(world::INCIDENTS).is_empty()
    })
    .await;
    bot.settle().await;
    assert_eq!(fake.channels_under(world::INCIDENTS).len(), 1);
    let open = bot
        .app
        .db
        .unclosed_incidents(bot.app.settings.discord.guild_id)
        .await
        .expect("db");
    assert_eq!(open.len(), 1);
}

/// Declares a P0 security incident about Login as Sana; returns its channel.
async fn security_incident_about_login(fake: &FakeDiscord) -> FakeChannel {
    declare(
        fake,
        world::SECURITY,
        &[
            ("title", "Stolen session tokens"),
            ("severity", "P0"),
            ("kind", "security"),
            ("systems", "Login"),
        ],
    )
    .await
}

#[tokio::test]
async fn an_alert_about_a_system_of_a_security_incident_is_a_plain_card_and_only_its_channel_is_told(
) {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_intake).await;
    let sec = security_incident_about_login(&fake).await;

    assert_eq!(deliver(&bot, FIRING.as_bytes()).await.status, 200);
    // A card as any other: nothing joined, nothing attached, nothing said of the incident.
    let card = card_lines(&fake, "the card", |l| l.contains("LoginErrors")).await;
    assert!(card.contains("System: Login"), "{card}");
    assert!(
        card.contains("Declare it, or say it is not real."),
        "{card}"
    );
    for hint in ["Incident", "#1", "sec-", "security", "Stolen"] {
        assert!(!card.contains(hint), "{hint} in {card}");
    }
    let message = the_card(&fake);
    assert!(menus(&message).is_empty(), "nothing to attach to");
    assert_eq!(
        bot.app.db.alert_cards().await.expect("cards")[0].incident,
        None
    );

    // The security channel hears of it, pinging nobody, with the way to the card.
    let (line, seen) = shows_seen(&fake, sec.id, "the alert line", Utc::now(), |t| {
        t.contains("An alert about Login fired")
    })
    .await;
    assert_eq!(
        seen,
        format!(
            "🔔 An alert about Login fired: LoginErrors: Login error rate above 5% \
             (Alertmanager). Its card in #incident-log says nothing of this incident: \
             https://discord.com/channels/{}/{}/{}",
            bot.app.settings.discord.guild_id,
            world::LOG,
            message.id
        )
    );
    assert!(fake.pings(line.id).nobody());
}

#[tokio::test]
async fn attach_menus_never_offer_a_security_incident_and_attaching_to_one_is_refused() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_intake).await;
    declare(
        &fake,
        world::COMMANDER,
        &[
            ("title", "Database replica lag"),
            ("severity", "P2"),
            ("systems", "Database"),
        ],
    )
    .await;
    security_incident_about_login(&fake).await;

    assert_eq!(deliver(&bot, FIRING.as_bytes()).await.status, 200);
    card_lines(&fake, "the card with its menu", |l| {
        l.contains("LoginErrors") && l.contains("[select: Attach to incident #…]")
    })
    .await;
    let message = the_card(&fake);
    let custom_id = offers_only_the_replica_lag(&message);

    // A pick of #2 (a menu made before it became a security incident, or a forged one) is
    // refused: to Rhea as if it were closed, to Sana with the reason.
    for (who, told) in [
        (
            world::RESPONDER,
            "⛔ Incident #2 is no longer being worked. Pick another, or declare a new one.",
        ),
        (
            world::SECURITY,
            "⛔ Incident #2 is a security incident: a card in the alerts channel is never \
             attached to it, since everyone there would read the link. Its channel is told of \
             alerts about its systems; declare this one, or say it is not real.",
        ),
    ] {
        let pick = fake
            .button(who, message.id, &custom_id)
            .select(&["2"])
            .send()
            .await;
        let refusal = pick.reply().await;
        assert_eq!(refusal.flags & 64, 64, "only the presser sees it");
        assert_eq!(fake.seen(&refusal, Utc::now()), told);
    }
    let stored = &bot.app.db.alert_cards().await.expect("cards")[0];
    assert_eq!(stored.incident, None, "nothing attached");
    let open = bot
        .app
        .db
        .unclosed_incidents(bot.app.settings.discord.guild_id)
        .await
        .expect("db");
    for record in open {
        let timeline = bot.app.db.timeline(record.id).await.expect("timeline");
        assert!(
            timeline
                .iter()
                .all(|e| !e.text.starts_with("Attached by hand")),
            "{timeline:#?}"
        );
    }
}

#[tokio::test]
async fn alerts_that_joined_an_incident_turned_security_make_a_card_when_they_fire_again() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_intake).await;
    let channel = declare(
        &fake,
        world::COMMANDER,
        &[
            ("title", "Login errors"),
            ("severity", "P1"),
            ("systems", "Login"),
        ],
    )
    .await;
    assert_eq!(deliver(&bot, FIRING.as_bytes()).await.status, 200);
    shows(&fake, channel.id, "the alert joining", |m| {
        m.content.contains("Alert joined this incident")
    })
    .await;

    crate::support::story::run(
        &fake,
        world::COMMANDER,
        channel.id,
        "kind",
        &[("to", "security")],
    )
    .await;
    assert_eq!(
        bot.app.db.alert_cards().await.expect("cards")[0].incident,
        None,
        "a security incident holds no alerts"
    );
    // The same group fires again: now everyone who reads the alerts channel learns of it.
    assert_eq!(deliver(&bot, FIRING.as_bytes()).await.status, 200);
    let card = card_lines(&fake, "the card", |l| l.contains("LoginErrors")).await;
    assert!(
        card.contains("Declare it, or say it is not real."),
        "{card}"
    );
    assert!(!card.contains("Incident"), "{card}");
    shows_seen(
        &fake,
        channel.id,
        "the line in the security channel",
        Utc::now(),
        |t| t.contains("An alert about Login fired"),
    )
    .await;
}
