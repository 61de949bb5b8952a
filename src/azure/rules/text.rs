//! Showing untrusted names in messages: bounded and printable.

/// At most this many characters of a name go into a message.
const SHOW_MAX: usize = 120;

/// `name` quoted, with control and other invisible code points escaped and
/// long names cut in the middle, so a report stays readable and valid JSON.
pub fn show(name: &str) -> String {
    let n = name.chars().count();
    let mut out = String::with_capacity(name.len().min(4 * SHOW_MAX) + 2);
    out.push('`');
    for (i, c) in name.chars().enumerate() {
        if n > SHOW_MAX && i >= SHOW_MAX / 2 && i < n - SHOW_MAX / 2 {
            if i == SHOW_MAX / 2 {
                out.push('…');
            }
            continue;
        }
        if c.is_control() || super::is_forbidden_blob_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out.push('`');
    out
}

#[cfg(test)]
mod tests {
    use super::show;

    #[test]
    fn escapes_and_cuts() {
        assert_eq!(show("a\u{1}b"), "`a\\u{1}b`");
        let long = "x".repeat(1000);
        let s = show(&long);
        assert!(s.chars().count() < 130 && s.contains('…'));
    }
}
