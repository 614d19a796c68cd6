//! The rules that span keys: what each key's type cannot say alone. Broken ones refuse the
//! configuration; warnings only point at what works but is probably not meant.

use super::Settings;

/// A broken rule: the keys it is about (the first the operator set is blamed), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Finding {
    /// The keys involved, dotted.
    pub keys: Vec<String>,
    /// A sentence naming the keys and saying what to do.
    pub message: String,
}

fn finding(keys: &[&str], message: String) -> Finding {
    Finding {
        keys: keys.iter().map(|k| (*k).to_owned()).collect(),
        message,
    }
}

/// Every broken rule that makes the configuration unusable.
pub(super) fn problems(s: &Settings) -> Vec<Finding> {
    let mut out = Vec::new();
    urls(s, &mut out);
    listeners(s, &mut out);
    durations(s, &mut out);
    channels(s, &mut out);
    roles(s, &mut out);
    definitions(s, &mut out);
    checklists(s, &mut out);
    exposure(s, &mut out);
    intake(s, &mut out);
    maintenance(s, &mut out);
    player_flags(s, &mut out);
    super::action_rules::actions(s, &mut out);
    out.extend(
        super::cloudflare::problems(&s.cloudflare)
            .into_iter()
            .map(|(keys, message)| finding(&keys, message)),
    );
    super::metrics_source::rules(s, &mut out);
    out.extend(
        super::status_webhooks::problems(&s.status.webhooks, s.jobs.max_attempts)
            .into_iter()
            .map(|(keys, message)| Finding { keys, message }),
    );
    if let Some(tracker) = &s.tracker {
        out.extend(
            tracker
                .problems()
                .into_iter()
                .map(|(key, message)| Finding {
                    keys: vec![key],
                    message,
                }),
        );
    }
    super::locales::rules(s, &mut out);
    super::locales::social_rules(s, &mut out);
    out
}

/// What works but is probably not meant.
pub(super) fn warnings(s: &Settings) -> Vec<Finding> {
    let mut out: Vec<Finding> = super::cloudflare::warnings(&s.cloudflare)
        .into_iter()
        .map(|(keys, message)| finding(&keys, message))
        .collect();
    let p0 = &s.severity.p0;
    if p0.page.is_empty() {
        out.push(finding(
            &["severity.P0.page"],
            "[severity.P0] page is empty: declaring a P0 pings nobody; list the on-call role ids"
                .into(),
        ));
    }
    match p0.commander_timeout {
        Some(after) if p0.escalate_to.is_empty() => out.push(finding(
            &["severity.P0.escalate_to"],
            format!(
                "[severity.P0] escalate_to is empty: when nobody takes command of a P0 within {}, \
                 the escalation pings nobody; list the role ids to escalate to",
                humantime::format_duration(after)
            ),
        )),
        None => out.push(finding(
            &["severity.P0.commander_timeout"],
            "[severity.P0] commander_timeout is off: a P0 that nobody takes command of is never \
             escalated"
                .into(),
        )),
        Some(_) => {}
    }
    super::action_rules::unset_secrets(s, &mut out);
    if s.postmortem.meeting_channel.is_none() {
        out.push(finding(
            &["postmortem.meeting_channel"],
            "[postmortem] meeting_channel is not set: /postmortem schedule records the meeting \
             and pings its participants, but creates no Discord event; give the id of a voice \
             or stage channel players cannot view"
                .into(),
        ));
    }
    super::metrics_source::warnings(s, &mut out);
    out
}

fn player_flags(s: &Settings, out: &mut Vec<Finding>) {
    let flags = &s.players.flags;
    for (i, name) in flags.iter().enumerate() {
        if !crate::domain::is_flag_name(name) {
            out.push(finding(
                &["players.flags"],
                format!(
                    "[players] flags lists {name:?}: write each flag as 1 to 40 lower-case \
                     letters, digits and _, as the game client checks it (ranked_disabled)"
                ),
            ));
        } else if flags[..i].contains(name) {
            out.push(finding(
                &["players.flags"],
                format!("[players] flags lists {name:?} twice: keep one"),
            ));
        }
    }
}

fn urls(s: &Settings, out: &mut Vec<Finding>) {
    let http = |u: &str| u.starts_with("https://") || u.starts_with("http://");
    if !http(&s.status.url) {
        out.push(finding(
            &["status.url"],
            format!("`status.url`: `{}` is not an http(s) URL", s.status.url),
        ));
    }
    if s.database.url.is_none() && s.database.path.as_os_str().is_empty() {
        out.push(finding(
            &["database.path"],
            "`database.path` is empty: name the SQLite file, or set `database.url` to use \
             PostgreSQL"
                .into(),
        ));
    }
    if let Some(url) = &s.database.url {
        if !(url.expose().starts_with("postgres://") || url.expose().starts_with("postgresql://")) {
            out.push(finding(
                &["database.url"],
                format!(
                    "`database.url`: `{}` is not a PostgreSQL URL: write it as \
                     postgres://user:password@host/database (for SQLite, set `database.path` instead)",
                    url.redacted()
                ),
            ));
        }
    }
    if let Some(base) = s.discord.api_base.as_deref().filter(|b| !http(b)) {
        out.push(finding(
            &["discord.api_base"],
            format!("`discord.api_base`: `{base}` is not an http(s) URL"),
        ));
    }
}

/// A maintenance window's event is located at `[status] url`, which Discord takes up to 100
/// characters; the checklist's window lasts as long as a typed one may.
fn maintenance(s: &Settings, out: &mut Vec<Finding>) {
    let length = s.status.url.chars().count();
    if length > 100 {
        out.push(finding(
            &["status.url"],
            format!(
                "`status.url` is {length} characters: a maintenance window's Discord event \
                 shows it as its location, which takes at most 100; give a shorter address"
            ),
        ));
    }
    let (min, max) = (crate::domain::MIN_WINDOW, crate::domain::MAX_WINDOW);
    let wanted = super::delta(s.maintenance.default_length);
    if wanted < min || wanted > max {
        out.push(finding(
            &["maintenance.default_length"],
            "`maintenance.default_length` must be from 5 minutes to 7 days, as a typed \
             `/maintenance start duration` is"
                .into(),
        ));
    }
    if let Some(hook) = &s.maintenance.hook {
        if !s.actions.iter().any(|a| &a.id == hook) {
            let known: Vec<&str> = s.actions.iter().map(|a| a.id.as_str()).collect();
            out.push(finding(
                &["maintenance.hook"],
                format!(
                    "`maintenance.hook` names the action `{hook}`, which `[[actions]]` does not \
                     declare (declared: {}): name one of them, or declare it",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                ),
            ));
        }
    }
}

/// The longest severity definition: `P0: ` and it fill a choice name of at most 100.
pub const MAX_DEFINITION: usize = 90;

fn definitions(s: &Settings, out: &mut Vec<Finding>) {
    for severity in crate::domain::Severity::ALL {
        let definition = s.severity.get(severity).definition.trim();
        let n = definition.chars().count();
        if n == 0 || n > MAX_DEFINITION {
            let key = format!("severity.{severity}.definition");
            out.push(Finding {
                keys: vec![key],
                message: format!(
                    "[severity.{severity}] definition is {n} characters: write what makes an \
                     incident {severity} in 1 to {MAX_DEFINITION} (Discord shows it in the \
                     severity choice, whose name holds 100)"
                ),
            });
        }
    }
}

/// The two listeners cannot share an address (port 0 picks a free port for each), and
/// Discord's interactions need the public one.
fn listeners(s: &Settings, out: &mut Vec<Finding>) {
    if s.http.interactions && s.http.public_listen.is_none() {
        out.push(finding(
            &["http.interactions", "http.public_listen"],
            "`http.interactions` is on but `http.public_listen` is off: Discord posts \
             interactions to the public listener's /interactions; give it an address"
                .to_owned(),
        ));
    }
    if let (Some(private), Some(public)) = (s.http.listen, s.http.public_listen) {
        if private == public && private.port() != 0 {
            out.push(finding(
                &["http.public_listen", "http.listen"],
                format!(
                    "`http.public_listen` is the same address as `http.listen` ({private}): \
                     the public listener must never serve /metrics; give it another port"
                ),
            ));
        }
    }
}

/// The finding when the phases' budgets do not end one after the other.
fn phases_out_of_order(s: &Settings) -> Option<Finding> {
    let p = &s.phases;
    if !(p.triage < p.containment
        && p.containment < p.investigation
        && p.investigation < p.resolution)
    {
        return Some(finding(
            &[
                "phases.triage",
                "phases.containment",
                "phases.investigation",
                "phases.resolution",
            ],
            "[phases]: each phase must end after the one before it \
             (triage < containment < investigation < resolution)"
                .into(),
        ));
    }
    None
}

fn durations(s: &Settings, out: &mut Vec<Finding>) {
    out.extend(phases_out_of_order(s));
    let pm = &s.postmortem;
    for (i, before) in pm.remind_before.iter().enumerate() {
        if *before >= pm.due_after {
            out.push(finding(
                &["postmortem.remind_before", "postmortem.due_after"],
                format!(
                    "`postmortem.remind_before[{i}]`: {} is not shorter than due_after ({})",
                    humantime::format_duration(*before),
                    humantime::format_duration(pm.due_after)
                ),
            ));
        }
    }
    if s.jobs.max_attempts == 0 {
        out.push(finding(
            &["jobs.max_attempts"],
            "`jobs.max_attempts` must be at least 1".into(),
        ));
    }
    if s.jobs.retry_base > s.jobs.retry_max {
        out.push(finding(
            &["jobs.retry_base", "jobs.retry_max"],
            "`jobs.retry_base` must not be longer than `jobs.retry_max`".into(),
        ));
    }
    if s.jobs.workers == 0 && s.database.url.is_none() {
        out.push(finding(
            &["jobs.workers"],
            "`jobs.workers`: 0 performs no job, and on SQLite no other process would: set it to \
             1 or more, or use a PostgreSQL database shared with replicas that work the queue"
                .into(),
        ));
    }
    if s.jobs.workers > 64 {
        out.push(finding(
            &["jobs.workers"],
            format!(
                "`jobs.workers`: {} is more than 64: set 64 or fewer (more would only wait on \
                 the database and Discord's rate limits)",
                s.jobs.workers
            ),
        ));
    }
    // The owner renews every second and each renewal may take two: a shorter lease would be
    // lost by an owner doing nothing wrong.
    let min = super::MIN_LEASE;
    if s.replicas.lease < min {
        out.push(finding(
            &["replicas.lease"],
            format!(
                "`replicas.lease`: {} is too short: the owner renews it every {} and a renewal \
                 may take {}; set it to {} or more",
                humantime::format_duration(s.replicas.lease),
                humantime::format_duration(super::RENEW_EVERY),
                humantime::format_duration(super::RENEW_TIMEOUT),
                humantime::format_duration(min)
            ),
        ));
    }
    // A call still hanging when the lease runs out would run twice at once.
    let lease = s.jobs.lease;
    if s.jobs.discord_timeout >= lease {
        out.push(finding(
            &["jobs.discord_timeout", "jobs.lease"],
            format!(
                "`jobs.discord_timeout`: {} is not shorter than a job's lease ({})",
                humantime::format_duration(s.jobs.discord_timeout),
                humantime::format_duration(lease)
            ),
        ));
    }
}

/// The configured channels, by key.
fn channel_ids(s: &Settings) -> Vec<(&'static str, u64)> {
    let c = &s.channels;
    [
        ("channels.announcements", Some(c.announcements)),
        ("channels.incident_category", Some(c.incident_category)),
        ("channels.archive_category", Some(c.archive_category)),
        ("channels.log", c.log),
        ("channels.alerts", c.alerts),
        ("intake.reports_channel", s.intake.reports_channel),
        ("postmortem.meeting_channel", s.postmortem.meeting_channel),
        (
            "postmortem.security_meeting_channel",
            s.postmortem.security_meeting_channel,
        ),
    ]
    .into_iter()
    .filter_map(|(k, id)| id.map(|id| (k, id.get())))
    .collect()
}

/// The configured roles, by key.
fn role_ids(s: &Settings) -> Vec<(&'static str, u64)> {
    let r = &s.roles;
    [
        ("roles.responder", Some(r.responder)),
        ("roles.commander", Some(r.commander)),
        ("roles.security", Some(r.security)),
        ("roles.player_alerts", r.player_alerts),
        ("roles.maintenance", r.maintenance),
    ]
    .into_iter()
    .filter_map(|(k, id)| id.map(|id| (k, id.get())))
    .collect()
}

fn channels(s: &Settings, out: &mut Vec<Finding>) {
    let guild = s.discord.guild_id.get();
    let channels = channel_ids(s);
    for (i, &(key, id)) in channels.iter().enumerate() {
        if id == guild {
            out.push(finding(
                &[key, "discord.guild_id"],
                format!(
                    "`{key}` is the server's own id ({id}), not a channel's: \
                     copy the channel's id (right-click it, Copy Channel ID)"
                ),
            ));
        }
        for &(other, other_id) in &channels[..i] {
            if id == other_id && !may_share(key, other) {
                out.push(finding(
                    &[key, other],
                    format!(
                        "`{key}` is the same channel as `{other}` ({id}): each needs a channel \
                         of its own, or messages meant for one are posted in the other"
                    ),
                ));
            }
        }
        for (role, role_id) in role_ids(s) {
            if id == role_id {
                out.push(finding(
                    &[key, role],
                    format!(
                        "`{key}` has the same id as `{role}` ({id}): one of them is not the id \
                         it should be"
                    ),
                ));
            }
        }
    }
}

/// Pairs of keys that may name one channel: triage cards may go to the log channel (where
/// they go when `channels.alerts` is unset). A private channel named as the announcement
/// channel is reported by [`exposure`], with what it would show players.
fn may_share(a: &str, b: &str) -> bool {
    let pair = |x: &str, y: &str| (a == x && b == y) || (a == y && b == x);
    pair("channels.alerts", "channels.log")
        || pair("channels.alerts", "channels.announcements")
        || pair("intake.reports_channel", "channels.announcements")
}

/// Channels that must never be the one players read: what the bot posts there is internal.
fn exposure(s: &Settings, out: &mut Vec<Finding>) {
    let announcements = s.channels.announcements.get();
    if s.channels.alerts.map(|c| c.get()) == Some(announcements) {
        out.push(finding(
            &["channels.alerts", "channels.announcements"],
            format!(
                "`channels.alerts` is the announcement channel ({announcements}): every \
                 alert's triage card (what monitoring saw, the buttons to declare) would be \
                 posted where players read; give the id of a channel only responders can view, \
                 or leave it out to post the cards in `channels.log`"
            ),
        ));
    }
    if s.intake.reports_channel.map(|c| c.get()) == Some(announcements) {
        out.push(finding(
            &["intake.reports_channel", "channels.announcements"],
            format!(
                "`intake.reports_channel` is the announcement channel ({announcements}): \
                 the bot would count its own alerts and updates as players' reports and \
                 players could not post there; give the id of the channel where players \
                 report problems (#support, say), or leave it out"
            ),
        ));
    }
}

/// The webhook and report settings that would let too little, or anyone, through.
fn intake(s: &Settings, out: &mut Vec<Finding>) {
    let intake = &s.intake;
    if intake.rate_per_minute == 0 {
        out.push(finding(
            &["intake.rate_per_minute"],
            "`intake.rate_per_minute` is 0, which answers every alert webhook 429 and \
             drops every alert: give the requests each source may make a minute (120 by \
             default); to turn a source off, unset its secret instead"
                .into(),
        ));
    }
    if intake.reports_players == 0 {
        out.push(finding(
            &["intake.reports_players"],
            "`intake.reports_players` is 0, so one player's message would make a triage \
             card: give how many distinct players must name a system (5 by default); to \
             stop reading the reports channel, leave `intake.reports_channel` out instead"
                .into(),
        ));
    }
    for (i, rule) in intake.auto_declare.iter().enumerate() {
        let severity = rule.severity;
        if rule.source == crate::domain::AlertSource::Players && s.severity.get(severity).announce {
            let key = format!("intake.auto_declare.{i}.severity");
            out.push(Finding {
                keys: vec![key, format!("severity.{severity}.announce")],
                message: format!(
                    "`[[intake.auto_declare]]` rule {i} declares a {severity} from players' \
                     reports, and a {severity} is announced to players and pages on-call \
                     (`[severity.{severity}] announce = true`): a handful of player accounts \
                     could publish a 🚨 alert; make the rule declare a severity that is not \
                     announced, or remove it and let a responder press Declare on the card"
                ),
            });
        }
    }
}

fn roles(s: &Settings, out: &mut Vec<Finding>) {
    let guild = s.discord.guild_id.get();
    let roles = role_ids(s);
    for &(key, id) in &roles {
        if id == guild {
            out.push(finding(
                &[key, "discord.guild_id"],
                format!(
                    "`{key}` is the server's id ({id}), which Discord uses for @everyone: \
                     everyone in the server would count as having it; give the id of a role \
                     of its own"
                ),
            ));
        }
    }
    if let Some(alerts) = s.roles.player_alerts.map(|r| r.get()) {
        for &(key, id) in roles.iter().filter(|(k, _)| *k != "roles.player_alerts") {
            if id == alerts {
                out.push(finding(
                    &["roles.player_alerts", key],
                    format!(
                        "`roles.player_alerts` is the same role as `{key}` ({id}): players who \
                         opt in to alerts would get what `{key}` may do; give players a role \
                         of their own"
                    ),
                ));
            }
        }
    }
    let mut lists = Vec::new();
    for (name, sev) in [
        ("P0", &s.severity.p0),
        ("P1", &s.severity.p1),
        ("P2", &s.severity.p2),
        ("P3", &s.severity.p3),
    ] {
        lists.push((format!("severity.{name}.page"), &sev.page));
        lists.push((format!("severity.{name}.escalate_to"), &sev.escalate_to));
    }
    lists.push((
        "postmortem.escalate_to".to_owned(),
        &s.postmortem.escalate_to,
    ));
    lists.push((
        "postmortem.participants".to_owned(),
        &s.postmortem.participants,
    ));
    for (key, ids) in lists {
        let players = s.roles.player_alerts;
        if players.is_some_and(|p| ids.contains(&p)) && key != "postmortem.participants" {
            // Roles pinged in incident channels read every availability incident's channel.
            out.push(finding(
                &[&key, "roles.player_alerts"],
                format!(
                    "`{key}` lists `roles.player_alerts`, the players' opt-in role: incident \
                     channels open to the roles they ping, so players would read every \
                     incident's channel; players hear of an incident through the service alert \
                     (`[severity.*] announce`), so take the role out of `{key}`"
                ),
            ));
        }
        if ids.iter().any(|r| r.get() == guild) {
            out.push(finding(
                &[&key, "discord.guild_id"],
                format!(
                    "`{key}` lists the server's id ({guild}), which Discord uses for @everyone: \
                     list the ids of the roles to ping"
                ),
            ));
        }
    }
}

/// Characters a checklist message spends besides its steps' text: the phase's title and
/// deadline (two timestamp tags).
const CHECKLIST_HEADER: usize = 100;
/// Characters a ticked step spends besides its text: the box, who ticked it and when.
const TICKED_STEP: usize = 50;

/// How long a checklist message is with every step ticked, at most.
pub(super) fn checklist_len_when_ticked(items: &[crate::domain::ChecklistItem]) -> usize {
    let escaped = |t: &str| crate::render::discord_escape(t).chars().count();
    let mut len = CHECKLIST_HEADER;
    let mut group = None;
    for item in items {
        len += escaped(item.text.as_str()) + TICKED_STEP;
        let this = item.group.as_ref().map(|g| g.as_str());
        if this.is_some() && this != group {
            len += this.map_or(0, escaped) + 5;
        }
        group = this;
    }
    len
}

fn checklists(s: &Settings, out: &mut Vec<Finding>) {
    use crate::domain::Checklists;
    for (name, items) in s.checklists.lists() {
        let list = format!("checklists.{name}");
        if items.len() > Checklists::MAX_STEPS {
            out.push(finding(
                &[&list],
                format!(
                    "`{list}` has {} steps; a message holds {} buttons: merge steps or move \
                     some to another phase",
                    items.len(),
                    Checklists::MAX_STEPS
                ),
            ));
        }
        for (i, item) in items.iter().enumerate() {
            if let Some(first) = items[..i].iter().position(|o| o.id == item.id) {
                let key = format!("{list}.{i}.id");
                out.push(finding(
                    &[&key],
                    format!(
                        "`{list}[{i}].id`: `{}` is already the id of step {first}: each step \
                         needs an id of its own, or ticking one ticks both",
                        item.id
                    ),
                ));
            }
            if item.severities.as_ref().is_some_and(Vec::is_empty) {
                let key = format!("{list}.{i}.severities");
                out.push(finding(
                    &[&key],
                    format!(
                        "`{list}[{i}].severities` is empty, so the step would never show: \
                         list severities such as [\"P0\"], or leave it out to show it on every one"
                    ),
                ));
            }
        }
        let len = checklist_len_when_ticked(items);
        if len > crate::render::MESSAGE_LIMIT {
            out.push(finding(
                &[&list],
                format!(
                    "`{list}`: with every step ticked its message would be about {len} \
                     characters, over Discord's {}: shorten the steps' text or move some to \
                     another phase",
                    crate::render::MESSAGE_LIMIT
                ),
            ));
        }
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
