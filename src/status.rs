//! The public status page and its feeds, built from what players were told.
//!
//! Only availability incidents with an announcement posted to the players' channel appear, and
//! only the text of those announcements (alerts, status updates, all-clears): never a security
//! incident, a title, a note, a timeline entry, a responder or an internal update. After any
//! committed public change the snapshot is rebuilt once (HTML, JSON, Atom, with their ETags)
//! and swapped in; requests are answered from memory, with no database read.
//!
//! The Statuspage v2 mapping (documented in docs/status-page.md): phases 1–3 `investigating`,
//! phases 4–5 `identified`, a fix being verified `monitoring`, verified (or closed)
//! `resolved`; P0 `critical`, P1 `major`, P2 `minor`, P3 `none`.

mod atom;
mod board;
mod build;
mod game;
mod maintenance;
mod maintenance_locales;
mod page;
mod policy;
mod statuspage;
mod text;
mod webhook;

pub use board::{keep_fresh, rebuild, Resource, Snapshot, StatusBoard};
pub use build::{build, Inputs, PublicIncident, PublicUpdate, HISTORY_DAYS};
pub use game::{MaintenanceStatus, KEEP_AFTER_OVER, SEED_LOCALE};
pub use maintenance::PublicWindow;
pub use maintenance_locales::WindowText;
pub use page::{PageTemplates, PAGE_TEMPLATES};
pub use policy::page_policy;
pub use statuspage::{Impact, IncidentState};
pub use text::plain;
pub use webhook::WebhookFeed;
