//! How a command is written down once: its name, description, options and handler. The same
//! table gives Discord the definitions to register and the router the handler to run, so the
//! gateway and `POST /interactions` run one handler.

use std::future::Future;
use std::pin::Pin;

use serenity::all as serenity;

use super::super::ask::Ask;
use super::super::Error;
use crate::config::SeverityTable;
use crate::domain::Severity;
use crate::render::locales::CommandText;

/// Gives `$built` (a command or an option) its names and descriptions in each locale that
/// has them for `path`.
macro_rules! localize {
    ($built:expr, $texts:expr, $path:expr) => {{
        let mut built = $built;
        for (locale, texts) in $texts {
            if let Some(t) = texts.get($path) {
                if let Some(name) = &t.name {
                    built = built.name_localized(locale.code(), name);
                }
                if let Some(description) = &t.description {
                    built = built.description_localized(locale.code(), description);
                }
            }
        }
        built
    }};
}

/// A boxed future that may move between threads.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A command's handler: reads its options from the [`Ask`] and answers.
pub type Handler = for<'a> fn(&'a Ask<'a>, Options<'a>) -> BoxFuture<'a, Result<(), Error>>;

/// What an option holds, as Discord shows it.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// Free text.
    Text,
    /// Free text, completed from the systems catalogue.
    Systems,
    /// A whole number within bounds.
    Int { min: u64, max: u64 },
    /// Yes or no.
    Bool,
    /// A member.
    User,
    /// One of these names, sent as its index.
    Choice(&'static [&'static str]),
    /// P0 … P3, shown with each one's definition, sent as its index.
    Severity,
    /// A runbook action's id, completed from those the person may run.
    Action,
    /// A file the person attaches.
    Attachment,
}

/// One option of a command.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// Its name, as typed.
    pub name: &'static str,
    /// What Discord shows under it.
    pub description: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Whether Discord insists on it.
    pub required: bool,
}

impl Param {
    /// A required option.
    pub const fn required(name: &'static str, kind: Kind, description: &'static str) -> Self {
        Self {
            name,
            description,
            kind,
            required: true,
        }
    }

    /// An optional option.
    pub const fn optional(name: &'static str, kind: Kind, description: &'static str) -> Self {
        Self {
            name,
            description,
            kind,
            required: false,
        }
    }

    fn build(&self, severity: &SeverityTable) -> serenity::CreateCommandOption {
        use serenity::CommandOptionType as T;
        let (kind, description) = (self.kind, self.description);
        let option = |t| serenity::CreateCommandOption::new(t, self.name, description);
        let option = match kind {
            Kind::Text => option(T::String),
            Kind::Systems | Kind::Action => option(T::String).set_autocomplete(true),
            Kind::Int { min, max } => option(T::Integer).min_int_value(min).max_int_value(max),
            Kind::Bool => option(T::Boolean),
            Kind::User => option(T::User),
            Kind::Attachment => option(T::Attachment),
            Kind::Choice(names) => names
                .iter()
                .zip(0..)
                .fold(option(T::Integer), |o, (name, i)| {
                    o.add_int_choice(*name, i)
                }),
            Kind::Severity => {
                Severity::ALL
                    .iter()
                    .zip(0..)
                    .fold(option(T::Integer), |o, (s, i)| {
                        let name = format!("{s}: {}", severity.get(*s).definition.trim());
                        o.add_int_choice(crate::render::cap(&name, 100), i)
                    })
            }
        };
        option.required(self.required)
    }
}

/// How a command is invoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invoked {
    /// `/name` or `/name sub`.
    Slash,
    /// A message's Apps menu.
    MessageMenu,
}

/// One command Discord can invoke: a top-level command, or one subcommand of it.
#[derive(Clone, Copy)]
pub struct Spec {
    /// The top-level name (`incident`, `Add to timeline`).
    pub command: &'static str,
    /// The subcommand, if any.
    pub sub: Option<&'static str>,
    /// How it is invoked.
    pub invoked: Invoked,
    /// What Discord shows.
    pub description: &'static str,
    /// Its options.
    pub params: &'static [Param],
    /// What runs it.
    pub run: Handler,
}

impl Spec {
    /// Subcommand `sub` of `command`.
    pub const fn sub(
        command: &'static str,
        sub: &'static str,
        description: &'static str,
        params: &'static [Param],
        run: Handler,
    ) -> Self {
        Self {
            command,
            sub: Some(sub),
            invoked: Invoked::Slash,
            description,
            params,
            run,
        }
    }

    /// How logs and metrics name it: `incident declare`.
    pub fn name(&self) -> String {
        match self.sub {
            Some(sub) => format!("{} {sub}", self.command),
            None => self.command.to_owned(),
        }
    }

    /// Its option named `name`.
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }

    fn options(
        &self,
        severity: &SeverityTable,
        texts: Localized<'_>,
    ) -> Vec<serenity::CreateCommandOption> {
        self.params
            .iter()
            .map(|p| {
                let path = format!("{} {}", self.name(), p.name);
                localize!(p.build(severity), texts, &path)
            })
            .collect()
    }
}

/// A group of subcommands under one top-level command.
pub struct Group {
    /// Its name.
    pub command: &'static str,
    /// What Discord shows.
    pub description: &'static str,
}

/// The commands' texts in the configured locales, by English path (`incident update message`).
pub type Localized<'a> = &'a [(
    crate::domain::Locale,
    &'a std::collections::BTreeMap<String, CommandText>,
)];

/// The definitions to register: one per top-level command, its subcommands in table order.
pub fn definitions(
    specs: &[Spec],
    groups: &[Group],
    severity: &SeverityTable,
    texts: Localized<'_>,
) -> Vec<serenity::CreateCommand> {
    let guild = vec![serenity::InteractionContext::Guild];
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for spec in specs {
        if seen.contains(&spec.command) {
            continue;
        }
        seen.push(spec.command);
        let command = serenity::CreateCommand::new(spec.command).contexts(guild.clone());
        let command = localize!(command, texts, spec.command);
        let command = match (spec.invoked, spec.sub) {
            (Invoked::MessageMenu, _) => command.kind(serenity::CommandType::Message),
            (Invoked::Slash, None) => command
                .description(spec.description)
                .set_options(spec.options(severity, texts)),
            (Invoked::Slash, Some(_)) => {
                let description = groups
                    .iter()
                    .find(|g| g.command == spec.command)
                    .map_or("", |g| g.description);
                let subs = specs
                    .iter()
                    .filter(|s| s.command == spec.command)
                    .filter_map(|s| {
                        let name = s.sub?;
                        let sub = serenity::CreateCommandOption::new(
                            serenity::CommandOptionType::SubCommand,
                            name,
                            s.description,
                        );
                        let sub = localize!(sub, texts, &s.name());
                        Some(
                            s.options(severity, texts)
                                .into_iter()
                                .fold(sub, |o, p| o.add_sub_option(p)),
                        )
                    })
                    .collect();
                command.description(description).set_options(subs)
            }
        };
        out.push(command);
    }
    out
}

/// The options of one invocation, as Discord resolved them, read by name.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    spec: &'a Spec,
    given: &'a [serenity::ResolvedOption<'a>],
}

/// An option that could not be read: the invocation does not match the definition (an old
/// client, mostly).
#[derive(Debug, thiserror::Error)]
#[error("the option `{0}` is missing or not of its kind")]
pub struct Mismatch(pub &'static str);

impl<'a> Options<'a> {
    /// The options `given` to `spec`.
    pub fn new(spec: &'a Spec, given: &'a [serenity::ResolvedOption<'a>]) -> Self {
        Self { spec, given }
    }

    /// The names given that the definition does not have.
    pub fn unknown(&self) -> Vec<&'a str> {
        self.given
            .iter()
            .map(|o| o.name)
            .filter(|n| self.spec.param(n).is_none())
            .collect()
    }

    fn value(&self, name: &str) -> Option<&'a serenity::ResolvedValue<'a>> {
        self.given.iter().find(|o| o.name == name).map(|o| &o.value)
    }

    /// A text option, if given.
    pub fn text(&self, name: &'static str) -> Result<Option<String>, Mismatch> {
        match self.value(name) {
            None => Ok(None),
            Some(serenity::ResolvedValue::String(s)) => Ok(Some((*s).to_owned())),
            Some(_) => Err(Mismatch(name)),
        }
    }

    /// A required text option.
    pub fn need_text(&self, name: &'static str) -> Result<String, Mismatch> {
        self.text(name)?.ok_or(Mismatch(name))
    }

    /// A whole-number option, if given.
    pub fn int(&self, name: &'static str) -> Result<Option<i64>, Mismatch> {
        match self.value(name) {
            None => Ok(None),
            Some(serenity::ResolvedValue::Integer(i)) => Ok(Some(*i)),
            Some(_) => Err(Mismatch(name)),
        }
    }

    /// The `incident:` number, if given.
    pub fn incident(&self) -> Result<Option<u32>, Mismatch> {
        self.int("incident")?
            .map(|n| u32::try_from(n).map_err(|_| Mismatch("incident")))
            .transpose()
    }

    /// A yes-or-no option, if given.
    pub fn flag(&self, name: &'static str) -> Result<Option<bool>, Mismatch> {
        match self.value(name) {
            None => Ok(None),
            Some(serenity::ResolvedValue::Boolean(b)) => Ok(Some(*b)),
            Some(_) => Err(Mismatch(name)),
        }
    }

    /// A user option, with the member data Discord resolved, if given.
    pub fn user(
        &self,
        name: &'static str,
    ) -> Result<Option<(&'a serenity::User, Option<&'a serenity::PartialMember>)>, Mismatch> {
        match self.value(name) {
            None => Ok(None),
            Some(serenity::ResolvedValue::User(user, member)) => Ok(Some((*user, *member))),
            Some(_) => Err(Mismatch(name)),
        }
    }

    /// A file option, as Discord resolved it, if given.
    pub fn attachment(
        &self,
        name: &'static str,
    ) -> Result<Option<&'a serenity::Attachment>, Mismatch> {
        match self.value(name) {
            None => Ok(None),
            Some(serenity::ResolvedValue::Attachment(file)) => Ok(Some(*file)),
            Some(_) => Err(Mismatch(name)),
        }
    }

    /// A choice option, as the index of the name picked, if given.
    pub fn choice<T: Copy>(&self, name: &'static str, all: &[T]) -> Result<Option<T>, Mismatch> {
        self.int(name)?
            .map(|i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| all.get(i).copied())
                    .ok_or(Mismatch(name))
            })
            .transpose()
    }

    /// A required choice option.
    pub fn need_choice<T: Copy>(&self, name: &'static str, all: &[T]) -> Result<T, Mismatch> {
        self.choice(name, all)?.ok_or(Mismatch(name))
    }
}
