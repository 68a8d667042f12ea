//! Renders a schema as the "Schema" section of a registry-layout docs page,
//! and a function's signature as the "Signature", "Arguments" and "Return
//! Type" sections of its page (the shapes tfplugindocs writes), so a test
//! can keep `docs/` in step with the schemas and signatures.
use std::fmt::Write as _;

use super::cty::Type;
use super::function::{Function, Parameter};
use super::schema::{Attribute, Block, Mode, Nesting, Schema};

/// Marks the generated part of a docs page.
pub const BEGIN: &str = "<!-- schema generated from the provider; edit the descriptions in the code -->";
pub const END: &str = "<!-- end of generated schema -->";

pub fn render(schema: &Schema) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Schema");
    render_block(&mut out, &schema.block, "");
    out
}

fn render_block(out: &mut String, block: &Block, anchor: &str) {
    type Pick = fn(&Attribute) -> bool;
    let groups: [(&str, Pick); 3] = [
        ("Required", |a| a.mode == Mode::Required),
        ("Optional", |a| matches!(a.mode, Mode::Optional | Mode::OptionalComputed)),
        ("Read-Only", |a| a.mode == Mode::Computed),
    ];
    for (title, pick) in groups {
        let attrs: Vec<&Attribute> = block.attributes.iter().filter(|a| pick(a)).collect();
        let blocks: Vec<_> = if title == "Optional" { block.blocks.iter().collect() } else { Vec::new() };
        if attrs.is_empty() && blocks.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n### {title}\n");
        let mut lines: Vec<(String, String)> = attrs
            .iter()
            .map(|a| {
                let mut flags = Vec::new();
                if a.sensitive {
                    flags.push("Sensitive");
                }
                if a.write_only {
                    flags.push("Write-only");
                }
                if a.force_new {
                    flags.push("Forces replacement");
                }
                let flags = if flags.is_empty() { String::new() } else { format!(", {}", flags.join(", ")) };
                let default = match &a.default {
                    Some(super::cty::Dyn::String(s)) if s.is_empty() => " Defaults to the empty string.".to_owned(),
                    Some(super::cty::Dyn::String(s)) => format!(" Defaults to `{s}`."),
                    Some(d) => format!(" Defaults to `{}`.", super::cty::to_json(d)),
                    None => String::new(),
                };
                (
                    a.name.clone(),
                    format!("- `{}` ({}{flags}) {}{default}", a.name, type_name(&a.ty), one_line(&a.description)),
                )
            })
            .collect();
        for b in &blocks {
            let kind = match b.nesting {
                Nesting::Single => "Block",
                Nesting::List => "Block List",
                Nesting::Set => "Block Set",
            };
            let max = if b.max_items > 0 { format!(", Max: {}", b.max_items) } else { String::new() };
            lines.push((
                b.type_name.clone(),
                format!(
                    "- `{}` ({kind}{max}) {} (see [below for nested schema](#nestedblock--{anchor}{}))",
                    b.type_name,
                    one_line(&b.block.description),
                    b.type_name
                ),
            ));
        }
        lines.sort();
        for (_, l) in lines {
            let _ = writeln!(out, "{}", l.trim_end());
        }
    }
    for b in &block.blocks {
        let _ = writeln!(out, "\n<a id=\"nestedblock--{anchor}{}\"></a>", b.type_name);
        let _ = writeln!(out, "### Nested Schema for `{}{}`", anchor.replace("--", "."), b.type_name);
        render_block(out, &b.block, &format!("{anchor}{}--", b.type_name));
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn type_name(t: &Type) -> String {
    match t {
        Type::Bool => "Boolean".into(),
        Type::Number => "Number".into(),
        Type::String => "String".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(e) => format!("List of {}", type_name(e)),
        Type::Set(e) => format!("Set of {}", type_name(e)),
        Type::Map(e) => format!("Map of {}", type_name(e)),
        Type::Object(_) => "Object".into(),
    }
}

/// Replaces the generated section of `page` with `render(schema)`; None
/// when the page has no markers.
pub fn splice(page: &str, schema: &Schema) -> Option<String> {
    splice_between(page, BEGIN, &render(schema))
}

fn splice_between(page: &str, begin: &str, fresh: &str) -> Option<String> {
    let start = page.find(begin)?;
    let end = page[start..].find(END)? + start;
    Some(format!("{}{begin}\n{fresh}{}", &page[..start], &page[end..]))
}

/// Marks the generated part of a function's page.
pub const FUNCTION_BEGIN: &str = "<!-- signature generated from the provider; edit the descriptions in the code -->";

/// The signature, arguments and return type of a function, in markdown.
pub fn render_function(f: &dyn Function) -> String {
    let sig = f.signature();
    let mut params: Vec<String> = sig.parameters.iter().map(|p| format!("{} {}", p.name, hcl_type(&p.ty))).collect();
    if let Some(v) = &sig.variadic {
        params.push(format!("{} ...{}", v.name, hcl_type(&v.ty)));
    }
    let mut out = String::new();
    let _ =
        writeln!(out, "## Signature\n\n```text\n{}({}) {}\n```", f.name(), params.join(", "), hcl_type(&sig.returns));
    let _ = writeln!(out, "\n## Arguments\n");
    if sig.parameters.is_empty() && sig.variadic.is_none() {
        let _ = writeln!(out, "None.");
    }
    let argument = |p: &Parameter, variadic: bool| {
        let mut flags = vec![type_name(&p.ty)];
        if variadic {
            flags.insert(0, "Variadic".to_owned());
        }
        if p.allow_null {
            flags.push("Nullable".to_owned());
        }
        format!("1. `{}` ({}) {}", p.name, flags.join(", "), one_line(p.description))
    };
    for p in &sig.parameters {
        let _ = writeln!(out, "{}", argument(p, false));
    }
    if let Some(v) = &sig.variadic {
        let _ = writeln!(out, "{}", argument(v, true));
    }
    let _ = writeln!(out, "\n## Return Type\n\n```text\n{}\n```", hcl_type_long(&sig.returns));
    out
}

/// Replaces the generated section of a function's page; None when the page
/// has no markers.
pub fn splice_function(page: &str, f: &dyn Function) -> Option<String> {
    splice_between(page, FUNCTION_BEGIN, &render_function(f))
}

/// A type as HCL writes a type constraint, objects abbreviated.
fn hcl_type(t: &Type) -> String {
    match t {
        Type::Object(_) => "object".into(),
        other => hcl_type_long(other),
    }
}

/// A type as HCL writes a type constraint, objects with their attributes.
fn hcl_type_long(t: &Type) -> String {
    match t {
        Type::Bool => "bool".into(),
        Type::Number => "number".into(),
        Type::String => "string".into(),
        Type::Dynamic => "any".into(),
        Type::List(e) => format!("list({})", hcl_type_long(e)),
        Type::Set(e) => format!("set({})", hcl_type_long(e)),
        Type::Map(e) => format!("map({})", hcl_type_long(e)),
        Type::Object(attrs) => {
            let lines: Vec<String> = attrs.iter().map(|(k, v)| format!("  {k} = {}", hcl_type_long(v))).collect();
            format!("object({{\n{}\n}})", lines.join("\n"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::schema::NestedBlock;

    #[test]
    fn groups_attributes_and_documents_nested_blocks() {
        let s = Schema::new(
            Block::new("x")
                .attr(Attribute::required("name", Type::String, "The name."))
                .attr(Attribute::optional("tags", Type::map(Type::String), "Tags.").force_new())
                .attr(Attribute::optional("password", Type::String, "Secret.").sensitive())
                .attr(Attribute::optional("password_wo", Type::String, "Secret, never stored.").write_only())
                .attr(Attribute::computed("id", Type::String, "Id."))
                .attr(Attribute::optional("note", Type::String, "A note.").default(""))
                .block(NestedBlock::list(
                    "disk",
                    Block::new("A disk.").attr(Attribute::required("size", Type::Number, "GB.")),
                )),
        );
        let md = render(&s);
        assert!(md.contains("### Required\n\n- `name` (String) The name."), "{md}");
        assert!(md.contains("- `tags` (Map of String, Forces replacement) Tags."), "{md}");
        assert!(md.contains("- `password` (String, Sensitive) Secret."), "{md}");
        assert!(md.contains("- `password_wo` (String, Sensitive, Write-only) Secret, never stored."), "{md}");
        assert!(md.contains("### Read-Only\n\n- `id` (String) Id."), "{md}");
        assert!(md.contains("- `note` (String) A note. Defaults to the empty string."), "{md}");
        assert!(md.contains("### Nested Schema for `disk`"), "{md}");
        assert!(md.contains("- `size` (Number) GB."), "{md}");
    }

    #[test]
    fn functions_render_signature_arguments_and_return_type() {
        use crate::plugin::cty::Dyn;
        use crate::plugin::function::{Args, FunctionError, Signature};
        struct Build;
        impl Function for Build {
            fn name(&self) -> &'static str {
                "path_build"
            }
            fn summary(&self) -> &'static str {
                "Builds."
            }
            fn description(&self) -> &'static str {
                "Builds a path."
            }
            fn signature(&self) -> Signature {
                Signature {
                    parameters: vec![Parameter::new("root", Type::String, "The root.").nullable()],
                    variadic: Some(Parameter::new("part", Type::String, "A part.")),
                    returns: Type::Object([("path".to_owned(), Type::String)].into_iter().collect()),
                }
            }
            fn call(&self, _: &Args) -> Result<Dyn, FunctionError> {
                Ok(Dyn::Null)
            }
        }
        let md = render_function(&Build);
        assert!(md.contains("```text\npath_build(root string, part ...string) object\n```"), "{md}");
        assert!(md.contains("1. `root` (String, Nullable) The root.\n1. `part` (Variadic, String) A part."), "{md}");
        assert!(md.contains("## Return Type\n\n```text\nobject({\n  path = string\n})\n```"), "{md}");
        let page = format!("# function: path_build\n\n{FUNCTION_BEGIN}\nold\n{END}\n");
        assert!(splice_function(&page, &Build).unwrap().contains("(Variadic, String)"));
    }

    #[test]
    fn splice_replaces_only_the_marked_part() {
        let s = Schema::new(Block::new("x").attr(Attribute::required("a", Type::String, "A.")));
        let page = format!("# Title\n\nintro\n\n{BEGIN}\nold\n{END}\n\nfooter\n");
        let new = splice(&page, &s).unwrap();
        assert!(new.starts_with("# Title\n\nintro\n\n"));
        assert!(new.contains("- `a` (String) A.\n"));
        assert!(!new.contains("old"));
        assert!(new.ends_with(&format!("{END}\n\nfooter\n")));
        assert!(splice("no markers", &s).is_none());
    }
}
