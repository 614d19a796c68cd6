//! The store's own error: what went wrong with the database, sorted by what a caller does about
//! it. Nothing outside `store/` sees sqlx's error type; each of its errors is sorted here, once.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A row with the same unique key exists already (a declare re-sent, a key taken).
    #[error(transparent)]
    Duplicate(Cause),
    /// A row the operation needed is not there.
    #[error("the row was not found")]
    NotFound,
    /// The database is not answering now: the server is down or restarting, a connection
    /// broke, or the pool found none in time. Nothing was written, and the same request will
    /// work once it answers again, so people are told to try again in a moment instead of being
    /// given an error id.
    #[error(transparent)]
    Busy(Cause),
    /// Anything else: a bad query, a corrupt row, a full disk.
    #[error(transparent)]
    Other(Cause),
}

/// What the database (or the code reading its rows) said, with its own causes.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

impl Error {
    /// Any other failure, keeping `cause` as its source.
    pub fn other(cause: impl Into<Cause>) -> Self {
        Self::Other(cause.into())
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::Database(ref db) if db.is_unique_violation() => {
                Self::Duplicate(Box::new(e))
            }
            e if is_unavailable(&e) => Self::Busy(Box::new(e)),
            e => Self::Other(Box::new(e)),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for Error {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        sqlx::Error::from(e).into()
    }
}

/// Whether `e` says the database is not answering now.
fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => true,
        // PostgreSQL's class 08 (connection exception), 57P01–57P03 (the server shutting down,
        // or not taking connections yet) and 55000 as a new connection meets it ("database … is
        // not currently accepting connections": ALLOW_CONNECTIONS off for maintenance).
        sqlx::Error::Database(db) => db.code().is_some_and(|c| {
            c.starts_with("08")
                || matches!(&*c, "57P01" | "57P02" | "57P03")
                || (&*c == "55000" && db.message().contains("not currently accepting connections"))
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_connection_or_an_empty_pool_is_unavailable_and_a_bad_query_is_not() {
        assert!(is_unavailable(&sqlx::Error::PoolTimedOut));
        assert!(is_unavailable(&sqlx::Error::Io(std::io::Error::from(
            std::io::ErrorKind::ConnectionRefused
        ))));
        assert!(!is_unavailable(&sqlx::Error::RowNotFound));
        assert!(!is_unavailable(&sqlx::Error::ColumnNotFound("x".into())));
    }

    #[test]
    fn sqlx_errors_are_sorted_by_what_the_caller_does() {
        assert!(matches!(
            Error::from(sqlx::Error::PoolTimedOut),
            Error::Busy(_)
        ));
        assert!(matches!(
            Error::from(sqlx::Error::RowNotFound),
            Error::NotFound
        ));
        assert!(matches!(
            Error::from(sqlx::Error::ColumnNotFound("x".into())),
            Error::Other(_)
        ));
    }

    #[test]
    fn an_error_shows_what_the_database_said() {
        let e = Error::from(sqlx::Error::ColumnNotFound("severity".into()));
        assert_eq!(
            e.to_string(),
            sqlx::Error::ColumnNotFound("severity".into()).to_string()
        );
    }
}
