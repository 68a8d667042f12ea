//! Names a customized guest is given: RFC 1123 host names and DNS domains
//! (Linux), NetBIOS computer names (Windows sysprep).
//!
//! Checked at plan because the guest is where a bad name fails: vCenter
//! accepts the specification, the clone powers on, and customization then
//! fails (or renames the guest to something else) minutes later.

/// Why a name cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("{value:?} is empty")]
    Empty { value: String },
    #[error("{value:?} is {len} characters long; at most {max} are allowed")]
    TooLong { value: String, len: usize, max: usize },
    #[error("{value:?} holds {found:?}; a host name label takes only letters, digits and hyphens")]
    LabelCharacter { value: String, found: char },
    #[error("{value:?} starts or ends with a hyphen, which RFC 1123 does not allow in a label")]
    LabelHyphen { value: String },
    #[error("{value:?} has an empty label (two dots in a row, or a dot at an end)")]
    EmptyLabel { value: String },
    #[error("{value:?} holds a dot: give the short host name here and the rest as the domain")]
    HostNameDot { value: String },
    #[error("{value:?} holds {found:?}; a Windows computer name takes only letters, digits and hyphens")]
    ComputerNameCharacter { value: String, found: char },
    #[error("{value:?} is all digits, which Windows does not allow as a computer name")]
    AllDigits { value: String },
}

/// Longest label (RFC 1035 2.3.4).
const LABEL_MAX: usize = 63;
/// Longest domain name in text form.
const DOMAIN_MAX: usize = 253;
/// NetBIOS names are 16 bytes, the last one the service type.
const COMPUTER_NAME_MAX: usize = 15;

/// One DNS label under RFC 1123: letters, digits and hyphens, 1-63
/// characters, no hyphen at either end.
pub fn check_label(value: &str) -> Result<(), NameError> {
    let v = || value.to_owned();
    if value.is_empty() {
        return Err(NameError::Empty { value: v() });
    }
    let len = value.chars().count();
    if len > LABEL_MAX {
        return Err(NameError::TooLong { value: v(), len, max: LABEL_MAX });
    }
    if let Some(found) = value.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-')) {
        return Err(NameError::LabelCharacter { value: v(), found });
    }
    if value.starts_with('-') || value.ends_with('-') {
        return Err(NameError::LabelHyphen { value: v() });
    }
    Ok(())
}

/// A guest's short host name: one label.
pub fn check_host_name(value: &str) -> Result<(), NameError> {
    if value.contains('.') {
        return Err(NameError::HostNameDot { value: value.to_owned() });
    }
    check_label(value)
}

/// A DNS domain (`example.com`, or a single label such as `corp`).
pub fn check_domain(value: &str) -> Result<(), NameError> {
    if value.is_empty() {
        return Err(NameError::Empty { value: value.to_owned() });
    }
    let len = value.chars().count();
    if len > DOMAIN_MAX {
        return Err(NameError::TooLong { value: value.to_owned(), len, max: DOMAIN_MAX });
    }
    for label in value.split('.') {
        if label.is_empty() {
            return Err(NameError::EmptyLabel { value: value.to_owned() });
        }
        // Report the whole name, not the label, so the user finds it.
        check_label(label).map_err(|e| match e {
            NameError::LabelCharacter { found, .. } => NameError::LabelCharacter { value: value.to_owned(), found },
            NameError::LabelHyphen { .. } => NameError::LabelHyphen { value: value.to_owned() },
            other => other,
        })?;
    }
    Ok(())
}

/// A Windows computer name: at most 15 characters, no dots, not all
/// digits, and (so it is also a valid DNS host name, which sysprep sets
/// from it) only letters, digits and hyphens.
pub fn check_computer_name(value: &str) -> Result<(), NameError> {
    let v = || value.to_owned();
    if value.is_empty() {
        return Err(NameError::Empty { value: v() });
    }
    let len = value.chars().count();
    if len > COMPUTER_NAME_MAX {
        return Err(NameError::TooLong { value: v(), len, max: COMPUTER_NAME_MAX });
    }
    if let Some(found) = value.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-')) {
        return Err(NameError::ComputerNameCharacter { value: v(), found });
    }
    if value.chars().all(|c| c.is_ascii_digit()) {
        return Err(NameError::AllDigits { value: v() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    type IsError = fn(&NameError) -> bool;

    #[test]
    fn host_names() {
        for ok in ["web01", "a", "x-1", &"a".repeat(63), "0day"] {
            assert_eq!(check_host_name(ok), Ok(()), "{ok}");
        }
        let cases: &[(&str, IsError)] = &[
            ("", |e| matches!(e, NameError::Empty { .. })),
            ("web01.example.com", |e| matches!(e, NameError::HostNameDot { .. })),
            ("web_01", |e| matches!(e, NameError::LabelCharacter { found: '_', .. })),
            ("-web", |e| matches!(e, NameError::LabelHyphen { .. })),
            ("web-", |e| matches!(e, NameError::LabelHyphen { .. })),
            ("wéb", |e| matches!(e, NameError::LabelCharacter { found: 'é', .. })),
        ];
        for (bad, is) in cases {
            let e = check_host_name(bad).unwrap_err();
            assert!(is(&e), "{bad}: {e}");
        }
        let long = "a".repeat(64);
        assert_eq!(check_host_name(&long), Err(NameError::TooLong { value: long.clone(), len: 64, max: 63 }));
    }

    #[test]
    fn domains() {
        for ok in ["example.com", "corp", "a-b.c-d.example", "x1.y2"] {
            assert_eq!(check_domain(ok), Ok(()), "{ok}");
        }
        assert!(matches!(check_domain("example..com"), Err(NameError::EmptyLabel { .. })));
        assert!(matches!(check_domain(".example.com"), Err(NameError::EmptyLabel { .. })));
        assert!(matches!(check_domain("example.com."), Err(NameError::EmptyLabel { .. })));
        assert_eq!(
            check_domain("ex_ample.com"),
            Err(NameError::LabelCharacter { value: "ex_ample.com".into(), found: '_' })
        );
        assert!(matches!(check_domain("-a.com"), Err(NameError::LabelHyphen { .. })));
        let long = ["a".repeat(63).as_str(); 4].join(".") + ".com";
        assert!(matches!(check_domain(&long), Err(NameError::TooLong { max: 253, .. })));
        assert!(matches!(check_domain(""), Err(NameError::Empty { .. })));
    }

    #[test]
    fn computer_names() {
        for ok in ["WIN11-DESK01", "a", "PC1", "123456789012345a"[1..].as_ref()] {
            assert_eq!(check_computer_name(ok), Ok(()), "{ok}");
        }
        assert!(matches!(check_computer_name("DESKTOP-1234567X"), Err(NameError::TooLong { len: 16, max: 15, .. })));
        assert!(matches!(check_computer_name("pc.corp"), Err(NameError::ComputerNameCharacter { found: '.', .. })));
        assert!(matches!(check_computer_name("12345"), Err(NameError::AllDigits { .. })));
        assert!(matches!(check_computer_name("my pc"), Err(NameError::ComputerNameCharacter { found: ' ', .. })));
        assert!(matches!(check_computer_name("a*b"), Err(NameError::ComputerNameCharacter { found: '*', .. })));
        assert!(matches!(check_computer_name(""), Err(NameError::Empty { .. })));
    }
}
