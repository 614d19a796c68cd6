//! Performs queued jobs over serenity's Http, dispatching on the job's kind.

use std::sync::Arc;

use poise::serenity_prelude as serenity;

use crate::clock::BoxFuture;
use crate::scheduler::{JobError, JobHandler};
use crate::startup::App;
use crate::store::Job;

/// The job handler of the running bot.
pub struct DiscordJobs {
    #[expect(
        dead_code,
        reason = "read by the job kinds that post to Discord, which come with the lifecycle commands"
    )]
    http: Arc<serenity::Http>,
    #[expect(
        dead_code,
        reason = "read by the job kinds that post to Discord, which come with the lifecycle commands"
    )]
    app: App,
}

impl DiscordJobs {
    /// A handler posting through `http`.
    pub fn new(http: Arc<serenity::Http>, app: App) -> Self {
        Self { http, app }
    }
}

impl JobHandler for DiscordJobs {
    fn perform<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            // A kind this version does not know was written by a newer one: no retry helps.
            Err(JobError::Fatal(format!("unknown job kind `{}`", job.kind)))
        })
    }
}
