//! Provider functions (protocol 5.5: Terraform 1.8+, OpenTofu 1.7+): what a
//! function declares, and one entry point that takes a `CallFunction`
//! request from the wire and answers it. The server and the fuzz target
//! both go through [`call`], so whatever the fuzzer feeds reaches the
//! functions exactly as a CLI's arguments would.
use std::sync::Arc;

use super::cty::{self, Dyn, Type};
use super::proto::tfplugin5 as pb;

/// One parameter of a function.
#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: &'static str,
    pub ty: Type,
    pub description: &'static str,
    /// Null reaches the function (as "unset") instead of being refused by
    /// the CLI.
    pub allow_null: bool,
}

impl Parameter {
    pub fn new(name: &'static str, ty: Type, description: &'static str) -> Self {
        Parameter { name, ty, description, allow_null: false }
    }

    /// A parameter that may be null.
    pub fn nullable(mut self) -> Self {
        self.allow_null = true;
        self
    }

    fn to_proto(&self) -> pb::function::Parameter {
        pb::function::Parameter {
            name: self.name.to_owned(),
            r#type: self.ty.to_json().to_string().into_bytes(),
            allow_null_value: self.allow_null,
            // An unknown argument makes the result unknown; the CLI does
            // that without calling.
            allow_unknown_values: false,
            description: self.description.to_owned(),
            description_kind: pb::StringKind::Markdown as i32,
        }
    }
}

/// Parameters in order, an optional variadic last one (zero or more
/// arguments of its type), and the type returned.
#[derive(Debug, Clone)]
pub struct Signature {
    pub parameters: Vec<Parameter>,
    pub variadic: Option<Parameter>,
    pub returns: Type,
}

/// Why a call failed: the text the CLI shows, and the argument (from 0,
/// variadic ones counted on) it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text}")]
pub struct FunctionError {
    pub text: String,
    pub argument: Option<usize>,
}

impl FunctionError {
    /// A failure about argument `argument`.
    pub fn at(argument: usize, text: impl Into<String>) -> Self {
        FunctionError { text: text.into(), argument: Some(argument) }
    }

    /// A failure about no one argument.
    pub fn new(text: impl Into<String>) -> Self {
        FunctionError { text: text.into(), argument: None }
    }

    fn to_proto(&self) -> pb::FunctionError {
        pb::FunctionError {
            text: self.text.clone(),
            function_argument: self.argument.map(|a| i64::try_from(a).unwrap_or(i64::MAX)),
        }
    }
}

/// A provider function: `provider::<provider>::<name>(...)` in HCL.
pub trait Function: Send + Sync {
    fn name(&self) -> &'static str;
    /// One line, for listings.
    fn summary(&self) -> &'static str;
    /// Markdown: what it does and what it returns.
    fn description(&self) -> &'static str;
    fn signature(&self) -> Signature;
    /// Runs on arguments decoded against the signature, every one known
    /// and none null unless its parameter allows null.
    fn call(&self, args: &Args) -> Result<Dyn, FunctionError>;
}

/// The arguments of one call, decoded, with typed accessors whose errors
/// name the argument.
#[derive(Debug, Clone)]
pub struct Args {
    values: Vec<Dyn>,
    names: Vec<&'static str>,
    /// How many leading arguments are the fixed parameters.
    fixed: usize,
}

impl Args {
    /// Arguments as a call would have them, for tests and examples.
    pub fn of(values: Vec<Dyn>, sig: &Signature) -> Self {
        let fixed = sig.parameters.len();
        let names = (0..values.len())
            .map(|i| match sig.parameters.get(i) {
                Some(p) => p.name,
                None => sig.variadic.as_ref().map_or("argument", |v| v.name),
            })
            .collect();
        Args { values, names, fixed }
    }

    pub fn get(&self, i: usize) -> &Dyn {
        self.values.get(i).unwrap_or(&Dyn::Null)
    }

    /// The variadic arguments (after the fixed ones), with their indexes.
    pub fn variadic(&self) -> impl Iterator<Item = (usize, &Dyn)> {
        self.values.iter().enumerate().skip(self.fixed)
    }

    fn name(&self, i: usize) -> &'static str {
        self.names.get(i).copied().unwrap_or("argument")
    }

    /// A string argument; None when null.
    pub fn opt_string(&self, i: usize) -> Result<Option<&str>, FunctionError> {
        match self.get(i) {
            Dyn::Null => Ok(None),
            Dyn::String(s) => Ok(Some(s)),
            other => Err(FunctionError::at(i, format!("{} must be a string, not {}", self.name(i), kind(other)))),
        }
    }

    /// A string argument that must be set.
    pub fn string(&self, i: usize) -> Result<&str, FunctionError> {
        self.opt_string(i)?.ok_or_else(|| FunctionError::at(i, format!("{} must not be null", self.name(i))))
    }

    /// A whole-number argument; None when null.
    pub fn opt_integer(&self, i: usize) -> Result<Option<i64>, FunctionError> {
        match self.get(i) {
            Dyn::Null => Ok(None),
            Dyn::Number(n) => whole(n)
                .map(Some)
                .ok_or_else(|| FunctionError::at(i, format!("{} = {n} must be a whole number", self.name(i)))),
            other => Err(FunctionError::at(i, format!("{} must be a number, not {}", self.name(i), kind(other)))),
        }
    }

    /// A whole-number argument that must be set.
    pub fn integer(&self, i: usize) -> Result<i64, FunctionError> {
        self.opt_integer(i)?.ok_or_else(|| FunctionError::at(i, format!("{} must not be null", self.name(i))))
    }
}

/// A number as an i64 when it is a whole number that fits; large whole
/// numbers saturate (every limit a rule checks is far below them).
fn whole(n: &serde_json::Number) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    if n.as_u64().is_some() {
        return Some(i64::MAX);
    }
    let f = n.as_f64()?;
    if f.fract() != 0.0 || !f.is_finite() {
        return None;
    }
    // Whole, but beyond i64: saturate, as `as` does.
    #[allow(clippy::cast_possible_truncation)]
    Some(f as i64)
}

fn kind(v: &Dyn) -> &'static str {
    match v {
        Dyn::Null => "null",
        Dyn::Unknown => "unknown",
        Dyn::Bool(_) => "a bool",
        Dyn::Number(_) => "a number",
        Dyn::String(_) => "a string",
        Dyn::List(_) => "a list",
        Dyn::Map(_) => "an object",
    }
}

/// A function's declaration as the CLI reads it.
pub fn to_proto(f: &dyn Function) -> pb::Function {
    let sig = f.signature();
    pb::Function {
        parameters: sig.parameters.iter().map(Parameter::to_proto).collect(),
        variadic_parameter: sig.variadic.as_ref().map(Parameter::to_proto),
        r#return: Some(pb::function::Return { r#type: sig.returns.to_json().to_string().into_bytes() }),
        summary: f.summary().to_owned(),
        description: f.description().to_owned(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecation_message: String::new(),
    }
}

/// Answers a `CallFunction` request: finds the function, decodes each
/// argument against its parameter, calls, encodes the result. Every
/// failure is a `FunctionError` in the response; nothing here panics.
pub fn call(functions: &[Arc<dyn Function>], req: &pb::call_function::Request) -> pb::call_function::Response {
    match call_inner(functions, req) {
        Ok(result) => pb::call_function::Response { result: Some(result), error: None },
        Err(e) => pb::call_function::Response { result: None, error: Some(e.to_proto()) },
    }
}

fn call_inner(
    functions: &[Arc<dyn Function>],
    req: &pb::call_function::Request,
) -> Result<pb::DynamicValue, FunctionError> {
    let f = functions
        .iter()
        .find(|f| f.name() == req.name)
        .ok_or_else(|| FunctionError::new(format!("this provider has no function {:?}", req.name)))?;
    let sig = f.signature();
    let given = req.arguments.len();
    let wanted = sig.parameters.len();
    if given < wanted || (given > wanted && sig.variadic.is_none()) {
        return Err(FunctionError::new(format!(
            "{} takes {wanted} argument{}{}, not {given}",
            f.name(),
            if wanted == 1 { "" } else { "s" },
            if sig.variadic.is_some() { " or more" } else { "" }
        )));
    }
    let mut values = Vec::with_capacity(given);
    for (i, dv) in req.arguments.iter().enumerate() {
        let Some(param) = sig.parameters.get(i).or(sig.variadic.as_ref()) else { break };
        let v = decode(dv, &param.ty)
            .map_err(|e| FunctionError::at(i, format!("{} could not be read: {e}", param.name)))?;
        if v.is_null() && !param.allow_null {
            return Err(FunctionError::at(i, format!("{} must not be null", param.name)));
        }
        values.push(v);
    }
    // Unknown arguments (which the CLI keeps to itself) give an unknown result.
    let result = if values.iter().any(Dyn::has_unknown) { Dyn::Unknown } else { f.call(&Args::of(values, &sig))? };
    cty::to_msgpack(&result, &sig.returns).map(|msgpack| pb::DynamicValue { msgpack, json: Vec::new() }).map_err(|e| {
        FunctionError::new(format!("internal error: {} returned a value of the wrong type: {e}", f.name()))
    })
}

/// An argument as the wire carries it: msgpack or JSON, or nothing (null).
fn decode(dv: &pb::DynamicValue, ty: &Type) -> Result<Dyn, cty::CtyError> {
    if !dv.msgpack.is_empty() {
        cty::from_msgpack(&dv.msgpack, ty)
    } else if !dv.json.is_empty() {
        let j: serde_json::Value = serde_json::from_slice(&dv.json).map_err(|e| cty::CtyError::new(e.to_string()))?;
        cty::from_json(&j, ty)
    } else {
        Ok(Dyn::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `join(sep, parts...)`: a variadic function to drive the entry point.
    struct Join;

    impl Function for Join {
        fn name(&self) -> &'static str {
            "join"
        }
        fn summary(&self) -> &'static str {
            "joins"
        }
        fn description(&self) -> &'static str {
            "Joins parts."
        }
        fn signature(&self) -> Signature {
            Signature {
                parameters: vec![Parameter::new("separator", Type::String, "between parts")],
                variadic: Some(Parameter::new("part", Type::String, "a part")),
                returns: Type::String,
            }
        }
        fn call(&self, args: &Args) -> Result<Dyn, FunctionError> {
            let sep = args.string(0)?;
            let mut parts = Vec::new();
            for (i, _) in args.variadic() {
                let p = args.string(i)?;
                if p.is_empty() {
                    return Err(FunctionError::at(i, "a part must not be empty"));
                }
                parts.push(p);
            }
            Ok(Dyn::String(parts.join(sep)))
        }
    }

    fn mp(v: &Dyn, ty: &Type) -> pb::DynamicValue {
        pb::DynamicValue { msgpack: cty::to_msgpack(v, ty).unwrap(), json: Vec::new() }
    }

    fn req(name: &str, args: Vec<pb::DynamicValue>) -> pb::call_function::Request {
        pb::call_function::Request { name: name.to_owned(), arguments: args }
    }

    fn all() -> Vec<Arc<dyn Function>> {
        vec![Arc::new(Join)]
    }

    fn s(x: &str) -> pb::DynamicValue {
        mp(&Dyn::String(x.into()), &Type::String)
    }

    #[test]
    fn arguments_are_decoded_and_the_result_encoded() {
        let r = call(&all(), &req("join", vec![s("/"), s("a"), s("b")]));
        assert!(r.error.is_none(), "{:?}", r.error);
        let out = cty::from_msgpack(&r.result.unwrap().msgpack, &Type::String).unwrap();
        assert_eq!(out, Dyn::String("a/b".into()));
        // JSON arguments are read too; no variadic argument is fine.
        let json = pb::DynamicValue { msgpack: Vec::new(), json: br#""-""#.to_vec() };
        let r = call(&all(), &req("join", vec![json]));
        assert_eq!(cty::from_msgpack(&r.result.unwrap().msgpack, &Type::String).unwrap(), Dyn::String(String::new()));
    }

    #[test]
    fn errors_name_the_argument_at_fault() {
        let r = call(&all(), &req("join", vec![s("/"), s("a"), s("")]));
        let e = r.error.unwrap();
        assert_eq!((e.text.as_str(), e.function_argument), ("a part must not be empty", Some(2)));
        // A null where none is allowed, sent as no value at all (OpenTofu does).
        let r = call(&all(), &req("join", vec![pb::DynamicValue::default()]));
        let e = r.error.unwrap();
        assert_eq!((e.text.as_str(), e.function_argument), ("separator must not be null", Some(0)));
        let r = call(&all(), &req("join", vec![mp(&Dyn::Bool(true), &Type::Bool)]));
        assert_eq!(r.error.unwrap().function_argument, Some(0));
    }

    #[test]
    fn wrong_names_and_counts_are_errors() {
        assert!(call(&all(), &req("nope", vec![])).error.unwrap().text.contains("no function \"nope\""));
        let e = call(&all(), &req("join", vec![])).error.unwrap();
        assert_eq!(e.text, "join takes 1 argument or more, not 0");
        assert_eq!(e.function_argument, None);
    }

    #[test]
    fn unknown_arguments_give_an_unknown_result() {
        let r = call(&all(), &req("join", vec![s("/"), mp(&Dyn::Unknown, &Type::String)]));
        assert_eq!(cty::from_msgpack(&r.result.unwrap().msgpack, &Type::String).unwrap(), Dyn::Unknown);
    }

    #[test]
    fn numbers_must_be_whole() {
        let sig = Signature {
            parameters: vec![Parameter::new("n", Type::Number, "")],
            variadic: None,
            returns: Type::Number,
        };
        let a = Args::of(vec![Dyn::Number(serde_json::Number::from_f64(2.5).unwrap())], &sig);
        assert_eq!(a.integer(0).unwrap_err().text, "n = 2.5 must be a whole number");
        let a = Args::of(vec![Dyn::Number(serde_json::Number::from_f64(4096.0).unwrap())], &sig);
        assert_eq!(a.integer(0), Ok(4096));
        let a = Args::of(vec![Dyn::Number(u64::MAX.into())], &sig);
        assert_eq!(a.integer(0), Ok(i64::MAX));
        let a = Args::of(vec![Dyn::Null], &sig);
        assert_eq!(a.opt_integer(0), Ok(None));
    }

    #[test]
    fn declarations_carry_types_and_nullability() {
        let p = to_proto(&Join);
        assert_eq!(p.parameters[0].r#type, br#""string""#);
        assert!(!p.parameters[0].allow_null_value);
        assert_eq!(p.variadic_parameter.unwrap().name, "part");
        assert_eq!(p.r#return.unwrap().r#type, br#""string""#);
    }
}
