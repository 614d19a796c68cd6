//! The translations forms between their steps, held in this process for at most [`LIFETIME`]
//! by the app's clock. Expired drafts are swept on every read: the typed text goes, a small
//! tombstone stays a day, so that a late **More languages** click is told that its draft
//! expired and what to do, rather than that the form is unknown.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, TimeDelta, Utc};

/// How long a draft waits for its next form. Discord's interaction tokens last 15 minutes;
/// the forms after the first open from a button, so a draft may outlive one token, not two.
pub const LIFETIME: TimeDelta = TimeDelta::minutes(30);

/// How long an expired draft is remembered as expired.
const TOMBSTONE: TimeDelta = TimeDelta::hours(24);

/// Why a draft is not here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gone {
    /// It waited longer than [`LIFETIME`].
    Expired,
    /// This process never had it (another version, a restart) or it is done.
    Unknown,
}

#[derive(Debug)]
enum Slot<D> {
    Open { since: DateTime<Utc>, draft: D },
    Expired { at: DateTime<Utc> },
}

/// Drafts by the id of the command that opened them.
#[derive(Debug)]
pub struct Held<D>(Mutex<HashMap<u64, Slot<D>>>);

impl<D> Default for Held<D> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

impl<D> Held<D> {
    fn with<T>(&self, now: DateTime<Utc>, f: impl FnOnce(&mut HashMap<u64, Slot<D>>) -> T) -> T {
        let mut guard = match self.0.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        sweep(&mut guard, now);
        f(&mut guard)
    }

    /// Holds `draft` as `id` from `now`.
    pub fn insert(&self, id: u64, draft: D, now: DateTime<Utc>) {
        self.with(now, |m| m.insert(id, Slot::Open { since: now, draft }));
    }

    /// Runs `f` on draft `id`, if it is still held at `now`.
    pub fn update<T>(
        &self,
        id: u64,
        now: DateTime<Utc>,
        f: impl FnOnce(&mut D) -> T,
    ) -> Result<T, Gone> {
        self.with(now, |m| match m.get_mut(&id) {
            Some(Slot::Open { draft, .. }) => Ok(f(draft)),
            Some(Slot::Expired { .. }) => Err(Gone::Expired),
            None => Err(Gone::Unknown),
        })
    }

    /// Lets draft `id` go: its command ran.
    pub fn remove(&self, id: u64, now: DateTime<Utc>) {
        self.with(now, |m| m.remove(&id));
    }

    /// How many drafts are held, expired ones included (for tests).
    #[cfg(test)]
    fn len(&self, now: DateTime<Utc>) -> (usize, usize) {
        self.with(now, |m| {
            let open = m
                .values()
                .filter(|s| matches!(s, Slot::Open { .. }))
                .count();
            (open, m.len() - open)
        })
    }
}

/// Drops the text of drafts past their lifetime, and forgets tombstones past theirs.
fn sweep<D>(map: &mut HashMap<u64, Slot<D>>, now: DateTime<Utc>) {
    for slot in map.values_mut() {
        if let Slot::Open { since, .. } = slot {
            if *since + LIFETIME <= now {
                *slot = Slot::Expired {
                    at: *since + LIFETIME,
                };
            }
        }
    }
    map.retain(|_, s| !matches!(s, Slot::Expired { at } if *at + TOMBSTONE <= now));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock as _, ManualClock};

    #[test]
    fn a_draft_expires_after_its_lifetime_and_is_forgotten_a_day_later() {
        let clock = ManualClock::new(Utc::now());
        let held: Held<&str> = Held::default();
        held.insert(1, "de", clock.now());
        clock.advance(LIFETIME - TimeDelta::seconds(1));
        assert_eq!(held.update(1, clock.now(), |d| *d), Ok("de"));
        clock.advance(TimeDelta::seconds(1));
        assert_eq!(held.update(1, clock.now(), |d| *d), Err(Gone::Expired));
        assert_eq!(held.len(clock.now()), (0, 1), "the typed text is gone");
        clock.advance(TOMBSTONE);
        assert_eq!(held.update(1, clock.now(), |d| *d), Err(Gone::Unknown));
        assert_eq!(held.len(clock.now()), (0, 0));
    }
}
