//! Keeps within a service's documented budget of requests per window (GitHub's secondary
//! limits: 80 content-creating requests a minute, 500 an hour), so that a burst waits its turn
//! here instead of being refused there.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Budgets of `(requests, window)`, all kept.
#[derive(Debug)]
pub struct Pace {
    budgets: Vec<(usize, Duration)>,
    sent: Mutex<VecDeque<Instant>>,
}

impl Pace {
    /// A pace keeping every budget of `budgets`.
    pub fn new(budgets: &[(usize, Duration)]) -> Self {
        Self {
            budgets: budgets.to_vec(),
            sent: Mutex::new(VecDeque::new()),
        }
    }

    /// Takes a slot now, or says how long until one is free.
    pub fn take(&self) -> Result<(), Duration> {
        let now = Instant::now();
        let mut sent = self
            .sent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let longest = self.budgets.iter().map(|b| b.1).max().unwrap_or_default();
        while sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= longest)
        {
            sent.pop_front();
        }
        for &(count, window) in &self.budgets {
            let within: Vec<&Instant> = sent
                .iter()
                .filter(|t| now.duration_since(**t) < window)
                .collect();
            if within.len() >= count {
                let oldest = within[within.len() - count];
                return Err(window.saturating_sub(now.duration_since(*oldest)));
            }
        }
        sent.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_window_says_how_long_to_wait() {
        let pace = Pace::new(&[(2, Duration::from_secs(60))]);
        assert!(pace.take().is_ok());
        assert!(pace.take().is_ok());
        let wait = pace.take().expect_err("the third waits");
        assert!(
            wait > Duration::from_secs(50) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
    }
}
