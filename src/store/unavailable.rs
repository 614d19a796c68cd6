//! Which database errors mean "not answering now" rather than "something is wrong": the
//! server is down or restarting, a connection broke, or the pool found none in time. A request
//! that met one wrote nothing and will work once the database answers again, so people are told
//! to try again in a moment instead of being given an error id.

/// Whether `e` says the database is not answering now.
pub fn is_unavailable(e: &sqlx::Error) -> bool {
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
}
