//! The families [`Metrics`](super::Metrics) records into: thin handles over the `prometheus`
//! crate's vectors, so that a call site gives its label values as one slice
//! (`commands.inc(&["ping", "ok"])`, `ack.observe(&[], 0.2)`). The crate keeps the values and
//! its `TextEncoder` writes the classic text format that `promtool check metrics` reads.
//!
//! As in the crate (and Prometheus' Go client), a family is written once it has a series: one
//! whose labels are open (a job kind, a route) appears with its first event.

use prometheus::core::{Collector, MetricVec, MetricVecBuilder};
use prometheus::{CounterVec, GaugeVec, HistogramOpts, HistogramVec, Opts, TextEncoder};

/// One family as the code declares it: name, help text and label names.
#[derive(Debug, Clone, Copy)]
pub struct Family {
    /// The metric name, with its unit and `_total` for a counter.
    pub name: &'static str,
    /// The `# HELP` line.
    pub help: &'static str,
    /// The label names, in the order their values are given when recording.
    pub labels: &'static [&'static str],
}

impl Family {
    fn opts(&self) -> Opts {
        Opts::new(self.name, self.help)
    }
}

/// Every family registered; cheap to clone (clones share the values).
#[derive(Debug, Default, Clone)]
pub struct Registry(prometheus::Registry);

impl Registry {
    /// A counter (its name should end in `_total`).
    pub fn counter(&self, family: &Family) -> Counter {
        Counter(self.register(family, CounterVec::new(family.opts(), family.labels)))
    }

    /// A gauge.
    pub fn gauge(&self, family: &Family) -> Gauge {
        Gauge {
            vec: self.register(family, GaugeVec::new(family.opts(), family.labels)),
            labels: family.labels,
        }
    }

    /// A histogram with these bucket upper bounds (ascending; `+Inf` is added).
    pub fn histogram(&self, family: &Family, bounds: &[f64]) -> Histogram {
        let opts = HistogramOpts::new(family.name, family.help).buckets(bounds.to_vec());
        // A vector checks its bounds only when it makes a series: a lone histogram checks now.
        let made = prometheus::Histogram::with_opts(opts.clone())
            .and_then(|_| HistogramVec::new(opts, family.labels));
        Histogram(self.register(family, made))
    }

    /// Registers a family built from the code's own table.
    ///
    /// # Panics
    ///
    /// When a name is not valid, a histogram's bounds do not ascend, or a name is registered
    /// twice: a bug in that table, found by the first test that builds [`super::Metrics`]. No
    /// input reaches here.
    fn register<C: Collector + Clone + 'static>(
        &self,
        family: &Family,
        made: prometheus::Result<C>,
    ) -> C {
        let registered = made.and_then(|c| self.0.register(Box::new(c.clone())).map(|()| c));
        registered.unwrap_or_else(|e| panic!("metric {}: {e}", family.name))
    }

    /// Every family that has a series, sorted by name, in the text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(16 * 1024);
        // Only an empty or nameless family fails, and `gather` leaves neither.
        if let Err(e) = TextEncoder::new().encode_utf8(&self.0.gather(), &mut out) {
            tracing::error!(error = %e, "could not write the metrics");
        }
        out
    }
}

/// The series of `labels` in `vec`, made at zero if new. A wrong number of values is a bug at
/// the call site; it is logged and the event is dropped rather than taking the bot down.
fn series<T: MetricVecBuilder>(vec: &MetricVec<T>, labels: &[&str]) -> Option<T::M> {
    match vec.get_metric_with_label_values(labels) {
        Ok(series) => Some(series),
        Err(e) => {
            tracing::error!(error = %e, ?labels, "a metric was recorded with the wrong labels");
            None
        }
    }
}

/// A count that only goes up, per label set.
#[derive(Debug, Clone)]
pub struct Counter(CounterVec);

impl Counter {
    /// Adds one to the series of `labels`.
    pub fn inc(&self, labels: &[&str]) {
        self.add(labels, 1.0);
    }

    /// Adds `by` (not negative) to the series of `labels`.
    pub fn add(&self, labels: &[&str], by: f64) {
        if let Some(counter) = series(&self.0, labels) {
            counter.inc_by(by.max(0.0));
        }
    }

    /// Creates the series of `labels` at zero, so it is scraped before its first event.
    pub fn touch(&self, labels: &[&str]) {
        series(&self.0, labels);
    }

    /// The current value of one series (for tests and readiness).
    pub fn get(&self, labels: &[&str]) -> f64 {
        series(&self.0, labels).map_or(0.0, |c| c.get())
    }
}

/// A value that goes up and down, per label set.
#[derive(Debug, Clone)]
pub struct Gauge {
    vec: GaugeVec,
    labels: &'static [&'static str],
}

impl Gauge {
    /// Sets the series of `labels`.
    pub fn set(&self, labels: &[&str], value: f64) {
        if let Some(gauge) = series(&self.vec, labels) {
            gauge.set(value);
        }
    }

    /// The current value of one series.
    pub fn get(&self, labels: &[&str]) -> f64 {
        series(&self.vec, labels).map_or(0.0, |g| g.get())
    }

    /// Replaces every series: those not in `values` are dropped (a job kind with no pending job
    /// any more). The new values are set first, so a scrape meanwhile never misses one.
    pub fn replace(&self, values: &[(Vec<String>, f64)]) {
        for (labels, value) in values {
            let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
            self.set(&labels, *value);
        }
        for family in self.vec.collect() {
            for metric in family.get_metric() {
                // The crate sorts a series' labels by name: put them back in declared order.
                let current: Vec<&str> = self
                    .labels
                    .iter()
                    .map(|name| {
                        let pair = metric.get_label().iter().find(|p| p.name() == *name);
                        pair.map_or("", |p| p.value())
                    })
                    .collect();
                if !values.iter().any(|(labels, _)| *labels == current) {
                    // Only fails when the series is gone already.
                    let _ = self.vec.remove_label_values(&current);
                }
            }
        }
    }
}

/// Observations counted into buckets, per label set.
#[derive(Debug, Clone)]
pub struct Histogram(HistogramVec);

impl Histogram {
    /// Records one observation in the series of `labels`.
    pub fn observe(&self, labels: &[&str], value: f64) {
        if let Some(histogram) = series(&self.0, labels) {
            histogram.observe(value);
        }
    }

    /// How many observations the series of `labels` has.
    pub fn count(&self, labels: &[&str]) -> u64 {
        series(&self.0, labels).map_or(0, |h| h.get_sample_count())
    }

    /// Creates the series of `labels` empty, so it is scraped before its first observation.
    pub fn touch(&self, labels: &[&str]) {
        series(&self.0, labels);
    }
}

#[cfg(test)]
#[path = "registry_tests.rs"]
mod tests;
