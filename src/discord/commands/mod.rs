//! Every command the bot offers, in one registry.

mod choices;
mod incident;
mod timeline;

use super::{Data, Error};

/// Every command: `/incident …` and the message context menu "Add to timeline".
pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![incident::incident(), timeline::add_to_timeline()]
}
