//! The vApp property type grammar and its canonical printing.
//!
//! Forms (vSphere's `VAppPropertyInfo.type`):
//!
//! - `string`, `string(x..)`, `string(..y)`, `string(x..y)`: lengths in
//!   characters; every value is also capped at 65535 bytes.
//! - `string["a", "b", …]`: choices, each in double quotes; inside one, `\"`
//!   is a double quote and `\\` a backslash (a `'` needs no escape). Spaces
//!   may stand around the choices and commas, nowhere else.
//! - `int` (signed 32-bit) and `int(x..y)`: both bounds required, each at
//!   most 100 characters with its sign. vSphere exports bounds as uint64
//!   (lower bound ≥ 0) or int64, so values are held to the bounds clamped to
//!   that range ([`IntRange::effective_bounds`]).
//! - `real` and `real(x..y)`: IEEE doubles written as CIM reals (an optional
//!   sign, digits, a `.`, at least one digit, an optional exponent).
//! - `boolean`, `expression`, `password` and its three length forms.
//! - `ip`, `ip:<network>` and `${ip:<network>}`, the network named inside.
//!
//! Type keywords are lower-case and a type has no surrounding white-space,
//! as in vSphere. [`PropertyType`]'s `Display` prints the canonical form,
//! which parses back to the same type.

use std::cmp::Ordering;
use std::fmt;

use super::vapp_error::VappError;

/// Every value of a string or password type fits in this many bytes.
pub const MAX_STRING_BYTES: usize = 65535;

/// The longest `int(x..y)` bound, sign included.
pub const MAX_INT_BOUND_CHARS: usize = 100;

/// Every accepted type form, for error messages.
pub const VALID_TYPE_FORMS: &str = "string, string(x..), string(..y), string(x..y), \
string[\"choice1\", \"choice2\", …], int, int(x..y), real, real(x..y), boolean, \
password, password(x..), password(..y), password(x..y), expression, ip, ip:<network>, ${ip:<network>}";

/// A parsed vApp property type. Built by [`parse_type`].
#[derive(Debug, Clone, PartialEq)]
pub enum PropertyType {
    /// `string` (no bounds) or one of its length forms.
    String(LengthRange),
    /// `string["a", "b"]`: the unescaped choices, in order.
    Choices(Vec<String>),
    /// `int` (`None`: signed 32-bit) or `int(x..y)`.
    Int(Option<IntRange>),
    /// `real` (`None`: any finite double) or `real(x..y)`.
    Real(Option<RealRange>),
    Boolean,
    /// `password` or one of its length forms; values are secret.
    Password(LengthRange),
    /// The default value is an expression the system evaluates.
    Expression,
    /// An IPv4 or IPv6 address.
    Ip,
    /// `ip:<network>`: an address on the named network.
    IpOnNetwork(String),
    /// `${ip:<network>}`: an address the system assigns on the network.
    IpExpression(String),
}

impl PropertyType {
    /// Whether values of this type are secret (password types).
    pub fn is_secret(&self) -> bool {
        matches!(self, PropertyType::Password(_))
    }
}

/// Length bounds in characters; both `None` for the plain form.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct LengthRange {
    pub min: Option<u32>,
    pub max: Option<u32>,
}

/// The bounds of `int(x..y)`, kept as canonical decimal text (no `+`, no
/// leading zeros, no `-0`) since they may be up to 100 characters long.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IntRange {
    min: String,
    max: String,
}

impl IntRange {
    /// The lower bound as written (canonical decimal).
    pub fn min(&self) -> &str {
        &self.min
    }

    /// The upper bound as written (canonical decimal).
    pub fn max(&self) -> &str {
        &self.max
    }

    /// The bounds values are held to: the declared ones clamped to uint64
    /// when the lower bound is ≥ 0, else to int64 — the range vSphere
    /// exports them in. Never empty: [`parse_type`] refuses a range with no
    /// value in it.
    pub fn effective_bounds(&self) -> (i128, i128) {
        let (low, high) = self.family();
        (saturating_i128(&self.min).clamp(low, high), saturating_i128(&self.max).clamp(low, high))
    }

    fn family(&self) -> (i128, i128) {
        if self.min.starts_with('-') { (i128::from(i64::MIN), i128::from(i64::MAX)) } else { (0, i128::from(u64::MAX)) }
    }
}

/// The bounds of `real(x..y)`: the CIM text as written and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct RealRange {
    pub min_text: String,
    pub max_text: String,
    pub min: f64,
    pub max: f64,
}

/// Parses a vApp property type. Errors say what is wrong and, for unknown
/// forms, list the valid ones.
pub fn parse_type(given: &str) -> Result<PropertyType, VappError> {
    let malformed = |reason: String| VappError::MalformedType { given: given.to_owned(), reason };
    if given.is_empty() {
        return Err(VappError::EmptyType);
    }
    if given.trim() != given {
        return Err(malformed("leading or trailing white-space is not allowed".to_owned()));
    }
    match given {
        "string" => return Ok(PropertyType::String(LengthRange::default())),
        "password" => return Ok(PropertyType::Password(LengthRange::default())),
        "int" => return Ok(PropertyType::Int(None)),
        "real" => return Ok(PropertyType::Real(None)),
        "boolean" => return Ok(PropertyType::Boolean),
        "expression" => return Ok(PropertyType::Expression),
        "ip" => return Ok(PropertyType::Ip),
        _ => {}
    }
    if let Some(rest) = given.strip_prefix("string[") {
        return parse_choices(rest).map(PropertyType::Choices).map_err(malformed);
    }
    if let Some(body) = bracketed(given, "string(") {
        return parse_lengths(body.map_err(malformed)?).map(PropertyType::String).map_err(malformed);
    }
    if let Some(body) = bracketed(given, "password(") {
        return parse_lengths(body.map_err(malformed)?).map(PropertyType::Password).map_err(malformed);
    }
    if let Some(body) = bracketed(given, "int(") {
        return parse_int_range(body.map_err(malformed)?).map(|r| PropertyType::Int(Some(r))).map_err(malformed);
    }
    if let Some(body) = bracketed(given, "real(") {
        return parse_real_range(body.map_err(malformed)?).map(|r| PropertyType::Real(Some(r))).map_err(malformed);
    }
    if let Some(network) = given.strip_prefix("ip:") {
        if network.is_empty() {
            return Err(malformed("`ip:` must be followed by a network name, as in ip:VM Network".to_owned()));
        }
        return Ok(PropertyType::IpOnNetwork(network.to_owned()));
    }
    if let Some(rest) = given.strip_prefix("${") {
        let Some(network) = rest.strip_prefix("ip:").and_then(|r| r.strip_suffix('}')) else {
            return Err(malformed(
                "the only expression that is a type is ${ip:<network>}; for other expressions use type \
                 `expression` and put the expression in default_value"
                    .to_owned(),
            ));
        };
        if network.is_empty() || network.contains(['{', '}']) {
            return Err(malformed("${ip:…} must name a network without braces, as in ${ip:VM Network}".to_owned()));
        }
        return Ok(PropertyType::IpExpression(network.to_owned()));
    }
    Err(keyword_case_hint(given).map(malformed).unwrap_or_else(|| VappError::UnknownType { given: given.to_owned() }))
}

/// `Some(Ok(body))` for `prefix body )`, `Some(Err)` when the prefix is there
/// but the closing parenthesis is not, `None` when the prefix is not there.
fn bracketed<'a>(given: &'a str, prefix: &str) -> Option<Result<&'a str, String>> {
    let rest = given.strip_prefix(prefix)?;
    Some(rest.strip_suffix(')').ok_or_else(|| format!("`{prefix}` must be closed by `)` at the end")))
}

/// Suggests the lower-case keyword for `String`, `INT(0..5)`, ….
fn keyword_case_hint(given: &str) -> Option<String> {
    let end = given.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(given.len());
    let keyword = given.get(..end)?;
    let lower = keyword.to_ascii_lowercase();
    let known = ["string", "int", "real", "boolean", "password", "expression", "ip"];
    (lower != keyword && known.contains(&lower.as_str()))
        .then(|| format!("type keywords are lower-case: write `{lower}`, not `{keyword}`"))
}

fn split_range(body: &str) -> Result<(&str, &str), String> {
    body.split_once("..").ok_or_else(|| format!("expected `x..y` inside the parentheses, found `{body}`"))
}

fn parse_lengths(body: &str) -> Result<LengthRange, String> {
    let (min, max) = split_range(body)?;
    if min.is_empty() && max.is_empty() {
        return Err("give a minimum length, a maximum length or both, as in (1..), (..64) or (1..64)".to_owned());
    }
    let length = |text: &str, which: &str| -> Result<Option<u32>, String> {
        if text.is_empty() {
            return Ok(None);
        }
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("the {which} length `{text}` is not a whole number of characters"));
        }
        text.parse().map(Some).map_err(|_| format!("the {which} length `{text}` is too large"))
    };
    let range = LengthRange { min: length(min, "minimum")?, max: length(max, "maximum")? };
    if let (Some(lo), Some(hi)) = (range.min, range.max)
        && lo > hi
    {
        return Err(format!("the minimum length {lo} is greater than the maximum length {hi}"));
    }
    if let Some(lo) = range.min
        && lo as usize > MAX_STRING_BYTES
    {
        return Err(format!("the minimum length {lo} exceeds the {MAX_STRING_BYTES} limit on every value"));
    }
    Ok(range)
}

/// Parses the choice list after `string[`, up to and including the final `]`.
fn parse_choices(rest: &str) -> Result<Vec<String>, String> {
    let mut chars = rest.chars().peekable();
    let mut choices = Vec::new();
    let skip_spaces = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
        while chars.next_if(|c| *c == ' ').is_some() {}
    };
    skip_spaces(&mut chars);
    if chars.next_if_eq(&']').is_some() {
        return Err("a choice list needs at least one choice".to_owned());
    }
    loop {
        skip_spaces(&mut chars);
        match chars.next() {
            Some('"') => {}
            Some(c) => return Err(format!("expected a choice in double quotes, found `{c}`")),
            None => return Err("the choice list is not closed by `]`".to_owned()),
        }
        let mut choice = String::new();
        loop {
            match chars.next() {
                Some('"') => break,
                Some('\\') => match chars.next() {
                    Some(c @ ('"' | '\\')) => choice.push(c),
                    Some(c) => {
                        return Err(format!("unsupported escape `\\{c}` in a choice; only \\\" and \\\\ are escapes"));
                    }
                    None => return Err("a choice ends in a lone `\\`".to_owned()),
                },
                Some(c) => choice.push(c),
                None => return Err(format!("the choice \"{choice}… is not closed by a double quote")),
            }
        }
        choices.push(choice);
        skip_spaces(&mut chars);
        match chars.next() {
            Some(',') => {}
            Some(']') => break,
            Some(c) => return Err(format!("expected `,` or `]` after a choice, found `{c}`")),
            None => return Err("the choice list is not closed by `]`".to_owned()),
        }
    }
    if chars.next().is_some() {
        return Err("nothing may follow the closing `]`".to_owned());
    }
    Ok(choices)
}

fn parse_int_range(body: &str) -> Result<IntRange, String> {
    let (min, max) = split_range(body)?;
    let range = IntRange { min: int_bound(min, "lower")?, max: int_bound(max, "upper")? };
    if compare_decimal(&range.min, &range.max) == Ordering::Greater {
        return Err(format!("the lower bound {} is greater than the upper bound {}", range.min, range.max));
    }
    let (low, high) = range.family();
    if saturating_i128(&range.max) < low || saturating_i128(&range.min) > high {
        return Err(format!("no value of the range fits in the 64-bit range vSphere exports ({low}..{high})"));
    }
    Ok(range)
}

/// Validates one `int(x..y)` bound and returns it in canonical form.
fn int_bound(text: &str, which: &str) -> Result<String, String> {
    if text.is_empty() {
        return Err(format!("the {which} bound is missing; int(x..y) always has both bounds"));
    }
    if text.chars().count() > MAX_INT_BOUND_CHARS {
        return Err(format!("the {which} bound has more than {MAX_INT_BOUND_CHARS} characters"));
    }
    canonical_integer(text).ok_or_else(|| format!("the {which} bound `{text}` is not an integer"))
}

/// `[+|-]digits` in canonical form, or `None` when it is not an integer.
pub(crate) fn canonical_integer(text: &str) -> Option<String> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, text.get(1..)?),
        b'+' => (false, text.get(1..)?),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = digits.trim_start_matches('0');
    Some(match (digits.is_empty(), negative) {
        (true, _) => "0".to_owned(),
        (false, true) => format!("-{digits}"),
        (false, false) => digits.to_owned(),
    })
}

/// Orders two canonical decimal integers of any length.
fn compare_decimal(a: &str, b: &str) -> Ordering {
    match (a.strip_prefix('-'), b.strip_prefix('-')) {
        (Some(a), Some(b)) => compare_magnitude(b, a),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => compare_magnitude(a, b),
    }
}

fn compare_magnitude(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// A canonical decimal integer as i128, saturating past i128's range (far
/// beyond the 64-bit ranges it is compared with).
pub(crate) fn saturating_i128(text: &str) -> i128 {
    text.parse().unwrap_or(if text.starts_with('-') { i128::MIN } else { i128::MAX })
}

fn parse_real_range(body: &str) -> Result<RealRange, String> {
    let (min_text, max_text) = split_range(body)?;
    let min = real_bound(min_text, "lower")?;
    let max = real_bound(max_text, "upper")?;
    if min > max {
        return Err(format!("the lower bound {min_text} is greater than the upper bound {max_text}"));
    }
    Ok(RealRange { min_text: min_text.to_owned(), max_text: max_text.to_owned(), min, max })
}

fn real_bound(text: &str, which: &str) -> Result<f64, String> {
    if text.is_empty() {
        return Err(format!("the {which} bound is missing; real(x..y) always has both bounds"));
    }
    parse_cim_real(text).ok_or_else(|| {
        format!("the {which} bound `{text}` is not a CIM real ({CIM_REAL_FORM}) within the range of a double")
    })
}

/// What a CIM real looks like, for messages.
pub(crate) const CIM_REAL_FORM: &str = "an optional sign, digits, a `.` and at least one digit, then an optional \
exponent, e.g. 1.0, -0.5, .25 or 2.5e3";

/// A CIM real (`[+|-] *digit "." 1*digit [(e|E) [+|-] 1*digit]`) as a finite
/// double, or `None`.
pub(crate) fn parse_cim_real(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (unsigned.get(..at)?, Some(unsigned.get(at + 1..)?)),
        None => (unsigned, None),
    };
    let (whole, fraction) = mantissa.split_once('.')?;
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || fraction.is_empty() || !all_digits(fraction) {
        return None;
    }
    if let Some(exponent) = exponent {
        let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if digits.is_empty() || !all_digits(digits) {
            return None;
        }
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

impl fmt::Display for LengthRange {
    /// `""`, `(x..)`, `(..y)` or `(x..y)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (None, None) => Ok(()),
            (Some(lo), None) => write!(f, "({lo}..)"),
            (None, Some(hi)) => write!(f, "(..{hi})"),
            (Some(lo), Some(hi)) => write!(f, "({lo}..{hi})"),
        }
    }
}

impl fmt::Display for PropertyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PropertyType::String(lengths) => write!(f, "string{lengths}"),
            PropertyType::Choices(choices) => {
                f.write_str("string[")?;
                for (i, choice) in choices.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "\"{}\"", EscapedChoice(choice))?;
                }
                f.write_str("]")
            }
            PropertyType::Int(None) => f.write_str("int"),
            PropertyType::Int(Some(range)) => write!(f, "int({}..{})", range.min, range.max),
            PropertyType::Real(None) => f.write_str("real"),
            PropertyType::Real(Some(range)) => write!(f, "real({}..{})", range.min_text, range.max_text),
            PropertyType::Boolean => f.write_str("boolean"),
            PropertyType::Password(lengths) => write!(f, "password{lengths}"),
            PropertyType::Expression => f.write_str("expression"),
            PropertyType::Ip => f.write_str("ip"),
            PropertyType::IpOnNetwork(network) => write!(f, "ip:{network}"),
            PropertyType::IpExpression(network) => write!(f, "${{ip:{network}}}"),
        }
    }
}

/// A choice with `"` and `\` escaped, as written between quotes.
pub(crate) struct EscapedChoice<'a>(pub &'a str);

impl fmt::Display for EscapedChoice<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                c => write!(f, "{c}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lengths(min: Option<u32>, max: Option<u32>) -> LengthRange {
        LengthRange { min, max }
    }

    fn int_range(text: &str) -> PropertyType {
        parse_type(text).unwrap()
    }

    #[test]
    fn every_form_parses_and_prints_back() {
        let cases: Vec<(&str, PropertyType)> = vec![
            ("string", PropertyType::String(lengths(None, None))),
            ("string(1..)", PropertyType::String(lengths(Some(1), None))),
            ("string(..64)", PropertyType::String(lengths(None, Some(64)))),
            ("string(1..64)", PropertyType::String(lengths(Some(1), Some(64)))),
            ("string(0..0)", PropertyType::String(lengths(Some(0), Some(0)))),
            ("string[\"a\", \"b\"]", PropertyType::Choices(vec!["a".into(), "b".into()])),
            ("int", PropertyType::Int(None)),
            ("real", PropertyType::Real(None)),
            ("boolean", PropertyType::Boolean),
            ("password", PropertyType::Password(lengths(None, None))),
            ("password(8..)", PropertyType::Password(lengths(Some(8), None))),
            ("password(..128)", PropertyType::Password(lengths(None, Some(128)))),
            ("password(8..128)", PropertyType::Password(lengths(Some(8), Some(128)))),
            ("expression", PropertyType::Expression),
            ("ip", PropertyType::Ip),
            ("ip:VM Network", PropertyType::IpOnNetwork("VM Network".into())),
            ("ip:network", PropertyType::IpOnNetwork("network".into())),
            ("${ip:VM Network}", PropertyType::IpExpression("VM Network".into())),
        ];
        for (text, expected) in cases {
            let parsed = parse_type(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(parsed, expected, "{text}");
            assert_eq!(parsed.to_string(), text);
        }
    }

    #[test]
    fn int_ranges() {
        let PropertyType::Int(Some(range)) = int_range("int(0..255)") else { panic!() };
        assert_eq!((range.min(), range.max()), ("0", "255"));
        assert_eq!(range.effective_bounds(), (0, 255));
        let PropertyType::Int(Some(range)) = int_range("int(-5..-1)") else { panic!() };
        assert_eq!(range.effective_bounds(), (-5, -1));
    }

    #[test]
    fn int_canonical_form() {
        // No `+`, no leading zeros, no `-0`.
        let t = parse_type("int(-0..+0010)").unwrap();
        assert_eq!(t.to_string(), "int(0..10)");
        assert_eq!(parse_type("int(-0010..-0)").unwrap().to_string(), "int(-10..0)");
    }

    #[test]
    fn big_int_bounds_clamp_to_64_bits() {
        let hundred_nines = "9".repeat(100);
        let PropertyType::Int(Some(range)) = parse_type(&format!("int(0..{hundred_nines})")).unwrap() else { panic!() };
        assert_eq!(range.max(), hundred_nines);
        assert_eq!(range.effective_bounds(), (0, i128::from(u64::MAX)));
        let ninety_nine = format!("-{}", "9".repeat(99));
        let PropertyType::Int(Some(range)) = parse_type(&format!("int({ninety_nine}..{hundred_nines})")).unwrap()
        else {
            panic!()
        };
        assert_eq!(range.effective_bounds(), (i128::from(i64::MIN), i128::from(i64::MAX)));
        // 101 characters with the sign is one too many.
        let err = parse_type(&format!("int(-{hundred_nines}..0)")).unwrap_err();
        assert!(err.to_string().contains("more than 100 characters"), "{err}");
        // 100 digits with a leading `+` is 101 characters too.
        assert!(parse_type(&format!("int(0..+{hundred_nines})")).is_err());
        // Entirely outside the exportable range.
        let err = parse_type(&format!("int({hundred_nines}..{hundred_nines})")).unwrap_err();
        assert!(err.to_string().contains("64-bit"), "{err}");
        let err = parse_type("int(-99999999999999999999..-99999999999999999998)").unwrap_err();
        assert!(err.to_string().contains("64-bit"), "{err}");
    }

    #[test]
    fn real_ranges() {
        let PropertyType::Real(Some(range)) = parse_type("real(-1.5..1.5)").unwrap() else { panic!() };
        assert_eq!((range.min, range.max), (-1.5, 1.5));
        for ok in ["real(.5..+2.0e3)", "real(-1.0E-3..1.0e+3)", "real(0.0..0.0)", "real(.5...5)"] {
            let t = parse_type(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(t.to_string(), ok);
        }
        for bad in ["real(0..1)", "real(1...0)", "real(1.0..)", "real(..1.0)", "real(1.0e..2.0)", "real(1.0..1.0e999)"]
        {
            assert!(matches!(parse_type(bad), Err(VappError::MalformedType { .. })), "{bad}");
        }
        let err = parse_type("real(2.0..1.0)").unwrap_err();
        assert!(err.to_string().contains("greater than"), "{err}");
    }

    #[test]
    fn cim_reals() {
        for ok in ["1.0", "-1.5", "+.5", ".25", "2.5e3", "2.5E-3", "0.0e+0"] {
            assert!(parse_cim_real(ok).is_some(), "{ok}");
        }
        for bad in ["1", "1.", ".", "-", "", "1.0e", "1.0e+", "1e5", "1.0.0", "0x1.0", "inf", "NaN", " 1.0", "1.5e400"]
        {
            assert_eq!(parse_cim_real(bad), None, "{bad}");
        }
    }

    #[test]
    fn choice_escapes() {
        let cases: &[(&str, &[&str])] = &[
            (r#"string["start\"middle\"end"]"#, &[r#"start"middle"end"#]),
            (r#"string["start'middle'end"]"#, &["start'middle'end"]),
            (r#"string["start\\end"]"#, &[r"start\end"]),
            (r#"string["a","b" , "c"  ]"#, &["a", "b", "c"]),
            (r#"string[  "only"]"#, &["only"]),
            (r#"string[""]"#, &[""]),
            (r#"string["x, y", "[z]"]"#, &["x, y", "[z]"]),
        ];
        for (text, expected) in cases {
            let parsed = parse_type(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
            assert_eq!(parsed, PropertyType::Choices(expected.clone()), "{text}");
            assert_eq!(parse_type(&parsed.to_string()).unwrap(), parsed, "{text}");
        }
        assert_eq!(parse_type(r#"string["a\"b", "c\\d"]"#).unwrap().to_string(), r#"string["a\"b", "c\\d"]"#);
    }

    #[test]
    fn malformed_choices() {
        let cases: &[(&str, &str)] = &[
            ("string[]", "at least one choice"),
            ("string[ ]", "at least one choice"),
            (r#"string["a""#, "not closed by `]`"),
            (r#"string["a"#, "not closed by a double quote"),
            (r#"string["a",]"#, "expected a choice"),
            (r#"string['a']"#, "expected a choice in double quotes"),
            (r#"string[a]"#, "expected a choice in double quotes"),
            (r#"string["a" "b"]"#, "expected `,` or `]`"),
            (r#"string["a"]x"#, "nothing may follow"),
            (r#"string["a\nb"]"#, "unsupported escape `\\n`"),
            (r#"string["a\"#, "lone"),
        ];
        for (text, needle) in cases {
            let err = parse_type(text).unwrap_err();
            assert_eq!(err.attribute(), "type");
            assert!(err.to_string().contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn malformed_ranges() {
        let cases: &[(&str, &str)] = &[
            ("string(..)", "a minimum length, a maximum length or both"),
            ("string(5)", "expected `x..y`"),
            ("string(5..1)", "greater than the maximum"),
            ("string(-1..)", "not a whole number"),
            ("string(99999999999..)", "too large"),
            ("string(65536..)", "exceeds the 65535 limit"),
            ("string(1..2", "closed by `)`"),
            ("password(a..b)", "not a whole number"),
            ("password(..)", "a minimum length"),
            ("int(5..1)", "greater than the upper bound"),
            ("int(0..)", "upper bound is missing"),
            ("int(..5)", "lower bound is missing"),
            ("int(1.5..2)", "not an integer"),
            ("int(0 .. 5)", "not an integer"),
            ("int(--1..5)", "not an integer"),
            ("int(+..5)", "not an integer"),
            ("int(0..5..6)", "not an integer"),
            ("ip:", "network name"),
            ("${ip:}", "must name a network"),
            ("${ip:a}b}", "must name a network"),
            ("${gateway:net}", "only expression that is a type"),
            (" int", "white-space"),
            ("int ", "white-space"),
            ("String", "lower-case: write `string`"),
            ("INT(0..5)", "lower-case: write `int`"),
        ];
        for (text, needle) in cases {
            let err = parse_type(text).unwrap_err();
            assert_eq!(err.attribute(), "type");
            assert!(err.to_string().contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn unknown_types_list_the_valid_forms() {
        for text in ["float", "str", "password[\"a\"]", "ipv4", "integer", "bool", "int[1, 2]"] {
            let err = parse_type(text).unwrap_err();
            assert_eq!(err, VappError::UnknownType { given: text.to_owned() });
            let message = err.to_string();
            for form in
                ["string(x..y)", "string[\"choice1\"", "int(x..y)", "real(x..y)", "password(x..)", "ip:<network>"]
            {
                assert!(message.contains(form), "{message}");
            }
        }
        assert_eq!(parse_type(""), Err(VappError::EmptyType));
        assert!(VappError::EmptyType.to_string().contains("valid forms"));
    }
}

#[cfg(test)]
pub(crate) mod fuzz {
    use proptest::prelude::*;

    use super::*;

    /// Keyword openings followed by grammar-ish noise: close to valid types.
    fn near_valid() -> impl Strategy<Value = String> {
        let openings = prop::sample::select(vec![
            "string",
            "string(",
            "string[",
            "string[\"",
            "password",
            "password(",
            "int",
            "int(",
            "int(-",
            "real",
            "real(",
            "real(.",
            "boolean",
            "expression",
            "ip",
            "ip:",
            "${ip:",
            "${",
            "String",
            "",
        ]);
        (openings, r#"[0-9.+\-eE()\[\]",\\' a{}$:]{0,24}"#).prop_map(|(opening, noise)| format!("{opening}{noise}"))
    }

    fn lengths() -> impl Strategy<Value = LengthRange> {
        (prop::option::of(0u32..=70_000), prop::option::of(any::<u32>())).prop_filter_map(
            "min ≤ max and min ≤ 65535",
            |(min, max)| {
                let fits = min.is_none_or(|lo| lo as usize <= MAX_STRING_BYTES && max.is_none_or(|hi| lo <= hi));
                fits.then_some(LengthRange { min, max })
            },
        )
    }

    /// A bound as a user might write it: optional sign, leading zeros, and
    /// anywhere from 1 to 60 digits.
    fn int_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| format!("+{n}")),
            (-1000i64..1000).prop_map(|n| if n < 0 { format!("-00{}", -n) } else { format!("00{n}") }),
            "-?[1-9][0-9]{0,59}",
        ]
    }

    fn int_type() -> impl Strategy<Value = PropertyType> {
        (int_text(), int_text()).prop_filter_map("a range with an exportable value", |(a, b)| {
            let (a, b) = if compare_decimal(&canonical_integer(&a)?, &canonical_integer(&b)?) == Ordering::Greater {
                (b, a)
            } else {
                (a, b)
            };
            parse_type(&format!("int({a}..{b})")).ok()
        })
    }

    fn cim_text() -> impl Strategy<Value = String> {
        ("[+-]?", "[0-9]{0,6}", "[0-9]{1,6}", prop::option::of("[eE][+-]?[0-9]{1,2}")).prop_map(
            |(sign, whole, fraction, exponent)| format!("{sign}{whole}.{fraction}{}", exponent.unwrap_or_default()),
        )
    }

    fn real_type() -> impl Strategy<Value = PropertyType> {
        (cim_text(), cim_text()).prop_filter_map("finite bounds", |(a, b)| {
            let (x, y) = (parse_cim_real(&a)?, parse_cim_real(&b)?);
            let (a, b) = if x > y { (b, a) } else { (a, b) };
            parse_type(&format!("real({a}..{b})")).ok()
        })
    }

    fn network() -> impl Strategy<Value = String> {
        "[a-zA-Zé0-9]([a-zA-Z0-9 _.:/é-]{0,12}[a-zA-Z0-9])?"
    }

    pub(crate) fn valid_type() -> impl Strategy<Value = PropertyType> {
        prop_oneof![
            lengths().prop_map(PropertyType::String),
            lengths().prop_map(PropertyType::Password),
            prop::collection::vec(any::<String>(), 1..5).prop_map(PropertyType::Choices),
            Just(PropertyType::Int(None)),
            int_type(),
            Just(PropertyType::Real(None)),
            real_type(),
            Just(PropertyType::Boolean),
            Just(PropertyType::Expression),
            Just(PropertyType::Ip),
            network().prop_map(PropertyType::IpOnNetwork),
            network().prop_map(PropertyType::IpExpression),
        ]
    }

    /// Whatever parses prints in a form that parses back to the same type.
    fn assert_round_trip(ty: &PropertyType) -> Result<(), TestCaseError> {
        let printed = ty.to_string();
        let reparsed = parse_type(&printed);
        prop_assert_eq!(reparsed.as_ref(), Ok(ty), "printed as {}", printed);
        Ok(())
    }

    proptest! {
        #[test]
        fn arbitrary_strings_never_panic(text in any::<String>()) {
            if let Ok(ty) = parse_type(&text) {
                assert_round_trip(&ty)?;
            }
        }

        #[test]
        fn near_valid_strings_never_panic(text in near_valid()) {
            if let Ok(ty) = parse_type(&text) {
                assert_round_trip(&ty)?;
            }
        }

        #[test]
        fn valid_types_round_trip(ty in valid_type()) {
            assert_round_trip(&ty)?;
        }

        #[test]
        fn int_bounds_are_ordered_and_exportable(ty in int_type()) {
            let PropertyType::Int(Some(range)) = ty else { unreachable!() };
            let (lo, hi) = range.effective_bounds();
            prop_assert!(lo <= hi);
            prop_assert!(lo >= i128::from(i64::MIN) && hi <= i128::from(u64::MAX));
        }
    }
}
