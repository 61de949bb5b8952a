//! Azure naming and size rules, and the mapping of each inventory entry to
//! the Azure object it becomes (sources: `docs/sources.md`; rules: `docs/rule-codes.md`).
//!
//! Everything here except [`local`] is pure: no I/O.

mod csv;
pub mod dataset;
pub mod destination;
pub mod judge;
pub mod limits;
pub mod local;
pub mod rules;

pub use destination::{BlobType, DestError, Destination, EntryRef, Mapped, ObjectKind, Target};
pub use judge::{judge_entries, judge_entries_with, Collisions, Judge, RulesReport, FIRST_N};
