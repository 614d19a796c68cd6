//! Render tests: one per template, on the text people will read.

use super::*;

fn templates() -> Templates {
    Templates::load(None).expect("built-in templates load")
}

/// The checklists the bot ships, from the embedded `config/default.toml`.
fn shipped_checklists() -> crate::domain::Checklists {
    use figment::providers::{Format, Toml};
    figment::Figment::from(Toml::string(crate::config::DEFAULT_TOML))
        .extract_inner("checklists")
        .expect("the shipped checklists read")
}

fn declare(
    title: &str,
    severity: crate::domain::Severity,
    kind: crate::domain::IncidentKind,
    at: chrono::DateTime<chrono::Utc>,
) -> crate::domain::Incident {
    use crate::domain::*;
    let d = Declaration {
        title: IncidentTitle::parse(title).expect("title"),
        severity,
        kind,
        systems: Systems::parse("Login").expect("systems"),
        summary: None,
        declared_by: UserId::new(9).expect("user"),
        eta: None,
        detected_at: None,
    };
    Incident::declare(d, at).0
}

#[test]
fn the_service_alert_is_the_plans_text_word_for_word() {
    let view = ServiceAlert {
        ping: None,
        system: "Login".into(),
        eta: Markup::text("30 minutes"),
        status_url: "https://status.loh.game".into(),
    };
    let text = templates()
        .render(TemplateName::ServiceAlert, &view)
        .expect("render");
    assert_eq!(
        text,
        "🚨 Service Alert 🚨\n\
         We are currently experiencing technical difficulties with Login.\n\
         Our team is actively investigating and working on a fix.\n\
         ETA: 30 minutes\n\
         We apologize for the inconvenience.\n\
         Status updates: <https://status.loh.game>"
    );
}

#[test]
fn the_service_alert_puts_the_player_ping_first() {
    let view = ServiceAlert {
        ping: Some(Markup::raw("<@&77>")),
        ..ServiceAlert::sample()
    };
    let text = templates()
        .render(TemplateName::ServiceAlert, &view)
        .expect("render");
    assert!(text.starts_with("<@&77>\n🚨 Service Alert 🚨"), "{text}");
}

#[test]
fn the_all_clear_is_the_plans_text_with_the_root_cause() {
    let view = AllClear {
        system: "Login".into(),
        root_cause: "An expired certificate".into(),
        compensation: None,
    };
    let text = templates()
        .render(TemplateName::AllClear, &view)
        .expect("render");
    assert_eq!(
        text,
        "✅ All Clear\nThe issue with Login has been resolved.\nRoot cause: An expired certificate\nThank you for your patience!"
    );
    let with = AllClear {
        compensation: Some("3 free days".into()),
        ..view
    };
    let text = templates()
        .render(TemplateName::AllClear, &with)
        .expect("render");
    assert!(
        text.contains("Compensation: 3 free days\nThank you"),
        "{text}"
    );
}

#[test]
fn user_text_is_defanged_in_every_message() {
    let view = StatusUpdate {
        system: "@everyone **bold** <@&1>".into(),
        message: "ping @here <@2> <#3>".into(),
        eta: None,
        status_url: "https://status.loh.game".into(),
    };
    let text = templates()
        .render(TemplateName::StatusUpdate, &view)
        .expect("render");
    assert!(
        text.contains("@\u{200B}everyone \\*\\*bold\\*\\* \\<@&1>"),
        "{text}"
    );
    assert!(text.contains("@\u{200B}here \\<@2> \\<#3>"), "{text}");
    assert!(
        !text.contains("@everyone") && !text.contains("@here"),
        "{text}"
    );
    let unescaped_angle = text
        .match_indices('<')
        .any(|(i, _)| !text[..i].ends_with('\\') && !text[i..].starts_with("<https://"));
    assert!(!unescaped_angle, "a mention survived: {text}");
}

#[test]
fn the_status_update_shows_the_eta_only_when_given() {
    let text = templates()
        .render(TemplateName::StatusUpdate, &StatusUpdate::sample())
        .expect("render");
    assert_eq!(text, "📣 Status update on Login\nRolling back\nETA: <t:600:t> (<t:600:R>)\nStatus updates: <https://status.example>");
    let without = templates()
        .render(
            TemplateName::StatusUpdate,
            &StatusUpdate {
                eta: None,
                ..StatusUpdate::sample()
            },
        )
        .expect("render");
    assert_eq!(
        without,
        "📣 Status update on Login\nRolling back\nStatus updates: <https://status.example>"
    );
}

#[test]
fn an_eta_is_a_time_tag_players_read_in_their_zone_or_the_words_escaped() {
    use crate::domain::{Eta, ShortText};
    use chrono::TimeZone;
    let at = chrono::Utc
        .with_ymd_and_hms(2026, 11, 30, 9, 45, 0)
        .single()
        .expect("valid");
    let ts = at.timestamp();
    assert_eq!(
        eta(&Eta::At(at)).as_str(),
        format!("<t:{ts}:t> (<t:{ts}:R>)")
    );
    let words = Eta::Text(ShortText::parse("after **the** patch <@&1>").expect("text"));
    let view = ServiceAlert {
        eta: eta(&words),
        ..ServiceAlert::sample()
    };
    let text = templates()
        .render(TemplateName::ServiceAlert, &view)
        .expect("render");
    assert!(
        text.contains("ETA: after \\*\\*the\\*\\* patch \\<@&1>\n"),
        "{text}"
    );
}

#[test]
fn corrected_facts_read_before_and_after_with_typed_text_escaped() {
    let view = FactsChanged {
        by: Markup::raw("<@1>"),
        changes: vec![
            FactChange {
                what: "Title".into(),
                before: Some(Markup::text("Login down")),
                after: Some(Markup::text("Login *and* shop <@&1>")),
            },
            FactChange {
                what: "Detected".into(),
                before: Some(Markup::raw("<t:0:f>")),
                after: Some(Markup::raw("<t:60:f>")),
            },
        ],
        renamed_to: None,
        deadlines_from: None,
    };
    let text = templates()
        .render(TemplateName::FactsChanged, &view)
        .expect("render");
    assert_eq!(
        text,
        "✏️ **Facts corrected by <@1>**\n\
         Title: Login down → Login \\*and\\* shop \\<@&1>\n\
         Detected: <t:0:f> → <t:60:f>"
    );
    let sample = templates()
        .render(TemplateName::FactsChanged, &FactsChanged::sample())
        .expect("render");
    assert!(
        sample.ends_with(
            "Detected: <t:0:f> → <t:60:f>\nThis channel is renamed \\#inc-1-login-and-shop-down \
             to match. Phase deadlines now count from <t:60:f>."
        ),
        "{sample}"
    );
}

#[test]
fn the_intro_shows_severity_and_roles_and_leaves_the_checklist_to_its_own_message() {
    use crate::domain::*;
    use chrono::{TimeZone, Utc};
    let at = Utc
        .with_ymd_and_hms(2026, 11, 26, 12, 0, 0)
        .single()
        .expect("valid");
    let incident = declare("Login *down*", Severity::P0, IncidentKind::Availability, at);
    let view = Intro::new(IncidentNumber(4), &incident, Some(Markup::raw("<@&5>")));
    let text = templates()
        .render(TemplateName::Intro, &view)
        .expect("render");
    assert!(
        text.starts_with("<@&5>\n**Incident #4: Login \\*down\\***"),
        "{text}"
    );
    assert!(
        text.contains("Severity: **P0** (critical, all hands)"),
        "{text}"
    );
    assert!(text.contains("Incident commander: unassigned"), "{text}");
    assert!(text.ends_with("Scribe: unassigned"), "{text}");
}

#[test]
fn the_checklist_uses_the_security_variant_for_security_incidents() {
    use crate::domain::*;
    use chrono::{TimeZone, Utc};
    let at = Utc
        .with_ymd_and_hms(2026, 11, 26, 12, 0, 0)
        .single()
        .expect("valid");
    let incident = declare("Credential leak", Severity::P1, IncidentKind::Security, at);
    let lists = shipped_checklists();
    let shown = steps(
        &lists,
        Phase::Containment,
        incident.kind,
        incident.severity,
        &[],
    );
    let view = Checklist::new(
        &incident,
        Phase::Containment,
        &PhaseBudgets::default(),
        &shown,
    );
    let text = templates()
        .render(TemplateName::Checklist, &view)
        .expect("render");
    let due = (at + chrono::TimeDelta::minutes(30)).timestamp();
    assert_eq!(
        text,
        format!(
            "**Phase 2: Containment**, due <t:{due}:f> (<t:{due}:R>)\n\
             ⬜ Isolate affected systems \\(take offline if necessary\\)\n\
             ⬜ Rotate credentials if compromised\n\
             ⬜ Block malicious IPs via WAF\n\
             ⬜ Take database snapshots before changes"
        )
    );
}

#[test]
fn the_resolution_checklist_groups_its_steps_shows_ticks_and_bypasses_ci_only_on_a_p0() {
    use crate::domain::*;
    use chrono::{TimeZone, Utc};
    let at = Utc
        .with_ymd_and_hms(2026, 11, 26, 12, 0, 0)
        .single()
        .expect("valid");
    let lists = shipped_checklists();
    let tick = Tick {
        phase: Phase::Resolution,
        step: StepId::parse("rollback").expect("id"),
        text: "Roll back if a recent deployment caused the issue".into(),
        by: UserId::new(7).expect("user"),
        at,
    };
    let render = |severity| {
        let incident = declare("Login down", severity, IncidentKind::Availability, at);
        let shown = steps(
            &lists,
            Phase::Resolution,
            incident.kind,
            severity,
            std::slice::from_ref(&tick),
        );
        let view = Checklist::new(
            &incident,
            Phase::Resolution,
            &PhaseBudgets::default(),
            &shown,
        );
        templates()
            .render(TemplateName::Checklist, &view)
            .expect("render")
    };
    let due = (at + chrono::TimeDelta::hours(8)).timestamp();
    let when = at.timestamp();
    assert_eq!(
        render(Severity::P0),
        format!(
            "**Phase 4: Resolution**, due <t:{due}:f> (<t:{due}:R>)\n\
             __Apply the fix__\n\
             ⬜ Deploy a hotfix \\(bypass CI for P0\\)\n\
             ✅ Roll back if a recent deployment caused the issue (<@7>, <t:{when}:f>)\n\
             ⬜ Restore from backup if data is corrupted\n\
             __Verify the fix__\n\
             ⬜ Run smoke tests\n\
             ⬜ Monitor error rates for 1 hour\n\
             ⬜ Confirm user reports are resolved"
        )
    );
    let p1 = render(Severity::P1);
    assert!(p1.contains("⬜ Deploy a hotfix\n"), "{p1}");
    assert!(!p1.contains("bypass CI"), "{p1}");
}

#[test]
fn the_close_summary_lists_phase_durations_and_timeline_length() {
    let text = templates()
        .render(TemplateName::CloseSummary, &CloseSummary::sample())
        .expect("render");
    assert!(text.contains("- Phase 1: Detection & Triage: 5m"), "{text}");
    assert!(
        text.contains(
            "**Checklists**\n- Phase 2: Containment: 1 of 3 done by <@1> (Traffic \
             redirected) · skipped: Maintenance mode on, Resources scaled up\n\
             Who did which step is in the post-mortem draft (`/postmortem draft`).\n\
             Timeline: 3 entries"
        ),
        "{text}"
    );
}

#[test]
fn the_status_counts_each_phases_ticked_steps() {
    let text = templates()
        .render(TemplateName::Status, &StatusView::sample())
        .expect("render");
    assert!(text.ends_with("\nChecklists: Containment 1/3"), "{text}");
}

#[test]
fn every_built_in_template_keeps_the_rules_an_override_must() {
    // Overrides are refused when they print a value raw or include in a loop; the built-in
    // templates they are copied from keep the same rules.
    for t in TemplateName::ALL {
        let mut registry = handlebars::Handlebars::new();
        registry
            .register_template_string(t.name(), t.builtin())
            .expect("parses");
        let parsed = registry.get_template(t.name()).expect("registered");
        assert!(
            refuse_unescaped(t.name(), parsed).is_empty(),
            "{} prints a value raw",
            t.name()
        );
        let loops = include_loops(&[(t.name(), t.name().to_owned(), parsed)]);
        assert!(
            loops.problems.is_empty(),
            "{}: {:?}",
            t.name(),
            loops.problems
        );
    }
}

#[test]
fn a_template_with_a_block_per_kind_is_proved_and_previewed_one_kind_at_a_time() {
    let templates = templates();
    let reminders = templates
        .render_samples(TemplateName::Reminder)
        .expect("render");
    assert_eq!(reminders.len(), 8, "{reminders:#?}");
    assert!(reminders.iter().all(|r| r.matches("⏰").count() == 1));
    let notices = templates
        .render_samples(TemplateName::Notice)
        .expect("render");
    assert_eq!(notices.len(), 30, "{notices:#?}");
    assert!(notices
        .iter()
        .all(|n| n.starts_with("<@&1> ") && n.len() > 20));
}

#[test]
fn an_answer_is_previewed_one_kind_at_a_time_each_one_sentence_or_more() {
    let answers = templates()
        .render_samples(TemplateName::Answer)
        .expect("render");
    assert_eq!(answers.len(), 26, "{answers:#?}");
    assert!(answers
        .iter()
        .all(|a| a.ends_with('.') && !a.contains('\n')));
}

#[test]
fn an_answer_says_what_changed_with_the_bots_markup_as_built() {
    let render = |view: Answer| {
        templates()
            .render(TemplateName::Answer, &view)
            .expect("render")
    };
    let update = |refused, published| {
        render(Answer::from(UpdateAnswer {
            players: Some(ToPlayers {
                channel: Markup::raw("<#2>"),
                budget: 8,
                published,
                refused,
            }),
        }))
    };
    assert_eq!(
        update(Some(PublishRefused { frees: None }), None),
        "Update posted here and to <#2>, but **not published**: the 8 publishes an hour that \
         <#2> allows are taken. Players in this server see it; servers following the channel \
         do not."
    );
    assert_eq!(
        update(None, Some(Published { left: 0 })),
        "Update posted here and to <#2>, and published: 0 of 8 publishes left this hour."
    );
    assert_eq!(update(None, None), "Update posted here and to <#2>.");
    let security = |withdrawn, member| {
        render(Answer::from(SecurityAnswer {
            number: 4,
            role: Markup::raw("<@&5>"),
            name: "sec-4".into(),
            withdrawn,
            member,
        }))
    };
    assert_eq!(
        security(0, true),
        "Incident #4 is now a security incident: its channel becomes private to <@&5> and is \
         renamed #sec-4; nothing more goes to players."
    );
    assert!(security(1, false).ends_with(
        "players. The announcement still waiting to go out was withdrawn. You will not see the \
         channel any more without the <@&5> role."
    ));
    assert!(
        security(3, true).ends_with(" The 3 announcements still waiting to go out were withdrawn.")
    );
    let fix = render(Answer::from(FixRecordedAnswer {
        until: Markup::raw("<t:0:f>"),
        commander: None,
    }));
    assert!(fix.starts_with("Fix recorded. Verifying until <t:0:f>: then I ask the on-call"));
    let declared = |more: DeclareAnswer| render(Answer::from(more));
    let new = || DeclareAnswer::new(4, crate::domain::Severity::P1);
    assert_eq!(
        declared(DeclareAnswer {
            from_report: Some(Markup::raw("<#7>")),
            ..new()
        }),
        "Incident #4 declared (P1) from the report, detected when it was posted. Its channel \
         opens under <#7> in a moment."
    );
    assert_eq!(
        declared(DeclareAnswer {
            failed: Some(Markup::raw("Missing Access (50001)")),
            ..new()
        }),
        "Incident #4 declared (P1). But I could not open its channel: Missing Access (50001). \
         Fix the permission or make room, then declare again."
    );
}

#[test]
fn a_reminder_pings_then_says_what_and_the_next_step() {
    let view = Reminder {
        ping: Some(Markup::raw("<@&1>")),
        escalate: Reminder::sample().escalate,
        ..Reminder::default()
    };
    let text = templates()
        .render(TemplateName::Reminder, &view)
        .expect("render");
    assert_eq!(
        text,
        "<@&1> ⏰ **Nobody has taken command of this P0 incident after 10m**\n\
         An incident without a commander drifts.\n\
         Next step: take it with `/incident assign role:commander`"
    );
}

#[test]
fn a_reminder_nobody_holds_says_who_gets_it_and_escapes_typed_text() {
    let view = Reminder {
        nobody: Some(NobodyHolds {
            role: "commander",
            paged: false,
        }),
        postmortem_due: Some(PostmortemDueReminder {
            number: 3,
            due_at: Markup::raw("<t:0:f>"),
            reason: "<@&9> **Login** recurred".into(),
        }),
        ..Reminder::default()
    };
    let text = templates()
        .render(TemplateName::Reminder, &view)
        .expect("render");
    assert_eq!(
        text,
        "⏰ **The post-mortem of incident #3 is due <t:0:f>**\n\
         \\<@&9> \\*\\*Login\\*\\* recurred. Nobody is commander of this incident, \
         and no role is paged for its severity.\n\
         Next step: draft it with `/postmortem draft`"
    );
}

#[test]
fn what_came_back_in_the_window_names_its_source_and_escapes_what_fired() {
    let said = |came_back: CameBackReminder| {
        let view = Reminder {
            ping: Some(Markup::raw("<@5>")),
            came_back: Some(came_back),
            ..Reminder::default()
        };
        templates()
            .render(TemplateName::Reminder, &view)
            .expect("render")
    };
    let alert = CameBackReminder {
        players: false,
        report: None,
        title: "<@&9> Login *5xx* high".into(),
        ..CameBackReminder::sample()
    };
    assert_eq!(
        said(alert),
        "<@5> ⏰ **Alertmanager fired again for Login while the fix is verified**\n\
         “\\<@&9> Login \\*5xx\\* high”, since <t:0:R>. The fix went in 12m ago: it may not \
         have held.\n\
         Next step: if it did not hold, press It did not hold to go back to phase 4; if it is \
         something else, say so in this channel"
    );
    let players = CameBackReminder {
        alert: None,
        report: None,
        title: "Players report Login".into(),
        ..CameBackReminder::sample()
    };
    assert!(said(players)
        .starts_with("<@5> ⏰ **Players report it again for Login while the fix is verified**"));
    let report = CameBackReminder {
        alert: None,
        players: false,
        system: None,
        ..CameBackReminder::sample()
    };
    assert!(said(report).starts_with(
        "<@5> ⏰ **A player's report was declared as incident #2 while the fix is verified**"
    ));
}

#[test]
fn the_postmortem_draft_has_every_section_of_the_plan() {
    let text = templates()
        .render(TemplateName::Postmortem, &PostmortemDraft::sample())
        .expect("render");
    for section in [
        "## Incident summary",
        "## Timeline",
        "## Root cause: 5 whys",
        "## Impact assessment",
        "## Action items",
        "## Lessons learned",
    ] {
        assert!(text.contains(section), "missing {section}");
    }
    assert!(text.contains("- Users affected: 1200"), "{text}");
    assert!(text.contains("- [ ] Add a canary (owner: <@2>)"), "{text}");
    assert!(
        text.contains(
            "Checklist steps:\n- Phase 2: Containment: 1 of 2 done\n  \
             - [x] Redirect traffic to backup servers: <@1>, 2026-11-26 12:10 UTC\n  \
             - [ ] Enable maintenance mode if needed (skipped)\n"
        ),
        "{text}"
    );
}

#[test]
fn the_draft_sorts_action_items_under_the_plans_headings_and_fills_lessons_learned() {
    let text = templates()
        .render(TemplateName::Postmortem, &PostmortemDraft::sample())
        .expect("render");
    let actions = &text[text.find("## Action items").expect("actions")..];
    let want = "## Action items\n\n\
        Immediate fixes (done):\n\
        - [x] Renewed the certificate (by <@2>)\n\n\
        Preventive measures (TODO):\n\
        - [ ] Alert 14 days before certificates expire (owner: <@2>) → https://github.com/studio/incidents/issues/43\n\n\
        Process improvements (TODO):\n\
        - [ ] Add certificate expiry to the on-call checklist (owner: <@2>) → https://github.com/studio/incidents/issues/43\n\n\
        Not sorted (added before the three groups existed):\n\
        - [ ] Add a canary (owner: <@2>)\n\n\
        ## Lessons learned\n\n\
        What went well:\n\
        - The rollback took two minutes\n\n\
        What didn't:\n\
        - Nobody owned the certificate";
    assert_eq!(actions, want);
    let empty = PostmortemDraft {
        actions: ActionGroups::default(),
        lessons: Lessons::default(),
        ..PostmortemDraft::sample()
    };
    let text = templates()
        .render(TemplateName::Postmortem, &empty)
        .expect("render");
    assert!(
        text.contains(
            "Preventive measures (TODO):\n- _(none yet: `/postmortem action kind:prevent`)_\n"
        ),
        "{text}"
    );
    assert!(!text.contains("Not sorted"), "{text}");
    assert!(
        text.contains("What didn't:\n- _(`/postmortem lesson kind:went_badly`)_"),
        "{text}"
    );
}

#[test]
fn the_meeting_notice_pings_first_and_says_where_and_why_late() {
    let text = templates()
        .render(TemplateName::Meeting, &MeetingNotice::sample())
        .expect("render");
    assert_eq!(
        text,
        "<@1> <@&2>\n📅 **Post-mortem review meeting: <t:1764255600:F> (<t:1764255600:R>)**\n\
         The event is in <#3>: https://discord.com/events/4/5: mark yourself Interested to be \
         reminded when it starts.\n\
         ⚠️ After the post-mortem's deadline, <t:1764255600:F>: allowed by <@1>.\n\
         Before it, fill the draft: `/postmortem action`, `/postmortem lesson`, `/postmortem impact`."
    );
    let none = MeetingNotice {
        ping: None,
        moved: true,
        event: None,
        no_event: Some(NoEvent::ChannelUnset),
        late: None,
        ..MeetingNotice::sample()
    };
    let text = templates()
        .render(TemplateName::Meeting, &none)
        .expect("render");
    assert!(
        text.starts_with("📅 **Post-mortem review meeting moved to <t:"),
        "{text}"
    );
    assert!(
        text.contains(
            "\nNo Discord event: `[postmortem] meeting_channel` is not set; ask whoever runs the \
             bot to name a voice channel players cannot view.\n"
        ),
        "{text}"
    );
}

#[test]
fn why_a_meeting_has_no_event_is_one_clause_for_each_reason() {
    let t = templates();
    let texts = t.render_samples(TemplateName::NoEvent).expect("render");
    assert_eq!(texts.len(), NoEvent::samples().len());
    for text in &texts {
        assert!(text.len() > 12 && !text.ends_with('.'), "{text:?}");
    }
    let public = NoEvent::Public {
        channel: channel_link(crate::domain::ChannelId::new(3).expect("id")),
    };
    assert_eq!(
        t.render(TemplateName::NoEvent, &public).expect("render"),
        "players can see <#3> and so any event in it: deny View Channel to @everyone there"
    );
}

#[test]
fn messages_are_capped_at_discords_limit() {
    let view = StatusUpdate {
        message: "x".repeat(5000),
        ..StatusUpdate::sample()
    };
    let text = templates()
        .render(TemplateName::StatusUpdate, &view)
        .expect("render");
    assert_eq!(text.chars().count(), MESSAGE_LIMIT);
    assert!(text.ends_with('…'));
}

#[test]
fn an_override_folder_replaces_a_template_and_a_broken_one_names_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("all_clear.hbs"), "Fixed: {{system}}").expect("write");
    let t = Templates::load(Some(dir.path())).expect("override loads");
    assert_eq!(
        t.render(TemplateName::AllClear, &AllClear::sample())
            .expect("render"),
        "Fixed: Login"
    );

    std::fs::write(
        dir.path().join("intro.hbs"),
        "line one\n{{#if title}}\nunclosed",
    )
    .expect("write");
    std::fs::write(dir.path().join("alert.hbs"), "x").expect("write");
    std::fs::write(dir.path().join("reminder.hbs"), "{{no_such_field}}").expect("write");
    let problems = Templates::load(Some(dir.path())).expect_err("broken");
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 3, "{text:?}");
    assert!(
        text.iter()
            .any(|p| p.contains("intro.hbs:") && problems.iter().any(|p| p.line.is_some())),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|p| p.contains("alert.hbs") && p.contains("service_alert")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|p| p.contains("reminder.hbs") && p.contains("no_such_field")),
        "{text:?}"
    );
}

#[test]
fn a_notice_pings_first_and_escapes_its_body() {
    let view = Notice {
        ping: Some(Markup::raw("<@&1>")),
        ..Notice::from(SeverityChanged {
            raised: true,
            from: "P2".into(),
            to: "P0".into(),
            by: Markup::raw("<@1>"),
            reason: Some("**all** regions <@&9> [status](https://evil.example)".into()),
        })
    };
    let text = templates()
        .render(TemplateName::Notice, &view)
        .expect("render");
    assert_eq!(
        text,
        "<@&1> ⬆️ **Severity raised from P2 to P0 by <@1>**\n\\*\\*all\\*\\* regions \\<@&9> \\[status\\]\\(<https://evil.example>\\)"
    );
}

#[test]
fn user_text_inside_a_bot_headline_is_escaped_and_the_bot_markup_is_not() {
    // System names typed at declare reach the post-mortem notice's headline.
    let view = Notice::from(PostmortemDecided {
        due_at: None,
        reason: "no earlier P0/P1 on [status](https://evil.example), <@&9>".into(),
    });
    let text = templates()
        .render(TemplateName::Notice, &view)
        .expect("render");
    assert_eq!(
        text,
        "📝 **No post-mortem required: no earlier P0/P1 on \\[status\\]\\(<https://evil.example>\\), \\<@&9>**"
    );
}

#[test]
fn a_security_notice_counts_the_announcements_it_withdrew() {
    let secured = |withdrawn| {
        let view = Notice::from(NowSecurity {
            by: Markup::raw("<@1>"),
            name: "sec-4".into(),
            withdrawn,
        });
        templates()
            .render(TemplateName::Notice, &view)
            .expect("render")
    };
    assert!(secured(0).ends_with("gets no all-clear."), "{}", secured(0));
    assert!(secured(1).ends_with(" The announcement still waiting to go out was withdrawn."));
    assert!(secured(3).ends_with(" The 3 announcements still waiting to go out were withdrawn."));
}

#[test]
fn an_override_printing_bot_markup_with_triple_braces_is_refused_at_load() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("notice.hbs"), "{{{ping}}}\n").expect("write");
    let problems = Templates::load(Some(dir.path())).expect_err("refused");
    assert!(
        problems
            .iter()
            .any(|p| p.file.ends_with("notice.hbs") && p.reason.contains("{{{ }}}")),
        "{problems:?}"
    );
}

#[test]
fn the_status_shows_phase_time_against_its_budget() {
    let text = templates()
        .render(TemplateName::Status, &StatusView::sample())
        .expect("render");
    assert!(
        text.contains("Phase 2: Containment, for 12m (budget 30m from detection, **over by 2m**)"),
        "{text}"
    );
    assert!(
        text.contains("Last update: Rolling back (<t:0:R>)"),
        "{text}"
    );
    assert!(
        text.contains("Detected <t:0:f> · ETA: <t:600:t> (<t:600:R>)\n"),
        "{text}"
    );
    let without = templates()
        .render(
            TemplateName::Status,
            &StatusView {
                eta: None,
                ..StatusView::sample()
            },
        )
        .expect("render");
    assert!(without.contains("· ETA: none given\n"), "{without}");
}

#[test]
fn the_incident_list_links_each_channel_or_says_there_are_none() {
    let text = templates()
        .render(TemplateName::IncidentList, &IncidentList::sample())
        .expect("render");
    assert!(
        text.contains("- <#1> #1 **P0** Login down: phase 2, open"),
        "{text}"
    );
    let none = templates()
        .render(
            TemplateName::IncidentList,
            &IncidentList { incidents: vec![] },
        )
        .expect("render");
    assert_eq!(none, "No open incidents.");
}

#[test]
fn an_alert_card_shows_what_fired_escaped_and_the_answers_left() {
    let open = AlertCardView {
        resolved: false,
        title: "HighErrorRate: **5xx** on <@&1>".into(),
        source: "Alertmanager".into(),
        system: None,
        since: Markup::raw("<t:0:f> (<t:0:R>)"),
        count: 1,
        once: true,
        firing: 1,
        last_seen: Markup::raw("<t:60:R>"),
        resolved_at: None,
        link: Some(Markup::raw("<https://prometheus.example/graph>")),
        incident: None,
        dismissed_by: None,
        dismissed_why: None,
        attachable: true,
    };
    let text = templates()
        .render(TemplateName::AlertCard, &open)
        .expect("render");
    assert_eq!(
        text,
        "🔔 **Alert:** HighErrorRate: \\*\\*5xx\\*\\* on \\<@&1> (Alertmanager)\n\
         **System:** not mapped (see `[intake.systems]`)\n\
         **Since:** <t:0:f> (<t:0:R>)\n\
         **Seen:** 1 time, 1 firing now, last <t:60:R>\n\
         **Source:** <https://prometheus.example/graph>\n\
         Declare it, attach it to an incident being worked, or say it is not real."
    );
    let dismissed = AlertCardView {
        resolved: true,
        system: Some("Login".into()),
        count: 3,
        once: false,
        firing: 0,
        resolved_at: Some(Markup::raw("<t:120:f>")),
        link: None,
        dismissed_by: Some(Markup::raw("<@7>")),
        dismissed_why: Some("a _load_ test".into()),
        attachable: false,
        ..open
    };
    let text = templates()
        .render(TemplateName::AlertCard, &dismissed)
        .expect("render");
    assert_eq!(
        text,
        "✅ **Alert resolved:** HighErrorRate: \\*\\*5xx\\*\\* on \\<@&1> (Alertmanager)\n\
         **System:** Login\n\
         **Since:** <t:0:f> (<t:0:R>)\n\
         **Seen:** 3 times, 0 firing now, last <t:60:R>\n\
         **Resolved:** <t:120:f>\n\
         **Not real**, said <@7>: a \\_load\\_ test"
    );
}

#[test]
fn an_actions_result_quotes_what_came_back_in_a_code_span_and_a_failure_says_its_status() {
    let finished = |ok: bool, status: Option<u16>, snippet: &str| ActionNotice {
        finished: Some(ActionFinished {
            ok,
            label: "Snapshot **the** database".into(),
            by: Markup::raw("<@1>"),
            status,
            duration: "0.4s".into(),
            ticked: ok.then(|| "Take database snapshots before changes".to_owned()),
            snippet: Some(code_span(snippet)),
            why: None,
        }),
        ..ActionNotice::default()
    };
    let t = templates();
    let ok = t
        .render(
            TemplateName::Action,
            &finished(true, Some(202), r#"{"id": 7}"#),
        )
        .expect("render");
    assert_eq!(
        ok,
        "✅ **“Snapshot \\*\\*the\\*\\* database” ran**, asked by <@1>: HTTP 202 after 0.4s, step \
         “Take database snapshots before changes” ticked.\nIt answered: `{\"id\": 7}`"
    );
    let hostile = "boom `@everyone` [x](https://evil.example)";
    let failed = t
        .render(TemplateName::Action, &finished(false, Some(500), hostile))
        .expect("render");
    assert!(failed.starts_with("❌ **“Snapshot \\*\\*the\\*\\* database” failed**, asked by <@1>: HTTP 500 after 0.4s.\n"), "{failed}");
    assert!(
        failed.ends_with("What came back: `boom '@everyone' [x](https://evil.example)`"),
        "one code span, which a backtick cannot end: {failed}"
    );
    let not_sent = t
        .render(
            TemplateName::Action,
            &finished(false, None, "INCIDENT_BOT_X is not set"),
        )
        .expect("render");
    assert!(not_sent.contains(": not sent after 0.4s."), "{not_sent}");
}

#[test]
fn a_social_post_is_plain_text_and_its_override_lives_in_the_social_folder() {
    let view = SocialPostView {
        kind: "update".into(),
        severity: "P1".into(),
        text: Markup::raw("Back at *10:00* <soon>"),
    };
    let text = templates()
        .render(TemplateName::SocialMastodon, &view)
        .expect("render");
    assert_eq!(text, "Back at *10:00* <soon>", "no Discord escapes");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("social")).expect("mkdir");
    std::fs::write(
        dir.path().join("social").join("bluesky.hbs"),
        "{{#if (eq kind \"update\")}}[{{severity}}] {{/if}}{{text}}",
    )
    .expect("write");
    let t = Templates::load(Some(dir.path())).expect("override loads");
    let text = t
        .render(TemplateName::SocialBluesky, &view)
        .expect("render");
    assert_eq!(text, "[P1] Back at *10:00* <soon>");
}

#[test]
fn a_tickets_texts_are_plain_lines_with_their_links_marked_for_the_tracker() {
    let tickets = templates()
        .render_samples(TemplateName::Ticket)
        .expect("render");
    assert_eq!(tickets.len(), 7, "{tickets:#?}");
    assert!(tickets.contains(&"Incident #4: Login down".to_owned()));
    let body = tickets
        .iter()
        .find(|t| t.starts_with("Severity P0."))
        .expect("the body");
    let link = crate::render::TicketLink::to(0);
    assert!(
        body.contains(&format!(
            "Incident channel: {}#inc-4-login{}",
            link.open.as_str(),
            link.close.as_str()
        )),
        "{body:?}"
    );
    assert!(tickets.contains(
        &"Preventive measure, from the post-mortem of incident #4: Login down\n\
          Canary the login service"
            .to_owned()
    ));
}

#[test]
fn a_failed_maintenance_hook_says_what_to_turn_by_hand_and_quotes_the_answer() {
    let failed = |unknown: bool, title: &str| ActionNotice {
        hook: Some(HookFailed {
            on: false,
            label: "Game maintenance mode".into(),
            window: title.into(),
            unknown,
            status: (!unknown).then_some(503),
            what: Some(code_span("down `@everyone`")),
            why: None,
        }),
        ..ActionNotice::default()
    };
    let t = templates();
    let text = t
        .render(TemplateName::Action, &failed(false, "DB *upgrade*"))
        .expect("render");
    assert_eq!(
        text,
        "❌ **The game's maintenance mode was not turned off**: “Game maintenance mode” failed for \
         the window “DB \\*upgrade\\*” (HTTP 503). What came back: `down '@everyone'`. Turn it off \
         by hand in the game's admin tools."
    );
    let asked = t
        .render(TemplateName::Action, &failed(true, "DB"))
        .expect("render");
    assert!(
        asked.starts_with("❓ **Did the game's maintenance mode turn off?**"),
        "{asked}"
    );
}

#[test]
fn the_german_maintenance_notice_tells_each_stage_and_escapes_typed_text() {
    let t = templates();
    let de = crate::domain::Locale::parse("de").expect("de");
    let mut view = MaintenanceNotice::sample();
    view.title = "Patch **1.2**".into();
    let scheduled = t
        .render_in(de, TemplateName::Maintenance, &view)
        .expect("renders");
    assert!(
        scheduled.starts_with("🛠️ **Geplante Wartung: Patch \\*\\*1.2\\*\\***\nLogin, Store: nicht verfügbar von <t:1764255600:F> bis <t:1764262800:F>."),
        "{scheduled}"
    );
    assert!(
        scheduled.ends_with("Statusmeldungen: <https://status.example.com>"),
        "{scheduled}"
    );
    for (stage, words) in [
        ("moved", "Wartung verschoben"),
        ("started", "Wartung läuft"),
        ("extended", "Wartung verlängert"),
        ("ended", "Wartung abgeschlossen"),
        ("cancelled", "Wartung abgesagt"),
    ] {
        view.stage = Stage::named(stage);
        let text = t
            .render_in(de, TemplateName::Maintenance, &view)
            .expect("renders");
        assert!(
            text.starts_with(&format!("🛠️ **{words}: ")),
            "{stage}: {text}"
        );
    }
}

#[test]
fn a_phase_is_named_once_in_labels_and_an_override_renames_it_in_messages_too() {
    let t = Templates::load(None).expect("built-in templates load");
    let checklist = t
        .render(TemplateName::Checklist, &Checklist::sample())
        .expect("renders");
    assert!(
        checklist.starts_with("**Phase 4: Resolution**, due"),
        "{checklist}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let labels = include_str!("../templates/labels.hbs").replace("}}Resolution{{", "}}Fixing{{");
    std::fs::write(dir.path().join("labels.hbs"), labels).expect("write");
    let t = Templates::load(Some(dir.path())).expect("the override loads");
    let checklist = t
        .render(TemplateName::Checklist, &Checklist::sample())
        .expect("renders");
    assert!(
        checklist.starts_with("**Phase 4: Fixing**, due"),
        "{checklist}"
    );
    assert_eq!(t.label(&Label::PhaseTitle { number: 4 }), "Fixing");
}

#[test]
fn the_bots_own_reason_for_a_run_is_worded_in_the_channel_and_on_the_timeline() {
    use crate::domain::{ActionId, BotReason};
    let t = templates();
    let gone = || BotReason::NotConfigured {
        action: ActionId::parse("snapshot-db").expect("an id"),
    };
    let finished = ActionNotice {
        finished: Some(ActionFinished {
            ok: false,
            label: "snapshot-db".into(),
            by: Markup::raw("<@1>"),
            status: None,
            duration: "0.0s".into(),
            ticked: None,
            snippet: None,
            why: Some(gone()),
        }),
        ..ActionNotice::default()
    };
    assert_eq!(
        t.render(TemplateName::Action, &finished).expect("render"),
        "❌ **“snapshot-db” failed**, asked by <@1>: not sent after 0.0s.\nIt was not sent: no \
         action `snapshot-db` is configured any more."
    );
    let hook = ActionNotice {
        hook: Some(HookFailed {
            on: true,
            label: "Game maintenance mode".into(),
            window: "DB".into(),
            unknown: false,
            status: None,
            what: None,
            why: Some(BotReason::NotSetUp),
        }),
        ..ActionNotice::default()
    };
    assert_eq!(
        t.render(TemplateName::Action, &hook).expect("render"),
        "❌ **The game's maintenance mode was not turned on**: “Game maintenance mode” failed for \
         the window “DB” (not sent: runbook actions are not set up in this process). Turn it on \
         by hand in the game's admin tools."
    );
    let line = TimelineView::ActionFinished {
        ok: false,
        label: "snapshot-db".into(),
        status: None,
        duration: "0.0s".into(),
        what: None,
        why: Some(gone()),
    };
    assert_eq!(
        t.timeline_text(&line).expect("render"),
        "“snapshot-db” failed: not sent after 0.0s: no action `snapshot-db` is configured any more"
    );
    let unknown = TimelineView::ActionUnknown {
        label: "Snapshot".into(),
        what: String::new(),
        why: Some(BotReason::Interrupted),
    };
    assert_eq!(
        t.timeline_text(&unknown).expect("render"),
        "“Snapshot” was sent and no answer came (the bot stopped after sending it, before it \
         recorded an answer): asked whether it ran"
    );
}

#[test]
fn what_an_action_calls_is_worded_by_its_shape() {
    let t = templates();
    let asked = |target: ActionTarget| {
        let view = ActionNotice {
            confirm: Some(ActionConfirm {
                label: "Snapshot".into(),
                number: 4,
                target,
                step: None,
            }),
            ..ActionNotice::default()
        };
        t.render(TemplateName::Action, &view).expect("render")
    };
    let calls = [
        ActionTarget::Webhook {
            method: "PUT".into(),
            host: "ops.example.com".into(),
        },
        ActionTarget::GithubWorkflow {
            workflow: "snapshot.yml".into(),
            owner: "studio".into(),
            repo: "ops".into(),
        },
        ActionTarget::GitlabPipeline {
            project: "studio/ops".into(),
        },
    ]
    .map(asked);
    let says = [
        "It calls PUT ops.example.com.",
        "It calls the GitHub workflow snapshot.yml of studio/ops.",
        "It calls a GitLab pipeline of studio/ops.",
    ];
    for (call, says) in calls.iter().zip(says) {
        assert!(call.contains(says), "{call}");
    }
    let unknown = ActionNotice {
        unknown: Some(ActionUnknown {
            label: "Snapshot".into(),
            target: None,
            what: "no answer within 1s".into(),
            why: None,
            run_id: "ib-1-snapshot-1".into(),
        }),
        ..ActionNotice::default()
    };
    let text = t.render(TemplateName::Action, &unknown).expect("render");
    assert!(
        text.contains("It was sent and no answer came (no answer within 1s)"),
        "{text}"
    );
}
