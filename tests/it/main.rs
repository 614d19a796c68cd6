//! The one integration test binary: every end-to-end test runs here, against the fake Discord.

mod support;

mod access;
mod bot_connects;
mod checklists;
mod cli;
mod commands;
mod facts;
mod fake_discord;
mod faults;
mod help;
mod lifecycle;
mod markup;
mod meeting;
mod postmortem;
mod queue;
mod reminders;
mod transcripts;
mod wake;
