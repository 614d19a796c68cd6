//! The security team's containment without Discord or Cloudflare: a WAF block and its unblock,
//! and a lockdown and its unlock (by the all-clear's button), through recording doubles of the
//! `Waf` and `ServerGuard` ports.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use super::*;
use crate::app::ports::chat::ChatError;
use crate::app::{
    block, lockdown, unblock, unlock_click, BlockArgs, BlockRequest, LockdownArgs, Pauses, Place,
    ServerGuard, Waf,
};
use crate::clock::BoxFuture;
use crate::domain::{BlockTarget, Command, FreeText, IncidentRole};
use crate::scheduler::JobError;

/// A WAF that remembers what it holds.
#[derive(Debug, Default)]
struct RecordingWaf {
    held: Mutex<Vec<String>>,
}

impl RecordingWaf {
    fn held(&self) -> Vec<String> {
        self.held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Waf for RecordingWaf {
    fn name(&self) -> &'static str {
        "TestWAF"
    }

    fn block<'a>(&'a self, request: &'a BlockRequest) -> BoxFuture<'a, Result<String, JobError>> {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        held.push(request.target.to_string());
        let id = format!("entry-{}", held.len());
        Box::pin(async move { Ok(id) })
    }

    fn unblock<'a>(
        &'a self,
        target: &'a BlockTarget,
        _: Option<&'a str>,
        _: &'a str,
    ) -> BoxFuture<'a, Result<(), JobError>> {
        let value = target.to_string();
        self.held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|t| *t != value);
        Box::pin(async { Ok(()) })
    }
}

/// A server whose pauses and slow-modes are kept in memory.
#[derive(Debug, Default)]
struct RecordingGuard {
    pauses: Mutex<Pauses>,
    slowmode: Mutex<HashMap<ChannelId, u16>>,
}

impl RecordingGuard {
    fn now(&self) -> (Pauses, HashMap<ChannelId, u16>) {
        (
            *self.pauses.lock().unwrap_or_else(PoisonError::into_inner),
            self.slowmode
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        )
    }
}

impl ServerGuard for RecordingGuard {
    fn pauses(&self) -> BoxFuture<'_, Result<Pauses, ChatError>> {
        let p = *self.pauses.lock().unwrap_or_else(PoisonError::into_inner);
        Box::pin(async move { Ok(p) })
    }

    fn set_pauses<'a>(&'a self, pauses: &'a Pauses) -> BoxFuture<'a, Result<(), ChatError>> {
        *self.pauses.lock().unwrap_or_else(PoisonError::into_inner) = *pauses;
        Box::pin(async { Ok(()) })
    }

    fn slowmode(&self, channel: ChannelId) -> BoxFuture<'_, Result<u16, ChatError>> {
        let s = self
            .slowmode
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&channel)
            .copied()
            .unwrap_or(0);
        Box::pin(async move { Ok(s) })
    }

    fn set_slowmode(
        &self,
        channel: ChannelId,
        seconds: u16,
    ) -> BoxFuture<'_, Result<(), ChatError>> {
        self.slowmode
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(channel, seconds);
        Box::pin(async { Ok(()) })
    }
}

/// What was posted in the incident's channel, in order.
fn said_in(w: &World, record: &IncidentRecord) -> Vec<String> {
    w.recorded()
        .posts
        .into_iter()
        .filter(|(_, m)| Some(m.channel) == record.channel_id)
        .map(|(_, m)| m.content)
        .collect()
}

fn here(record: &IncidentRecord) -> Place {
    Place::from(record.channel_id.expect("a channel"))
}

#[tokio::test]
async fn a_block_holds_each_address_at_the_waf_until_unblock_lifts_them_all() {
    let waf = Arc::new(RecordingWaf::default());
    let port: Arc<dyn Waf> = waf.clone();
    let w = World::tweaked(settings(), Default::default(), |app| app.waf = Some(port)).await;
    let sana = actor(7, &[RESPONDER_ROLE, SECURITY_ROLE]);
    let record = w.declare(&sana, Severity::P1, IncidentKind::Security).await;

    let private = BlockArgs {
        targets: "10.0.0.7".into(),
        note: None,
        until: None,
    };
    let refused = block(&w.app, &sana, here(&record), "ix:1", private).await;
    assert!(refused.is_err(), "a private address is never blocked");
    let args = BlockArgs {
        targets: "198.51.100.7, 2001:db8:1::/48".into(),
        note: Some("credential stuffing".into()),
        until: None,
    };
    block(&w.app, &sana, here(&record), "ix:2", args)
        .await
        .expect("blocked");
    w.run_due().await;
    assert_eq!(waf.held(), ["198.51.100.7", "2001:db8:1::/48"]);
    assert!(
        said_in(&w, &record)
            .iter()
            .any(|t| t.contains("Blocked at TestWAF") && t.contains("198.51.100.7")),
        "{:?}",
        said_in(&w, &record)
    );

    unblock(&w.app, &sana, here(&record), "ix:3")
        .await
        .expect("unblocked");
    w.run_due().await;
    assert!(waf.held().is_empty(), "{:?}", waf.held());
    assert!(
        said_in(&w, &record)
            .iter()
            .any(|t| t.contains("Unblocked at TestWAF")),
        "{:?}",
        said_in(&w, &record)
    );
    assert!(
        unblock(&w.app, &sana, here(&record), "ix:4").await.is_err(),
        "nothing left to lift"
    );
}

#[tokio::test]
async fn a_lockdown_holds_close_back_and_the_all_clears_button_puts_the_server_back() {
    let guard = Arc::new(RecordingGuard::default());
    let general = ChannelId::new(50).expect("id");
    let moderators_pause = T0 + TimeDelta::hours(3);
    guard.pauses.lock().expect("lock").dms_until = Some(moderators_pause);
    guard.slowmode.lock().expect("lock").insert(general, 5);
    let port: Arc<dyn ServerGuard> = guard.clone();
    let w = World::tweaked(settings(), Default::default(), |app| app.guard = Some(port)).await;
    let sana = actor(7, &[RESPONDER_ROLE, SECURITY_ROLE]);
    let record = w.declare(&sana, Severity::P1, IncidentKind::Security).await;
    w.assign(&sana, &record, IncidentRole::Commander, &sana)
        .await
        .expect("taken");

    let args = LockdownArgs {
        invites: true,
        slowmode: Some("30s".into()),
        channels: Some("<#50>".into()),
        ..LockdownArgs::default()
    };
    lockdown(&w.app, &sana, here(&record), "ix:1", args)
        .await
        .expect("locked down");
    w.run_due().await;
    let (pauses, slowmode) = guard.now();
    assert!(pauses.invites_until.is_some());
    assert_eq!(
        pauses.dms_until,
        Some(moderators_pause),
        "the pause set before is kept"
    );
    assert_eq!(slowmode.get(&general), Some(&30));

    let resolve = ChangeArgs::from(Command::Resolve {
        root_cause: FreeText::parse("a leaked invite").expect("text"),
        compensation: None,
        all_clear_now: true,
    });
    w.change(&sana, &record, resolve).await.expect("resolved");
    let close = w
        .change(&sana, &record, ChangeArgs::from(Command::Close))
        .await;
    assert!(
        matches!(
            close,
            Err(crate::app::AppError::User(
                crate::domain::Refusal::StillLockedDown
            ))
        ),
        "{close:?}"
    );
    let (_, reminder) = w
        .recorded()
        .posts
        .into_iter()
        .rev()
        .find(|(_, m)| m.content.contains("still locked down"))
        .expect("the all-clear's reminder");
    let button = reminder
        .buttons
        .iter()
        .find(|b| b.label == "🔓 Lift the lockdown")
        .expect("its button");
    let about = button
        .custom_id
        .strip_prefix("unlock:")
        .expect("an unlock button");

    let pressed = unlock_click(&w.app, &sana, about, "ix:2")
        .await
        .expect("lifted");
    assert!(
        pressed.buttons.is_empty(),
        "the button is gone once pressed"
    );
    assert!(
        pressed.content.contains("is lifting the lockdown"),
        "{}",
        pressed.content
    );
    w.run_due().await;
    let (pauses, slowmode) = guard.now();
    assert_eq!(pauses.invites_until, None, "invites resumed");
    assert_eq!(pauses.dms_until, Some(moderators_pause));
    assert_eq!(slowmode.get(&general), Some(&5), "slow-mode as it was");
    w.change(&sana, &record, ChangeArgs::from(Command::Close))
        .await
        .expect("closed once lifted");
}
