//! A small Prometheus registry: counters, gauges and histograms with label sets, rendered in
//! the classic text exposition format (`# HELP`, `# TYPE`, one line per series).
//!
//! Written by hand rather than taken from a metrics crate: the bot needs a dozen families, a
//! mutex per family is plenty at its rates, and the format is a page of rules.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};

/// What a family is, as `# TYPE` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Counter,
    Gauge,
    Histogram,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        }
    }
}

/// One series' value.
#[derive(Debug, Clone)]
enum Value {
    /// A counter's or gauge's number.
    Number(f64),
    /// Observations per bucket (not cumulative), their sum and their count.
    Histogram {
        buckets: Vec<u64>,
        sum: f64,
        count: u64,
    },
}

/// Metrics of one name: its help, type, label names and every series seen so far.
#[derive(Debug)]
struct Family {
    name: &'static str,
    help: &'static str,
    kind: Kind,
    labels: &'static [&'static str],
    /// Upper bounds of a histogram's buckets, ascending, without `+Inf`.
    bounds: Vec<f64>,
    series: Mutex<BTreeMap<Vec<String>, Value>>,
}

impl Family {
    fn with<R>(&self, labels: &[&str], f: impl FnOnce(&mut Value) -> R) -> R {
        debug_assert_eq!(
            labels.len(),
            self.labels.len(),
            "{}: wrong number of label values",
            self.name
        );
        let mut series = self.series.lock().unwrap_or_else(PoisonError::into_inner);
        let key: Vec<String> = labels.iter().map(|l| (*l).to_owned()).collect();
        let value = series.entry(key).or_insert_with(|| match self.kind {
            Kind::Histogram => Value::Histogram {
                buckets: vec![0; self.bounds.len()],
                sum: 0.0,
                count: 0,
            },
            Kind::Counter | Kind::Gauge => Value::Number(0.0),
        });
        f(value)
    }

    fn render(&self, out: &mut String) {
        let _ = writeln!(out, "# HELP {} {}", self.name, escape_help(self.help));
        let _ = writeln!(out, "# TYPE {} {}", self.name, self.kind.name());
        let series = self.series.lock().unwrap_or_else(PoisonError::into_inner);
        for (values, value) in series.iter() {
            match value {
                Value::Number(n) => {
                    let _ = writeln!(
                        out,
                        "{}{} {}",
                        self.name,
                        label_set(self.labels, values, None),
                        number(*n)
                    );
                }
                Value::Histogram {
                    buckets,
                    sum,
                    count,
                } => {
                    let mut cumulative = 0;
                    for (bound, n) in self.bounds.iter().zip(buckets) {
                        cumulative += n;
                        let le = number(*bound);
                        let _ = writeln!(
                            out,
                            "{}_bucket{} {cumulative}",
                            self.name,
                            label_set(self.labels, values, Some(&le))
                        );
                    }
                    let labels = label_set(self.labels, values, None);
                    let _ = writeln!(
                        out,
                        "{}_bucket{} {count}",
                        self.name,
                        label_set(self.labels, values, Some("+Inf"))
                    );
                    let _ = writeln!(out, "{}_sum{labels} {}", self.name, number(*sum));
                    let _ = writeln!(out, "{}_count{labels} {count}", self.name);
                }
            }
        }
    }
}

/// A number as the format writes it: integers without a fraction, `+Inf`, `-Inf`, `NaN`.
fn number(n: f64) -> String {
    if n.is_nan() {
        "NaN".to_owned()
    } else if n.is_infinite() {
        if n > 0.0 { "+Inf" } else { "-Inf" }.to_owned()
    } else {
        format!("{n}")
    }
}

/// `{a="x",b="y"}` (with `le` last for a bucket), or nothing without labels.
fn label_set(names: &[&str], values: &[String], le: Option<&str>) -> String {
    let mut pairs: Vec<String> = names
        .iter()
        .zip(values)
        .map(|(n, v)| format!("{n}=\"{}\"", escape_value(v)))
        .collect();
    if let Some(le) = le {
        pairs.push(format!("le=\"{le}\""));
    }
    if pairs.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", pairs.join(","))
    }
}

/// A label value: backslash, double quote and line feed escaped.
fn escape_value(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Help text: backslash and line feed escaped.
fn escape_help(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\n', "\\n")
}

/// Whether `name` is a valid metric or label name (`[a-zA-Z_:][a-zA-Z0-9_:]*`, no `:` in
/// labels).
fn valid_name(name: &str, label: bool) -> bool {
    let ok = |c: char, first: bool| {
        c.is_ascii_alphabetic()
            || c == '_'
            || (!label && c == ':')
            || (!first && c.is_ascii_digit())
    };
    let mut chars = name.chars();
    chars.next().is_some_and(|c| ok(c, true)) && chars.all(|c| ok(c, false))
}

/// Every family, in the order they were registered (which is the order they render in).
#[derive(Debug, Default, Clone)]
pub struct Registry {
    families: Arc<Mutex<Vec<Arc<Family>>>>,
}

impl Registry {
    fn add(
        &self,
        name: &'static str,
        help: &'static str,
        kind: Kind,
        labels: &'static [&'static str],
        bounds: &[f64],
    ) -> Arc<Family> {
        // Names come from the code, never from input: a bad one is a bug found by the first test.
        assert!(valid_name(name, false), "metric name {name:?} is not valid");
        assert!(
            labels.iter().all(|l| valid_name(l, true) && *l != "le"),
            "{name}: a label name is not valid"
        );
        assert!(
            bounds.windows(2).all(|w| w[0] < w[1]),
            "{name}: bucket bounds must ascend"
        );
        let family = Arc::new(Family {
            name,
            help,
            kind,
            labels,
            bounds: bounds.to_vec(),
            series: Mutex::new(BTreeMap::new()),
        });
        let mut families = self.families.lock().unwrap_or_else(PoisonError::into_inner);
        assert!(
            families.iter().all(|f| f.name != name),
            "metric {name} is registered twice"
        );
        families.push(family.clone());
        family
    }

    /// A counter (its name should end in `_total`).
    pub fn counter(
        &self,
        name: &'static str,
        help: &'static str,
        labels: &'static [&'static str],
    ) -> Counter {
        Counter(self.add(name, help, Kind::Counter, labels, &[]))
    }

    /// A gauge.
    pub fn gauge(
        &self,
        name: &'static str,
        help: &'static str,
        labels: &'static [&'static str],
    ) -> Gauge {
        Gauge(self.add(name, help, Kind::Gauge, labels, &[]))
    }

    /// A histogram with these bucket upper bounds (ascending; `+Inf` is added).
    pub fn histogram(
        &self,
        name: &'static str,
        help: &'static str,
        labels: &'static [&'static str],
        bounds: &[f64],
    ) -> Histogram {
        Histogram(self.add(name, help, Kind::Histogram, labels, bounds))
    }

    /// Every family in the text exposition format, `# HELP` and `# TYPE` first for each.
    pub fn render(&self) -> String {
        let families = self
            .families
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut out = String::with_capacity(families.len() * 256);
        for family in families {
            family.render(&mut out);
        }
        out
    }
}

/// A count that only goes up, per label set.
#[derive(Debug, Clone)]
pub struct Counter(Arc<Family>);

impl Counter {
    /// Adds one to the series of `labels`.
    pub fn inc(&self, labels: &[&str]) {
        self.add(labels, 1.0);
    }

    /// Adds `by` (not negative) to the series of `labels`.
    pub fn add(&self, labels: &[&str], by: f64) {
        self.0.with(labels, |v| {
            if let Value::Number(n) = v {
                *n += by.max(0.0);
            }
        });
    }

    /// Creates the series of `labels` at zero, so it is scraped before its first event.
    pub fn touch(&self, labels: &[&str]) {
        self.0.with(labels, |_| ());
    }

    /// The current value of one series (for tests and readiness).
    pub fn get(&self, labels: &[&str]) -> f64 {
        self.0.with(labels, |v| match v {
            Value::Number(n) => *n,
            Value::Histogram { .. } => 0.0,
        })
    }
}

/// A value that goes up and down, per label set.
#[derive(Debug, Clone)]
pub struct Gauge(Arc<Family>);

impl Gauge {
    /// Sets the series of `labels`.
    pub fn set(&self, labels: &[&str], value: f64) {
        self.0.with(labels, |v| *v = Value::Number(value));
    }

    /// The current value of one series.
    pub fn get(&self, labels: &[&str]) -> f64 {
        self.0.with(labels, |v| match v {
            Value::Number(n) => *n,
            Value::Histogram { .. } => 0.0,
        })
    }

    /// Replaces every series at once: those not in `values` are dropped (a job kind with no
    /// pending job any more).
    pub fn replace(&self, values: &[(Vec<String>, f64)]) {
        let mut series = self.0.series.lock().unwrap_or_else(PoisonError::into_inner);
        series.clear();
        for (labels, value) in values {
            series.insert(labels.clone(), Value::Number(*value));
        }
    }
}

/// Observations counted into buckets, per label set.
#[derive(Debug, Clone)]
pub struct Histogram(Arc<Family>);

impl Histogram {
    /// Records one observation in the series of `labels`.
    pub fn observe(&self, labels: &[&str], value: f64) {
        let bucket = self.0.bounds.iter().position(|b| value <= *b);
        self.0.with(labels, |v| {
            if let Value::Histogram {
                buckets,
                sum,
                count,
            } = v
            {
                if let Some(i) = bucket {
                    buckets[i] += 1;
                }
                *sum += value;
                *count += 1;
            }
        });
    }

    /// How many observations the series of `labels` has.
    pub fn count(&self, labels: &[&str]) -> u64 {
        self.0.with(labels, |v| match v {
            Value::Histogram { count, .. } => *count,
            Value::Number(_) => 0,
        })
    }

    /// Creates the series of `labels` empty, so it is scraped before its first observation.
    pub fn touch(&self, labels: &[&str]) {
        self.0.with(labels, |_| ());
    }
}

#[cfg(test)]
#[path = "registry_tests.rs"]
mod tests;
