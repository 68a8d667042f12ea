//! Whether a value fits a vApp property type.
//!
//! Errors name the type and the value, except for password types, whose
//! values never appear (see [`VappError::invalid_value`]); nor do their
//! lengths, only the bound they miss.

use std::net::IpAddr;

use super::vapp_error::VappError;
use super::vapp_type::{
    CIM_REAL_FORM, EscapedChoice, IntRange, LengthRange, MAX_STRING_BYTES, PropertyType, RealRange, canonical_integer,
    parse_cim_real, saturating_i128,
};

/// The range of plain `int`: a signed 32-bit integer.
const PLAIN_INT: (i128, i128) = (i32::MIN as i128, i32::MAX as i128);

/// The commands of `${cmd:arg}` expressions vSphere evaluates. `vimIp`
/// takes no argument; the others name a network.
const EXPRESSION_COMMANDS: &[&str] = &[
    "ip",
    "subnet",
    "netmask",
    "gateway",
    "autoIp",
    "net",
    "domainName",
    "searchPath",
    "hostPrefix",
    "dns",
    "httpProxy",
    "vimIp",
];

/// Checks `value` against `ty`. For `expression`, the value checked is the
/// expression itself (what `default_value` holds).
pub fn check_value(ty: &PropertyType, value: &str) -> Result<(), VappError> {
    let reason = match ty {
        PropertyType::String(lengths) | PropertyType::Password(lengths) => length_problem(lengths, value),
        PropertyType::Choices(choices) => choice_problem(choices, value),
        PropertyType::Int(range) => int_problem(range.as_ref(), value),
        PropertyType::Real(range) => real_problem(range.as_ref(), value),
        PropertyType::Boolean => boolean_problem(value),
        PropertyType::Expression => expression_problem(value),
        PropertyType::Ip => ip_problem(value),
        // Left empty, the address comes from DHCP or the network's IP pool.
        PropertyType::IpOnNetwork(_) | PropertyType::IpExpression(_) if value.is_empty() => None,
        PropertyType::IpOnNetwork(_) | PropertyType::IpExpression(_) => ip_problem(value),
    };
    match reason {
        None => Ok(()),
        Some(reason) => Err(VappError::invalid_value(ty, value, reason)),
    }
}

fn length_problem(lengths: &LengthRange, value: &str) -> Option<String> {
    if value.len() > MAX_STRING_BYTES {
        return Some(format!("it is longer than {MAX_STRING_BYTES} bytes, the limit for every value"));
    }
    let chars = value.chars().count();
    if let Some(min) = lengths.min
        && chars < min as usize
    {
        return Some(format!("it is shorter than the minimum of {min} characters"));
    }
    if let Some(max) = lengths.max
        && chars > max as usize
    {
        return Some(format!("it is longer than the maximum of {max} characters"));
    }
    None
}

fn choice_problem(choices: &[String], value: &str) -> Option<String> {
    if choices.iter().any(|c| c == value) {
        return None;
    }
    let listed: Vec<String> = choices.iter().map(|c| format!("\"{}\"", EscapedChoice(c))).collect();
    Some(format!("it must be one of {}", listed.join(", ")))
}

fn int_problem(range: Option<&IntRange>, value: &str) -> Option<String> {
    let Some(canonical) = canonical_integer(value) else {
        return Some("it is not an integer (digits with an optional sign)".to_owned());
    };
    let number = saturating_i128(&canonical);
    let Some(range) = range else {
        let (lo, hi) = PLAIN_INT;
        return (number < lo || number > hi).then(|| format!("it is outside {lo}..{hi}, the signed 32-bit range"));
    };
    let (lo, hi) = range.effective_bounds();
    let clamped = |declared: &str, effective: i128| {
        if declared == effective.to_string() {
            String::new()
        } else {
            format!(" (the declared bound {declared} clamped to the 64-bit range vSphere exports)")
        }
    };
    if number < lo {
        return Some(format!("it is below the minimum {lo}{}", clamped(range.min(), lo)));
    }
    if number > hi {
        return Some(format!("it is above the maximum {hi}{}", clamped(range.max(), hi)));
    }
    None
}

fn real_problem(range: Option<&RealRange>, value: &str) -> Option<String> {
    let Some(number) = parse_cim_real(value) else {
        if canonical_integer(value).is_some() {
            // The common slip: CIM reals always have a fractional part.
            return Some(format!("a real needs a fractional part, as in `{value}.0`"));
        }
        return Some(format!("it is not a CIM real within the range of a double ({CIM_REAL_FORM})"));
    };
    let range = range?;
    if number < range.min {
        return Some(format!("it is below the minimum {}", range.min_text));
    }
    if number > range.max {
        return Some(format!("it is above the maximum {}", range.max_text));
    }
    None
}

fn boolean_problem(value: &str) -> Option<String> {
    match value {
        "True" | "False" => None,
        // vCenter refuses `true`/`false`: the spelling is part of the type.
        v if v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false") => {
            Some("vSphere accepts only `True` or `False`, capitalised like that".to_owned())
        }
        _ => Some("it must be `True` or `False`".to_owned()),
    }
}

fn ip_problem(value: &str) -> Option<String> {
    value.parse::<IpAddr>().is_err().then(|| {
        "it is not an IPv4 address in dot-decimal notation or an IPv6 address in colon-hexadecimal notation \
         (without prefix length or zone)"
            .to_owned()
    })
}

/// `${name}` (the parent vApp's property) or `${cmd:arg}` with a known
/// command: exactly one expression, nothing around it.
fn expression_problem(value: &str) -> Option<String> {
    let form = "an expression is ${property} or ${command:network} (command one of ip, subnet, netmask, gateway, \
                autoIp, net, domainName, searchPath, hostPrefix, dns, httpProxy) or ${vimIp:}";
    let Some(inner) = value.strip_prefix("${").and_then(|v| v.strip_suffix('}')) else {
        return Some(format!("it is not wrapped in ${{…}}; {form}"));
    };
    if inner.contains(['$', '{', '}']) {
        return Some(format!("it holds more than one expression; {form}"));
    }
    let Some((command, argument)) = inner.split_once(':') else {
        if inner.is_empty() || inner.contains(char::is_whitespace) {
            return Some(format!("it does not name a property (no white-space allowed); {form}"));
        }
        return None;
    };
    if !EXPRESSION_COMMANDS.contains(&command) {
        return Some(format!("`{command}` is not an expression command; {form}"));
    }
    match (command, argument.is_empty()) {
        ("vimIp", false) => Some("${vimIp:} takes no argument".to_owned()),
        ("vimIp", true) => None,
        (_, true) => Some(format!("${{{command}:…}} needs a network name")),
        (_, false) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::vapp_error::ValueField;
    use crate::rules::vapp_type::parse_type;

    /// (type, valid values, invalid values)
    type Case = (&'static str, &'static [&'static str], &'static [&'static str]);

    const CASES: &[Case] = &[
        ("int(0..255)", &["0", "255", "128", "+7", "007", "-0"], &["256", "-1", "300", "12a", "", " 1", "1.0", "0x10"]),
        ("int", &["-2147483648", "2147483647", "0"], &["2147483648", "-2147483649", "abc", "1e3"]),
        ("int(-5..-1)", &["-5", "-1"], &["0", "-6", "5"]),
        ("real", &["1.0", "-.5", "2.5e3", "+0.0"], &["1", "1.", "abc", "1.0e999", "", "NaN"]),
        ("real(-1.5..1.5)", &["-1.5", "1.5", "0.0", ".5"], &["1.6", "-1.51", "2.0e0", "1"]),
        ("boolean", &["True", "False"], &["true", "false", "TRUE", "1", "yes", ""]),
        ("string", &["", "anything", "ünïcödé"], &[]),
        ("string(2..)", &["ab", "äb"], &["", "a", "ä"]),
        ("string(..3)", &["", "abc", "äöü"], &["abcd"]),
        ("string(1..3)", &["a", "abc"], &["", "abcd"]),
        (r#"string["a", "b\"c", "d\\e", "it's"]"#, &["a", "b\"c", "d\\e", "it's"], &["A", "", "b\\\"c", "d\\\\e"]),
        ("password", &["", "secret"], &[]),
        ("password(8..)", &["12345678"], &["1234567"]),
        ("password(..4)", &["", "1234"], &["12345"]),
        ("password(8..16)", &["12345678", "1234567890123456"], &["1234567", "12345678901234567"]),
        (
            "ip",
            &["10.0.0.1", "::1", "fe80::1", "2001:db8::ff00:42:8329"],
            &["", "10.0.0", "10.0.0.256", "01.2.3.4", "10.0.0.1/24", "fe80::1%eth0", "host"],
        ),
        ("ip:VM Network", &["", "192.168.1.10", "2001:db8::1"], &["192.168.1", "x"]),
        ("${ip:VM Network}", &["", "192.168.1.10"], &["nope"]),
        (
            "expression",
            &["${gateway:VM Network}", "${vimIp:}", "${parentProp}", "${ip:net}", "${dns:net}"],
            &["", "gateway", "${}", "${unknown:net}", "${gateway:}", "${vimIp:x}", "${a}${b}", "x${a}", "${a b}"],
        ),
    ];

    #[test]
    fn every_type_with_valid_and_invalid_values() {
        for (type_text, valid, invalid) in CASES {
            let ty = parse_type(type_text).unwrap_or_else(|e| panic!("{type_text}: {e}"));
            for value in *valid {
                assert_eq!(check_value(&ty, value), Ok(()), "{type_text} with {value:?}");
            }
            for value in *invalid {
                let err = check_value(&ty, value).expect_err(&format!("{type_text} with {value:?}"));
                let VappError::InvalidValue { type_name, .. } = &err else { panic!("{err:?}") };
                assert_eq!(type_name, &ty.to_string());
                assert!(err.to_string().contains(&format!("`{ty}`")), "{err}");
            }
        }
    }

    #[test]
    fn errors_name_type_and_value() {
        let ty = parse_type("int(0..255)").unwrap();
        let err = check_value(&ty, "300").unwrap_err();
        assert_eq!(err.to_string(), "value `300` is not valid for type `int(0..255)`: it is above the maximum 255");
        assert_eq!(err.attribute(), "value");
        let err = check_value(&ty, "-1").unwrap_err();
        assert!(err.to_string().ends_with("it is below the minimum 0"), "{err}");
        let err = check_value(&ty, "12a").unwrap_err();
        assert!(err.to_string().contains("`12a`") && err.to_string().contains("not an integer"), "{err}");
        let err = check_value(&parse_type("real").unwrap(), "5").unwrap_err();
        assert!(err.to_string().ends_with("a real needs a fractional part, as in `5.0`"), "{err}");
        let err = check_value(&PropertyType::Boolean, "true").unwrap_err();
        assert!(err.to_string().contains("only `True` or `False`"), "{err}");
        let ty = parse_type(r#"string["a", "b\"c"]"#).unwrap();
        let err = check_value(&ty, "z").unwrap_err();
        assert!(err.to_string().ends_with(r#"it must be one of "a", "b\"c""#), "{err}");
    }

    #[test]
    fn password_errors_never_hold_the_value() {
        let secret = "hunter2-ÜNIQUE";
        for type_text in ["password(20..)", "password(..3)", "password(15..16)"] {
            let ty = parse_type(type_text).unwrap();
            let err = check_value(&ty, secret).unwrap_err();
            assert_eq!(err.attribute(), "sensitive_value");
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(!shown.contains(&secret.chars().count().to_string()), "length leaked: {shown}");
            let moved = err.at(ValueField::DefaultValue);
            assert_eq!(moved.attribute(), "default_value");
            assert!(!format!("{moved} {moved:?}").contains("hunter2"));
        }
        let huge = "x".repeat(MAX_STRING_BYTES + 1);
        let err = check_value(&parse_type("password").unwrap(), &huge).unwrap_err();
        assert!(!err.to_string().contains("xxxx"), "{err}");
    }

    #[test]
    fn strings_are_capped_at_65535_bytes() {
        let string = PropertyType::String(LengthRange::default());
        assert_eq!(check_value(&string, &"x".repeat(MAX_STRING_BYTES)), Ok(()));
        assert!(check_value(&string, &"x".repeat(MAX_STRING_BYTES + 1)).is_err());
        // 65535 characters of two bytes each are over the byte limit.
        assert!(check_value(&string, &"ä".repeat(MAX_STRING_BYTES)).is_err());
        let long_max = parse_type("string(..100000)").unwrap();
        assert!(check_value(&long_max, &"x".repeat(MAX_STRING_BYTES + 1)).is_err());
    }

    #[test]
    fn big_int_bounds_hold_values_to_64_bits() {
        let hundred_nines = "9".repeat(100);
        let unsigned = parse_type(&format!("int(0..{hundred_nines})")).unwrap();
        assert_eq!(check_value(&unsigned, &u64::MAX.to_string()), Ok(()));
        let err = check_value(&unsigned, "18446744073709551616").unwrap_err();
        assert!(err.to_string().contains("maximum 18446744073709551615 (the declared bound 999"), "{err}");
        assert!(check_value(&unsigned, &hundred_nines).is_err());
        let signed = parse_type(&format!("int(-{}..{hundred_nines})", "9".repeat(99))).unwrap();
        assert_eq!(check_value(&signed, &i64::MIN.to_string()), Ok(()));
        assert_eq!(check_value(&signed, &i64::MAX.to_string()), Ok(()));
        assert!(check_value(&signed, "9223372036854775808").is_err());
        assert!(check_value(&signed, "-9223372036854775809").is_err());
        assert!(check_value(&signed, &format!("-{}", "9".repeat(300))).is_err());
    }
}

#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use super::*;
    use crate::rules::vapp_type::parse_type;

    fn near_valid_type() -> impl Strategy<Value = String> {
        let openings = prop::sample::select(vec![
            "string",
            "string(",
            "string[\"",
            "password(",
            "int(",
            "int(-",
            "real(",
            "real(.",
            "ip:",
            "${ip:",
        ]);
        (openings, r#"[0-9.+\-eE()\[\]",\\ a]{0,16}"#).prop_map(|(opening, noise)| format!("{opening}{noise}"))
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[+-]?[0-9]{0,45}",
            "[+-]?[0-9]{0,4}\\.[0-9]{0,4}([eE][+-]?[0-9]{0,3})?",
            "True|False|true|false",
            "[0-9]{1,3}(\\.[0-9]{1,3}){0,4}",
            "[0-9a-f:]{0,20}",
            "\\$\\{[a-zA-Z]{0,8}:?[a-zA-Z ]{0,6}\\}",
        ]
    }

    proptest! {
        #[test]
        fn arbitrary_types_and_values_never_panic(type_text in near_valid_type(), value in value()) {
            if let Ok(ty) = parse_type(&type_text) {
                let _ = check_value(&ty, &value);
            }
        }

        #[test]
        fn valid_types_and_values_never_panic(ty in crate::rules::vapp_type::fuzz::valid_type(), value in value()) {
            let _ = check_value(&ty, &value);
        }

        #[test]
        fn password_errors_never_show_the_value(
            ty in crate::rules::vapp_type::fuzz::valid_type().prop_filter("password", PropertyType::is_secret),
            secret in "[A-Z]{8}Q[A-Z]{0,200}",
        ) {
            if let Err(err) = check_value(&ty, &secret) {
                let shown = format!("{err} {err:?}");
                prop_assert!(!shown.contains(&secret), "{}", shown);
            }
        }

        #[test]
        fn ints_follow_the_effective_bounds(min in any::<i64>(), span in any::<u32>(), value in any::<i64>()) {
            let max = min.saturating_add(i64::from(span));
            // Bounds within int64 fit either exported range, so they apply as declared.
            let ty = parse_type(&format!("int({min}..{max})")).unwrap();
            let inside = (min..=max).contains(&value);
            prop_assert_eq!(check_value(&ty, &value.to_string()).is_ok(), inside);
        }

        #[test]
        fn every_choice_is_accepted(choices in prop::collection::vec(any::<String>(), 1..5)) {
            let ty = PropertyType::Choices(choices.clone());
            for choice in &choices {
                prop_assert_eq!(check_value(&ty, choice), Ok(()));
            }
        }
    }
}
