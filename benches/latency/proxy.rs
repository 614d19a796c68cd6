//! A timing proxy between the bot and the fake's REST, to tell the fake's own time from the
//! bot's: the fake records when it answered a request but not when the request reached it.
//!
//! Bytes pass through unchanged. HTTP/1.1 on one connection alternates request and response
//! (the bot's client does not pipeline), so an exchange starts with the first request byte the
//! proxy reads from the bot and ends with the last response byte it reads from the fake. That
//! span is the fake's time plus two loopback hops; the proxy's own forwarding back to the bot
//! falls outside it and is counted as the bot's, so the bot-side figure errs high, not low.

use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One request and its response, as the proxy saw them pass.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// `METHOD /path`, with token segments replaced by `{token}` (tokens never leave the proxy).
    pub line: String,
    /// When the first byte of the request reached the proxy.
    pub start: Instant,
    /// When the last byte of the response reached the proxy, once one did.
    pub end: Option<Instant>,
}

type Log = Arc<Mutex<Vec<Exchange>>>;

/// A running proxy; dropping it stops accepting connections.
pub struct TimingProxy {
    base: String,
    log: Log,
    task: JoinHandle<()>,
}

impl TimingProxy {
    /// Listens on 127.0.0.1 and forwards every connection to `upstream` (`http://host:port`).
    pub async fn start(upstream: &str) -> Self {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("the fake's REST base is http://127.0.0.1:PORT");
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy to loopback");
        let port = listener.local_addr().expect("a bound address").port();
        let log = Log::default();
        let accepted = Arc::clone(&log);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(forward(client, upstream, Arc::clone(&accepted)));
            }
        });
        Self {
            base: format!("http://127.0.0.1:{port}"),
            log,
            task,
        }
    }

    /// The base URL to give the bot as `discord.api_base`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Every exchange so far, in the order requests started.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for TimingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Which way bytes flow.
#[derive(Clone, Copy)]
enum Way {
    /// Bot to fake: a request.
    Up,
    /// Fake to bot: a response.
    Down,
}

/// Where one connection is in its request/response alternation.
#[derive(Default)]
struct Conn {
    /// The log index of the exchange in progress.
    current: Option<usize>,
    /// Whether its response has begun.
    answered: bool,
}

async fn forward(client: TcpStream, upstream: SocketAddr, log: Log) {
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    // Small writes must not wait for Nagle: the proxy would add its own delay to every hop.
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let conn = Arc::new(Mutex::new(Conn::default()));
    // A half that ends drops its writer, which passes the close on to the other side.
    tokio::join!(
        pump(client_read, server_write, Way::Up, &conn, &log),
        pump(server_read, client_write, Way::Down, &conn, &log),
    );
}

async fn pump(from: OwnedReadHalf, to: OwnedWriteHalf, way: Way, conn: &Mutex<Conn>, log: &Log) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if from.readable().await.is_err() {
            return;
        }
        let n = match from.try_read(&mut buf) {
            Ok(0) => return,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
            Err(_) => return,
        };
        note(way, Instant::now(), &buf[..n], conn, log);
        if write_all(&to, &buf[..n]).await.is_err() {
            return;
        }
    }
}

async fn write_all(to: &OwnedWriteHalf, mut data: &[u8]) -> std::io::Result<()> {
    while !data.is_empty() {
        to.writable().await?;
        match to.try_write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn note(way: Way, now: Instant, bytes: &[u8], conn: &Mutex<Conn>, log: &Log) {
    let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
    let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
    match way {
        Way::Up => {
            if conn.answered {
                // Request bytes after a response: the next exchange on this connection.
                *conn = Conn::default();
            }
            if conn.current.is_none() {
                log.push(Exchange {
                    line: request_line(bytes),
                    start: now,
                    end: None,
                });
                conn.current = Some(log.len() - 1);
            }
        }
        Way::Down => {
            if let Some(exchange) = conn.current.and_then(|i| log.get_mut(i)) {
                exchange.end = Some(now);
                conn.answered = true;
            }
        }
    }
}

/// `METHOD /path` from the first bytes of a request, without the query and with every
/// long non-numeric segment (interaction and webhook tokens) masked.
fn request_line(bytes: &[u8]) -> String {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]);
    let first = head.lines().next().unwrap_or_default();
    let mut parts = first.split(' ');
    let method = parts.next().unwrap_or_default();
    let path = parts.next().unwrap_or_default();
    let path = path.split('?').next().unwrap_or_default();
    let masked: Vec<&str> = path
        .split('/')
        .map(|s| {
            if s.len() > 30 && !s.bytes().all(|b| b.is_ascii_digit()) {
                "{token}"
            } else {
                s
            }
        })
        .collect();
    format!("{method} {}", masked.join("/"))
}
