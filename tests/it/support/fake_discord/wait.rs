//! Waiting on the fake without polling: every state change wakes the waiters.

use std::fmt::Write as _;
use std::time::Duration;

use super::shared::Shared;
use super::state::State;

/// Waits until `probe` finds something in the state, woken by each change; on timeout,
/// panics with `what` and a summary of the fake's state.
pub async fn wait_until<T>(
    shared: &Shared,
    what: &str,
    timeout: Duration,
    mut probe: impl FnMut(&State) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        // Subscribe before probing so a change between the probe and the wait is not lost.
        let mut changed = shared.subscribe();
        if let Some(found) = shared.read(&mut probe) {
            return found;
        }
        if tokio::time::timeout_at(deadline, changed.changed())
            .await
            .is_err()
        {
            panic!(
                "fake Discord: timed out after {timeout:?} waiting for {what}\n{}",
                summary(shared)
            );
        }
    }
}

/// A readable account of the fake's state for failure messages.
pub fn summary(shared: &Shared) -> String {
    shared.read(|s| {
        let mut out = String::new();
        let _ = writeln!(out, "--- fake Discord state ---");
        let _ = writeln!(
            out,
            "gateway: {} IDENTIFY, {} RESUME, {} heartbeats, ready session: {}",
            s.identifies.len(),
            s.resumes,
            s.heartbeats,
            shared.gateway.ready_intents().is_some()
        );
        let _ = writeln!(out, "requests ({} total, last 15):", s.requests.len());
        for r in s.requests.iter().rev().take(15).rev() {
            let _ = writeln!(
                out,
                "  {:>8.3?} {} {} -> {}",
                r.at, r.method, r.path, r.status
            );
        }
        let _ = writeln!(out, "channels:");
        for c in s.channels.values() {
            let count = s.messages.values().filter(|m| m.channel_id == c.id).count();
            let _ = writeln!(
                out,
                "  #{} ({}, type {}): {count} messages",
                c.name, c.id, c.kind
            );
            for m in s
                .messages
                .values()
                .filter(|m| m.channel_id == c.id)
                .rev()
                .take(3)
            {
                let text: String = m.content.chars().take(80).collect();
                let _ = writeln!(out, "      {} flags {}: {text:?}", m.id, m.flags);
            }
        }
        let _ = writeln!(out, "interactions:");
        for i in s.interactions.values() {
            let ack = i
                .ack
                .as_ref()
                .map(|a| format!("ack type {} after {:?}", a.kind, a.latency));
            let _ = writeln!(
                out,
                "  {} {:?}: {}",
                i.id,
                i.kind,
                ack.unwrap_or_else(|| "not acknowledged".into())
            );
        }
        let _ = writeln!(out, "violations: {:#?}", s.violations);
        out
    })
}
