//! Shared test helpers: the fake Discord and the bot harness.

pub mod bot;
pub mod chance;
pub mod child;
pub mod fake_discord;
pub mod fake_service;
pub mod fake_trackers;
pub mod graphql;
pub mod http;
pub mod openapi;
pub mod own_postgres;
pub mod postgres;
pub mod story;
pub mod time;
