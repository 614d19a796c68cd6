//! Tests of the repository against a fresh database each, on both backends: every test of
//! `on_both!` runs once on an in-memory SQLite database and once on a new PostgreSQL database
//! of the server `INCIDENT_BOT_TEST_POSTGRES` names (`tests/run` starts one), else of a throwaway
//! one started for the test process.

use chrono::{TimeDelta, Utc};
use serde_json::json;

use sqlx::any::AnyPoolOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::ConnectOptions;

use super::*;
use crate::domain::*;
use crate::test_time::T0;

// The server: the one `INCIDENT_BOT_TEST_POSTGRES` names, else a throwaway one started for
// this test process. One file for the lib's tests and the `it` suite.
#[path = "../../tests/it/support/postgres.rs"]
mod test_server;

/// The URL of a new, empty PostgreSQL database for one test. Panics (the test fails, never
/// skips) when there is no server and none can be started.
pub(crate) async fn postgres_url() -> String {
    let server = test_server::server_url();
    fresh_postgres_database(&server, "store_test")
        .await
        .unwrap_or_else(|e| {
            panic!(
                "cannot create a test database on {}: {e}",
                redacted_url(&server)
            )
        })
}

/// A fresh PostgreSQL database for one test, migrated.
pub(crate) async fn postgres() -> Db {
    let url = postgres_url().await;
    Db::connect_postgres(&url)
        .await
        .expect("connect to the test database")
}

/// A fresh in-memory SQLite database for one test.
async fn sqlite() -> Db {
    Db::open_in_memory().await.expect("db")
}

/// `migrate --from sqlite: --to postgres:` copies the tables it names: a table a migration adds
/// and the copy forgets is lost in the move, so the list is checked against the schema.
#[tokio::test]
async fn the_copy_to_postgresql_names_every_table_of_the_schema() {
    let db = sqlite().await;
    let mut tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx_%' ORDER BY name",
    )
    .fetch_all(&db.pool)
    .await
    .expect("the schema's tables");
    let mut copied: Vec<String> = super::copy::TABLES
        .iter()
        .map(|(t, _)| (*t).to_owned())
        // Left out on purpose: who holds the Discord gateway is a lease of the processes
        // running on the source, which the new database's bot takes afresh.
        .chain(std::iter::once("gateway_leases".to_owned()))
        .collect();
    tables.sort();
    copied.sort();
    assert_eq!(copied, tables, "store/copy.rs TABLES against the schema");
}

/// Runs each of the named `async fn(Db)` tests once per backend: `NAME::sqlite` and
/// `NAME::postgres`.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name(super::sqlite().await).await;
                }

                #[tokio::test]
                async fn postgres() {
                    super::$name(super::postgres().await).await;
                }
            }
        )*
    };
}

on_both!(
    incidents_are_numbered_per_guild_and_round_trip_whole,
    a_noted_message_is_added_to_the_timeline_once,
    a_step_is_ticked_once_read_back_whole_and_unticked,
    earlier_incidents_are_found_by_shared_system_case_insensitively,
    a_job_with_an_existing_idempotency_key_is_not_added_again,
    due_jobs_are_claimed_oldest_first_and_not_twice_while_leased,
    a_claimed_job_is_due_again_when_its_lease_runs_out,
    a_job_that_used_every_attempt_unrecorded_is_given_up_at_its_next_claim,
    an_incident_stored_with_a_character_parsing_now_refuses_still_loads_and_can_be_worked,
    due_jobs_count_claimed_and_waiting_ones_and_failed_ones_are_counted_apart,
    corrected_facts_and_the_last_eta_round_trip_and_the_recurrence_rule_sees_new_systems,
    verifying_resolved_and_a_reopened_phase_four_round_trip,
    an_optional_postmortem_its_meeting_event_action_kinds_and_lessons_round_trip,
    a_postmortem_reason_is_stored_as_its_key_and_an_older_sentence_reads_back_as_said,
    an_announcement_keeps_the_facts_it_told_and_older_rows_take_the_incident_s,
    a_second_declare_of_one_interaction_is_a_duplicate,
    why_a_job_was_given_up_reads_back_as_it_was_recorded,
    a_waf_block_keeps_its_entry_and_is_lifted_once,
    a_lockdown_keeps_what_was_there_before_and_is_lifted_once,
    a_flag_is_set_once_listed_and_cleared_once,
    a_runs_note_reads_back_as_recorded_and_an_older_sentence_as_words_said,
);

fn guild() -> GuildId {
    GuildId::new(10).expect("non-zero")
}

fn declared(title: &str, systems: &str) -> Incident {
    let d = Declaration {
        title: IncidentTitle::parse(title).expect("title"),
        severity: Severity::P1,
        kind: IncidentKind::Availability,
        systems: Systems::parse(systems).expect("systems"),
        summary: Some(FreeText::parse("players cannot log in").expect("summary")),
        declared_by: UserId::new(5).expect("user"),
        eta: None,
        detected_at: None,
    };
    Incident::declare(d, T0).0
}

async fn insert(db: &Db, incident: &Incident) -> IncidentRecord {
    let mut tx = db.begin().await.expect("begin");
    let rec = tx
        .insert_incident(NewIncident {
            guild_id: guild(),
            interaction_id: None,
            incident,
        })
        .await
        .expect("insert");
    tx.commit().await.expect("commit");
    rec
}

/// Runs the migration whose description says `what` once more, as on a database whose rows are
/// older than it.
async fn run_again(db: &Db, what: &str) {
    let migration = db
        .backend
        .migrator()
        .iter()
        .find(|m| m.description.contains(what))
        .expect("the migration");
    sqlx::raw_sql(migration.sql.clone())
        .execute(&db.pool)
        .await
        .expect("migrate");
}

fn job(key: &str, due: chrono::DateTime<Utc>) -> NewJob {
    NewJob {
        kind: "test".into(),
        payload: json!({"key": key}),
        incident: None,
        idempotency_key: key.into(),
        due_at: due,
    }
}

async fn a_second_declare_of_one_interaction_is_a_duplicate(db: Db) {
    let incident = declared("Login down", "Login");
    let new = NewIncident {
        guild_id: guild(),
        interaction_id: InteractionId::new(77),
        incident: &incident,
    };
    let mut tx = db.begin().await.expect("begin");
    tx.insert_incident(new.clone()).await.expect("the first");
    tx.commit().await.expect("commit");
    let mut tx = db.begin().await.expect("begin");
    let second = tx.insert_incident(new).await;
    assert!(matches!(second, Err(Error::Duplicate(_))), "{second:?}");
}

async fn why_a_job_was_given_up_reads_back_as_it_was_recorded(db: Db) {
    let rec = insert(&db, &declared("Login down", "Login")).await;
    let mut tx = db.begin().await.expect("begin");
    for kind in ["open_channel", "post"] {
        let mut new = job(kind, T0);
        new.kind = kind.into();
        new.incident = Some(rec.id);
        tx.enqueue(&new, T0).await.expect("enqueue");
    }
    tx.commit().await.expect("commit");
    let claimed = db
        .claim_due_jobs(T0, TimeDelta::minutes(1), 10, 10, "")
        .await
        .expect("claim")
        .jobs;
    let forbidden =
        JobFailure::Forbidden(crate::domain::Forbidden::Discord(crate::domain::Denied {
            attempt: crate::domain::Attempt::Open {
                name: "inc-1-login-down".into(),
            },
            channel: crate::domain::ChannelId::new(42),
            needs: vec![crate::domain::Permission::ManageChannels],
        }));
    let error = JobFailure::Error("🔒 is how Discord's text began".into());
    for j in &claimed {
        let why = if j.kind == "open_channel" {
            &forbidden
        } else {
            &error
        };
        assert!(db.fail_job(j, why, T0).await.expect("fail"));
    }
    assert_eq!(
        db.job_failure(rec.id, "open_channel").await.expect("read"),
        Some(forbidden.clone())
    );
    let kept = db.jobs_of(Some(rec.id)).await.expect("jobs");
    let line = kept[0].last_error.as_deref().unwrap_or_default();
    assert!(
        line.starts_with("forbidden: Discord denied Open") && !line.contains("I can't"),
        "last_error keeps the operators' line, not a sentence: {line}"
    );
    assert_eq!(
        db.job_failure(rec.id, "post").await.expect("read"),
        Some(error),
        "Discord's text is never taken for the bot's own refusal"
    );
    assert_eq!(db.job_failure(rec.id, "absent").await.expect("read"), None);

    // A row from before the refusal was kept as data, marked the old way, reads back as an
    // error: its sentence shown as text, never parsed back.
    sqlx::raw_sql("ALTER TABLE jobs DROP COLUMN forbidden")
        .execute(&db.pool)
        .await
        .expect("drop");
    sqlx::query("UPDATE jobs SET last_error = $1, refusal = NULL WHERE kind = 'open_channel'")
        .bind("🔒 I can't open #inc-1-login-down: give me Manage Channels there.")
        .execute(&db.pool)
        .await
        .expect("an old row");
    run_again(&db, "mark jobs failed for a permission").await;
    assert_eq!(
        db.job_failure(rec.id, "open_channel").await.expect("read"),
        Some(JobFailure::Error(
            "I can't open #inc-1-login-down: give me Manage Channels there.".into()
        ))
    );
}

async fn incidents_are_numbered_per_guild_and_round_trip_whole(db: Db) {
    let first = insert(&db, &declared("Login down", "Login, Store")).await;
    let mut second = insert(&db, &declared("Store slow", "Store")).await;
    assert_eq!((first.number.0, second.number.0), (1, 2));

    second
        .incident
        .apply(
            Command::Assign {
                role: IncidentRole::Commander,
                user: UserId::new(7).expect("u"),
            },
            UserId::new(5).expect("u"),
            T0,
        )
        .expect("assign");
    second
        .incident
        .apply(
            Command::AdvancePhase {
                to: Phase::Containment,
            },
            UserId::new(5).expect("u"),
            T0 + TimeDelta::minutes(4),
        )
        .expect("advance");
    second.channel_id = ChannelId::new(99);
    let mut tx = db.begin().await.expect("begin");
    tx.save_incident(&second).await.expect("save");
    tx.commit().await.expect("commit");

    let loaded = db.incident(second.id).await.expect("load").expect("exists");
    assert_eq!(loaded, second);
    let by_channel = db
        .incident_by_channel(ChannelId::new(99).expect("c"))
        .await
        .expect("load");
    assert_eq!(by_channel.map(|r| r.id), Some(second.id));
}

async fn a_noted_message_is_added_to_the_timeline_once(db: Db) {
    let rec = insert(&db, &declared("Login down", "Login")).await;
    let entry = TimelineEntry {
        source_message: MessageId::new(42),
        ..TimelineEntry::by(
            UserId::new(5).expect("u"),
            T0,
            EntryKind::Note,
            "look at this",
        )
    };
    let mut tx = db.begin().await.expect("begin");
    assert_eq!(
        tx.append_timeline(rec.id, std::slice::from_ref(&entry))
            .await
            .expect("first"),
        1
    );
    assert_eq!(
        tx.append_timeline(rec.id, &[entry]).await.expect("second"),
        0
    );
    tx.commit().await.expect("commit");
    assert_eq!(db.timeline(rec.id).await.expect("timeline").len(), 1);
}

async fn a_step_is_ticked_once_read_back_whole_and_unticked(db: Db) {
    let rec = insert(&db, &declared("Login down", "Login")).await;
    let step = StepId::parse("rollback").expect("id");
    let tick = Tick {
        phase: Phase::Resolution,
        step: step.clone(),
        text: "Roll back if a recent deployment caused the issue".into(),
        by: UserId::new(7).expect("u"),
        at: T0,
    };
    let mut tx = db.begin().await.expect("begin");
    assert!(tx.tick(rec.id, &tick).await.expect("first"));
    let later = Tick {
        by: UserId::new(8).expect("u"),
        ..tick.clone()
    };
    assert!(
        !tx.tick(rec.id, &later).await.expect("second"),
        "a ticked step keeps its first tick"
    );
    assert_eq!(
        tx.tick_of(rec.id, Phase::Resolution, &step)
            .await
            .expect("read"),
        Some(tick.clone())
    );
    assert_eq!(
        tx.tick_of(rec.id, Phase::Recovery, &step)
            .await
            .expect("read"),
        None,
        "ticks belong to their phase"
    );
    tx.commit().await.expect("commit");
    assert_eq!(db.ticks(rec.id).await.expect("ticks"), [tick]);

    let mut tx = db.begin().await.expect("begin");
    assert!(tx
        .untick(rec.id, Phase::Resolution, &step)
        .await
        .expect("untick"));
    assert!(!tx
        .untick(rec.id, Phase::Resolution, &step)
        .await
        .expect("again"));
    tx.commit().await.expect("commit");
    assert!(db.ticks(rec.id).await.expect("ticks").is_empty());
}

async fn earlier_incidents_are_found_by_shared_system_case_insensitively(db: Db) {
    insert(&db, &declared("Login down", "LOGIN")).await;
    insert(&db, &declared("Store down", "Store")).await;
    let found = db
        .earlier_incidents(
            guild(),
            &Systems::parse("login").expect("s"),
            T0 - TimeDelta::days(1),
            T0 + TimeDelta::days(1),
        )
        .await
        .expect("query");
    assert_eq!(found.iter().map(|e| e.number).collect::<Vec<_>>(), [1]);
}

async fn a_job_with_an_existing_idempotency_key_is_not_added_again(db: Db) {
    let mut tx = db.begin().await.expect("begin");
    assert!(tx
        .enqueue(&job("a", T0), T0)
        .await
        .expect("first")
        .is_some());
    assert!(tx
        .enqueue(&job("a", T0), T0)
        .await
        .expect("second")
        .is_none());
    tx.commit().await.expect("commit");
    assert_eq!(db.pending_jobs().await.expect("count"), 1);
}

async fn due_jobs_are_claimed_oldest_first_and_not_twice_while_leased(db: Db) {
    let mut tx = db.begin().await.expect("begin");
    tx.enqueue(&job("late", T0 + TimeDelta::seconds(2)), T0)
        .await
        .expect("enqueue");
    tx.enqueue(&job("early", T0 + TimeDelta::seconds(1)), T0)
        .await
        .expect("enqueue");
    tx.enqueue(&job("future", T0 + TimeDelta::hours(1)), T0)
        .await
        .expect("enqueue");
    tx.commit().await.expect("commit");

    let now = T0 + TimeDelta::seconds(5);
    let claimed = db
        .claim_due_jobs(now, TimeDelta::minutes(1), 10, 10, "")
        .await
        .expect("claim")
        .jobs;
    let keys: Vec<_> = claimed.iter().map(|j| j.idempotency_key.as_str()).collect();
    assert_eq!(keys, ["early", "late"]);
    assert!(claimed.iter().all(|j| j.attempts == 1));
    assert!(db
        .claim_due_jobs(now, TimeDelta::minutes(1), 10, 10, "")
        .await
        .expect("again")
        .is_empty());
    assert_eq!(
        db.next_due_at(now).await.expect("next"),
        Some(now + TimeDelta::minutes(1)),
        "the leases run out before the future job is due"
    );

    // On SQLite a restart releases the dead process's claims, so the jobs run again at once.
    // On PostgreSQL other processes may be running them: only their leases bring them back.
    let (released, reclaimed) = match db.backend() {
        Backend::Sqlite => (2, 2),
        Backend::Postgres => (0, 0),
    };
    assert_eq!(db.release_claims().await.expect("release"), released);
    assert_eq!(
        db.claim_due_jobs(now, TimeDelta::minutes(1), 10, 10, "")
            .await
            .expect("reclaim")
            .len(),
        reclaimed
    );
}

async fn a_claimed_job_is_due_again_when_its_lease_runs_out(db: Db) {
    let mut tx = db.begin().await.expect("begin");
    tx.enqueue(&job("stuck", T0), T0).await.expect("enqueue");
    tx.enqueue(&job("tomorrow", T0 + TimeDelta::days(1)), T0)
        .await
        .expect("enqueue");
    tx.commit().await.expect("commit");
    let lease = TimeDelta::minutes(5);
    let claimed = db
        .claim_due_jobs(T0, lease, 10, 10, "")
        .await
        .expect("claim");
    assert_eq!(claimed.jobs.len(), 1);

    // Its worker never records an outcome: the loop must still wake when the lease runs out.
    assert_eq!(db.next_due_at(T0).await.expect("next"), Some(T0 + lease));
    assert_eq!(
        db.next_due_at(T0 + TimeDelta::hours(1))
            .await
            .expect("next, the lease long expired"),
        Some(T0 + lease),
        "an expired lease is due at once"
    );
}

async fn a_job_that_used_every_attempt_unrecorded_is_given_up_at_its_next_claim(db: Db) {
    let mut tx = db.begin().await.expect("begin");
    tx.enqueue(&job("dies", T0), T0).await.expect("enqueue");
    tx.commit().await.expect("commit");
    let lease = TimeDelta::minutes(5);
    // The first attempt fails and is retried; the second is claimed and never records an
    // outcome (it panicked), so its lease just runs out.
    let first = db
        .claim_due_jobs(T0, lease, 10, 2, "never finished.")
        .await
        .expect("claim");
    db.retry_job(&first.jobs[0], "flaky", T0)
        .await
        .expect("record");
    let second = db
        .claim_due_jobs(T0, lease, 10, 2, "never finished.")
        .await
        .expect("claim");
    assert_eq!(second.jobs[0].attempts, 2);
    let now = T0 + lease;
    let claimed = db
        .claim_due_jobs(now, lease, 10, 2, "never finished.")
        .await
        .expect("claim");
    assert!(claimed.jobs.is_empty(), "{claimed:?}");
    let dead = &claimed.exhausted[0];
    assert_eq!(dead.attempts, 2);
    assert_eq!(
        dead.last_error.as_deref(),
        Some("never finished. The last error: flaky")
    );
    assert_eq!(dead.finished_at, Some(now));
    assert_eq!(db.pending_jobs().await.expect("count"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_new_database_file_opens_every_time() {
    // On a multi-threaded runtime, as the bot runs, opening a new file failed about once in
    // 30 with "database is locked" when the pool's first connections switched it to WAL
    // together; 200 opens catch that almost surely.
    let dir = tempfile::tempdir().expect("tempdir");
    for i in 0..200 {
        let path = dir.path().join(format!("bot-{i}.db"));
        match Db::open(&path).await {
            Ok(db) => db.close().await,
            Err(e) => panic!("open #{i} of a new file failed: {e}"),
        }
    }
}

#[tokio::test]
async fn a_file_database_runs_in_wal_mode_with_foreign_keys_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(&dir.path().join("bot.db")).await.expect("open");
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(&db.pool)
        .await
        .expect("pragma");
    let (fk,): (i64,) = sqlx::query_as("PRAGMA foreign_keys")
        .fetch_one(&db.pool)
        .await
        .expect("pragma");
    let (sync,): (i64,) = sqlx::query_as("PRAGMA synchronous")
        .fetch_one(&db.pool)
        .await
        .expect("pragma");
    let (busy,): (i64,) = sqlx::query_as("PRAGMA busy_timeout")
        .fetch_one(&db.pool)
        .await
        .expect("pragma");
    assert_eq!((mode.as_str(), fk, sync, busy), ("wal", 1, 2, 10_000));
}

async fn an_incident_stored_with_a_character_parsing_now_refuses_still_loads_and_can_be_worked(
    db: Db,
) {
    // An older version accepted the soft hyphen in every text; this one refuses it when typed.
    let rec = insert(&db, &declared("Login down", "Login, Store")).await;
    insert(&db, &declared("Store slow", "Store")).await;
    let soft = |s: &str| s.replace('-', "\u{00AD}");
    for (sql, value) in [
        (
            "UPDATE incidents SET title = $1 WHERE id = $2",
            soft("Log-in down"),
        ),
        (
            "UPDATE incidents SET summary = $1 WHERE id = $2",
            soft("play-ers cannot log in"),
        ),
        (
            "UPDATE incident_systems SET name = $1 WHERE incident_id = $2 AND position = 0",
            soft("Log-in"),
        ),
    ] {
        sqlx::query(sql)
            .bind(value)
            .bind(rec.id.0)
            .execute(&db.pool)
            .await
            .expect("write the old row");
    }
    assert!(IncidentTitle::parse(&soft("Log-in down")).is_err());

    let loaded = db.incident(rec.id).await.expect("load").expect("exists");
    assert_eq!(loaded.incident.title.as_str(), soft("Log-in down"));
    assert_eq!(
        loaded.incident.summary.as_ref().map(FreeText::as_str),
        Some(soft("play-ers cannot log in").as_str())
    );
    assert_eq!(
        loaded.incident.systems.names().collect::<Vec<_>>(),
        [soft("Log-in").as_str(), "Store"]
    );
    // Every read that hydrates it works: the guild's list and the recurrence rule.
    let listed = db.unclosed_incidents(guild()).await.expect("list");
    assert_eq!(listed.len(), 2);
    let earlier = db
        .earlier_incidents(
            guild(),
            &Systems::parse("Store").expect("s"),
            T0 - TimeDelta::days(1),
            T0 + TimeDelta::days(1),
        )
        .await
        .expect("recurrence");
    assert_eq!(earlier.iter().map(|e| e.number).collect::<Vec<_>>(), [1, 2]);

    // And it stays workable: a change is saved and read back with the text untouched.
    let mut worked = loaded.clone();
    worked
        .incident
        .apply(
            Command::Note {
                text: FreeText::parse("still here").expect("note"),
            },
            UserId::new(5).expect("u"),
            T0 + TimeDelta::minutes(1),
        )
        .expect("note");
    let mut tx = db.begin().await.expect("begin");
    tx.save_incident(&worked).await.expect("save");
    tx.commit().await.expect("commit");
    let reloaded = db.incident(rec.id).await.expect("reload").expect("exists");
    assert_eq!(reloaded, worked);
}

async fn due_jobs_count_claimed_and_waiting_ones_and_failed_ones_are_counted_apart(db: Db) {
    let mut tx = db.begin().await.expect("begin");
    for (key, due) in [
        ("running", T0),
        ("waiting", T0 + TimeDelta::seconds(1)),
        ("done", T0),
        ("doomed", T0),
        ("later", T0 + TimeDelta::hours(1)),
    ] {
        tx.enqueue(&job(key, due), T0).await.expect("enqueue");
    }
    tx.commit().await.expect("commit");
    let now = T0 + TimeDelta::seconds(5);
    let claimed = db
        .claim_due_jobs(T0, TimeDelta::minutes(1), 10, 10, "")
        .await
        .expect("claim")
        .jobs;
    for j in &claimed {
        match j.idempotency_key.as_str() {
            "done" => assert!(db.finish_job(j, now).await.expect("finish")),
            "doomed" => assert!(db
                .fail_job(j, &JobFailure::Error("gone".into()), now)
                .await
                .expect("fail")),
            _ => {}
        }
    }
    assert_eq!(claimed.len(), 3, "{claimed:?}");
    assert_eq!(
        db.due_jobs(now).await.expect("due"),
        2,
        "running and waiting"
    );
    assert_eq!(
        db.due_jobs(T0 - TimeDelta::seconds(1)).await.expect("due"),
        0
    );
    assert_eq!(db.failed_jobs().await.expect("failed"), 1);
    assert_eq!(db.pending_jobs().await.expect("pending"), 3);
}

async fn corrected_facts_and_the_last_eta_round_trip_and_the_recurrence_rule_sees_new_systems(
    db: Db,
) {
    let mut rec = insert(&db, &declared("Login down", "Login")).await;
    let at = T0 + TimeDelta::minutes(10);
    rec.incident
        .apply(
            Command::Edit {
                title: Some(IncidentTitle::parse("Store down").expect("title")),
                systems: Some(Systems::parse("Store, Database").expect("systems")),
                summary: None,
                detected_at: Some(SinceInput::Ago(TimeDelta::minutes(20))),
            },
            UserId::new(5).expect("u"),
            at,
        )
        .expect("edit");
    rec.incident
        .apply(
            Command::ChangeKind {
                to: IncidentKind::Security,
            },
            UserId::new(5).expect("u"),
            at,
        )
        .expect("kind");
    for eta in [
        EtaInput::parse("45m").expect("eta"),
        EtaInput::parse("after the patch").expect("eta"),
    ] {
        rec.incident
            .apply(
                Command::Update {
                    message: FreeText::parse("working").expect("text"),
                    public: false,
                    publish: false,
                    eta: Some(eta),
                },
                UserId::new(5).expect("u"),
                at,
            )
            .expect("update");
        let mut tx = db.begin().await.expect("begin");
        tx.save_incident(&rec).await.expect("save");
        tx.commit().await.expect("commit");
        let back = db.incident(rec.id).await.expect("read").expect("found");
        assert_eq!(back, rec);
    }
    let back = db.incident(rec.id).await.expect("read").expect("found");
    assert_eq!(back.incident.detected_at, T0 - TimeDelta::minutes(10));
    assert_eq!(
        back.incident.eta,
        Some(Eta::Text(ShortText::parse("after the patch").expect("t")))
    );
    let store = Systems::parse("store").expect("systems");
    let earlier = db
        .earlier_incidents(guild(), &store, T0 - TimeDelta::days(1), at)
        .await
        .expect("read");
    assert_eq!(earlier.len(), 1, "the corrected systems are matched");
}

async fn verifying_resolved_and_a_reopened_phase_four_round_trip(db: Db) {
    let mut rec = insert(&db, &declared("Login down", "Login")).await;
    let who = UserId::new(5).expect("u");
    let text = |t: &str| FreeText::parse(t).expect("text");
    let steps = [
        (
            Command::Resolve {
                root_cause: text("disk"),
                compensation: None,
                all_clear_now: false,
            },
            Status::Verifying,
        ),
        (Command::FixHeld, Status::Resolved),
        (
            Command::Reopen {
                reason: text("back"),
            },
            Status::Open,
        ),
        (
            Command::Resolve {
                root_cause: text("disk again"),
                compensation: None,
                all_clear_now: false,
            },
            Status::Verifying,
        ),
    ];
    for (minutes, (command, status)) in (1..).zip(steps) {
        rec.incident
            .apply(command, who, T0 + TimeDelta::minutes(minutes))
            .expect("applies");
        let mut tx = db.begin().await.expect("begin");
        tx.save_incident(&rec).await.expect("save");
        tx.commit().await.expect("commit");
        let loaded = db.incident(rec.id).await.expect("load").expect("row");
        assert_eq!(loaded.incident.status, status);
        assert_eq!(loaded.incident, rec.incident, "round trip whole");
        // Found as being verified by its system (whatever the case) or as a card's incident.
        let mut tx = db.begin().await.expect("begin");
        let by_system = tx
            .verifying_incidents_about(guild(), Some("LOGIN"), None)
            .await
            .expect("read");
        let by_card = tx
            .verifying_incidents_about(guild(), None, Some(rec.id))
            .await
            .expect("read");
        let other = tx
            .verifying_incidents_about(guild(), Some("Store"), None)
            .await
            .expect("read");
        tx.commit().await.expect("commit");
        let fixed = rec
            .incident
            .resolved_at
            .filter(|_| status == Status::Verifying);
        let expected: Vec<_> = fixed.map(|at| (rec.id, at)).into_iter().collect();
        assert_eq!(by_system, expected, "{status:?}");
        assert_eq!(by_card, expected, "{status:?}");
        assert!(other.is_empty());
    }
    let phases: Vec<Phase> = rec.incident.phases.iter().map(|s| s.phase).collect();
    assert_eq!(
        phases,
        [
            Phase::Triage,
            Phase::Resolution,
            Phase::Recovery,
            Phase::Resolution
        ]
    );
    // A fix being verified is still an unclosed incident.
    assert_eq!(db.unclosed_incidents(guild()).await.expect("list").len(), 1);
}

async fn an_optional_postmortem_its_meeting_event_action_kinds_and_lessons_round_trip(db: Db) {
    let record = insert(&db, &declared("Slow store", "Store")).await;
    let rhea = UserId::new(5).expect("id");
    let due = T0 + TimeDelta::hours(48);
    let optional = PostmortemReason::Optional {
        severity: Severity::P2,
    };
    let mut tx = db.begin().await.expect("tx");
    assert!(tx
        .start_postmortem(record.id, &optional, due, rhea)
        .await
        .expect("start"));
    let again = PostmortemReason::Optional {
        severity: Severity::P3,
    };
    assert!(
        !tx.start_postmortem(record.id, &again, due, rhea)
            .await
            .expect("second"),
        "one post-mortem per incident"
    );
    let event = EventId::new(u64::MAX).expect("id");
    tx.set_meeting_event(record.id, Some(event))
        .await
        .expect("event");
    let fix = ActionItem {
        kind: Some(ActionKind::Fix),
        text: "Cache warmed".into(),
        owner: None,
        created_at: T0,
    };
    tx.add_action(record.id, &fix, rhea).await.expect("action");
    let lesson = Lesson {
        kind: LessonKind::WentBadly,
        text: "No cache alarm".into(),
        by: rhea,
        created_at: T0,
    };
    tx.add_lesson(record.id, &lesson).await.expect("lesson");
    let entry = TimelineEntry::by(rhea, T0, EntryKind::Note, "noted");
    tx.append_timeline(record.id, std::slice::from_ref(&entry))
        .await
        .expect("note");
    let in_tx = tx.timeline(record.id).await.expect("timeline");
    tx.commit().await.expect("commit");

    let pm = db.postmortem(record.id).await.expect("read").expect("one");
    assert_eq!(pm.started_by, Some(rhea));
    assert_eq!(pm.meeting_event, Some(event), "a u64 id round-trips");
    assert_eq!(pm.reason, optional);
    assert_eq!(db.actions(record.id).await.expect("actions"), [fix]);
    assert_eq!(db.lessons(record.id).await.expect("lessons"), [lesson]);
    assert_eq!(in_tx, db.timeline(record.id).await.expect("timeline"));
    assert!(in_tx.contains(&entry));
}

async fn a_postmortem_reason_is_stored_as_its_key_and_an_older_sentence_reads_back_as_said(db: Db) {
    let record = insert(&db, &declared("Login down", "Login")).await;
    let recurs = PostmortemReason::Recurrence {
        severity: Severity::P1,
        system: "Login".into(),
        earlier_severity: Severity::P0,
        earlier_number: 7,
        days: 30,
    };
    let mut tx = db.begin().await.expect("tx");
    tx.insert_postmortem(record.id, &recurs, T0)
        .await
        .expect("insert");
    tx.commit().await.expect("commit");
    let (stored,): (String,) =
        sqlx::query_as("SELECT reason FROM postmortems WHERE incident_id = $1")
            .bind(record.id.0)
            .fetch_one(&db.pool)
            .await
            .expect("row");
    assert!(stored.starts_with(r#"{"key":"recurrence""#), "{stored}");
    let pm = db.postmortem(record.id).await.expect("read").expect("one");
    assert_eq!(pm.reason, recurs);

    // A row written before the reason was data kept its sentence.
    let older = "every P0 incident gets a post-mortem";
    sqlx::query("UPDATE postmortems SET reason = $1 WHERE incident_id = $2")
        .bind(older)
        .bind(record.id.0)
        .execute(&db.pool)
        .await
        .expect("older row");
    let pm = db.postmortem(record.id).await.expect("read").expect("one");
    assert_eq!(
        pm.reason,
        PostmortemReason::Said {
            text: older.to_owned()
        }
    );
}

/// A SQLite file and a PostgreSQL database, each opened twice: two processes on one database.
async fn twice() -> Vec<(Db, Db, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bot.db");
    let sqlite = (
        Db::open(&path).await.expect("first"),
        Db::open(&path).await.expect("second"),
        Some(dir),
    );
    let url = postgres_url().await;
    let postgres = (
        Db::connect_postgres(&url).await.expect("first"),
        Db::connect_postgres(&url).await.expect("second"),
        None,
    );
    vec![sqlite, postgres]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_declaring_at_once_get_distinct_numbers_in_order() {
    for (a, b, _dir) in twice().await {
        let mut tasks = Vec::new();
        for i in 0..20 {
            let db = if i % 2 == 0 { a.clone() } else { b.clone() };
            tasks.push(tokio::spawn(async move {
                insert(&db, &declared("Login down", "Login")).await.number.0
            }));
        }
        let mut numbers = Vec::new();
        for task in tasks {
            numbers.push(task.await.expect("declare"));
        }
        numbers.sort_unstable();
        assert_eq!(
            numbers,
            (1..=20).collect::<Vec<u32>>(),
            "on {:?}",
            a.backend()
        );
    }
}

/// Two bots on one PostgreSQL server (staging and production, or two tests), each with its own
/// database, for the same guild: a standby of one that finds its lease stale must not end the
/// other's owner, whose lock has the same keys in the server-wide `pg_locks`.
#[tokio::test]
async fn a_stale_lease_ends_only_a_holder_in_its_own_database() {
    let (here, there) = (postgres_url().await, postgres_url().await);
    let here_db = Db::connect_postgres(&here).await.expect("here");
    Db::connect_postgres(&there).await.expect("there");
    let mut owner = GatewayLock::connect(&there, guild())
        .await
        .expect("connect");
    assert!(owner.try_take().await.expect("take"));
    let epoch = owner
        .take_lease("there", std::time::Duration::from_secs(15))
        .await
        .expect("lease")
        .expect("a fresh lease is taken");
    // Here, the owner died long ago and its lock went with it.
    sqlx::query(
        "INSERT INTO gateway_leases (lock_key, epoch, holder, holder_pid, renewed_at) \
         VALUES ($1, 1, 'gone', 0, 0)",
    )
    .bind(i64::try_from(guild().get()).expect("small"))
    .execute(&here_db.pool)
    .await
    .expect("a stale lease");
    let mut standby = GatewayLock::connect(&here, guild()).await.expect("connect");
    let ended = standby
        .end_stale_holder(std::time::Duration::from_secs(1))
        .await
        .expect("look");
    assert_eq!(ended, None, "nobody holds the lock here");
    assert!(
        owner
            .renew_lease(epoch)
            .await
            .expect("the other owner keeps its connection"),
        "and its lease"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_claiming_at_once_never_take_one_job_twice() {
    for (a, b, _dir) in twice().await {
        let mut tx = a.begin().await.expect("begin");
        for i in 0..200 {
            tx.enqueue(&job(&format!("job-{i}"), T0), T0)
                .await
                .expect("enqueue");
        }
        tx.commit().await.expect("commit");
        let now = T0 + TimeDelta::seconds(1);
        let worker = |db: Db| {
            tokio::spawn(async move {
                let mut ids = Vec::new();
                loop {
                    let claimed = db
                        .claim_due_jobs(now, TimeDelta::minutes(5), 7, 10, "")
                        .await
                        .expect("claim");
                    if claimed.is_empty() {
                        return ids;
                    }
                    ids.extend(claimed.jobs.iter().map(|j| j.id));
                }
            })
        };
        let (one, two) = (worker(a.clone()), worker(b.clone()));
        let (one, two) = (one.await.expect("one"), two.await.expect("two"));
        let mut all: Vec<JobId> = one.iter().chain(&two).copied().collect();
        all.sort_unstable_by_key(|id| id.0);
        let total = all.len();
        all.dedup();
        assert_eq!(
            (total, all.len()),
            (200, 200),
            "on {:?}: every job claimed once",
            a.backend()
        );
    }
}

#[tokio::test]
async fn numbering_goes_on_after_the_highest_number_of_a_database_from_before_the_counters() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bot.db");
    let sqlite_url = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .to_url_lossy()
        .to_string();
    let postgres_url = postgres_url().await;
    for url in [sqlite_url, postgres_url] {
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .expect("connect");
        let postgres = url.starts_with("postgres");
        let backend = if postgres {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        // The schema before the counters, with incidents 1 and 7.
        backend
            .migrator()
            .run_to(20261130000600, &pool)
            .await
            .expect("migrate to before the counters");
        for number in [1_i64, 7] {
            sqlx::query(
                "INSERT INTO incidents (guild_id, number, title, kind, severity, phase, status, \
                 declared_by, declared_at, last_change_at) \
                 VALUES ($1, $2, 'Old', 'availability', 'P2', 1, 'open', 5, 0, 0)",
            )
            .bind(to_db_id(guild().get()))
            .bind(number)
            .execute(&pool)
            .await
            .expect("an old incident");
        }
        pool.close().await;
        let db = if postgres {
            Db::connect_postgres(&url).await.expect("upgrade")
        } else {
            Db::open(&path).await.expect("upgrade")
        };
        let rec = insert(&db, &declared("Login down", "Login")).await;
        assert_eq!(rec.number.0, 8, "on {backend:?}");
    }
}

#[tokio::test]
async fn both_backends_have_the_same_migrations_and_the_same_columns() {
    let versions = |m: &sqlx::migrate::Migrator| {
        m.iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        versions(&MIGRATOR),
        versions(&PG_MIGRATOR),
        "migrations/sqlite and migrations/postgres should have the same files"
    );

    let sqlite = sqlite().await;
    let mut lite: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT m.name, p.name, p.type FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name != '_sqlx_migrations'",
    )
    .fetch_all(&sqlite.pool)
    .await
    .expect("sqlite columns");
    let pg = postgres().await;
    let mut post: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, \
         CASE data_type WHEN 'bigint' THEN 'INTEGER' ELSE upper(data_type::text) END \
         FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name != '_sqlx_migrations'",
    )
    .fetch_all(&pg.pool)
    .await
    .expect("postgres columns");
    lite.sort();
    post.sort();
    assert_eq!(
        lite, post,
        "the two schemas should have the same tables and columns"
    );
}

#[tokio::test]
async fn a_sqlite_database_is_copied_into_postgresql_whole_and_a_second_copy_adds_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = Db::open(&dir.path().join("bot.db")).await.expect("sqlite");
    // A little of everything: incidents with systems, phases and roles, a timeline, jobs
    // (one of them done), an announcement, a post-mortem with its items, audit, a relabel
    // and an alert card with its alert.
    an_optional_postmortem_its_meeting_event_action_kinds_and_lessons_round_trip(source.clone())
        .await;
    let mut second = insert(&source, &declared("Login down", "Login, Store")).await;
    second
        .incident
        .apply(
            Command::Assign {
                role: IncidentRole::Commander,
                user: UserId::new(7).expect("u"),
            },
            UserId::new(5).expect("u"),
            T0,
        )
        .expect("assign");
    let mut tx = source.begin().await.expect("tx");
    tx.save_incident(&second).await.expect("save");
    tx.enqueue(&job("due", T0), T0).await.expect("job");
    let done = tx
        .enqueue(&job("done", T0), T0)
        .await
        .expect("job")
        .expect("new");
    tx.finish_job(done, T0).await.expect("finish");
    tx.insert_announcement(&super::NewAnnouncement {
        incident: second.id,
        kind: AnnouncementKind::Alert,
        channel: ChannelId::new(77).expect("c"),
        publish: true,
        content: "🚨 Login is down",
        systems: &second.incident.systems,
        severity: second.incident.severity,
        at: T0,
    })
    .await
    .expect("announcement");
    tx.audit(&AuditEntry {
        at: T0,
        guild_id: guild(),
        actor: UserId::new(5),
        incident: Some(second.id),
        action: "declare".into(),
        detail: json!({"severity": "P1"}),
    })
    .await
    .expect("audit");
    let card = tx
        .insert_alert_card(&NewCard {
            source: AlertSource::parse("alertmanager").expect("source"),
            group_key: "g",
            title: "Login errors",
            system: Some("Login"),
            link: None,
            started_at: T0,
            now: T0,
            incident: Some(second.id),
        })
        .await
        .expect("card");
    tx.insert_alert(card, "k", "o", AlertStatus::Firing, "Login errors", T0, T0)
        .await
        .expect("alert");
    tx.commit().await.expect("commit");
    source
        .record_relabel(ChannelId::new(77).expect("c"), T0)
        .await
        .expect("relabel");

    let target = postgres().await;
    let first = source.copy_into(&target).await.expect("copy");
    let count = |table: &str| {
        first
            .iter()
            .find(|c| c.table == table)
            .map(|c| (c.source, c.written, c.target))
    };
    assert_eq!(count("incidents"), Some((2, 2, 2)));
    assert_eq!(count("jobs"), Some((2, 2, 2)));
    assert_eq!(count("alerts"), Some((1, 1, 1)));
    assert_eq!(count("channel_relabels"), Some((1, 1, 1)));
    assert!(first.iter().all(|c| c.source == c.target), "{first:?}");

    // What the bot reads back is the same on both.
    for id in [IncidentId(1), second.id] {
        assert_eq!(
            target.incident(id).await.expect("pg"),
            source.incident(id).await.expect("sqlite")
        );
        assert_eq!(
            target.timeline(id).await.expect("pg"),
            source.timeline(id).await.expect("sqlite")
        );
    }
    assert_eq!(
        target.jobs_of(None).await.expect("pg"),
        source.jobs_of(None).await.expect("sqlite"),
        "jobs keep their due times, attempts and outcomes"
    );
    assert_eq!(
        target.alert_cards().await.expect("pg"),
        source.alert_cards().await.expect("sqlite")
    );
    assert_eq!(
        target.audit_actions(second.id).await.expect("pg"),
        ["declare"]
    );

    // Again: nothing is written twice.
    let again = source.copy_into(&target).await.expect("second copy");
    assert!(
        again
            .iter()
            .all(|c| c.source == c.target && (c.written == 0 || c.table == "channel_relabels")),
        "{again:?}"
    );

    // The target goes on numbering and counting ids after the copied rows.
    let third = insert(&target, &declared("Store slow", "Store")).await;
    assert_eq!(third.number.0, 3);
    assert!(third.id.0 > second.id.0);
}

#[tokio::test]
async fn a_copy_into_a_database_holding_other_incidents_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = Db::open(&dir.path().join("bot.db")).await.expect("sqlite");
    insert(&source, &declared("Login down", "Login")).await;
    let target = postgres().await;
    insert(&target, &declared("Store slow", "Store")).await;
    insert(&target, &declared("Chat lag", "Chat")).await;
    let err = source.copy_into(&target).await.expect_err("refused");
    assert!(
        matches!(
            err,
            CopyError::Mismatch {
                table: "incidents",
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("copy into an empty database"),
        "{err}"
    );
    assert_eq!(
        target
            .unclosed_incidents(guild())
            .await
            .expect("read")
            .len(),
        2
    );
}

#[tokio::test]
async fn a_named_lock_has_one_holder_across_processes_and_is_free_again_once_dropped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = Db::open(&dir.path().join("bot.db")).await.expect("sqlite");
    let url = postgres_url().await;
    // On SQLite one process serves the file: its handles share the locks. On PostgreSQL two
    // connections to the database stand for two processes.
    let pairs = [
        (sqlite.clone(), sqlite),
        (
            Db::connect_postgres(&url).await.expect("first"),
            Db::connect_postgres(&url).await.expect("second"),
        ),
    ];
    for (a, b) in pairs {
        let backend = a.backend();
        let held = a.lock_named("publish").await.expect("lock");
        assert!(
            b.try_lock_named("publish").await.expect("try").is_none(),
            "on {backend:?}: a second holder while the first holds it"
        );
        let other = b.try_lock_named("rename").await.expect("try");
        assert!(other.is_some(), "on {backend:?}: another name is free");
        held.release().await.expect("release");
        let again = b.try_lock_named("publish").await.expect("try");
        assert!(again.is_some(), "on {backend:?}: free once released");
        // Dropped rather than released, it is freed too: waiting for it ends.
        drop(again);
        drop(b.lock_named("publish").await.expect("lock"));
    }
}

#[cfg(unix)]
#[tokio::test]
async fn a_new_database_file_and_its_wal_and_shm_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bot.db");
    let db = Db::open(&path).await.expect("open");
    // A write, so that the write-ahead log and its index exist.
    db.set_meta("probe", "x").await.expect("write");
    let mode = |name: &str| {
        let file = dir.path().join(name);
        std::fs::metadata(&file)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .permissions()
            .mode()
            & 0o777
    };
    for name in ["bot.db", "bot.db-wal", "bot.db-shm"] {
        assert_eq!(mode(name), 0o600, "{name}: {:o}", mode(name));
    }
    db.close().await;
    // An existing file opens as it is.
    let again = Db::open(&path).await.expect("reopen");
    assert_eq!(
        again.meta("probe").await.expect("read").as_deref(),
        Some("x")
    );
    again.close().await;
}

/// The facts an announcement told stay as they were when it was made; the migration that added
/// them gives rows from before it the incident's systems and severity.
async fn an_announcement_keeps_the_facts_it_told_and_older_rows_take_the_incident_s(db: Db) {
    let incident = declared("Login down", "Login, Store");
    let rec = insert(&db, &incident).await;
    let told = Systems::parse("Login").expect("systems");
    let mut tx = db.begin().await.expect("tx");
    let id = tx
        .insert_announcement(&NewAnnouncement {
            incident: rec.id,
            kind: AnnouncementKind::Alert,
            channel: ChannelId::new(77).expect("c"),
            publish: true,
            content: "🚨 Login is down",
            systems: &told,
            severity: Severity::P0,
            at: T0,
        })
        .await
        .expect("announcement");
    tx.commit().await.expect("commit");
    let read = db.announcement(id).await.expect("read").expect("there");
    assert_eq!(read.systems, told);
    assert_eq!(read.severity, Severity::P0);

    // As if the row were older than the columns: drop them and run the migration again.
    sqlx::raw_sql("ALTER TABLE announcements DROP COLUMN systems")
        .execute(&db.pool)
        .await
        .expect("drop");
    sqlx::raw_sql("ALTER TABLE announcements DROP COLUMN severity")
        .execute(&db.pool)
        .await
        .expect("drop");
    run_again(&db, "store announced facts").await;
    let read = db.announcement(id).await.expect("read").expect("there");
    assert_eq!(read.systems, incident.systems, "the incident's, in order");
    assert_eq!(read.severity, Severity::P1);
}

on_both!(a_delivery_digest_is_seen_until_it_expires_and_then_forgotten);

async fn a_delivery_digest_is_seen_until_it_expires_and_then_forgotten(db: Db) {
    use crate::domain::AlertSource;
    let (now, hour) = (T0, chrono::TimeDelta::hours(1));
    assert!(!db
        .delivery_seen(AlertSource::Sentry, "ab12", now)
        .await
        .expect("read"));
    db.remember_delivery(AlertSource::Sentry, "ab12", now, now + hour)
        .await
        .expect("remember");
    // Again, as two replicas taking one delivery at once would: one row.
    db.remember_delivery(AlertSource::Sentry, "ab12", now, now + hour)
        .await
        .expect("remember again");
    assert!(db
        .delivery_seen(AlertSource::Sentry, "ab12", now)
        .await
        .expect("read"));
    assert!(!db
        .delivery_seen(AlertSource::Grafana, "ab12", now)
        .await
        .expect("read"));
    let later = now + hour;
    assert!(!db
        .delivery_seen(AlertSource::Sentry, "ab12", later)
        .await
        .expect("read"));
    assert_eq!(db.delivery_count().await.expect("count"), 1);
    // The next one taken forgets those whose time is over.
    db.remember_delivery(AlertSource::Grafana, "cd34", later, later + hour)
        .await
        .expect("remember");
    assert_eq!(db.delivery_count().await.expect("count"), 1);
}

on_both!(a_maintenance_window_round_trips_whole_and_is_found_by_its_event);

async fn a_maintenance_window_round_trips_whole_and_is_found_by_its_event(db: Db) {
    let mut w = Window {
        id: 0,
        title: WindowTitle::parse("Database upgrade").expect("title"),
        systems: Systems::parse("Login, Store").expect("systems"),
        message: Some(WindowMessage::parse("Faster\nservers").expect("message")),
        start: T0 + TimeDelta::hours(2),
        end: T0 + TimeDelta::hours(3),
        status: WindowStatus::Scheduled,
        incident: None,
        event: None,
        // The highest bit set: the id round-trips through the signed column.
        created_by: UserId::new(u64::MAX).expect("user"),
        created_at: T0,
        started_at: None,
        ended_at: None,
    };
    let mut tx = db.begin().await.expect("begin");
    w.id = tx.insert_window(&w).await.expect("insert");
    tx.commit().await.expect("commit");
    assert_eq!(db.window(w.id).await.expect("read"), Some(w.clone()));

    let event = EventId::new(u64::MAX - 1).expect("event");
    let mut tx = db.begin().await.expect("begin");
    let mut stored = tx.window(w.id).await.expect("read").expect("the window");
    stored.event = Some(event);
    assert!(stored.begin(T0 + TimeDelta::hours(2)));
    tx.save_window(&stored).await.expect("save");
    tx.commit().await.expect("commit");
    let mut tx = db.begin().await.expect("begin");
    let found = tx.window_of_event(event).await.expect("read");
    tx.commit().await.expect("commit");
    assert_eq!(found, Some(stored.clone()));
    assert_eq!(db.open_windows().await.expect("open"), vec![stored.clone()]);

    // A cancelled window is not public; a completed one is, for the history.
    let mut tx = db.begin().await.expect("begin");
    let mut done = stored.clone();
    assert!(done.finish(T0 + TimeDelta::hours(3)));
    tx.save_window(&done).await.expect("save");
    tx.commit().await.expect("commit");
    assert!(db.open_windows().await.expect("open").is_empty());
    assert_eq!(db.public_windows(T0).await.expect("public"), vec![done]);
}

async fn a_waf_block_keeps_its_entry_and_is_lifted_once(db: Db) {
    let rec = insert(&db, &declared("Stuffing", "Login")).await;
    let by = UserId::new(5).expect("user");
    let block = crate::store::NewBlock {
        target: BlockTarget::from_stored("2001:db8:1::/48").expect("a range"),
        note: Some("botnet".into()),
        by,
        at: T0,
        until: Some(T0 + TimeDelta::hours(2)),
    };
    let mut tx = db.begin().await.expect("begin");
    let id = tx.add_waf_block(rec.id, &block).await.expect("add");
    tx.set_waf_entry(id, "abc123").await.expect("entry");
    tx.set_waf_blocked(id, T0).await.expect("blocked");
    assert_eq!(
        tx.ask_waf_unblock(&[id], None, T0).await.expect("ask"),
        [id]
    );
    assert!(tx
        .ask_waf_unblock(&[id], Some(by), T0)
        .await
        .expect("again")
        .is_empty());
    tx.commit().await.expect("commit");
    let read = db.waf_blocks(rec.id).await.expect("read");
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].asked, block);
    assert_eq!(read[0].entry_id.as_deref(), Some("abc123"));
    assert_eq!(
        read[0].unblocked_by, None,
        "lifted by its time, not by a person"
    );
    assert!(!read[0].in_force());
    assert_eq!(db.waf_blocks_of(&[id]).await.expect("of"), read);
}

async fn a_lockdown_keeps_what_was_there_before_and_is_lifted_once(db: Db) {
    let rec = insert(&db, &declared("Raid", "Login")).await;
    let by = UserId::new(5).expect("user");
    let channel = ChannelId::new(77).expect("channel");
    let asked = crate::store::NewLockdown {
        by,
        at: T0,
        invites_until: Some(T0 + TimeDelta::hours(48)),
        dms_until: None,
        slowmode: Some(30),
        channels: vec![channel],
    };
    let mut tx = db.begin().await.expect("begin");
    let id = tx.add_lockdown(rec.id, &asked).await.expect("add");
    tx.set_lockdown_before(id, None, Some(T0 + TimeDelta::hours(1)))
        .await
        .expect("before");
    tx.set_lockdown_before(id, Some(T0), None)
        .await
        .expect("not twice");
    tx.set_channel_previous(id, channel, 5)
        .await
        .expect("previous");
    tx.set_channel_time(id, channel, false, T0)
        .await
        .expect("slowed");
    tx.set_lockdown_time(id, false, T0).await.expect("set");
    assert!(tx.ask_unlock(id, by, T0).await.expect("ask"));
    assert!(!tx.ask_unlock(id, by, T0).await.expect("again"));
    tx.commit().await.expect("commit");
    let l = db.lockdown(id).await.expect("read").expect("there");
    assert_eq!(l.asked.invites_until, asked.invites_until);
    assert_eq!(l.asked.slowmode, Some(30));
    assert_eq!(l.before, Some((None, Some(T0 + TimeDelta::hours(1)))));
    assert_eq!(l.channels[0].previous, Some(5));
    assert_eq!(l.lift_asked, Some((T0, by)));
    assert!(!l.in_force());
    assert_eq!(db.lockdowns(rec.id).await.expect("all"), vec![l]);
}

async fn a_flag_is_set_once_listed_and_cleared_once(db: Db) {
    let rec = insert(&db, &declared("Ranked down", "Ranked")).await;
    let by = UserId::new(5).expect("user");
    let mut tx = db.begin().await.expect("begin");
    assert!(tx
        .set_flag(rec.id, "store_disabled", by, T0)
        .await
        .expect("set"));
    assert!(tx
        .set_flag(rec.id, "ranked_disabled", by, T0 + TimeDelta::minutes(1))
        .await
        .expect("set"));
    assert!(!tx
        .set_flag(rec.id, "store_disabled", by, T0)
        .await
        .expect("again"));
    tx.commit().await.expect("commit");
    assert_eq!(
        db.flags(rec.id).await.expect("flags"),
        ["store_disabled", "ranked_disabled"],
        "in the order they were set"
    );
    let mut tx = db.begin().await.expect("begin");
    assert!(tx
        .clear_flag(rec.id, "store_disabled")
        .await
        .expect("clear"));
    assert!(!tx
        .clear_flag(rec.id, "store_disabled")
        .await
        .expect("again"));
    tx.commit().await.expect("commit");
    assert_eq!(db.flags(rec.id).await.expect("flags"), ["ranked_disabled"]);
}

on_both!(a_status_webhook_is_turned_off_once_its_waiting_deliveries_dropped_and_turned_back_on);

async fn a_status_webhook_is_turned_off_once_its_waiting_deliveries_dropped_and_turned_back_on(
    db: Db,
) {
    let mut tx = db.begin().await.expect("begin");
    let first = tx
        .queue_status_delivery("fans", "1", T0)
        .await
        .expect("queue");
    let second = tx
        .queue_status_delivery("fans", "1", T0 + TimeDelta::seconds(1))
        .await
        .expect("queue");
    let other = tx
        .queue_status_delivery("launcher", "1", T0)
        .await
        .expect("queue");
    assert!(!tx.status_webhook_off("fans").await.expect("off"));
    tx.commit().await.expect("commit");
    assert!(db.status_subject_queued("fans", "1").await.expect("queued"));
    assert!(!db
        .status_subject_queued("fans", "m1")
        .await
        .expect("queued"));

    let d = db
        .status_delivery(first)
        .await
        .expect("read")
        .expect("there");
    assert!(d.waiting());
    assert_eq!(
        d.delivery_id(),
        format!("{}-{first}", T0.timestamp_millis())
    );
    assert!(!db
        .earlier_status_delivery_waiting("fans", first)
        .await
        .expect("earlier"));
    assert!(db
        .earlier_status_delivery_waiting("fans", second)
        .await
        .expect("earlier"));
    db.status_delivery_tried(first, "{\"a\":1}", T0)
        .await
        .expect("tried");
    // The body is fixed at the first attempt: a retry keeps it.
    db.status_delivery_tried(first, "{\"a\":2}", T0 + TimeDelta::seconds(5))
        .await
        .expect("tried again");
    let d = db
        .status_delivery(first)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(d.body.as_deref(), Some("{\"a\":1}"));
    assert_eq!(d.first_tried_at, Some(T0));
    db.status_delivery_sent(&d, T0).await.expect("sent");
    assert_eq!(
        db.last_status_body("fans", "1").await.expect("last"),
        Some("{\"a\":1}".to_owned())
    );
    assert!(!db
        .earlier_status_delivery_waiting("fans", second)
        .await
        .expect("earlier"));

    let (state, off) = db
        .status_webhook_failed("fans", "503", 2, T0)
        .await
        .expect("failed");
    assert_eq!((state.failures, off), (1, false));
    let (state, off) = db
        .status_webhook_failed("fans", "503", 2, T0)
        .await
        .expect("failed");
    assert_eq!((state.failures, off, state.off_at), (2, true, Some(T0)));
    let (_, again) = db
        .status_webhook_failed("fans", "503", 2, T0)
        .await
        .expect("failed");
    assert!(!again, "turned off once");
    let second = db
        .status_delivery(second)
        .await
        .expect("read")
        .expect("there");
    assert!(!second.waiting(), "what waited is dropped");
    let other = db
        .status_delivery(other)
        .await
        .expect("read")
        .expect("there");
    assert!(other.waiting(), "another webhook's deliveries stay");

    let mut tx = db.begin().await.expect("begin");
    assert!(tx.status_webhook_off("fans").await.expect("off"));
    assert!(tx.turn_status_webhook_on("fans", T0).await.expect("on"));
    assert!(!tx.turn_status_webhook_on("fans", T0).await.expect("on"));
    tx.commit().await.expect("commit");
    let states = db.status_webhook_states().await.expect("states");
    assert_eq!(states.len(), 1);
    assert_eq!((states[0].failures, states[0].off_at), (0, None));
    assert_eq!(db.status_deliveries("fans").await.expect("all").len(), 2);
}

/// The bot's reason is stored as a word and read back typed; what the target said stays its
/// text; a row from before `why` (the bot's old sentence in `snippet`) reads back as it was.
async fn a_runs_note_reads_back_as_recorded_and_an_older_sentence_as_words_said(db: Db) {
    let rec = insert(&db, &declared("Login down", "Login")).await;
    let action = ActionId::parse("snapshot-db").expect("an id");
    let reason = RunNote::Bot(BotReason::NotConfigured {
        action: action.clone(),
    });
    let said = RunNote::Said("{\"error\": \"disk full\"}".into());
    let (mut ids, mut notes) = (Vec::new(), Vec::new());
    for note in [&reason, &said, &RunNote::Bot(BotReason::Interrupted)] {
        let mut tx = db.begin().await.expect("begin");
        let new = NewActionRun {
            incident: rec.id,
            action: &action,
            by: UserId::new(5).expect("user"),
            by_name: "Ana",
            at: T0,
        };
        let run = tx.insert_action_run(&new).await.expect("insert");
        tx.commit().await.expect("commit");
        assert!(db.start_action_run(run.id, T0).await.expect("start"));
        let mut tx = db.begin().await.expect("begin");
        let finished = tx.finish_action_run(run.id, RunState::Failed, None, note, T0);
        assert!(finished.await.expect("finish"));
        tx.commit().await.expect("commit");
        let back = db.action_run(run.id).await.expect("read").expect("a run");
        ids.push(run.id);
        notes.push(back.note);
    }
    assert_eq!(
        notes,
        [
            Some(reason),
            Some(said),
            Some(RunNote::Bot(BotReason::Interrupted))
        ]
    );
    let (snippet,): (Option<String>,) =
        sqlx::query_as("SELECT snippet FROM action_runs WHERE id = $1")
            .bind(ids[0])
            .fetch_one(&db.pool)
            .await
            .expect("the first row");
    assert_eq!(snippet, None, "no sentence of ours is stored");

    let older = "no action `snapshot-db` is configured any more";
    sqlx::query("UPDATE action_runs SET snippet = $1, why = NULL WHERE id = $2")
        .bind(older)
        .bind(ids[0])
        .execute(&db.pool)
        .await
        .expect("an older row");
    let back = db.action_run(ids[0]).await.expect("read").expect("a run");
    assert_eq!(back.note, Some(RunNote::Said(older.into())));
}
