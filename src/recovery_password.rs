//! The BitLocker 48-digit recovery password: its form, and the 16-byte key it
//! encodes. One place for the rule, used by the BitLocker unlock and by every
//! validator that sees a key (dataset/driveset CSVs, job files).

use std::fmt;

/// Why a string is not a recovery password. Never carries the secret itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormError {
    /// Not 8 groups of 6 digits (after removing `-`, spaces and line ends).
    Shape { digits: usize, groups: usize },
    /// A character other than a digit, `-` or whitespace, at this 1-based position.
    BadCharacter { position: usize },
    /// Group `group` (1-based) is not divisible by 11.
    NotMultipleOf11 { group: usize },
    /// Group `group` (1-based) is 720,896 or more.
    TooLarge { group: usize },
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormError::Shape { digits, groups } => write!(
                f,
                "a recovery password is 48 digits in 8 groups of 6 (e.g. 123456-...); this one has {digits} digits in {groups} groups"
            ),
            FormError::BadCharacter { position } => write!(
                f,
                "character {position} is not a digit or '-'"
            ),
            FormError::NotMultipleOf11 { group } => write!(
                f,
                "group {group} is not divisible by 11, so it was mistyped"
            ),
            FormError::TooLarge { group } => write!(
                f,
                "group {group} is 720896 or more, which no recovery password has"
            ),
        }
    }
}

impl std::error::Error for FormError {}

/// Check the form and return the 16-byte key the password encodes
/// (eight `group / 11` values, little-endian), as `docs/formats/bitlocker.md` ("Keys") describes.
pub fn parse(text: &str) -> Result<[u8; 16], FormError> {
    let mut groups: Vec<u32> = Vec::with_capacity(8);
    let mut digits = 0usize;
    let mut current: Option<(u32, usize)> = None; // (value, digits in group)
    for (i, c) in text.chars().enumerate() {
        match c {
            '0'..='9' => {
                let d = c as u32 - '0' as u32;
                let (v, n) = current.unwrap_or((0, 0));
                current = Some((v.saturating_mul(10).saturating_add(d), n + 1));
                digits += 1;
            }
            '-' | ' ' | '\t' | '\r' | '\n' => {
                if let Some((v, n)) = current.take() {
                    if n != 6 {
                        return Err(FormError::Shape {
                            digits,
                            groups: groups.len() + 1,
                        });
                    }
                    groups.push(v);
                }
            }
            _ => return Err(FormError::BadCharacter { position: i + 1 }),
        }
    }
    if let Some((v, n)) = current {
        if n != 6 {
            return Err(FormError::Shape {
                digits,
                groups: groups.len() + 1,
            });
        }
        groups.push(v);
    }
    if groups.len() != 8 || digits != 48 {
        return Err(FormError::Shape {
            digits,
            groups: groups.len(),
        });
    }
    let mut key = [0u8; 16];
    for (i, g) in groups.iter().enumerate() {
        if g % 11 != 0 {
            return Err(FormError::NotMultipleOf11 { group: i + 1 });
        }
        let q = g / 11;
        let q = u16::try_from(q).map_err(|_| FormError::TooLarge { group: i + 1 })?;
        key[2 * i..2 * i + 2].copy_from_slice(&q.to_le_bytes());
    }
    Ok(key)
}

/// Only the form: `Ok(())` when `text` is a well-formed recovery password.
pub fn check_form(text: &str) -> Result<(), FormError> {
    parse(text).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_valid_keys() {
        for k in [
            "060456-014509-132033-080300-252615-584177-672089-411631",
            "238810-662376-448998-450120-652806-203390-606320-483076",
            "397386-221353-718905-535249-156728-127017-683716-083391",
        ] {
            assert_eq!(check_form(k), Ok(()), "{k}");
        }
    }

    #[test]
    fn documentation_placeholder_is_not_a_key() {
        let k = "439675-460165-128202-905124-487224-524332-851649-442187";
        assert_eq!(check_form(k), Err(FormError::NotMultipleOf11 { group: 1 }));
    }

    #[test]
    fn names_the_bad_group() {
        let k = "060456-014509-132033-080300-252615-584177-672089-411632";
        assert_eq!(check_form(k), Err(FormError::NotMultipleOf11 { group: 8 }));
        // 720896 = 11 * 65536 is the first multiple of 11 out of range.
        let k = "060456-014509-132033-080300-252615-584177-720896-411631";
        assert_eq!(check_form(k), Err(FormError::TooLarge { group: 7 }));
    }

    #[test]
    fn shape_errors() {
        assert!(matches!(check_form("12345"), Err(FormError::Shape { .. })));
        assert!(matches!(
            check_form("060456-014509-132033-080300-252615-584177-672089"),
            Err(FormError::Shape { groups: 7, .. })
        ));
        assert_eq!(
            check_form("06045x-014509"),
            Err(FormError::BadCharacter { position: 6 })
        );
    }

    #[test]
    fn tolerant_of_newline_and_spaces() {
        let k = "060456 014509 132033 080300 252615 584177 672089 411631\n";
        assert!(parse(k).is_ok());
    }

    #[test]
    fn key_bytes_are_group_over_11_le() {
        let key = parse("000011-000022-000000-000000-000000-000000-000000-720885").unwrap();
        assert_eq!(&key[0..4], &[1, 0, 2, 0]);
        assert_eq!(&key[14..16], &[0xff, 0xff]);
    }

    #[test]
    fn error_text_never_echoes_digits() {
        let e = check_form("111111-222222-333333-444444-555555-666666-777777-888888").unwrap_err();
        assert!(!e.to_string().contains("111111"));
    }
}
