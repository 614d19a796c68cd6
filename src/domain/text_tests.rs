//! Tests of parsed text: trimming, limits, and the hidden characters refused, one class each.

use super::*;

/// A parser of typed text, its outcome reduced to the accepted text or the message.
type Parser = fn(&str) -> Result<String, String>;

/// Every parser of typed text, so that each class of hidden character is checked in all of them.
const PARSERS: [(&str, Parser); 5] = [
    ("title", |s| {
        IncidentTitle::parse(s)
            .map(String::from)
            .map_err(|e| e.to_string())
    }),
    ("free text", |s| {
        FreeText::parse(s)
            .map(String::from)
            .map_err(|e| e.to_string())
    }),
    ("short text", |s| {
        ShortText::parse(s)
            .map(String::from)
            .map_err(|e| e.to_string())
    }),
    ("system name", |s| {
        SystemName::parse(s)
            .map(String::from)
            .map_err(|e| e.to_string())
    }),
    ("systems", |s| {
        Systems::parse(s)
            .map(|s| s.display())
            .map_err(|e| e.to_string())
    }),
];

/// Asserts that `c`, inside a word, is refused by every parser with its code point named.
fn refused_everywhere(c: char) {
    let code = format!("U+{:04X}", u32::from(c));
    let input = format!("Login{c}down");
    for (name, parse) in PARSERS {
        let err = parse(&input).expect_err(&format!("{name} accepted {code}"));
        assert!(
            err.contains(&format!("contains a hidden character ({code})")),
            "{name}, {code}: {err}"
        );
    }
}

#[test]
fn titles_are_trimmed_and_capped_at_100_characters() {
    assert_eq!(
        IncidentTitle::parse("  Login down ").map(String::from),
        Ok("Login down".into())
    );
    let longest = "x".repeat(100);
    assert_eq!(
        IncidentTitle::parse(&longest).map(String::from),
        Ok(longest.clone())
    );
    let err = IncidentTitle::parse(&"x".repeat(101)).expect_err("too long");
    assert_eq!(
        err.to_string(),
        "The title is 101 characters long; the limit is 100: shorten it"
    );
}

#[test]
fn empty_and_whitespace_titles_are_refused() {
    assert!(matches!(
        IncidentTitle::parse(""),
        Err(TextError::Empty { .. })
    ));
    assert!(matches!(
        IncidentTitle::parse(" \t "),
        Err(TextError::Empty { .. })
    ));
}

#[test]
fn control_zero_width_and_bidi_characters_are_refused() {
    for c in [
        '\u{0007}', '\u{200B}', '\u{200D}', '\u{202E}', '\u{2066}', '\u{FEFF}',
    ] {
        refused_everywhere(c);
    }
    let err = IncidentTitle::parse("a\nb").expect_err("a newline in a title");
    assert!(err.to_string().contains("(U+000A)"), "{err}");
    assert_eq!(
        FreeText::parse("line one\nline two").map(String::from),
        Ok("line one\nline two".into())
    );
    assert!(matches!(
        FreeText::parse("a\rb"),
        Err(TextError::Hidden { code, .. }) if code == "U+000D"
    ));
}

#[test]
fn a_soft_hyphen_is_refused_with_a_message_that_says_what_to_do() {
    refused_everywhere('\u{00AD}');
    let err = IncidentTitle::parse("Log\u{00AD}in down").expect_err("soft hyphen");
    assert_eq!(
        err.to_string(),
        "The title contains a hidden character (U+00AD): retype it without control, zero-width, \
         bidi or other invisible formatting characters"
    );
}

#[test]
fn the_combining_grapheme_joiner_is_refused() {
    refused_everywhere('\u{034F}');
}

#[test]
fn hangul_fillers_are_refused() {
    for c in ['\u{115F}', '\u{1160}', '\u{3164}', '\u{FFA0}'] {
        refused_everywhere(c);
    }
    // A "name" of fillers alone looks blank but is not white space to `trim`.
    assert!(matches!(
        IncidentTitle::parse("\u{3164}\u{3164}"),
        Err(TextError::Hidden { .. })
    ));
}

#[test]
fn the_mongolian_vowel_separator_is_refused() {
    refused_everywhere('\u{180E}');
}

#[test]
fn the_deprecated_format_characters_are_refused() {
    for c in '\u{206A}'..='\u{206F}' {
        refused_everywhere(c);
    }
}

#[test]
fn the_whole_tag_block_is_refused() {
    for c in '\u{E0000}'..='\u{E007F}' {
        refused_everywhere(c);
    }
}

#[test]
fn the_other_format_characters_outside_the_bmp_and_in_arabic_and_syriac_are_refused() {
    for c in [
        '\u{0600}',
        '\u{0605}',
        '\u{061C}',
        '\u{06DD}',
        '\u{070F}',
        '\u{0890}',
        '\u{0891}',
        '\u{08E2}',
        '\u{2064}',
        '\u{FFF9}',
        '\u{FFFB}',
        '\u{110BD}',
        '\u{110CD}',
        '\u{13430}',
        '\u{1343F}',
        '\u{1BCA0}',
        '\u{1BCA3}',
        '\u{1D173}',
        '\u{1D17A}',
    ] {
        refused_everywhere(c);
    }
}

#[test]
fn the_format_table_is_sorted_and_holds_the_170_code_points_of_cf() {
    for table in [&FORMAT[..], &BLANK[..], &VARIATION[..]] {
        assert!(table.iter().all(|(first, last)| first <= last), "{table:?}");
        assert!(
            table.windows(2).all(|w| w[0].1 < w[1].0),
            "binary search needs sorted, disjoint ranges: {table:?}"
        );
    }
    let cf: u32 = FORMAT
        .iter()
        .map(|&(first, last)| u32::from(last) - u32::from(first) + 1)
        .sum();
    assert_eq!(
        cf, 170,
        "DerivedGeneralCategory 15.1/16.0 lists 170 Cf code points"
    );
}

#[test]
fn line_and_paragraph_separators_are_refused_even_where_newlines_are_not() {
    for c in ['\u{2028}', '\u{2029}'] {
        refused_everywhere(c);
    }
    assert!(matches!(
        FreeText::parse("line one\u{2028}line two"),
        Err(TextError::Hidden { code, .. }) if code == "U+2028"
    ));
}

#[test]
fn the_variation_selectors_are_refused_but_an_emojis_own() {
    for c in ('\u{FE00}'..='\u{FE0D}').chain('\u{E0100}'..='\u{E01EF}') {
        refused_everywhere(c);
    }
    // The presentation selectors after a letter, at the start, after a space or in a run: no
    // emoji is styled, so they only hide something.
    for c in ['\u{FE0E}', '\u{FE0F}'] {
        refused_everywhere(c);
        let code = format!("U+{:04X}", u32::from(c));
        for input in [
            format!("{c}Login down"),
            format!("Login {c}down"),
            format!("Server ❤{c}{c} back"),
            format!("Server ❤\u{FE0F}{c} back"),
        ] {
            let err = IncidentTitle::parse(&input).expect_err(&input);
            assert!(
                err.to_string()
                    .contains(&format!("hidden character ({code})")),
                "{input:?}: {err}"
            );
        }
    }
    let err = IncidentTitle::parse("Login ❤\u{E0100} down").expect_err("a supplement selector");
    assert!(err.to_string().contains("(U+E0100)"), "{err}");
    // What the emoji picker types stays typeable: a symbol, a digit keycap, a text style.
    for ok in [
        "Server ❤\u{FE0F} back",
        "⚠\u{FE0F} Login down",
        "1\u{FE0F}\u{20E3} shard",
        "☀\u{FE0E}",
    ] {
        assert_eq!(
            IncidentTitle::parse(ok).map(String::from),
            Ok(ok.to_owned()),
            "{ok:?}"
        );
    }
}

#[test]
fn the_khmer_inherent_vowels_and_mongolian_free_variation_selectors_are_refused() {
    for c in [
        '\u{17B4}', '\u{17B5}', '\u{180B}', '\u{180C}', '\u{180D}', '\u{180E}', '\u{180F}',
    ] {
        refused_everywhere(c);
    }
}

#[test]
fn the_blank_braille_pattern_is_refused_and_other_braille_is_not() {
    refused_everywhere('\u{2800}');
    assert!(matches!(
        IncidentTitle::parse("\u{2800}\u{2800}"),
        Err(TextError::Hidden { .. })
    ));
    assert_eq!(
        IncidentTitle::parse("\u{2801} Braille").map(String::from),
        Ok("\u{2801} Braille".to_owned())
    );
}

#[test]
fn the_unassigned_default_ignorable_code_points_are_refused() {
    for c in [
        '\u{2065}',
        '\u{FFF0}',
        '\u{FFF8}',
        '\u{E0080}',
        '\u{E00FF}',
        '\u{E01F0}',
        '\u{E0FFF}',
    ] {
        refused_everywhere(c);
    }
}

#[test]
fn visible_neighbours_of_the_refused_ranges_are_accepted() {
    // Emoji with their variation selector, accents, Arabic digits and signs, Hangul jamo, and
    // the mark after the hieroglyph format controls stay typeable.
    for ok in [
        "Login é down",
        "Server ❤\u{FE0F} back",
        "\u{0606} \u{0660}\u{0661}",
        "\u{1100}\u{1161}",
        "\u{13440}",
    ] {
        assert_eq!(
            IncidentTitle::parse(ok).map(String::from),
            Ok(ok.to_owned()),
            "{ok:?}"
        );
    }
}

#[test]
fn length_counts_characters_not_bytes() {
    let accented = "é".repeat(100);
    assert_eq!(
        IncidentTitle::parse(&accented).map(String::from),
        Ok(accented.clone())
    );
}

#[test]
fn stored_text_is_kept_as_written_even_when_parsing_refuses_it_today() {
    let stored = "Log\u{00AD}in down".to_owned();
    assert!(IncidentTitle::parse(&stored).is_err());
    assert_eq!(IncidentTitle::from_stored(stored.clone()).as_str(), stored);
    let systems = Systems::from_stored(["Log\u{00AD}in".to_owned(), "Store".to_owned()]);
    assert_eq!(
        systems.names().collect::<Vec<_>>(),
        ["Log\u{00AD}in", "Store"]
    );
}

#[test]
fn systems_split_on_commas_and_drop_duplicates() {
    let s = Systems::parse("Login, matchmaking,,login ").expect("valid");
    assert_eq!(s.names().collect::<Vec<_>>(), ["Login", "matchmaking"]);
    assert_eq!(Systems::parse("").map(|s| s.is_empty()), Ok(true));
    assert!(matches!(
        Systems::parse(
            &(0..11)
                .map(|i| format!("s{i}"))
                .collect::<Vec<_>>()
                .join(",")
        ),
        Err(SystemsError::TooMany(11))
    ));
}
