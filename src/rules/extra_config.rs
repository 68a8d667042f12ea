//! `extra_config` entries: VMX options that vSphere writes into the VM's
//! `.vmx` file, a line-based `key = "value"` format, so a key that cannot be
//! written there (white space, `=`, quotes, control characters) fails only
//! at apply, or worse is written mangled.

/// Longest key accepted; VMX option names are dotted identifiers far
/// shorter than this.
pub const MAX_KEY_CHARS: usize = 256;
/// Largest value accepted, in bytes: the VMX limit for a `guestinfo.*`
/// value (cloud-init user data and the like are the large ones).
pub const MAX_VALUE_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtraConfigError {
    #[error("an extra_config key is empty")]
    EmptyKey,
    #[error(
        "the extra_config key has {what} at character {position}; keys are VMX option names such as \
         `guestinfo.hostname` (no white space, `=`, `\"`, `#` or control characters)"
    )]
    BadKeyCharacter { what: String, position: usize },
    #[error("the extra_config key is {chars} characters long; at most {MAX_KEY_CHARS} are allowed")]
    KeyTooLong { chars: usize },
    #[error(
        "the value has a control character (U+{code:04X}) at character {position}; only tab, newline and \
         carriage return are allowed"
    )]
    ValueControlCharacter { code: u32, position: usize },
    #[error("the value is {bytes} bytes long; at most {MAX_VALUE_BYTES} are allowed")]
    ValueTooLong { bytes: usize },
}

/// Checks a key. Errors belong on the entry `extra_config[key]`.
pub fn check_key(key: &str) -> Result<(), ExtraConfigError> {
    if key.is_empty() {
        return Err(ExtraConfigError::EmptyKey);
    }
    for (position, c) in key.chars().enumerate() {
        let what = if c.is_control() {
            Some(format!("a control character (U+{:04X})", u32::from(c)))
        } else if c.is_whitespace() {
            Some("white space".to_string())
        } else if matches!(c, '=' | '"' | '#') {
            Some(format!("`{c}`"))
        } else {
            None
        };
        if let Some(what) = what {
            return Err(ExtraConfigError::BadKeyCharacter { what, position });
        }
    }
    let chars = key.chars().count();
    if chars > MAX_KEY_CHARS {
        return Err(ExtraConfigError::KeyTooLong { chars });
    }
    Ok(())
}

/// Checks a value.
pub fn check_value(value: &str) -> Result<(), ExtraConfigError> {
    if let Some((position, c)) =
        value.chars().enumerate().find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(ExtraConfigError::ValueControlCharacter { code: u32::from(c), position });
    }
    if value.len() > MAX_VALUE_BYTES {
        return Err(ExtraConfigError::ValueTooLong { bytes: value.len() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        for k in ["guestinfo.hostname", "svga.present", "pciPassthru0.msiEnabled", "a-b_c:d", &"k".repeat(256)] {
            assert_eq!(check_key(k), Ok(()), "{k}");
        }
        let bad = ["", "a b", "a=b", "a\"b", "#a", "a\0", "\u{1b}x", "a\nb", &"k".repeat(257)];
        for k in bad {
            assert!(check_key(k).is_err(), "{k:?}");
        }
        assert_eq!(check_key(""), Err(ExtraConfigError::EmptyKey));
        assert_eq!(
            check_key("ab\0"),
            Err(ExtraConfigError::BadKeyCharacter { what: "a control character (U+0000)".into(), position: 2 })
        );
        assert_eq!(check_key(&"k".repeat(300)), Err(ExtraConfigError::KeyTooLong { chars: 300 }));
    }

    #[test]
    fn values() {
        for v in ["", "x", "line one\nline two\r\n\tindented", "ünïcode", &"v".repeat(MAX_VALUE_BYTES)] {
            assert_eq!(check_value(v), Ok(()), "{v:?}");
        }
        assert_eq!(check_value("a\0b"), Err(ExtraConfigError::ValueControlCharacter { code: 0, position: 1 }));
        assert_eq!(check_value("\u{1b}[0m"), Err(ExtraConfigError::ValueControlCharacter { code: 0x1b, position: 0 }));
        assert_eq!(
            check_value(&"v".repeat(MAX_VALUE_BYTES + 1)),
            Err(ExtraConfigError::ValueTooLong { bytes: MAX_VALUE_BYTES + 1 })
        );
    }
}
