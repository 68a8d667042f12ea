//! `vapp_property_type_parse` and `vapp_property_value_problem`: the vApp
//! property type grammar (`rules::vapp_type`) and the value rules
//! `vi_vapp_property` checks at plan (`rules::vapp_property`).
use super::{object, object_type, opt_string};
use crate::plugin::{Args, Dyn, Function, FunctionError, Parameter, Signature, Type};
use crate::rules::vapp_property::{PropertySpec, check_property};
use crate::rules::vapp_type::{LengthRange, PropertyType, parse_type};

/// vSphere's generic type, which an unset or empty `type` means (as in
/// `vi_vapp_property`).
fn type_or_string(t: Option<&str>) -> &str {
    t.filter(|t| !t.is_empty()).unwrap_or("string")
}

pub struct TypeParse;

impl Function for TypeParse {
    fn name(&self) -> &'static str {
        "vapp_property_type_parse"
    }

    fn summary(&self) -> &'static str {
        "Parses a vApp property type into its kind, bounds and choices"
    }

    fn description(&self) -> &'static str {
        "Parses a vApp property type (vSphere's `VAppPropertyInfo.type`, as `vi_vapp_property.type` takes it) and \
         returns its parts: `kind` (`string`, `int`, `real`, `boolean`, `password`, `expression` or `ip`); `min` and \
         `max` (lengths in characters for `string` and `password`, bounds for `int` and `real`; plain `int` is \
         signed 32-bit; `int` bounds are those values are held to, clamped to the 64-bit range vSphere exports); \
         `choices` (for `string[\"a\", \"b\"]`, else null); `network` (for `ip:<network>` and `${ip:<network>}`); \
         `system_assigned` (true for `${ip:<network>}`, an address the system assigns); `secret` (true for \
         password types, whose value goes in `sensitive_value` or `sensitive_value_wo`); and `canonical`, the \
         type as vSphere writes it. An invalid type fails with the message `vi_vapp_property` gives at plan."
    }

    fn signature(&self) -> Signature {
        Signature {
            parameters: vec![Parameter::new(
                "type",
                Type::String,
                "The type, e.g. `int(1..65535)` or `string[\"forward\", \"reverse\"]`.",
            )],
            variadic: None,
            returns: object_type(&[
                ("kind", Type::String),
                ("min", Type::Number),
                ("max", Type::Number),
                ("choices", Type::list(Type::String)),
                ("network", Type::String),
                ("system_assigned", Type::Bool),
                ("secret", Type::Bool),
                ("canonical", Type::String),
            ]),
        }
    }

    fn call(&self, args: &Args) -> Result<Dyn, FunctionError> {
        let given = args.string(0)?;
        let ty = parse_type(type_or_string(Some(given))).map_err(|e| FunctionError::at(0, e.to_string()))?;
        Ok(parts(&ty))
    }
}

fn lengths(kind: &str, l: LengthRange) -> (&str, Dyn, Dyn) {
    let n = |v: Option<u32>| v.map_or(Dyn::Null, |v| Dyn::from(i64::from(v)));
    (kind, n(l.min), n(l.max))
}

/// A bound as a number: every effective `int` bound lies within i64 or u64.
fn int_bound(v: i128) -> Dyn {
    if let Ok(i) = i64::try_from(v) {
        Dyn::from(i)
    } else if let Ok(u) = u64::try_from(v) {
        Dyn::Number(u.into())
    } else {
        Dyn::Null
    }
}

fn real_bound(v: f64) -> Dyn {
    serde_json::Number::from_f64(v).map_or(Dyn::Null, Dyn::Number)
}

fn parts(ty: &PropertyType) -> Dyn {
    let (kind, min, max) = match ty {
        PropertyType::String(l) => lengths("string", *l),
        PropertyType::Password(l) => lengths("password", *l),
        PropertyType::Choices(_) => ("string", Dyn::Null, Dyn::Null),
        PropertyType::Int(None) => ("int", Dyn::from(i64::from(i32::MIN)), Dyn::from(i64::from(i32::MAX))),
        PropertyType::Int(Some(r)) => {
            let (lo, hi) = r.effective_bounds();
            ("int", int_bound(lo), int_bound(hi))
        }
        PropertyType::Real(None) => ("real", Dyn::Null, Dyn::Null),
        PropertyType::Real(Some(r)) => ("real", real_bound(r.min), real_bound(r.max)),
        PropertyType::Boolean => ("boolean", Dyn::Null, Dyn::Null),
        PropertyType::Expression => ("expression", Dyn::Null, Dyn::Null),
        PropertyType::Ip | PropertyType::IpOnNetwork(_) | PropertyType::IpExpression(_) => ("ip", Dyn::Null, Dyn::Null),
    };
    let choices = match ty {
        PropertyType::Choices(c) => Dyn::List(c.iter().map(|c| Dyn::String(c.clone())).collect()),
        _ => Dyn::Null,
    };
    let network = match ty {
        PropertyType::IpOnNetwork(n) | PropertyType::IpExpression(n) => Some(n.as_str()),
        _ => None,
    };
    object(vec![
        ("kind", kind.into()),
        ("min", min),
        ("max", max),
        ("choices", choices),
        ("network", opt_string(network)),
        ("system_assigned", Dyn::Bool(matches!(ty, PropertyType::IpExpression(_)))),
        ("secret", Dyn::Bool(ty.is_secret())),
        ("canonical", Dyn::String(ty.to_string())),
    ])
}

pub struct ValueProblem;

impl Function for ValueProblem {
    fn name(&self) -> &'static str {
        "vapp_property_value_problem"
    }

    fn summary(&self) -> &'static str {
        "What is wrong with a vApp property value for a type; empty when it fits"
    }

    fn description(&self) -> &'static str {
        "Checks `value` against the vApp property type `type` by the rules `vi_vapp_property` applies at plan, and \
         returns the message the resource would give — about the type when the type itself is invalid, else about \
         the value — or `\"\"` when the value fits. An empty or null value is unset (vSphere then uses the \
         default) and fits any type except that an `expression` property takes no value at all. A null or empty \
         type is `string`, as in the resource. Messages about password types never repeat the value. Made for \
         `validation` blocks: `condition = provider::vi::vapp_property_value_problem(t, v) == \"\"`."
    }

    fn signature(&self) -> Signature {
        Signature {
            parameters: vec![
                Parameter::new("type", Type::String, "The property's type, e.g. `int(1..65535)`; null means `string`.")
                    .nullable(),
                Parameter::new("value", Type::String, "The value to check; null or empty means unset.").nullable(),
            ],
            variadic: None,
            returns: Type::String,
        }
    }

    fn call(&self, args: &Args) -> Result<Dyn, FunctionError> {
        let ty = type_or_string(args.opt_string(0)?);
        let value = args.opt_string(1)?;
        let spec = PropertySpec {
            property_id: "p".to_owned(),
            user_configurable: true,
            r#type: ty.to_owned(),
            value: value.map(str::to_owned),
            ..PropertySpec::default()
        };
        // The default value is not this function's business (an
        // `expression` needs one; none is given here).
        let problems: Vec<String> = check_property(&spec)
            .into_iter()
            .filter(|e| matches!(e.attribute(), "type" | "value" | "sensitive_value"))
            .map(|e| e.to_string())
            .collect();
        Ok(Dyn::String(problems.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(f: &dyn Function, args: Vec<Dyn>) -> Result<Dyn, FunctionError> {
        f.call(&Args::of(args, &f.signature()))
    }

    fn parsed(t: &str) -> Dyn {
        call(&TypeParse, vec![t.into()]).unwrap()
    }

    #[test]
    fn types_break_into_their_parts() {
        let p = parsed("int(1..65535)");
        assert_eq!(p.attr("kind"), Some(&Dyn::from("int")));
        assert_eq!((p.attr("min"), p.attr("max")), (Some(&Dyn::from(1i64)), Some(&Dyn::from(65535i64))));
        assert_eq!(p.attr("canonical"), Some(&Dyn::from("int(1..65535)")));
        let c = parsed(r#"string["forward", "re\"verse"]"#);
        assert_eq!(c.attr("choices"), Some(&Dyn::List(vec!["forward".into(), "re\"verse".into()])));
        assert_eq!(c.attr("kind"), Some(&Dyn::from("string")));
        let pw = parsed("password(8..)");
        assert_eq!(pw.attr("secret"), Some(&Dyn::Bool(true)));
        assert_eq!((pw.attr("min"), pw.attr("max")), (Some(&Dyn::from(8i64)), Some(&Dyn::Null)));
        let ip = parsed("${ip:VM Network}");
        assert_eq!(ip.attr("network"), Some(&Dyn::from("VM Network")));
        assert_eq!(ip.attr("system_assigned"), Some(&Dyn::Bool(true)));
        assert_eq!(parsed("int").attr("max"), Some(&Dyn::from(2_147_483_647i64)));
        assert_eq!(parsed("").attr("kind"), Some(&Dyn::from("string")), "empty is vSphere's generic string");
        // Bounds beyond 64 bits are held to what vSphere exports.
        let big = parsed("int(0..99999999999999999999999)");
        assert_eq!(big.attr("max"), Some(&Dyn::Number(u64::MAX.into())));
        let real = parsed("real(-1.5..2.0)");
        assert_eq!(real.attr("min"), Some(&Dyn::Number(serde_json::Number::from_f64(-1.5).unwrap())));
    }

    #[test]
    fn a_bad_type_fails_with_the_resources_message() {
        let e = call(&TypeParse, vec!["INT(0..5)".into()]).unwrap_err();
        assert_eq!(e.argument, Some(0));
        let rule = parse_type("INT(0..5)").unwrap_err().to_string();
        assert_eq!(e.text, rule);
        assert!(e.text.contains("lower-case"), "{}", e.text);
    }

    #[test]
    fn value_problems_are_the_resources_messages() {
        let p = |t: Option<&str>, v: Option<&str>| {
            let a = vec![t.map_or(Dyn::Null, Dyn::from), v.map_or(Dyn::Null, Dyn::from)];
            match call(&ValueProblem, a).unwrap() {
                Dyn::String(s) => s,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(p(Some("int(1..65535)"), Some("22")), "");
        let out = p(Some("int(1..65535)"), Some("70000"));
        assert!(out.contains("70000") && out.contains("65535") && out.starts_with("value "), "{out}");
        assert_eq!(p(Some("int(1..65535)"), None), "", "unset fits");
        assert_eq!(p(None, Some("anything")), "", "null type is string");
        let pw = p(Some("password(8..)"), Some("pw-123"));
        assert!(pw.starts_with("sensitive_value is not valid") && !pw.contains("pw-123"), "{pw}");
        assert!(p(Some("strin"), Some("x")).contains("unknown vApp property type `strin`"));
        assert!(p(Some("expression"), Some("x")).contains("leave value unset"));
        assert_eq!(p(Some("expression"), None), "", "the missing default is not this function's business");
        assert!(p(Some("boolean"), Some("true")).contains("`True` or `False`"));
    }
}
