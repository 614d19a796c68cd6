//! Tests of the rules between keys: ids shared where they must differ, and the warnings.
#![expect(
    clippy::result_large_err,
    reason = "figment::Jail's closures must return figment::Error, which is large"
)]

use std::path::Path;

use figment::Jail;

use crate::config::tests::{load_in, IDS};
use crate::config::Settings;
use crate::domain::Severity;

/// A meeting channel, so that the warnings a test counts are its own.
const MEETING: &str = "[postmortem]\nmeeting_channel = \"100000000000000014\"\n";

#[test]
fn one_id_for_two_channels_or_the_servers_id_for_a_channel_is_refused() {
    Jail::expect_with(|jail| {
        let body = IDS.replace(
            "archive_category = \"100000000000000012\"\n",
            "archive_category = \"100000000000000001\"\nlog = \"100000000000000010\"\n",
        );
        let err = load_in(jail, &body).expect_err("shared ids");
        let text = err.to_string();
        assert!(
            text.contains("bot.toml:7: `channels.archive_category` is the server's own id"),
            "{text}"
        );
        assert!(
            text.contains(
                "bot.toml:8: `channels.log` is the same channel as `channels.announcements`"
            ),
            "{text}"
        );
        assert_eq!(err.problems.len(), 2, "{text}");
        Ok(())
    });
}

#[test]
fn the_servers_id_as_a_role_and_a_staff_role_for_player_alerts_are_refused() {
    Jail::expect_with(|jail| {
        let body = format!("{IDS}player_alerts = \"100000000000000020\"\n[severity.P0]\npage = [\"100000000000000001\"]\n")
            .replace("commander = \"100000000000000021\"", "commander = \"100000000000000001\"");
        let err = load_in(jail, &body).expect_err("bad roles");
        let text = err.to_string();
        assert!(text.contains("bot.toml:10: `roles.commander` is the server's id (100000000000000001), which Discord uses for @everyone"), "{text}");
        assert!(
            text.contains(
                "bot.toml:12: `roles.player_alerts` is the same role as `roles.responder`"
            ),
            "{text}"
        );
        assert!(
            text.contains("bot.toml:14: `severity.P0.page` lists the server's id"),
            "{text}"
        );
        assert_eq!(err.problems.len(), 3, "{text}");
        Ok(())
    });
}

#[test]
fn a_rule_is_not_judged_on_the_stand_in_for_a_missing_id() {
    Jail::expect_with(|jail| {
        // Both categories are missing: their stand-ins are equal, which is not a problem to report.
        let body = IDS
            .replace("incident_category = 100000000000000011\n", "")
            .replace("archive_category = \"100000000000000012\"\n", "");
        let err = load_in(jail, &body).expect_err("missing");
        assert_eq!(err.problems.len(), 2, "{err}");
        Ok(())
    });
}

#[test]
fn a_config_that_sets_only_the_roles_pages_responders_and_escalates_to_commanders() {
    Jail::expect_with(|jail| {
        jail.create_file("bot.toml", IDS)?;
        let loaded = Settings::check(Some(Path::new("bot.toml"))).map_err(|e| e.to_string())?;
        let s = &loaded.settings;
        let (responder, commander) = (s.roles.responder, s.roles.commander);
        assert_eq!(s.severity.get(Severity::P0).page, [responder]);
        assert_eq!(s.severity.get(Severity::P1).page, [responder]);
        assert!(s.severity.get(Severity::P2).page.is_empty());
        assert_eq!(s.severity.get(Severity::P0).escalate_to, [commander]);
        assert_eq!(s.severity.get(Severity::P2).escalate_to, [commander]);
        assert!(
            s.severity.get(Severity::P3).escalate_to.is_empty(),
            "P3 never escalates"
        );
        assert_eq!(s.postmortem.escalate_to, [commander]);
        // Only the meeting channel, which no default can guess, is left to warn about.
        assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
        assert!(
            loaded.warnings[0].contains("[postmortem] meeting_channel is not set"),
            "{:?}",
            loaded.warnings
        );
        Ok(())
    });
}

#[test]
fn a_p0_that_pages_or_escalates_to_nobody_is_a_warning_not_a_problem() {
    Jail::expect_with(|jail| {
        // Emptied on purpose: a list left out pages the responders (see the next test).
        jail.create_file(
            "bot.toml",
            &format!("{IDS}[severity.P0]\npage = []\nescalate_to = []\n[severity.P1]\npage = []\n{MEETING}"),
        )?;
        let loaded = Settings::check(Some(Path::new("bot.toml"))).map_err(|e| e.to_string())?;
        assert_eq!(loaded.warnings.len(), 2, "{:?}", loaded.warnings);
        assert!(
            loaded.warnings[0].starts_with("bot.toml:13: [severity.P0] page is empty"),
            "{:?}",
            loaded.warnings
        );
        assert!(
            loaded.warnings[1].contains("[severity.P0] escalate_to is empty"),
            "{:?}",
            loaded.warnings
        );
        jail.create_file(
            "bot.toml",
            &format!("{IDS}\n[severity.P0]\npage = [\"100000000000000020\"]\ncommander_timeout = \"off\"\n{MEETING}"),
        )?;
        let loaded = Settings::check(Some(Path::new("bot.toml"))).map_err(|e| e.to_string())?;
        assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
        assert!(
            loaded.warnings[0].starts_with("bot.toml:15: [severity.P0] commander_timeout is off"),
            "{:?}",
            loaded.warnings
        );
        Ok(())
    });
}

#[test]
fn no_meeting_channel_is_a_warning_and_one_shared_with_another_channel_a_problem() {
    Jail::expect_with(|jail| {
        jail.create_file("bot.toml", IDS)?;
        let loaded = Settings::check(Some(Path::new("bot.toml"))).map_err(|e| e.to_string())?;
        assert!(
            loaded.warnings.iter().any(|w| w.contains(
                "[postmortem] meeting_channel is not set: /postmortem schedule records the meeting"
            )),
            "{:?}",
            loaded.warnings
        );
        let body = format!(
            "{IDS}[postmortem]\nmeeting_channel = \"100000000000000014\"\n\
             security_meeting_channel = \"100000000000000010\"\nparticipants = [\"100000000000000001\"]\n"
        );
        let err = load_in(jail, &body).expect_err("shared ids");
        let text = err.to_string();
        assert!(
            text.contains("`postmortem.security_meeting_channel` is the same channel as `channels.announcements`"),
            "{text}"
        );
        assert!(
            text.contains("`postmortem.participants` lists the server's id"),
            "{text}"
        );
        Ok(())
    });
}

#[test]
fn the_shipped_checklists_are_the_plans_steps_with_its_extraction_defects_fixed() {
    Jail::expect_with(|jail| {
        let s = load_in(jail, IDS).map_err(|e| e.to_string())?;
        let texts = |items: &[crate::domain::ChecklistItem]| -> Vec<String> {
            items.iter().map(|i| i.text.to_string()).collect()
        };
        let c = &s.checklists;
        assert_eq!(
            texts(&c.triage)[0],
            "Alert received: via Sentry, Cloudflare Monitoring or user reports"
        );
        assert_eq!(
            texts(&c.investigation)[..4],
            [
                "Server logs (/var/log/loh-backend/)",
                "Database query logs",
                "Sentry error reports",
                "Cloudflare analytics",
            ]
        );
        // The plan's three apply-fix steps and three verify steps, whatever the severity.
        for severity in Severity::ALL {
            let shown: Vec<_> = c
                .resolution
                .iter()
                .filter(|i| i.applies_to(severity))
                .collect();
            let groups: Vec<_> = shown
                .iter()
                .map(|i| i.group.as_ref().map(|g| g.to_string()).unwrap_or_default())
                .collect();
            assert_eq!(
                groups,
                [
                    "Apply the fix",
                    "Apply the fix",
                    "Apply the fix",
                    "Verify the fix",
                    "Verify the fix",
                    "Verify the fix"
                ],
                "{severity}"
            );
            let bypass = shown.iter().any(|i| i.text.as_str().contains("bypass CI"));
            assert_eq!(bypass, severity == Severity::P0, "{severity}");
        }
        let all = c.lists();
        for (name, items) in all {
            for item in items {
                let text = item.text.as_str();
                assert!(
                    text.is_ascii() && !text.contains("Server logs (\n"),
                    "{name}: {text}"
                );
            }
        }
        Ok(())
    });
}

#[test]
fn a_studio_replaces_one_checklist_and_keeps_the_others() {
    Jail::expect_with(|jail| {
        let body = format!(
            "{IDS}[checklists]\ntriage = [\n  {{ id = \"page\", label = \"On-call paged\", text = \"Page the on-call engineer\" }},\n]\n"
        );
        let s = load_in(jail, &body).map_err(|e| e.to_string())?;
        let triage: Vec<_> = s
            .checklists
            .triage
            .iter()
            .map(|i| i.id.to_string())
            .collect();
        assert_eq!(triage, ["page"]);
        assert_eq!(
            s.checklists.recovery.len(),
            6,
            "the other lists keep their defaults"
        );
        Ok(())
    });
}

#[test]
fn checklist_mistakes_are_each_named_at_their_line() {
    Jail::expect_with(|jail| {
        let long = "x".repeat(79);
        let body = format!(
            "{IDS}[checklists]
triage = [
  {{ id = \"Alert!\", label = \"Alert\", text = \"Alert received\" }},
  {{ id = \"real\", label = \"{long}\", text = \"Verify the issue is real\" }},
  {{ id = \"sev\", label = \"Severity\", text = \"Determine severity\", severites = [\"P0\"] }},
  {{ id = \"ok\", label = \"OK\", text = \"Fine\" }},
  {{ id = \"ok\", label = \"Again\", text = \"Twice\" }},
  {{ id = \"never\", label = \"Never\", text = \"Never shown\", severities = [] }},
]
"
        );
        let err = load_in(jail, &body).expect_err("mistakes");
        let text = err.to_string();
        for expected in [
            "bot.toml:14: `checklists.triage[0].id`: `Alert!` is not a step id",
            "bot.toml:15: `checklists.triage[1].label`: A step's label is 79 characters long; the limit is 78",
            "bot.toml:16: unknown key `severites` in `checklists.triage[2]`; did you mean `severities`?",
            "bot.toml:18: `checklists.triage[4].id`: `ok` is already the id of step 3",
            "bot.toml:19: `checklists.triage[5].severities` is empty, so the step would never show",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        assert_eq!(err.problems.len(), 5, "{text}");
        Ok(())
    });
}

#[test]
fn a_checklist_that_would_not_fit_one_message_or_its_buttons_is_refused() {
    Jail::expect_with(|jail| {
        let step = |n: usize| {
            format!(
                "  {{ id = \"s{n}\", label = \"Step {n}\", text = \"{}\" }},\n",
                "x".repeat(150)
            )
        };
        let many: String = (0..26).map(step).collect();
        let body = format!("{IDS}[checklists]\ninvestigation = [\n{many}]\n");
        let err = load_in(jail, &body).expect_err("too many");
        let text = err.to_string();
        assert!(
            text.contains(
                "bot.toml:13: `checklists.investigation` has 26 steps; a message holds 25 buttons"
            ),
            "{text}"
        );
        assert!(
            text.contains("bot.toml:13: `checklists.investigation`: with every step ticked its message would be about"),
            "{text}"
        );
        Ok(())
    });
}

#[test]
fn the_alerts_or_reports_channel_named_as_the_announcement_channel_is_refused() {
    Jail::expect_with(|jail| {
        let body = IDS.replace(
            "archive_category = \"100000000000000012\"\n",
            "archive_category = \"100000000000000012\"\nlog = \"100000000000000013\"\n\
             alerts = \"100000000000000010\"\n\
             [intake]\nreports_channel = \"100000000000000010\"\n",
        );
        let err = load_in(jail, &body).expect_err("players would read internal posts");
        let text = err.to_string();
        assert!(
            text.contains(
                "bot.toml:9: `channels.alerts` is the announcement channel (100000000000000010)"
            ) && text.contains("give the id of a channel only responders can view"),
            "{text}"
        );
        assert!(
            text.contains("bot.toml:11: `intake.reports_channel` is the announcement channel")
                && text.contains("give the id of the channel where players report problems"),
            "{text}"
        );
        // Both are one channel as well: the cards would show in the reports channel.
        assert!(
            text.contains("`intake.reports_channel` is the same channel as `channels.alerts`"),
            "{text}"
        );
        assert_eq!(err.problems.len(), 3, "{text}");

        // The reports channel is the players': the log's lines would show there.
        let body = IDS.replace(
            "archive_category = \"100000000000000012\"\n",
            "archive_category = \"100000000000000012\"\nlog = \"100000000000000013\"\n\
             [intake]\nreports_channel = \"100000000000000013\"\n",
        );
        let err = load_in(jail, &body).expect_err("shared with the log");
        assert!(
            err.to_string().contains(
                "`intake.reports_channel` is the same channel as `channels.log` (100000000000000013)"
            ),
            "{err}"
        );

        // Triage cards in the log channel is what happens when alerts is unset: allowed.
        let body = IDS.replace(
            "archive_category = \"100000000000000012\"\n",
            "archive_category = \"100000000000000012\"\nlog = \"100000000000000013\"\n\
             alerts = \"100000000000000013\"\n",
        );
        load_in(jail, &body).map_err(|e| e.to_string())?;
        Ok(())
    });
}

#[test]
fn a_zero_webhook_rate_or_zero_reporting_players_is_refused_with_what_to_do() {
    Jail::expect_with(|jail| {
        let body = format!("{IDS}[intake]\nrate_per_minute = 0\nreports_players = 0\n");
        let err = load_in(jail, &body).expect_err("zeros");
        let text = err.to_string();
        assert!(
            text.contains("bot.toml:13: `intake.rate_per_minute` is 0")
                && text.contains("to turn a source off, unset its secret instead"),
            "{text}"
        );
        assert!(
            text.contains("bot.toml:14: `intake.reports_players` is 0, so one player's message")
                && text.contains("(5 by default)"),
            "{text}"
        );
        assert_eq!(err.problems.len(), 2, "{text}");
        Ok(())
    });
}

#[test]
fn players_reports_may_not_declare_a_severity_that_is_announced_to_players() {
    Jail::expect_with(|jail| {
        let rule = |source: &str, severity: &str| {
            format!(
                "{IDS}[[intake.auto_declare]]\nsource = \"alertmanager\"\nseverity = \"P0\"\n\
                 [[intake.auto_declare]]\nsource = \"{source}\"\nlabels = [\"system=Login\"]\n\
                 severity = \"{severity}\"\n"
            )
        };
        let err = load_in(jail, &rule("players", "P0")).expect_err("players page and announce");
        let text = err.to_string();
        assert!(
            text.contains(
                "bot.toml:18: `[[intake.auto_declare]]` rule 1 declares a P0 from players' reports"
            ) && text.contains("a handful of player accounts could publish a 🚨 alert")
                && text.contains("press Declare on the card"),
            "{text}"
        );
        assert_eq!(err.problems.len(), 1, "{text}");

        // Announcing P2 makes it as dangerous.
        let announced = format!("{}[severity.P2]\nannounce = true\n", rule("players", "P2"));
        let err = load_in(jail, &announced).expect_err("P2 announced");
        assert!(err.to_string().contains("rule 1 declares a P2"), "{err}");

        // Monitoring may declare a P0; players an unannounced severity.
        load_in(jail, &rule("players", "P2")).map_err(|e| e.to_string())?;
        load_in(jail, &rule("grafana", "P0")).map_err(|e| e.to_string())?;
        Ok(())
    });
}

#[test]
fn the_players_role_in_a_severitys_page_list_is_refused_and_never_reads_incident_channels() {
    Jail::expect_with(|jail| {
        let body = format!(
            "{IDS}player_alerts = \"100000000000000029\"\n[severity.P0]\npage = [\"100000000000000029\"]\n"
        );
        let err = load_in(jail, &body).expect_err("players paged into incident channels");
        let text = err.to_string();
        assert!(
            text.contains(
                "`severity.P0.page` lists `roles.player_alerts`, the players' opt-in role"
            ),
            "{text}"
        );
        Ok(())
    });
}

#[test]
fn interactions_without_the_public_listener_are_refused() {
    Jail::expect_with(|jail| {
        let body = format!("{IDS}[http]\npublic_listen = \"off\"\ninteractions = true\n");
        let err = load_in(jail, &body).expect_err("no listener for /interactions");
        let text = err.to_string();
        assert!(
            text.contains("`http.interactions` is on but `http.public_listen` is off"),
            "{text}"
        );
        assert_eq!(err.problems.len(), 1, "{text}");
        Ok(())
    });
}

#[test]
fn a_status_url_too_long_for_an_event_and_a_checklist_window_out_of_bounds_are_refused() {
    Jail::expect_with(|jail| {
        let long = format!("https://status.example.com/{}", "a".repeat(80));
        let body =
            format!("{IDS}[status]\nurl = \"{long}\"\n[maintenance]\ndefault_length = \"8d\"\n");
        let err = load_in(jail, &body).expect_err("refused");
        let text = err.to_string();
        assert!(
            text.contains("`status.url` is 107 characters: a maintenance window's Discord event"),
            "{text}"
        );
        assert!(
            text.contains("`maintenance.default_length` must be from 5 minutes to 7 days"),
            "{text}"
        );
        assert_eq!(err.problems.len(), 2, "{text}");
        Ok(())
    });
}

#[test]
fn a_maintenance_hook_naming_an_action_not_declared_is_refused() {
    Jail::expect_with(|jail| {
        let body = format!("{IDS}[maintenance]\nhook = \"game-maintenance\"\n");
        let err = load_in(jail, &body).expect_err("refused");
        let text = err.to_string();
        assert!(
            text.contains(
                "`maintenance.hook` names the action `game-maintenance`, which `[[actions]]` \
                 does not declare (declared: none)"
            ),
            "{text}"
        );
        assert_eq!(err.problems.len(), 1, "{text}");
        Ok(())
    });
}

#[test]
fn an_action_with_an_inline_secret_plain_http_an_unknown_binding_or_a_broken_body_is_refused() {
    Jail::expect_with(|jail| {
        let body = format!(
            r#"{IDS}{MEETING}
[checklists]
triage = [
  {{ id = "snap", label = "Snapshot", text = "Take a snapshot", action = "snapshot-dbb" }},
]

[[actions]]
id = "snapshot-db"
label = "Snapshot the database"
url = "http://ops.example.com/snap"
headers = {{ Authorization = "Bearer hunter2", Content-Type = "application/json" }}
body = '{{"title": {{{{incident.title}}}}}}'

[[actions]]
id = "smoke"
label = "Smoke tests"
kind = "github_workflow"
owner = "studio"
repo = "ops"
workflow = "smoke.yml"
ref = "main"
token = "env:INCIDENT_BOT_TEST_GITHUB_TOKEN"
inputs = {{ who = "{{{{by}}}}", where = "{{{{incident.nowhere}}}}" }}
"#
        );
        let err = load_in(jail, &body).expect_err("refused");
        let text = err.to_string();
        for expected in [
            "`actions[0].url`: `http://ops.example.com/snap` is plain http:// to another machine",
            "`actions[0].headers.Authorization` holds a secret written in the file: write `env:NAME`",
            "`actions[0].body`: the body is not JSON once rendered",
            "`actions[1].inputs.where`",
            "`checklists.triage[0].action`: no [[actions]] entry has the id `snapshot-dbb`",
        ] {
            assert!(text.contains(expected), "{expected}\n{text}");
        }
        assert!(
            !text.contains("hunter2"),
            "the secret is never repeated: {text}"
        );
        assert_eq!(err.problems.len(), 5, "{text}");
        Ok(())
    });
}

#[test]
fn a_token_written_inline_is_refused_where_it_is_written_and_loopback_http_is_allowed() {
    Jail::expect_with(|jail| {
        let body = format!(
            "{IDS}{MEETING}\n[[actions]]\nid = \"scale\"\nlabel = \"Scale up\"\nkind = \"gitlab_pipeline\"\n\
             project = \"studio/ops\"\nref = \"main\"\ntoken = \"glptt-abc123\"\n\
             api_base = \"http://127.0.0.1:9000/api/v4\"\n"
        );
        let err = load_in(jail, &body).expect_err("refused");
        let text = err.to_string();
        assert!(
            text.contains("a secret is never written in the config file"),
            "{text}"
        );
        assert!(!text.contains("glptt-abc123"), "{text}");
        assert_eq!(err.problems.len(), 1, "{text}");
        let fixed = body.replace("glptt-abc123", "env:INCIDENT_BOT_GITLAB_TRIGGER");
        let loaded = load_in(jail, &fixed).expect("a loopback base URL and an env token are fine");
        assert_eq!(loaded.actions.len(), 1);
        Ok(())
    });
}

#[test]
fn an_action_whose_secret_is_not_in_the_environment_is_a_warning_naming_the_variable() {
    Jail::expect_with(|jail| {
        jail.set_env("INCIDENT_BOT_TEST_SET_TOKEN", "x");
        let body = format!(
            "{IDS}{MEETING}\n[[actions]]\nid = \"smoke\"\nlabel = \"Smoke tests\"\n\
             url = \"https://ops.example.com/smoke\"\nheaders = {{ Authorization = \"env:INCIDENT_BOT_TEST_SET_TOKEN\" }}\n\
             secret = \"env:INCIDENT_BOT_TEST_UNSET_SECRET\"\n"
        );
        jail.create_file("bot.toml", &body)?;
        let loaded = Settings::check(Some(Path::new("bot.toml"))).map_err(|e| e.to_string())?;
        let warnings: Vec<&String> = loaded
            .warnings
            .iter()
            .filter(|w| w.contains("actions"))
            .collect();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("INCIDENT_BOT_TEST_UNSET_SECRET, which is not set here"),
            "{warnings:?}"
        );
        Ok(())
    });
}

#[test]
fn cloudflare_without_its_token_is_refused_naming_the_variable_and_a_token_in_the_file_too() {
    Jail::expect_with(|jail| {
        let on =
            format!("{IDS}{MEETING}[cloudflare]\nzone_id = \"023e105f4ecef8ad9ca31a8372d0c353\"\n");
        let err = load_in(jail, &on).expect_err("no token");
        assert!(
            err.to_string()
                .contains("INCIDENT_BOT_CLOUDFLARE_API_TOKEN is not set"),
            "{err}"
        );
        let inline = format!("{on}api_token = \"secret\"\n");
        let err = load_in(jail, &inline).expect_err("a token in the file");
        assert!(err.to_string().contains("api_token"), "{err}");
        jail.set_env("INCIDENT_BOT_CLOUDFLARE_API_TOKEN", "cf-token");
        let s = load_in(jail, &on).map_err(|e| e.to_string())?;
        assert!(s.cloudflare.configured() && s.cloudflare.token.is_some());
        Ok(())
    });
}

#[test]
fn a_cloudflare_list_needs_its_account_and_list_and_is_warned_about_its_waf_rule() {
    Jail::expect_with(|jail| {
        jail.set_env("INCIDENT_BOT_CLOUDFLARE_API_TOKEN", "cf-token");
        let list = format!(
            "{IDS}{MEETING}[cloudflare]\naccount_id = \"01a7362d577a6c3019a474fd6f485823\"\nmode = \"list\"\n"
        );
        let err = load_in(jail, &list).expect_err("no list_id");
        assert!(
            err.to_string().contains("needs account_id and list_id"),
            "{err}"
        );
        jail.create_file(
            "bot.toml",
            &format!("{list}list_id = \"2c0fc9fa937b11eaa1b71c4d701ab86e\"\n"),
        )?;
        let loaded = Settings::check(Some(Path::new("bot.toml"))).map_err(|e| e.to_string())?;
        assert!(
            loaded.warnings.iter().any(|w| w.contains("ip.src in $")),
            "{:?}",
            loaded.warnings
        );
        Ok(())
    });
}

#[test]
fn game_flags_must_be_lower_case_names_listed_once() {
    Jail::expect_with(|jail| {
        let body = format!(
            "{IDS}[players]\nflags = [\"ranked_disabled\", \"Store off\", \"ranked_disabled\"]\n"
        );
        let err = load_in(jail, &body).expect_err("bad flags");
        let text = err.to_string();
        assert!(
            text.contains("\"Store off\": write each flag as 1 to 40 lower-case"),
            "{text}"
        );
        assert!(
            text.contains("\"ranked_disabled\" twice: keep one"),
            "{text}"
        );
        assert_eq!(err.problems.len(), 2, "{text}");
        Ok(())
    });
}

#[test]
fn a_social_network_in_a_language_players_do_not_read_is_refused() {
    Jail::expect_with(|jail| {
        jail.set_env("INCIDENT_BOT_MASTODON_TOKEN", "token");
        let network = "[social.mastodon]\ninstance = \"https://m.example\"\n";
        let players = "[players]\nlocales = [\"en-US\", \"de\"]\n";
        let ok = format!("{IDS}{players}{network}locale = \"de\"\n");
        load_in(jail, &ok).expect("German is read");
        let body = format!("{IDS}{players}{network}locale = \"fr\"\n");
        let err = load_in(jail, &body).expect_err("French is not");
        let text = err.to_string();
        assert!(
            text.contains(
                "`social.mastodon.locale` is fr (French), which `players.locales` does not list"
            ),
            "{text}"
        );
        Ok(())
    });
}
