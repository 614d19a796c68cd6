//! The translations forms' drafts, held in the database: read back by whoever takes the next
//! form, expired after their lifetime with their text gone, forgotten a day later.

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

use super::World;
use crate::app::{held_draft, hold_draft, keep_draft, release_draft, Gone, LIFETIME};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Draft {
    typed: Vec<String>,
}

fn draft(typed: &[&str]) -> Draft {
    Draft {
        typed: typed.iter().map(|t| (*t).to_owned()).collect(),
    }
}

#[tokio::test]
async fn a_draft_is_kept_until_its_lifetime_then_its_text_goes_and_a_day_later_it_is_forgotten() {
    let w = World::new().await;
    hold_draft(&w.app, 7, &draft(&[])).await.expect("held");
    w.clock.advance(LIFETIME - TimeDelta::seconds(1));
    keep_draft(&w.app, 7, &draft(&["Anmeldung"]))
        .await
        .expect("store")
        .expect("still held");
    let read: Result<Draft, Gone> = held_draft(&w.app, 7).await.expect("store");
    assert_eq!(read, Ok(draft(&["Anmeldung"])));

    w.clock.advance(TimeDelta::seconds(1));
    let read: Result<Draft, Gone> = held_draft(&w.app, 7).await.expect("store");
    assert_eq!(read, Err(Gone::Expired));
    let stored = w.app.db.translation_draft(7).await.expect("store");
    assert_eq!(
        stored.and_then(|s| s.body),
        None,
        "the typed text is gone, the row stays"
    );
    let late = keep_draft(&w.app, 7, &draft(&["zu spät"]))
        .await
        .expect("store");
    assert_eq!(
        late,
        Err(Gone::Expired),
        "an expired draft takes no more text"
    );

    w.clock.advance(TimeDelta::hours(24));
    hold_draft(&w.app, 8, &draft(&[])).await.expect("held");
    let read: Result<Draft, Gone> = held_draft(&w.app, 7).await.expect("store");
    assert_eq!(read, Err(Gone::Unknown), "forgotten a day after it expired");
}

#[tokio::test]
async fn a_released_draft_is_unknown_and_another_draft_is_left_alone() {
    let w = World::new().await;
    hold_draft(&w.app, 1, &draft(&["de"])).await.expect("held");
    hold_draft(&w.app, 2, &draft(&["fr"])).await.expect("held");
    release_draft(&w.app, 1).await.expect("released");
    let gone: Result<Draft, Gone> = held_draft(&w.app, 1).await.expect("store");
    assert_eq!(gone, Err(Gone::Unknown));
    let kept = keep_draft(&w.app, 1, &draft(&["de"])).await.expect("store");
    assert_eq!(kept, Err(Gone::Unknown), "its command ran: nothing to keep");
    let other: Result<Draft, Gone> = held_draft(&w.app, 2).await.expect("store");
    assert_eq!(other, Ok(draft(&["fr"])));
}
