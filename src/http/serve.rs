//! Serving a listener connection by connection, with the limits `axum::serve` cannot set: a
//! header-read timeout (hyper needs a timer for it, which `axum::serve` does not give it), a
//! cap on open connections, and request and body timeouts and a body limit around the router.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::http::StatusCode;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tower::ServiceExt as _;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

use super::MAX_BODY;
use crate::config::HttpSettings;

/// The limits of one listener.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long a client may take to send a request's headers, or stay idle between requests.
    pub header_timeout: Duration,
    /// How long a client may take to send a body.
    pub body_timeout: Duration,
    /// How long a whole request may take.
    pub request_timeout: Duration,
    /// Connections open at once.
    pub max_connections: usize,
}

impl Limits {
    /// The limits `[http]` sets.
    pub fn of(settings: &HttpSettings) -> Self {
        Self {
            header_timeout: settings.header_timeout,
            body_timeout: settings.body_timeout,
            request_timeout: settings.request_timeout,
            max_connections: settings.max_connections,
        }
    }
}

/// `router` within the request and body timeouts (408) and the body limit (413).
pub fn limited(router: Router, limits: Limits) -> Router {
    router
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(RequestBodyTimeoutLayer::new(limits.body_timeout))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
}

/// How long to pause accepting after an error such as "too many open files", so that the loop
/// does not spin while descriptors are short.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// How long one connection is served before it is asked to close (a reverse proxy's
/// keep-alive connection simply opens another).
const CONNECTION_LIFE: Duration = Duration::from_secs(60);

/// Serves `router` on `listener` until the task is aborted; aborting it closes every
/// connection it holds. Each request carries the peer's address as [`ConnectInfo`].
pub async fn serve(listener: TcpListener, router: Router, limits: Limits, name: &'static str) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let mut connections = JoinSet::new();
    loop {
        // A slot first: past the cap, connections wait in the kernel's queue and cost this
        // process no descriptor.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        while connections.try_join_next().is_some() {}
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!(listener = name, error = %e, "could not accept a connection");
                tokio::time::sleep(ACCEPT_PAUSE).await;
                continue;
            }
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: Request<_>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request.map(axum::body::Body::new))
        });
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let last_answer = limits.request_timeout;
        connections.spawn(async move {
            let mut connection = std::pin::pin!(connection);
            // A client that never reads its answer would hold its slot for ever: the header
            // timeout runs only while a request is awaited. After CONNECTION_LIFE the connection
            // finishes what it serves and closes; a hard stop follows if that takes too long.
            let outcome = tokio::select! {
                outcome = connection.as_mut() => Some(outcome),
                () = tokio::time::sleep(CONNECTION_LIFE) => {
                    connection.as_mut().graceful_shutdown();
                    tokio::time::timeout(last_answer, connection.as_mut()).await.ok()
                }
            };
            if let Some(Err(e)) = outcome {
                tracing::debug!(listener = name, error = %e, "a connection ended with an error");
            }
            drop(slot);
        });
    }
}

/// The client's address: the TCP peer, or, when the peer is one of `trusted` (the reverse
/// proxies), the address the proxies' `header` names: its entries read right to left, past
/// those of trusted proxies, since a proxy appends what it saw and a client can only put
/// entries in front. The other forwarding header is the client's own and never read.
pub fn client_address(
    peer: SocketAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[ipnet::IpNet],
    header: crate::config::ForwardedHeader,
) -> std::net::IpAddr {
    let peer = peer.ip().to_canonical();
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let entries = match header {
        crate::config::ForwardedHeader::XForwardedFor => x_forwarded_for(headers),
        crate::config::ForwardedHeader::Forwarded => forwarded(headers),
    };
    let mut client = peer;
    for entry in entries.into_iter().rev() {
        // An entry that does not read as an address ends the walk: nothing before it is known.
        let Some(ip) = entry else { break };
        client = ip.to_canonical();
        if !is_trusted(&client) {
            break;
        }
    }
    client
}

/// The `for=` addresses of the `Forwarded` headers (RFC 7239), in order.
fn forwarded(headers: &axum::http::HeaderMap) -> Vec<Option<std::net::IpAddr>> {
    headers
        .get_all(axum::http::header::FORWARDED)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| value.trim().trim_matches('"').to_owned())
            })
        })
        .map(|node| {
            // `for="[2001:db8::1]:4711"`, `for=192.0.2.60:80`, `for=192.0.2.60`.
            let host = match node.strip_prefix('[') {
                Some(rest) => rest.split(']').next().unwrap_or_default(),
                None => node.rsplit_once(':').map_or(node.as_str(), |(h, _)| h),
            };
            host.parse().ok()
        })
        .collect()
}

/// The addresses of the `X-Forwarded-For` headers, in order.
fn x_forwarded_for(headers: &axum::http::HeaderMap) -> Vec<Option<std::net::IpAddr>> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|entry| entry.trim().parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().expect("a header value"));
        }
        h
    }

    #[test]
    fn forwarded_headers_are_believed_only_from_a_trusted_proxy() {
        use crate::config::ForwardedHeader::{Forwarded, XForwardedFor};
        let proxy: SocketAddr = "10.0.0.5:40000".parse().expect("addr");
        let stranger: SocketAddr = "203.0.113.9:40000".parse().expect("addr");
        let trusted = ["10.0.0.0/8".parse().expect("net")];
        let at = |peer, h: &HeaderMap, trusted: &[ipnet::IpNet], which| {
            client_address(peer, h, trusted, which).to_string()
        };
        let h = headers(&[("x-forwarded-for", "198.51.100.1, 192.0.2.7")]);
        assert_eq!(at(proxy, &h, &trusted, XForwardedFor), "192.0.2.7");
        assert_eq!(at(stranger, &h, &trusted, XForwardedFor), "203.0.113.9");
        assert_eq!(at(proxy, &h, &[], XForwardedFor), "10.0.0.5");
        // A chain of trusted proxies: the first address outside them.
        let h = headers(&[("x-forwarded-for", "198.51.100.1, 192.0.2.7, 10.1.2.3")]);
        assert_eq!(at(proxy, &h, &trusted, XForwardedFor), "192.0.2.7");
        // The client's own Forwarded header is not read when the proxy sets X-Forwarded-For,
        // so a new made-up address each time counts as the same client.
        for made_up in ["for=1.2.3.4", "for=1.2.3.5"] {
            let h = headers(&[("forwarded", made_up), ("x-forwarded-for", "192.0.2.7")]);
            assert_eq!(at(proxy, &h, &trusted, XForwardedFor), "192.0.2.7");
        }
        let h = headers(&[
            (
                "forwarded",
                "for=198.51.100.1;proto=https, for=\"[2001:db8::1]:4711\"",
            ),
            ("x-forwarded-for", "192.0.2.7"),
        ]);
        assert_eq!(at(proxy, &h, &trusted, Forwarded), "2001:db8::1");
        let h = headers(&[("forwarded", "for=192.0.2.60:80")]);
        assert_eq!(at(proxy, &h, &trusted, Forwarded), "192.0.2.60");
        // Nothing readable: the proxy itself.
        let h = headers(&[("x-forwarded-for", "unknown")]);
        assert_eq!(at(proxy, &h, &trusted, XForwardedFor), "10.0.0.5");
    }
}
