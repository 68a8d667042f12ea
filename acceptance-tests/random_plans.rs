//! Hostile configurations through validate and plan: random values for
//! every resource and data source schema — wrong types, out-of-range and
//! fractional numbers, unicode, huge strings, empty blocks, unknowns. Every
//! one must end in diagnostics (errors for wrong types), never a panic.
//!
//! In-process (the erased `validate` / `plan` with no provider
//! configured) for volume, then real `terraform plan` runs on generated HCL
//! for the whole path through the plugin protocol.
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use terraform_provider_vi::plugin::schema::{Block, Mode, Nesting};
use terraform_provider_vi::plugin::{AnyDataSource, AnyResource, Dyn, Type};
use terraform_provider_vi::shared::Meta;
use terraform_provider_vi::{data_sources, resources};

use crate::harness::terraform::{Tf, provider_block, text};
use crate::harness::vcsim::Vcsim;

/// Random configurations fed in-process; the count is part of the report.
const IN_PROCESS_CASES: u32 = 1500;
/// Real `terraform plan` runs, each on a file of several random blocks.
const PLAN_RUNS: u32 = 8;
const BLOCKS_PER_RUN: usize = 5;

fn interesting_string() -> BoxedStrategy<String> {
    prop_oneof![
        3 => Just(String::new()),
        4 => "[a-zA-Z0-9_ ./:-]{1,24}",
        4 => any::<String>(),
        2 => "\\PC{0,64}",
        1 => (1usize..120_000).prop_map(|n| "\u{1F600}ω".repeat(n / 6 + 1)),
        1 => (1usize..300_000).prop_map(|n| "x".repeat(n)),
        2 => prop::sample::select(vec![
            "vm-1", "datastore-9999", "[LocalDS_0] a/b.vmdk", "[] x", "[ds", "../../etc/passwd",
            "\u{0}", "\u{202e}evil", "e\u{301}", "${var.x}", "1h30m", "-5s", "99999999999h", "0s",
            "string(maxLength=3)", "int(1..0)", "enum['a']", "password", "ip:eth0", "efi", "bios",
            "vmx-99", "00:50:56:ff:ff:ff", "ff:ff:ff:ff:ff:ff", "on", "off", "suspended",
        ])
        .prop_map(str::to_owned),
    ]
    .boxed()
}

fn interesting_number() -> BoxedStrategy<serde_json::Number> {
    prop_oneof![
        4 => any::<i64>().prop_map(serde_json::Number::from),
        3 => (-3i64..70_000).prop_map(serde_json::Number::from),
        2 => prop::sample::select(vec![0i64, -1, 1, i64::MAX, i64::MIN, 4_194_304, 4_194_305, 64, 65, 255, 256])
            .prop_map(serde_json::Number::from),
        2 => any::<f64>().prop_filter_map("finite", serde_json::Number::from_f64),
        1 => prop::sample::select(vec![0.5f64, -0.0, 1e300, -1e300, 2.0f64.powi(63), 1e-300])
            .prop_filter_map("finite", serde_json::Number::from_f64),
    ]
    .boxed()
}

/// A value of type `ty`.
fn typed(ty: &Type, depth: u32) -> BoxedStrategy<Dyn> {
    match ty {
        Type::Bool => any::<bool>().prop_map(Dyn::Bool).boxed(),
        Type::Number => interesting_number().prop_map(Dyn::Number).boxed(),
        Type::String | Type::Dynamic => interesting_string().prop_map(Dyn::String).boxed(),
        Type::List(el) | Type::Set(el) => {
            if depth > 3 {
                Just(Dyn::List(Vec::new())).boxed()
            } else {
                prop::collection::vec(maybe(el, depth + 1), 0..4).prop_map(Dyn::List).boxed()
            }
        }
        Type::Map(el) => {
            if depth > 3 {
                Just(Dyn::Map(BTreeMap::new())).boxed()
            } else {
                prop::collection::btree_map(interesting_string(), maybe(el, depth + 1), 0..4).prop_map(Dyn::Map).boxed()
            }
        }
        Type::Object(attrs) => {
            let parts: Vec<BoxedStrategy<(String, Dyn)>> = attrs
                .iter()
                .map(|(k, t)| {
                    let k = k.clone();
                    maybe(t, depth + 1).prop_map(move |v| (k.clone(), v)).boxed()
                })
                .collect();
            parts.prop_map(|kv| Dyn::Map(kv.into_iter().collect())).boxed()
        }
    }
}

/// Null, unknown, or a value of type `ty`.
fn maybe(ty: &Type, depth: u32) -> BoxedStrategy<Dyn> {
    prop_oneof![2 => Just(Dyn::Null), 1 => Just(Dyn::Unknown), 5 => typed(ty, depth)].boxed()
}

/// A value that is certainly not of type `ty` (cty would refuse it).
fn mistyped(ty: &Type) -> BoxedStrategy<Dyn> {
    let s = interesting_string().prop_map(Dyn::String);
    let n = interesting_number().prop_map(Dyn::Number);
    let b = any::<bool>().prop_map(Dyn::Bool);
    let list = prop::collection::vec(interesting_number().prop_map(Dyn::Number), 1..3).prop_map(Dyn::List);
    let map = prop::collection::btree_map("[a-z]{1,4}", Just(Dyn::Bool(true)), 1..3).prop_map(Dyn::Map);
    match ty {
        Type::String | Type::Dynamic => prop_oneof![list, map].boxed(),
        Type::Number => prop_oneof![s.prop_filter("not numeric", |v| !is_numeric(v)), b, list, map].boxed(),
        Type::Bool => prop_oneof![n, list, map].boxed(),
        Type::List(_) | Type::Set(_) => prop_oneof![s, n, b].boxed(),
        Type::Map(_) | Type::Object(_) => prop_oneof![s, n, b].boxed(),
    }
}

fn is_numeric(v: &Dyn) -> bool {
    matches!(v, Dyn::String(s) if s.trim().parse::<f64>().is_ok())
}

/// A random object for `block`; true when some attribute is mistyped.
fn object(block: &Block, depth: u32) -> BoxedStrategy<(Dyn, bool)> {
    let mut parts: Vec<BoxedStrategy<(String, Dyn, bool)>> = Vec::new();
    for a in &block.attributes {
        let name = a.name.clone();
        let ty = a.ty.clone();
        parts.push(
            prop_oneof![
                8 => maybe(&ty, depth).prop_map(|v| (v, false)),
                1 => mistyped(&ty).prop_map(|v| (v, true)),
            ]
            .prop_map(move |(v, bad)| (name.clone(), v, bad))
            .boxed(),
        );
    }
    for b in &block.blocks {
        let name = b.type_name.clone();
        let item = if depth > 2 { Just((Dyn::Null, false)).boxed() } else { object(&b.block, depth + 1) };
        let strat = match b.nesting {
            Nesting::Single => prop_oneof![
                2 => Just((Dyn::Null, false)),
                3 => item,
                1 => Just((Dyn::List(Vec::new()), true)),
            ]
            .boxed(),
            Nesting::List | Nesting::Set => prop_oneof![
                1 => Just((Dyn::Null, false)),
                5 => prop::collection::vec(item, 0..4).prop_map(|items| {
                    let bad = items.iter().any(|(_, b)| *b);
                    (Dyn::List(items.into_iter().map(|(v, _)| v).collect()), bad)
                }),
                1 => Just((Dyn::String("not a block".into()), true)),
            ]
            .boxed(),
        };
        parts.push(strat.prop_map(move |(v, bad)| (name.clone(), v, bad)).boxed());
    }
    parts
        .prop_map(|kvs| {
            let bad = kvs.iter().any(|(_, _, b)| *b);
            (Dyn::Map(kvs.into_iter().map(|(k, v, _)| (k, v)).collect()), bad)
        })
        .boxed()
}

enum Target {
    Resource(std::sync::Arc<dyn AnyResource<Meta>>),
    Data(std::sync::Arc<dyn AnyDataSource<Meta>>),
}

impl Target {
    fn all() -> Vec<Target> {
        let mut v: Vec<Target> = resources::all().into_iter().map(Target::Resource).collect();
        v.extend(data_sources::all().into_iter().map(Target::Data));
        v
    }

    fn name(&self) -> &'static str {
        match self {
            Target::Resource(r) => r.type_name(),
            Target::Data(d) => d.type_name(),
        }
    }

    fn block(&self) -> Block {
        match self {
            Target::Resource(r) => r.schema().block,
            Target::Data(d) => d.schema().block,
        }
    }
}

#[test]
fn random_configurations_end_in_diagnostics_never_a_panic() {
    let targets = Target::all();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let strategies: Vec<BoxedStrategy<(Dyn, bool)>> = targets.iter().map(|t| object(&t.block(), 0)).collect();
    let case = (0..targets.len()).prop_flat_map(move |i| {
        let s = strategies[i].clone();
        (Just(i), s.clone(), prop::option::of(s))
    });
    let mut runner =
        TestRunner::new(Config { cases: IN_PROCESS_CASES, failure_persistence: None, ..Config::default() });
    let runs = AtomicUsize::new(0);
    let errors = AtomicUsize::new(0);
    let result = runner.run(&case, |(i, (config, bad), prior)| {
        runs.fetch_add(1, Ordering::Relaxed);
        let target = &targets[i];
        let mut any_error = false;
        match target {
            Target::Resource(r) => {
                any_error |= r.validate(&config).has_errors();
                // Create, then update from a (random) prior state.
                for prior in [Dyn::Null, prior.map(|(p, _)| p).unwrap_or(Dyn::Null)] {
                    match rt.block_on(r.plan(None, &prior, &config, &config)) {
                        Ok((_, _, d)) => any_error |= d.has_errors(),
                        Err(d) => {
                            prop_assert!(d.has_errors(), "{}: a failed plan carries no error", target.name());
                            any_error = true;
                        }
                    }
                }
            }
            Target::Data(d) => any_error |= d.validate(&config).has_errors(),
        }
        if any_error {
            errors.fetch_add(1, Ordering::Relaxed);
        }
        if bad && !any_error {
            return Err(TestCaseError::fail(format!("{}: a mistyped configuration passed: {config:?}", target.name())));
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    eprintln!(
        "random configurations: {} generated in-process over {} types, {} ended in errors, none panicked",
        runs.load(Ordering::Relaxed),
        targets.len(),
        errors.load(Ordering::Relaxed)
    );
}

// ------------------------------------------------------------ real plans

/// `value` as an HCL expression; unknowns become `timestamp()`, a value
/// Terraform knows only at apply.
fn hcl(value: &Dyn) -> String {
    match value {
        Dyn::Null => "null".into(),
        Dyn::Unknown => "timestamp()".into(),
        Dyn::Bool(b) => b.to_string(),
        Dyn::Number(n) => n.to_string(),
        Dyn::String(s) => hcl_string(s),
        Dyn::List(items) => format!("[{}]", items.iter().map(hcl).collect::<Vec<_>>().join(", ")),
        Dyn::Map(m) => {
            format!(
                "{{ {} }}",
                m.iter().map(|(k, v)| format!("{} = {}", hcl_string(k), hcl(v))).collect::<Vec<_>>().join(", ")
            )
        }
    }
}

fn hcl_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32 & 0xffff)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The body of a block for `block`, from a random object: computed-only
/// attributes and nulls left out (Terraform refuses the former), nested
/// blocks written as blocks.
fn body(block: &Block, value: &Dyn, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for a in &block.attributes {
        if a.mode == Mode::Computed {
            continue;
        }
        match value.attr(&a.name) {
            Some(Dyn::Null) | None => {}
            Some(v) => out.push_str(&format!("{pad}{} = {}\n", a.name, hcl(v))),
        }
    }
    for b in &block.blocks {
        let items: Vec<&Dyn> = match value.attr(&b.type_name) {
            Some(Dyn::List(items)) => items.iter().collect(),
            Some(v @ Dyn::Map(_)) => vec![v],
            _ => Vec::new(),
        };
        for item in items {
            out.push_str(&format!("{pad}{} {{\n{}{pad}}}\n", b.type_name, body(&b.block, item, indent + 2)));
        }
    }
    out
}

#[test]
fn random_configurations_through_terraform_plan() {
    let sim = Vcsim::start(&[]);
    let targets = Target::all();
    let strategies: Vec<BoxedStrategy<(Dyn, bool)>> = targets.iter().map(|t| object(&t.block(), 0)).collect();
    let pick = (0..targets.len()).prop_flat_map(move |i| (Just(i), strategies[i].clone()));
    let file = prop::collection::vec(pick, BLOCKS_PER_RUN);
    let mut runner = TestRunner::new(Config { cases: PLAN_RUNS, failure_persistence: None, ..Config::default() });

    let tf = Tf::new(&provider_block(&sim.sdk_url(), ""));
    tf.init();
    let mut blocks = 0usize;
    let mut failed_plans = 0usize;
    for _ in 0..PLAN_RUNS {
        let tree = file.new_tree(&mut runner).expect("generate a configuration");
        let mut main = provider_block(&sim.sdk_url(), "");
        for (n, (i, (value, _))) in tree.current().into_iter().enumerate() {
            let t = &targets[i];
            let kind = if matches!(t, Target::Resource(_)) { "resource" } else { "data" };
            main.push_str(&format!("\n{kind} \"{}\" \"r{n}\" {{\n{}}}\n", t.name(), body(&t.block(), &value, 2)));
            blocks += 1;
        }
        tf.write_main(&main);
        let out = tf.run(&["plan", "-no-color", "-input=false"]);
        let all = text(&out);
        let code = out.status.code();
        assert!(matches!(code, Some(0) | Some(1)), "plan exited with {code:?}:\n{all}\n--- main.tf:\n{main}");
        for crash in ["panic", "Plugin did not respond", "plugin exited", "rpc error", "crashed"] {
            assert!(!all.contains(crash), "`{crash}` in the plan output:\n{all}\n--- main.tf:\n{main}");
        }
        if code == Some(1) {
            failed_plans += 1;
            assert!(all.contains("Error"), "a failed plan without a diagnostic:\n{all}");
        }
    }
    eprintln!(
        "random configurations: {PLAN_RUNS} terraform plan runs over {blocks} generated blocks, {failed_plans} ended in diagnostics, none crashed"
    );
}
