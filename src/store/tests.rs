//! Tests of the repository against a fresh database each.

use chrono::{TimeDelta, TimeZone, Utc};
use serde_json::json;

use super::*;
use crate::domain::*;

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0)
        .single()
        .expect("valid")
}

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
    Incident::declare(d, t0()).0
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

fn job(key: &str, due: chrono::DateTime<Utc>) -> NewJob {
    NewJob {
        kind: "test".into(),
        payload: json!({"key": key}),
        incident: None,
        idempotency_key: key.into(),
        due_at: due,
    }
}

#[tokio::test]
async fn incidents_are_numbered_per_guild_and_round_trip_whole() {
    let db = Db::open_in_memory().await.expect("db");
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
            t0(),
        )
        .expect("assign");
    second
        .incident
        .apply(
            Command::AdvancePhase {
                to: Phase::Containment,
            },
            UserId::new(5).expect("u"),
            t0() + TimeDelta::minutes(4),
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

#[tokio::test]
async fn a_noted_message_is_added_to_the_timeline_once() {
    let db = Db::open_in_memory().await.expect("db");
    let rec = insert(&db, &declared("Login down", "Login")).await;
    let entry = TimelineEntry {
        source_message: MessageId::new(42),
        ..TimelineEntry::by(
            UserId::new(5).expect("u"),
            t0(),
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

#[tokio::test]
async fn a_step_is_ticked_once_read_back_whole_and_unticked() {
    let db = Db::open_in_memory().await.expect("db");
    let rec = insert(&db, &declared("Login down", "Login")).await;
    let step = StepId::parse("rollback").expect("id");
    let tick = Tick {
        phase: Phase::Resolution,
        step: step.clone(),
        text: "Roll back if a recent deployment caused the issue".into(),
        by: UserId::new(7).expect("u"),
        at: t0(),
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

#[tokio::test]
async fn earlier_incidents_are_found_by_shared_system_case_insensitively() {
    let db = Db::open_in_memory().await.expect("db");
    insert(&db, &declared("Login down", "LOGIN")).await;
    insert(&db, &declared("Store down", "Store")).await;
    let found = db
        .earlier_incidents(
            guild(),
            &Systems::parse("login").expect("s"),
            t0() - TimeDelta::days(1),
            t0() + TimeDelta::days(1),
        )
        .await
        .expect("query");
    assert_eq!(found.iter().map(|e| e.number).collect::<Vec<_>>(), [1]);
}

#[tokio::test]
async fn a_job_with_an_existing_idempotency_key_is_not_added_again() {
    let db = Db::open_in_memory().await.expect("db");
    let mut tx = db.begin().await.expect("begin");
    assert!(tx
        .enqueue(&job("a", t0()), t0())
        .await
        .expect("first")
        .is_some());
    assert!(tx
        .enqueue(&job("a", t0()), t0())
        .await
        .expect("second")
        .is_none());
    tx.commit().await.expect("commit");
    assert_eq!(db.pending_jobs().await.expect("count"), 1);
}

#[tokio::test]
async fn due_jobs_are_claimed_oldest_first_and_not_twice_while_leased() {
    let db = Db::open_in_memory().await.expect("db");
    let mut tx = db.begin().await.expect("begin");
    tx.enqueue(&job("late", t0() + TimeDelta::seconds(2)), t0())
        .await
        .expect("enqueue");
    tx.enqueue(&job("early", t0() + TimeDelta::seconds(1)), t0())
        .await
        .expect("enqueue");
    tx.enqueue(&job("future", t0() + TimeDelta::hours(1)), t0())
        .await
        .expect("enqueue");
    tx.commit().await.expect("commit");

    let now = t0() + TimeDelta::seconds(5);
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

    // A restart releases the dead process's claims, so the jobs run again at once.
    assert_eq!(db.release_claims().await.expect("release"), 2);
    assert_eq!(
        db.claim_due_jobs(now, TimeDelta::minutes(1), 10, 10, "")
            .await
            .expect("reclaim")
            .len(),
        2
    );
}

#[tokio::test]
async fn a_claimed_job_is_due_again_when_its_lease_runs_out() {
    let db = Db::open_in_memory().await.expect("db");
    let mut tx = db.begin().await.expect("begin");
    tx.enqueue(&job("stuck", t0()), t0())
        .await
        .expect("enqueue");
    tx.enqueue(&job("tomorrow", t0() + TimeDelta::days(1)), t0())
        .await
        .expect("enqueue");
    tx.commit().await.expect("commit");
    let lease = TimeDelta::minutes(5);
    let claimed = db
        .claim_due_jobs(t0(), lease, 10, 10, "")
        .await
        .expect("claim");
    assert_eq!(claimed.jobs.len(), 1);

    // Its worker never records an outcome: the loop must still wake when the lease runs out.
    assert_eq!(
        db.next_due_at(t0()).await.expect("next"),
        Some(t0() + lease)
    );
    assert_eq!(
        db.next_due_at(t0() + TimeDelta::hours(1))
            .await
            .expect("next, the lease long expired"),
        Some(t0() + lease),
        "an expired lease is due at once"
    );
}

#[tokio::test]
async fn a_job_that_used_every_attempt_unrecorded_is_given_up_at_its_next_claim() {
    let db = Db::open_in_memory().await.expect("db");
    let mut tx = db.begin().await.expect("begin");
    tx.enqueue(&job("dies", t0()), t0()).await.expect("enqueue");
    tx.commit().await.expect("commit");
    let lease = TimeDelta::minutes(5);
    // The first attempt fails and is retried; the second is claimed and never records an
    // outcome (it panicked), so its lease just runs out.
    let first = db
        .claim_due_jobs(t0(), lease, 10, 2, "never finished.")
        .await
        .expect("claim");
    db.retry_job(first.jobs[0].id, "flaky", t0())
        .await
        .expect("record");
    let second = db
        .claim_due_jobs(t0(), lease, 10, 2, "never finished.")
        .await
        .expect("claim");
    assert_eq!(second.jobs[0].attempts, 2);
    let now = t0() + lease;
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
    assert_eq!((mode.as_str(), fk, sync), ("wal", 1, 2));
}

#[tokio::test]
async fn an_incident_stored_with_a_character_parsing_now_refuses_still_loads_and_can_be_worked() {
    // An older version accepted the soft hyphen in every text; this one refuses it when typed.
    let db = Db::open_in_memory().await.expect("db");
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
            t0() - TimeDelta::days(1),
            t0() + TimeDelta::days(1),
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
            t0() + TimeDelta::minutes(1),
        )
        .expect("note");
    let mut tx = db.begin().await.expect("begin");
    tx.save_incident(&worked).await.expect("save");
    tx.commit().await.expect("commit");
    let reloaded = db.incident(rec.id).await.expect("reload").expect("exists");
    assert_eq!(reloaded, worked);
}

#[tokio::test]
async fn due_jobs_count_claimed_and_waiting_ones_and_failed_ones_are_counted_apart() {
    let db = Db::open_in_memory().await.expect("db");
    let mut tx = db.begin().await.expect("begin");
    for (key, due) in [
        ("running", t0()),
        ("waiting", t0() + TimeDelta::seconds(1)),
        ("done", t0()),
        ("doomed", t0()),
        ("later", t0() + TimeDelta::hours(1)),
    ] {
        tx.enqueue(&job(key, due), t0()).await.expect("enqueue");
    }
    tx.commit().await.expect("commit");
    let now = t0() + TimeDelta::seconds(5);
    let claimed = db
        .claim_due_jobs(t0(), TimeDelta::minutes(1), 10, 10, "")
        .await
        .expect("claim")
        .jobs;
    for j in &claimed {
        match j.idempotency_key.as_str() {
            "done" => db.finish_job(j.id, now).await.expect("finish"),
            "doomed" => db.fail_job(j.id, "gone", now).await.expect("fail"),
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
        db.due_jobs(t0() - TimeDelta::seconds(1))
            .await
            .expect("due"),
        0
    );
    assert_eq!(db.failed_jobs().await.expect("failed"), 1);
    assert_eq!(db.pending_jobs().await.expect("pending"), 3);
}

#[tokio::test]
async fn corrected_facts_and_the_last_eta_round_trip_and_the_recurrence_rule_sees_new_systems() {
    let db = Db::open_in_memory().await.expect("db");
    let mut rec = insert(&db, &declared("Login down", "Login")).await;
    let at = t0() + TimeDelta::minutes(10);
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
    assert_eq!(back.incident.detected_at, t0() - TimeDelta::minutes(10));
    assert_eq!(
        back.incident.eta,
        Some(Eta::Text(ShortText::parse("after the patch").expect("t")))
    );
    let store = Systems::parse("store").expect("systems");
    let earlier = db
        .earlier_incidents(guild(), &store, t0() - TimeDelta::days(1), at)
        .await
        .expect("read");
    assert_eq!(earlier.len(), 1, "the corrected systems are matched");
}

#[tokio::test]
async fn verifying_resolved_and_a_reopened_phase_four_round_trip() {
    let db = Db::open_in_memory().await.expect("db");
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
            .apply(command, who, t0() + TimeDelta::minutes(minutes))
            .expect("applies");
        let mut tx = db.begin().await.expect("begin");
        tx.save_incident(&rec).await.expect("save");
        tx.commit().await.expect("commit");
        let loaded = db.incident(rec.id).await.expect("load").expect("row");
        assert_eq!(loaded.incident.status, status);
        assert_eq!(loaded.incident, rec.incident, "round trip whole");
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

#[tokio::test]
async fn an_optional_postmortem_its_meeting_event_action_kinds_and_lessons_round_trip() {
    let db = Db::open_in_memory().await.expect("db");
    let record = insert(&db, &declared("Slow store", "Store")).await;
    let rhea = UserId::new(5).expect("id");
    let due = t0() + TimeDelta::hours(48);
    let mut tx = db.begin().await.expect("tx");
    assert!(tx
        .start_postmortem(record.id, "optional", due, rhea)
        .await
        .expect("start"));
    assert!(
        !tx.start_postmortem(record.id, "again", due, rhea)
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
        created_at: t0(),
    };
    tx.add_action(record.id, &fix, rhea).await.expect("action");
    let lesson = Lesson {
        kind: LessonKind::WentBadly,
        text: "No cache alarm".into(),
        by: rhea,
        created_at: t0(),
    };
    tx.add_lesson(record.id, &lesson).await.expect("lesson");
    let entry = TimelineEntry::by(rhea, t0(), EntryKind::Note, "noted");
    tx.append_timeline(record.id, std::slice::from_ref(&entry))
        .await
        .expect("note");
    let in_tx = tx.timeline(record.id).await.expect("timeline");
    tx.commit().await.expect("commit");

    let pm = db.postmortem(record.id).await.expect("read").expect("one");
    assert_eq!(pm.started_by, Some(rhea));
    assert_eq!(pm.meeting_event, Some(event), "a u64 id round-trips");
    assert_eq!(pm.reason, "optional");
    assert_eq!(db.actions(record.id).await.expect("actions"), [fix]);
    assert_eq!(db.lessons(record.id).await.expect("lessons"), [lesson]);
    assert_eq!(in_tx, db.timeline(record.id).await.expect("timeline"));
    assert!(in_tx.contains(&entry));
}
