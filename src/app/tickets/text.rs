//! What the bot writes on a ticket, worded by `templates/ticket.hbs` and cut here into plain
//! paragraphs (one a line) with their links: each tracker's adapter turns them into its own
//! format (Markdown, Atlassian Document Format) and escapes them there.

use crate::app::{render, App, AppError, Paragraph, Piece};
use crate::domain::{FreeText, Incident, Severity, ShortText};
use crate::render::{
    TemplateName, TicketAction, TicketBody, TicketClosed, TicketLink, TicketReopened,
    TicketResolved, TicketSeverityChanged, TicketText, TicketTitle, LINK_END, LINK_START,
    LINK_TEXT,
};
use crate::store::{ActionToExport, IncidentRecord};

/// `view` rendered, one paragraph a line.
fn lines(app: &App, view: &TicketText) -> Result<Vec<String>, AppError> {
    let text = render(app, TemplateName::Ticket, view)?;
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect())
}

/// Rendered lines as paragraphs, each link written by a [`TicketLink`] made a link to its
/// address in `links`. A mark with no address left is kept as its words.
pub(super) fn paragraphs(lines: &[String], links: &[String]) -> Vec<Paragraph> {
    lines.iter().map(|line| paragraph(line, links)).collect()
}

fn paragraph(line: &str, links: &[String]) -> Paragraph {
    let mut pieces = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find(LINK_START) {
        let Some((index, after)) = rest[at + LINK_START.len_utf8()..].split_once(LINK_TEXT) else {
            break;
        };
        let (words, tail) = after.split_once(LINK_END).unwrap_or((after, ""));
        push_text(&mut pieces, &rest[..at]);
        match index.parse::<usize>().ok().and_then(|i| links.get(i)) {
            Some(url) => pieces.push(Piece::Link {
                text: words.to_owned(),
                url: url.clone(),
            }),
            None => push_text(&mut pieces, words),
        }
        rest = tail;
    }
    push_text(&mut pieces, rest);
    pieces
}

fn push_text(pieces: &mut Paragraph, text: &str) {
    if !text.is_empty() {
        pieces.push(Piece::Text(text.to_owned()));
    }
}

/// The incident ticket's title.
pub(super) fn title(app: &App, record: &IncidentRecord) -> Result<String, AppError> {
    let view = TicketText {
        title: Some(TicketTitle {
            number: record.number.0,
            title: TicketText::typed(&record.incident.title.to_string()),
        }),
        ..TicketText::default()
    };
    Ok(lines(app, &view)?.join(" "))
}

/// The incident ticket's body: its severity, links to its channel and (when given) its page on
/// the status page, its summary.
pub(super) fn body(
    app: &App,
    record: &IncidentRecord,
    channel: String,
    status: Option<String>,
) -> Result<Vec<Paragraph>, AppError> {
    let i = &record.incident;
    let view = TicketText {
        body: Some(TicketBody {
            number: record.number.0,
            severity: i.severity.to_string(),
            channel_name: TicketText::typed(&crate::app::channel_name(record)),
            channel: TicketLink::to(0),
            status: status.as_ref().map(|_| TicketLink::to(1)),
            summary: i
                .summary
                .as_ref()
                .map(|s| TicketText::typed(&s.to_string())),
        }),
        ..TicketText::default()
    };
    let links: Vec<String> = std::iter::once(channel).chain(status).collect();
    Ok(paragraphs(&lines(app, &view)?, &links))
}

/// The body of an action item's issue.
pub(super) fn action(
    app: &App,
    record: &IncidentRecord,
    action: &ActionToExport,
) -> Result<Vec<Paragraph>, AppError> {
    let view = TicketText {
        action: Some(TicketAction {
            kind: action.kind.map(|k| k.as_str().to_owned()),
            number: record.number.0,
            title: TicketText::typed(&record.incident.title.to_string()),
            text: TicketText::typed(&action.text),
        }),
        ..TicketText::default()
    };
    Ok(paragraphs(&lines(app, &view)?, &[]))
}

/// A severity change.
pub(super) fn severity_changed(
    app: &App,
    from: Severity,
    to: Severity,
    reason: &Option<ShortText>,
) -> Result<Vec<String>, AppError> {
    let view = TicketText {
        severity_changed: Some(TicketSeverityChanged {
            from: from.to_string(),
            to: to.to_string(),
            reason: reason.as_ref().map(|r| TicketText::typed(&r.to_string())),
        }),
        ..TicketText::default()
    };
    lines(app, &view)
}

/// The fix went in.
pub(super) fn resolved(app: &App, root_cause: &FreeText) -> Result<Vec<String>, AppError> {
    let view = TicketText {
        resolved: Some(TicketResolved {
            root_cause: TicketText::typed(&root_cause.to_string()),
        }),
        ..TicketText::default()
    };
    lines(app, &view)
}

/// The close summary.
pub(super) fn closed(app: &App, incident: &Incident) -> Result<Vec<String>, AppError> {
    let typed = |t: &dyn std::fmt::Display| TicketText::typed(&t.to_string());
    let declared = incident.declared_at.format("%Y-%m-%d %H:%M UTC");
    let view = TicketText {
        closed: Some(TicketClosed {
            severity: incident.severity.to_string(),
            declared: crate::render::Markup::raw(declared.to_string()),
            root_cause: incident.root_cause.as_ref().map(|c| typed(c)),
            summary: incident.summary.as_ref().map(|s| typed(s)),
        }),
        ..TicketText::default()
    };
    lines(app, &view)
}

/// A reopen.
pub(super) fn reopened(app: &App, reason: &FreeText) -> Result<Vec<String>, AppError> {
    let view = TicketText {
        reopened: Some(TicketReopened {
            reason: TicketText::typed(&reason.to_string()),
        }),
        ..TicketText::default()
    };
    lines(app, &view)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rendered_link_becomes_a_link_piece_and_an_unknown_one_keeps_its_words() {
        let link = TicketLink::to(0);
        let stray = TicketLink::to(7);
        let line = format!(
            "See {}#inc-1{} and {}that{}.",
            link.open.as_str(),
            link.close.as_str(),
            stray.open.as_str(),
            stray.close.as_str()
        );
        let got = paragraphs(&[line], &["https://discord.com/channels/1/2".into()]);
        assert_eq!(
            got,
            vec![vec![
                Piece::Text("See ".into()),
                Piece::Link {
                    text: "#inc-1".into(),
                    url: "https://discord.com/channels/1/2".into()
                },
                Piece::Text(" and ".into()),
                Piece::Text("that".into()),
                Piece::Text(".".into()),
            ]]
        );
    }

    #[test]
    fn typed_text_cannot_forge_a_link_or_break_a_paragraph() {
        let typed = TicketText::typed("a\u{E002}0\u{E003}x\u{E004}\nb");
        assert_eq!(typed.as_str(), "a0x b");
    }
}
