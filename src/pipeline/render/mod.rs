//! The text forms of the check's reports: one drive ([`check()`]), several
//! drives or the drives of a job ([`drives()`]), the Azure rules and a local folder ([`rules()`],
//! [`local()`]), and the HTML page to attach to a shipment ([`html()`]). The generic pieces (checklist, findings, facts tables, sizes)
//! are in [`crate::report::human`].

mod check;
mod drives;
mod html;
mod rules;

pub use check::check;
pub use drives::drives;
pub use html::{html, HtmlDrive, RunInfo};
pub use rules::{local, rules};
