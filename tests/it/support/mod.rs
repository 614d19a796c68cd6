//! Shared test helpers: the fake Discord and the bot harness.

pub mod bot;
pub mod chance;
pub mod child;
pub mod fake_bluesky;
pub mod fake_cloudflare;
pub mod fake_discord;
pub mod fake_github_actions;
pub mod fake_gitlab;
pub mod fake_mastodon;
pub mod fake_paging;
pub mod fake_service;
pub mod fake_trackers;
pub mod fake_x;
pub mod graphql;
pub mod http;
pub mod lexicon;
pub mod openapi;
pub mod own_postgres;
pub mod paging;
pub mod postgres;
pub mod prometheus;
pub mod story;
pub mod time;

/// What a person reads while the database is not answering (`refusal.hbs`, `unavailable`).
pub const UNAVAILABLE: &str =
    "⏳ The database is not answering right now. Try again in a moment (if you see the change \
     after all, it went through before the database stopped answering).";

/// What a person reads while the bot shuts down (`refusal.hbs`, `restarting`).
pub const RESTARTING: &str =
    "⏳ The bot is restarting: try again in a few seconds. Nothing was changed.";
