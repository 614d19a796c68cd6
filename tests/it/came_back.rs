//! What comes back while a fix is verified is heard in the incident channel at once: an alert
//! for the incident's system firing again (through the real webhook), players naming it again
//! in the reports channel, or a player's message reported as an incident. Each pings the
//! commander with **It did not hold**, and decides nothing.

use incident_bot::config::Settings;
use incident_bot::domain::{ChannelId as OurChannel, Status};
use serde_json::{json, Value};
use serenity::all::ChannelId;

use crate::error_rate::{declared_and_resolved, did_not_hold, incident_of, seen, PATIENCE};
use crate::intake::{deliver, with_intake, FIRING};
use crate::support::bot::{spawn_bot_with, world, TestBot};
use crate::support::fake_discord::{FakeDiscord, FakeMessage};
use crate::support::story::{answer_fix_check, button_labelled, FixCheck};

/// The Alertmanager fixture (`service=auth`, which `with_intake` maps to Login), its summary
/// as typed in an alert rule (markup and a role mention), its one alert `status`.
fn alert(status: &str) -> Vec<u8> {
    let mut body: Value = serde_json::from_str(FIRING).expect("fixture");
    let summary = json!("Login *5xx* above 5% <@&1>");
    body["commonAnnotations"]["summary"] = summary.clone();
    body["alerts"][0]["annotations"]["summary"] = summary;
    body["alerts"][0]["status"] = json!(status);
    body["status"] = json!(status);
    serde_json::to_vec(&body).expect("json")
}

/// The messages of `channel` that say something came back, as people read them.
fn came_back(fake: &FakeDiscord, bot: &TestBot, channel: ChannelId) -> Vec<(FakeMessage, String)> {
    use incident_bot::clock::Clock as _;
    fake.messages(channel)
        .into_iter()
        .map(|m| {
            let text = fake.seen(&m, bot.clock.now());
            (m, text)
        })
        .filter(|(_, t)| t.contains("while the fix is verified"))
        .collect()
}

async fn record(bot: &TestBot, channel: ChannelId) -> incident_bot::store::IncidentRecord {
    let id = incident_of(bot, channel).await;
    bot.app
        .db
        .incident(id)
        .await
        .expect("db")
        .expect("incident")
}

async fn status(bot: &TestBot, channel: ChannelId) -> Status {
    record(bot, channel).await.incident.status
}

#[tokio::test]
async fn an_alert_firing_again_while_the_fix_is_verified_pings_the_commander_with_it_did_not_hold()
{
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_intake).await;
    let channel = declared_and_resolved(&fake, "P1").await;

    let res = deliver(&bot, &alert("firing")).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let (heard, text) = seen(&fake, &bot, channel, "the alert heard", |t| {
        t.contains("while the fix is verified")
    })
    .await;
    assert!(
        text.contains("⏰ Alertmanager fired again for Login while the fix is verified\n"),
        "{text}"
    );
    // What the alert rule says is shown as typed: no markup, no ping.
    assert!(
        text.contains("\n“LoginErrors: Login *5xx* above 5% <@&1>”, since "),
        "{text}"
    );
    assert!(
        heard.content.contains("Login \\*5xx\\* above 5% \\<@&1>"),
        "{}",
        heard.content
    );
    assert!(text.contains("The fix went in "), "{text}");
    assert!(
        text.contains("press It did not hold to go back to phase 4"),
        "{text}"
    );
    let pings = fake.pings(heard.id);
    assert_eq!(pings.users, vec![world::COMMANDER], "{text}");
    assert!(pings.roles.is_empty(), "{text}");
    button_labelled(&heard, "It did not hold");
    // The bot decides nothing.
    assert_eq!(status(&bot, channel).await, Status::Verifying);

    // Alertmanager repeats the group: nothing new to say. Resolved, then firing again: said
    // again.
    deliver(&bot, &alert("firing")).await;
    deliver(&bot, &alert("resolved")).await;
    deliver(&bot, &alert("firing")).await;
    fake.wait_for("said a second time", PATIENCE, |f| {
        came_back(f, &bot, channel).len() == 2
    })
    .await;
    let (second, _) = came_back(&fake, &bot, channel).pop().expect("the second");
    assert_eq!(fake.pings(second.id).users, vec![world::COMMANDER]);

    // The commander decides: it did not hold.
    let answered = did_not_hold(&fake, &bot, &second).await;
    assert!(answered.contains("is back in Phase 4"), "{answered}");
    assert_eq!(status(&bot, channel).await, Status::Open);

    // The first notice's button, pressed after the reopen, no longer applies.
    let (first, _) = came_back(&fake, &bot, channel)
        .into_iter()
        .next()
        .expect("the first");
    let stale = stale_did_not_hold(&fake, &bot, &first).await;
    assert!(stale.starts_with("⛔ This no longer applies: "), "{stale}");
    assert_eq!(status(&bot, channel).await, Status::Open);
}

fn watching_general(s: &mut Settings) {
    with_intake(s);
    s.intake.reports_channel = OurChannel::new(world::GENERAL.get());
    s.intake.reports_players = 1;
}

#[tokio::test]
async fn players_naming_the_system_again_while_the_fix_is_verified_are_heard_in_its_channel() {
    let fake = world::fake().message_content_intent(true).start().await;
    let bot = spawn_bot_with(&fake, watching_general).await;
    let channel = declared_and_resolved(&fake, "P2").await;

    fake.user_says(world::PLAYER, world::GENERAL, "login is broken again");
    let (heard, text) = seen(&fake, &bot, channel, "the players heard", |t| {
        t.contains("while the fix is verified")
    })
    .await;
    assert!(
        text.contains("⏰ Players report it again for Login while the fix is verified\n“"),
        "{text}"
    );
    assert_eq!(fake.pings(heard.id).users, vec![world::COMMANDER]);
    button_labelled(&heard, "It did not hold");

    // Later reports join the card: the channel was told once.
    fake.user_says(world::PLAYER, world::GENERAL, "still no login");
    crate::intake::card_lines(&fake, "the card counting 2", |l| {
        l.contains("Login") && l.contains("Seen: 2 times")
    })
    .await;
    bot.settle().await;
    assert_eq!(came_back(&fake, &bot, channel).len(), 1);
    assert_eq!(status(&bot, channel).await, Status::Verifying);
}

#[tokio::test]
async fn a_players_message_reported_as_an_incident_while_a_fix_is_verified_is_heard_there() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |_| {}).await;
    let channel = declared_and_resolved(&fake, "P2").await;
    let said = fake.user_says(world::PLAYER, world::GENERAL, "Login <3 fails again");

    crate::report::report(
        &fake,
        world::RESPONDER,
        said,
        &[
            ("title", "Login fails again"),
            ("severity", "P2"),
            ("systems", "Login"),
        ],
    )
    .await;
    let (heard, text) = seen(&fake, &bot, channel, "the report heard", |t| {
        t.contains("while the fix is verified")
    })
    .await;
    assert!(
        text.contains(
            "⏰ A player's report was declared as incident #2 for Login while the fix is \
             verified\n“Login fails again”, since "
        ),
        "{text}"
    );
    assert_eq!(fake.pings(heard.id).users, vec![world::COMMANDER]);
    button_labelled(&heard, "It did not hold");
    assert_eq!(status(&bot, channel).await, Status::Verifying);
}

/// Clicks **It did not hold** under `message` and says what is still wrong; returns the answer
/// the clicker alone reads.
async fn stale_did_not_hold(fake: &FakeDiscord, bot: &TestBot, message: &FakeMessage) -> String {
    use incident_bot::clock::Clock as _;
    let custom_id = button_labelled(message, "It did not hold");
    let click = fake
        .button(world::COMMANDER, message.id, &custom_id)
        .send()
        .await;
    click.modal().await;
    let answered = fake
        .modal_submit(world::COMMANDER, &custom_id)
        .field("what", "Login errors are back")
        .send()
        .await;
    assert_eq!(
        answered.ack().await.kind,
        4,
        "an answer to the clicker alone"
    );
    let reply = answered.reply().await;
    assert_eq!(reply.flags & 64, 64, "only the clicker reads it: {reply:?}");
    assert!(fake.pings(reply.id).nobody(), "{:?}", fake.pings(reply.id));
    fake.seen(&reply, bot.clock.now())
}

#[tokio::test]
async fn it_did_not_hold_under_an_older_notice_no_longer_applies_once_the_fix_held() {
    use incident_bot::clock::Clock as _;
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |s: &mut Settings| {
        with_intake(s);
        s.resolution.verify_after = std::time::Duration::from_secs(1);
    })
    .await;
    let channel = declared_and_resolved(&fake, "P1").await;
    assert_eq!(deliver(&bot, &alert("firing")).await.status, 200);
    let (older, _) = seen(&fake, &bot, channel, "the alert heard", |t| {
        t.contains("while the fix is verified")
    })
    .await;

    // The fix check is answered under its own question: the fix held, the all-clear goes out.
    answer_fix_check(
        &fake,
        world::COMMANDER,
        channel,
        FixCheck::Held,
        bot.clock.now(),
    )
    .await;
    assert_eq!(status(&bot, channel).await, Status::Resolved);

    // The older notice's button is pressed after all: it says so, and reopens nothing.
    let answer = stale_did_not_hold(&fake, &bot, &older).await;
    let number = record(&bot, channel).await.number.0;
    assert_eq!(
        answer,
        format!(
            "⛔ This no longer applies: no fix of incident #{number} is being verified now (the \
             fix held, or the incident was reopened). If the problem is back, run /incident \
             reopen in its channel."
        )
    );
    assert_eq!(status(&bot, channel).await, Status::Resolved);
}
