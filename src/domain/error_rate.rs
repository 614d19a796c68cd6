//! Error rates through the verification window: the samples a metrics source gives, the
//! verdict of the fix check ("0.2 % over the last hour, 14 % at the peak"), and a light check
//! of the query people write.

use chrono::{DateTime, Utc};

/// One reading of a rate: when, and its value (a ratio, 0.01 is 1 %).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// When.
    pub at: DateTime<Utc>,
    /// The ratio.
    pub value: f64,
}

/// What the rate did over a stretch of time, against its threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    /// The mean of the samples.
    pub mean: f64,
    /// The highest sample.
    pub peak: f64,
    /// The rate under which the system is good.
    pub good_below: f64,
    /// The last sample.
    pub last: f64,
}

impl Verdict {
    /// The verdict of `samples` against `good_below`; `None` without any sample.
    pub fn of(samples: &[Sample], good_below: f64) -> Option<Self> {
        let values: Vec<f64> = samples
            .iter()
            .map(|s| s.value)
            .filter(|v| v.is_finite())
            .collect();
        let last = *values.last()?;
        let sum: f64 = values.iter().sum();
        #[expect(clippy::cast_precision_loss, reason = "a few thousand samples at most")]
        let mean = sum / values.len() as f64;
        let peak = values.iter().copied().fold(f64::MIN, f64::max);
        Some(Self {
            mean,
            peak,
            good_below,
            last,
        })
    }

    /// Whether the rate stayed good on average and is good now.
    pub fn held(&self) -> bool {
        self.mean < self.good_below && self.last < self.good_below
    }
}

/// Whether `value` is over the threshold `good_below`.
pub fn over(value: f64, good_below: f64) -> bool {
    value.is_finite() && value >= good_below
}

/// A ratio as people read it: `0.2 %`, `14 %`, `1 %`.
pub fn percent(ratio: f64) -> String {
    let p = ratio * 100.0;
    if !p.is_finite() {
        return "no data".to_owned();
    }
    if p >= 10.0 {
        format!("{p:.0} %")
    } else {
        let one = format!("{p:.1}");
        let trimmed = one.strip_suffix(".0").unwrap_or(&one);
        format!("{trimmed} %")
    }
}

/// A light check of a PromQL query, enough to catch what a config file gets wrong: not empty,
/// brackets that pair, quotes that close. Prometheus itself has the last word (`check
/// --online`).
pub fn check_query(query: &str) -> Result<(), String> {
    if query.trim().is_empty() {
        return Err("the query is empty".to_owned());
    }
    let mut open: Vec<char> = Vec::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in query.chars() {
        if let Some(q) = quote {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                _ if c == q => quote = None,
                _ => {}
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '(' | '[' | '{' => open.push(c),
            ')' | ']' | '}' => {
                let want = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if open.pop() != Some(want) {
                    return Err(format!("`{c}` closes nothing that is open"));
                }
            }
            _ => {}
        }
    }
    if let Some(q) = quote {
        return Err(format!("a string opened with {q} is never closed"));
    }
    if let Some(c) = open.pop() {
        return Err(format!("`{c}` is never closed"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(values: &[f64]) -> Vec<Sample> {
        let start = DateTime::<Utc>::UNIX_EPOCH;
        values
            .iter()
            .enumerate()
            .map(|(i, v)| Sample {
                at: start + chrono::TimeDelta::seconds(i64::try_from(i).unwrap_or(0) * 15),
                value: *v,
            })
            .collect()
    }

    #[test]
    fn a_verdict_reads_the_mean_the_peak_and_the_last_sample() {
        let v = Verdict::of(&samples(&[0.0, 0.14, 0.004, f64::NAN, 0.002]), 0.01).expect("v");
        assert!((v.mean - 0.0365).abs() < 1e-9, "{v:?}");
        assert!((v.peak - 0.14).abs() < 1e-9);
        assert!((v.last - 0.002).abs() < 1e-9);
        assert!(!v.held(), "a mean over the threshold did not hold");
        let calm = Verdict::of(&samples(&[0.001, 0.003, 0.002]), 0.01).expect("v");
        assert!(calm.held());
        assert_eq!(Verdict::of(&[], 0.01), None);
    }

    #[test]
    fn percentages_read_as_people_write_them() {
        assert_eq!(percent(0.002), "0.2 %");
        assert_eq!(percent(0.14), "14 %");
        assert_eq!(percent(0.01), "1 %");
        assert_eq!(percent(0.0), "0 %");
        assert_eq!(percent(f64::NAN), "no data");
    }

    #[test]
    fn a_query_with_brackets_that_do_not_pair_is_refused() {
        let good = r#"sum(rate(http_requests_total{service="login",code=~"5.."}[1m])) / sum(rate(http_requests_total{service="login"}[1m]))"#;
        assert_eq!(check_query(good), Ok(()));
        assert!(check_query("sum(rate(x[1m])").is_err());
        assert!(check_query(r#"x{a="b}"#).is_err());
        assert!(check_query("x]").is_err());
        assert!(check_query("  ").is_err());
        assert_eq!(check_query(r#"x{a="(\"b"}"#), Ok(()));
    }
}
