//! Discord's OpenAPI spec, with the two documented exceptions applied (see `schema.rs`),
//! shared by every fake Discord of the run.

use std::sync::LazyLock;

use super::super::openapi::OpenApi;
use super::schema;

pub use super::super::openapi::{percent_decode, RouteLookup, RouteMatch};

/// The spec's text, compiled into the test binary so no test depends on the working directory.
const SPEC_TEXT: &str = include_str!("../../../fixtures/discord/openapi.json");

/// Discord's description; the generic matching and validation are [`OpenApi`]'s.
pub struct Spec {
    pub(super) api: OpenApi,
}

/// The process-wide spec; parsing 1 MB of JSON and building validators is done once per run.
pub static SPEC: LazyLock<Spec> = LazyLock::new(Spec::load);

impl Spec {
    fn load() -> Spec {
        let mut doc: serde_json::Value =
            serde_json::from_str(SPEC_TEXT).expect("the fixture spec is JSON");
        schema::accept_permission_strings(&mut doc);
        schema::accept_numeric_attachment_ids(&mut doc);
        Spec {
            api: OpenApi::new(doc),
        }
    }

    /// Whether `method` + `template` is an operation of the spec (used to check fault rules).
    pub fn has_operation(&self, method: &str, template: &str) -> bool {
        self.api.has_operation(method, template)
    }

    /// Finds the operation for a path below `/api/v10`.
    pub fn lookup(&self, method: &str, path: &str) -> RouteLookup {
        self.api.lookup(method, path)
    }

    /// Whether the operation declares a request body, and whether it is required.
    pub fn body_required(&self, method: &str, template: &str) -> Option<bool> {
        self.api.body_required(method, template)
    }
}
