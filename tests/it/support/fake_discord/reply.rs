//! REST answers shaped like Discord's: success bodies, error bodies, rate-limit headers.

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::schema::nest_errors;

/// An answer before it becomes an HTTP response (kept plain so it can be logged and tested).
#[derive(Clone, Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// JSON body, if any.
    pub body: Option<Value>,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Why the request was refused, when the refusal is a violation of Discord's rules.
    pub violation: Option<(&'static str, String)>,
    /// No answer at all: the connection is cut (an injected fault).
    pub cut: bool,
}

impl Reply {
    /// 200 with a JSON body.
    pub fn ok(body: Value) -> Reply {
        Reply {
            status: 200,
            body: Some(body),
            headers: vec![],
            violation: None,
            cut: false,
        }
    }

    /// 201 with a JSON body (Discord's answer to some creations).
    pub fn created(body: Value) -> Reply {
        Reply {
            status: 201,
            ..Reply::ok(body)
        }
    }

    /// 204 without a body.
    pub fn no_content() -> Reply {
        Reply {
            status: 204,
            body: None,
            headers: vec![],
            violation: None,
            cut: false,
        }
    }

    /// A Discord JSON error `{"code", "message"}`, recorded as a violation of kind `kind`.
    pub fn error(status: u16, code: u64, message: &str, kind: &'static str) -> Reply {
        Reply {
            status,
            body: Some(json!({ "message": message, "code": code })),
            headers: vec![],
            violation: Some((kind, format!("{status} {code} {message}"))),
            cut: false,
        }
    }

    /// 400 "Invalid Form Body" (50035) with Discord's nested field errors.
    pub fn invalid_form(errors: &[(String, Value)], kind: &'static str) -> Reply {
        Reply::invalid_form_tree(nest_errors(errors), kind)
    }

    /// 400 "Invalid Form Body" with an already nested error tree.
    pub fn invalid_form_tree(errors: Value, kind: &'static str) -> Reply {
        let detail = format!("50035 Invalid Form Body: {errors}");
        Reply {
            status: 400,
            body: Some(json!({ "code": 50035, "message": "Invalid Form Body", "errors": errors })),
            headers: vec![],
            violation: Some((kind, detail)),
            cut: false,
        }
    }

    /// Discord's route-level 404.
    pub fn route_not_found() -> Reply {
        Reply::error(404, 0, "404: Not Found", "unknown-route")
    }

    /// A 429 as Discord sends it: `retry_after` in the body and the `Retry-After` and
    /// `X-RateLimit-*` headers. Not a violation by itself; the bot must cope with it.
    pub fn rate_limited(retry_after: Duration, global: bool, scope: &str, bucket: &str) -> Reply {
        let secs = retry_after.as_secs_f64();
        let reset = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64()
            + secs;
        let mut headers = vec![
            ("Retry-After".to_owned(), format!("{}", secs.ceil())),
            ("X-RateLimit-Limit".to_owned(), "1".to_owned()),
            ("X-RateLimit-Remaining".to_owned(), "0".to_owned()),
            ("X-RateLimit-Reset".to_owned(), format!("{reset:.3}")),
            ("X-RateLimit-Reset-After".to_owned(), format!("{secs:.3}")),
            ("X-RateLimit-Bucket".to_owned(), bucket.to_owned()),
            ("X-RateLimit-Scope".to_owned(), scope.to_owned()),
        ];
        if global {
            headers.push(("X-RateLimit-Global".to_owned(), "true".to_owned()));
        }
        Reply {
            status: 429,
            body: Some(json!({
                "message": "You are being rate limited.",
                "retry_after": (secs * 1000.0).round() / 1000.0,
                "global": global,
            })),
            headers,
            violation: None,
            cut: false,
        }
    }

    /// A 500 as Discord's edge sends it.
    pub fn server_error() -> Reply {
        Reply {
            status: 500,
            body: Some(json!({ "message": "500: Internal Server Error", "code": 0 })),
            headers: vec![],
            violation: None,
            cut: false,
        }
    }

    /// No answer: the server drops the connection, as a crashing edge would. Recorded with
    /// status 0.
    pub fn cut() -> Reply {
        Reply {
            status: 0,
            body: None,
            headers: vec![],
            violation: None,
            cut: true,
        }
    }

    /// Marks a 429 produced by a limit the bot should have respected as a violation.
    pub fn with_violation(mut self, kind: &'static str, detail: String) -> Reply {
        self.violation = Some((kind, detail));
        self
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = match self.body {
            Some(body) => (status, axum::Json(body)).into_response(),
            None => (status, Body::empty()).into_response(),
        };
        for (name, value) in self.headers {
            if let (Ok(name), Ok(value)) =
                (HeaderName::try_from(name), HeaderValue::try_from(value))
            {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}
