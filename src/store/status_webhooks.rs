//! Status webhooks: each delivery of a public change to one `[[status.webhooks]]` receiver,
//! written before any call, and each webhook's failures and whether it is turned off.

use chrono::{DateTime, Utc};

use super::convert::{from_millis, from_millis_opt, to_millis};
use super::{Db, Error, Tx};

/// What a delivery's subject is when a webhook is turned back on: everything public now.
pub const EVERYTHING: &str = "*";

/// One delivery of a public change to one webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusDelivery {
    /// The row id: deliveries of one webhook go out in its order.
    pub id: i64,
    /// The webhook's name.
    pub webhook: String,
    /// The Statuspage id of the incident or maintenance, or [`EVERYTHING`].
    pub subject: String,
    /// The JSON sent, fixed at the first attempt.
    pub body: Option<String>,
    /// When it was first sent.
    pub first_tried_at: Option<DateTime<Utc>>,
    /// When the receiver took it.
    pub sent_at: Option<DateTime<Utc>>,
    /// Why it was not sent, when it was not.
    pub skipped: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
}

impl StatusDelivery {
    /// Whether it is still to go out.
    pub fn waiting(&self) -> bool {
        self.sent_at.is_none() && self.skipped.is_none()
    }

    /// The id the receiver de-duplicates by: the same on every attempt, made from what was
    /// stored before the first.
    pub fn delivery_id(&self) -> String {
        format!("{}-{}", to_millis(self.created_at), self.id)
    }
}

/// A webhook's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusWebhookState {
    /// Its name.
    pub name: String,
    /// Failed attempts in a row.
    pub failures: u32,
    /// What the last failure was.
    pub last_error: Option<String>,
    /// When it was turned off, if it is off.
    pub off_at: Option<DateTime<Utc>>,
}

type Row = (
    i64,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    i64,
);

const SELECT: &str = "SELECT id, webhook, subject, body, first_tried_at, sent_at, skipped, \
    created_at FROM status_webhook_deliveries";

fn from_row(r: Row) -> Result<StatusDelivery, Error> {
    let (id, webhook, subject, body, tried, sent, skipped, created) = r;
    Ok(StatusDelivery {
        id,
        webhook,
        subject,
        body,
        first_tried_at: from_millis_opt(tried)?,
        sent_at: from_millis_opt(sent)?,
        skipped,
        created_at: from_millis(created)?,
    })
}

type StateRow = (String, i64, Option<String>, Option<i64>);

fn state_from_row(
    (name, failures, last_error, off): StateRow,
) -> Result<StatusWebhookState, Error> {
    Ok(StatusWebhookState {
        name,
        failures: u32::try_from(failures).unwrap_or(u32::MAX),
        last_error,
        off_at: from_millis_opt(off)?,
    })
}

const SKIP_WAITING: &str = "UPDATE status_webhook_deliveries SET skipped = $1 \
    WHERE webhook = $2 AND sent_at IS NULL AND skipped IS NULL";

impl Tx {
    /// Queues a delivery of `subject` to `webhook`; returns its id.
    #[tracing::instrument(skip_all)]
    pub async fn queue_status_delivery(
        &mut self,
        webhook: &str,
        subject: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, Error> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO status_webhook_deliveries (webhook, subject, created_at) \
             VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(webhook)
        .bind(subject)
        .bind(to_millis(at))
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    /// Whether `webhook` is turned off.
    pub async fn status_webhook_off(&mut self, webhook: &str) -> Result<bool, Error> {
        let off: Option<(Option<i64>,)> =
            sqlx::query_as("SELECT off_at FROM status_webhooks WHERE name = $1")
                .bind(webhook)
                .fetch_optional(&mut *self.inner)
                .await?;
        Ok(off.is_some_and(|(at,)| at.is_some()))
    }

    /// Turns `webhook` back on with no failures, skipping what still waited; `false` when it
    /// was not off.
    #[tracing::instrument(skip_all)]
    pub async fn turn_status_webhook_on(
        &mut self,
        webhook: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, Error> {
        let was_off = self.status_webhook_off(webhook).await?;
        sqlx::query(
            "UPDATE status_webhooks SET failures = 0, off_at = NULL, updated_at = $1 \
             WHERE name = $2",
        )
        .bind(to_millis(at))
        .bind(webhook)
        .execute(&mut *self.inner)
        .await?;
        sqlx::query(SKIP_WAITING)
            .bind("replaced by the current state when the webhook was turned back on")
            .bind(webhook)
            .execute(&mut *self.inner)
            .await?;
        Ok(was_off)
    }
}

impl Db {
    /// One delivery.
    pub async fn status_delivery(&self, id: i64) -> Result<Option<StatusDelivery>, Error> {
        let row: Option<Row> = sqlx::query_as(sql!("{SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(from_row).transpose()
    }

    /// Whether a delivery to `webhook` queued before `id` still waits.
    pub async fn earlier_status_delivery_waiting(
        &self,
        webhook: &str,
        id: i64,
    ) -> Result<bool, Error> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM status_webhook_deliveries WHERE webhook = $1 AND id < $2 \
             AND sent_at IS NULL AND skipped IS NULL LIMIT 1",
        )
        .bind(webhook)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// The body last sent to `webhook` about `subject`.
    pub async fn last_status_body(
        &self,
        webhook: &str,
        subject: &str,
    ) -> Result<Option<String>, Error> {
        let row: Option<(Option<String>,)> = sqlx::query_as(
            "SELECT body FROM status_webhook_deliveries WHERE webhook = $1 AND subject = $2 \
             AND sent_at IS NOT NULL ORDER BY id DESC LIMIT 1",
        )
        .bind(webhook)
        .bind(subject)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|(b,)| b))
    }

    /// Whether a delivery of `subject` to `webhook` was ever queued (sent or not).
    pub async fn status_subject_queued(&self, webhook: &str, subject: &str) -> Result<bool, Error> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM status_webhook_deliveries WHERE webhook = $1 AND subject = $2 LIMIT 1",
        )
        .bind(webhook)
        .bind(subject)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// Fixes the body of delivery `id` and when it is first sent (a body already fixed stays).
    pub async fn status_delivery_tried(
        &self,
        id: i64,
        body: &str,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        let _writer = self.writer().await;
        sqlx::query(
            "UPDATE status_webhook_deliveries SET body = COALESCE(body, $1), \
             first_tried_at = COALESCE(first_tried_at, $2) WHERE id = $3",
        )
        .bind(body)
        .bind(to_millis(at))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records that delivery `id` was not sent, and why.
    pub async fn status_delivery_skipped(&self, id: i64, why: &str) -> Result<(), Error> {
        let _writer = self.writer().await;
        sqlx::query("UPDATE status_webhook_deliveries SET skipped = $1 WHERE id = $2")
            .bind(why)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records that the receiver took delivery `id`: its webhook has no failure in a row.
    pub async fn status_delivery_sent(
        &self,
        d: &StatusDelivery,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE status_webhook_deliveries SET sent_at = $1 WHERE id = $2")
            .bind(to_millis(at))
            .bind(d.id)
            .execute(&mut *tx.inner)
            .await?;
        sqlx::query(
            "UPDATE status_webhooks SET failures = 0, last_error = NULL, updated_at = $1 \
             WHERE name = $2",
        )
        .bind(to_millis(at))
        .bind(&d.webhook)
        .execute(&mut *tx.inner)
        .await?;
        tx.commit().await
    }

    /// Counts a failed attempt of `webhook`; at `turn_off_after` in a row, turns it off and
    /// skips every delivery still waiting. Returns the state and whether this turned it off
    /// (once: an already-off webhook is not turned off again).
    #[tracing::instrument(skip_all)]
    pub async fn status_webhook_failed(
        &self,
        webhook: &str,
        error: &str,
        turn_off_after: u32,
        at: DateTime<Utc>,
    ) -> Result<(StatusWebhookState, bool), Error> {
        let mut tx = self.begin().await?;
        let row: StateRow = sqlx::query_as(
            "INSERT INTO status_webhooks (name, failures, last_error, updated_at) \
             VALUES ($1, 1, $2, $3) ON CONFLICT (name) DO UPDATE SET \
             failures = status_webhooks.failures + 1, last_error = $2, updated_at = $3 \
             RETURNING name, failures, last_error, off_at",
        )
        .bind(webhook)
        .bind(error)
        .bind(to_millis(at))
        .fetch_one(&mut *tx.inner)
        .await?;
        let mut state = state_from_row(row)?;
        let off_now = state.off_at.is_none() && state.failures >= turn_off_after;
        if off_now {
            sqlx::query("UPDATE status_webhooks SET off_at = $1 WHERE name = $2")
                .bind(to_millis(at))
                .bind(webhook)
                .execute(&mut *tx.inner)
                .await?;
            sqlx::query(SKIP_WAITING)
                .bind("the webhook was turned off")
                .bind(webhook)
                .execute(&mut *tx.inner)
                .await?;
            state.off_at = Some(at);
        }
        tx.commit().await?;
        Ok((state, off_now))
    }

    /// The state of every webhook that has one (failed once or more), by name.
    pub async fn status_webhook_states(&self) -> Result<Vec<StatusWebhookState>, Error> {
        let rows: Vec<StateRow> = sqlx::query_as(
            "SELECT name, failures, last_error, off_at FROM status_webhooks ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(state_from_row).collect()
    }

    /// Every delivery to `webhook`, oldest first.
    pub async fn status_deliveries(&self, webhook: &str) -> Result<Vec<StatusDelivery>, Error> {
        let rows: Vec<Row> = sqlx::query_as(sql!("{SELECT} WHERE webhook = $1 ORDER BY id"))
            .bind(webhook)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(from_row).collect()
    }
}
