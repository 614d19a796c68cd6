use super::*;

fn never() -> Vec<IpNet> {
    vec!["203.0.113.0/24".parse().expect("a range")]
}

#[test]
fn single_addresses_and_the_ranges_access_rules_take_are_accepted_once_each() {
    let targets = parse_targets(
        "198.51.100.7, 2001:db8::1\n198.51.0.0/16 198.51.100.7; 2001:db8:1::/48",
        &[],
    )
    .expect("valid");
    let shown: Vec<String> = targets.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "198.51.100.7",
            "2001:db8::1",
            "198.51.0.0/16",
            "2001:db8:1::/48"
        ]
    );
    assert!(targets[1].is_v6() && !targets[1].is_range());
    assert!(targets[2].is_range());
}

#[test]
fn a_range_access_rules_cannot_hold_is_refused_with_the_sizes_they_take() {
    let e = parse_target("198.51.100.0/25", &[]).expect_err("a /25");
    assert!(e.0.contains("/16, /24"), "{e}");
    let e = parse_target("2001:db8::/56", &[]).expect_err("a /56");
    assert!(e.0.contains("/32, /48, /64"), "{e}");
    let e = parse_target("198.51.100.9/24", &[]).expect_err("not a network start");
    assert!(e.0.contains("198.51.100.0/24"), "{e}");
}

#[test]
fn private_loopback_and_link_local_addresses_are_refused_saying_why() {
    for (word, why) in [
        ("10.1.2.3", "private"),
        ("192.168.0.0/16", "private"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("169.254.10.1", "link-local"),
        ("fe80::1", "link-local"),
        ("fd00::/48", "private"),
    ] {
        let e = parse_target(word, &[]).expect_err(word);
        assert!(e.0.contains(why), "{word}: {e}");
    }
    // A range that holds a private one is refused too.
    assert!(parse_target("172.16.0.0/16", &[]).is_err());
}

#[test]
fn the_studios_own_ranges_are_never_blocked() {
    let e = parse_target("203.0.113.50", &never()).expect_err("own");
    assert!(e.0.contains("never_block"), "{e}");
    assert!(parse_target("198.51.100.50", &never()).is_ok());
}

#[test]
fn one_bad_word_refuses_the_whole_list_and_typed_text_is_not_echoed_as_markup() {
    let e = parse_targets("198.51.100.7 <@123>`evil`", &[]).expect_err("not an address");
    assert!(e.0.starts_with("Nothing was blocked."), "{e}");
    assert!(!e.0.contains("<@"), "{e}");
    assert!(parse_targets(" , ", &[]).is_err());
}

#[test]
fn a_stored_target_reads_back_as_written() {
    for text in ["198.51.100.7", "2001:db8:1::/48"] {
        let t = BlockTarget::from_stored(text).expect("stored");
        assert_eq!(t.to_string(), text);
    }
}
