//! CPU or memory allocation of a resource pool or vApp
//! (`ResourceAllocationInfo`): share level and share count, reservation,
//! limit.
//!
//! Facts from the vSphere API reference: share levels are `low`, `normal`,
//! `high` and `custom`, and only `custom` takes a share count of one's own
//! (vSphere derives it for the others); a reservation is 0 or more; a limit
//! is -1 (unlimited) or more, and a reservation above the limit cannot be
//! met.

use std::fmt;

/// `SharesLevel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SharesLevel {
    Low,
    Normal,
    High,
    Custom,
}

impl SharesLevel {
    pub const ALL: [SharesLevel; 4] = [SharesLevel::Low, SharesLevel::Normal, SharesLevel::High, SharesLevel::Custom];

    pub fn parse(s: &str) -> Result<Self, AllocationError> {
        SharesLevel::ALL
            .into_iter()
            .find(|l| l.name() == s)
            .ok_or_else(|| AllocationError::UnknownSharesLevel { given: s.to_owned() })
    }

    /// The API spelling, which is also what a user writes.
    pub fn name(self) -> &'static str {
        match self {
            SharesLevel::Low => "low",
            SharesLevel::Normal => "normal",
            SharesLevel::High => "high",
            SharesLevel::Custom => "custom",
        }
    }
}

impl fmt::Display for SharesLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// "Unlimited" as a limit.
pub const UNLIMITED: i64 = -1;

/// Which setting of an allocation an error is about; a resource adds its
/// own prefix (`cpu_`, `memory_`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllocationField {
    ShareLevel,
    Shares,
    Reservation,
    Limit,
}

impl AllocationField {
    /// The attribute suffix: `share_level`, `shares`, `reservation`, `limit`.
    pub fn suffix(self) -> &'static str {
        match self {
            AllocationField::ShareLevel => "share_level",
            AllocationField::Shares => "shares",
            AllocationField::Reservation => "reservation",
            AllocationField::Limit => "limit",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("share level {given:?} is not known; use low, normal, high or custom")]
    UnknownSharesLevel { given: String },
    #[error("a share count ({shares}) is only taken with share level custom, not {level}; vSphere derives it")]
    SharesWithoutCustom { level: SharesLevel, shares: i64 },
    #[error("share level custom needs a share count")]
    CustomWithoutShares,
    #[error("a share count of {shares} is negative; use 0 or more")]
    NegativeShares { shares: i64 },
    #[error("a reservation of {reservation} is negative; use 0 or more")]
    NegativeReservation { reservation: i64 },
    #[error("a limit of {limit} is not allowed; use -1 for unlimited, or 0 or more")]
    LimitTooLow { limit: i64 },
    #[error(
        "the reservation ({reservation}) is above the limit ({limit}); vSphere cannot guarantee more than it allows"
    )]
    ReservationAboveLimit { reservation: i64, limit: i64 },
}

impl AllocationError {
    /// The setting at fault.
    pub fn field(&self) -> AllocationField {
        match self {
            AllocationError::UnknownSharesLevel { .. } => AllocationField::ShareLevel,
            AllocationError::SharesWithoutCustom { .. }
            | AllocationError::CustomWithoutShares
            | AllocationError::NegativeShares { .. } => AllocationField::Shares,
            AllocationError::NegativeReservation { .. } | AllocationError::ReservationAboveLimit { .. } => {
                AllocationField::Reservation
            }
            AllocationError::LimitTooLow { .. } => AllocationField::Limit,
        }
    }
}

/// One allocation as configured; `None` is a value not known (yet) or not
/// set, and is not checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Allocation<'a> {
    pub share_level: Option<&'a str>,
    pub shares: Option<i64>,
    pub reservation: Option<i64>,
    pub limit: Option<i64>,
}

/// Every rule the allocation breaks (empty when it is fine). A share count
/// with an unknown level is judged once the level is known.
pub fn check_allocation(a: &Allocation<'_>) -> Vec<AllocationError> {
    let mut out = Vec::new();
    let level = match a.share_level.map(SharesLevel::parse) {
        Some(Ok(l)) => Some(l),
        Some(Err(e)) => {
            out.push(e);
            None
        }
        None => None,
    };
    match (level, a.shares) {
        (Some(SharesLevel::Custom), None) => out.push(AllocationError::CustomWithoutShares),
        (Some(l), Some(s)) if l != SharesLevel::Custom => {
            out.push(AllocationError::SharesWithoutCustom { level: l, shares: s })
        }
        _ => {}
    }
    if let Some(s) = a.shares
        && s < 0
    {
        out.push(AllocationError::NegativeShares { shares: s });
    }
    if let Some(r) = a.reservation
        && r < 0
    {
        out.push(AllocationError::NegativeReservation { reservation: r });
    }
    if let Some(l) = a.limit
        && l < UNLIMITED
    {
        out.push(AllocationError::LimitTooLow { limit: l });
    }
    if let (Some(r), Some(l)) = (a.reservation, a.limit)
        && l != UNLIMITED
        && l >= 0
        && r > l
    {
        out.push(AllocationError::ReservationAboveLimit { reservation: r, limit: l });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(
        level: Option<&str>,
        shares: Option<i64>,
        reservation: Option<i64>,
        limit: Option<i64>,
    ) -> Vec<AllocationError> {
        check_allocation(&Allocation { share_level: level, shares, reservation, limit })
    }

    #[test]
    fn levels_parse_in_api_spelling_only() {
        for l in SharesLevel::ALL {
            assert_eq!(SharesLevel::parse(l.name()), Ok(l));
            assert_eq!(l.to_string(), l.name());
        }
        for bad in ["Normal", "HIGH", "", " low", "medium"] {
            let e = SharesLevel::parse(bad).unwrap_err();
            assert_eq!(e.field(), AllocationField::ShareLevel);
            assert!(e.to_string().contains("low, normal, high or custom"), "{e}");
        }
    }

    #[test]
    fn defaults_and_typical_settings_pass() {
        assert!(a(Some("normal"), None, Some(0), Some(-1)).is_empty());
        assert!(a(Some("custom"), Some(2000), Some(500), Some(1000)).is_empty());
        assert!(a(Some("high"), None, Some(1000), Some(1000)).is_empty());
        assert!(a(None, None, None, None).is_empty());
        assert!(a(Some("low"), None, Some(10_000), Some(-1)).is_empty(), "unlimited has no ceiling");
    }

    #[test]
    fn shares_go_with_custom_only() {
        assert_eq!(
            a(Some("high"), Some(10), None, None),
            vec![AllocationError::SharesWithoutCustom { level: SharesLevel::High, shares: 10 }]
        );
        assert_eq!(a(Some("custom"), None, None, None), vec![AllocationError::CustomWithoutShares]);
        assert_eq!(a(Some("custom"), Some(-1), None, None), vec![AllocationError::NegativeShares { shares: -1 }]);
        // Level unknown yet: the count alone is no error.
        assert!(a(None, Some(10), None, None).is_empty());
        for e in [
            AllocationError::CustomWithoutShares,
            AllocationError::SharesWithoutCustom { level: SharesLevel::Low, shares: 1 },
        ] {
            assert_eq!(e.field(), AllocationField::Shares);
        }
    }

    #[test]
    fn reservation_and_limit() {
        assert_eq!(
            a(None, None, Some(2000), Some(1000)),
            vec![AllocationError::ReservationAboveLimit { reservation: 2000, limit: 1000 }]
        );
        assert_eq!(a(None, None, Some(-5), None), vec![AllocationError::NegativeReservation { reservation: -5 }]);
        assert_eq!(a(None, None, None, Some(-2)), vec![AllocationError::LimitTooLow { limit: -2 }]);
        assert_eq!(AllocationError::LimitTooLow { limit: -2 }.field(), AllocationField::Limit);
        assert_eq!(
            AllocationError::ReservationAboveLimit { reservation: 2, limit: 1 }.field(),
            AllocationField::Reservation
        );
        assert!(a(None, None, Some(0), Some(0)).is_empty(), "a zero limit with no reservation is allowed");
        let msg = AllocationError::ReservationAboveLimit { reservation: 2000, limit: 1000 }.to_string();
        assert!(msg.contains("2000") && msg.contains("1000"), "{msg}");
    }

    #[test]
    fn everything_wrong_at_once_is_reported_once_each() {
        let errs = a(Some("bogus"), Some(-1), Some(-1), Some(-3));
        let fields: Vec<AllocationField> = errs.iter().map(AllocationError::field).collect();
        assert_eq!(
            fields,
            vec![
                AllocationField::ShareLevel,
                AllocationField::Shares,
                AllocationField::Reservation,
                AllocationField::Limit
            ]
        );
        assert_eq!(AllocationField::ShareLevel.suffix(), "share_level");
    }
}
