//! The XML reading shared by the two XML validators, the export blob list
//! ([`crate::bloblist`]) and the drive manifest ([`crate::manifest`]): input
//! decoding and the bounded quick-xml event loop ([`reader`]), and byte offset
//! → line and column ([`LineIndex`], [`positioned`]). Neither validator
//! imports the other for it.

mod position;
pub mod reader;

pub use position::{at_line_col, positioned, LineIndex};
