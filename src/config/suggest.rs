//! "Did you mean `guild_id`?": the known name closest to a misspelt one.

/// The edit distance between `a` and `b`, counting a swap of two neighbours as one edit
/// (optimal string alignment), so `paht` is one edit from `path`.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: the distance between a[..i] and b[..j].
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The candidate closest to `typed`, when it is close enough to be what was meant: at most one
/// edit in three characters, ignoring case.
pub(super) fn closest<'a>(typed: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let typed_lower = typed.to_lowercase();
    let limit = typed.chars().count().max(3) / 3;
    candidates
        .iter()
        .map(|c| (distance(&typed_lower, &c.to_lowercase()), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_near_miss_is_suggested_and_a_stranger_is_not() {
        let keys = ["guild_id", "api_base"];
        assert_eq!(closest("guild_idd", &keys), Some("guild_id"));
        assert_eq!(closest("gulid_id", &keys), Some("guild_id"));
        assert_eq!(closest("colour", &keys), None);
        assert_eq!(closest("p0", &["P0", "P1"]), Some("P0"));
        assert_eq!(closest("paht", &["path"]), Some("path"));
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("日本", "日"), 1);
    }
}
