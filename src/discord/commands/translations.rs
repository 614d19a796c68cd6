//! `translations:true` on `/incident update` and `/incident announce`: the typed text in each
//! of the players' other languages, through forms.
//!
//! A modal holds at most five text fields and must be the command's first answer, so the
//! command opens the first form at once; after each form but the last, an ephemeral
//! **More languages** button opens the next (a modal cannot answer a modal). The command runs
//! when the last form is sent. The draft between forms lives in this process: it is a form
//! being filled, and Discord's interaction tokens last 15 minutes anyway.

use std::collections::HashMap;
use std::sync::Mutex;

use serenity::all as serenity;

use super::spec::{Kind, Param};
use crate::app::{self, AppError, Button, ChangeArgs, Place};
use crate::domain::{
    to_translate, Actor, Command, EtaInput, FreeText, Locale, Refusal, Translations,
};

/// The option that asks for the forms.
pub const TRANSLATIONS: Param = Param::optional(
    "translations",
    Kind::Bool,
    "Also type the text in the players' other languages, in a form",
);

/// The custom id prefix of a translations form: `tr:<draft>:<step>`.
pub const FORM: &str = "tr";

/// The custom id prefix of the **More languages** button: `trmore:<draft>:<step>`.
pub const MORE: &str = "trmore";

/// Discord's limit of text fields in one modal.
pub const FIELDS_PER_FORM: usize = 5;

/// What the command will do once the languages are in.
#[derive(Debug, Clone)]
pub enum Asked {
    /// `/incident update`, as typed.
    Update {
        /// The English update.
        message: String,
        /// `public:`.
        public: bool,
        /// `publish:`.
        publish: bool,
        /// `eta:`.
        eta: Option<String>,
    },
    /// `/incident announce`, as typed.
    Announce {
        /// `eta:`.
        eta: Option<String>,
    },
}

/// A command waiting for its translations.
#[derive(Debug, Clone)]
struct Draft {
    asked: Asked,
    place: Place,
    user: u64,
    locales: Vec<Locale>,
    typed: Vec<(Locale, String)>,
}

/// The drafts of this process, by the id of the command that opened them.
#[derive(Debug, Default)]
pub struct Drafts(Mutex<HashMap<u64, Draft>>);

impl Drafts {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<u64, Draft>) -> T) -> T {
        match self.0.lock() {
            Ok(mut g) => f(&mut g),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }
}

/// The form of step `step` (0-based) of draft `id`: a field per locale, up to five.
fn form(
    templates: &crate::render::Templates,
    id: u64,
    step: usize,
    locales: &[Locale],
    english: &str,
) -> serenity::CreateModal {
    let steps = locales.len().div_ceil(FIELDS_PER_FORM);
    let title = templates.label(&crate::render::Label::TranslationsTitle {
        step: step + 1,
        steps,
    });
    let rows = locales
        .chunks(FIELDS_PER_FORM)
        .nth(step)
        .unwrap_or_default()
        .iter()
        .map(|l| {
            let label = format!("{} ({})", l.language(), l.code());
            let input = serenity::CreateInputText::new(
                serenity::InputTextStyle::Paragraph,
                label,
                l.code(),
            )
            .required(false)
            .max_length(u16::try_from(FreeText::MAX).unwrap_or(u16::MAX))
            .placeholder(crate::render::cap(english, 100));
            serenity::CreateActionRow::InputText(input)
        })
        .collect();
    serenity::CreateModal::new(format!("{FORM}:{id}:{step}"), title).components(rows)
}

/// Opens the first form for `asked`, when players read other languages; `Ok(false)` when they
/// do not (the command then runs as it is).
pub(super) async fn open(
    ask: &super::super::ask::Ask<'_>,
    asked: Asked,
    incident: Option<u32>,
) -> Result<bool, super::super::Error> {
    let locales = to_translate(&ask.app().settings.players.locales);
    if locales.is_empty() {
        return Ok(false);
    }
    let english = match &asked {
        Asked::Update { message, .. } => message.clone(),
        Asked::Announce { .. } => "The affected systems, as players read them".to_owned(),
    };
    let id = ask.id();
    let draft = Draft {
        asked,
        place: ask.place(incident)?,
        user: ask.actor()?.user.get(),
        locales: locales.clone(),
        typed: Vec::new(),
    };
    ask.data().drafts.with(|d| d.insert(id, draft));
    ask.modal(form(&ask.app().templates, id, 0, &locales, &english))
        .await?;
    Ok(true)
}

/// `<draft>:<step>` of a form's or button's custom id.
fn parse(about: &str) -> Option<(u64, usize)> {
    let (id, step) = about.split_once(':')?;
    Some((id.parse().ok()?, step.parse().ok()?))
}

/// The form the **More languages** button `about` opens, if its draft is still here.
pub(in crate::discord) fn next_form(
    templates: &crate::render::Templates,
    drafts: &Drafts,
    about: &str,
    user: u64,
) -> Option<serenity::CreateModal> {
    let (id, step) = parse(about)?;
    drafts.with(|d| {
        let draft = d.get(&id).filter(|d| d.user == user)?;
        let english = match &draft.asked {
            Asked::Update { message, .. } => message.clone(),
            Asked::Announce { .. } => String::new(),
        };
        Some(form(templates, id, step, &draft.locales, &english))
    })
}

/// What a sent form leads to.
pub(in crate::discord) enum Sent {
    /// More languages to go: say so, with the button to the next form.
    More(String, Vec<Button>),
    /// The last form: the command's own answer.
    Done(String),
}

/// Takes a sent form `about` with its `typed` fields; runs the command after the last one.
pub(in crate::discord) async fn sent(
    app: &app::App,
    drafts: &Drafts,
    actor: &Actor,
    about: &str,
    typed: impl Fn(&str) -> String,
) -> Result<Sent, AppError> {
    let (id, step) = parse(about).ok_or(Refusal::StaleForm)?;
    let user = actor.user.get();
    let draft = drafts.with(|d| {
        let draft = d.get_mut(&id).filter(|d| d.user == user)?;
        let fields = draft.locales.chunks(FIELDS_PER_FORM).nth(step)?.to_vec();
        for l in fields {
            draft.typed.retain(|(x, _)| *x != l);
            draft.typed.push((l, typed(l.code())));
        }
        Some(draft.clone())
    });
    let draft = draft.ok_or(Refusal::StaleForm)?;
    let steps = draft.locales.len().div_ceil(FIELDS_PER_FORM);
    if step + 1 < steps {
        let answer = crate::render::TranslationsAnswer {
            done: (step + 1) * FIELDS_PER_FORM,
            total: draft.locales.len(),
        };
        let more = Button {
            custom_id: format!("{MORE}:{id}:{}", step + 1),
            label: app.templates.label(&crate::render::Label::MoreLanguages),
            style: crate::app::ButtonStyle::Primary,
        };
        return Ok(Sent::More(app::answer(app, answer)?, vec![more]));
    }
    drafts.with(|d| d.remove(&id));
    let args = args(&draft)?;
    let origin = format!("ix:{id}");
    let changed = app::change(app, actor, draft.place, &origin, args).await?;
    Ok(Sent::Done(changed.reply))
}

/// The command of `draft`, parsed as the command itself parses it, with its translations.
fn args(draft: &Draft) -> Result<ChangeArgs, AppError> {
    let mut translations = Translations::default();
    for (l, text) in &draft.typed {
        translations.add(*l, text)?;
    }
    let command = match &draft.asked {
        Asked::Update {
            message,
            public,
            publish,
            eta,
        } => Command::Update {
            message: FreeText::parse(message)?,
            public: *public,
            publish: *publish,
            eta: eta.as_deref().map(EtaInput::parse).transpose()?,
        },
        Asked::Announce { eta } => Command::Announce {
            eta: eta.as_deref().map(EtaInput::parse).transpose()?,
        },
    };
    Ok(ChangeArgs {
        translations,
        ..ChangeArgs::from(command)
    })
}

/// The channel a draft's command runs in (for tests of the routing).
#[cfg(test)]
fn channel(draft: &Draft) -> crate::domain::ChannelId {
    draft.place.channel
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seven_locales_take_two_forms_of_five_and_two_fields() {
        let locales: Vec<Locale> = ["de", "fr", "es-ES", "pt-BR", "it", "pl", "ja"]
            .iter()
            .map(|c| Locale::parse(c).unwrap())
            .collect();
        let t = crate::render::Templates::load(None).unwrap();
        let first = serde_json::to_value(form(&t, 9, 0, &locales, "Login is back")).unwrap();
        let second = serde_json::to_value(form(&t, 9, 1, &locales, "Login is back")).unwrap();
        assert_eq!(second["title"], "Translations (2 of 2)");
        assert_eq!(first["components"].as_array().unwrap().len(), 5);
        assert_eq!(second["components"].as_array().unwrap().len(), 2);
        assert_eq!(second["custom_id"], "tr:9:1");
        assert_eq!(parse("9:1"), Some((9, 1)));
        let draft = Draft {
            asked: Asked::Announce { eta: None },
            place: Place {
                channel: crate::domain::ChannelId::new(5).unwrap(),
                incident: None,
            },
            user: 1,
            locales,
            typed: vec![(Locale::parse("de").unwrap(), "Anmeldung".into())],
        };
        assert_eq!(channel(&draft).get(), 5);
        let args = args(&draft).unwrap();
        assert_eq!(args.translations.len(), 1);
    }
}
