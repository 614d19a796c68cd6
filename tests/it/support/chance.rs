//! Randomness for the fault tests that can be replayed, and free loopback ports.

/// A small deterministic generator: seed it with [`seed`] and print the seed, so a failing run
/// can be replayed with `INCIDENT_BOT_FAULT_SEED`.
pub struct Lcg(pub u64);

impl Lcg {
    /// The next number below `below` (0 when `below` is 0).
    pub fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below.max(1)
    }
}

/// `INCIDENT_BOT_FAULT_SEED` when set, else the clock.
pub fn seed() -> u64 {
    std::env::var("INCIDENT_BOT_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(7, |d| {
                    u64::try_from(d.as_nanos() % u128::from(u64::MAX)).unwrap_or(7)
                })
        })
}

/// A loopback port for a server the test starts in another process (a replica, PostgreSQL,
/// Prometheus, Alertmanager), free now and kept from every other taker until that server
/// binds it.
///
/// A port the kernel picks for `127.0.0.1:0` is free only until that listener closes: before
/// the server binds it, an outgoing connection (its source port comes from the same ephemeral
/// range) or another test's `bind(0)` may take it, and the server dies with "Address already
/// in use". So the port comes from below the ephemeral range, which neither ever picks, and a
/// lock file held for this process's life reserves it from every other test process on the
/// machine, this one included (it is never handed out twice).
pub fn free_port() -> u16 {
    static HELD: std::sync::Mutex<Vec<std::fs::File>> = std::sync::Mutex::new(Vec::new());
    let dir = std::env::temp_dir().join("incident-bot-test-ports");
    std::fs::create_dir_all(&dir).expect("the port locks' directory");
    let (low, high) = (20_000u16, ephemeral_start());
    let span = u64::from(high - low);
    let mut pick = Lcg(seed() ^ u64::from(std::process::id()));
    let start = pick.next(span);
    for step in 0..span {
        let port = low + u16::try_from((start + step) % span).expect("below the range");
        let path = dir.join(format!("{port}.lock"));
        let Ok(lock) = std::fs::File::create(&path) else {
            continue;
        };
        if lock.try_lock().is_err() {
            continue;
        }
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            HELD.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(lock);
            return port;
        }
    }
    panic!("no free loopback port between {low} and {high}");
}

/// The first port of the kernel's ephemeral range (Linux's default when it cannot be read).
fn ephemeral_start() -> u16 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|r| r.split_whitespace().next()?.parse().ok())
        .filter(|start| *start > 21_000)
        .unwrap_or(32_768)
}
