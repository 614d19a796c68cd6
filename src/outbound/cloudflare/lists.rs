//! A custom IP list (`/accounts/{account_id}/rules/lists/{list_id}/items`), which a WAF custom
//! rule (`ip.src in $list`) blocks. Writes are bulk operations Cloudflare runs later: each
//! answers an `operation_id`, polled until it completes; one may be pending per account, and
//! Cloudflare answers 429 while it is (a retry). An item is looked up by its address and
//! comment before it is added, so a retry adopts the item a lost answer added.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use super::wire::{self, ListItem, Operation, OperationState};
use super::Cloudflare;
use crate::app::BlockRequest;
use crate::domain::BlockTarget;
use crate::scheduler::JobError;

/// How often, and how many times, a bulk operation is polled within one attempt.
const POLL_EVERY: Duration = Duration::from_millis(250);
const POLLS: u32 = 8;

impl Cloudflare {
    fn account(&self) -> Result<&str, JobError> {
        self.settings
            .account_id
            .as_deref()
            .ok_or_else(|| JobError::fatal("[cloudflare] mode = \"list\" needs account_id"))
    }

    fn items_url(&self) -> Result<url::Url, JobError> {
        let list = self
            .settings
            .list_id
            .as_deref()
            .ok_or_else(|| JobError::fatal("[cloudflare] mode = \"list\" needs list_id"))?;
        self.url(&["accounts", self.account()?, "rules", "lists", list, "items"])
    }

    /// The item of `target` whose comment is `note`, if the list has one.
    async fn find_item(
        &self,
        target: &BlockTarget,
        note: &str,
    ) -> Result<Option<String>, JobError> {
        let value = target.to_string();
        let mut url = self.items_url()?;
        url.query_pairs_mut().append_pair("search", &value);
        let answer = self.call(Method::GET, url, None).await?;
        let items: Vec<ListItem> = wire::result(&answer)?;
        Ok(items
            .into_iter()
            .find(|i| i.ip.as_deref() == Some(&value) && i.comment.as_deref() == Some(note))
            .map(|i| i.id))
    }

    /// Waits for the bulk operation `id` to finish; one still running is a retry (which looks
    /// the item up again before writing).
    async fn settle(&self, id: &str) -> Result<(), JobError> {
        let url = self.url(&[
            "accounts",
            self.account()?,
            "rules",
            "lists",
            "bulk_operations",
            id,
        ])?;
        for _ in 0..POLLS {
            let answer = self.call(Method::GET, url.clone(), None).await?;
            let state: OperationState = wire::result(&answer)?;
            match state.status.as_str() {
                "completed" => return Ok(()),
                "failed" => {
                    return Err(JobError::fatal(format!(
                        "Cloudflare's list operation failed: {}",
                        state.error.unwrap_or_else(|| "no reason given".to_owned())
                    )))
                }
                _ => tokio::time::sleep(POLL_EVERY).await,
            }
        }
        Err(JobError::Retry {
            error: anyhow::anyhow!("Cloudflare's list operation {id} is still running"),
            after: Some(Duration::from_secs(5)),
        })
    }

    /// Adds the item, adopting the one a lost answer added.
    pub(super) async fn block_by_item(&self, request: &BlockRequest) -> Result<String, JobError> {
        if let Some(id) = self.find_item(&request.target, &request.note).await? {
            return Ok(id);
        }
        let body = json!([{ "ip": request.target.to_string(), "comment": request.note }]);
        let answer = self
            .call(Method::POST, self.items_url()?, Some(body))
            .await?;
        let operation: Operation = wire::result(&answer)?;
        self.settle(&operation.operation_id).await?;
        self.find_item(&request.target, &request.note)
            .await?
            .ok_or_else(|| JobError::retry_because("the list's new item is not listed yet"))
    }

    /// Removes the item `entry_id`, or the one found by `note`; one already gone is lifted.
    pub(super) async fn unblock_item(
        &self,
        target: &BlockTarget,
        entry_id: Option<&str>,
        note: &str,
    ) -> Result<(), JobError> {
        let id = match entry_id {
            Some(id) => id.to_owned(),
            None => match self.find_item(target, note).await? {
                Some(id) => id,
                None => return Ok(()),
            },
        };
        let body = json!({ "items": [{ "id": id }] });
        let answer = self
            .call(Method::DELETE, self.items_url()?, Some(body))
            .await?;
        let operation: Operation = wire::result(&answer)?;
        self.settle(&operation.operation_id).await
    }
}
