//! `xsd:dateTime` values as vSphere sends them (`2026-12-07T14:30:00.123Z`,
//! `…+01:00`), as seconds since the Unix epoch, so two instants from the
//! server can be compared whatever their zones.

/// Seconds since 1970-01-01T00:00:00Z (fractions dropped); `None` for text
/// that is not an `xsd:dateTime` with a zone (Z or ±HH:MM).
pub fn epoch_seconds(text: &str) -> Option<i64> {
    let t = text.trim();
    let (date, rest) = t.split_once('T')?;
    let mut d = date.splitn(3, '-');
    let (year, month, day): (i64, i64, i64) =
        (d.next()?.parse().ok()?, d.next()?.parse().ok()?, d.next()?.parse().ok()?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // The zone: Z, or the last + or - (the time itself has none).
    let (clock, offset) = if let Some(c) = rest.strip_suffix('Z') {
        (c, 0)
    } else {
        let at = rest.rfind(['+', '-'])?;
        let (c, z) = rest.split_at(at);
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let (h, m) = z.get(1..)?.split_once(':')?;
        let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
        (c, sign * (h * 3600 + m * 60))
    };
    let clock = clock.split('.').next()?;
    let mut c = clock.splitn(3, ':');
    let (h, m, s): (i64, i64, i64) = (c.next()?.parse().ok()?, c.next()?.parse().ok()?, c.next()?.parse().ok()?);
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + s - offset)
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::epoch_seconds;

    #[test]
    fn reads_zones_and_fractions() {
        assert_eq!(epoch_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(epoch_seconds("2026-12-07T14:30:00.123456Z"), Some(1_796_653_800));
        assert_eq!(epoch_seconds("2026-12-07T15:30:00+01:00"), Some(1_796_653_800));
        assert_eq!(epoch_seconds("2026-12-07T09:30:00.5-05:00"), Some(1_796_653_800));
        assert_eq!(epoch_seconds("2000-02-29T00:00:00Z"), Some(951_782_400));
    }

    #[test]
    fn refuses_what_is_not_a_zoned_datetime() {
        for bad in
            ["", "2026-12-07", "2026-12-07T14:30:00", "2026-13-01T00:00:00Z", "x-y-zTa:b:cZ", "2026-12-07T25:00:00Z"]
        {
            assert_eq!(epoch_seconds(bad), None, "{bad}");
        }
    }
}
