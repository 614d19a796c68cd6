//! Nearest-rank percentiles, shared by every bench: no interpolation, so a p99 is a value some
//! sample really had.

/// The `p`th percentile of `sorted` (ascending): the smallest sample with at least `p`% of the
/// samples at or below it. `None` when there are no samples.
pub fn nearest_rank<T: Copy>(sorted: &[T], p: usize) -> Option<T> {
    let k = (sorted.len() * p)
        .div_ceil(100)
        .clamp(1, sorted.len().max(1));
    sorted.get(k - 1).copied()
}
