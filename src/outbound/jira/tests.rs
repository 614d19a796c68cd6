//! The builder's documents against Atlassian's own ADF JSON schema
//! (`tests/fixtures/jira/adf-full.schema.json`, from `@atlaskit/adf-schema`).

use serde_json::{json, Value};

use super::adf::Doc;
use crate::app::Piece;

fn schema() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/jira/adf-full.schema.json"
    );
    let text = std::fs::read_to_string(path).expect("the ADF schema fixture");
    let schema: Value = serde_json::from_str(&text).expect("JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .expect("the ADF schema compiles")
}

fn problems(doc: &Value) -> Vec<String> {
    schema()
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn a_document_of_text_and_links_is_valid_adf_and_keeps_typed_text_as_text() {
    let doc = Doc::of(&[
        vec![Piece::Text("Severity P0. {\"type\": \"x\"} <b>".into())],
        vec![
            Piece::Text("Incident channel: ".into()),
            Piece::Link {
                text: "#inc-12-login".into(),
                url: "https://discord.com/channels/1/2".into(),
            },
        ],
        vec![Piece::Text(String::new())],
    ]);
    let value = serde_json::to_value(&doc).expect("serializes");
    assert_eq!(problems(&value), Vec::<String>::new());
    assert_eq!(
        value["content"][0]["content"][0]["text"],
        "Severity P0. {\"type\": \"x\"} <b>"
    );
    assert_eq!(
        value["content"][1]["content"][1]["marks"][0],
        json!({ "type": "link", "attrs": { "href": "https://discord.com/channels/1/2" } })
    );
}

#[test]
fn the_schema_refuses_what_jira_refuses() {
    // The check can fail: an empty text node and a missing version are not ADF.
    let bad = json!({ "type": "doc", "content": [
        { "type": "paragraph", "content": [ { "type": "text", "text": "" } ] }
    ]});
    assert!(!problems(&bad).is_empty());
}
