//! Alerts coming in, through the use case: one card per group, repeats counted on it rather
//! than posted again.

use std::collections::BTreeMap;

use super::*;
use crate::domain::{AlertBatch, AlertEvent, AlertSource, AlertStatus};

/// A delivery of one firing alert, whose firing is told apart by `occurrence`.
fn firing(occurrence: &str) -> AlertBatch {
    let labels = BTreeMap::from([("service".to_owned(), "auth".to_owned())]);
    AlertBatch {
        source: AlertSource::Alertmanager,
        group_key: "{}:{alertname=\"LoginErrors\"}".into(),
        title: "Login errors".into(),
        link: None,
        labels: labels.clone(),
        alerts: vec![AlertEvent {
            dedup_key: "fp-1".into(),
            occurrence: occurrence.into(),
            status: AlertStatus::Firing,
            title: "Login error rate above 5%".into(),
            started_at: T0,
            labels,
            link: None,
        }],
    }
}

async fn receive(w: &World, batch: &AlertBatch) -> crate::app::intake::Received {
    let received = crate::app::intake::receive(&w.app, batch)
        .await
        .expect("received");
    w.run_due().await;
    received
}

#[tokio::test]
async fn an_alert_posts_one_card_and_the_same_delivery_again_adds_nothing() {
    let w = World::new().await;

    let first = receive(&w, &firing("t1")).await;
    let posts = w.recorded().posts;
    let again = receive(&w, &firing("t1")).await;

    assert!(first.new_card);
    assert_eq!(first.new_occurrences, 1);
    assert_eq!(posts.len(), 1, "one card: {posts:?}");
    assert!(posts[0].1.content.contains("Login errors"), "{posts:?}");
    assert_eq!((again.card, again.new_card), (first.card, false));
    assert_eq!(again.new_occurrences, 0, "a re-delivery is no new firing");
    assert_eq!(w.recorded().posts.len(), 1, "nothing posted again");
}

#[tokio::test]
async fn the_same_alert_firing_again_is_counted_on_its_card_not_posted_again() {
    let w = World::new().await;
    let first = receive(&w, &firing("t1")).await;
    let (card, _) = w.recorded().posts[0].clone();

    let again = receive(&w, &firing("t2")).await;

    assert_eq!((again.card, again.new_card), (first.card, false));
    assert_eq!(again.new_occurrences, 1);
    let recorded = w.recorded();
    assert_eq!(recorded.posts.len(), 1, "{:?}", recorded.posts);
    let edited = recorded
        .edits
        .iter()
        .rev()
        .find(|(id, _)| *id == card)
        .map(|(_, text)| text.clone())
        .expect("the card is edited");
    assert!(edited.contains("**Seen:** 2 times"), "{edited}");
}
