//! What only PostgreSQL needs: telling where it is without its password, and fresh databases for
//! tests and tools.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::any::AnyConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor};

use super::Error;

/// `url` without its password (and without its query, which may carry one): what logs and
/// messages may show. An unreadable URL is shown as `(an unreadable database URL)`.
pub fn redacted_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                // Only fails for URLs that cannot have a password, which this one has.
                let _ = parsed.set_password(Some("***"));
            }
            parsed.set_query(None);
            parsed.to_string()
        }
        Err(_) => "(an unreadable database URL)".to_owned(),
    }
}

/// Creates a new, empty database on the PostgreSQL server of `server_url` (whose user may
/// create databases) and returns the URL of the new one: `prefix`, the process id and a counter
/// make its name unique, so that each test gets a database of its own.
pub async fn fresh_postgres_database(server_url: &str, prefix: &str) -> Result<String, Error> {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    sqlx::any::install_default_drivers();
    let name = format!(
        "{prefix}_{}_{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    );
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(sqlx::Error::Configuration(
            format!("{name} is not a plain database name: use lower-case letters, digits and _")
                .into(),
        )
        .into());
    }
    let options = AnyConnectOptions::from_url(
        &server_url
            .parse()
            .map_err(|e: url::ParseError| Error::other(e))?,
    )?;
    let mut conn = options.connect().await?;
    // The name is checked above to be plain: no quoting can go wrong.
    conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await?;
    conn.close().await?;
    let mut url: url::Url = server_url
        .parse()
        .map_err(|e: url::ParseError| Error::other(e))?;
    url.set_path(&format!("/{name}"));
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::redacted_url;

    #[test]
    fn a_url_is_shown_without_its_password_or_its_query() {
        assert_eq!(
            redacted_url(
                "postgres://bot:hunter2@db.example.com:5432/incidents?password=x&sslmode=require"
            ),
            "postgres://bot:***@db.example.com:5432/incidents"
        );
        assert_eq!(
            redacted_url("postgres://bot@db/incidents"),
            "postgres://bot@db/incidents"
        );
        assert_eq!(
            redacted_url("not a url hunter2"),
            "(an unreadable database URL)"
        );
    }
}
