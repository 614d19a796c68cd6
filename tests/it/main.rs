//! The one integration test binary: every end-to-end test runs here, against the fake Discord.

mod support;

mod access;
mod alertmanager;
mod bot_connects;
mod checklists;
mod cli;
mod commands;
mod deploy;
mod facts;
mod fake_discord_checks;
mod faults;
mod health;
mod help;
mod intake;
mod intake_sources;
mod lifecycle;
mod listener;
mod logs;
mod markup;
mod meeting;
mod metrics;
mod postmortem;
mod queue;
mod reminders;
mod replicas;
mod replicas_public;
mod report;
mod reports_channel;
mod setup;
mod shutdown;
mod status_page;
mod throwaway_postgres;
mod transcripts;
mod triage;
mod wake;
