//! Byte allocation units as OVF writes them: DMTF programmatic units
//! (`byte * 2^20`, `byte*1024*1024`, `byte * 10^9`) and the informal names
//! older tools use (`MegaBytes`, `GB`).

/// The number of bytes one unit stands for. `Err` carries the reason.
pub(super) fn byte_multiplier(units: &str) -> Result<u64, String> {
    let compact: String = units.chars().filter(|c| !c.is_whitespace()).collect();
    // Informal names. vSphere and VirtualBox mean binary multiples by them.
    let named = match compact.to_ascii_lowercase().as_str() {
        "byte" | "bytes" | "b" => Some(1),
        "kilobyte" | "kilobytes" | "kb" | "kib" => Some(1 << 10),
        "megabyte" | "megabytes" | "mb" | "mib" => Some(1 << 20),
        "gigabyte" | "gigabytes" | "gb" | "gib" => Some(1 << 30),
        "terabyte" | "terabytes" | "tb" | "tib" => Some(1 << 40),
        _ => None,
    };
    if let Some(m) = named {
        return Ok(m);
    }

    let mut factors = compact.split('*');
    let base = factors.next().unwrap_or_default();
    if !base.eq_ignore_ascii_case("byte") && !base.eq_ignore_ascii_case("bytes") {
        return Err("expected a byte unit such as \"byte * 2^20\"".into());
    }
    let mut total: u64 = 1;
    for factor in factors {
        let value = factor_value(factor)?;
        total = total.checked_mul(value).ok_or_else(|| "the multiplier overflows 64 bits".to_string())?;
    }
    Ok(total)
}

/// One factor: `N`, `2^N` or `10^N`.
fn factor_value(factor: &str) -> Result<u64, String> {
    let overflow = || "the multiplier overflows 64 bits".to_string();
    match factor.split_once('^') {
        Some((base, exp)) => {
            let base: u64 = parse_digits(base)?;
            let exp: u32 = parse_digits(exp)?;
            if base != 2 && base != 10 {
                return Err(format!("unsupported power base {base}"));
            }
            base.checked_pow(exp).ok_or_else(overflow)
        }
        None => parse_digits(factor),
    }
}

fn parse_digits<T: std::str::FromStr>(s: &str) -> Result<T, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{s:?} is not a whole number"));
    }
    s.parse().map_err(|_| format!("{s:?} is too large"))
}

/// `quantity × units` in bytes, checked.
pub(super) fn bytes(quantity: u64, units: &str) -> Result<u64, String> {
    let m = byte_multiplier(units)?;
    quantity.checked_mul(m).ok_or_else(|| "the size overflows 64 bits".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programmatic_units() {
        assert_eq!(byte_multiplier("byte"), Ok(1));
        assert_eq!(byte_multiplier("byte * 2^20"), Ok(1 << 20));
        assert_eq!(byte_multiplier("byte*2^30"), Ok(1 << 30));
        assert_eq!(byte_multiplier("byte*1024*1024"), Ok(1 << 20));
        assert_eq!(byte_multiplier("byte * 10^6"), Ok(1_000_000));
        assert_eq!(byte_multiplier(" byte  *  2^40 "), Ok(1 << 40));
        assert_eq!(byte_multiplier("bytes * 512"), Ok(512));
    }

    #[test]
    fn informal_units() {
        assert_eq!(byte_multiplier("MegaBytes"), Ok(1 << 20));
        assert_eq!(byte_multiplier("GigaBytes"), Ok(1 << 30));
        assert_eq!(byte_multiplier("KiloBytes"), Ok(1 << 10));
        assert_eq!(byte_multiplier("MB"), Ok(1 << 20));
        assert_eq!(byte_multiplier("GB"), Ok(1 << 30));
        assert_eq!(byte_multiplier("TB"), Ok(1 << 40));
    }

    #[test]
    fn rejects_nonsense_and_overflow() {
        for bad in
            ["", "hertz * 10^6", "byte * 3^2", "byte * 2^", "byte * x", "byte * 2^64", "byte*10^20", "byte * -1", "bit"]
        {
            assert!(byte_multiplier(bad).is_err(), "{bad:?} accepted");
        }
        assert!(byte_multiplier("byte * 2^32 * 2^32").is_err());
        assert!(byte_multiplier("byte * 99999999999999999999999").is_err());
    }

    #[test]
    fn bytes_checks_overflow() {
        assert_eq!(bytes(20, "byte * 2^30"), Ok(20 << 30));
        assert!(bytes(u64::MAX, "byte * 2^20").is_err());
    }
}
