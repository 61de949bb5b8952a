//! The text forms of the check's reports: one drive ([`check()`]), the drives
//! of a job ([`job()`]), the Azure rules and a local folder ([`rules()`],
//! [`local()`]). The generic pieces (checklist, findings, facts tables, sizes)
//! are in [`crate::report::human`].

mod check;
mod job;
mod rules;

pub use check::check;
pub use job::job;
pub use rules::{local, rules};
