//! A parsed descriptor as the data source's state, with each vApp property
//! checked by the vApp property rules on the way.
//!
//! Severity: a property type vSphere cannot take (qualifiers that cannot be
//! read, a type outside the vApp grammar) is an error — vSphere would refuse
//! the package, and nothing downstream could use the property. A default
//! value that does not fit its type is a warning: vendors ship such
//! packages (placeholders, defaults meant to be overridden at deploy time),
//! and they should stay readable.
use super::state::State;
use crate::ovf::OvfDescriptor;
use crate::plugin::{AttrPath, Diags};
use crate::shared::ovf_facts::OvfFacts;
use crate::shared::ovf_facts::checks::{Problem, property_problems};
use crate::shared::ovf_facts::convert::package_name;

/// The state for `desc` read from `path`, and what the property checks
/// found (errors and warnings, on `path`).
pub fn to_state(path: &str, desc: &OvfDescriptor) -> (State, Diags) {
    let mut diags = Diags::none();
    for found in property_problems(desc) {
        let at = AttrPath::attr("path");
        diags.push(match found.problem {
            Problem::UnsupportedType(e) => {
                Diags::error_at(at, "Invalid vApp property type in the OVF descriptor", format!("{}: {e}", found.place))
            }
            Problem::DefaultDoesNotFit(e) => {
                Diags::warning_at(at, "vApp property default does not fit its type", format!("{}: {e}", found.place))
            }
        });
    }
    (State::new(path, package_name(desc), OvfFacts::of(desc)), diags)
}

#[cfg(test)]
mod tests;
