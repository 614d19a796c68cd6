//! Every command the bot offers, in one registry.

mod choices;
mod incident;
mod ping;
mod postmortem;
mod timeline;

use super::{Data, Error};

/// Every command: `/incident …`, `/postmortem …` and the message context menu "Add to timeline".
pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![
        incident::incident(),
        postmortem::postmortem(),
        ping::ping(),
        timeline::add_to_timeline(),
    ]
}
