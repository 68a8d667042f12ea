//! A bounded, namespace-resolving event stream over quick-xml's `NsReader`.
//!
//! The parser above it walks the descriptor once, keeping only what it
//! extracts; this layer enforces the limits that keep hostile input cheap
//! (depth, element count, attribute size, text size), refuses DTDs, and
//! resolves every element and attribute name to a namespace *URI* so that
//! prefixes never matter.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::error::OvfError;
use super::limits::{
    MAX_ATTRIBUTE_BYTES, MAX_ATTRIBUTES, MAX_DEPTH, MAX_ELEMENTS, MAX_NAMESPACES_IN_SCOPE, MAX_TEXT_BYTES,
};

pub(super) const OVF1_NS: &[u8] = b"http://schemas.dmtf.org/ovf/envelope/1";
pub(super) const OVF2_NS: &[u8] = b"http://schemas.dmtf.org/ovf/envelope/2";
const RASD_NS: &[u8] = b"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData";
const VSSD_NS: &[u8] = b"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData";
const SASD_NS: &[u8] = b"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_StorageAllocationSettingData";
const EPASD_NS: &[u8] = b"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_EthernetPortAllocationSettingData";
const VMW_NS: &[u8] = b"http://www.vmware.com/schema/ovf";

/// The namespaces the parser cares about. Everything else is `Other`
/// (extensions, which the parser skips) or `None` (no namespace at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ns {
    Ovf1,
    Ovf2,
    Rasd,
    Vssd,
    Sasd,
    Epasd,
    Vmw,
    None,
    Other,
}

impl Ns {
    fn of(uri: &[u8]) -> Ns {
        // OVF 2.x examples write the SASD/EPASD URIs with a `.xsd` suffix;
        // both spellings are in use.
        let uri = uri.strip_suffix(b".xsd").unwrap_or(uri);
        match uri {
            OVF1_NS => Ns::Ovf1,
            OVF2_NS => Ns::Ovf2,
            RASD_NS => Ns::Rasd,
            VSSD_NS => Ns::Vssd,
            SASD_NS => Ns::Sasd,
            EPASD_NS => Ns::Epasd,
            VMW_NS => Ns::Vmw,
            _ => Ns::Other,
        }
    }

    /// The CIM settings-data namespaces whose elements describe one
    /// hardware item (`rasd:`, and OVF 2's `sasd:` / `epasd:`).
    pub(super) fn is_item_data(self) -> bool {
        matches!(self, Ns::Rasd | Ns::Sasd | Ns::Epasd)
    }
}

#[derive(Debug, Clone)]
pub(super) struct Attr {
    pub ns: Ns,
    pub local: String,
    pub value: String,
}

/// A start tag: resolved name and attributes (namespace declarations
/// dropped, values unescaped).
#[derive(Debug, Clone)]
pub(super) struct Element {
    pub ns: Ns,
    pub local: String,
    pub attrs: Vec<Attr>,
}

impl Element {
    /// The value of the first attribute with this local name in one of
    /// `namespaces`.
    pub fn attr(&self, namespaces: &[Ns], local: &str) -> Option<&str> {
        self.attrs.iter().find(|a| a.local == local && namespaces.contains(&a.ns)).map(|a| a.value.as_str())
    }
}

#[derive(Debug)]
pub(super) enum Ev {
    Start(Element),
    End,
    /// Character data (entities already resolved); may arrive in pieces.
    Text(String),
    Eof,
}

pub(super) struct Stream<'a> {
    reader: NsReader<&'a [u8]>,
    depth: usize,
    elements: usize,
    root_closed: bool,
    /// Namespace declarations made by each open element, and their sum.
    declarations: Vec<usize>,
    in_scope: usize,
}

impl<'a> Stream<'a> {
    pub fn new(xml: &'a [u8]) -> Stream<'a> {
        let mut reader = NsReader::from_reader(xml);
        let cfg = reader.config_mut();
        cfg.expand_empty_elements = true;
        cfg.check_end_names = true;
        cfg.trim_text(false);
        Stream { reader, depth: 0, elements: 0, root_closed: false, declarations: Vec::new(), in_scope: 0 }
    }

    fn xml_error(&self, detail: impl Into<String>) -> OvfError {
        OvfError::Xml { position: self.reader.buffer_position(), detail: detail.into() }
    }

    pub fn next(&mut self) -> Result<Ev, OvfError> {
        loop {
            let (ns, event) = match self.reader.read_resolved_event() {
                Ok((ns, event)) => (resolve(&ns), event),
                Err(e) => {
                    return Err(OvfError::Xml { position: self.reader.error_position(), detail: e.to_string() });
                }
            };
            match event {
                Event::Start(start) => {
                    if self.root_closed {
                        return Err(self.xml_error("content after the root element"));
                    }
                    if self.depth >= MAX_DEPTH {
                        return Err(OvfError::Limit(format!("elements nested deeper than {MAX_DEPTH}")));
                    }
                    self.elements += 1;
                    if self.elements > MAX_ELEMENTS {
                        return Err(OvfError::Limit(format!("more than {MAX_ELEMENTS} elements")));
                    }
                    let ns = match ns {
                        Ok(ns) => ns,
                        Err(prefix) => return Err(self.xml_error(format!("undeclared namespace prefix {prefix:?}"))),
                    };
                    let (element, declared) = self.element(ns, &start)?;
                    self.in_scope += declared;
                    if self.in_scope > MAX_NAMESPACES_IN_SCOPE {
                        return Err(OvfError::Limit(format!(
                            "more than {MAX_NAMESPACES_IN_SCOPE} namespace declarations in scope"
                        )));
                    }
                    self.declarations.push(declared);
                    self.depth += 1;
                    return Ok(Ev::Start(element));
                }
                Event::End(_) => {
                    // quick-xml checks end names, so this always closes an
                    // open element.
                    self.depth = self.depth.saturating_sub(1);
                    self.in_scope = self.in_scope.saturating_sub(self.declarations.pop().unwrap_or(0));
                    if self.depth == 0 {
                        self.root_closed = true;
                    }
                    return Ok(Ev::End);
                }
                Event::Empty(_) => {
                    // Not produced: expand_empty_elements turns it into
                    // Start + End.
                    return Err(self.xml_error("unexpected empty-element event"));
                }
                Event::Text(text) => {
                    let s = text.xml10_content().map_err(|e| self.xml_error(format!("text is not UTF-8: {e}")))?;
                    if let Some(ev) = self.text(&s)? {
                        return Ok(ev);
                    }
                }
                Event::CData(cdata) => {
                    let s = cdata.xml10_content().map_err(|e| self.xml_error(format!("CDATA is not UTF-8: {e}")))?;
                    if let Some(ev) = self.text(&s)? {
                        return Ok(ev);
                    }
                }
                Event::GeneralRef(r) => {
                    let ch = match r.resolve_char_ref() {
                        Ok(Some(c)) => c,
                        Ok(None) => {
                            let name = r.decode().map_err(|e| self.xml_error(format!("entity name: {e}")))?;
                            // Without a DTD only the five predefined entities
                            // exist; nothing is ever expanded beyond them.
                            predefined_entity(&name)
                                .ok_or_else(|| self.xml_error(format!("unknown entity &{name};")))?
                        }
                        Err(e) => return Err(self.xml_error(format!("bad character reference: {e}"))),
                    };
                    let mut buf = [0u8; 4];
                    if let Some(ev) = self.text(ch.encode_utf8(&mut buf))? {
                        return Ok(ev);
                    }
                }
                Event::DocType(_) => return Err(OvfError::Doctype),
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
                Event::Eof => return Ok(Ev::Eof),
            }
        }
    }

    /// Text inside the root is passed on; around it only whitespace is XML.
    fn text(&self, s: &str) -> Result<Option<Ev>, OvfError> {
        if self.depth > 0 {
            return Ok(Some(Ev::Text(s.to_string())));
        }
        if s.chars().all(char::is_whitespace) {
            Ok(None)
        } else if self.root_closed {
            Err(self.xml_error("content after the root element"))
        } else {
            Err(self.xml_error("text before the root element"))
        }
    }

    /// The element and the number of namespace declarations it makes.
    fn element(&self, ns: Ns, start: &BytesStart<'_>) -> Result<(Element, usize), OvfError> {
        let name = start.local_name();
        let local = utf8(name.as_ref()).ok_or_else(|| self.xml_error("element name is not UTF-8"))?;
        let mut attrs = Vec::new();
        let mut declared = 0usize;
        for (i, attr) in start.attributes().enumerate() {
            if i >= MAX_ATTRIBUTES {
                return Err(OvfError::Limit(format!("<{local}> has more than {MAX_ATTRIBUTES} attributes")));
            }
            let attr = attr.map_err(|e| self.xml_error(format!("attribute of <{local}>: {e}")))?;
            if attr.value.len() > MAX_ATTRIBUTE_BYTES {
                return Err(OvfError::Limit(format!(
                    "an attribute of <{local}> is {} bytes long, more than {MAX_ATTRIBUTE_BYTES}",
                    attr.value.len()
                )));
            }
            if attr.key.as_namespace_binding().is_some() {
                declared += 1;
                continue; // xmlns / xmlns:p declarations, already applied by the reader
            }
            let (resolved, attr_local) = self.reader.resolve_attribute(attr.key);
            let attr_ns = match resolve(&resolved) {
                Ok(ns) => ns,
                Err(prefix) => {
                    return Err(self.xml_error(format!("undeclared namespace prefix {prefix:?} on <{local}>")));
                }
            };
            let attr_local =
                utf8(attr_local.as_ref()).ok_or_else(|| self.xml_error("attribute name is not UTF-8"))?.to_string();
            let value = attr
                .unescape_value()
                .map_err(|e| self.xml_error(format!("attribute {attr_local} of <{local}>: {e}")))?
                .into_owned();
            attrs.push(Attr { ns: attr_ns, local: attr_local, value });
        }
        Ok((Element { ns, local: local.to_string(), attrs }, declared))
    }

    /// Consumes the rest of the current element (its Start already read),
    /// children included, keeping nothing.
    pub fn skip(&mut self) -> Result<(), OvfError> {
        let mut open = 1usize;
        while open > 0 {
            match self.next()? {
                Ev::Start(_) => open += 1,
                Ev::End => open -= 1,
                Ev::Text(_) => {}
                Ev::Eof => return Err(self.truncated()),
            }
        }
        Ok(())
    }

    /// The character data of the current element (its Start already read),
    /// trimmed. Child elements are skipped.
    pub fn text_content(&mut self, what: &str) -> Result<String, OvfError> {
        let mut out = String::new();
        loop {
            match self.next()? {
                Ev::Text(t) => {
                    if out.len() + t.len() > MAX_TEXT_BYTES {
                        return Err(OvfError::Limit(format!(
                            "the text of <{what}> is longer than {MAX_TEXT_BYTES} bytes"
                        )));
                    }
                    out.push_str(&t);
                }
                Ev::Start(_) => self.skip()?,
                Ev::End => break,
                Ev::Eof => return Err(self.truncated()),
            }
        }
        Ok(out.trim().to_string())
    }

    /// The next child element of the current element, or `None` at its end
    /// tag. Text between children (whitespace) is dropped.
    pub fn child(&mut self) -> Result<Option<Element>, OvfError> {
        loop {
            match self.next()? {
                Ev::Start(e) => return Ok(Some(e)),
                Ev::End => return Ok(None),
                Ev::Text(_) => {}
                Ev::Eof => return Err(self.truncated()),
            }
        }
    }

    /// After the root element: only comments, PIs and whitespace may follow.
    pub fn finish(&mut self) -> Result<(), OvfError> {
        match self.next()? {
            Ev::Eof => Ok(()),
            _ => Err(self.xml_error("content after the root element")),
        }
    }

    pub fn truncated(&self) -> OvfError {
        self.xml_error(format!("document ends inside {} open element(s) (truncated?)", self.depth))
    }
}

/// Maps a resolved name onto [`Ns`]; `Err(prefix)` for an undeclared prefix.
fn resolve(r: &ResolveResult<'_>) -> Result<Ns, String> {
    match r {
        ResolveResult::Bound(ns) => Ok(Ns::of(ns.as_ref())),
        ResolveResult::Unbound => Ok(Ns::None),
        ResolveResult::Unknown(prefix) => Err(String::from_utf8_lossy(prefix).into_owned()),
    }
}

fn utf8(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok()
}

fn predefined_entity(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(doc: &str) -> Result<Vec<String>, OvfError> {
        let mut s = Stream::new(doc.as_bytes());
        let mut out = Vec::new();
        loop {
            match s.next()? {
                Ev::Start(e) => out.push(format!("<{:?}:{}", e.ns, e.local)),
                Ev::End => out.push(">".into()),
                Ev::Text(t) => out.push(format!("'{t}'")),
                Ev::Eof => return Ok(out),
            }
        }
    }

    #[test]
    fn resolves_namespaces_by_uri_not_prefix() {
        let doc = r#"<weird:Envelope xmlns:weird="http://schemas.dmtf.org/ovf/envelope/1"
            xmlns:r="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
            xmlns:s="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_StorageAllocationSettingData.xsd"
            xmlns:x="urn:other"><r:A/><s:B/><x:C/><D/></weird:Envelope>"#;
        let ev = events(doc).unwrap();
        assert_eq!(ev, ["<Ovf1:Envelope", "<Rasd:A", ">", "<Sasd:B", ">", "<Other:C", ">", "<None:D", ">", ">"]);
    }

    #[test]
    fn attributes_carry_their_namespace() {
        let doc = r#"<e xmlns:o="http://schemas.dmtf.org/ovf/envelope/2" xmlns:v="http://www.vmware.com/schema/ovf"
            o:id="a &amp; b" v:key="k" plain="p" xml:lang="en"/>"#;
        let mut s = Stream::new(doc.as_bytes());
        let Ev::Start(e) = s.next().unwrap() else { panic!("no start") };
        assert_eq!(e.attr(&[Ns::Ovf2], "id"), Some("a & b"));
        assert_eq!(e.attr(&[Ns::Ovf1], "id"), None);
        assert_eq!(e.attr(&[Ns::Vmw], "key"), Some("k"));
        assert_eq!(e.attr(&[Ns::None], "plain"), Some("p"));
        assert_eq!(e.attr(&[Ns::Other], "lang"), Some("en"));
        assert_eq!(e.attrs.len(), 4, "namespace declarations are dropped");
    }

    #[test]
    fn text_entities_and_cdata() {
        let ev = events("<a>x &lt;&#65;&#x42;<![CDATA[<c>]]></a>").unwrap();
        assert_eq!(ev.concat(), "<None:a'x ''<''A''B''<c>'>");
    }

    #[test]
    fn refuses_doctype_unknown_entities_and_undeclared_prefixes() {
        assert!(matches!(events("<!DOCTYPE a><a/>"), Err(OvfError::Doctype)));
        assert!(matches!(events("<a>&x;</a>"), Err(OvfError::Xml { .. })));
        assert!(matches!(events(r#"<a k="&x;"/>"#), Err(OvfError::Xml { .. })));
        assert!(matches!(events("<p:a/>"), Err(OvfError::Xml { .. })));
        assert!(matches!(events(r#"<a p:k="1"/>"#), Err(OvfError::Xml { .. })));
    }

    #[test]
    fn refuses_content_outside_the_root() {
        assert!(events("junk<a/>").is_err());
        assert!(events("<a/>junk").is_err());
        assert!(events("<a/><b/>").is_err());
        assert!(events("  <!-- c --><?pi x?><a/>  <!-- c -->").is_ok());
    }

    #[test]
    fn limits_apply() {
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(matches!(events(&deep), Err(OvfError::Limit(_))));
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(events(&ok).is_ok());

        let wide = format!("<a>{}</a>", "<b/>".repeat(MAX_ELEMENTS));
        assert!(matches!(events(&wide), Err(OvfError::Limit(_))));

        let long = format!(r#"<a k="{}"/>"#, "x".repeat(MAX_ATTRIBUTE_BYTES + 1));
        assert!(matches!(events(&long), Err(OvfError::Limit(_))));

        let many: String = (0..=MAX_ATTRIBUTES).map(|i| format!(" k{i}=\"1\"")).collect();
        assert!(matches!(events(&format!("<a{many}/>")), Err(OvfError::Limit(_))));
        let decls: String = (0..=MAX_ATTRIBUTES).map(|i| format!(" xmlns:p{i}=\"urn:{i}\"")).collect();
        assert!(matches!(events(&format!("<a{decls}/>")), Err(OvfError::Limit(_))));
    }

    #[test]
    fn namespace_declarations_in_scope_are_capped() {
        let decl = |i: usize| format!(r#"<e{i} xmlns:p{i}="urn:{i}">"#);
        let close = |i: usize| format!("</e{i}>");
        let nested: String = (0..=MAX_NAMESPACES_IN_SCOPE).map(decl).collect();
        assert!(matches!(events(&nested), Err(OvfError::Limit(_))));
        // Declarations go out of scope with their element.
        let siblings: String = format!(
            "<r>{}</r>",
            (0..MAX_NAMESPACES_IN_SCOPE * 4).map(|i| format!("{}{}", decl(i), close(i))).collect::<String>()
        );
        assert!(events(&siblings).is_ok());
    }

    #[test]
    fn text_content_is_capped_and_skips_children() {
        let doc = "<a> one <b>ignored</b>two </a>";
        let mut s = Stream::new(doc.as_bytes());
        assert!(matches!(s.next().unwrap(), Ev::Start(_)));
        assert_eq!(s.text_content("a").unwrap(), "one two");

        let big = format!("<a>{}</a>", "y".repeat(MAX_TEXT_BYTES + 1));
        let mut s = Stream::new(big.as_bytes());
        assert!(matches!(s.next().unwrap(), Ev::Start(_)));
        assert!(matches!(s.text_content("a"), Err(OvfError::Limit(_))));
    }

    #[test]
    fn truncation_is_reported_by_helpers() {
        let mut s = Stream::new(b"<a><b>");
        assert!(matches!(s.next().unwrap(), Ev::Start(_)));
        assert!(s.skip().is_err());
        let mut s = Stream::new(b"<a>text");
        assert!(matches!(s.next().unwrap(), Ev::Start(_)));
        assert!(s.text_content("a").is_err());
        let mut s = Stream::new(b"<a>");
        assert!(matches!(s.next().unwrap(), Ev::Start(_)));
        assert!(s.child().is_err());
    }
}
