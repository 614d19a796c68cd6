//! Keeping an incident's channel in line with its facts: made private when the incident becomes
//! a security one, renamed (and its topic rewritten) when its title or kind changes. Both are
//! jobs; a rename waits out Discord's limit of two per channel in 10 minutes instead of being
//! refused, and reads the facts when it runs, so that two quick edits rename once.

use super::{channel_name, channel_topic, ChannelLabel, Performer};
use crate::domain::IncidentKind;
use crate::scheduler::JobError;
use crate::store::{Job, RELABEL_WINDOW};

/// Channel name and topic changes Discord allows per channel within [`RELABEL_WINDOW`].
pub const RELABELS_PER_WINDOW: usize = 2;

impl Performer {
    /// Makes the channel of an incident that became a security one private to the security
    /// role. Nothing to do if it became an availability one again meanwhile: the channel stays
    /// as it is, private or not, until people open it up.
    pub(in crate::app) async fn make_private(&self, job: &Job) -> Result<(), JobError> {
        let record = self.incident(job).await?;
        if record.incident.kind != IncidentKind::Security {
            return Ok(());
        }
        let channel = self.channel_of(&record).await?;
        // Only the role: whoever declared it as an availability incident was told they lose
        // sight of it without the role.
        let access = super::ChannelAccess {
            roles: vec![self.app.settings.roles.security],
            members: vec![],
        };
        self.chat.restrict(channel, &access).await?;
        Ok(())
    }

    /// Renames the channel and rewrites its topic to match the incident as it is now.
    pub(in crate::app) async fn relabel(&self, job: &Job) -> Result<(), JobError> {
        let record = self.incident(job).await?;
        let channel = self.channel_of(&record).await?;
        let wanted = ChannelLabel {
            name: channel_name(&record),
            topic: Some(channel_topic(&self.app, &record)?),
        };
        // One at a time: two relabels could both see the window's last free change.
        let _one_at_a_time = self.one_at_a_time(super::jobs::locks::RELABEL).await?;
        if self.chat.channel_label(channel).await? == wanted {
            return Ok(());
        }
        let now = self.app.clock.now();
        let recent = self.app.db.relabels_since(channel, now).await?;
        if recent.len() >= RELABELS_PER_WINDOW {
            let oldest = recent.first().copied().unwrap_or(now);
            return Err(JobError::NotYet(oldest + RELABEL_WINDOW));
        }
        self.chat.relabel_channel(channel, &wanted).await?;
        self.app.db.record_relabel(channel, now).await?;
        Ok(())
    }
}
