//! The jobs behind `/incident block` and `/incident unblock`: each address or range is put in
//! place (or lifted) at the WAF one at a time, its entry's id recorded as soon as the WAF
//! answers, so a retry goes on where the last attempt stopped; then the incident's timeline
//! and channel are told, once per job.

use std::sync::Arc;

use super::{render, Performer};
use crate::app::ports::waf::{BlockRequest, Waf};
use crate::domain::{EntryKind, TimelineEntry, UserId};
use crate::render::{
    mention, timestamp, Notice, TemplateName, TimelineView, WafBlocked, WafUnblocked,
};
use crate::scheduler::JobError;
use crate::store::{IncidentRecord, Job, WafBlock};

/// Blocks and unblocks one at a time across every process: a lookup, then a create.
const LOCK: &str = "waf";

/// The note an entry carries at the WAF: the incident, then the reason. Derived from the row
/// alone, so that a retry finds the entry a lost answer created by it.
pub(in crate::app) fn entry_note(record: &IncidentRecord, block: &WafBlock) -> String {
    let mut note = format!("incident-bot: incident #{} (security)", record.number);
    if let Some(why) = &block.asked.note {
        note.push_str(": ");
        note.push_str(why);
    }
    note
}

fn list(blocks: &[WafBlock]) -> Vec<String> {
    blocks.iter().map(|b| b.asked.target.to_string()).collect()
}

impl Performer {
    fn waf(&self) -> Result<Arc<dyn Waf>, JobError> {
        self.app.waf.clone().ok_or_else(|| {
            JobError::fatal(
                "[cloudflare] is no longer configured: the blocks of this job were not changed",
            )
        })
    }

    /// [`super::Effect::WafBlock`].
    pub(in crate::app) async fn waf_block(&self, job: &Job, ids: &[i64]) -> Result<(), JobError> {
        let waf = self.waf()?;
        let _one = self.one_at_a_time(LOCK).await?;
        let record = self.incident(job).await?;
        let mut blocked = Vec::new();
        for block in self.app.db.waf_blocks_of(ids).await? {
            if !block.in_force() {
                continue;
            }
            if block.blocked_at.is_none() {
                let request = BlockRequest {
                    target: block.asked.target,
                    note: entry_note(&record, &block),
                };
                let entry = waf.block(&request).await?;
                let mut tx = self.app.db.begin().await?;
                tx.set_waf_entry(block.id, &entry).await?;
                tx.set_waf_blocked(block.id, self.app.clock.now()).await?;
                tx.commit().await?;
            }
            blocked.push(block);
        }
        let Some(first) = blocked.first() else {
            return Ok(());
        };
        let targets = list(&blocked);
        let text = self.entry_text(&TimelineView::WafBlocked {
            service: waf.name().to_owned(),
            targets: targets.clone(),
            note: first.asked.note.clone(),
        })?;
        let view = WafBlocked {
            by: mention(first.asked.by),
            service: waf.name().to_owned(),
            targets,
            note: first.asked.note.clone(),
            until: first.asked.until.map(timestamp),
        };
        self.tell(job, &record, Some(first.asked.by), text, view.into())
            .await
    }

    /// [`super::Effect::WafUnblock`].
    pub(in crate::app) async fn waf_unblock(
        &self,
        job: &Job,
        ids: &[i64],
        expired: bool,
    ) -> Result<(), JobError> {
        let waf = self.waf()?;
        let _one = self.one_at_a_time(LOCK).await?;
        let record = self.incident(job).await?;
        if expired {
            let mut tx = self.app.db.begin().await?;
            tx.ask_waf_unblock(ids, None, self.app.clock.now()).await?;
            tx.commit().await?;
        }
        let mut lifted = Vec::new();
        for block in self.app.db.waf_blocks_of(ids).await? {
            if block.in_force() || block.unblocked_at.is_some() {
                continue;
            }
            let note = entry_note(&record, &block);
            waf.unblock(&block.asked.target, block.entry_id.as_deref(), &note)
                .await?;
            let mut tx = self.app.db.begin().await?;
            tx.set_waf_unblocked(block.id, self.app.clock.now()).await?;
            tx.commit().await?;
            lifted.push(block);
        }
        let Some(first) = lifted.first() else {
            return Ok(());
        };
        let by = first.unblocked_by;
        let targets = list(&lifted);
        let text = self.entry_text(&TimelineView::WafUnblocked {
            service: waf.name().to_owned(),
            targets: targets.clone(),
            expired: by.is_none(),
        })?;
        let view = WafUnblocked {
            by: by.map(mention),
            service: waf.name().to_owned(),
            targets,
        };
        self.tell(job, &record, by, text, view.into()).await
    }

    /// A timeline entry's words, from `timeline.hbs`; a template error is fatal.
    pub(in crate::app) fn entry_text(&self, view: &TimelineView) -> Result<String, JobError> {
        self.app
            .templates
            .timeline_text(view)
            .map_err(|e| JobError::Fatal(e.into()))
    }

    /// Puts `text` on the incident's timeline, by `by` (the bot when `None`), and posts
    /// `notice` in its channel when it has one.
    pub(in crate::app) async fn tell(
        &self,
        job: &Job,
        record: &IncidentRecord,
        by: Option<UserId>,
        text: String,
        notice: Notice,
    ) -> Result<(), JobError> {
        let content = render(&self.app, TemplateName::Notice, &notice)
            .map_err(|e| crate::app::jobs::use_case_failed(&self.app.templates, e))?;
        if let Some(channel) = record.channel_id {
            self.post(job, channel, content, vec![]).await?;
        }
        let entry = TimelineEntry {
            at: self.app.clock.now(),
            actor: by,
            kind: EntryKind::Containment,
            text,
            source_message: None,
        };
        let mut tx = self.app.db.begin().await?;
        tx.append_timeline(record.id, &[entry]).await?;
        tx.commit().await?;
        Ok(())
    }
}
