//! Tests of the ETA and start-time parsers.

use chrono::TimeZone;

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0)
        .single()
        .expect("valid")
}

#[test]
fn durations_read_as_people_write_them() {
    for (text, minutes) in [
        ("45m", 45),
        ("2h", 120),
        ("1h30m", 90),
        ("1h 30m", 90),
        ("90 min", 90),
        ("30 minutes", 30),
        ("2 Hours", 120),
        ("1 day", 1440),
        ("  15m ", 15),
    ] {
        assert_eq!(
            parse_duration(text),
            Some(TimeDelta::minutes(minutes)),
            "{text}"
        );
    }
    for text in [
        "",
        "m",
        "45",
        "soon",
        "45 seconds",
        "in 45m",
        "45m or so",
        "1234567m",
        "-5m",
    ] {
        assert_eq!(parse_duration(text), None, "{text:?}");
    }
}

#[test]
fn an_eta_is_a_time_from_a_duration_or_the_words_given() {
    assert_eq!(
        EtaInput::parse("45m").map(|e| e.at(now())),
        Ok(Eta::At(now() + TimeDelta::minutes(45)))
    );
    assert_eq!(
        EtaInput::parse(" after the next patch ").map(|e| e.at(now())),
        Ok(Eta::Text(
            ShortText::parse("after the next patch").expect("text")
        ))
    );
}

#[test]
fn an_eta_of_nothing_or_of_weeks_is_refused_with_what_to_write() {
    let zero = EtaInput::parse("0m").expect_err("zero");
    assert_eq!(zero, EtaError::Zero);
    assert!(zero.to_string().contains("`45m`"), "{zero}");
    let far = EtaInput::parse("8 days").expect_err("too far");
    assert_eq!(far, EtaError::TooFar);
    assert!(far.to_string().contains("give words instead"), "{far}");
    assert!(EtaInput::parse("7 days").is_ok());
    let empty = EtaInput::parse("   ").expect_err("empty");
    assert_eq!(empty.to_string(), "The ETA is empty: write a few words");
    assert!(matches!(
        EtaInput::parse("soon\u{200B}"),
        Err(EtaError::Text(TextError::Hidden { .. }))
    ));
}

#[test]
fn a_time_eta_passes_and_words_never_do() {
    let eta = EtaInput::parse("10m").expect("eta").at(now());
    assert!(!eta.passed(now()));
    assert!(eta.passed(now() + TimeDelta::minutes(10)));
    assert_eq!(eta.written(), "2026-11-30 09:10 UTC");
    let words = EtaInput::parse("tonight").expect("eta").at(now());
    assert!(!words.passed(now() + TimeDelta::days(3)));
}

#[test]
fn a_start_reads_as_ago_today_a_date_or_rfc_3339() {
    let at = |h, m| {
        Utc.with_ymd_and_hms(2026, 11, 30, h, m, 0)
            .single()
            .expect("valid")
    };
    for (text, want) in [
        ("25m ago", at(8, 35)),
        ("1h 5m ago", at(7, 55)),
        ("25 minutes ago", at(8, 35)),
        ("08:40", at(8, 40)),
        ("08:40 UTC", at(8, 40)),
        ("2026-11-30 08:40", at(8, 40)),
        ("2026-11-30T08:40:00Z", at(8, 40)),
        ("2026-11-30T09:40:00+01:00", at(8, 40)),
    ] {
        assert_eq!(
            SinceInput::parse(text).map(|s| s.at(now())),
            Ok(want),
            "{text}"
        );
    }
}

#[test]
fn a_start_that_is_not_a_time_is_refused_with_examples() {
    for text in [
        "",
        "ago",
        "yesterday",
        "25 ago",
        "8:40pm",
        "2026-13-01 08:40",
        "soon",
    ] {
        let err = SinceInput::parse(text).expect_err(text);
        assert!(err.to_string().contains("`25m ago`"), "{err}");
    }
}
