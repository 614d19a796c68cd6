//! Prometheus' HTTP API answers (`/api/v1/query`, `/api/v1/query_range`), as its docs give
//! them: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{…},
//! "values":[[1700000000.5,"0.01"],…]}]}}`, or `{"status":"error","errorType":…,"error":…}`.

use serde::Deserialize;

/// The envelope of every answer.
#[derive(Debug, Deserialize)]
pub(super) struct Envelope {
    pub status: String,
    #[serde(default)]
    pub data: Option<Data>,
    #[serde(default)]
    pub error: Option<String>,
}

/// The result, by its type.
#[derive(Debug, Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
pub(super) enum Data {
    /// Series of many points (query_range).
    Matrix(Vec<RangeSeries>),
    /// Series of one point each (query).
    Vector(Vec<InstantSeries>),
    /// One number: `[time, "value"]`.
    Scalar(Point),
    /// A string result: no rate.
    String(serde::de::IgnoredAny),
}

/// One series of a matrix.
#[derive(Debug, Deserialize)]
pub(super) struct RangeSeries {
    pub values: Vec<Point>,
}

/// One series of a vector.
#[derive(Debug, Deserialize)]
pub(super) struct InstantSeries {
    pub value: Point,
}

/// `[1700000000.5, "0.01"]`: seconds since the epoch, and the value as a string (Prometheus
/// writes NaN and ±Inf that way).
#[derive(Debug, Deserialize)]
pub(super) struct Point(pub f64, pub String);

impl Point {
    /// The value, when it is a finite number.
    pub fn value(&self) -> Option<f64> {
        self.1.parse::<f64>().ok().filter(|v| v.is_finite())
    }
}

/// The `error` of an error answer quoted in `message`, when it is one.
pub(super) fn error_of(message: &str) -> Option<String> {
    let start = message.find('{')?;
    let envelope: Envelope = serde_json::from_str(&message[start..]).ok()?;
    envelope.error
}
