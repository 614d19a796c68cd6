//! `translations:true` on `/incident update` and `/incident announce`: the typed text in each
//! of the players' other languages, through forms, and the incident's public title per language.
//!
//! A modal holds at most five text fields and must be the command's first answer, so the
//! command opens the first form at once; after each form but the last, an ephemeral
//! **More languages** button opens the next (a modal cannot answer a modal). The first form's
//! first field holds every language's title, one `code: title` line each, filled in with the
//! codes, so titles cost no extra step; the text fields follow, four in the first form, five in
//! the others. The command runs when the last form is sent. The draft between forms is held by
//! `app::hold_draft` in the database for at most 30 minutes, so any replica can take the next
//! form.

use serde::{Deserialize, Serialize};
use serenity::all as serenity;

use super::spec::{Kind, Param};
use crate::app::{self, AppError, Button, ChangeArgs, Gone, Place};
use crate::domain::{
    to_translate, Actor, Command, EtaInput, FreeText, IncidentTitle, Locale, Refusal, Translations,
    Typed,
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

/// The custom id of the first form's titles field.
const TITLES: &str = "titles";

/// What the command will do once the languages are in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
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
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "Stored", into = "Stored")]
pub(super) struct Draft {
    asked: Asked,
    place: Place,
    user: u64,
    locales: Vec<Locale>,
    typed: Vec<(Locale, String)>,
    titles: Vec<(Locale, String)>,
}

/// A draft as the database keeps it: ids as numbers, locales as their codes.
#[derive(Serialize, Deserialize)]
struct Stored {
    asked: Asked,
    channel: u64,
    incident: Option<u32>,
    user: u64,
    locales: Vec<String>,
    typed: Vec<(String, String)>,
    titles: Vec<(String, String)>,
}

impl From<Draft> for Stored {
    fn from(d: Draft) -> Self {
        let codes = |pairs: Vec<(Locale, String)>| {
            pairs
                .into_iter()
                .map(|(l, text)| (l.code().to_owned(), text))
                .collect()
        };
        Self {
            asked: d.asked,
            channel: d.place.channel.get(),
            incident: d.place.incident,
            user: d.user,
            locales: d.locales.iter().map(|l| l.code().to_owned()).collect(),
            typed: codes(d.typed),
            titles: codes(d.titles),
        }
    }
}

impl TryFrom<Stored> for Draft {
    type Error = String;

    fn try_from(s: Stored) -> Result<Self, String> {
        let locale = |code: &str| Locale::parse(code).map_err(|e| e.to_string());
        let pairs = |pairs: Vec<(String, String)>| {
            pairs
                .into_iter()
                .map(|(code, text)| Ok((locale(&code)?, text)))
                .collect::<Result<Vec<_>, String>>()
        };
        Ok(Self {
            asked: s.asked,
            place: Place {
                channel: crate::domain::ChannelId::new(s.channel).ok_or("channel 0")?,
                incident: s.incident,
            },
            user: s.user,
            locales: s
                .locales
                .iter()
                .map(|c| locale(c))
                .collect::<Result<_, _>>()?,
            typed: pairs(s.typed)?,
            titles: pairs(s.titles)?,
        })
    }
}

/// What a person is told of a draft that is not here.
fn refusal(gone: Gone) -> Refusal {
    match gone {
        Gone::Expired => Refusal::TranslationsExpired {
            minutes: app::LIFETIME.num_minutes(),
        },
        Gone::Unknown => Refusal::StaleForm,
    }
}

/// The locales whose text fields step `step` (0-based) holds: the first form leaves one field
/// to the titles.
fn of_step(locales: &[Locale], step: usize) -> &[Locale] {
    let first = FIELDS_PER_FORM - 1;
    let (from, to) = match step {
        0 => (0, first),
        n => (
            first + (n - 1) * FIELDS_PER_FORM,
            first + n * FIELDS_PER_FORM,
        ),
    };
    locales
        .get(from.min(locales.len())..to.min(locales.len()))
        .unwrap_or_default()
}

/// How many forms `n` locales take.
fn steps(n: usize) -> usize {
    1 + n
        .saturating_sub(FIELDS_PER_FORM - 1)
        .div_ceil(FIELDS_PER_FORM)
}

/// The first form's titles field: a line per locale, its code filled in.
fn titles_field(
    templates: &crate::render::Templates,
    locales: &[Locale],
) -> serenity::CreateActionRow {
    let lines: Vec<String> = locales.iter().map(|l| format!("{}: ", l.code())).collect();
    let label = templates.label(&crate::render::Label::TranslatedTitles);
    let input = serenity::CreateInputText::new(serenity::InputTextStyle::Paragraph, label, TITLES)
        .required(false)
        .max_length(4000)
        .value(lines.join("\n"));
    serenity::CreateActionRow::InputText(input)
}

/// The form of step `step` (0-based) of draft `id`: the titles first, then a field per locale.
fn form(
    templates: &crate::render::Templates,
    id: u64,
    step: usize,
    locales: &[Locale],
    english: &str,
) -> serenity::CreateModal {
    let title = templates.label(&crate::render::Label::TranslationsTitle {
        step: step + 1,
        steps: steps(locales.len()),
    });
    let titles = (step == 0).then(|| titles_field(templates, locales));
    let rows = titles
        .into_iter()
        .chain(of_step(locales, step).iter().map(|l| {
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
        }))
        .collect();
    serenity::CreateModal::new(format!("{FORM}:{id}:{step}"), title).components(rows)
}

/// The titles typed as `code: title` lines, for `locales`; blank titles are none.
fn parse_titles(typed: &str, locales: &[Locale]) -> Result<Vec<(Locale, String)>, AppError> {
    let mut out = Vec::new();
    for line in typed.lines().filter(|l| !l.trim().is_empty()) {
        let known = line.split_once(':').and_then(|(code, title)| {
            let l = Locale::parse(code).ok().filter(|l| locales.contains(l))?;
            Some((l, title.trim()))
        });
        let Some((locale, title)) = known else {
            return Err(Refusal::TitleLine {
                typed: Typed(line.to_owned()),
            }
            .into());
        };
        if !title.is_empty() {
            IncidentTitle::parse(title)?;
            out.push((locale, title.to_owned()));
        }
    }
    Ok(out)
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
        titles: Vec::new(),
    };
    app::hold_draft(ask.app(), id, &draft).await?;
    ask.modal(form(&ask.app().templates, id, 0, &locales, &english))
        .await?;
    Ok(true)
}

/// `<draft>:<step>` of a form's or button's custom id.
fn parse(about: &str) -> Option<(u64, usize)> {
    let (id, step) = about.split_once(':')?;
    Some((id.parse().ok()?, step.parse().ok()?))
}

/// The form the **More languages** button `about` opens, if its draft is still held.
pub(in crate::discord) async fn next_form(
    app: &app::App,
    (about, user): (&str, u64),
) -> Result<serenity::CreateModal, AppError> {
    let (id, step) = parse(about).ok_or(Refusal::StaleForm)?;
    let draft: Draft = app::held_draft(app, id).await?.map_err(refusal)?;
    if draft.user != user {
        return Err(Refusal::StaleForm.into());
    }
    let english = match &draft.asked {
        Asked::Update { message, .. } => message.clone(),
        Asked::Announce { .. } => String::new(),
    };
    Ok(form(&app.templates, id, step, &draft.locales, &english))
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
    actor: &Actor,
    about: &str,
    typed: impl Fn(&str) -> String,
) -> Result<Sent, AppError> {
    let (id, step) = parse(about).ok_or(Refusal::StaleForm)?;
    let mut draft: Draft = app::held_draft(app, id).await?.map_err(refusal)?;
    if draft.user != actor.user.get() {
        return Err(Refusal::StaleForm.into());
    }
    if step == 0 {
        draft.titles = parse_titles(&typed(TITLES), &draft.locales)?;
    }
    for l in of_step(&draft.locales, step).to_vec() {
        draft.typed.retain(|(x, _)| *x != l);
        draft.typed.push((l, typed(l.code())));
    }
    if step + 1 < steps(draft.locales.len()) {
        app::keep_draft(app, id, &draft).await?.map_err(refusal)?;
        let answer = crate::render::TranslationsAnswer {
            done: (FIELDS_PER_FORM - 1) + step * FIELDS_PER_FORM,
            total: draft.locales.len(),
        };
        let more = Button {
            custom_id: format!("{MORE}:{id}:{}", step + 1),
            label: app.templates.label(&crate::render::Label::MoreLanguages),
            style: crate::app::ButtonStyle::Primary,
        };
        return Ok(Sent::More(app::answer(app, answer)?, vec![more]));
    }
    let args = args(&draft)?;
    app::release_draft(app, id).await?;
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
    for (l, title) in &draft.titles {
        translations.add_title(*l, title)?;
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
    fn seven_locales_take_two_forms_the_first_with_the_titles_and_four_languages() {
        let locales: Vec<Locale> = ["de", "fr", "es-ES", "pt-BR", "it", "pl", "ja"]
            .iter()
            .map(|c| Locale::parse(c).unwrap())
            .collect();
        let t = crate::render::Templates::load(None).unwrap();
        let first = serde_json::to_value(form(&t, 9, 0, &locales, "Login is back")).unwrap();
        let second = serde_json::to_value(form(&t, 9, 1, &locales, "Login is back")).unwrap();
        assert_eq!(second["title"], "Translations (2 of 2)");
        assert_eq!(first["components"].as_array().unwrap().len(), 5);
        assert_eq!(second["components"].as_array().unwrap().len(), 3);
        let titles = &first["components"][0]["components"][0];
        assert_eq!(titles["custom_id"], "titles");
        assert_eq!(
            titles["value"],
            "de: \nfr: \nes-ES: \npt-BR: \nit: \npl: \nja: "
        );
        assert_eq!(first["components"][1]["components"][0]["custom_id"], "de");
        assert_eq!(second["components"][0]["components"][0]["custom_id"], "it");
        assert_eq!(steps(4), 1);
        assert_eq!(steps(5), 2);
        assert_eq!(steps(9), 2);
        assert_eq!(steps(10), 3);
        assert_eq!(second["custom_id"], "tr:9:1");
        assert_eq!(parse("9:1"), Some((9, 1)));
        let draft = Draft {
            asked: Asked::Announce { eta: None },
            place: Place {
                channel: crate::domain::ChannelId::new(5).unwrap(),
                incident: None,
            },
            user: 1,
            locales: locales.clone(),
            typed: vec![(Locale::parse("de").unwrap(), "Anmeldung".into())],
            titles: parse_titles("de: Anmeldung gestört\nfr: \n", &locales).unwrap(),
        };
        assert_eq!(channel(&draft).get(), 5);
        let args = args(&draft).unwrap();
        assert_eq!(args.translations.len(), 1);
        let de = Locale::parse("de").unwrap();
        assert_eq!(
            args.translations.titles(),
            [(de, "Anmeldung gestört".to_owned())]
        );
        assert!(
            parse_titles("Anmeldung gestört", &locales).is_err(),
            "a line without its code is refused"
        );
        assert!(
            parse_titles("ko: 로그인", &locales).is_err(),
            "not a players' locale"
        );
    }
}
