//! A customization block to vSphere's `CustomizationSpec`, and back.
use super::model::{LinuxOptions, NicSettings, SpecFields, WindowsOptions};
use crate::plugin::{Diags, Value};
use crate::rules::ip_settings::{prefix_of_mask_v4, subnet_mask_v4};
use crate::vi::object::customization_spec::{
    CustomizationAdapterMapping, CustomizationGlobalIPSettings, CustomizationIdentity, CustomizationLinuxPrep,
    CustomizationPassword, CustomizationSpec, CustomizationSysprep,
};

/// The workgroup a Windows guest joins when neither a domain nor a
/// workgroup is given (sysprep needs one of them).
const DEFAULT_WORKGROUP: &str = "WORKGROUP";

fn internal(what: &str) -> Diags {
    Diags::error("Incomplete guest customization", format!("internal: {what} is not known at apply"))
}

fn opt(v: &Value<String>) -> Option<String> {
    v.get().cloned()
}

fn list(v: &Value<Vec<String>>) -> Vec<String> {
    v.get().cloned().unwrap_or_default()
}

fn int(v: &Value<i64>, default: i64) -> i32 {
    i32::try_from(v.get().copied().unwrap_or(default)).unwrap_or(0)
}

/// The spec for a VM with `nic_count` interfaces. Gateways go on the
/// interface whose subnet holds them (the plan checked one does).
pub fn to_vi(s: &SpecFields, nic_count: usize) -> Result<CustomizationSpec, Diags> {
    let identity = if let Some(l) = &s.linux_options {
        CustomizationIdentity::LinuxPrep(CustomizationLinuxPrep {
            host_name: l.host_name.require("linux_options.host_name")?.to_owned(),
            domain: l.domain.require("linux_options.domain")?.to_owned(),
            time_zone: opt(&l.time_zone),
            hw_clock_utc: l.hw_clock_utc.get().copied(),
            script_text: opt(&l.script_text),
        })
    } else if let Some(w) = &s.windows_options {
        CustomizationIdentity::Sysprep(sysprep(w)?)
    } else if let Some(t) = s.windows_sysprep_text.get() {
        CustomizationIdentity::SysprepText(t.clone())
    } else {
        return Err(internal("the customization's identity"));
    };
    let mut nics: Vec<CustomizationAdapterMapping> = s.network_interface.iter().map(adapter).collect();
    if nics.is_empty() {
        nics = vec![CustomizationAdapterMapping::default(); nic_count];
    }
    for (gw, v6) in [(opt(&s.ipv4_gateway), false), (opt(&s.ipv6_gateway), true)] {
        let Some(gw) = gw else { continue };
        let at = s.network_interface.iter().position(|n| holds(n, &gw, v6)).unwrap_or(0);
        if let Some(nic) = nics.get_mut(at) {
            if v6 { nic.ipv6_gateway.push(gw) } else { nic.gateway.push(gw) }
        }
    }
    Ok(CustomizationSpec {
        identity,
        global_ip_settings: CustomizationGlobalIPSettings {
            dns_suffix_list: list(&s.dns_suffix_list),
            dns_server_list: list(&s.dns_server_list),
        },
        nic_setting_map: nics,
        encryption_key: Vec::new(),
    })
}

/// Whether interface `n`'s static address and prefix put `gw` in its subnet.
fn holds(n: &NicSettings, gw: &str, v6: bool) -> bool {
    use crate::rules::ip_settings::{Family, Interface, check_gateway, parse_address};
    let (addr, prefix, family) = if v6 {
        (n.ipv6_address.get(), n.ipv6_netmask.get(), Family::V6)
    } else {
        (n.ipv4_address.get(), n.ipv4_netmask.get(), Family::V4)
    };
    let (Some(a), Some(p)) = (addr, prefix) else { return false };
    let Ok(ip) = parse_address(a, family) else { return false };
    let Ok(p) = u8::try_from(*p) else { return false };
    Interface::new(ip, p).is_ok_and(|i| check_gateway(gw, family, &[i]).is_ok())
}

fn sysprep(w: &WindowsOptions) -> Result<CustomizationSysprep, Diags> {
    let join_domain = opt(&w.join_domain);
    Ok(CustomizationSysprep {
        admin_password: opt(w.admin_password()).map(CustomizationPassword::plain),
        time_zone: int(&w.time_zone, 85),
        auto_logon: w.auto_logon.get().copied().unwrap_or(false),
        auto_logon_count: int(&w.auto_logon_count, 1),
        full_name: opt(&w.full_name).unwrap_or_else(|| "Administrator".into()),
        org_name: opt(&w.organization_name).unwrap_or_else(|| "Managed by Terraform".into()),
        computer_name: w.computer_name.require("windows_options.computer_name")?.to_owned(),
        product_id: opt(&w.product_key).unwrap_or_default(),
        run_once_commands: list(&w.run_once_command_list),
        join_workgroup: match &join_domain {
            Some(_) => None,
            None => Some(opt(&w.workgroup).unwrap_or_else(|| DEFAULT_WORKGROUP.into())),
        },
        domain_admin: opt(&w.domain_admin_user),
        domain_admin_password: opt(w.domain_admin_password()).map(CustomizationPassword::plain),
        domain_ou: opt(&w.domain_ou),
        join_domain,
    })
}

fn adapter(n: &NicSettings) -> CustomizationAdapterMapping {
    CustomizationAdapterMapping {
        ip_address: opt(&n.ipv4_address),
        subnet_mask: n.ipv4_netmask.get().and_then(|p| u8::try_from(*p).ok()).map(subnet_mask_v4),
        gateway: Vec::new(),
        ipv6: n
            .ipv6_address
            .get()
            .zip(n.ipv6_netmask.get())
            .and_then(|(a, p)| Some((a.clone(), i32::try_from(*p).ok()?))),
        ipv6_gateway: Vec::new(),
        dns_server_list: list(&n.dns_server_list),
        dns_domain: opt(&n.dns_domain),
    }
}

fn known_or_null(v: Option<String>) -> Value<String> {
    Value::from_option(v.filter(|s| !s.is_empty()))
}

fn list_or_null(v: &[String]) -> Value<Vec<String>> {
    if v.is_empty() { Value::Null } else { Value::known(v.to_vec()) }
}

/// A secret as state records it: the configured one while vCenter holds
/// one (vCenter may hold it encrypted, so the two cannot be compared), the
/// one vCenter gives in plain text when nothing was configured (an
/// import), else none. An empty `have` is a secret held encrypted.
fn secret(have: Option<String>, prior: Value<String>) -> Value<String> {
    match (have, prior) {
        (None, _) => Value::Null,
        (Some(_), p @ Value::Known(_)) => p,
        (Some(v), _) if !v.is_empty() => Value::known(v),
        _ => Value::Null,
    }
}

/// The block for a spec read from vCenter; secrets as [`secret`] says.
pub fn from_vi(spec: &CustomizationSpec, prior: &SpecFields) -> SpecFields {
    let g = &spec.global_ip_settings;
    let mut out = SpecFields {
        dns_server_list: list_or_null(&g.dns_server_list),
        dns_suffix_list: list_or_null(&g.dns_suffix_list),
        ..Default::default()
    };
    match &spec.identity {
        CustomizationIdentity::LinuxPrep(l) => {
            let p = prior.linux_options.clone().unwrap_or_default();
            out.linux_options = Some(LinuxOptions {
                host_name: Value::known(l.host_name.clone()),
                domain: Value::known(l.domain.clone()),
                time_zone: known_or_null(l.time_zone.clone()),
                hw_clock_utc: Value::known(l.hw_clock_utc.unwrap_or(true)),
                script_text: secret(l.script_text.clone(), p.script_text),
            });
        }
        CustomizationIdentity::Sysprep(w) => {
            let p = prior.windows_options.clone().unwrap_or_default();
            // A password vCenter holds encrypted cannot be compared; one
            // given in the write-only form (its version in the prior state
            // says so) is never read back.
            let keep = |have: &Option<CustomizationPassword>, prior: Value<String>, write_only: &Value<i64>| {
                if write_only.is_known() {
                    return Value::Null;
                }
                secret(have.as_ref().map(|p| if p.plain_text { p.value.clone() } else { String::new() }), prior)
            };
            let version = |v: &Value<i64>| v.get().copied().map_or(Value::Null, Value::known);
            out.windows_options = Some(WindowsOptions {
                computer_name: Value::known(w.computer_name.clone()),
                admin_password: keep(&w.admin_password, p.admin_password, &p.admin_password_wo_version),
                admin_password_wo: Value::Null,
                admin_password_wo_version: version(&p.admin_password_wo_version),
                auto_logon: Value::known(w.auto_logon),
                auto_logon_count: Value::known(i64::from(w.auto_logon_count)),
                join_domain: known_or_null(w.join_domain.clone()),
                domain_admin_user: known_or_null(w.domain_admin.clone()),
                domain_admin_password: keep(
                    &w.domain_admin_password,
                    p.domain_admin_password,
                    &p.domain_admin_password_wo_version,
                ),
                domain_admin_password_wo: Value::Null,
                domain_admin_password_wo_version: version(&p.domain_admin_password_wo_version),
                domain_ou: known_or_null(w.domain_ou.clone()),
                // The default workgroup is the provider's, not the user's.
                workgroup: if w.join_workgroup.as_deref() == Some(DEFAULT_WORKGROUP) && p.workgroup.is_null() {
                    Value::Null
                } else {
                    known_or_null(w.join_workgroup.clone())
                },
                full_name: Value::known(w.full_name.clone()),
                organization_name: Value::known(w.org_name.clone()),
                product_key: secret(Some(w.product_id.clone()).filter(|k| !k.is_empty()), p.product_key),
                run_once_command_list: list_or_null(&w.run_once_commands),
                time_zone: Value::known(i64::from(w.time_zone)),
            });
        }
        CustomizationIdentity::SysprepText(t) => {
            out.windows_sysprep_text = secret(Some(t.clone()), prior.windows_sysprep_text.clone())
        }
    }
    for a in &spec.nic_setting_map {
        let n = NicSettings {
            ipv4_address: known_or_null(a.ip_address.clone()),
            ipv4_netmask: Value::from_option(
                a.ip_address.as_ref().and(a.subnet_mask.as_deref()).and_then(prefix_of_mask_v4).map(i64::from),
            ),
            ipv6_address: known_or_null(a.ipv6.as_ref().map(|(ip, _)| ip.clone())),
            ipv6_netmask: Value::from_option(a.ipv6.as_ref().map(|(_, p)| i64::from(*p))),
            dns_server_list: list_or_null(&a.dns_server_list),
            dns_domain: known_or_null(a.dns_domain.clone()),
        };
        if out.ipv4_gateway.is_null()
            && let Some(g) = a.gateway.first()
        {
            out.ipv4_gateway = Value::known(g.clone());
        }
        if out.ipv6_gateway.is_null()
            && let Some(g) = a.ipv6_gateway.first()
        {
            out.ipv6_gateway = Value::known(g.clone());
        }
        out.network_interface.push(n);
    }
    // An all-DHCP interface list the user left out stays out.
    if prior.network_interface.is_empty() && out.network_interface.iter().all(|n| *n == NicSettings::default()) {
        out.network_interface.clear();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linux() -> SpecFields {
        SpecFields {
            linux_options: Some(LinuxOptions {
                host_name: Value::known("web01".into()),
                domain: Value::known("example.com".into()),
                time_zone: Value::known("UTC".into()),
                hw_clock_utc: Value::known(true),
                script_text: Value::known("echo secret".into()),
            }),
            network_interface: vec![
                NicSettings {
                    ipv4_address: Value::known("10.0.0.5".into()),
                    ipv4_netmask: Value::known(24),
                    ..Default::default()
                },
                NicSettings {
                    ipv4_address: Value::known("192.168.0.5".into()),
                    ipv4_netmask: Value::known(16),
                    ..Default::default()
                },
            ],
            ipv4_gateway: Value::known("192.168.1.1".into()),
            dns_server_list: Value::known(vec!["10.0.0.2".into()]),
            ..Default::default()
        }
    }

    #[test]
    fn gateways_go_on_the_interface_that_reaches_them() {
        let spec = to_vi(&linux(), 2).unwrap();
        assert!(spec.nic_setting_map[0].gateway.is_empty());
        assert_eq!(spec.nic_setting_map[1].gateway, vec!["192.168.1.1".to_owned()]);
        assert_eq!(spec.nic_setting_map[1].subnet_mask.as_deref(), Some("255.255.0.0"));
    }

    #[test]
    fn no_interface_settings_means_dhcp_on_each() {
        let mut s = linux();
        s.network_interface.clear();
        s.ipv4_gateway = Value::Null;
        let spec = to_vi(&s, 3).unwrap();
        assert_eq!(spec.nic_setting_map, vec![CustomizationAdapterMapping::default(); 3]);
        assert_eq!(from_vi(&spec, &s), s);
    }

    #[test]
    fn read_back_equals_what_was_written_secrets_kept() {
        let s = linux();
        let spec = to_vi(&s, 2).unwrap();
        assert_eq!(from_vi(&spec, &s), s);
        // Configured secrets are kept; with none configured (an import) the
        // plain-text one vCenter holds is taken, an encrypted one is not.
        let back = from_vi(&spec, &SpecFields::default());
        assert_eq!(back.linux_options.unwrap().script_text, Value::known("echo secret".to_owned()));
        let mut changed = spec.clone();
        if let CustomizationIdentity::LinuxPrep(l) = &mut changed.identity {
            l.script_text = Some("from vCenter".into());
        }
        assert_eq!(from_vi(&changed, &s).linux_options.unwrap().script_text, Value::known("echo secret".to_owned()));
        assert_eq!(secret(Some(String::new()), Value::Null), Value::Null);
        assert_eq!(secret(None, Value::known("x".to_owned())), Value::Null);
    }

    #[test]
    fn windows_defaults_and_round_trip() {
        let w = SpecFields {
            windows_options: Some(WindowsOptions {
                computer_name: Value::known("WIN11-01".into()),
                admin_password: Value::known("pw".into()),
                auto_logon: Value::known(true),
                auto_logon_count: Value::known(1),
                join_domain: Value::known("corp.example.com".into()),
                domain_admin_user: Value::known("joiner".into()),
                domain_admin_password: Value::known("jpw".into()),
                full_name: Value::known("Administrator".into()),
                organization_name: Value::known("Managed by Terraform".into()),
                run_once_command_list: Value::known(vec!["cmd /c ver".into()]),
                time_zone: Value::known(110),
                ..Default::default()
            }),
            ..Default::default()
        };
        let spec = to_vi(&w, 1).unwrap();
        let CustomizationIdentity::Sysprep(sp) = &spec.identity else { panic!("{spec:?}") };
        assert_eq!((sp.join_workgroup.as_deref(), sp.join_domain.as_deref()), (None, Some("corp.example.com")));
        assert_eq!(from_vi(&spec, &w), w);
        let mut wg = w.clone();
        let o = wg.windows_options.as_mut().unwrap();
        o.join_domain = Value::Null;
        o.domain_admin_user = Value::Null;
        o.domain_admin_password = Value::Null;
        let spec = to_vi(&wg, 1).unwrap();
        let CustomizationIdentity::Sysprep(sp) = &spec.identity else { panic!() };
        assert_eq!(sp.join_workgroup.as_deref(), Some("WORKGROUP"));
        assert_eq!(from_vi(&spec, &wg), wg);
    }

    #[test]
    fn write_only_passwords_are_sent_and_never_read_back() {
        let w = SpecFields {
            windows_options: Some(WindowsOptions {
                computer_name: Value::known("WIN11-02".into()),
                admin_password_wo: Value::known("Wo-admin-1".into()),
                admin_password_wo_version: Value::known(1),
                join_domain: Value::known("corp.example.com".into()),
                domain_admin_user: Value::known("joiner".into()),
                domain_admin_password_wo: Value::known("Wo-join-1".into()),
                domain_admin_password_wo_version: Value::known(4),
                ..Default::default()
            }),
            ..Default::default()
        };
        let spec = to_vi(&w, 1).unwrap();
        let CustomizationIdentity::Sysprep(sp) = &spec.identity else { panic!() };
        assert_eq!(sp.admin_password, Some(CustomizationPassword::plain("Wo-admin-1")));
        assert_eq!(sp.domain_admin_password, Some(CustomizationPassword::plain("Wo-join-1")));
        // vCenter hands the plain-text passwords back; the state keeps
        // neither, only the versions.
        let back = from_vi(&spec, &w).windows_options.unwrap();
        assert!(back.admin_password.is_null() && back.admin_password_wo.is_null());
        assert!(back.domain_admin_password.is_null() && back.domain_admin_password_wo.is_null());
        assert_eq!(
            (back.admin_password_wo_version.clone(), back.domain_admin_password_wo_version.clone()),
            (Value::known(1), Value::known(4))
        );
        // The same from a refreshed state, where the values are null.
        let again = from_vi(&spec, &w.without_write_only()).windows_options.unwrap();
        assert_eq!(again, back);
    }
}
