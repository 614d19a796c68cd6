//! `/ping`: answers at once, to check the bot is alive. Also the latency floor in benchmarks.

use super::super::ask::Ask;
use super::super::Error;
use super::spec::{BoxFuture, Invoked, Options, Spec};

/// `/ping`.
pub const SPEC: Spec = Spec {
    command: "ping",
    sub: None,
    invoked: Invoked::Slash,
    description: "Check that the bot is up: it answers \"ok\".",
    params: &[],
    run: ping,
};

/// Answers "ok".
fn ping<'a>(ask: &'a Ask<'a>, _: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(ask.say("ok"))
}
