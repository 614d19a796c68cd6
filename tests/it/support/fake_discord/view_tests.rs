//! One test per markdown rule of the renderer, and the ping rules that follow from them.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::mentions::Pings;
use super::view::{render, Names};

/// 30 November 2026, 13:00:00 UTC (a Monday).
const AT: i64 = 1_796_043_600;

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(AT, 0).expect("a valid instant")
}

fn names() -> Names {
    Names::default()
        .user(1, "rhea")
        .role(2, "responders")
        .channel(3, "inc-4-login-down")
}

fn seen(content: &str) -> String {
    render(content, &names(), now())
}

fn at(style: &str) -> String {
    seen(&format!("<t:{AT}{style}>"))
}

#[test]
fn a_backslash_shows_the_mark_it_escapes_and_stays_before_letters() {
    assert_eq!(
        seen(r"\*not italic\* \_x\_ \\ \a"),
        r"*not italic* _x_ \ \a"
    );
}

#[test]
fn bold_shows_its_text_alone() {
    assert_eq!(seen("a **bold** b ***both***"), "a bold b both");
}

#[test]
fn italic_with_stars_needs_text_right_inside_the_marks() {
    assert_eq!(seen("*it* and * not *"), "it and * not *");
}

#[test]
fn italic_with_underscores_is_not_read_inside_words() {
    assert_eq!(seen("_it_ and snake_case_name"), "it and snake_case_name");
}

#[test]
fn underline_shows_its_text_alone() {
    assert_eq!(seen("__under__ lined"), "under lined");
}

#[test]
fn strikethrough_shows_its_text_alone() {
    assert_eq!(seen("~~gone~~ here"), "gone here");
}

#[test]
fn a_spoiler_shows_its_text_as_if_revealed() {
    assert_eq!(
        seen("the cause: ||a bad deploy||"),
        "the cause: a bad deploy"
    );
}

#[test]
fn a_code_span_shows_markdown_and_mentions_verbatim() {
    assert_eq!(seen("run `**x** <@1> \\*`"), "run **x** <@1> \\*");
}

#[test]
fn a_code_block_shows_its_body_without_fences_or_language() {
    assert_eq!(
        seen("log:\n```rust\n**x** <@1>\n```\ndone"),
        "log:\n**x** <@1>\ndone"
    );
}

#[test]
fn a_user_mention_shows_the_members_name_or_unknown_user() {
    assert_eq!(seen("<@1> <@!1> <@9>"), "@rhea @rhea @unknown-user");
}

#[test]
fn a_role_mention_shows_the_role_name() {
    assert_eq!(seen("paging <@&2>"), "paging @responders");
}

#[test]
fn a_channel_mention_shows_the_channel_name() {
    assert_eq!(seen("see <#3>"), "see #inc-4-login-down");
}

#[test]
fn everyone_and_here_show_as_typed() {
    assert_eq!(seen("@everyone and @here"), "@everyone and @here");
}

#[test]
fn a_timestamp_without_style_shows_long_date_and_short_time() {
    assert_eq!(at(""), "November 30, 2026 at 13:00");
}

#[test]
fn a_short_time_timestamp_shows_hours_and_minutes() {
    assert_eq!(at(":t"), "13:00");
}

#[test]
fn a_medium_time_timestamp_shows_seconds_too() {
    assert_eq!(at(":T"), "13:00:00");
}

#[test]
fn a_short_date_timestamp_shows_day_month_year() {
    assert_eq!(at(":d"), "30/11/2026");
}

#[test]
fn a_long_date_timestamp_shows_the_month_by_name() {
    assert_eq!(at(":D"), "November 30, 2026");
}

#[test]
fn an_f_timestamp_shows_long_date_and_short_time() {
    assert_eq!(at(":f"), "November 30, 2026 at 13:00");
}

#[test]
fn a_full_timestamp_shows_the_weekday() {
    assert_eq!(at(":F"), "Monday, November 30, 2026 at 13:00");
}

#[test]
fn an_s_timestamp_shows_short_date_and_short_time() {
    assert_eq!(at(":s"), "30/11/2026, 13:00");
}

#[test]
fn a_capital_s_timestamp_shows_short_date_and_medium_time() {
    assert_eq!(at(":S"), "30/11/2026, 13:00:00");
}

#[test]
fn a_relative_timestamp_reads_from_now_in_rounded_units() {
    let relative = |offset: Duration| {
        let unix = (now() + offset).timestamp();
        seen(&format!("<t:{unix}:R>"))
    };

    assert_eq!(relative(Duration::minutes(5)), "in 5 minutes");
    assert_eq!(relative(Duration::hours(-2)), "2 hours ago");
    assert_eq!(relative(Duration::seconds(10)), "in a few seconds");
    assert_eq!(relative(Duration::zero()), "a few seconds ago");
    assert_eq!(relative(Duration::minutes(60)), "in an hour");
    assert_eq!(relative(Duration::days(-3)), "3 days ago");
}

#[test]
fn a_masked_link_shows_its_text_unless_the_text_is_a_url() {
    assert_eq!(
        seen("[runbook](https://example.com/rb) [https://a.io](https://b.io)"),
        "runbook [https://a.io](https://b.io)"
    );
}

#[test]
fn a_heading_or_subtext_line_shows_its_text_alone() {
    assert_eq!(
        seen("# Incident\n## Impact\n### Now\n-# small\n#not a heading"),
        "Incident\nImpact\nNow\nsmall\n#not a heading"
    );
}

#[test]
fn a_quote_line_shows_a_bar_before_its_text() {
    assert_eq!(
        seen("> quoted\nnot\n>>> all\nof this"),
        "│ quoted\nnot\n│ all\n│ of this"
    );
}

#[test]
fn a_list_item_shows_a_bullet_and_a_numbered_item_its_number() {
    assert_eq!(
        seen("- one\n* two\n  - nested\n1. first"),
        "• one\n• two\n  • nested\n1. first"
    );
}

#[test]
fn an_escaped_mention_shows_literally_and_pings_nobody() {
    let content = r"\<@1> \<@&2> \@everyone";

    assert_eq!(seen(content), "<@1> <@&2> @everyone");
    assert!(Pings::compute(content, None).nobody());
}

#[test]
fn a_mention_in_code_pings_nobody() {
    let pings = Pings::compute("`<@1>` ```\n<@&2> @here\n```", None);

    assert!(pings.nobody(), "{pings:?}");
}

#[test]
fn a_mention_in_bold_or_a_quote_still_pings() {
    let pings = Pings::compute(
        "**<@1>**\n> <@&2>",
        Some(&json!({ "parse": ["users", "roles"] })),
    );

    assert_eq!(pings.users.len() + pings.roles.len(), 2, "{pings:?}");
}

#[test]
fn a_bare_web_address_is_a_link_with_a_preview_and_one_in_brackets_has_none() {
    use super::view::links;
    assert_eq!(
        links("go to https://evil.example/a_b, now"),
        [("https://evil.example/a_b".to_owned(), true)]
    );
    assert_eq!(
        seen("go to https://evil.example/a_b, now"),
        "go to https://evil.example/a_b, now"
    );
    assert_eq!(
        links("see <https://status.example>"),
        [("https://status.example".to_owned(), false)]
    );
    assert_eq!(
        links("x\\<https://evil.example>"),
        [("https://evil.example>".to_owned(), true)],
        "an escaped bracket leaves the address bare: still a link"
    );
    assert_eq!(
        links("wordhttps://evil.example"),
        [("https://evil.example".to_owned(), true)]
    );
}

#[test]
fn an_escaped_colon_after_the_scheme_leaves_the_address_as_text() {
    use super::view::links;
    assert!(links("https\\://evil.example/a").is_empty());
    assert_eq!(
        seen("https\\://evil.example/a\\_b"),
        "https://evil.example/a_b"
    );
    assert!(
        links("HTTPS://evil.example").is_empty(),
        "the client's rule is lower case"
    );
}
