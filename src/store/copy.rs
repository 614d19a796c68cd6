//! Copying a whole SQLite database into a PostgreSQL one (`incident-bot migrate --from --to`):
//! every table, rows with their ids, in one transaction on the target, idempotently; then the
//! counts of both compared.

use sqlx::Row;

use super::{Backend, Db};

/// Every table, parents before the tables that refer to them. `keyed` is false for a table
/// with no unique key, which is emptied on the target and copied whole (so a second copy does
/// not double it).
pub(super) const TABLES: &[(&str, bool)] = &[
    ("meta", true),
    ("incidents", true),
    ("incident_counters", true),
    ("incident_systems", true),
    ("incident_phase_spans", true),
    ("role_assignments", true),
    ("timeline", true),
    ("announcements", true),
    ("jobs", true),
    ("postmortems", true),
    ("postmortem_actions", true),
    ("postmortem_lessons", true),
    ("checklist_ticks", true),
    ("audit_log", true),
    ("channel_relabels", false),
    ("alert_cards", true),
    ("alerts", true),
    ("webhook_deliveries", true),
    ("action_runs", true),
    ("social_posts", true),
    ("social_sessions", true),
    ("incident_pages", true),
    ("waf_blocks", true),
    ("lockdowns", true),
    ("lockdown_channels", true),
    ("tracker_tickets", true),
    ("incident_flags", true),
    ("announcement_translations", true),
    ("maintenance_windows", true),
    ("maintenance_hook_runs", true),
    ("social_notices", true),
    ("status_webhooks", true),
    ("status_webhook_deliveries", true),
    ("translation_drafts", true),
];

/// The tables whose `id` PostgreSQL numbers itself (an identity column): after rows are copied
/// with their ids, its counter is moved past the largest.
const NUMBERED: &[&str] = &[
    "incidents",
    "timeline",
    "announcements",
    "jobs",
    "postmortem_actions",
    "postmortem_lessons",
    "audit_log",
    "alert_cards",
    "alerts",
    "action_runs",
    "social_posts",
    "waf_blocks",
    "lockdowns",
    "maintenance_windows",
    "maintenance_hook_runs",
    "social_notices",
    "status_webhook_deliveries",
];

/// What one table's copy did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    /// The table.
    pub table: &'static str,
    /// Rows in the source.
    pub source: u64,
    /// Rows written now (rows the target had already are left as they are).
    pub written: u64,
    /// Rows in the target after the copy.
    pub target: u64,
}

/// Why a copy stopped.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// The databases are not the ones a copy goes between.
    #[error("{0}")]
    Refused(String),
    /// A table holds a different number of rows in the target after the copy.
    #[error(
        "after the copy, {table} has {in_target} row(s) in the target but {in_source} in the \
         source: the target held other data already; copy into an empty database"
    )]
    Mismatch {
        /// The table.
        table: &'static str,
        /// Rows in the source.
        in_source: u64,
        /// Rows in the target.
        in_target: u64,
    },
    /// A database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl Db {
    /// Copies every table of this SQLite database into the PostgreSQL database `to`, in one
    /// transaction there: a row the target has already (by its key) is kept, so running it
    /// again copies nothing twice. Both schemas are migrated to the same version first (by
    /// opening them). Then compares each table's count in both, and fails on a difference.
    pub async fn copy_into(&self, to: &Db) -> Result<Vec<TableCopy>, CopyError> {
        if self.backend != Backend::Sqlite || to.backend != Backend::Postgres {
            return Err(CopyError::Refused(
                "a copy goes from a SQLite database to a PostgreSQL one".into(),
            ));
        }
        // One read transaction: the copy is one moment of the source, even if it is in use.
        let mut source = self.pool.begin().await?;
        let mut target = to.pool.begin().await?;
        let mut out = Vec::with_capacity(TABLES.len());
        for &(table, keyed) in TABLES {
            out.push(copy_table(&mut source, &mut target, table, keyed).await?);
        }
        if let Some(bad) = out.iter().find(|c| c.source != c.target) {
            // Nothing is committed: the target is left as it was.
            return Err(CopyError::Mismatch {
                table: bad.table,
                in_source: bad.source,
                in_target: bad.target,
            });
        }
        target.commit().await?;
        source.commit().await?;
        Ok(out)
    }
}

/// Copies one table's rows from `source` to `target`, and counts them on both sides.
async fn copy_table(
    source: &mut sqlx::AnyConnection,
    target: &mut sqlx::AnyConnection,
    table: &'static str,
    keyed: bool,
) -> Result<TableCopy, CopyError> {
    // Every column of the schema is an integer or text: read (and bind, NULLs too) each
    // as its declared type, which PostgreSQL checks.
    let columns: Vec<(String, String)> =
        sqlx::query_as("SELECT name, upper(type) FROM pragma_table_info($1) ORDER BY cid")
            .bind(table)
            .fetch_all(&mut *source)
            .await?;
    let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
    let integer: Vec<bool> = columns.iter().map(|(_, t)| t == "INTEGER").collect();
    let list = names.join(", ");
    let params: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    let params = params.join(", ");
    let conflict = if keyed {
        " ON CONFLICT DO NOTHING"
    } else {
        sqlx::query(sql!("DELETE FROM {table}"))
            .execute(&mut *target)
            .await?;
        ""
    };
    let insert = format!("INSERT INTO {table} ({list}) VALUES ({params}){conflict}");
    let mut written = 0;
    let rows = sqlx::query(sql!("SELECT {list} FROM {table} ORDER BY rowid"))
        .fetch_all(&mut *source)
        .await?;
    for row in rows {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(insert.clone()));
        for (i, &is_integer) in integer.iter().enumerate() {
            query = if is_integer {
                query.bind(row.try_get::<Option<i64>, _>(i)?)
            } else {
                query.bind(row.try_get::<Option<String>, _>(i)?)
            };
        }
        written += query.execute(&mut *target).await?.rows_affected();
    }
    if NUMBERED.contains(&table) {
        sqlx::query(sql!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 COALESCE(MAX(id), 0) + 1, false) FROM {table}"
        ))
        .execute(&mut *target)
        .await?;
    }
    let (source_count,): (i64,) = sqlx::query_as(sql!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&mut *source)
        .await?;
    let (target_count,): (i64,) = sqlx::query_as(sql!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&mut *target)
        .await?;
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    Ok(TableCopy {
        table,
        source: count(source_count),
        written,
        target: count(target_count),
    })
}
