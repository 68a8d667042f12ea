//! The schema of `data "vi_ovf"`: the file read, the package's name and
//! the shared OVF facts.
use crate::plugin::{Attribute as A, Block, Schema, Type};
use crate::shared::ovf_facts::schema::with_fact_attributes;

pub fn schema() -> Schema {
    Schema::new(with_fact_attributes(
        Block::new(
            "What a local OVF descriptor (`.ovf`) or OVA package (`.ova`) holds and asks for, read without \
             contacting vSphere: virtual systems and their hardware, networks, disks, files, deployment options, \
             vApp properties (types checked: a type vSphere cannot take is an error, a default value that does \
             not fit its type a warning), OVF environment transports, vService dependencies and virtual TPMs.",
        )
        .attr(A::required(
            "path",
            Type::String,
            "Local `.ovf` or `.ova` file. Which one it is is told by content, not by name.",
        ))
        .attr(A::computed(
            "name",
            Type::String,
            "The package's name: the vApp's (`VirtualSystemCollection`) name or id, else the first virtual system's \
             name or id.",
        )),
    ))
}
