//! The real Prometheus server (Debian's `prometheus`) on loopback, scraping a small exporter
//! the test drives: `http_requests_total{service="login",code}` counters that grow by 20
//! requests every 50 ms, a share of them 500s as the test says. Or, for stories told on a
//! stopped clock, Prometheus over a history written beforehand (`promtool tsdb
//! create-blocks-from openmetrics`, as operators backfill). Fails loudly when Prometheus is not
//! installed: tests/run installs it.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::chance::free_port;
use super::http;

/// The query of the Login error rate over what the exporter serves.
pub const LOGIN_ERROR_RATE: &str = r#"sum(rate(http_requests_total{service="login",code=~"5.."}[4s])) / sum(rate(http_requests_total{service="login"}[4s]))"#;

/// The exporter: its counters, and the share of errors in percent the test sets.
#[derive(Clone)]
pub struct Exporter {
    errors_percent: Arc<AtomicU64>,
    addr: SocketAddr,
}

impl Exporter {
    /// Starts serving `/metrics` on a free loopback port, `errors_percent` of requests failing.
    pub async fn start(errors_percent: u64) -> Self {
        let share = Arc::new(AtomicU64::new(errors_percent));
        let ok = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(AtomicU64::new(0));
        let (s, o, f) = (share.clone(), ok.clone(), failed.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(50));
            loop {
                tick.tick().await;
                let bad = 20 * s.load(Ordering::SeqCst) / 100;
                f.fetch_add(bad, Ordering::SeqCst);
                o.fetch_add(20 - bad, Ordering::SeqCst);
            }
        });
        let app = axum::Router::new().route(
            "/metrics",
            axum::routing::get(move || {
                let (ok, failed) = (ok.load(Ordering::SeqCst), failed.load(Ordering::SeqCst));
                async move {
                    format!(
                        "# TYPE http_requests_total counter\n\
                         http_requests_total{{service=\"login\",code=\"200\"}} {ok}\n\
                         http_requests_total{{service=\"login\",code=\"500\"}} {failed}\n"
                    )
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the exporter");
        let addr = listener.local_addr().expect("its address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            errors_percent: share,
            addr,
        }
    }

    /// From now on, `percent` of requests fail.
    pub fn set_errors(&self, percent: u64) {
        self.errors_percent.store(percent, Ordering::SeqCst);
    }
}

/// Prometheus, stopped (and its data removed) when dropped.
pub struct Prometheus {
    child: Child,
    /// Where its HTTP API is.
    pub addr: SocketAddr,
    dir: tempfile::TempDir,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Prometheus {
    /// Starts Prometheus scraping `exporter` every second, and waits until it is ready.
    pub async fn start(exporter: &Exporter) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
             scrape_configs:\n  - job_name: login\n    static_configs:\n      - targets: ['{}']\n",
            exporter.addr
        );
        Self::serve(dir, &config).await
    }

    /// Starts Prometheus over a Login history from `from` to `to`: 300 requests every 15 s,
    /// the share `errors(t)` of them 500s. It scrapes nothing, so the history is all it has,
    /// whatever the wall clock says.
    pub async fn with_history(
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        errors: impl Fn(DateTime<Utc>) -> f64,
    ) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut ok, mut failed) = (0.0, 0.0);
        let mut points = Vec::new();
        let mut t = from;
        while t <= to {
            let bad = (300.0 * errors(t) * 10.0).round() / 10.0;
            ok += 300.0 - bad;
            failed += bad;
            points.push((t.timestamp(), ok, failed));
            t += chrono::TimeDelta::seconds(15);
        }
        let mut text = String::from("# TYPE http_requests_total counter\n");
        for (code, pick) in [("200", 1), ("500", 2)] {
            for (at, ok, failed) in &points {
                let v = if pick == 1 { ok } else { failed };
                text.push_str(&format!(
                    "http_requests_total{{service=\"login\",code=\"{code}\"}} {v} {at}\n"
                ));
            }
        }
        text.push_str("# EOF\n");
        let source = dir.path().join("history.om");
        std::fs::write(&source, text).expect("write the history");
        let out = Command::new("promtool")
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            .arg(&source)
            .arg(dir.path().join("data"))
            .output()
            .expect("promtool (Debian's `prometheus` package) runs");
        assert!(
            out.status.success(),
            "promtool refused the history: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Self::serve(dir, "global:\n  scrape_interval: 15s\n").await
    }

    /// Runs the server with `config` over `dir`'s `data`, and waits until it is ready.
    async fn serve(dir: tempfile::TempDir, config: &str) -> Self {
        let config_path = dir.path().join("prometheus.yml");
        std::fs::write(&config_path, config).expect("write the config");
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().expect("addr");
        let log = std::fs::File::create(dir.path().join("prometheus.log")).expect("log");
        let child = Command::new(binary())
            .arg(format!("--config.file={}", config_path.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address={addr}"))
            // A history written beforehand is kept whatever its age.
            .arg("--storage.tsdb.retention.time=100y")
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start Prometheus");
        let server = Self { child, addr, dir };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            if std::net::TcpStream::connect(addr).is_ok()
                && http::get(addr, "/-/ready").await.status == 200
            {
                return server;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "Prometheus never got ready on {addr}:\n{}",
                server.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Its base URL, for `[prometheus] url`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What it logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("prometheus.log")).unwrap_or_default()
    }

    /// Stops it, as a crash or an outage would.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The value of `query` now, if it has one.
    pub async fn value(&self, query: &str) -> Option<f64> {
        let path = format!("/api/v1/query?query={}", encode(query));
        let res = http::get(self.addr, &path).await;
        let body: serde_json::Value = serde_json::from_str(&res.body).ok()?;
        body["data"]["result"][0]["value"][1]
            .as_str()?
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
    }

    /// Waits until `query` has a value satisfying `pred`, as the scrapes come in.
    pub async fn wait_for(&self, what: &str, query: &str, pred: impl Fn(f64) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            if self.value(query).await.is_some_and(&pred) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "Prometheus never showed {what}: {:?}\n{}",
                self.value(query).await,
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Percent-encodes a query for a URL.
fn encode(query: &str) -> String {
    url::form_urlencoded::byte_serialize(query.as_bytes()).collect()
}

/// The server binary: Debian's `prometheus` package puts it on PATH.
fn binary() -> &'static str {
    let found = Command::new("prometheus")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    assert!(
        found,
        "the Prometheus server is not installed: install Debian's `prometheus` package \
         (tests/run does it); this test never skips"
    );
    "prometheus"
}
