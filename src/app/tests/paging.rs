//! Paging outside Discord, through the use cases and a recording pager: what each change pages,
//! under which key, and an acknowledgement taken once.

use std::sync::{Arc, Mutex, PoisonError};

use super::*;
use crate::app::{AckOutcome, Acknowledged, Page, PageAction, Pager, Pagers};
use crate::clock::BoxFuture;
use crate::scheduler::JobError;

/// A pager that records each page and always succeeds.
#[derive(Default)]
struct RecordingPager(Mutex<Vec<Page>>);

impl Pager for RecordingPager {
    fn send<'a>(&'a self, page: &'a Page) -> BoxFuture<'a, Result<bool, JobError>> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(page.clone());
        Box::pin(async { Ok(true) })
    }
}

impl RecordingPager {
    fn pages(&self) -> Vec<(PageAction, String, String)> {
        let pages = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        pages
            .iter()
            .map(|p| (p.action, p.key.clone(), p.title.clone()))
            .collect()
    }
}

/// A world paging PagerDuty through a recording pager.
async fn paging() -> (World, Arc<RecordingPager>) {
    let mut s = settings();
    s.page_out.pagerduty = Some(crate::config::PagerDutySettings {
        api_base: url::Url::parse("http://127.0.0.1:9/").expect("a URL"),
        timeout: std::time::Duration::from_secs(1),
        users: Default::default(),
        routing_key: None,
        security_routing_key: None,
        webhook_secret: None,
        secrets: crate::config::PagerDutySecrets::default(),
    });
    let pager = Arc::new(RecordingPager::default());
    let pagers = Pagers {
        pagerduty: Some(pager.clone()),
        ntfy: None,
    };
    (World::with(s, pagers).await, pager)
}

#[tokio::test]
async fn a_p2_pages_nobody_and_a_raise_to_p1_pages_under_the_first_key() {
    let (w, pager) = paging().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    let cole = actor(6, &[COMMANDER_ROLE]);
    let record = w
        .declare(&rhea, Severity::P2, IncidentKind::Availability)
        .await;
    assert!(
        pager.pages().is_empty(),
        "a P2 pages nobody outside Discord"
    );
    let raise = Command::ChangeSeverity {
        to: Severity::P1,
        reason: None,
    };
    w.change(&cole, &record, raise.into())
        .await
        .expect("raised");
    let key = crate::app::page_key(record.id, 1);
    assert_eq!(
        pager.pages(),
        [(
            PageAction::Trigger,
            key,
            format!("Incident #{} (P1): Login down", record.number)
        )]
    );
}

#[tokio::test]
async fn an_acknowledgement_is_taken_once_and_only_for_the_current_page() {
    let (w, _pager) = paging().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    let record = w
        .declare(&rhea, Severity::P0, IncidentKind::Availability)
        .await;
    let ack = |event: &str, round: u32| Acknowledged {
        event: event.into(),
        at: w.clock.now(),
        key: crate::app::page_key(record.id, round),
        user: Some("PXYZ".into()),
        name: Some("Dana **On-call**".into()),
    };
    let until = w.clock.now() + TimeDelta::hours(1);
    let taken = |a: Acknowledged| {
        let app = w.app.clone();
        async move {
            crate::app::acknowledged(&app, &a, until)
                .await
                .expect("taken")
        }
    };
    assert_eq!(
        taken(ack("e0", 2)).await,
        AckOutcome::Ignored,
        "another round"
    );
    assert_eq!(taken(ack("e1", 1)).await, AckOutcome::Taken);
    assert_eq!(taken(ack("e1", 1)).await, AckOutcome::Duplicate);
    assert_eq!(
        taken(ack("e2", 1)).await,
        AckOutcome::Ignored,
        "acknowledged already"
    );
    let timeline = w.app.db.timeline(record.id).await.expect("timeline");
    let acks: Vec<&str> = timeline
        .iter()
        .map(|e| e.text.as_str())
        .filter(|t| t.starts_with("Acknowledged in PagerDuty"))
        .collect();
    assert_eq!(acks, ["Acknowledged in PagerDuty by Dana **On-call**"]);
    w.run_due().await;
    let offer = w
        .recorded()
        .posts
        .into_iter()
        .map(|(_, m)| m)
        .find(|m| m.content.contains("Acknowledged in PagerDuty"))
        .expect("the offer of command");
    assert!(
        offer.content.contains(r"Dana \*\*On-call\*\*"),
        "a PagerDuty name is text, never markup: {}",
        offer.content
    );
    assert_eq!(offer.buttons.len(), 1);
    assert_eq!(
        offer.buttons[0].custom_id,
        format!("take_command:{}", record.id.0)
    );
}
