//! `CustomizationSpec` and its parts, as the vSphere API names them, written
//! to and read from SOAP. Element order follows the WSDL sequences (vCenter
//! refuses elements out of order).
use crate::vi::core::xml::{XmlNode, escape};

/// `CustomizationSpec`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomizationSpec {
    pub identity: CustomizationIdentity,
    pub global_ip_settings: CustomizationGlobalIPSettings,
    pub nic_setting_map: Vec<CustomizationAdapterMapping>,
    /// `encryptionKey` (bytes, one element each) as vCenter gave it: a
    /// stored spec's encrypted passwords only make sense with it.
    pub encryption_key: Vec<String>,
}

/// `CustomizationPassword`: plain text as the provider writes it, or
/// encrypted as vCenter hands a stored spec back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomizationPassword {
    pub value: String,
    pub plain_text: bool,
}

impl CustomizationPassword {
    pub fn plain(value: impl Into<String>) -> Self {
        CustomizationPassword { value: value.into(), plain_text: true }
    }
}

/// The `identity` of a spec: one of `CustomizationIdentitySettings`'s
/// subtypes the provider writes.
#[derive(Debug, Clone, PartialEq)]
pub enum CustomizationIdentity {
    LinuxPrep(CustomizationLinuxPrep),
    Sysprep(CustomizationSysprep),
    /// `CustomizationSysprepText`: a whole sysprep answer file.
    SysprepText(String),
}

impl Default for CustomizationIdentity {
    fn default() -> Self {
        CustomizationIdentity::LinuxPrep(CustomizationLinuxPrep::default())
    }
}

/// `CustomizationLinuxPrep` (the host name as a `CustomizationFixedName`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomizationLinuxPrep {
    pub host_name: String,
    pub domain: String,
    pub time_zone: Option<String>,
    pub hw_clock_utc: Option<bool>,
    pub script_text: Option<String>,
}

/// `CustomizationSysprep`, flattened: `guiUnattended`, `userData`,
/// `guiRunOnce` and `identification`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomizationSysprep {
    pub admin_password: Option<CustomizationPassword>,
    pub time_zone: i32,
    pub auto_logon: bool,
    pub auto_logon_count: i32,
    pub full_name: String,
    pub org_name: String,
    pub computer_name: String,
    pub product_id: String,
    pub run_once_commands: Vec<String>,
    pub join_workgroup: Option<String>,
    pub join_domain: Option<String>,
    pub domain_admin: Option<String>,
    pub domain_admin_password: Option<CustomizationPassword>,
    pub domain_ou: Option<String>,
}

/// `CustomizationGlobalIPSettings`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomizationGlobalIPSettings {
    pub dns_suffix_list: Vec<String>,
    pub dns_server_list: Vec<String>,
}

/// `CustomizationAdapterMapping` with its `CustomizationIPSettings`: a
/// fixed address or DHCP per family, in the order of the VM's NICs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomizationAdapterMapping {
    /// `CustomizationFixedIp` when set, else `CustomizationDhcpIpGenerator`.
    pub ip_address: Option<String>,
    /// Dotted IPv4 mask.
    pub subnet_mask: Option<String>,
    pub gateway: Vec<String>,
    /// `CustomizationFixedIpV6` (address, prefix length) when set.
    pub ipv6: Option<(String, i32)>,
    pub ipv6_gateway: Vec<String>,
    pub dns_server_list: Vec<String>,
    pub dns_domain: Option<String>,
}

/// `CustomizationSpecInfo`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomizationSpecInfo {
    pub name: String,
    pub description: String,
    /// `Linux` or `Windows`.
    pub r#type: String,
    pub change_version: Option<String>,
    pub last_update_time: Option<String>,
}

/// `CustomizationSpecItem`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomizationSpecItem {
    pub info: CustomizationSpecInfo,
    pub spec: CustomizationSpec,
}

fn el(tag: &str, value: &str) -> String {
    format!("<{tag}>{}</{tag}>", escape(value))
}

fn opt(tag: &str, value: Option<&str>) -> String {
    value.map(|v| el(tag, v)).unwrap_or_default()
}

fn list(tag: &str, values: &[String]) -> String {
    values.iter().map(|v| el(tag, v)).collect()
}

fn password(tag: &str, value: Option<&CustomizationPassword>) -> String {
    value
        .map(|v| format!("<{tag}><value>{}</value><plainText>{}</plainText></{tag}>", escape(&v.value), v.plain_text))
        .unwrap_or_default()
}

fn password_of(n: Option<&XmlNode>) -> Option<CustomizationPassword> {
    let n = n?;
    Some(CustomizationPassword {
        value: n.child_text("value")?.to_owned(),
        plain_text: n.child_text("plainText").is_some_and(|t| t.trim() == "true"),
    })
}

impl CustomizationSpec {
    pub fn to_xml(&self, tag: &str) -> String {
        let options = match &self.identity {
            CustomizationIdentity::LinuxPrep(_) => "<options xsi:type=\"CustomizationLinuxOptions\"/>".to_owned(),
            // A new SID, as a clone of a Windows template needs one.
            _ => "<options xsi:type=\"CustomizationWinOptions\"><changeSID>true</changeSID>\
                  <deleteAccounts>false</deleteAccounts></options>"
                .to_owned(),
        };
        let g = &self.global_ip_settings;
        format!(
            "<{tag}>{options}{}<globalIPSettings>{}{}</globalIPSettings>{}{}</{tag}>",
            self.identity.to_xml(),
            list("dnsSuffixList", &g.dns_suffix_list),
            list("dnsServerList", &g.dns_server_list),
            self.nic_setting_map.iter().map(CustomizationAdapterMapping::to_xml).collect::<String>(),
            list("encryptionKey", &self.encryption_key),
        )
    }

    pub fn from_node(n: &XmlNode) -> CustomizationSpec {
        let strings = |node: Option<&XmlNode>, tag: &str| -> Vec<String> {
            node.map(|g| g.children_named(tag).map(|c| c.text().to_owned()).collect()).unwrap_or_default()
        };
        let g = n.child("globalIPSettings");
        CustomizationSpec {
            identity: n.child("identity").map(CustomizationIdentity::from_node).unwrap_or_default(),
            global_ip_settings: CustomizationGlobalIPSettings {
                dns_suffix_list: strings(g, "dnsSuffixList"),
                dns_server_list: strings(g, "dnsServerList"),
            },
            nic_setting_map: n.children_named("nicSettingMap").map(CustomizationAdapterMapping::from_node).collect(),
            encryption_key: strings(Some(n), "encryptionKey"),
        }
    }
}

impl CustomizationIdentity {
    fn to_xml(&self) -> String {
        match self {
            CustomizationIdentity::LinuxPrep(l) => format!(
                "<identity xsi:type=\"CustomizationLinuxPrep\"><hostName xsi:type=\"CustomizationFixedName\">{}\
                 </hostName>{}{}{}{}</identity>",
                el("name", &l.host_name),
                el("domain", &l.domain),
                opt("timeZone", l.time_zone.as_deref()),
                l.hw_clock_utc.map(|b| el("hwClockUTC", &b.to_string())).unwrap_or_default(),
                opt("scriptText", l.script_text.as_deref()),
            ),
            CustomizationIdentity::Sysprep(s) => format!(
                "<identity xsi:type=\"CustomizationSysprep\"><guiUnattended>{}{}{}{}</guiUnattended>\
                 <userData>{}{}<computerName xsi:type=\"CustomizationFixedName\">{}</computerName>{}</userData>\
                 {}<identification>{}{}{}{}{}</identification></identity>",
                password("password", s.admin_password.as_ref()),
                el("timeZone", &s.time_zone.to_string()),
                el("autoLogon", &s.auto_logon.to_string()),
                el("autoLogonCount", &s.auto_logon_count.to_string()),
                el("fullName", &s.full_name),
                el("orgName", &s.org_name),
                el("name", &s.computer_name),
                el("productId", &s.product_id),
                if s.run_once_commands.is_empty() {
                    String::new()
                } else {
                    format!("<guiRunOnce>{}</guiRunOnce>", list("commandList", &s.run_once_commands))
                },
                opt("joinWorkgroup", s.join_workgroup.as_deref()),
                opt("joinDomain", s.join_domain.as_deref()),
                opt("domainAdmin", s.domain_admin.as_deref()),
                password("domainAdminPassword", s.domain_admin_password.as_ref()),
                opt("domainOU", s.domain_ou.as_deref()),
            ),
            CustomizationIdentity::SysprepText(t) => {
                format!("<identity xsi:type=\"CustomizationSysprepText\">{}</identity>", el("value", t))
            }
        }
    }

    fn from_node(n: &XmlNode) -> CustomizationIdentity {
        let text = |path: &str| n.descend(path).map(|c| c.text().to_owned());
        let int = |path: &str| text(path).and_then(|t| t.trim().parse::<i32>().ok());
        let boolean = |path: &str| text(path).map(|t| t.trim() == "true");
        match n.xsi_type() {
            Some("CustomizationSysprep") => CustomizationIdentity::Sysprep(CustomizationSysprep {
                admin_password: password_of(n.descend("guiUnattended.password")),
                time_zone: int("guiUnattended.timeZone").unwrap_or_default(),
                auto_logon: boolean("guiUnattended.autoLogon").unwrap_or_default(),
                auto_logon_count: int("guiUnattended.autoLogonCount").unwrap_or_default(),
                full_name: text("userData.fullName").unwrap_or_default(),
                org_name: text("userData.orgName").unwrap_or_default(),
                computer_name: text("userData.computerName.name").unwrap_or_default(),
                product_id: text("userData.productId").unwrap_or_default(),
                run_once_commands: n
                    .child("guiRunOnce")
                    .map(|g| g.children_named("commandList").map(|c| c.text().to_owned()).collect())
                    .unwrap_or_default(),
                join_workgroup: text("identification.joinWorkgroup"),
                join_domain: text("identification.joinDomain"),
                domain_admin: text("identification.domainAdmin"),
                domain_admin_password: password_of(n.descend("identification.domainAdminPassword")),
                domain_ou: text("identification.domainOU"),
            }),
            Some("CustomizationSysprepText") => CustomizationIdentity::SysprepText(text("value").unwrap_or_default()),
            _ => CustomizationIdentity::LinuxPrep(CustomizationLinuxPrep {
                host_name: text("hostName.name").unwrap_or_default(),
                domain: text("domain").unwrap_or_default(),
                time_zone: text("timeZone"),
                hw_clock_utc: boolean("hwClockUTC"),
                script_text: text("scriptText"),
            }),
        }
    }
}

impl CustomizationAdapterMapping {
    fn to_xml(&self) -> String {
        let ip = match &self.ip_address {
            Some(a) => format!("<ip xsi:type=\"CustomizationFixedIp\">{}</ip>", el("ipAddress", a)),
            None => "<ip xsi:type=\"CustomizationDhcpIpGenerator\"/>".to_owned(),
        };
        let v6 = match &self.ipv6 {
            Some((a, p)) => format!(
                "<ipV6Spec><ip xsi:type=\"CustomizationFixedIpV6\">{}{}</ip>{}</ipV6Spec>",
                el("ipAddress", a),
                el("subnetMask", &p.to_string()),
                list("gateway", &self.ipv6_gateway),
            ),
            None => String::new(),
        };
        format!(
            "<nicSettingMap><adapter>{ip}{}{}{v6}{}{}</adapter></nicSettingMap>",
            opt("subnetMask", self.subnet_mask.as_deref()),
            list("gateway", &self.gateway),
            list("dnsServerList", &self.dns_server_list),
            opt("dnsDomain", self.dns_domain.as_deref()),
        )
    }

    fn from_node(n: &XmlNode) -> CustomizationAdapterMapping {
        let Some(a) = n.child("adapter") else { return CustomizationAdapterMapping::default() };
        let strings = |node: Option<&XmlNode>, tag: &str| -> Vec<String> {
            node.map(|g| g.children_named(tag).map(|c| c.text().to_owned()).collect()).unwrap_or_default()
        };
        let fixed = a.child("ip").filter(|ip| ip.xsi_type() == Some("CustomizationFixedIp"));
        let v6 = a.child("ipV6Spec");
        let v6_fixed =
            v6.and_then(|s| s.children_named("ip").find(|ip| ip.xsi_type() == Some("CustomizationFixedIpV6")));
        CustomizationAdapterMapping {
            ip_address: fixed.and_then(|f| f.child_text("ipAddress")).map(str::to_owned),
            subnet_mask: a.child_text("subnetMask").map(str::to_owned),
            gateway: strings(Some(a), "gateway"),
            ipv6: v6_fixed.and_then(|f| {
                Some((f.child_text("ipAddress")?.to_owned(), f.child_text("subnetMask")?.trim().parse().ok()?))
            }),
            ipv6_gateway: strings(v6, "gateway"),
            dns_server_list: strings(Some(a), "dnsServerList"),
            dns_domain: a.child_text("dnsDomain").map(str::to_owned),
        }
    }
}

impl CustomizationSpecItem {
    pub fn to_xml(&self, tag: &str) -> String {
        let i = &self.info;
        format!(
            "<{tag}><info>{}{}{}{}{}</info>{}</{tag}>",
            el("name", &i.name),
            el("description", &i.description),
            el("type", &i.r#type),
            opt("changeVersion", i.change_version.as_deref()),
            opt("lastUpdateTime", i.last_update_time.as_deref()),
            self.spec.to_xml("spec"),
        )
    }

    pub fn from_node(n: &XmlNode) -> CustomizationSpecItem {
        let info = n.child("info");
        let text = |tag: &str| info.and_then(|i| i.child_text(tag)).map(str::to_owned);
        CustomizationSpecItem {
            info: CustomizationSpecInfo {
                name: text("name").unwrap_or_default(),
                description: text("description").unwrap_or_default(),
                r#type: text("type").unwrap_or_default(),
                change_version: text("changeVersion"),
                last_update_time: text("lastUpdateTime"),
            },
            spec: n.child("spec").map(CustomizationSpec::from_node).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vi::core::xml::parse;

    fn round_trip(item: &CustomizationSpecItem) -> CustomizationSpecItem {
        let xml =
            format!("<r xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">{}</r>", item.to_xml("returnval"));
        let doc = parse(xml.as_bytes()).unwrap();
        CustomizationSpecItem::from_node(doc.child("returnval").unwrap())
    }

    fn item(identity: CustomizationIdentity) -> CustomizationSpecItem {
        CustomizationSpecItem {
            info: CustomizationSpecInfo {
                name: "web & db".into(),
                description: "<d>".into(),
                r#type: "Linux".into(),
                change_version: Some("7".into()),
                last_update_time: None,
            },
            spec: CustomizationSpec {
                identity,
                global_ip_settings: CustomizationGlobalIPSettings {
                    dns_suffix_list: vec!["example.com".into()],
                    dns_server_list: vec!["10.0.0.2".into(), "10.0.0.3".into()],
                },
                nic_setting_map: vec![
                    CustomizationAdapterMapping {
                        ip_address: Some("10.0.0.5".into()),
                        subnet_mask: Some("255.255.255.0".into()),
                        gateway: vec!["10.0.0.1".into()],
                        ipv6: Some(("fd00::5".into(), 64)),
                        ipv6_gateway: vec!["fd00::1".into()],
                        dns_server_list: vec!["10.0.0.9".into()],
                        dns_domain: Some("example.com".into()),
                    },
                    CustomizationAdapterMapping::default(),
                ],
                encryption_key: vec!["48".into(), "-126".into()],
            },
        }
    }

    #[test]
    fn linux_specs_round_trip() {
        let i = item(CustomizationIdentity::LinuxPrep(CustomizationLinuxPrep {
            host_name: "web01".into(),
            domain: "example.com".into(),
            time_zone: Some("Europe/Berlin".into()),
            hw_clock_utc: Some(true),
            script_text: Some("#!/bin/sh\necho <hi> & bye".into()),
        }));
        assert_eq!(round_trip(&i), i);
        let xml = i.spec.to_xml("spec");
        assert!(xml.contains("<ip xsi:type=\"CustomizationDhcpIpGenerator\"/>"), "{xml}");
        // WSDL order: options, identity, globalIPSettings, nicSettingMap.
        let pos = |s: &str| xml.find(s).unwrap();
        assert!(pos("<options") < pos("<identity") && pos("<identity") < pos("<globalIPSettings"));
        assert!(pos("<globalIPSettings") < pos("<nicSettingMap"));
        assert!(pos("<subnetMask>255") < pos("<gateway>10.0.0.1") && pos("<gateway>10.0.0.1") < pos("<ipV6Spec"));
    }

    #[test]
    fn windows_specs_round_trip() {
        let i = item(CustomizationIdentity::Sysprep(CustomizationSysprep {
            admin_password: Some(CustomizationPassword::plain("p<w>")),
            time_zone: 85,
            auto_logon: true,
            auto_logon_count: 2,
            full_name: "Admin".into(),
            org_name: "Org".into(),
            computer_name: "WIN11-01".into(),
            product_id: String::new(),
            run_once_commands: vec!["cmd /c echo 1".into(), "cmd /c echo 2".into()],
            join_workgroup: None,
            join_domain: Some("corp.example.com".into()),
            domain_admin: Some("joiner".into()),
            domain_admin_password: Some(CustomizationPassword { value: "ZW5j".into(), plain_text: false }),
            domain_ou: Some("OU=Desktops,DC=corp".into()),
        }));
        assert_eq!(round_trip(&i), i);
        let xml = i.spec.to_xml("spec");
        assert!(xml.contains("<changeSID>true</changeSID>"), "{xml}");
        let t = item(CustomizationIdentity::SysprepText("<unattend/>".into()));
        assert_eq!(round_trip(&t), t);
    }
}
