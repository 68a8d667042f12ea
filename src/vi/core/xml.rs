//! A small XML DOM over quick-xml, enough for SOAP responses, with hard
//! limits so a hostile or broken server cannot exhaust memory or the stack.
//!
//! Names are local names (prefixes dropped): vim25 puts everything in one
//! namespace, and vcsim binds unusual prefixes (`XMLSchema-instance:type`),
//! so matching on prefixes would be fragile.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use crate::vi::core::error::ViError;

/// Deepest element nesting accepted (vim25 answers stay far below this).
pub const MAX_DEPTH: usize = 256;
/// Largest document accepted.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// Most elements and attributes accepted in one document (each counts
/// one). The byte limit alone does not
/// bound the tree: a node costs ~150 bytes however short its tag, so 39 MB
/// of `<a/>` took 1.66 GB. A 1,000-VM `RetrievePropertiesEx` of the
/// properties `vi_vm` reads holds ~220,000 elements on vcsim (see
/// `a_thousand_vm_answer_fits`), and a VM with many devices and
/// `extra_config` entries a few times that, so this leaves room for
/// several such pages while holding a document of tiny elements to a few
/// hundred MB (~320 MB measured for `tiny_elements_stop_at_the_cap`).
pub const MAX_NODES: usize = 2_000_000;
/// Most attributes on one element: vim25 elements carry two or three, and
/// checking for duplicates costs the square of the count.
pub const MAX_ATTRS: usize = 32;

const XSI_NS: &[u8] = b"http://www.w3.org/2001/XMLSchema-instance";

/// One XML element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XmlNode {
    /// Local name, without prefix.
    pub name: String,
    /// Attributes by local name, in document order; namespace declarations
    /// and `xsi:type` are not included (see `xsi_type_qname`).
    pub attrs: Vec<(String, String)>,
    /// The element's own character data (entities resolved), concatenated.
    pub text: String,
    pub children: Vec<XmlNode>,
    /// The `xsi:type` attribute as written, e.g. `"xsd:int"` or
    /// `"ArrayOfManagedObjectReference"`. Kept apart from `attrs` because a
    /// vim25 MoRef value carries both `xsi:type` and a plain `type`.
    pub xsi_type_qname: Option<String>,
}

impl XmlNode {
    /// A node with just a name (for tests and synthesised values).
    pub fn new(name: impl Into<String>) -> XmlNode {
        XmlNode { name: name.into(), ..XmlNode::default() }
    }

    /// The first child element with this local name.
    pub fn child(&self, name: &str) -> Option<&XmlNode> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All child elements with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a XmlNode> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first child element, whatever its name.
    pub fn first_child(&self) -> Option<&XmlNode> {
        self.children.first()
    }

    /// The element's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text of the first child with this name.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(XmlNode::text)
    }

    /// An attribute by local name (never `xsi:type`; see [`Self::xsi_type`]).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The local part of `xsi:type`: `"xsd:int"` gives `"int"`,
    /// `"VirtualMachineConfigInfo"` stays as is. The written form is in
    /// [`Self::xsi_type_qname`].
    pub fn xsi_type(&self) -> Option<&str> {
        self.xsi_type_qname.as_deref().map(|t| t.rsplit_once(':').map_or(t, |(_, local)| local))
    }

    /// Walks child elements along a dotted path (`"config.hardware.numCPU"`).
    /// An empty path returns `self`.
    pub fn descend(&self, path: &str) -> Option<&XmlNode> {
        let mut node = self;
        for seg in path.split('.').filter(|s| !s.is_empty()) {
            node = node.child(seg)?;
        }
        Some(node)
    }
}

/// Parses a whole document into its root element.
pub fn parse(bytes: &[u8]) -> Result<XmlNode, ViError> {
    if bytes.len() > MAX_BYTES {
        return Err(bad(format!("document of {} bytes exceeds the {} byte limit", bytes.len(), MAX_BYTES)));
    }
    let mut reader = NsReader::from_reader(bytes);
    {
        let cfg = reader.config_mut();
        cfg.trim_text(false);
        cfg.check_end_names = true;
        cfg.expand_empty_elements = false;
    }

    let mut stack: Vec<XmlNode> = Vec::new();
    let mut root: Option<XmlNode> = None;
    let mut nodes: usize = 0;

    loop {
        let event = reader.read_event().map_err(|e| bad(format!("at byte {}: {e}", reader.buffer_position())))?;
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                if root.is_some() {
                    return Err(bad("more than one root element".into()));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(bad(format!("nesting deeper than {MAX_DEPTH} elements")));
                }
                let node = element(&reader, start)?;
                nodes += 1 + node.attrs.len() + usize::from(node.xsi_type_qname.is_some());
                if nodes > MAX_NODES {
                    return Err(bad(format!(
                        "the document has more than {MAX_NODES} elements and attributes, the most accepted in one \
                         answer (a limit on memory)"
                    )));
                }
                if matches!(event, Event::Empty(_)) {
                    attach(&mut stack, &mut root, node);
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => {
                // quick-xml checks that end names match, so a pop always has
                // a partner; an unmatched end is reported as an error above.
                let Some(node) = stack.pop() else {
                    return Err(bad("unexpected end tag".into()));
                };
                attach(&mut stack, &mut root, node);
            }
            Event::Text(t) => {
                let s = t.xml10_content().map_err(|e| bad(format!("text is not valid UTF-8: {e}")))?;
                push_text(&mut stack, &s)?;
            }
            Event::CData(c) => {
                let s = c.xml10_content().map_err(|e| bad(format!("CDATA is not valid UTF-8: {e}")))?;
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&s),
                    None => return Err(bad("CDATA outside the root element".into())),
                }
            }
            Event::GeneralRef(r) => {
                let ch = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => {
                        let name = r.decode().map_err(|e| bad(format!("entity name is not UTF-8: {e}")))?;
                        predefined_entity(&name).ok_or_else(|| bad(format!("unknown entity &{name};")))?
                    }
                    Err(e) => return Err(bad(format!("bad character reference: {e}"))),
                };
                let mut buf = [0u8; 4];
                push_text(&mut stack, ch.encode_utf8(&mut buf))?;
            }
            Event::DocType(_) => {
                // DTDs are how entity-expansion attacks start; SOAP never
                // needs one.
                return Err(bad("DOCTYPE declarations are not allowed".into()));
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }

    if !stack.is_empty() {
        return Err(bad("document ends inside an element (truncated?)".into()));
    }
    root.ok_or_else(|| bad("document has no root element".into()))
}

/// Escapes text for use in element content or a double-quoted attribute.
/// `\r` is escaped so it survives the parser's line-end normalisation.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
    out
}

fn bad(msg: String) -> ViError {
    ViError::Decode(format!("invalid XML: {msg}"))
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

fn push_text(stack: &mut [XmlNode], s: &str) -> Result<(), ViError> {
    match stack.last_mut() {
        Some(top) => {
            top.text.push_str(s);
            Ok(())
        }
        // Whitespace around the root is allowed; anything else is not XML.
        None if s.chars().all(char::is_whitespace) => Ok(()),
        None => Err(bad("text outside the root element".into())),
    }
}

fn attach(stack: &mut [XmlNode], root: &mut Option<XmlNode>, node: XmlNode) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    }
}

fn utf8(bytes: &[u8], what: &str) -> Result<String, ViError> {
    std::str::from_utf8(bytes).map(str::to_string).map_err(|_| bad(format!("{what} is not valid UTF-8")))
}

fn element(reader: &NsReader<&[u8]>, start: &BytesStart<'_>) -> Result<XmlNode, ViError> {
    let mut node = XmlNode::new(utf8(start.local_name().as_ref(), "element name")?);
    for (i, attr) in start.attributes().enumerate() {
        if i >= MAX_ATTRS {
            return Err(bad(format!("<{}> has more than {MAX_ATTRS} attributes", node.name)));
        }
        let attr = attr.map_err(|e| bad(format!("attribute in <{}>: {e}", node.name)))?;
        let key = attr.key;
        if key.as_namespace_binding().is_some() {
            continue; // xmlns / xmlns:p declarations
        }
        let (ns, local) = reader.resolve_attribute(key);
        let is_xsi = match ns {
            ResolveResult::Bound(n) => n.as_ref() == XSI_NS,
            // Lenient: an unbound `xsi:` prefix still means what it says.
            ResolveResult::Unknown(p) => p == b"xsi",
            ResolveResult::Unbound => false,
        };
        let local = utf8(local.as_ref(), "attribute name")?;
        let value =
            attr.unescape_value().map_err(|e| bad(format!("attribute {local} in <{}>: {e}", node.name)))?.into_owned();
        if is_xsi && local == "type" {
            node.xsi_type_qname = Some(value);
        } else {
            node.attrs.push((local, value));
        }
    }
    Ok(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_vcsim_style_values() {
        let doc = br#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body>
<r xmlns="urn:vim25"><val type="Folder" xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" XMLSchema-instance:type="ManagedObjectReference">group-2</val>
<n xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xsd:int">42</n></r></soapenv:Body></soapenv:Envelope>"#;
        let root = parse(doc).unwrap();
        assert_eq!(root.name, "Envelope");
        let r = root.child("Body").and_then(|b| b.child("r")).unwrap();
        let val = r.child("val").unwrap();
        assert_eq!(val.attr("type"), Some("Folder"));
        assert_eq!(val.xsi_type(), Some("ManagedObjectReference"));
        assert_eq!(val.text(), "group-2");
        let n = r.child("n").unwrap();
        assert_eq!(n.xsi_type(), Some("int"));
        assert_eq!(n.xsi_type_qname.as_deref(), Some("xsd:int"));
        assert!(n.attrs.is_empty());
    }

    #[test]
    fn unescapes_entities_and_char_refs() {
        let root = parse(br#"<a k="x &amp; &#34;y&#x22;">&lt;b&gt; &amp; &apos;c&quot; &#233;&#x1F600;</a>"#).unwrap();
        assert_eq!(root.text(), "<b> & 'c\" \u{e9}\u{1F600}");
        assert_eq!(root.attr("k"), Some("x & \"y\""));
    }

    #[test]
    fn keeps_whitespace_and_cdata() {
        let root = parse(b"<a>  lead<![CDATA[<raw>&]]>trail  </a>").unwrap();
        assert_eq!(root.text(), "  lead<raw>&trail  ");
    }

    #[test]
    fn children_and_descend() {
        let root = parse(b"<a><b><c>1</c></b><b><c>2</c></b><d/></a>").unwrap();
        assert_eq!(root.children_named("b").count(), 2);
        assert_eq!(root.descend("b.c").map(XmlNode::text), Some("1"));
        assert_eq!(root.descend(""), Some(&root));
        assert!(root.descend("b.x").is_none());
        assert_eq!(root.first_child().map(|c| c.name.as_str()), Some("b"));
    }

    #[test]
    fn rejects_doctype_and_unknown_entities() {
        let e = parse(b"<!DOCTYPE a [<!ENTITY x \"boom\">]><a>&x;</a>").unwrap_err();
        assert!(e.to_string().contains("DOCTYPE"), "{e}");
        assert!(parse(b"<a>&x;</a>").is_err());
        assert!(parse(b"<a k=\"&x;\"/>").is_err());
    }

    #[test]
    fn rejects_deep_nesting() {
        let depth = MAX_DEPTH + 1;
        let mut doc = "<a>".repeat(depth);
        doc.push_str(&"</a>".repeat(depth));
        let e = parse(doc.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("nesting"), "{e}");
        // Right at the limit is fine.
        let mut ok = "<a>".repeat(MAX_DEPTH);
        ok.push_str(&"</a>".repeat(MAX_DEPTH));
        assert!(parse(ok.as_bytes()).is_ok());
    }

    /// The vcsim answer for one VM, with the properties of `VM_PROPS`.
    const ONE_VM: &str = include_str!("testdata/vcsim-vm-objects.xml");

    fn retrieve_answer(objects: &str, times: usize) -> String {
        let mut doc = String::from(
            r#"<RetrievePropertiesExResponse xmlns="urn:vim25" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><returnval>"#,
        );
        for _ in 0..times {
            doc.push_str(objects);
        }
        doc.push_str("</returnval></RetrievePropertiesExResponse>");
        doc
    }

    fn count(n: &XmlNode) -> usize {
        1 + n.children.iter().map(count).sum::<usize>()
    }

    #[test]
    fn a_thousand_vm_answer_fits() {
        let doc = retrieve_answer(ONE_VM, 1000);
        let root = parse(doc.as_bytes()).unwrap();
        let n = count(&root);
        // ~220 elements and ~10 KB per VM: ten such pages fit in the cap.
        assert!(n > 200_000 && n * 9 < MAX_NODES, "{n} elements");
        assert_eq!(root.descend("returnval").map(|r| r.children.len()), Some(1000));
    }

    /// 2,000,001 tiny elements (~8 MB of input): refused at the cap. Peak
    /// memory of this test run alone: ~320 MB (`/usr/bin/time -v`),
    /// against 1.66 GB for 39 MB before the cap was lowered.
    #[test]
    fn tiny_elements_stop_at_the_cap() {
        let mut doc = String::with_capacity(4 * MAX_NODES + 16);
        doc.push_str("<r>");
        for _ in 0..MAX_NODES {
            doc.push_str("<a/>");
        }
        doc.push_str("</r>");
        let e = parse(doc.as_bytes()).unwrap_err();
        assert!(matches!(&e, ViError::Decode(m) if m.contains(&format!("more than {MAX_NODES} elements"))), "{e}");
        // One fewer is accepted: the cap is the count, not the bytes.
        let ok = doc.replacen("<a/>", "", 1);
        assert_eq!(parse(ok.as_bytes()).map(|r| r.children.len()).ok(), Some(MAX_NODES - 1));
    }

    /// Attributes count against the same cap (each costs as much memory as
    /// a small element), and one element takes at most `MAX_ATTRS`.
    #[test]
    fn attributes_count_too() {
        let attrs: String = (0..MAX_ATTRS).map(|i| format!(" a{i}=\"\"")).collect();
        let one = format!("<e{attrs}/>");
        let per = 1 + MAX_ATTRS;
        let fits = MAX_NODES / per - 1;
        let doc = |n: usize| {
            let mut d = String::from("<r>");
            for _ in 0..n {
                d.push_str(&one);
            }
            d.push_str("</r>");
            d
        };
        assert!(parse(doc(fits).as_bytes()).is_ok());
        let e = parse(doc(fits + 2).as_bytes()).unwrap_err();
        assert!(e.to_string().contains("elements and attributes"), "{e}");
        let too_many = format!("<e{attrs} z=\"\"/>");
        let e = parse(too_many.as_bytes()).unwrap_err();
        assert!(e.to_string().contains(&format!("more than {MAX_ATTRS} attributes")), "{e}");
    }

    #[test]
    fn rejects_oversize() {
        let big = vec![b' '; MAX_BYTES + 1];
        assert!(parse(&big).is_err());
    }

    #[test]
    fn garbage_never_panics() {
        let cases: &[&[u8]] = &[
            b"",
            b"   ",
            b"not xml",
            b"<",
            b"<a",
            b"<a>",
            b"<a></b>",
            b"</a>",
            b"<a/><b/>",
            b"text<a/>",
            b"<a>&#0;</a>",
            b"<a>&#xFFFFFFFF;</a>",
            b"<a>&#xD800;</a>",
            b"<a>&</a>",
            b"<a b=c/>",
            b"<a b=\"1\" b=\"2\"/>",
            b"<a>\xff\xfe</a>",
            b"<\xff/>",
            b"<a x:y=\"1\" xmlns:x=\"\"/>",
            b"<?xml version=\"1.0\"?>",
            b"<!-- only a comment -->",
            b"<a><![CDATA[unterminated</a>",
            b"<a><!-- unterminated</a>",
            b"<p:a xmlns:p=\"u\"></q:a>",
        ];
        for case in cases {
            let _ = parse(case);
        }
        // Every prefix of a valid document: never a panic, and never Ok for
        // a document cut inside its root.
        let doc = br#"<a xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><b xsi:type="xsd:string">x &amp; y</b><c k="v"/></a>"#;
        for n in 0..doc.len() {
            if let Some(prefix) = doc.get(..n) {
                assert!(parse(prefix).is_err(), "prefix {n} parsed");
            }
        }
        assert!(parse(doc).is_ok());
    }

    #[test]
    fn truncated_and_unbalanced_are_errors() {
        assert!(parse(b"<a><b></b>").is_err());
        assert!(parse(b"<a></b>").is_err());
        assert!(parse(b"<a/><b/>").is_err());
        assert!(parse(b"").is_err());
    }

    #[test]
    fn escape_round_trips() {
        let s = "a<b>&\"c'\r\n\u{e9}";
        let doc = format!("<a k=\"{}\">{}</a>", escape(s), escape(s));
        let root = parse(doc.as_bytes()).unwrap();
        assert_eq!(root.text(), s);
        assert_eq!(root.attr("k").map(|v| v.replace('\n', " ")), Some(s.replace('\n', " ")));
    }
}
