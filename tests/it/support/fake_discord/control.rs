//! What a test does to the fake: inject faults, cut the gateway, move the clock, wait, and
//! settle recorded violations.

use std::sync::atomic::Ordering;
use std::time::Duration;

use super::faults::{Fault, FaultRule};
use super::spec::SPEC;
use super::state::{RecordedRequest, Violation};
use super::wait::{summary, wait_until};
use super::FakeDiscord;

impl FakeDiscord {
    fn add_fault(
        &self,
        method: &str,
        route: &str,
        fault: Fault,
        remaining: Option<usize>,
        until: Option<Duration>,
    ) {
        let method = method.to_uppercase();
        assert!(
            SPEC.has_operation(&method, route),
            "fake Discord: {method} {route} is not an operation of Discord's spec (use the spec's template, e.g. /channels/{{channel_id}}/messages)"
        );
        let until = until.map(|d| self.shared.clock.now() + d);
        self.shared.write(|s| {
            s.faults.push(FaultRule {
                method,
                route: route.to_owned(),
                fault,
                remaining,
                until,
            })
        });
    }

    /// The next `count` calls to `method` + `route` (a spec template) answer with `fault`.
    pub fn fail_next(&self, method: &str, route: &str, count: usize, fault: Fault) {
        self.add_fault(method, route, fault, Some(count), None);
    }

    /// Every call to `method` + `route` answers with `fault` for the next `window` (fake clock).
    pub fn fail_for(&self, method: &str, route: &str, window: Duration, fault: Fault) {
        self.add_fault(method, route, fault, None, Some(window));
    }

    /// Cuts every gateway connection without a close frame; the client must reconnect and,
    /// since the fake refuses RESUME, identify again.
    pub fn drop_gateway(&self) {
        self.shared.gateway.drop_all();
    }

    /// Stops (or resumes) answering heartbeats; a client that notices reconnects.
    pub fn mute_heartbeats(&self, mute: bool) {
        self.shared
            .gateway
            .mute_heartbeats
            .store(mute, Ordering::Relaxed);
    }

    /// The fake's wall clock now: the time Discord goes by (timestamps, scheduled events).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.shared.clock.wall()
    }

    /// Moves the fake's clock forward (interaction deadlines, token lifetime, rename and
    /// crosspost windows, nonce memory, timestamps); real time keeps running on top.
    /// EXTERNAL scheduled events whose time came start or complete, as on Discord.
    pub fn advance(&self, by: Duration) {
        self.shared.clock.advance(by);
        self.shared
            .write(|s| super::events_control::run_external_events(&self.shared, s));
        self.shared.notify();
    }

    /// The guild's incidents data as it stands.
    pub fn incidents(&self) -> super::FakeIncidents {
        self.shared.read(|s| s.incidents)
    }

    /// Changes the guild's incidents data as Discord would on its own (a raid detected, a
    /// pause set by a moderator in the client).
    pub fn set_incidents(&self, change: impl FnOnce(&mut super::FakeIncidents)) {
        self.shared.write(|s| change(&mut s.incidents));
        self.shared.notify();
    }

    /// Sets the guild's `preferred_locale`, as an admin does in Server Settings.
    pub fn set_preferred_locale(&self, locale: &str) {
        self.shared
            .write(|s| s.preferred_locale = Some(locale.to_owned()));
    }

    /// The violations recorded so far (left in place).
    pub fn violations(&self) -> Vec<Violation> {
        self.shared.read(|s| s.violations.clone())
    }

    /// Takes the recorded violations, so a test that provoked them on purpose can inspect them.
    pub fn take_violations(&self) -> Vec<Violation> {
        self.shared.write(|s| std::mem::take(&mut s.violations))
    }

    /// Takes the violations and asserts there are exactly `count`.
    pub fn expect_violations(&self, count: usize) -> Vec<Violation> {
        let taken = self.take_violations();
        assert_eq!(
            taken.len(),
            count,
            "fake Discord: expected {count} violation(s), got {taken:#?}"
        );
        taken
    }

    /// Panics now (instead of at drop) if anything was recorded.
    pub fn assert_no_violations(&self) {
        let violations = self.violations();
        assert!(
            violations.is_empty(),
            "fake Discord recorded violations: {violations:#?}"
        );
    }

    /// Waits until `condition` holds, re-checked on every change of the fake (no polling);
    /// panics after `timeout` with `what` and a summary of the fake's state.
    pub async fn wait_for(
        &self,
        what: &str,
        timeout: Duration,
        condition: impl Fn(&FakeDiscord) -> bool,
    ) {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let mut changed = self.shared.subscribe();
            if condition(self) {
                return;
            }
            if tokio::time::timeout_at(deadline, changed.changed())
                .await
                .is_err()
            {
                panic!(
                    "fake Discord: timed out after {timeout:?} waiting for {what}\n{}",
                    summary(&self.shared)
                );
            }
        }
    }

    /// Waits for the next request to `method` + `route` beyond the `already_seen` first ones.
    pub async fn wait_for_request(
        &self,
        method: &str,
        route: &str,
        already_seen: usize,
        timeout: Duration,
    ) -> RecordedRequest {
        let what = format!("request #{} to {method} {route}", already_seen + 1);
        wait_until(&self.shared, &what, timeout, |s| {
            s.requests
                .iter()
                .filter(|r| r.method == method && r.route.as_deref() == Some(route))
                .nth(already_seen)
                .cloned()
        })
        .await
    }

    /// Waits until the bot has sent IDENTIFY `count` times in total.
    pub async fn wait_for_identifies(&self, count: usize, timeout: Duration) {
        let what = format!("{count} IDENTIFY");
        wait_until(&self.shared, &what, timeout, |s| {
            (s.identifies.len() >= count).then_some(())
        })
        .await;
    }

    /// Waits until a gateway session has identified and received READY.
    pub async fn wait_for_ready(&self, timeout: Duration) {
        let gateway = &self.shared.gateway;
        wait_until(
            &self.shared,
            "an identified gateway session",
            timeout,
            |_| gateway.ready_intents(),
        )
        .await;
    }

    /// A readable account of the fake's state (requests, channels, interactions, violations).
    pub fn summary(&self) -> String {
        summary(&self.shared)
    }
}
