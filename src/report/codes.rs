//! How a module declares its finding codes.

/// Declares a module's finding codes and their list `ALL` in one go, so a new
/// code cannot be left out of the list that `tests/rule_codes_doc.rs` checks
/// against `docs/rule-codes.md`:
///
/// ```
/// mod codes {
///     ie_preflight::finding_codes! {
///         /// The file is empty.
///         EMPTY = "example.empty";
///     }
/// }
/// assert_eq!(codes::ALL, ["example.empty"]);
/// ```
#[macro_export]
macro_rules! finding_codes {
    ($($(#[$m:meta])* $name:ident = $code:expr;)*) => {
        $($(#[$m])* pub const $name: &str = $code;)*
        /// Every code of this module, in the order they are declared.
        pub const ALL: &[&str] = &[$($name),*];
    };
}
