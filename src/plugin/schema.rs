//! Schema builder: attributes and nested blocks with markdown descriptions.
use std::collections::BTreeMap;

use super::cty::{Dyn, Type};
use super::proto::tfplugin5 as pb;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Required,
    Optional,
    Computed,
    /// Optional, and computed by the provider when not set.
    OptionalComputed,
}

#[derive(Debug, Clone)]
pub struct Attribute {
    pub name: String,
    pub ty: Type,
    pub description: String,
    pub mode: Mode,
    pub sensitive: bool,
    /// A change plans a replacement instead of an update.
    pub force_new: bool,
    pub deprecated: bool,
    /// Taken from the configuration only, never kept in a plan or state
    /// (protocol 5.8); see `plugin::write_only`.
    pub write_only: bool,
    /// Planned when the configuration leaves the attribute null (the
    /// attribute is then optional and computed on the wire).
    pub default: Option<Dyn>,
}

impl Attribute {
    fn new(name: &str, ty: Type, mode: Mode, description: &str) -> Self {
        Attribute {
            name: name.to_owned(),
            ty,
            description: description.to_owned(),
            mode,
            sensitive: false,
            force_new: false,
            deprecated: false,
            write_only: false,
            default: None,
        }
    }
    pub fn required(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, ty, Mode::Required, description)
    }
    pub fn optional(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, ty, Mode::Optional, description)
    }
    pub fn computed(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, ty, Mode::Computed, description)
    }
    pub fn optional_computed(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, ty, Mode::OptionalComputed, description)
    }
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    pub fn force_new(mut self) -> Self {
        self.force_new = true;
        self
    }
    /// Write-only (and sensitive): the CLI hands the value over from the
    /// configuration and keeps it out of plans and state. Only for
    /// optional attributes of resources, outside set blocks.
    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self.sensitive = true;
        self
    }
    /// A default value; makes the attribute optional and computed.
    pub fn default(mut self, v: impl Into<Dyn>) -> Self {
        self.default = Some(v.into());
        self.mode = Mode::OptionalComputed;
        self
    }
    pub fn is_computed(&self) -> bool {
        matches!(self.mode, Mode::Computed | Mode::OptionalComputed)
    }

    fn to_proto(&self) -> pb::schema::Attribute {
        pb::schema::Attribute {
            name: self.name.clone(),
            r#type: self.ty.to_json().to_string().into_bytes(),
            description: self.description.clone(),
            required: self.mode == Mode::Required,
            optional: matches!(self.mode, Mode::Optional | Mode::OptionalComputed),
            computed: self.is_computed(),
            sensitive: self.sensitive,
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: self.deprecated,
            write_only: self.write_only,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// At most one block, seen as an object (null when absent).
    Single,
    List,
    Set,
}

#[derive(Debug, Clone)]
pub struct NestedBlock {
    pub type_name: String,
    pub block: Block,
    pub nesting: Nesting,
    pub min_items: i64,
    pub max_items: i64,
    pub force_new: bool,
    /// With `force_new`: a block the prior state lacks, on an object whose
    /// state says `imported = true` (creation-time settings vSphere does not
    /// keep), is adopted from the configuration instead of forcing a new one.
    pub adopt_on_import: bool,
    /// Inside a `force_new` block: settings used only when the object is
    /// deployed, whose later change forces nothing (the resource says what
    /// it does instead).
    pub deployment_only: bool,
}

impl NestedBlock {
    pub fn list(type_name: &str, block: Block) -> Self {
        NestedBlock {
            type_name: type_name.to_owned(),
            block,
            nesting: Nesting::List,
            min_items: 0,
            max_items: 0,
            force_new: false,
            adopt_on_import: false,
            deployment_only: false,
        }
    }
    pub fn set(type_name: &str, block: Block) -> Self {
        NestedBlock { nesting: Nesting::Set, ..Self::list(type_name, block) }
    }
    pub fn single(type_name: &str, block: Block) -> Self {
        NestedBlock { nesting: Nesting::Single, ..Self::list(type_name, block) }
    }
    pub fn max(mut self, n: i64) -> Self {
        self.max_items = n;
        self
    }
    pub fn force_new(mut self) -> Self {
        self.force_new = true;
        self
    }
    /// A creation-time block: a change forces a new object, but one absent
    /// from the prior state (after an import) is adopted as configured.
    pub fn creation_only(mut self) -> Self {
        self.force_new = true;
        self.adopt_on_import = true;
        self
    }

    /// A block read only when the object is deployed: inside a `force_new`
    /// block, a change to it does not force a new object.
    pub fn deployment_only(mut self) -> Self {
        self.deployment_only = true;
        self
    }

    /// The cty type of this block inside its parent object.
    pub fn ty(&self) -> Type {
        let t = self.block.ty();
        match self.nesting {
            Nesting::Single => t,
            Nesting::List => Type::list(t),
            Nesting::Set => Type::set(t),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Block {
    pub description: String,
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
}

impl Block {
    pub fn new(description: &str) -> Self {
        Block { description: description.to_owned(), ..Default::default() }
    }
    pub fn attr(mut self, a: Attribute) -> Self {
        self.attributes.push(a);
        self
    }
    pub fn block(mut self, b: NestedBlock) -> Self {
        self.blocks.push(b);
        self
    }

    /// The object type a value of this block has.
    pub fn ty(&self) -> Type {
        let mut m: BTreeMap<String, Type> = self.attributes.iter().map(|a| (a.name.clone(), a.ty.clone())).collect();
        for b in &self.blocks {
            m.insert(b.type_name.clone(), b.ty());
        }
        Type::Object(m)
    }

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    fn to_proto(&self, version: i64) -> pb::schema::Block {
        pb::schema::Block {
            version,
            attributes: self.attributes.iter().map(Attribute::to_proto).collect(),
            block_types: self
                .blocks
                .iter()
                .map(|b| pb::schema::NestedBlock {
                    type_name: b.type_name.clone(),
                    block: Some(b.block.to_proto(0)),
                    nesting: match b.nesting {
                        Nesting::Single => pb::schema::nested_block::NestingMode::Single,
                        Nesting::List => pb::schema::nested_block::NestingMode::List,
                        Nesting::Set => pb::schema::nested_block::NestingMode::Set,
                    } as i32,
                    min_items: b.min_items,
                    max_items: b.max_items,
                })
                .collect(),
            description: self.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: false,
        }
    }
}

/// A versioned schema for the provider, a resource or a data source.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

impl Schema {
    pub fn new(block: Block) -> Self {
        Schema { version: 0, block }
    }

    /// The schema version a stored state is written at; raise it when an
    /// attribute is renamed or reshaped, and say how older states upgrade
    /// (`Resource::upgrade_step`).
    pub fn with_version(mut self, version: i64) -> Self {
        self.version = version;
        self
    }

    pub fn ty(&self) -> Type {
        self.block.ty()
    }

    pub(crate) fn to_proto(&self) -> pb::Schema {
        pb::Schema { version: self.version, block: Some(self.block.to_proto(self.version)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_type_includes_nested_blocks() {
        let b = Block::new("vm")
            .attr(Attribute::required("name", Type::String, "n"))
            .block(NestedBlock::list("disk", Block::new("d").attr(Attribute::optional("size", Type::Number, "s"))));
        let t = b.ty();
        assert_eq!(
            t.to_json(),
            serde_json::json!(["object", {"name": "string", "disk": ["list", ["object", {"size": "number"}]]}])
        );
    }

    #[test]
    fn modes_map_to_flags() {
        let a = Attribute::optional_computed("x", Type::String, "").to_proto();
        assert!(a.optional && a.computed && !a.required);
        let a = Attribute::required("x", Type::String, "").sensitive().to_proto();
        assert!(a.required && a.sensitive && !a.computed && !a.write_only);
        let a = Attribute::optional("x_wo", Type::String, "").write_only().to_proto();
        assert!(a.optional && a.sensitive && a.write_only && !a.computed);
    }
}
