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
