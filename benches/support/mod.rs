//! Helpers of the scheduler bench: counting the SQL it issues, lateness statistics, the table
//! it prints, and the section it writes to `bench/RESULTS.md`.

pub mod counter;
pub mod rank;
pub mod report;
pub mod stats;
pub mod table;
