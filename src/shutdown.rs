//! The signal to stop, set once (SIGTERM, Ctrl-C, or a test) and seen by everything that
//! drains: commands answer "restarting", the job queue stops claiming, the HTTP listeners close.

use std::sync::Arc;

use tokio::sync::watch;

/// A stop signal, and a count of the work in flight it waits for. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Shutdown {
    stop: Arc<watch::Sender<bool>>,
    busy: Arc<watch::Sender<usize>>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self::new()
    }
}

impl Shutdown {
    /// A signal not yet given.
    pub fn new() -> Self {
        Self {
            stop: Arc::new(watch::Sender::new(false)),
            busy: Arc::new(watch::Sender::new(0)),
        }
    }

    /// Gives the signal; giving it again changes nothing.
    pub fn trigger(&self) {
        self.stop.send_replace(true);
    }

    /// Whether the signal was given.
    pub fn is_triggered(&self) -> bool {
        *self.stop.borrow()
    }

    /// Completes once the signal is given (at once if it was).
    pub async fn triggered(&self) {
        let mut rx = self.stop.subscribe();
        // The sender lives in `self`, so the wait ends only with the signal.
        let _ = rx.wait_for(|stop| *stop).await;
    }

    /// Marks work in flight (a command being answered) until the guard is dropped.
    pub fn busy(&self) -> Busy {
        self.busy.send_modify(|n| *n += 1);
        Busy(self.busy.clone())
    }

    /// Completes once no work is in flight.
    pub async fn idle(&self) {
        let mut rx = self.busy.subscribe();
        let _ = rx.wait_for(|n| *n == 0).await;
    }
}

/// Work in flight, for as long as it lives.
#[derive(Debug)]
pub struct Busy(Arc<watch::Sender<usize>>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn idle_waits_for_the_work_in_flight_and_triggered_for_the_signal() {
        let s = Shutdown::new();
        let guard = s.busy();
        let waiting = tokio::spawn({
            let s = s.clone();
            async move {
                s.triggered().await;
                s.idle().await;
            }
        });
        s.trigger();
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "idle with a command in flight");
        drop(guard);
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("idle once the guard is gone")
            .expect("no panic");
        assert!(s.is_triggered());
    }
}
