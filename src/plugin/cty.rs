//! cty, Terraform's type system, as it crosses the wire: types in their JSON
//! form (for schemas) and values in msgpack (for plan/apply) or JSON (for
//! stored state).
//!
//! A value is decoded against the type the schema gives: msgpack alone does
//! not say whether an array is a list or a set, and an object must carry every
//! attribute of its type even when null.
use std::collections::BTreeMap;

use rmpv::Value as Mp;
use thiserror::Error;

/// A cty type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    Bool,
    Number,
    String,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    /// cty.DynamicPseudoType: the value carries its own type on the wire.
    Dynamic,
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }

    /// The JSON form Terraform expects in `Schema.Attribute.type`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Type::Bool => json!("bool"),
            Type::Number => json!("number"),
            Type::String => json!("string"),
            Type::Dynamic => json!("dynamic"),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Object(attrs) => {
                let m: serde_json::Map<String, serde_json::Value> =
                    attrs.iter().map(|(k, v)| (k.clone(), v.to_json())).collect();
                json!(["object", m])
            }
        }
    }

    /// Parses the JSON type form (used for dynamic values on the wire).
    pub fn from_json(v: &serde_json::Value) -> Result<Type, CtyError> {
        use serde_json::Value as J;
        match v {
            J::String(s) => match s.as_str() {
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                "dynamic" => Ok(Type::Dynamic),
                other => Err(CtyError::new(format!("unknown type {other:?}"))),
            },
            J::Array(parts) => match (parts.first().and_then(J::as_str), parts.get(1)) {
                (Some("list"), Some(t)) => Ok(Type::list(Type::from_json(t)?)),
                (Some("set"), Some(t)) => Ok(Type::set(Type::from_json(t)?)),
                (Some("map"), Some(t)) => Ok(Type::map(Type::from_json(t)?)),
                (Some("object"), Some(J::Object(attrs))) => {
                    Ok(Type::Object(attrs.iter().map(|(k, t)| Ok((k.clone(), Type::from_json(t)?))).collect::<Result<
                        _,
                        CtyError,
                    >>(
                    )?))
                }
                (Some("tuple"), _) => Err(CtyError::new("tuple types are not supported")),
                _ => Err(CtyError::new(format!("malformed type {v}"))),
            },
            _ => Err(CtyError::new(format!("malformed type {v}"))),
        }
    }
}

/// A dynamic cty value: what a `DynamicValue` decodes to.
#[derive(Debug, Clone, PartialEq)]
pub enum Dyn {
    Null,
    /// Not known until apply.
    Unknown,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    /// Lists and sets (a set's order carries no meaning).
    List(Vec<Dyn>),
    /// Maps and objects.
    Map(BTreeMap<String, Dyn>),
}

impl Dyn {
    pub fn is_null(&self) -> bool {
        matches!(self, Dyn::Null)
    }

    /// True when this value or anything inside it is unknown.
    pub fn has_unknown(&self) -> bool {
        match self {
            Dyn::Unknown => true,
            Dyn::List(v) => v.iter().any(Dyn::has_unknown),
            Dyn::Map(m) => m.values().any(Dyn::has_unknown),
            _ => false,
        }
    }

    pub fn attr(&self, name: &str) -> Option<&Dyn> {
        match self {
            Dyn::Map(m) => m.get(name),
            _ => None,
        }
    }

    pub fn attr_mut(&mut self, name: &str) -> Option<&mut Dyn> {
        match self {
            Dyn::Map(m) => m.get_mut(name),
            _ => None,
        }
    }
}

impl From<bool> for Dyn {
    fn from(b: bool) -> Self {
        Dyn::Bool(b)
    }
}
impl From<i64> for Dyn {
    fn from(n: i64) -> Self {
        Dyn::Number(n.into())
    }
}
impl From<&str> for Dyn {
    fn from(s: &str) -> Self {
        Dyn::String(s.to_owned())
    }
}

#[derive(Debug, Error, PartialEq)]
#[error("cty value: {0}")]
pub struct CtyError(String);

impl CtyError {
    pub fn new(msg: impl Into<String>) -> Self {
        CtyError(msg.into())
    }
}

/// Marker that stands for an unknown value inside the JSON bridge used by the
/// typed state structs (see `value.rs`). NUL bytes keep it out of anything a
/// user could plausibly write.
pub(crate) const UNKNOWN_SENTINEL: &str = "\u{0}cty:unknown\u{0}";

// ---------------------------------------------------------------- msgpack

/// Decodes cty msgpack against `ty`.
pub fn from_msgpack(bytes: &[u8], ty: &Type) -> Result<Dyn, CtyError> {
    let mut rd = bytes;
    let mp = rmpv::decode::read_value(&mut rd).map_err(|e| CtyError::new(e.to_string()))?;
    from_mp(&mp, ty)
}

fn from_mp(mp: &Mp, ty: &Type) -> Result<Dyn, CtyError> {
    if mp.is_nil() {
        return Ok(Dyn::Null);
    }
    if let Mp::Ext(_, _) = mp {
        // cty writes every unknown as an extension value.
        return Ok(Dyn::Unknown);
    }
    match ty {
        Type::Bool => mp.as_bool().map(Dyn::Bool).ok_or_else(|| mismatch("bool", mp)),
        Type::Number => mp_number(mp).map(Dyn::Number),
        Type::String => mp.as_str().map(|s| Dyn::String(s.to_owned())).ok_or_else(|| mismatch("string", mp)),
        Type::List(el) | Type::Set(el) => match mp {
            Mp::Array(items) => items.iter().map(|i| from_mp(i, el)).collect::<Result<_, _>>().map(Dyn::List),
            _ => Err(mismatch("list", mp)),
        },
        Type::Map(el) => match mp {
            Mp::Map(entries) => {
                entries.iter().map(|(k, v)| Ok((mp_key(k)?, from_mp(v, el)?))).collect::<Result<_, _>>().map(Dyn::Map)
            }
            _ => Err(mismatch("map", mp)),
        },
        Type::Object(attrs) => match mp {
            Mp::Map(entries) => {
                let mut out = BTreeMap::new();
                for (k, v) in entries {
                    let k = mp_key(k)?;
                    // Attributes unknown to the schema are dropped, not fatal.
                    if let Some(t) = attrs.get(&k) {
                        out.insert(k, from_mp(v, t)?);
                    }
                }
                for name in attrs.keys() {
                    out.entry(name.clone()).or_insert(Dyn::Null);
                }
                Ok(Dyn::Map(out))
            }
            _ => Err(mismatch("object", mp)),
        },
        Type::Dynamic => match mp {
            // [type as JSON bytes, value]
            Mp::Array(pair) if pair.len() == 2 => {
                let tjson = match &pair[0] {
                    Mp::Binary(b) => serde_json::from_slice(b),
                    Mp::String(s) => serde_json::from_slice(s.as_bytes()),
                    other => return Err(mismatch("dynamic type", other)),
                }
                .map_err(|e| CtyError::new(e.to_string()))?;
                from_mp(&pair[1], &Type::from_json(&tjson)?)
            }
            _ => Err(mismatch("dynamic", mp)),
        },
    }
}

fn mp_key(k: &Mp) -> Result<String, CtyError> {
    k.as_str().map(str::to_owned).ok_or_else(|| mismatch("string key", k))
}

fn mp_number(mp: &Mp) -> Result<serde_json::Number, CtyError> {
    match mp {
        Mp::Integer(i) => {
            if let Some(v) = i.as_i64() {
                Ok(v.into())
            } else if let Some(v) = i.as_u64() {
                Ok(v.into())
            } else {
                Err(mismatch("number", mp))
            }
        }
        Mp::F32(f) => float(f64::from(*f)),
        Mp::F64(f) => float(*f),
        // cty falls back to a decimal string for numbers no float64 holds.
        Mp::String(s) => {
            s.as_str().and_then(|s| s.parse::<serde_json::Number>().ok()).ok_or_else(|| mismatch("number", mp))
        }
        _ => Err(mismatch("number", mp)),
    }
}

fn float(f: f64) -> Result<serde_json::Number, CtyError> {
    serde_json::Number::from_f64(f).ok_or_else(|| CtyError::new("number is not finite"))
}

fn mismatch(want: &str, got: &Mp) -> CtyError {
    let kind = match got {
        Mp::Nil => "nil",
        Mp::Boolean(_) => "bool",
        Mp::Integer(_) | Mp::F32(_) | Mp::F64(_) => "number",
        Mp::String(_) => "string",
        Mp::Binary(_) => "binary",
        Mp::Array(_) => "array",
        Mp::Map(_) => "map",
        Mp::Ext(_, _) => "ext",
    };
    CtyError::new(format!("expected {want}, found msgpack {kind}"))
}

/// Encodes a value of type `ty` as cty msgpack.
pub fn to_msgpack(v: &Dyn, ty: &Type) -> Result<Vec<u8>, CtyError> {
    let mp = to_mp(v, ty)?;
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, &mp).map_err(|e| CtyError::new(e.to_string()))?;
    Ok(out)
}

fn to_mp(v: &Dyn, ty: &Type) -> Result<Mp, CtyError> {
    Ok(match (v, ty) {
        (Dyn::Null, _) => Mp::Nil,
        (Dyn::Unknown, _) => Mp::Ext(0, vec![0]),
        (_, Type::Dynamic) => {
            let t = infer_type(v);
            let tjson = serde_json::to_vec(&t.to_json()).map_err(|e| CtyError::new(e.to_string()))?;
            Mp::Array(vec![Mp::Binary(tjson), to_mp(v, &t)?])
        }
        (Dyn::Bool(b), Type::Bool) => Mp::Boolean(*b),
        (Dyn::Number(n), Type::Number) => number_mp(n),
        (Dyn::String(s), Type::String) => Mp::String(s.as_str().into()),
        (Dyn::List(items), Type::List(el) | Type::Set(el)) => {
            Mp::Array(items.iter().map(|i| to_mp(i, el)).collect::<Result<_, _>>()?)
        }
        (Dyn::Map(m), Type::Map(el)) => Mp::Map(
            m.iter()
                .map(|(k, v)| Ok((Mp::String(k.as_str().into()), to_mp(v, el)?)))
                .collect::<Result<_, CtyError>>()?,
        ),
        (Dyn::Map(m), Type::Object(attrs)) => Mp::Map(
            attrs
                .iter()
                .map(|(k, t)| Ok((Mp::String(k.as_str().into()), to_mp(m.get(k).unwrap_or(&Dyn::Null), t)?)))
                .collect::<Result<_, CtyError>>()?,
        ),
        // Primitive conversions cty itself would make.
        (Dyn::Number(n), Type::String) => Mp::String(n.to_string().into()),
        (Dyn::Bool(b), Type::String) => Mp::String(b.to_string().into()),
        (Dyn::String(s), Type::Number) => {
            number_mp(&s.parse().map_err(|_| CtyError::new(format!("{s:?} is not a number")))?)
        }
        (other, t) => {
            return Err(CtyError::new(format!("value {other:?} does not fit type {:?}", t.to_json())));
        }
    })
}

fn number_mp(n: &serde_json::Number) -> Mp {
    if let Some(i) = n.as_i64() {
        Mp::from(i)
    } else if let Some(u) = n.as_u64() {
        Mp::from(u)
    } else {
        Mp::F64(n.as_f64().unwrap_or(0.0))
    }
}

/// The type a value most plausibly has, for dynamic attributes.
fn infer_type(v: &Dyn) -> Type {
    match v {
        Dyn::Bool(_) => Type::Bool,
        Dyn::Number(_) => Type::Number,
        Dyn::List(items) => Type::list(items.first().map(infer_type).unwrap_or(Type::Dynamic)),
        Dyn::Map(m) => Type::Object(m.iter().map(|(k, v)| (k.clone(), infer_type(v))).collect()),
        Dyn::String(_) | Dyn::Null | Dyn::Unknown => Type::String,
    }
}

// ---------------------------------------------------------------- JSON

/// Converts a JSON value (stored state, or the typed bridge with its unknown
/// marker) into a cty value of type `ty`. Object attributes missing from the
/// JSON are null; JSON keys the type does not know are dropped.
pub fn from_json(j: &serde_json::Value, ty: &Type) -> Result<Dyn, CtyError> {
    use serde_json::Value as J;
    if j.is_null() {
        return Ok(Dyn::Null);
    }
    if j.as_str() == Some(UNKNOWN_SENTINEL) {
        return Ok(Dyn::Unknown);
    }
    Ok(match (ty, j) {
        (Type::Bool, J::Bool(b)) => Dyn::Bool(*b),
        (Type::Bool, J::String(s)) if s == "true" || s == "false" => Dyn::Bool(s == "true"),
        (Type::Number, J::Number(n)) => Dyn::Number(n.clone()),
        (Type::Number, J::String(s)) => {
            Dyn::Number(s.parse().map_err(|_| CtyError::new(format!("{s:?} is not a number")))?)
        }
        (Type::String, J::String(s)) => Dyn::String(s.clone()),
        (Type::String, J::Number(n)) => Dyn::String(n.to_string()),
        (Type::String, J::Bool(b)) => Dyn::String(b.to_string()),
        (Type::List(el) | Type::Set(el), J::Array(items)) => {
            Dyn::List(items.iter().map(|i| from_json(i, el)).collect::<Result<_, _>>()?)
        }
        (Type::Map(el), J::Object(m)) => {
            Dyn::Map(m.iter().map(|(k, v)| Ok((k.clone(), from_json(v, el)?))).collect::<Result<_, CtyError>>()?)
        }
        (Type::Object(attrs), J::Object(m)) => Dyn::Map(
            attrs
                .iter()
                .map(|(k, t)| Ok((k.clone(), m.get(k).map(|v| from_json(v, t)).transpose()?.unwrap_or(Dyn::Null))))
                .collect::<Result<_, CtyError>>()?,
        ),
        (Type::Dynamic, j) => json_untyped(j),
        (t, j) => {
            return Err(CtyError::new(format!("JSON {j} does not fit type {}", t.to_json())));
        }
    })
}

fn json_untyped(j: &serde_json::Value) -> Dyn {
    use serde_json::Value as J;
    match j {
        J::Null => Dyn::Null,
        J::Bool(b) => Dyn::Bool(*b),
        J::Number(n) => Dyn::Number(n.clone()),
        J::String(s) if s == UNKNOWN_SENTINEL => Dyn::Unknown,
        J::String(s) => Dyn::String(s.clone()),
        J::Array(a) => Dyn::List(a.iter().map(json_untyped).collect()),
        J::Object(m) => Dyn::Map(m.iter().map(|(k, v)| (k.clone(), json_untyped(v))).collect()),
    }
}

/// The JSON bridge form: unknowns become the sentinel string.
pub fn to_json(v: &Dyn) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Dyn::Null => J::Null,
        Dyn::Unknown => J::String(UNKNOWN_SENTINEL.to_owned()),
        Dyn::Bool(b) => J::Bool(*b),
        Dyn::Number(n) => J::Number(n.clone()),
        Dyn::String(s) => J::String(s.clone()),
        Dyn::List(items) => J::Array(items.iter().map(to_json).collect()),
        Dyn::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj_type() -> Type {
        Type::Object(BTreeMap::from([
            ("id".to_owned(), Type::String),
            ("n".to_owned(), Type::Number),
            ("on".to_owned(), Type::Bool),
            ("tags".to_owned(), Type::map(Type::String)),
            ("disks".to_owned(), Type::list(Type::Object(BTreeMap::from([("size".to_owned(), Type::Number)])))),
            ("names".to_owned(), Type::set(Type::String)),
        ]))
    }

    #[test]
    fn msgpack_round_trip_keeps_nulls_unknowns_and_nesting() {
        let v = Dyn::Map(BTreeMap::from([
            ("id".to_owned(), Dyn::Unknown),
            ("n".to_owned(), Dyn::Number(2048.into())),
            ("on".to_owned(), Dyn::Null),
            ("tags".to_owned(), Dyn::Map(BTreeMap::from([("a".to_owned(), Dyn::String("b".into()))]))),
            (
                "disks".to_owned(),
                Dyn::List(vec![Dyn::Map(BTreeMap::from([(
                    "size".to_owned(),
                    Dyn::Number(serde_json::Number::from_f64(1.5).unwrap()),
                )]))]),
            ),
            ("names".to_owned(), Dyn::List(vec![Dyn::String("x".into())])),
        ]));
        let bytes = to_msgpack(&v, &obj_type()).unwrap();
        assert_eq!(from_msgpack(&bytes, &obj_type()).unwrap(), v);
    }

    #[test]
    fn unknown_is_the_cty_extension_bytes() {
        assert_eq!(to_msgpack(&Dyn::Unknown, &Type::String).unwrap(), vec![0xd4, 0, 0]);
        assert_eq!(from_msgpack(&[0xd4, 0, 0], &Type::Number).unwrap(), Dyn::Unknown);
    }

    #[test]
    fn missing_object_attributes_decode_as_null_and_extra_ones_are_dropped() {
        let mp = Mp::Map(vec![(Mp::from("id"), Mp::from("vm-1")), (Mp::from("zzz"), Mp::from(1))]);
        let mut b = Vec::new();
        rmpv::encode::write_value(&mut b, &mp).unwrap();
        let v = from_msgpack(&b, &obj_type()).unwrap();
        assert_eq!(v.attr("id"), Some(&Dyn::String("vm-1".into())));
        assert_eq!(v.attr("n"), Some(&Dyn::Null));
        assert_eq!(v.attr("zzz"), None);
    }

    #[test]
    fn type_json_round_trips() {
        let t = obj_type();
        assert_eq!(Type::from_json(&t.to_json()).unwrap(), t);
        assert_eq!(t.to_json()["0"], serde_json::Value::Null);
        assert_eq!(Type::list(Type::String).to_json(), serde_json::json!(["list", "string"]));
    }

    #[test]
    fn wrong_shapes_are_errors_not_panics() {
        for bytes in [&[0xc1u8][..], &[0x92, 0x01][..], &[0xdd, 0xff, 0xff, 0xff, 0xff][..], &[][..]] {
            let _ = from_msgpack(bytes, &obj_type());
        }
        let mut b = Vec::new();
        rmpv::encode::write_value(&mut b, &Mp::from("str")).unwrap();
        assert!(from_msgpack(&b, &obj_type()).is_err());
        assert!(from_msgpack(&b, &Type::Number).is_err());
    }

    #[test]
    fn json_bridge_round_trips_unknowns() {
        let v = Dyn::Map(BTreeMap::from([("id".to_owned(), Dyn::Unknown)]));
        let t = Type::Object(BTreeMap::from([("id".to_owned(), Type::String)]));
        assert_eq!(from_json(&to_json(&v), &t).unwrap(), v);
    }

    #[test]
    fn dynamic_values_carry_their_type() {
        let v = Dyn::String("x".into());
        let b = to_msgpack(&v, &Type::Dynamic).unwrap();
        assert_eq!(from_msgpack(&b, &Type::Dynamic).unwrap(), v);
    }
}
