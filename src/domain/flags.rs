//! Game flags (`ranked_disabled`, `store_disabled`): names a game client understands and acts
//! on while an incident lasts, set with `/incident flag`. The studio lists them in
//! `[players] flags`; a name not listed is refused with the ones that are.

use super::{Refusal, Typed};

/// One flag, known to be among the configured ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GameFlag(String);

impl GameFlag {
    /// Takes `typed` (case and spaces around forgiven) when `allowed` lists it.
    pub fn parse(typed: &str, allowed: &[String]) -> Result<Self, Refusal> {
        let wanted = typed.trim();
        allowed
            .iter()
            .find(|name| name.eq_ignore_ascii_case(wanted))
            .map(|name| Self(name.clone()))
            .ok_or_else(|| Refusal::UnknownFlag {
                typed: Typed(typed.to_owned()),
                allowed: allowed.to_vec(),
            })
    }

    /// Its name, as configured.
    pub fn name(&self) -> &str {
        &self.0
    }
}

/// Whether `name` may be a flag: 1 to 40 lower-case letters, digits and `_`, as a game
/// client's code would spell a switch.
pub fn is_flag_name(name: &str) -> bool {
    (1..=40).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Vec<String> {
        vec!["ranked_disabled".into(), "store_disabled".into()]
    }

    #[test]
    fn a_listed_flag_is_taken_as_configured_and_another_is_refused_with_the_list() {
        let flag = GameFlag::parse(" Ranked_Disabled ", &allowed()).expect("listed");
        assert_eq!(flag.name(), "ranked_disabled");
        assert_eq!(
            GameFlag::parse("chat_disabled", &allowed()),
            Err(Refusal::UnknownFlag {
                typed: Typed("chat_disabled".into()),
                allowed: allowed(),
            })
        );
    }

    #[test]
    fn flag_names_are_lower_case_words() {
        assert!(is_flag_name("store_disabled"));
        assert!(!is_flag_name("Store disabled"));
        assert!(!is_flag_name(""));
    }
}
