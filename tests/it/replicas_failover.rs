//! Not checks: the failover figures of `bench/RESULTS.md`'s "Replicas (failover)" section,
//! printed, never asserted. Run with `cargo test --test it replicas_failover -- --ignored
//! --nocapture` on PostgreSQL.

use std::time::Duration;

use crate::replicas::{percentiles, Replicas};
use crate::support::bot::{fresh_postgres_url, world};
use crate::support::story::run;

/// Kills and hangs each.
const ROUNDS: usize = 10;

/// The p50 and max of `times`, in seconds.
fn p50_max(mut times: Vec<Duration>) -> String {
    times.sort();
    format!(
        "p50 {:.2} s, max {:.2} s (n = {})",
        times[times.len() / 2].as_secs_f64(),
        times[times.len() - 1].as_secs_f64(),
        times.len()
    )
}

#[tokio::test]
#[ignore = "a measurement, printed with --nocapture"]
async fn measured_failover_after_ten_kills_and_ten_hangs_with_the_default_lease() {
    let fake = world::fake().start().await;
    let url = fresh_postgres_url().await;
    let mut replicas = Replicas::start_with_lease(&fake, url, "15s").await;
    let mut kills = Vec::new();
    let mut hangs = Vec::new();
    for round in 0..2 * ROUNDS {
        let title = format!("Before failover {round}");
        let answer = run(
            &fake,
            world::RESPONDER,
            world::GENERAL,
            "declare",
            &[("title", &title), ("severity", "P3")],
        )
        .await;
        assert!(answer.contains("declared"), "{answer}");
        let (took, how) = if round < ROUNDS {
            (replicas.kill_owner().await, &mut kills)
        } else {
            (replicas.hang_owner().await, &mut hangs)
        };
        how.push(took);
        eprintln!("round {round}: the standby answered after {took:?}");
        replicas.standby_ready().await;
    }
    println!(
        "failover, kill -9 of the owner to the next command answered: {}",
        p50_max(kills.clone())
    );
    println!(
        "failover, SIGSTOP of the owner to the next command answered (lease 15 s): {}",
        p50_max(hangs.clone())
    );
    println!("kills: {}", percentiles(kills));
    println!("hangs: {}", percentiles(hangs));
    drop(replicas);
}
