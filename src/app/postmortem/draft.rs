//! The post-mortem draft: everything recorded, rendered from the plan's template as a Markdown
//! file, by a job ([`super::Effect::PostDraft`]). People are written by the names the guild
//! knows them by when the draft is made, read through the [`super::Chat`] port: a file has no
//! way to show a `<@id>` mention as a name.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{App, AppError, Attachment, Outgoing, Performer};
use crate::domain::{ActionKind, EntryKind, LessonKind, TimelineEntry, UserId};
use crate::render::{
    full_date, human, ActionGroups, ActionLine, Lessons, Markup, PhaseLine, PostmortemDraft,
    TemplateName, TimelineLine,
};
use crate::scheduler::JobError;
use crate::store::{ActionItem, IncidentRecord, Lesson};

/// The draft's file name.
pub(in crate::app) fn filename(record: &IncidentRecord) -> String {
    format!("postmortem-incident-{}.md", record.number)
}

/// What a draft is rendered from, read from the store.
struct Sources {
    pm: Option<crate::store::Postmortem>,
    timeline: Vec<TimelineEntry>,
    actions: Vec<ActionItem>,
    ticks: Vec<crate::domain::Tick>,
    lessons: Vec<Lesson>,
    blocks: Vec<crate::store::WafBlock>,
    /// Each action item's ticket in the tracker, in the order of `actions`.
    tickets: Vec<Option<String>>,
}

impl Sources {
    async fn read(app: &App, record: &IncidentRecord) -> Result<Self, crate::store::Error> {
        let id = record.id;
        Ok(Self {
            pm: app.db.postmortem(id).await?,
            timeline: app.db.timeline(id).await?,
            actions: app.db.actions(id).await?,
            ticks: app.db.ticks(id).await?,
            lessons: app.db.lessons(id).await?,
            blocks: app.db.waf_blocks(id).await?,
            tickets: app.db.action_tickets(id).await?,
        })
    }

    /// Everyone the draft names, once each: who acted on the timeline and who its role
    /// entries mention, the action items' owners, who ticked a step.
    fn people(&self) -> Vec<UserId> {
        let mut people: Vec<UserId> = Vec::new();
        let role_entries = self
            .timeline
            .iter()
            .filter(|e| e.kind == EntryKind::RoleAssigned)
            .flat_map(|e| mentions(&e.text).into_iter().map(|(_, u)| u));
        let all = self
            .timeline
            .iter()
            .filter_map(|e| e.actor)
            .chain(role_entries)
            .chain(self.actions.iter().filter_map(|a| a.owner))
            .chain(self.ticks.iter().map(|t| t.by))
            .chain(self.blocks.iter().map(|b| b.asked.by));
        for user in all {
            if !people.contains(&user) {
                people.push(user);
            }
        }
        people
    }
}

/// The `<@id>` mentions in `text` the bot wrote: each one's byte range and user.
fn mentions(text: &str) -> Vec<(std::ops::Range<usize>, UserId)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(start) = text[from..].find("<@").map(|i| from + i) {
        let digits = &text[start + 2..];
        let len = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(0);
        let end = start + 2 + len;
        match (text[end..].starts_with('>'), digits[..len].parse().ok()) {
            (true, Some(n)) => match UserId::new(n) {
                Some(user) => {
                    found.push((start..end + 1, user));
                    from = end + 1;
                }
                None => from = start + 2,
            },
            _ => from = start + 2,
        }
    }
    found
}

/// People by name: as the guild knows them, or as someone who left it (`gone`, worded by
/// `labels.hbs`).
struct Names {
    known: HashMap<UserId, Option<String>>,
    gone: String,
}

impl Names {
    fn person(&self, user: UserId) -> Markup {
        match self.known.get(&user) {
            Some(Some(name)) => Markup::text(name),
            _ => Markup::raw(self.gone.clone()),
        }
    }

    /// Text the bot built from mentions and its own words (a role entry), each mention
    /// replaced by the person's name.
    fn named(&self, text: &str) -> Markup {
        let mut out = Markup::raw("");
        let mut at = 0;
        for (range, user) in mentions(text) {
            out = out.raw_then(&text[at..range.start]).push(self.person(user));
            at = range.end;
        }
        out.raw_then(&text[at..])
    }
}

/// The draft's text.
fn render(
    app: &App,
    record: &IncidentRecord,
    s: &Sources,
    names: &Names,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let i = &record.incident;
    let pm = s.pm.as_ref();
    let end = i.verified_at.unwrap_or(now);
    let view = PostmortemDraft {
        number: record.number.0,
        title: i.title.to_string(),
        severity: i.severity.to_string(),
        kind: i.kind.to_string(),
        systems: i.systems.display(),
        declared_at: full_date(i.declared_at),
        detected_at: full_date(i.detected_at),
        detected_earlier: i.detected_at < i.declared_at,
        resolved_at: i
            .verified_at
            .map_or_else(|| "not yet resolved".to_owned(), full_date),
        time_to_resolve: human(end - i.detected_at),
        due_at: pm.map_or_else(|| "not required".to_owned(), |p| full_date(p.due_at)),
        meeting_at: pm.and_then(|p| p.meeting_at).map(full_date),
        summary: i.summary.as_ref().map(ToString::to_string),
        users_affected: pm.and_then(|p| p.users_affected),
        downtime: pm
            .and_then(|p| p.downtime_minutes)
            // A row from before the bound may hold any number: never panic on it.
            .map(|m| {
                chrono::TimeDelta::try_minutes(m).map_or_else(|| format!("{m} minutes"), human)
            }),
        revenue: pm.and_then(|p| p.revenue.clone()),
        timeline: s
            .timeline
            .iter()
            .map(|e| TimelineLine {
                at: full_date(e.at),
                actor: e
                    .actor
                    .map_or_else(|| Markup::raw("bot"), |u| names.person(u)),
                text: if e.kind == EntryKind::RoleAssigned {
                    // Built by the domain from mentions and a role's name only.
                    names.named(&e.text)
                } else {
                    Markup::text(&e.text)
                },
            })
            .collect(),
        evidence: evidence_lines(app, record),
        phases: i
            .phases
            .iter()
            .map(|p| PhaseLine {
                phase: p.phase.number(),
                duration: human(p.ended_at.unwrap_or(now) - p.started_at),
            })
            .collect(),
        checklists: super::checklists::reports(app, i, &s.ticks, &|u| names.person(u)),
        root_cause: i.root_cause.as_ref().map(ToString::to_string),
        actions: action_groups(&s.actions, &s.tickets, names),
        lessons: lessons(&s.lessons),
        containment: containment(app, &s.blocks, names),
    };
    super::render(app, TemplateName::Postmortem, &view)
}

/// The WAF blocks, as the draft lists them.
fn containment(
    app: &App,
    blocks: &[crate::store::WafBlock],
    names: &Names,
) -> Vec<crate::render::ContainmentLine> {
    let service = app.waf.as_ref().map_or("the WAF", |w| w.name());
    blocks
        .iter()
        .map(|b| crate::render::ContainmentLine {
            target: b.asked.target.to_string(),
            service: service.to_owned(),
            by: names.person(b.asked.by),
            at: full_date(b.asked.at),
            note: b.asked.note.clone(),
            lifted_at: b.unblocked_at.map(full_date),
            confirmed: b.blocked_at.is_some(),
        })
        .collect()
}

/// The incident's evidence links, as the draft lists them under the timeline.
fn evidence_lines(app: &App, record: &IncidentRecord) -> Vec<crate::render::EvidenceLine> {
    crate::app::incident::evidence::links(app, record)
        .into_iter()
        .map(|l| crate::render::EvidenceLine {
            label: l.label,
            url: Markup::raw(format!("<{}>", l.url)),
        })
        .collect()
}

/// The action items under the plan's three headings.
fn action_groups(items: &[ActionItem], tickets: &[Option<String>], names: &Names) -> ActionGroups {
    let mut groups = ActionGroups::default();
    for (i, a) in items.iter().enumerate() {
        let ticket = tickets.get(i).cloned().flatten();
        let line = ActionLine {
            text: a.text.clone(),
            owner: a.owner.map(|u| names.person(u)),
            // Only an address that parses is printed as one.
            ticket: ticket
                .and_then(|t| url::Url::parse(&t).ok())
                .map(|u| Markup::raw(u.to_string())),
        };
        match a.kind {
            Some(ActionKind::Fix) => groups.fixes.push(line),
            Some(ActionKind::Prevent) => groups.prevent.push(line),
            Some(ActionKind::Process) => groups.process.push(line),
            None => groups.unsorted.push(line),
        }
    }
    groups
}

/// The lessons learned, in their two halves.
fn lessons(items: &[Lesson]) -> Lessons {
    let mut lessons = Lessons::default();
    for l in items {
        match l.kind {
            LessonKind::WentWell => lessons.went_well.push(l.text.clone()),
            LessonKind::WentBadly => lessons.went_badly.push(l.text.clone()),
        }
    }
    lessons
}

impl Performer {
    /// Performs [`super::Effect::PostDraft`]: renders the draft as it stands, names read
    /// through the port, and posts it as a file in the incident channel.
    pub(in crate::app) async fn post_draft(&self, job: &crate::store::Job) -> Result<(), JobError> {
        let record = self.incident(job).await?;
        let channel = self.channel_of(&record).await?;
        let sources = Sources::read(&self.app, &record).await?;
        let mut names = HashMap::new();
        for user in sources.people() {
            let member = self.chat.member(user).await?;
            names.insert(user, member.map(|m| m.name));
        }
        let text = render(
            &self.app,
            &record,
            &sources,
            &Names {
                known: names,
                gone: self
                    .app
                    .templates
                    .label(&crate::render::Label::FormerMember),
            },
            self.app.clock.now(),
        )
        .map_err(|e| JobError::Fatal(e.into()))?;
        let posted = crate::render::Notice {
            draft_posted: Some(record.number.0),
            ..crate::render::Notice::default()
        };
        let content = self
            .app
            .templates
            .render(TemplateName::Notice, &posted)
            .map_err(|e| JobError::Fatal(e.into()))?;
        let message = Outgoing {
            channel,
            content,
            ping_roles: vec![],
            ping_users: vec![],
            nonce: job.id.0.to_string(),
            attachment: Some(Attachment {
                filename: filename(&record),
                bytes: text.into_bytes(),
            }),
            buttons: vec![],
            menu: None,
        };
        self.chat.post(&message).await?;
        self.post_timeline_chart(job, &record, channel, 1).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(n: u64) -> UserId {
        UserId::new(n).expect("non-zero")
    }

    #[test]
    fn mentions_the_bot_wrote_are_found_and_anything_else_is_left_alone() {
        let text = "<@5> is now incident commander, taking over from <@7>";
        let found = mentions(text);
        assert_eq!(
            found,
            vec![(0..4, user(5)), (text.len() - 4..text.len(), user(7))]
        );
        assert!(mentions("<@> <@0> <@&3> <@12 x").is_empty());
    }

    #[test]
    fn a_role_entry_reads_with_names_and_someone_who_left_is_said_so() {
        let templates = crate::render::Templates::load(None).expect("the templates load");
        let names = Names {
            known: HashMap::from([
                (user(5), Some("rhea *the* great".to_owned())),
                (user(7), None),
            ]),
            gone: templates.label(&crate::render::Label::FormerMember),
        };
        let line = names.named("<@5> is now incident commander, taking over from <@7>");
        assert!(!line.as_str().contains("<@"), "{}", line.as_str());
        assert_eq!(
            names.person(user(9)).as_str(),
            "someone no longer in the server"
        );
    }
}
