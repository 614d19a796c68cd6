//! incident-bot: runs a game studio's incident response on Discord, from the first alert to the
//! post-mortem. See `README.md` for what it does and `ARCHITECTURE.md` for how it is built.

pub mod app;
pub mod chart;
pub mod clock;
pub mod config;
pub mod discord;
pub mod domain;
pub mod http;
pub mod metrics;
pub mod outbound;
pub mod redact;
pub mod render;
pub mod replica;
pub mod scheduler;
pub mod setup;
pub mod shutdown;
pub mod startup;
pub mod status;
pub mod store;
pub mod watchdog;

// The moment tests on a stopped clock start at: one `T0`, shared with the `it` suite.
#[cfg(test)]
#[path = "../tests/it/support/time.rs"]
pub(crate) mod test_time;
