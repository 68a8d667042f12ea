//! The single pass over the descriptor: a recursive descent over
//! [`Stream`] events that keeps only the sections [`OvfDescriptor`]
//! describes and skips everything else (EULAs, icons, extensions).
//!
//! Namespaces: the root must be `Envelope` in the OVF 1.x or 2.x envelope
//! namespace, whatever its prefix. Inside it, an element counts only in the
//! namespace it belongs to (OVF elements in the envelope's OVF namespace,
//! hardware fields in the CIM RASD/SASD/EPASD namespaces, VMware sections in
//! `http://www.vmware.com/schema/ovf`); anything else is treated as an
//! unknown extension and skipped, as OVF requires of extensions. So an
//! element with the right local name in a wrong namespace is ignored, and a
//! descriptor left without any virtual system is then rejected as
//! incomplete. Attributes are matched in their namespace too, with one
//! leniency: an unqualified attribute (`id="…"`) is taken as the OVF (or
//! VMware) attribute of that name.

use super::descriptor::{
    DeploymentOption, DiskDesc, FileRef, Network, OsType, OvfDescriptor, OvfProperty, ProductSection,
    PropertyConfigurationValue, VServiceDependency, VServiceProvider, VirtualSystem, VirtualSystemCollection,
};
use super::error::OvfError;
use super::hardware::{self, RawItem, RawSection};
use super::stream::{Element, Ev, Ns, Stream};
use super::units;

pub(super) fn parse(xml: &[u8]) -> Result<OvfDescriptor, OvfError> {
    let mut s = Stream::new(xml);
    let root = match s.next()? {
        Ev::Start(e) => e,
        Ev::Eof => return Err(OvfError::NotOvf("the document has no root element".into())),
        // At depth 0 the stream yields neither text nor end tags.
        Ev::Text(_) | Ev::End => return Err(OvfError::NotOvf("the document has no root element".into())),
    };
    let ovf = match root.ns {
        Ns::Ovf1 | Ns::Ovf2 => root.ns,
        _ => {
            return Err(OvfError::NotOvf(format!(
                "the root element <{}> is not in the OVF envelope namespace (http://schemas.dmtf.org/ovf/envelope/1 or /2)",
                root.local
            )));
        }
    };
    if root.local != "Envelope" {
        return Err(OvfError::NotOvf(format!("the root element is <{}>, not <Envelope>", root.local)));
    }
    let mut p = Parser { s, ovf, desc: OvfDescriptor::default(), pending: Vec::new() };
    p.desc.ovf_version = if ovf == Ns::Ovf2 { 2 } else { 1 };
    p.envelope()?;
    p.s.finish()?;
    p.finish()
}

struct Parser<'a> {
    s: Stream<'a>,
    /// The envelope's OVF namespace (1 or 2).
    ovf: Ns,
    desc: OvfDescriptor,
    /// Virtual systems with their raw hardware sections, summarised once the
    /// whole envelope (disks, deployment options) is known.
    pending: Vec<(VirtualSystem, Vec<RawSection>)>,
}

impl Parser<'_> {
    fn is_ovf(&self, e: &Element, local: &str) -> bool {
        e.ns == self.ovf && e.local == local
    }

    /// An OVF attribute (`ovf:name`, or unqualified `name`).
    fn attr<'e>(&self, e: &'e Element, local: &str) -> Option<&'e str> {
        e.attr(&[self.ovf, Ns::None], local)
    }

    fn required_attr(&self, e: &Element, local: &str) -> Result<String, OvfError> {
        match self.attr(e, local) {
            Some(v) if !v.trim().is_empty() => Ok(v.trim().to_string()),
            _ => Err(OvfError::Missing(format!("the ovf:{local} attribute of <{}>", e.local))),
        }
    }

    fn bool_attr(&self, e: &Element, local: &str, default: bool) -> Result<bool, OvfError> {
        match self.attr(e, local) {
            Some(v) => hardware::parse_bool(&format!("ovf:{local} of <{}>", e.local), v),
            None => Ok(default),
        }
    }

    fn u64_attr(&self, e: &Element, local: &str) -> Result<Option<u64>, OvfError> {
        self.attr(e, local).map(|v| number(&format!("ovf:{local} of <{}>", e.local), v)).transpose()
    }

    /// The trimmed text of the element just opened; `None` when empty.
    fn text(&mut self, e: &Element) -> Result<Option<String>, OvfError> {
        let t = self.s.text_content(&e.local)?;
        Ok(if t.is_empty() { None } else { Some(t) })
    }

    fn envelope(&mut self) -> Result<(), OvfError> {
        let mut content = 0usize;
        while let Some(c) = self.s.child()? {
            if c.ns != self.ovf {
                self.s.skip()?;
                continue;
            }
            match c.local.as_str() {
                "References" => self.references()?,
                "DiskSection" => self.disk_section()?,
                "NetworkSection" => self.network_section()?,
                "DeploymentOptionSection" => self.deployment_options()?,
                "VirtualSystem" => {
                    content += 1;
                    self.virtual_system(&c, None)?;
                }
                "VirtualSystemCollection" => {
                    content += 1;
                    self.desc.is_collection = true;
                    self.collection(&c, None)?;
                }
                _ => self.s.skip()?,
            }
        }
        match content {
            0 => Err(OvfError::Missing("a VirtualSystem or VirtualSystemCollection in the Envelope".into())),
            1 => Ok(()),
            _ => Err(OvfError::NotOvf(
                "the Envelope holds more than one VirtualSystem or VirtualSystemCollection".into(),
            )),
        }
    }

    fn references(&mut self) -> Result<(), OvfError> {
        while let Some(c) = self.s.child()? {
            if self.is_ovf(&c, "File") {
                let file = FileRef {
                    id: self.required_attr(&c, "id")?,
                    href: self.required_attr(&c, "href")?,
                    size: self.u64_attr(&c, "size")?,
                    compression: self.attr(&c, "compression").map(str::to_string),
                    chunk_size: self.u64_attr(&c, "chunkSize")?,
                };
                self.desc.references.push(file);
            }
            self.s.skip()?;
        }
        Ok(())
    }

    fn disk_section(&mut self) -> Result<(), OvfError> {
        while let Some(c) = self.s.child()? {
            if self.is_ovf(&c, "Disk") {
                let disk = self.disk(&c)?;
                self.desc.disks.push(disk);
            }
            self.s.skip()?;
        }
        Ok(())
    }

    fn disk(&self, e: &Element) -> Result<DiskDesc, OvfError> {
        let disk_id = self.required_attr(e, "diskId")?;
        let capacity = self.required_attr(e, "capacity")?;
        let units = self.attr(e, "capacityAllocationUnits").unwrap_or("byte");
        let (capacity_bytes, capacity_property) = match capacity.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
            // DSP0243 lets a property supply the size at deploy time.
            Some(key) => (None, Some(key.trim().to_string())),
            None => {
                let what = format!("ovf:capacity of disk {disk_id}");
                let n = number(&what, &capacity)?;
                let bytes = units::bytes(n, units).map_err(|d| {
                    OvfError::invalid(format!("ovf:capacityAllocationUnits of disk {disk_id}"), units, d)
                })?;
                (Some(bytes), None)
            }
        };
        Ok(DiskDesc {
            file_ref: self.attr(e, "fileRef").map(str::to_string),
            format: self.attr(e, "format").map(str::to_string),
            populated_size: self.u64_attr(e, "populatedSize")?,
            disk_id,
            capacity_bytes,
            capacity_property,
        })
    }

    fn network_section(&mut self) -> Result<(), OvfError> {
        while let Some(c) = self.s.child()? {
            if !self.is_ovf(&c, "Network") {
                self.s.skip()?;
                continue;
            }
            let mut net = Network { name: self.required_attr(&c, "name")?, description: None };
            while let Some(d) = self.s.child()? {
                if self.is_ovf(&d, "Description") {
                    net.description = self.text(&d)?;
                } else {
                    self.s.skip()?;
                }
            }
            self.desc.networks.push(net);
        }
        Ok(())
    }

    fn deployment_options(&mut self) -> Result<(), OvfError> {
        while let Some(c) = self.s.child()? {
            if !self.is_ovf(&c, "Configuration") {
                self.s.skip()?;
                continue;
            }
            let mut opt = DeploymentOption {
                id: self.required_attr(&c, "id")?,
                default: self.bool_attr(&c, "default", false)?,
                ..DeploymentOption::default()
            };
            while let Some(d) = self.s.child()? {
                if self.is_ovf(&d, "Label") {
                    opt.label = self.text(&d)?;
                } else if self.is_ovf(&d, "Description") {
                    opt.description = self.text(&d)?;
                } else {
                    self.s.skip()?;
                }
            }
            self.desc.deployment_options.push(opt);
        }
        Ok(())
    }

    fn collection(&mut self, start: &Element, parent_id: Option<String>) -> Result<(), OvfError> {
        let mut coll =
            VirtualSystemCollection { id: self.required_attr(start, "id")?, parent_id, ..Default::default() };
        // Reserve the slot now so an outer collection precedes its children.
        let slot = self.desc.collections.len();
        while let Some(c) = self.s.child()? {
            match (c.ns, c.local.as_str()) {
                (ns, "Name") if ns == self.ovf => coll.name = self.text(&c)?,
                (ns, "ProductSection") if ns == self.ovf => coll.products.push(self.product_section(&c)?),
                (ns, "VirtualSystem") if ns == self.ovf => self.virtual_system(&c, Some(&coll.id))?,
                (ns, "VirtualSystemCollection") if ns == self.ovf => self.collection(&c, Some(coll.id.clone()))?,
                (Ns::Vmw, "vServiceDependencySection") => coll.vservice_dependencies.push(self.vservice(&c)?),
                _ => self.s.skip()?,
            }
        }
        // `slot` ≤ len: the vector only grew while the children were read.
        self.desc.collections.insert(slot.min(self.desc.collections.len()), coll);
        Ok(())
    }

    fn virtual_system(&mut self, start: &Element, collection_id: Option<&str>) -> Result<(), OvfError> {
        let mut vs = VirtualSystem {
            id: self.required_attr(start, "id")?,
            collection_id: collection_id.map(str::to_string),
            ..VirtualSystem::default()
        };
        let mut sections = Vec::new();
        while let Some(c) = self.s.child()? {
            match (c.ns, c.local.as_str()) {
                (ns, "Name") if ns == self.ovf => vs.name = self.text(&c)?,
                (ns, "AnnotationSection") if ns == self.ovf => vs.annotation = self.annotation()?,
                (ns, "OperatingSystemSection") if ns == self.ovf => vs.os_type = Some(self.os_section(&c)?),
                (ns, "VirtualHardwareSection") if ns == self.ovf => sections.push(self.hardware_section(&c)?),
                (ns, "ProductSection") if ns == self.ovf => vs.products.push(self.product_section(&c)?),
                (Ns::Vmw, "vServiceDependencySection") => vs.vservice_dependencies.push(self.vservice(&c)?),
                _ => self.s.skip()?,
            }
        }
        self.pending.push((vs, sections));
        Ok(())
    }

    fn annotation(&mut self) -> Result<Option<String>, OvfError> {
        let mut out = None;
        while let Some(c) = self.s.child()? {
            if self.is_ovf(&c, "Annotation") {
                out = self.text(&c)?;
            } else {
                self.s.skip()?;
            }
        }
        Ok(out)
    }

    fn os_section(&mut self, start: &Element) -> Result<OsType, OvfError> {
        let id = match self.attr(start, "id") {
            Some(v) => Some(
                v.trim()
                    .parse()
                    .map_err(|_| OvfError::invalid("ovf:id of OperatingSystemSection", v, "expected a number"))?,
            ),
            None => None,
        };
        let mut os = OsType {
            id,
            vmw_os_type: start.attr(&[Ns::Vmw], "osType").map(str::to_string),
            version: self.attr(start, "version").map(str::to_string),
            description: None,
        };
        while let Some(c) = self.s.child()? {
            if self.is_ovf(&c, "Description") {
                os.description = self.text(&c)?;
            } else {
                self.s.skip()?;
            }
        }
        Ok(os)
    }

    fn hardware_section(&mut self, start: &Element) -> Result<RawSection, OvfError> {
        let mut section =
            RawSection { transport: self.attr(start, "transport").map(str::to_string), ..Default::default() };
        while let Some(c) = self.s.child()? {
            match (c.ns, c.local.as_str()) {
                (ns, "System") if ns == self.ovf => section.system_type = self.system()?,
                (ns, "Item" | "StorageItem" | "EthernetPortItem") if ns == self.ovf => {
                    section.items.push(self.item(&c)?)
                }
                (Ns::Vmw, "Config") => {
                    if let Some(kv) = config_pair(&c) {
                        section.config.push(kv);
                    }
                    self.s.skip()?;
                }
                _ => self.s.skip()?,
            }
        }
        Ok(section)
    }

    /// `System`: returns `vssd:VirtualSystemType`.
    fn system(&mut self) -> Result<Option<String>, OvfError> {
        let mut out = None;
        while let Some(c) = self.s.child()? {
            if c.ns == Ns::Vssd && c.local == "VirtualSystemType" {
                out = self.text(&c)?;
            } else {
                self.s.skip()?;
            }
        }
        Ok(out)
    }

    fn item(&mut self, start: &Element) -> Result<RawItem, OvfError> {
        let mut item =
            RawItem { configuration: self.attr(start, "configuration").map(str::to_string), ..Default::default() };
        while let Some(c) = self.s.child()? {
            if c.ns == Ns::Vmw && c.local == "CoresPerSocket" {
                let v = self.s.text_content(&c.local)?;
                let n = number("vmw:CoresPerSocket", &v)?;
                item.cores_per_socket =
                    Some(u32::try_from(n).map_err(|_| OvfError::invalid("vmw:CoresPerSocket", v, "too large"))?);
                continue;
            }
            if !c.ns.is_item_data() {
                self.s.skip()?;
                continue;
            }
            let value = self.text(&c)?;
            // CIM array fields (Connection, HostResource) may repeat; the
            // first one is the one tools write and read.
            let slot = match c.local.as_str() {
                "ResourceType" => {
                    if let Some(v) = &value {
                        let n = number("ResourceType", v)?;
                        item.resource_type =
                            Some(u32::try_from(n).map_err(|_| OvfError::invalid("ResourceType", v, "too large"))?);
                    }
                    continue;
                }
                "VirtualQuantity" => {
                    if let Some(v) = &value {
                        item.quantity = Some(number("VirtualQuantity", v)?);
                    }
                    continue;
                }
                "ResourceSubType" => &mut item.sub_type,
                "InstanceID" => &mut item.instance_id,
                "AllocationUnits" => &mut item.units,
                "Connection" => &mut item.connection,
                "HostResource" => &mut item.host_resource,
                "Parent" => &mut item.parent,
                "Address" => &mut item.address,
                "AddressOnParent" => &mut item.address_on_parent,
                _ => continue,
            };
            if slot.is_none() {
                *slot = value;
            }
        }
        Ok(item)
    }

    fn product_section(&mut self, start: &Element) -> Result<ProductSection, OvfError> {
        let mut ps = ProductSection {
            class: self.attr(start, "class").map(str::to_string),
            instance: self.attr(start, "instance").map(str::to_string),
            ..ProductSection::default()
        };
        // A Category element titles the properties that follow it.
        let mut category: Option<String> = None;
        while let Some(c) = self.s.child()? {
            if c.ns != self.ovf {
                self.s.skip()?;
                continue;
            }
            match c.local.as_str() {
                "Product" => ps.product = self.text(&c)?,
                "Vendor" => ps.vendor = self.text(&c)?,
                "Version" => ps.version = self.text(&c)?,
                "FullVersion" => ps.full_version = self.text(&c)?,
                "ProductUrl" => ps.product_url = self.text(&c)?,
                "VendorUrl" => ps.vendor_url = self.text(&c)?,
                "AppUrl" => ps.app_url = self.text(&c)?,
                "Category" => category = self.text(&c)?,
                "Property" => {
                    let mut p = self.property(&c)?;
                    p.class_id = ps.class.clone();
                    p.instance_id = ps.instance.clone();
                    p.category = category.clone();
                    ps.properties.push(p);
                }
                _ => self.s.skip()?,
            }
        }
        Ok(ps)
    }

    fn property(&mut self, start: &Element) -> Result<OvfProperty, OvfError> {
        let key = self.required_attr(start, "key")?;
        let Some(type_) = self.attr(start, "type").map(|t| t.trim().to_string()).filter(|t| !t.is_empty()) else {
            return Err(OvfError::Missing(format!("the ovf:type attribute of property {key}")));
        };
        let mut p = OvfProperty {
            type_,
            qualifiers: self.attr(start, "qualifiers").map(str::to_string),
            vmw_qualifiers: start.attr(&[Ns::Vmw], "qualifiers").map(str::to_string),
            user_configurable: self.bool_attr(start, "userConfigurable", false)?,
            default_value: self.attr(start, "value").map(str::to_string),
            password: self.bool_attr(start, "password", false)?,
            key,
            ..OvfProperty::default()
        };
        while let Some(c) = self.s.child()? {
            if c.ns == self.ovf {
                match c.local.as_str() {
                    "Label" => {
                        p.label = self.text(&c)?;
                        continue;
                    }
                    "Description" => {
                        p.description = self.text(&c)?;
                        continue;
                    }
                    "Value" => p.configuration_values.push(PropertyConfigurationValue {
                        value: self.attr(&c, "value").unwrap_or_default().to_string(),
                        configuration: self.attr(&c, "configuration").map(str::to_string),
                    }),
                    _ => {}
                }
            }
            self.s.skip()?;
        }
        Ok(p)
    }

    fn vservice(&mut self, start: &Element) -> Result<VServiceDependency, OvfError> {
        let id = start
            .attr(&[Ns::Vmw, self.ovf, Ns::None], "id")
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| OvfError::Missing("the vmw:id attribute of a vServiceDependencySection".into()))?
            .to_string();
        let mut dep =
            VServiceDependency { required: self.bool_attr(start, "required", true)?, ..VServiceDependency::default() };
        while let Some(c) = self.s.child()? {
            match (c.ns, c.local.as_str()) {
                (Ns::Vmw, "Type") => dep.type_ = self.text(&c)?.unwrap_or_default(),
                (Ns::Vmw, "Name") => dep.name = self.text(&c)?,
                (Ns::Vmw, "Description") => dep.description = self.text(&c)?,
                (Ns::Vmw, "Annotations") => dep.providers = self.vservice_providers()?,
                _ => self.s.skip()?,
            }
        }
        if dep.type_.is_empty() {
            return Err(OvfError::Missing(format!("the vmw:Type of vServiceDependencySection {id}")));
        }
        dep.id = id;
        Ok(dep)
    }

    /// `vmw:Annotations/vmw:Providers/vmw:Provider*`.
    fn vservice_providers(&mut self) -> Result<Vec<VServiceProvider>, OvfError> {
        let mut out = Vec::new();
        while let Some(c) = self.s.child()? {
            if c.ns != Ns::Vmw || c.local != "Providers" {
                self.s.skip()?;
                continue;
            }
            while let Some(p) = self.s.child()? {
                if p.ns != Ns::Vmw || p.local != "Provider" {
                    self.s.skip()?;
                    continue;
                }
                let mut provider = VServiceProvider::default();
                while let Some(f) = self.s.child()? {
                    if f.ns != Ns::Vmw {
                        self.s.skip()?;
                        continue;
                    }
                    let value = self.text(&f)?;
                    match f.local.as_str() {
                        "Name" => provider.name = value.unwrap_or_default(),
                        "Description" => provider.description = value,
                        "ValidationResult" => provider.validation_result = value,
                        "ValidationMessage" => provider.validation_message = value,
                        _ => {}
                    }
                }
                out.push(provider);
            }
        }
        Ok(out)
    }

    fn finish(self) -> Result<OvfDescriptor, OvfError> {
        let mut desc = self.desc;
        let default_option = desc.default_deployment_option().map(|o| o.id.clone());
        for (mut vs, sections) in self.pending {
            let (hardware, transports) = hardware::summarize(&sections, default_option.as_deref(), &desc.disks)?;
            vs.hardware = hardware;
            vs.transports = transports;
            desc.virtual_systems.push(vs);
        }
        Ok(desc)
    }
}

/// `vmw:Config vmw:key="…" vmw:value="…"` (also accepted with `ovf:` or
/// unqualified attributes, which some hand-written descriptors use).
fn config_pair(e: &Element) -> Option<(String, String)> {
    let ns = [Ns::Vmw, Ns::Ovf1, Ns::Ovf2, Ns::None];
    let key = e.attr(&ns, "key")?;
    Some((key.to_string(), e.attr(&ns, "value").unwrap_or_default().to_string()))
}

/// A non-negative whole number (xs:unsignedLong), whitespace trimmed.
fn number(what: &str, v: &str) -> Result<u64, OvfError> {
    let t = v.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(OvfError::invalid(what, v, "expected a whole number"));
    }
    t.parse().map_err(|_| OvfError::invalid(what, v, "does not fit in 64 bits"))
}
