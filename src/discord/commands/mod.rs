//! Every command the bot offers, in one table, and the one handler that runs them, whichever
//! way Discord delivered the interaction (the gateway, or `POST /interactions`).

mod alerts_button;
mod choices;
mod containment;
mod incident;
mod maintenance;
mod ping;
mod postmortem;
pub(crate) mod report;
mod run;
pub(crate) mod spec;
mod timeline;
pub(crate) mod translations;

pub(crate) use incident::counts;
pub(crate) use run::display_name;

use serenity::all as serenity;

use super::ask::{Ask, Reach};
use super::metered::{metered, route};
use super::{Data, Error};
use crate::domain::Refusal;
use crate::metrics::Outcome;
use spec::{Mismatch, Options, Spec};

/// Every command: `/incident …`, `/postmortem …`, `/maintenance …`, `/ping`, and the message menu's "Add to
/// timeline" and "Report as incident". Adding one: its file, its handler, and a line here.
pub fn table() -> Vec<Spec> {
    let mut all = incident::SPECS.to_vec();
    all.push(run::SPEC);
    all.push(alerts_button::SPEC);
    all.extend_from_slice(containment::SPECS);
    all.extend_from_slice(postmortem::SPECS);
    all.extend_from_slice(maintenance::SPECS);
    all.extend([ping::SPEC, timeline::SPEC, report::SPEC]);
    all
}

/// The definitions Discord registers, with the severity choices named by their definitions
/// from `severity` (`P0: The game or login is down for everyone…`): choices have no
/// description, and a tired responder picks better with the definition in front of them. A
/// choice is still sent as its index.
#[cfg(test)]
pub fn definitions(severity: &crate::config::SeverityTable) -> Vec<serenity::CreateCommand> {
    localized_definitions(severity, &[])
}

/// [`definitions`], with each command's names and descriptions in the locales of `texts`
/// (`name_localizations` / `description_localizations`).
pub fn localized_definitions(
    severity: &crate::config::SeverityTable,
    texts: spec::Localized<'_>,
) -> Vec<serenity::CreateCommand> {
    spec::definitions(
        &table(),
        &[incident::GROUP, postmortem::GROUP, maintenance::GROUP],
        severity,
        texts,
    )
}

/// The commands' texts `app`'s templates have for the locales players read.
pub fn configured_texts(
    app: &crate::app::App,
) -> Vec<(
    crate::domain::Locale,
    &std::collections::BTreeMap<String, crate::render::locales::CommandText>,
)> {
    let texts = app.templates.command_texts();
    app.settings
        .players
        .locales
        .iter()
        .filter_map(|l| texts.get(l).map(|t| (*l, t)))
        .collect()
}

/// Whether this replica may act on the interaction: a gateway one only while its lease holds
/// (another replica may own the gateway by now); one over HTTP always, since Discord gave it
/// to this replica alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Delivered over this replica's gateway session.
    Gateway,
    /// Delivered to `POST /interactions`.
    Http,
}

/// The spec `interaction` invokes, and the options given to it (inside its subcommand).
fn invoked<'a>(
    table: &'a [Spec],
    data: &'a serenity::CommandData,
    top: &'a [serenity::ResolvedOption<'a>],
) -> Option<(&'a Spec, &'a [serenity::ResolvedOption<'a>])> {
    let (sub, given) = match top.first() {
        Some(serenity::ResolvedOption {
            name,
            value: serenity::ResolvedValue::SubCommand(inner),
            ..
        }) => (Some(*name), inner.as_slice()),
        _ => (None, top),
    };
    table
        .iter()
        .find(|s| s.command == data.name && s.sub == sub)
        .map(|s| (s, given))
}

/// Runs a slash or context-menu command and answers it: the one handler of both paths.
pub async fn run(data: &Data, reach: &Reach, interaction: &serenity::CommandInteraction, via: Via) {
    let table = table();
    let top = interaction.data.options();
    let found = invoked(&table, &interaction.data, &top);
    let name = found.map_or_else(|| interaction.data.name.clone(), |(s, _)| s.name());
    let ask = Ask::new(data, reach, interaction, name);
    let result = match found {
        None => refuse_unknown(&ask).await,
        Some((spec, given)) => guarded(&ask, spec, Options::new(spec, given), via).await,
    };
    // The command failed, or its answer did not go through: an apology with an error id.
    if let Err(e) = result {
        if let Err(why) = ask.apologise(&e).await {
            tracing::warn!(
                command = %ask.name,
                error = %super::error_chain(&why),
                "could not tell the user their command failed"
            );
        }
    }
    ask.finish(Outcome::Ok);
}

/// A command this version does not define.
async fn refuse_unknown(ask: &Ask<'_>) -> Result<(), Error> {
    let name = ask.name.clone();
    ask.refuse(Outcome::Invalid, &Refusal::UnknownCommand { name })
        .await
}

/// The checks every command passes first, then the command. It refuses new work while the bot
/// shuts down or its gateway lease may have run out, and options the command does not define;
/// an option it cannot read is answered as a stale client. Any other failure is returned, for
/// an apology.
async fn guarded(ask: &Ask<'_>, spec: &Spec, options: Options<'_>, via: Via) -> Result<(), Error> {
    let fence = &ask.data.fence;
    if via == Via::Gateway && !fence.holds() {
        // Fenced: act on nothing, since another replica may be acting on the gateway now, or may
        // be about to while this one takes its lease back from a database that stopped answering.
        if fence.suspended() {
            return ask.refuse(Outcome::Error, &Refusal::Unavailable).await;
        }
        return ask.refuse(Outcome::Restarting, &Refusal::HandingOver).await;
    }
    if ask.app().shutdown.is_triggered() {
        return ask.refuse(Outcome::Restarting, &Refusal::Restarting).await;
    }
    let unknown = options.unknown();
    if !unknown.is_empty() {
        let why = Refusal::UnknownOptions {
            command: ask.name.clone(),
            options: unknown.iter().map(|n| n.to_string()).collect(),
        };
        return ask.refuse(Outcome::Invalid, &why).await;
    }
    match (spec.run)(ask, options).await {
        Ok(()) => Ok(()),
        Err(e) => match e.downcast_ref::<Mismatch>() {
            Some(Mismatch(option)) => {
                let why = Refusal::UnreadableOption {
                    option: option.to_string(),
                };
                ask.refuse(Outcome::Invalid, &why).await
            }
            None => Err(e),
        },
    }
}

/// Answers an autocomplete request: the systems catalogue for a systems option, the actions
/// the person may run for an action option, nothing else.
pub async fn complete(data: &Data, reach: &Reach, interaction: &serenity::CommandInteraction) {
    let table = table();
    let top = interaction.data.options();
    let focused = interaction.data.autocomplete();
    let choices = match (invoked(&table, &interaction.data, &top), focused) {
        (Some((spec, _)), Some(focused)) => match spec.param(focused.name).map(|p| p.kind) {
            Some(spec::Kind::Systems) => {
                choices::complete_systems(&data.app.settings.systems.catalogue, focused.value)
                    .into_iter()
                    .map(serenity::AutocompleteChoice::from)
                    .collect()
            }
            Some(spec::Kind::Action) => run::complete(&data.app, interaction, focused.value).await,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let response = serenity::CreateAutocompleteResponse::new().set_choices(choices);
    let call = interaction.create_response(
        reach,
        serenity::CreateInteractionResponse::Autocomplete(response),
    );
    if let Err(e) = metered(&data.app.metrics, "POST", route::CALLBACK, call).await {
        tracing::debug!(error = %super::error_chain(&e.into()), "could not answer an autocomplete");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drops what Discord treats as absent (nulls, empty lists and maps, false flags), so that
    /// two definitions compare by what they say.
    fn meaning(value: serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .filter(|(_, v)| match v {
                        Value::Null => false,
                        Value::Array(a) => !a.is_empty(),
                        Value::Object(o) => !o.is_empty(),
                        Value::Bool(b) => *b,
                        _ => true,
                    })
                    .map(|(k, v)| (k, meaning(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.into_iter().map(meaning).collect()),
            Value::Number(n) => n
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map_or(Value::Number(n), |f| serde_json::json!(f as i64)),
            other => other,
        }
    }

    /// The commands Discord registers are the ones registered before the bot stopped using
    /// poise's dispatch (`tests/fixtures/discord-commands.json`, written from poise's
    /// definitions): a change there is a change every responder sees.
    #[test]
    fn the_definitions_are_those_registered_before() {
        let severity = crate::app::tests::settings().severity;
        let ours = serde_json::to_value(definitions(&severity)).expect("definitions serialize");
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/discord-commands.json"
        );
        // A command added or changed on purpose: rewrite the fixture, then read its diff.
        if std::env::var_os("UPDATE_COMMANDS_FIXTURE").is_some() {
            let pretty = serde_json::to_string_pretty(&ours).expect("pretty");
            std::fs::write(path, pretty + "\n").expect("the fixture is written");
        }
        let fixture = std::fs::read_to_string(path).expect("the fixture reads");
        let before: serde_json::Value = serde_json::from_str(&fixture).expect("the fixture parses");
        assert_eq!(meaning(ours), meaning(before));
    }

    #[test]
    fn every_command_has_a_unique_name_and_options_within_discord_limits() {
        let table = table();
        let mut names: Vec<String> = table.iter().map(Spec::name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), table.len());
        for spec in &table {
            assert!(spec.params.len() <= 25, "{}", spec.name());
            for p in spec.params {
                assert!(!p.description.is_empty() && p.description.chars().count() <= 100);
            }
        }
    }

    #[test]
    fn systems_complete_the_last_name_and_skip_those_typed() {
        let catalogue = vec![
            "Login".to_owned(),
            "Matchmaking".to_owned(),
            "Store".to_owned(),
        ];
        assert_eq!(
            choices::complete_systems(&catalogue, "login, m"),
            vec!["login, Matchmaking"]
        );
        assert_eq!(
            choices::complete_systems(&catalogue, "Login, "),
            vec!["Login, Matchmaking", "Login, Store"]
        );
    }
}
