//! Every command the bot offers, in one registry.

mod choices;
mod incident;
mod ping;
mod postmortem;
pub(crate) mod report;
mod timeline;

pub(crate) use incident::counts;

use super::{Data, Error};

/// Every command: `/incident …`, `/postmortem …` and the message context menu "Add to timeline".
pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![
        incident::incident(),
        postmortem::postmortem(),
        ping::ping(),
        timeline::add_to_timeline(),
        report::report_as_incident(),
    ]
}

/// Every command, with the severity choices named by their definitions from `severity`
/// (`P0: The game or login is down for everyone…`): choices have no description, and a tired
/// responder picks better with the definition in front of them. Only the names change; a
/// choice is still sent as its index.
pub fn all_for(severity: &crate::config::SeverityTable) -> Vec<poise::Command<Data, Error>> {
    let mut commands = all();
    for command in &mut commands {
        name_severities(command, severity);
    }
    commands
}

fn name_severities(
    command: &mut poise::Command<Data, Error>,
    table: &crate::config::SeverityTable,
) {
    use crate::domain::Severity;
    for sub in &mut command.subcommands {
        name_severities(sub, table);
    }
    for parameter in &mut command.parameters {
        let keys: Vec<&str> = parameter.choices.iter().map(|c| c.name.as_ref()).collect();
        if keys != Severity::ALL.map(Severity::as_str) {
            continue;
        }
        for (choice, severity) in parameter.choices.to_mut().iter_mut().zip(Severity::ALL) {
            let name = format!("{severity}: {}", table.get(severity).definition.trim());
            choice.name = crate::render::cap(&name, 100).into();
        }
    }
}
