//! OVF property types (a CIM type plus `ovf:qualifiers`) translated into
//! the type grammar vSphere uses for vApp properties (`string(1..64)`,
//! `int(0..255)`, `string["a", "b"]`, `password(8..)`, `ip:VM Network`).
//!
//! The descriptor keeps the type as written; this translation is what a
//! caller hands to the vApp property rules. Mapping, per type:
//! - `ValueMap{…}` on any type gives a string choice (vSphere has no numeric
//!   or password choice).
//! - `string` with `ovf:password="true"` gives `password`; `MinLen` /
//!   `MaxLen` become a length range on either.
//! - `uint8` … `sint64` give `int(lo..hi)`: the type's own range narrowed by
//!   `MinValue` / `MaxValue`; a plain `sint32` (or `int`) is just `int`.
//! - `real32` / `real64` give `real`, or `real(lo..hi)` with bounds.
//! - `vmw:qualifiers="Ip"` gives `ip`; `Ip("net")` gives `ip:net`.
//! - Anything else is returned as written, for the rules to judge.

use super::descriptor::OvfProperty;
use super::error::OvfError;

impl OvfProperty {
    /// The vSphere vApp property type this OVF property maps to (see the
    /// module documentation). Fails on qualifiers it cannot read.
    pub fn vsphere_type(&self) -> Result<String, OvfError> {
        let bad = |detail: String| {
            OvfError::invalid(
                format!("qualifiers of property {}", self.key),
                self.qualifiers.clone().unwrap_or_default(),
                detail,
            )
        };
        let q = parse_qualifiers(self.qualifiers.as_deref().unwrap_or("")).map_err(bad)?;

        if let Some(ip) = self.vmw_qualifiers.as_deref().and_then(ip_type) {
            return Ok(ip);
        }
        if let Some(choices) = &q.value_map {
            let quoted: Vec<String> = choices.iter().map(|c| quote(c)).collect();
            return Ok(format!("string[{}]", quoted.join(", ")));
        }

        let written = self.type_.trim();
        let lower = written.to_ascii_lowercase();
        if lower == "string" {
            let base = if self.password { "password" } else { "string" };
            let range = range(q.min_len.map(|n| n.to_string()), q.max_len.map(|n| n.to_string()));
            return Ok(format!("{base}{range}"));
        }
        if lower == "boolean" {
            return Ok("boolean".into());
        }
        if let Some((lo, hi)) = int_bounds(&lower) {
            let plain_int = lower == "sint32" || lower == "int";
            if plain_int && q.min_value.is_none() && q.max_value.is_none() {
                return Ok("int".into());
            }
            let lo = match &q.min_value {
                Some(v) => parse_int(v).map_err(bad)?,
                None => lo,
            };
            let hi = match &q.max_value {
                Some(v) => parse_int(v).map_err(bad)?,
                None => hi,
            };
            return Ok(format!("int({lo}..{hi})"));
        }
        if let Some((lo, hi)) = real_bounds(&lower) {
            if q.min_value.is_none() && q.max_value.is_none() {
                return Ok("real".into());
            }
            let lo = match &q.min_value {
                Some(v) => real(v).map_err(bad)?,
                None => lo.to_string(),
            };
            let hi = match &q.max_value {
                Some(v) => real(v).map_err(bad)?,
                None => hi.to_string(),
            };
            return Ok(format!("real({lo}..{hi})"));
        }
        Ok(written.to_string())
    }
}

#[derive(Debug, Default, PartialEq)]
struct Qualifiers {
    min_len: Option<u64>,
    max_len: Option<u64>,
    min_value: Option<String>,
    max_value: Option<String>,
    value_map: Option<Vec<String>>,
}

/// Reads `Name(arg)` and `ValueMap{…}` qualifiers separated by commas or
/// whitespace.
fn parse_qualifiers(s: &str) -> Result<Qualifiers, String> {
    let mut q = Qualifiers::default();
    let mut chars = s.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace() || *c == ',').is_some() {}
        if chars.peek().is_none() {
            return Ok(q);
        }
        let mut name = String::new();
        while let Some(c) = chars.next_if(char::is_ascii_alphanumeric) {
            name.push(c);
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        match chars.next() {
            Some('(') => {
                let mut arg = String::new();
                loop {
                    match chars.next() {
                        Some(')') => break,
                        Some(c) => arg.push(c),
                        None => return Err(format!("{name}( is not closed")),
                    }
                }
                let arg = arg.trim().to_string();
                let twice = || format!("{name} is given twice");
                match name.as_str() {
                    "MinLen" => set(&mut q.min_len, Some(length(&name, &arg)?)).ok_or_else(twice)?,
                    "MaxLen" => set(&mut q.max_len, Some(length(&name, &arg)?)).ok_or_else(twice)?,
                    "MinValue" => set(&mut q.min_value, Some(arg)).ok_or_else(twice)?,
                    "MaxValue" => set(&mut q.max_value, Some(arg)).ok_or_else(twice)?,
                    _ => return Err(format!("unknown qualifier {name:?}")),
                }
            }
            Some('{') if name == "ValueMap" => {
                let list = value_list(&mut chars)?;
                set(&mut q.value_map, Some(list)).ok_or_else(|| "ValueMap is given twice".to_string())?;
            }
            Some(c) if name.is_empty() => return Err(format!("unexpected {c:?}")),
            _ => return Err(format!("qualifier {name:?} has no argument")),
        }
    }
}

/// Sets an empty slot; `None` if it was already set.
fn set<T>(slot: &mut Option<T>, value: Option<T>) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = value;
    Some(())
}

fn length(name: &str, arg: &str) -> Result<u64, String> {
    arg.parse().map_err(|_| format!("{name}({arg}) needs a whole number"))
}

/// The body of `ValueMap{…}` after the `{`: quoted strings (with `\"` and
/// `\\` escapes) or bare words, separated by commas.
fn value_list(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next_if_eq(&'}').is_some() {
            // `ValueMap{}` is an empty list; `{"a",}` a dangling comma.
            return if out.is_empty() { Ok(out) } else { Err("ValueMap has an empty entry".into()) };
        }
        let mut item = String::new();
        if chars.next_if_eq(&'"').is_some() {
            loop {
                match chars.next() {
                    Some('\\') => match chars.next() {
                        Some(c) => item.push(c),
                        None => return Err("ValueMap ends inside an escape".into()),
                    },
                    Some('"') => break,
                    Some(c) => item.push(c),
                    None => return Err("ValueMap has an unterminated string".into()),
                }
            }
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
        } else {
            while let Some(c) = chars.next_if(|c| *c != ',' && *c != '}') {
                item.push(c);
            }
            item = item.trim().to_string();
            if item.is_empty() {
                return Err("ValueMap has an empty entry".into());
            }
        }
        out.push(item);
        match chars.next() {
            Some(',') => {}
            Some('}') => return Ok(out),
            Some(c) => return Err(format!("unexpected {c:?} in ValueMap")),
            None => return Err("ValueMap{ is not closed".into()),
        }
    }
}

/// A choice in vSphere's grammar: `"` and `\` escaped with `\`.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn range(lo: Option<String>, hi: Option<String>) -> String {
    match (lo, hi) {
        (None, None) => String::new(),
        (lo, hi) => format!("({}..{})", lo.unwrap_or_default(), hi.unwrap_or_default()),
    }
}

fn int_bounds(t: &str) -> Option<(i128, i128)> {
    Some(match t {
        "uint8" => (0, u8::MAX.into()),
        "sint8" => (i8::MIN.into(), i8::MAX.into()),
        "uint16" => (0, u16::MAX.into()),
        "sint16" => (i16::MIN.into(), i16::MAX.into()),
        "uint32" => (0, u32::MAX.into()),
        "sint32" | "int" => (i32::MIN.into(), i32::MAX.into()),
        "uint64" => (0, u64::MAX.into()),
        "sint64" => (i64::MIN.into(), i64::MAX.into()),
        _ => return None,
    })
}

fn real_bounds(t: &str) -> Option<(&'static str, &'static str)> {
    match t {
        "real32" => Some(("-3.4028235e38", "3.4028235e38")),
        "real64" | "real" => Some(("-1.7976931348623157e308", "1.7976931348623157e308")),
        _ => None,
    }
}

fn parse_int(v: &str) -> Result<i128, String> {
    v.trim().parse().map_err(|_| format!("{v:?} is not an integer"))
}

/// A real bound in CIM's form, which needs a decimal point (`1` → `1.0`,
/// `2e3` → `2.0e3`).
fn real(v: &str) -> Result<String, String> {
    let v = v.trim();
    let looks_numeric = v.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
    if !looks_numeric || v.parse::<f64>().is_err() {
        return Err(format!("{v:?} is not a real number"));
    }
    if v.contains('.') {
        return Ok(v.to_string());
    }
    Ok(match v.find(['e', 'E']) {
        Some(at) => {
            let (mantissa, exponent) = v.split_at(at);
            format!("{mantissa}.0{exponent}")
        }
        None => format!("{v}.0"),
    })
}

/// `Ip` → `ip`; `Ip("net")` / `Ip('net')` → `ip:net`. Other VMware
/// qualifiers (`Subnet(…)`, `Dns(…)`, …) have no vSphere type of their own.
fn ip_type(vmw: &str) -> Option<String> {
    let v = vmw.trim();
    if v == "Ip" {
        return Some("ip".into());
    }
    let inner = v.strip_prefix("Ip(")?.strip_suffix(')')?.trim();
    let network = inner
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
        .unwrap_or(inner);
    Some(format!("ip:{network}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prop(type_: &str, qualifiers: Option<&str>) -> OvfProperty {
        OvfProperty {
            key: "k".into(),
            type_: type_.into(),
            qualifiers: qualifiers.map(str::to_string),
            ..OvfProperty::default()
        }
    }

    fn vt(type_: &str, qualifiers: Option<&str>) -> String {
        prop(type_, qualifiers).vsphere_type().unwrap()
    }

    #[test]
    fn strings_and_lengths() {
        assert_eq!(vt("string", None), "string");
        assert_eq!(vt("string", Some("MinLen(1),MaxLen(6)")), "string(1..6)");
        assert_eq!(vt("string", Some("MinLen(1)")), "string(1..)");
        assert_eq!(vt("string", Some(" MaxLen( 6 ) ")), "string(..6)");
        assert_eq!(vt("boolean", None), "boolean");
    }

    #[test]
    fn passwords() {
        let mut p = prop("string", Some("MinLen(8)"));
        p.password = true;
        assert_eq!(p.vsphere_type().unwrap(), "password(8..)");
        p.qualifiers = None;
        assert_eq!(p.vsphere_type().unwrap(), "password");
        // A password choice becomes a string choice.
        p.qualifiers = Some(r#"ValueMap{"a","b"}"#.into());
        assert_eq!(p.vsphere_type().unwrap(), r#"string["a", "b"]"#);
    }

    #[test]
    fn choices_keep_escapes() {
        let q = r#"ValueMap{"Sugar", "", "E\"scape", "Com,ma", "Sla\\sh"}"#;
        assert_eq!(vt("string", Some(q)), r#"string["Sugar", "", "E\"scape", "Com,ma", "Sla\\sh"]"#);
        assert_eq!(vt("uint32", Some("ValueMap{0,2}")), r#"string["0", "2"]"#);
        assert_eq!(vt("string", Some("ValueMap{}")), "string[]");
    }

    #[test]
    fn integers() {
        assert_eq!(vt("uint8", None), "int(0..255)");
        assert_eq!(vt("sint8", None), "int(-128..127)");
        assert_eq!(vt("uint16", None), "int(0..65535)");
        assert_eq!(vt("sint32", None), "int");
        assert_eq!(vt("int", None), "int");
        assert_eq!(vt("uint64", None), "int(0..18446744073709551615)");
        assert_eq!(vt("sint64", None), "int(-9223372036854775808..9223372036854775807)");
        assert_eq!(vt("uint32", Some("MinValue(10) MaxValue(1000)")), "int(10..1000)");
        assert_eq!(vt("sint32", Some("MaxValue(5)")), "int(-2147483648..5)");
    }

    #[test]
    fn reals() {
        assert_eq!(vt("real64", None), "real");
        assert_eq!(vt("real32", Some("MinValue(1.0) MaxValue(10.67)")), "real(1.0..10.67)");
        assert_eq!(vt("real64", Some("MinValue(1)")), "real(1.0..1.7976931348623157e308)");
        assert_eq!(vt("real32", Some("MaxValue(2e3)")), "real(-3.4028235e38..2.0e3)");
    }

    #[test]
    fn ip_from_vmw_qualifiers() {
        let mut p = prop("string", None);
        p.vmw_qualifiers = Some("Ip".into());
        assert_eq!(p.vsphere_type().unwrap(), "ip");
        p.vmw_qualifiers = Some("Ip('VM Network')".into());
        assert_eq!(p.vsphere_type().unwrap(), "ip:VM Network");
        p.vmw_qualifiers = Some(r#"Ip("VM Network")"#.into());
        assert_eq!(p.vsphere_type().unwrap(), "ip:VM Network");
        p.vmw_qualifiers = Some(r#"Subnet("VM Network")"#.into());
        assert_eq!(p.vsphere_type().unwrap(), "string");
    }

    #[test]
    fn unknown_types_pass_through() {
        assert_eq!(vt("expression", None), "expression");
        assert_eq!(vt(" ip:VM Network ", None), "ip:VM Network");
    }

    #[test]
    fn bad_qualifiers_are_errors() {
        for q in [
            "MinLen(x)",
            "MinLen(1",
            "MinLen",
            "Bogus(1)",
            "MinLen(1) MinLen(2)",
            r#"ValueMap{"a""#,
            r#"ValueMap{"a" "b"}"#,
            "ValueMap{a,,b}",
            r#"ValueMap{"a",}"#,
            r#"ValueMap{"a\"#,
            "(1)",
            "%",
        ] {
            assert!(prop("string", Some(q)).vsphere_type().is_err(), "{q:?} accepted");
        }
        assert!(prop("uint8", Some("MinValue(1.5)")).vsphere_type().is_err());
        assert!(prop("real64", Some("MinValue(abc)")).vsphere_type().is_err());
        assert!(prop("real64", Some("MinValue(1e)")).vsphere_type().is_err());
    }
}
