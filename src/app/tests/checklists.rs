//! Checklists through the use cases: what a phase change posts and in which order, and what a
//! press writes or refuses.

use super::*;
use crate::app::{tick, ButtonStyle, CheckClick};
use crate::domain::{Phase, StepId};

fn click(record: &IncidentRecord, phase: Phase, step: &str) -> CheckClick {
    CheckClick {
        incident: record.id,
        phase,
        step: StepId::parse(step).expect("id"),
    }
}

#[tokio::test]
async fn the_intro_is_followed_by_the_triage_checklist_each_with_its_own_nonce() {
    let w = World::new().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    w.declare(&rhea, Severity::P2, IncidentKind::Availability)
        .await;
    let posts = w.recorded().posts;
    let here: Vec<_> = posts
        .iter()
        .map(|(_, m)| m)
        .filter(|m| m.channel == posts[0].1.channel)
        .collect();
    assert_eq!(here.len(), 2, "{posts:#?}");
    let (intro, checklist) = (here[0], here[1]);
    assert!(intro.content.contains("**Incident #1: Login down**"));
    assert!(intro.buttons.is_empty());
    assert!(checklist
        .content
        .starts_with("**Phase 1: Detection & Triage**"));
    assert_eq!(checklist.buttons.len(), 5);
    assert!(checklist.ping_roles.is_empty(), "a checklist pings nobody");
    assert_eq!(checklist.nonce, format!("{}.1", intro.nonce));
}

#[tokio::test]
async fn a_phase_change_posts_its_line_then_its_checklist_in_one_job() {
    let w = World::new().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    let record = w.declare(&rhea, Severity::P2, IncidentKind::Security).await;
    let before = w.recorded().posts.len();
    let jobs = w.app.db.jobs_of(Some(record.id)).await.expect("jobs").len();
    w.change(
        &rhea,
        &record,
        Command::AdvancePhase {
            to: Phase::Containment,
        }
        .into(),
    )
    .await
    .expect("moved");
    let all = w.app.db.jobs_of(Some(record.id)).await.expect("jobs");
    let kinds: Vec<_> = all[jobs..]
        .iter()
        .map(|j| j.kind.as_str())
        .filter(|k| !k.contains("nudge"))
        .collect();
    assert_eq!(kinds, ["post_in_order"]);
    let posts = w.recorded().posts;
    let new: Vec<_> = posts[before..].iter().map(|(_, m)| m).collect();
    assert_eq!(new.len(), 2);
    assert_eq!(new[0].content, "➡️ Moved to phase 2 by <@5>");
    assert!(new[0].buttons.is_empty());
    assert!(new[1]
        .content
        .contains("⬜ Rotate credentials if compromised"));
    let ids: Vec<_> = new[1]
        .buttons
        .iter()
        .map(|b| b.custom_id.as_str())
        .collect();
    let n = record.id;
    assert_eq!(
        ids,
        [
            format!("check:{n}:containment:isolate"),
            format!("check:{n}:containment:credentials"),
            format!("check:{n}:containment:block-ips"),
            format!("check:{n}:containment:snapshots"),
        ]
    );
    assert!(new[1]
        .buttons
        .iter()
        .all(|b| b.style == ButtonStyle::Secondary));
    assert_eq!(new[1].nonce, format!("{}.1", new[0].nonce));
}

#[tokio::test]
async fn a_press_on_a_step_no_longer_listed_or_a_stale_button_writes_nothing() {
    let w = World::new().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    let record = w
        .declare(&rhea, Severity::P2, IncidentKind::Availability)
        .await;
    let err = tick(&w.app, &rhea, click(&record, Phase::Triage, "gone"))
        .await
        .expect_err("not listed");
    assert!(
        super::said(&err).starts_with("This step is no longer on the checklist"),
        "{err}"
    );
    for stale in [
        "x:triage:alert",
        "1:nine:alert",
        "1:triage:Alert!",
        "1:triage",
    ] {
        let err = CheckClick::parse(stale).expect_err(stale);
        assert!(
            super::said(&err).starts_with("This button no longer does anything"),
            "{err}"
        );
    }
    assert!(w.app.db.ticks(record.id).await.expect("ticks").is_empty());
    let timeline = w.app.db.timeline(record.id).await.expect("timeline");
    assert_eq!(timeline.len(), 1, "only the declaration: {timeline:?}");
}

#[tokio::test]
async fn a_ticked_step_the_severity_no_longer_shows_stays_shown_and_can_be_undone() {
    let w = World::new().await;
    let cole = actor(7, &[RESPONDER_ROLE, COMMANDER_ROLE]);
    let record = w
        .declare(&cole, Severity::P0, IncidentKind::Availability)
        .await;
    let ticked = tick(
        &w.app,
        &cole,
        click(&record, Phase::Resolution, "hotfix-p0"),
    )
    .await
    .expect("ticked");
    assert!(
        ticked
            .content
            .contains("✅ Deploy a hotfix \\(bypass CI for P0\\)"),
        "{}",
        ticked.content
    );
    w.change(
        &cole,
        &record,
        Command::ChangeSeverity {
            to: Severity::P2,
            reason: None,
        }
        .into(),
    )
    .await
    .expect("lowered");
    let undone = tick(
        &w.app,
        &cole,
        click(&record, Phase::Resolution, "hotfix-p0"),
    )
    .await
    .expect("undone");
    assert!(!undone.content.contains("bypass CI"), "{}", undone.content);
    assert!(
        undone.content.contains("⬜ Deploy a hotfix\n"),
        "{}",
        undone.content
    );
    let labels: Vec<_> = undone.buttons.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(
        labels.iter().filter(|l| **l == "Hotfix deployed").count(),
        1
    );
}

#[tokio::test]
async fn a_close_summary_too_long_for_one_message_keeps_the_counts_and_points_to_the_draft() {
    use crate::render::{ChecklistSummary, CloseSummary, Markup, TemplateName};
    let w = World::new().await;
    let long = ChecklistSummary {
        phase: 3,
        entered: true,
        done: 1,
        total: 25,
        done_by: Some(Markup::raw("<@5> (").text_then("Server logs").raw_then(")")),
        skipped: Some(vec!["A rather long label for a step"; 70].join(", ")),
    };
    let render = |checklists, steps_left_out| {
        let view = CloseSummary {
            checklists,
            steps_left_out,
            ..CloseSummary::sample()
        };
        crate::app::render(&w.app, TemplateName::CloseSummary, &view)
    };

    let text = crate::app::checklists::fit_summary(vec![long], render).expect("rendered");

    assert!(
        text.contains(
            "- Phase 3: Investigation: 1 of 25 done\nWho did which step is in the post-mortem \
             draft (`/postmortem draft`).\nTimeline: 3 entries"
        ),
        "{text}"
    );
}
