//! The story of a fix that did not hold, as the incident channel reads it: Login's errors come
//! back during the verification window (read from the real Prometheus over a history written
//! beforehand, so that every number is the same on each run), then Alertmanager fires again
//! for Login. Each time the commander is pinged and offered **It did not hold**; the bot
//! decides nothing until the commander presses it.

use chrono::TimeDelta;
use incident_bot::clock::ManualClock;
use serde_json::{json, Value};

use crate::intake::{deliver, with_intake, FIRING};
use crate::support::bot::{spawn_bot_on, world};
use crate::support::prometheus::Prometheus;
use crate::support::story::{button_labelled, shows};
use crate::support::time::T0;
use crate::transcripts::{with_login_rate, Story};

/// The Alertmanager fixture for Login, begun at `at`.
fn login_alert(at: chrono::DateTime<chrono::Utc>) -> Vec<u8> {
    let mut body: Value = serde_json::from_str(FIRING).expect("fixture");
    body["alerts"][0]["startsAt"] = json!(at.to_rfc3339());
    serde_json::to_vec(&body).expect("json")
}

#[tokio::test]
async fn the_story_of_a_fix_that_did_not_hold_as_the_channel_reads_it() {
    // 20 % of Login's requests fail from detection; the fix lands 20 minutes on (0.1 %), and
    // 45 minutes on they fail again (15 %).
    let prometheus = Prometheus::with_history(
        T0 - TimeDelta::hours(2),
        T0 + TimeDelta::hours(2),
        |t| match t - T0 {
            d if d < TimeDelta::zero() => 0.002,
            d if d < TimeDelta::minutes(20) => 0.2,
            d if d < TimeDelta::minutes(45) => 0.001,
            _ => 0.15,
        },
    )
    .await;
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let url = prometheus.url();
    let bot = spawn_bot_on(&fake, dir.path(), ManualClock::new(T0), |s| {
        with_login_rate(s, url);
        with_intake(s);
    })
    .await;
    let mut story = Story::new(&fake, &bot);
    let (rhea, cole) = (world::RESPONDER, world::COMMANDER);

    story
        .incident(
            rhea,
            world::GENERAL,
            "declare",
            &[
                ("title", "Login errors"),
                ("severity", "P1"),
                ("systems", "Login"),
            ],
        )
        .await;
    let channel = story.incident_channel().await;
    let cole_at = format!("<@{cole}>");
    story
        .incident(
            cole,
            channel,
            "assign",
            &[("role", "commander"), ("user", &cole_at)],
        )
        .await;
    // Twenty-one minutes on: phase 1's nudge is posted before the resolve, which ends it.
    story
        .later(TimeDelta::minutes(21), channel, "is over its budget")
        .await;
    bot.settle().await;
    story
        .incident(
            cole,
            channel,
            "resolve",
            &[("root_cause", "A bad deploy of the auth service")],
        )
        .await;
    shows(&fake, channel, "the rates at the fix", |m| {
        m.content.contains("Error rates at the fix")
    })
    .await;

    // The errors come back: the next reading says so at once.
    story
        .later(
            TimeDelta::minutes(30),
            channel,
            "Login error rate is over its threshold",
        )
        .await;
    let rate = shows(&fake, channel, "the rate over", |m| {
        m.content.contains("Login error rate is over its threshold")
    })
    .await;
    assert_eq!(fake.pings(rate.id).users, vec![cole]);
    story
        .glimpse(channel, "Login error rate is over its threshold", |_| true)
        .await;
    // And Alertmanager fires again for Login.
    let res = deliver(&bot, &login_alert(story.now() - TimeDelta::minutes(2))).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let alert = shows(&fake, channel, "the alert heard", |m| {
        m.content.contains("Alertmanager fired again for Login")
    })
    .await;
    assert_eq!(fake.pings(alert.id).users, vec![cole]);
    button_labelled(&alert, "It did not hold");
    bot.settle().await;
    let id = crate::error_rate::incident_of(&bot, channel).await;
    let verifying = bot
        .app
        .db
        .incident(id)
        .await
        .expect("db")
        .expect("incident");
    assert_eq!(
        verifying.incident.status,
        incident_bot::domain::Status::Verifying,
        "the bot decides nothing"
    );

    // The commander decides: it did not hold.
    crate::error_rate::did_not_hold(&fake, &bot, &rate).await;
    bot.settle().await;

    insta::assert_snapshot!(
        "fix_did_not_hold",
        story.transcript(&[("inc-1-login-errors", channel)])
    );
}
