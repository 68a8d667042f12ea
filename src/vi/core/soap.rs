//! SOAP 1.1 framing for vim25: request envelopes, response unwrapping and
//! fault decoding. Pure functions; the HTTP side lives in `client.rs`.

use crate::vi::core::error::{ViError, bounded_text, server_text};
use crate::vi::core::fault::FaultKind;
use crate::vi::core::types::ManagedObjectReference;
use crate::vi::core::xml::{self, XmlNode};

/// The vim25 XML namespace.
pub const VIM25_NS: &str = "urn:vim25";

/// The API version announced before the server has told us its own (the
/// first RetrieveServiceContent). 7.0 is understood by every supported
/// vCenter / ESXi release; later calls use the server's `apiVersion`.
pub const DEFAULT_API_VERSION: &str = "7.0";

/// The `SOAPAction` header value selecting a vim25 API version. Quoted, as
/// SOAP 1.1 specifies; vCenter and vcsim accept it.
pub fn soap_action(api_version: &str) -> String {
    format!("\"{VIM25_NS}/{api_version}\"")
}

/// Builds the envelope for `method` on `this`. `args_xml` is the already
/// escaped XML of the arguments after `_this`, in WSDL order.
pub fn envelope(method: &str, this: &ManagedObjectReference, args_xml: &str) -> Result<String, ViError> {
    if !is_method_name(method) {
        // Method names come from our own code; refuse anything that would
        // break the XML rather than send it.
        return Err(ViError::Config(format!("invalid SOAP method name {method:?}")));
    }
    let this_xml = this.to_xml("_this");
    Ok(format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/""#,
            r#" xmlns:xsd="http://www.w3.org/2001/XMLSchema""#,
            r#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
            r#"<soapenv:Body><{m} xmlns="{ns}">{this}{args}</{m}></soapenv:Body>"#,
            r#"</soapenv:Envelope>"#
        ),
        m = method,
        ns = VIM25_NS,
        this = this_xml,
        args = args_xml,
    ))
}

fn is_method_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Unwraps an HTTP answer to `method`: the `<methodResponse>` element on
/// success, [`ViError::Fault`] for a SOAP fault (whatever the status, since
/// servers send faults with 500), [`ViError::Http`] for a non-SOAP error.
pub fn parse_response(method: &str, status: u16, body: &[u8]) -> Result<XmlNode, ViError> {
    let root = match xml::parse(body) {
        Ok(root) => root,
        Err(e) if status == 200 => return Err(e),
        Err(_) => return Err(http_error(status, body)),
    };
    let Some(payload) = take_body_payload(root) else {
        if status != 200 {
            return Err(http_error(status, body));
        }
        return Err(ViError::Decode(format!("answer to {method} is not a SOAP envelope with a body")));
    };
    if payload.name == "Fault" {
        return Err(decode_fault(&payload));
    }
    if status != 200 {
        return Err(http_error(status, body));
    }
    let expected = format!("{method}Response");
    if payload.name != expected {
        return Err(ViError::Decode(format!("expected <{expected}>, got <{}>", payload.name)));
    }
    Ok(payload)
}

/// Moves the first element inside `<Envelope><Body>` out of the tree.
fn take_body_payload(root: XmlNode) -> Option<XmlNode> {
    if root.name != "Envelope" {
        return None;
    }
    let body = root.children.into_iter().find(|c| c.name == "Body")?;
    body.children.into_iter().next()
}

/// Decodes a `<Fault>` element into [`ViError::Fault`].
pub fn decode_fault(fault: &XmlNode) -> ViError {
    let faultstring = fault.child_text("faultstring").unwrap_or_default().trim();
    let detail = fault.child("detail").and_then(XmlNode::first_child);
    let kind = match detail {
        Some(d) => d
            .xsi_type()
            .map(str::to_string)
            .unwrap_or_else(|| d.name.strip_suffix("Fault").unwrap_or(&d.name).to_string()),
        // No typed detail: the faultcode (`ServerFaultCode`, `Client`) is all
        // there is.
        None => {
            let code = fault.child_text("faultcode").unwrap_or_default().trim();
            code.rsplit_once(':').map_or(code, |(_, local)| local).to_string()
        }
    };
    let message = if faultstring.is_empty() {
        detail.map(summarise_detail).unwrap_or_default()
    } else {
        server_text(faultstring)
    };
    // The kind is matched on by name; a real one is a short identifier.
    ViError::Fault { kind: FaultKind::parse(&bounded_text(&kind, 200)), message }
}

/// `name=value` for the simple fields of a fault detail, so faults that
/// come with an empty faultstring (vcsim's NotAuthenticated) still say
/// something useful.
fn summarise_detail(detail: &XmlNode) -> String {
    let mut parts = Vec::new();
    for c in &detail.children {
        let text = c.text().trim();
        if c.children.is_empty() && !text.is_empty() {
            parts.push(format!("{}={}", bounded_text(&c.name, 100), bounded_text(text, 200)));
        }
        if parts.len() >= 8 {
            break;
        }
    }
    parts.join(" ")
}

fn http_error(status: u16, body: &[u8]) -> ViError {
    let text = String::from_utf8_lossy(body);
    let detail = bounded_text(truncate(text.trim(), 300), 300);
    ViError::Http { status, detail: if detail.is_empty() { "empty body".to_string() } else { detail } }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a char
/// boundary.
fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vi::core::mo_type::MoType;

    fn env(body: &str) -> String {
        format!(
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8"?>"#,
                r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
                r#"<soapenv:Body>{}</soapenv:Body></soapenv:Envelope>"#
            ),
            body
        )
    }

    #[test]
    fn builds_envelope() {
        let this = MoType::SearchIndex.moref("SearchIndex");
        let e = envelope("FindByInventoryPath", &this, "<inventoryPath>DC0/vm</inventoryPath>").unwrap();
        let root = xml::parse(e.as_bytes()).unwrap();
        let call = root.descend("Body.FindByInventoryPath").unwrap();
        assert_eq!(call.attr("xmlns"), None, "namespace decls are not attrs");
        assert_eq!(call.child("_this").and_then(|t| t.attr("type")), Some("SearchIndex"));
        assert_eq!(call.child_text("inventoryPath"), Some("DC0/vm"));
        assert!(e.contains(r#"<FindByInventoryPath xmlns="urn:vim25">"#));
        assert!(envelope("Bad Name", &this, "").is_err());
        assert!(envelope("x><y", &this, "").is_err());
        assert!(envelope("", &this, "").is_err());
        assert!(envelope("Destroy_Task", &this, "").is_ok());
    }

    #[test]
    fn soap_action_is_quoted() {
        assert_eq!(soap_action("7.0"), "\"urn:vim25/7.0\"");
    }

    #[test]
    fn unwraps_response() {
        let body = env(
            r#"<FindByInventoryPathResponse xmlns="urn:vim25"><returnval type="Folder">group-2</returnval></FindByInventoryPathResponse>"#,
        );
        let r = parse_response("FindByInventoryPath", 200, body.as_bytes()).unwrap();
        assert_eq!(r.name, "FindByInventoryPathResponse");
        assert_eq!(r.child_text("returnval"), Some("group-2"));
        let e = parse_response("Other", 200, body.as_bytes()).unwrap_err();
        assert!(matches!(e, ViError::Decode(_)), "{e:?}");
    }

    #[test]
    fn a_huge_fault_with_escape_codes_is_bounded_and_cleaned() {
        // 10 MB of faultstring, starting with a terminal escape sequence.
        let text = format!("&#27;[2J{}", "A".repeat(10 * 1024 * 1024));
        let body = env(&format!(
            r#"<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>{text}</faultstring></soapenv:Fault>"#
        ));
        let e = parse_response("PowerOnVM_Task", 500, body.as_bytes()).unwrap_err();
        let ViError::Fault { message, .. } = &e else { panic!("{e:?}") };
        assert!(message.len() <= crate::vi::core::error::SERVER_TEXT_MAX + 40, "{}", message.len());
        assert!(message.starts_with("[2JAAA"), "{}", &message[..10]);
        assert!(message.ends_with("bytes more)"));
        assert!(!e.to_string().contains('\u{1b}'));
        // The same for a non-SOAP error body.
        let e = parse_response("X", 502, "\u{1b}]0;pwned\u{7}bad gateway".as_bytes()).unwrap_err();
        assert!(matches!(&e, ViError::Http { detail, .. } if detail == "]0;pwnedbad gateway"), "{e:?}");
    }

    #[test]
    fn decodes_faults() {
        let body = env(
            r#"<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>Login failure</faultstring><detail><InvalidLoginFault xmlns="urn:vim25" xsi:type="InvalidLogin"></InvalidLoginFault></detail></soapenv:Fault>"#,
        );
        let e = parse_response("Login", 500, body.as_bytes()).unwrap_err();
        assert_eq!(e.fault_kind(), Some(&FaultKind::InvalidLogin));
        assert!(e.to_string().contains("Login failure"));

        // Element name only, no xsi:type: strip the Fault suffix.
        let body = env(
            r#"<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring></faultstring><detail><NotAuthenticatedFault xmlns="urn:vim25"><object type="SearchIndex">SearchIndex</object><privilegeId>System.View</privilegeId></NotAuthenticatedFault></detail></soapenv:Fault>"#,
        );
        let e = parse_response("FindByInventoryPath", 500, body.as_bytes()).unwrap_err();
        assert_eq!(e.fault_kind(), Some(&FaultKind::NotAuthenticated));
        let ViError::Fault { message, .. } = &e else { panic!("{e:?}") };
        assert_eq!(message, "object=SearchIndex privilegeId=System.View");

        // No detail: the faultcode.
        let body = env(
            r#"<soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>bad</faultstring></soapenv:Fault>"#,
        );
        let e = parse_response("X", 500, body.as_bytes()).unwrap_err();
        assert_eq!(e.fault_kind(), Some(&FaultKind::Other("Client".into())));

        // A fault even with HTTP 200 is still a fault.
        let body = env(
            r#"<soapenv:Fault><faultstring>m</faultstring><detail><ManagedObjectNotFoundFault xsi:type="ManagedObjectNotFound"/></detail></soapenv:Fault>"#,
        );
        let e = parse_response("X", 200, body.as_bytes()).unwrap_err();
        assert_eq!(e.fault_kind(), Some(&FaultKind::ManagedObjectNotFound));
    }

    #[test]
    fn non_soap_errors_are_http() {
        let e = parse_response("X", 503, b"<html>Service Unavailable</html>").unwrap_err();
        assert!(matches!(e, ViError::Http { status: 503, .. }), "{e:?}");
        let e = parse_response("X", 404, b"").unwrap_err();
        assert!(matches!(e, ViError::Http { status: 404, .. }), "{e:?}");
        let e = parse_response("X", 200, b"garbage").unwrap_err();
        assert!(matches!(e, ViError::Decode(_)), "{e:?}");
        let long = "\u{e9}".repeat(400);
        let e = parse_response("X", 502, long.as_bytes()).unwrap_err();
        assert!(matches!(e, ViError::Http { status: 502, ref detail } if detail.len() <= 300));
    }
}
