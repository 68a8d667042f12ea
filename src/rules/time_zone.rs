//! Time zones a customized guest is set to: IANA names for Linux (what
//! vSphere writes to the guest's zoneinfo link), Microsoft's time zone
//! indexes for Windows sysprep (`GuiUnattended.TimeZone`).
//!
//! A name or index the guest does not know is not refused by vCenter: the
//! guest keeps its old zone, silently. Hence the tables.

/// IANA names (canonical and links), one per line; `#` lines are comments.
const IANA: &str = include_str!("iana_time_zones.txt");

/// Microsoft's time zone indexes, as sysprep takes them, with the zone each
/// stands for (for messages and docs).
pub const WINDOWS_TIME_ZONES: &[(i64, &str)] = &[
    (0, "Dateline Standard Time"),
    (1, "Samoa Standard Time"),
    (2, "Hawaiian Standard Time"),
    (3, "Alaskan Standard Time"),
    (4, "Pacific Standard Time"),
    (10, "Mountain Standard Time"),
    (13, "Mountain Standard Time (Mexico)"),
    (15, "US Mountain Standard Time"),
    (20, "Central Standard Time"),
    (25, "Canada Central Standard Time"),
    (30, "Central Standard Time (Mexico)"),
    (33, "Central America Standard Time"),
    (35, "Eastern Standard Time"),
    (40, "US Eastern Standard Time"),
    (45, "SA Pacific Standard Time"),
    (50, "Atlantic Standard Time"),
    (55, "SA Western Standard Time"),
    (56, "Pacific SA Standard Time"),
    (60, "Newfoundland Standard Time"),
    (65, "E. South America Standard Time"),
    (70, "SA Eastern Standard Time"),
    (73, "Greenland Standard Time"),
    (75, "Mid-Atlantic Standard Time"),
    (80, "Azores Standard Time"),
    (83, "Cape Verde Standard Time"),
    (85, "GMT Standard Time"),
    (90, "Greenwich Standard Time"),
    (95, "Central Europe Standard Time"),
    (100, "Central European Standard Time"),
    (105, "Romance Standard Time"),
    (110, "W. Europe Standard Time"),
    (113, "W. Central Africa Standard Time"),
    (115, "E. Europe Standard Time"),
    (120, "Egypt Standard Time"),
    (125, "FLE Standard Time"),
    (130, "GTB Standard Time"),
    (135, "Israel Standard Time"),
    (140, "South Africa Standard Time"),
    (145, "Russian Standard Time"),
    (150, "Arab Standard Time"),
    (155, "E. Africa Standard Time"),
    (158, "Arabic Standard Time"),
    (160, "Iran Standard Time"),
    (165, "Arabian Standard Time"),
    (170, "Caucasus Standard Time"),
    (175, "Afghanistan Standard Time"),
    (180, "Ekaterinburg Standard Time"),
    (185, "West Asia Standard Time"),
    (190, "India Standard Time"),
    (193, "Nepal Standard Time"),
    (195, "Central Asia Standard Time"),
    (200, "Sri Lanka Standard Time"),
    (201, "N. Central Asia Standard Time"),
    (203, "Myanmar Standard Time"),
    (205, "SE Asia Standard Time"),
    (207, "North Asia Standard Time"),
    (210, "China Standard Time"),
    (215, "Singapore Standard Time"),
    (220, "Taipei Standard Time"),
    (225, "W. Australia Standard Time"),
    (227, "North Asia East Standard Time"),
    (230, "Korea Standard Time"),
    (235, "Tokyo Standard Time"),
    (240, "Yakutsk Standard Time"),
    (245, "AUS Central Standard Time"),
    (250, "Cen. Australia Standard Time"),
    (255, "AUS Eastern Standard Time"),
    (260, "E. Australia Standard Time"),
    (265, "Tasmania Standard Time"),
    (270, "Vladivostok Standard Time"),
    (275, "West Pacific Standard Time"),
    (280, "Central Pacific Standard Time"),
    (285, "Fiji Standard Time"),
    (290, "New Zealand Standard Time"),
    (300, "Tonga Standard Time"),
];

/// Why a time zone cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeZoneError {
    #[error("{value:?} is not an IANA time zone name{}", hint_suffix(.hint))]
    UnknownIana { value: String, hint: Option<String> },
    #[error(
        "{value} is not a Microsoft time zone index (e.g. 4 Pacific, 35 Eastern, 85 GMT, 110 W. Europe; the list is in the docs)"
    )]
    UnknownWindows { value: i64 },
}

fn hint_suffix(hint: &Option<String>) -> String {
    hint.as_ref().map(|h| format!(" (did you mean {h:?}?)")).unwrap_or_default()
}

fn iana_names() -> impl Iterator<Item = &'static str> {
    IANA.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// An IANA zone name, matched exactly (the guest's zoneinfo is
/// case-sensitive); a name that differs only in case gets a hint.
pub fn check_iana(value: &str) -> Result<(), TimeZoneError> {
    if iana_names().any(|n| n == value) {
        return Ok(());
    }
    let hint = iana_names().find(|n| n.eq_ignore_ascii_case(value)).map(str::to_owned);
    Err(TimeZoneError::UnknownIana { value: value.to_owned(), hint })
}

/// A Microsoft time zone index; returns the zone's name.
pub fn check_windows(value: i64) -> Result<&'static str, TimeZoneError> {
    WINDOWS_TIME_ZONES.iter().find(|(i, _)| *i == value).map(|(_, n)| *n).ok_or(TimeZoneError::UnknownWindows { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iana_names_are_matched_exactly() {
        for ok in ["Europe/Berlin", "America/New_York", "UTC", "Etc/UTC", "Pacific/Apia", "Asia/Kolkata"] {
            assert_eq!(check_iana(ok), Ok(()), "{ok}");
        }
        assert_eq!(
            check_iana("europe/berlin"),
            Err(TimeZoneError::UnknownIana { value: "europe/berlin".into(), hint: Some("Europe/Berlin".into()) })
        );
        assert_eq!(
            check_iana("Mars/Olympus"),
            Err(TimeZoneError::UnknownIana { value: "Mars/Olympus".into(), hint: None })
        );
        assert!(check_iana("").is_err());
        // The comment line is not a zone.
        assert!(check_iana("# IANA time zone names").is_err());
        assert!(iana_names().count() > 500);
    }

    #[test]
    fn windows_indexes() {
        assert_eq!(check_windows(85), Ok("GMT Standard Time"));
        assert_eq!(check_windows(4), Ok("Pacific Standard Time"));
        assert_eq!(check_windows(0), Ok("Dateline Standard Time"));
        for bad in [-1, 5, 86, 301, 1000] {
            assert_eq!(check_windows(bad), Err(TimeZoneError::UnknownWindows { value: bad }));
        }
        let msg = TimeZoneError::UnknownWindows { value: 5 }.to_string();
        assert!(msg.contains("85 GMT"), "{msg}");
        // Sorted and unique, so the docs table reads in order.
        assert!(WINDOWS_TIME_ZONES.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
