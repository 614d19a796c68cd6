//! How failures turn into what the person who asked, and the job queue, act on: the database
//! not answering is "try again in a moment", anything else an error with its causes kept.

use crate::app::jobs::use_case_failed;
use crate::app::{AppError, ChatError};
use crate::domain::Refusal;
use crate::render::Templates;
use crate::scheduler::JobError;
use crate::store;

fn refused() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused")
}

#[test]
fn a_database_that_is_not_answering_is_unavailable_and_keeps_its_cause() {
    let e = AppError::from(store::Error::Busy(Box::new(refused())));
    let AppError::Unavailable(e) = e else {
        panic!("{e:?}");
    };
    assert_eq!(format!("{e:#}"), "database: connection refused");
    assert!(e
        .chain()
        .any(|c| matches!(c.downcast_ref(), Some(store::Error::Busy(_)))));
}

#[test]
fn every_other_store_failure_is_internal_and_keeps_its_cause() {
    for e in [
        store::Error::other(refused()),
        store::Error::Duplicate(Box::new(refused())),
        store::Error::NotFound,
    ] {
        let want = format!("database: {e}");
        let AppError::Internal(e) = AppError::from(e) else {
            panic!("not internal");
        };
        assert_eq!(format!("{e:#}"), want);
        assert!(e.chain().any(|c| c.is::<store::Error>()));
    }
}

#[test]
fn a_store_failure_in_a_job_is_retried_with_its_cause_chain() {
    let JobError::Retry { error, after } = JobError::from(store::Error::other(refused())) else {
        panic!("not a retry");
    };
    assert_eq!(after, None);
    assert_eq!(format!("{error:#}"), "database: connection refused");
}

#[test]
fn a_use_case_failing_in_a_job_is_final_when_refused_and_retried_with_its_chain_otherwise() {
    let templates = Templates::load(None).expect("the built-in templates load");
    let refusal = AppError::User(Refusal::TooManyChannels {
        guild: 480,
        category: 12,
        guild_budget: 480,
        category_budget: 45,
    });
    let JobError::Fatal(why) = use_case_failed(&templates, refusal) else {
        panic!("not final");
    };
    assert!(
        why.to_string()
            .starts_with("The server has 480 channels and the incident category 12;"),
        "worded by refusal.hbs, without the ⛔ of an answer: {why}"
    );

    let broken = AppError::from(store::Error::other(refused()));
    let JobError::Retry { error, .. } = use_case_failed(&templates, broken) else {
        panic!("not a retry");
    };
    assert_eq!(format!("{error:#}"), "database: connection refused");
}

#[test]
fn a_missing_permission_is_its_own_kind_of_job_failure_carried_as_data() {
    let refused = crate::domain::Forbidden::Discord(crate::domain::Denied {
        attempt: crate::domain::Attempt::Pin,
        channel: crate::domain::ChannelId::new(42),
        needs: vec![crate::domain::Permission::PinMessages],
    });
    let e = JobError::from(ChatError::Forbidden(refused.clone()));
    assert!(
        matches!(&e, JobError::Forbidden(r) if *r == refused),
        "{e:?}"
    );
    let templates = Templates::load(None).expect("the built-in templates load");
    let said = crate::app::said_forbidden(&templates, &refused);
    assert_eq!(
        said,
        "I can't pin messages in <#42>: give me Pin Messages there (Server Settings → Roles, or \
         the channel's permissions)."
    );
    assert!(matches!(
        JobError::from(ChatError::Refused("Unknown Channel".into())),
        JobError::Fatal(_)
    ));
}
