//! Write-only attributes (protocol 5.8: Terraform 1.11+, OpenTofu 1.11+).
//!
//! The CLI sends a write-only value in the configuration only, and a
//! provider must answer null for it in every planned and new state. The
//! resources need not know: the erased resource hands them the value from
//! the configuration (at plan and at apply) as if it were any attribute, and
//! nulls it in whatever goes back. A CLI that does not say it supports
//! write-only attributes (Terraform 1.0 sends no client capabilities) would
//! keep the value in plan and state, or reject the null planned for it; its
//! validation is refused, pointing at the stored form.
use super::cty::Dyn;
use super::diag::{AttrPath, Diags};
use super::schema::{Block, Nesting};

/// Whether any attribute of `block`, or of a block inside it, is write-only.
pub fn any(block: &Block) -> bool {
    block.attributes.iter().any(|a| a.write_only) || block.blocks.iter().any(|b| any(&b.block))
}

/// The paths of the write-only attributes `v` holds a value for.
pub fn set_paths(block: &Block, v: &Dyn) -> Vec<AttrPath> {
    let mut out = Vec::new();
    walk(block, v, &AttrPath::root(), &mut out);
    out
}

fn walk(block: &Block, v: &Dyn, base: &AttrPath, out: &mut Vec<AttrPath>) {
    for a in block.attributes.iter().filter(|a| a.write_only) {
        if v.attr(&a.name).is_some_and(|x| !x.is_null()) {
            out.push(base.clone().then(a.name.clone()));
        }
    }
    for b in &block.blocks {
        let at = base.clone().then(b.type_name.clone());
        match v.attr(&b.type_name) {
            Some(Dyn::List(items)) => {
                for (i, item) in items.iter().enumerate() {
                    walk(&b.block, item, &at.clone().index(i), out);
                }
            }
            Some(m @ Dyn::Map(_)) => walk(&b.block, m, &at, out),
            _ => {}
        }
    }
}

/// Sets every write-only attribute in `v` to null.
pub fn null_out(block: &Block, v: &mut Dyn) {
    for a in block.attributes.iter().filter(|a| a.write_only) {
        if let Some(x) = v.attr_mut(&a.name) {
            *x = Dyn::Null;
        }
    }
    for b in &block.blocks {
        match v.attr_mut(&b.type_name) {
            Some(Dyn::List(items)) => items.iter_mut().for_each(|i| null_out(&b.block, i)),
            Some(m @ Dyn::Map(_)) => null_out(&b.block, m),
            _ => {}
        }
    }
}

/// Copies the write-only values of `config` into `v` (a proposed or
/// planned state, where the CLI left them null). Single and list blocks
/// match the configuration's element by element; set blocks cannot hold
/// write-only attributes (their elements have no stable position).
pub fn take_from_config(block: &Block, v: &mut Dyn, config: &Dyn) {
    for a in block.attributes.iter().filter(|a| a.write_only) {
        if let (Some(slot), Some(given)) = (v.attr_mut(&a.name), config.attr(&a.name)) {
            *slot = given.clone();
        }
    }
    for b in block.blocks.iter().filter(|b| any(&b.block)) {
        let (Some(slot), Some(given)) = (v.attr_mut(&b.type_name), config.attr(&b.type_name)) else { continue };
        match (b.nesting, slot, given) {
            (Nesting::List, Dyn::List(items), Dyn::List(given)) => {
                for (item, g) in items.iter_mut().zip(given) {
                    take_from_config(&b.block, item, g);
                }
            }
            (Nesting::Single, m @ Dyn::Map(_), g) => take_from_config(&b.block, m, g),
            _ => {}
        }
    }
}

/// Errors for a CLI that cannot keep write-only values out of plans and
/// state, one per write-only attribute `config` sets.
pub fn unsupported(block: &Block, config: &Dyn) -> Diags {
    let mut d = Diags::none();
    for path in set_paths(block, config) {
        let name = path.to_string();
        let stored =
            name.strip_suffix("_wo").map(|s| format!(" Use `{s}` instead: it is stored in state, marked sensitive."));
        d.push(Diags::error_at(
            path,
            "Write-only attribute not supported by this CLI",
            format!(
                "`{name}` is write-only: its value goes to vSphere but never into a plan or the state. That needs \
                 Terraform 1.11 or later, or OpenTofu 1.11 or later, and this CLI does not support write-only \
                 attributes.{}",
                stored.unwrap_or_default()
            ),
        ));
    }
    d
}

/// Whether a write-only attribute sits in a set block, where its value
/// could not be matched to the configuration's; a schema mistake.
pub fn in_set_block(block: &Block) -> Option<String> {
    for b in &block.blocks {
        if b.nesting == Nesting::Set && any(&b.block) {
            return Some(b.type_name.clone());
        }
        if let Some(inner) = in_set_block(&b.block) {
            return Some(format!("{}.{inner}", b.type_name));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::plugin::cty::Type;
    use crate::plugin::schema::{Attribute, NestedBlock};

    fn block() -> Block {
        Block::new("")
            .attr(Attribute::optional("secret_wo", Type::String, "").write_only())
            .attr(Attribute::optional("secret_wo_version", Type::Number, ""))
            .block(NestedBlock::list(
                "item",
                Block::new("").attr(Attribute::optional("pw_wo", Type::String, "").write_only()),
            ))
            .block(NestedBlock::single("plain", Block::new("").attr(Attribute::optional("x", Type::String, ""))))
    }

    fn obj(pairs: &[(&str, Dyn)]) -> Dyn {
        Dyn::Map(pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect::<BTreeMap<_, _>>())
    }

    fn config() -> Dyn {
        obj(&[
            ("secret_wo", "s3cret".into()),
            ("secret_wo_version", 1i64.into()),
            ("item", Dyn::List(vec![obj(&[("pw_wo", Dyn::Null)]), obj(&[("pw_wo", "p2".into())])])),
            ("plain", obj(&[("x", "y".into())])),
        ])
    }

    #[test]
    fn values_are_found_nulled_and_taken_back_from_the_configuration() {
        let b = block();
        let paths: Vec<String> = set_paths(&b, &config()).iter().map(ToString::to_string).collect();
        assert_eq!(paths, ["secret_wo", "item[1].pw_wo"]);
        let mut v = config();
        null_out(&b, &mut v);
        assert!(set_paths(&b, &v).is_empty());
        assert_eq!(v.attr("secret_wo_version"), Some(&Dyn::from(1i64)), "only write-only attributes are nulled");
        take_from_config(&b, &mut v, &config());
        assert_eq!(v, config());
    }

    #[test]
    fn a_cli_without_write_only_support_is_pointed_at_the_stored_form() {
        let d = unsupported(&block(), &config());
        assert_eq!(d.0.len(), 2);
        assert_eq!(d.0[0].path.as_ref().map(ToString::to_string).as_deref(), Some("secret_wo"));
        assert!(d.0[0].detail.contains("Use `secret` instead"), "{}", d.0[0].detail);
        assert!(!format!("{d:?}").contains("s3cret"), "the value is never repeated");
    }

    #[test]
    fn set_blocks_cannot_hold_write_only_attributes() {
        assert_eq!(in_set_block(&block()), None);
        let bad = Block::new("").block(NestedBlock::set(
            "s",
            Block::new("").attr(Attribute::optional("pw_wo", Type::String, "").write_only()),
        ));
        assert_eq!(in_set_block(&bad).as_deref(), Some("s"));
        assert!(any(&bad) && !any(&Block::new("")));
    }
}
