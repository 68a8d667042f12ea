//! The property-type checks of a descriptor, as typed findings. Their
//! severity is the caller's: `data "vi_ovf"` reports a type vSphere cannot
//! take as an error and a default that does not fit as a warning (vendors
//! ship such placeholders, and they should stay readable);
//! `vi_catalog_item` refuses the first at plan (vCenter would refuse the
//! upload later) and lets the second through.
use super::convert::vsphere_value;
use crate::ovf::{OvfDescriptor, ProductSection};
use crate::rules::vapp_error::ValueField;
use crate::rules::vapp_type::parse_type;
use crate::rules::vapp_value::check_value;

/// What is wrong with one property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A type vSphere's grammar does not take (or qualifiers that cannot be
    /// read).
    UnsupportedType(String),
    /// A default value outside its type. The message never holds the value
    /// of a secret.
    DefaultDoesNotFit(String),
}

/// A problem and where it is: `property "k" of virtual system "vm"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyProblem {
    pub place: String,
    pub problem: Problem,
}

/// Every property problem, the vApp's properties first, in document order.
pub fn property_problems(d: &OvfDescriptor) -> Vec<PropertyProblem> {
    let mut out = Vec::new();
    for c in &d.collections {
        check(&format!("vApp {:?}", c.id), &c.products, &mut out);
    }
    for v in &d.virtual_systems {
        check(&format!("virtual system {:?}", v.id), &v.products, &mut out);
    }
    out
}

fn check(owner: &str, products: &[ProductSection], out: &mut Vec<PropertyProblem>) {
    for p in products.iter().flat_map(|s| &s.properties) {
        let place = format!("property {:?} of {owner}", p.full_key());
        let found = match p.vsphere_type() {
            Err(e) => Some(Problem::UnsupportedType(e.to_string())),
            Ok(t) => match parse_type(&t) {
                Err(e) => Some(Problem::UnsupportedType(e.to_string())),
                // Empty means no default, as in vSphere.
                Ok(ty) => p.default_value.as_deref().filter(|d| !d.is_empty()).and_then(|d| {
                    check_value(&ty, &vsphere_value(&ty, d))
                        .err()
                        .map(|e| Problem::DefaultDoesNotFit(e.at(ValueField::DefaultValue).to_string()))
                }),
            },
        };
        out.extend(found.map(|problem| PropertyProblem { place: place.clone(), problem }));
    }
}
