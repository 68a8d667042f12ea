//! Names given to vSphere objects (`name` of a VM, vApp, snapshot, content
//! library or library item): what vSphere refuses or mangles only at apply.
//!
//! Inventory objects (VMs, vApps) are limited to 80 characters, counted as
//! vSphere stores them: `%`, `/` and `\` are kept escaped (`%25`, `%2f`,
//! `%5c`), three characters each. Snapshots and content library items have
//! no documented length limit, so only the emptiness and character rules
//! apply to them.

/// Longest inventory name, in stored characters.
pub const MAX_INVENTORY_NAME: usize = 80;

/// Which kind of object a name is for: decides the length limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// A VM or vApp: an inventory object, at most [`MAX_INVENTORY_NAME`].
    Inventory,
    /// A snapshot, content library or library item.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("the name is empty (or only white space)")]
    Empty,
    #[error("the name has a control character (U+{code:04X}) at character {position}; names are printable text")]
    ControlCharacter { code: u32, position: usize },
    #[error(
        "the name is {stored} characters long as vSphere stores it (`%`, `/` and `\\` count three each); \
         at most {MAX_INVENTORY_NAME} are allowed"
    )]
    TooLong { stored: usize },
}

/// Checks a name of the given kind.
pub fn check_name(name: &str, kind: NameKind) -> Result<(), NameError> {
    if name.trim().is_empty() {
        return Err(NameError::Empty);
    }
    if let Some((position, c)) = name.chars().enumerate().find(|(_, c)| c.is_control()) {
        return Err(NameError::ControlCharacter { code: u32::from(c), position });
    }
    if kind == NameKind::Inventory {
        let stored: usize = name.chars().map(|c| if matches!(c, '%' | '/' | '\\') { 3 } else { 1 }).sum();
        if stored > MAX_INVENTORY_NAME {
            return Err(NameError::TooLong { stored });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let eighty = "a".repeat(80);
        let ok: &[(&str, NameKind)] = &[
            ("web-1", NameKind::Inventory),
            ("Ünïcødé name with spaces", NameKind::Inventory),
            (&eighty, NameKind::Inventory),
            ("50%", NameKind::Inventory),
            (&"a".repeat(500), NameKind::Other),
        ];
        for (n, k) in ok {
            assert_eq!(check_name(n, *k), Ok(()), "{n:?}");
        }
        let bad: &[(&str, NameKind, NameError)] = &[
            ("", NameKind::Inventory, NameError::Empty),
            ("  \t", NameKind::Other, NameError::Empty),
            ("a\0b", NameKind::Other, NameError::ControlCharacter { code: 0, position: 1 }),
            ("\u{1b}[31mred", NameKind::Inventory, NameError::ControlCharacter { code: 0x1b, position: 0 }),
            ("two\nlines", NameKind::Other, NameError::ControlCharacter { code: 10, position: 3 }),
            ("a\u{85}", NameKind::Other, NameError::ControlCharacter { code: 0x85, position: 1 }),
            (&"a".repeat(81), NameKind::Inventory, NameError::TooLong { stored: 81 }),
            // 78 characters, but two of them are stored escaped: 82.
            (&format!("{}/%", "a".repeat(76)), NameKind::Inventory, NameError::TooLong { stored: 82 }),
        ];
        for (n, k, e) in bad {
            assert_eq!(check_name(n, *k).as_ref(), Err(e), "{n:?}");
        }
        // 80 multi-byte characters are 80 characters, not 160 bytes.
        assert_eq!(check_name(&"é".repeat(80), NameKind::Inventory), Ok(()));
        assert!(NameError::TooLong { stored: 81 }.to_string().contains("at most 80"));
    }
}
