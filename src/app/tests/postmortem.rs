//! The post-mortem, through the use case: what a resolve starts, a draft with what was
//! recorded, and `done` ending its reminders.

use super::*;
use crate::app::PostmortemArgs;

/// The incident's post-mortem as it is stored now.
async fn saved(w: &World, record: &IncidentRecord) -> crate::store::Postmortem {
    w.app
        .db
        .postmortem(record.id)
        .await
        .expect("db")
        .expect("the post-mortem")
}

#[tokio::test]
async fn a_draft_is_posted_as_a_file_with_the_impact_recorded() {
    let w = World::new().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    let record = resolved(&w, &rhea).await;
    let impact = PostmortemArgs::Impact {
        users: Some(1200),
        downtime_minutes: Some(35),
        revenue: None,
    };
    pm(&w, &rhea, &record, "ix:1", impact).await;

    pm(&w, &rhea, &record, "ix:2", PostmortemArgs::Draft).await;

    let saved = saved(&w, &record).await;
    assert_eq!(
        (saved.users_affected, saved.downtime_minutes),
        (Some(1200), Some(35))
    );
    let draft = w
        .recorded()
        .posts
        .into_iter()
        .rev()
        .find_map(|(_, m)| m.attachment.filter(|a| a.filename.ends_with(".md")))
        .expect("the draft, as a file");
    let text = String::from_utf8_lossy(&draft.bytes).into_owned();
    assert!(text.contains("1200"), "{text}");
}

#[tokio::test]
async fn done_records_the_link_and_ends_the_reminders() {
    let w = World::new().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    let record = resolved(&w, &rhea).await;

    let done = PostmortemArgs::Done {
        link: "https://wiki.example.com/pm/1".into(),
        without_tickets: false,
    };
    pm(&w, &rhea, &record, "ix:1", done).await;

    let saved = saved(&w, &record).await;
    assert_eq!(saved.link.as_deref(), Some("https://wiki.example.com/pm/1"));
    assert!(saved.done_at.is_some());
    let posts = w.recorded().posts.len();
    w.advance(TimeDelta::days(30)).await;
    let reminded: Vec<_> = w.recorded().posts[posts..]
        .iter()
        .map(|(_, m)| m.content.clone())
        .filter(|c| c.contains("post-mortem"))
        .collect();
    assert!(reminded.is_empty(), "{reminded:?}");
}

#[tokio::test]
async fn a_link_that_is_not_a_web_address_is_refused() {
    let w = World::new().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    let record = resolved(&w, &rhea).await;
    let channel = record.channel_id.expect("a channel");

    let done = PostmortemArgs::Done {
        link: "wiki page 1".into(),
        without_tickets: false,
    };
    let err = super::super::postmortem(&w.app, &rhea, channel, "ix:1", done)
        .await
        .expect_err("refused");

    assert!(super::said(&err).contains("must be a web address"), "{err}");
    let saved = saved(&w, &record).await;
    assert_eq!(saved.done_at, None);
}
