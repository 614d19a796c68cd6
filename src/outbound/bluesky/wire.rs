//! The AT Protocol's JSON, as far as the bot writes or reads it: a session
//! (`com.atproto.server.createSession` / `refreshSession`), an `app.bsky.feed.post` record with
//! its link facet and reply references, and what `createRecord` / `getRecord` answer.

use serde::{Deserialize, Serialize};

/// The collection of posts.
pub(super) const POST: &str = "app.bsky.feed.post";

/// `createSession`'s input.
#[derive(Debug, Serialize)]
pub(super) struct Login<'a> {
    pub identifier: &'a str,
    pub password: &'a str,
}

/// A session, as `createSession` and `refreshSession` answer it (and as the bot stores it).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Session {
    pub access_jwt: String,
    pub refresh_jwt: String,
    pub did: String,
}

/// A record's address and version: `com.atproto.repo.strongRef`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct StrongRef {
    pub uri: String,
    pub cid: String,
}

/// `app.bsky.feed.post#replyRef`.
#[derive(Debug, Serialize)]
pub(super) struct ReplyRef {
    pub root: StrongRef,
    pub parent: StrongRef,
}

/// `app.bsky.richtext.facet#byteSlice`: UTF-8 byte offsets, end exclusive.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ByteSlice {
    pub byte_start: usize,
    pub byte_end: usize,
}

/// `app.bsky.richtext.facet#link`.
#[derive(Debug, Serialize)]
pub(super) struct LinkFeature {
    #[serde(rename = "$type")]
    pub kind: &'static str,
    pub uri: String,
}

/// `app.bsky.richtext.facet`: only links; typed text never gets a mention or a tag.
#[derive(Debug, Serialize)]
pub(super) struct Facet {
    pub index: ByteSlice,
    pub features: Vec<LinkFeature>,
}

/// An `app.bsky.feed.post` record.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Post {
    #[serde(rename = "$type")]
    pub kind: &'static str,
    pub text: String,
    pub created_at: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facets: Vec<Facet>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<ReplyRef>,
}

/// `com.atproto.repo.createRecord`'s input.
#[derive(Debug, Serialize)]
pub(super) struct CreateRecord<'a> {
    pub repo: &'a str,
    pub collection: &'static str,
    pub rkey: &'a str,
    pub record: Post,
}
