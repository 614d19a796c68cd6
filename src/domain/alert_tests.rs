use std::collections::BTreeMap;

use super::*;

#[test]
fn system_rules_name_the_first_system_whose_label_matches() {
    let mut config = BTreeMap::new();
    config.insert("Login".to_owned(), vec!["service=auth".to_owned()]);
    config.insert(
        "Store".to_owned(),
        vec!["job=shop".to_owned(), "team=payments".to_owned()],
    );
    let rules = SystemRules::parse(&config).expect("parses");
    let labels = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    assert_eq!(
        rules.system_of(&labels(&[("service", "AUTH")])),
        Some("Login")
    );
    assert_eq!(
        rules.system_of(&labels(&[("team", "payments")])),
        Some("Store")
    );
    assert_eq!(rules.system_of(&labels(&[("service", "chat")])), None);
    config.insert("Bad".to_owned(), vec!["nothing".to_owned()]);
    assert!(SystemRules::parse(&config).is_err());
}
