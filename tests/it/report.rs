//! A player's report becomes an incident: Apps → Report as incident on their message opens a
//! form prefilled with its words, and the incident is detected when the player posted.

use chrono::Utc;
use serde_json::Value;
use serenity::all::MessageId;

use crate::support::bot::{spawn_bot, world, STEP};
use crate::support::fake_discord::FakeDiscord;

/// The value a text input of the form was opened with.
fn prefilled(form: &Value, id: &str) -> String {
    form["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .find(|input| input["custom_id"] == id)
        .and_then(|input| input["value"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// `user` opens the report form on `message` and submits it with `fields`; returns the form as
/// opened and what the submitter reads.
pub(crate) async fn report(
    fake: &FakeDiscord,
    user: serenity::all::UserId,
    message: MessageId,
    fields: &[(&str, &str)],
) -> (Value, String) {
    fake.wait_for("the commands", STEP, |f| !f.commands().is_empty())
        .await;
    let opened = fake
        .message_command(user, "Report as incident", message)
        .send()
        .await;
    // The form is the first answer: a modal cannot follow a defer.
    let form = opened.modal().await;
    let custom_id = form["custom_id"].as_str().expect("a form id").to_owned();
    let submit = fields
        .iter()
        .fold(fake.modal_submit(user, &custom_id), |b, (id, text)| {
            b.field(id, text)
        })
        .send()
        .await;
    assert_eq!(submit.ack().await.kind, 4, "answered with a message");
    let answer = submit.reply().await;
    assert_eq!(answer.flags & 64, 64, "only the reporter sees it");
    assert!(fake.pings(answer.id).nobody());
    (form, fake.seen(&answer, Utc::now()))
}

#[tokio::test]
async fn a_players_message_reported_as_an_incident_is_declared_detected_when_it_was_posted() {
    let fake = world::fake().start().await;
    let bot = spawn_bot(&fake).await;
    let said = fake.user_says(
        world::PLAYER,
        world::GENERAL,
        "Login fails with error 503 for me and my friends",
    );

    let (form, answer) = report(
        &fake,
        world::RESPONDER,
        said,
        &[
            ("title", "Login fails with 503"),
            ("severity", "P1"),
            ("systems", "Login"),
            (
                "summary",
                "Login fails with error 503 for me and my friends",
            ),
        ],
    )
    .await;

    assert_eq!(
        prefilled(&form, "title"),
        "Login fails with error 503 for me and my friends"
    );
    assert_eq!(
        prefilled(&form, "summary"),
        "Login fails with error 503 for me and my friends"
    );
    assert_eq!(prefilled(&form, "severity"), "P2");
    assert_eq!(
        answer,
        "Incident #1 declared (P1) from the report, detected when it was posted. Its channel \
         opens under #Incidents in a moment."
    );
    fake.wait_for("the incident channel", STEP, |f| {
        !f.channels_under(world::INCIDENTS).is_empty()
    })
    .await;
    let record = bot
        .app
        .db
        .unclosed_incidents(incident_bot::domain::GuildId::new(fake.guild_id().get()).expect("id"))
        .await
        .expect("db")
        .pop()
        .expect("the incident");
    let i = &record.incident;
    assert_eq!(i.title.as_str(), "Login fails with 503");
    assert_eq!(i.systems.display(), "Login");
    assert_eq!(i.detected_at, *said.created_at(), "detected when posted");
    assert!(i.declared_at >= i.detected_at);
}

#[tokio::test]
async fn a_report_by_a_player_or_with_a_bad_severity_declares_nothing_and_says_why() {
    let fake = world::fake().start().await;
    let bot = spawn_bot(&fake).await;
    let said = fake.user_says(world::PLAYER, world::GENERAL, "The store is down");
    let fields = [("title", "Store down"), ("severity", "P2")];

    let (_, by_player) = report(&fake, world::PLAYER, said, &fields).await;
    let (_, bad) = report(
        &fake,
        world::RESPONDER,
        said,
        &[("title", "Store down"), ("severity", "P9")],
    )
    .await;

    assert!(by_player.starts_with("⛔ "), "{by_player}");
    assert!(bad.starts_with("⛔ ") && bad.contains("P9"), "{bad}");
    let open = bot
        .app
        .db
        .unclosed_incidents(incident_bot::domain::GuildId::new(fake.guild_id().get()).expect("id"))
        .await
        .expect("db");
    assert!(open.is_empty(), "{open:?}");
}
