//! How long `/metrics` takes to render and how big a scrape is (filled in below).
fn main() {}
