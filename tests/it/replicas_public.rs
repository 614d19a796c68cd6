//! The public side of a failover: the owner killed at random points while P0 alerts and
//! published public updates go out. Each announcement reaches players once, is published at
//! most once, and the hourly publish budget is never exceeded, whichever replica ran its job.

use std::time::Duration;

use incident_bot::domain::GuildId;

use crate::replicas::{assert_no_message_twice, Replicas};
use crate::support::bot::{fresh_postgres_url, world};
use crate::support::chance::{seed, Lcg};
use crate::support::fake_discord::FakeDiscord;
use crate::support::story::incident;

#[tokio::test]
async fn ten_kills_during_alerts_and_published_updates_post_and_publish_each_once() {
    let fake = world::fake().start().await;
    let url = fresh_postgres_url().await;
    let mut rng = Lcg(seed());
    eprintln!("kill points seed: {}", rng.0);
    let mut replicas = Replicas::start(&fake, url.clone()).await;

    for round in 0..10 {
        // A P0 (its alert published at once), then the owner killed at a random moment.
        let title = format!("Round {round}");
        let system = format!("Sys{round}");
        let _declare = incident(
            &fake,
            world::COMMANDER,
            world::GENERAL,
            "declare",
            &[("title", &title), ("severity", "P0"), ("systems", &system)],
        )
        .await;
        tokio::time::sleep(Duration::from_millis(rng.next(600))).await;
        replicas.kill_owner().await;
        // A published public update in that incident's channel, if the declare was committed:
        // its jobs run while the next round's kill may come.
        let suffix = format!("-round-{round}");
        // The kill may have come before the declare committed: then no channel ever opens.
        let find = |f: &FakeDiscord| {
            f.channels_under(world::INCIDENTS)
                .into_iter()
                .find(|c| c.name.ends_with(&suffix))
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        let mut channel = find(&fake);
        while channel.is_none() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
            channel = find(&fake);
        }
        if let Some(channel) = channel {
            let message = format!("Round {round}: rolling back");
            let _update = incident(
                &fake,
                world::COMMANDER,
                channel.id,
                "update",
                &[
                    ("message", &message),
                    ("public", "true"),
                    ("publish", "true"),
                ],
            )
            .await;
        }
        replicas.standby_ready().await;
    }

    // Every announcement committed is posted exactly once, and published at most once, within
    // the budget.
    let db = incident_bot::store::Db::connect_postgres(&url)
        .await
        .expect("the test database");
    let guild = GuildId::new(fake.guild_id().get()).expect("guild");
    let incidents = db.unclosed_incidents(guild).await.expect("incidents");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let announcements = loop {
        let mut all = Vec::new();
        for record in &incidents {
            all.extend(db.announcements(record.id).await.expect("announcements"));
        }
        if all.iter().all(|a| a.message_id.is_some()) || tokio::time::Instant::now() > deadline {
            break all;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        announcements.iter().all(|a| a.message_id.is_some()),
        "every announcement posted: {announcements:#?}"
    );
    let posted = fake.messages(world::ANNOUNCEMENTS);
    assert_eq!(
        posted.len(),
        announcements.len(),
        "one post per announcement, none twice"
    );
    let players = fake
        .channel(world::ANNOUNCEMENTS)
        .expect("the announcement channel");
    assert_no_message_twice(&fake, &players);
    let published = fake.crossposted(world::ANNOUNCEMENTS);
    eprintln!(
        "{} incidents, {} announcements, {} published",
        incidents.len(),
        announcements.len(),
        published.len()
    );
    assert!(
        published.len() <= usize::try_from(incident_bot::app::PUBLISH_BUDGET).unwrap_or(8),
        "the publish budget of the hour: {} published",
        published.len()
    );
    assert!(!published.is_empty(), "alerts were published");
    drop(replicas);
}
