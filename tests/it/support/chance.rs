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

/// A port free on loopback now, for a server the test starts.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}
