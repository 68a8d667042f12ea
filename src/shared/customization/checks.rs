//! The customization rules run on a block's values, each problem reported
//! on its attribute under the block's path.
use super::model::{NicSettings, SpecFields};
use crate::plugin::{AttrPath, Diags, Value};
use crate::rules::customization::{self, Given, Linux, Nic, Spec, Step, Target, Windows};

/// A value as the rules take it: unset, unknown, or set and mapped by `f`.
fn given<'a, T, U>(v: &'a Value<T>, f: impl FnOnce(&'a T) -> U) -> Given<U> {
    match v {
        Value::Null => Given::Unset,
        Value::Unknown => Given::Unknown,
        Value::Known(x) => Given::Set(f(x)),
    }
}

fn given_str(v: &Value<String>) -> Given<&str> {
    given(v, String::as_str)
}

fn given_copy<T: Copy>(v: &Value<T>) -> Given<T> {
    given(v, |x| *x)
}

/// A secret: only whether it is there, never its value.
fn given_secret(v: &Value<String>) -> Given<()> {
    given(v, |_| ())
}

fn given_list(v: &Value<Vec<String>>) -> Given<Vec<Given<&str>>> {
    given(v, |items| items.iter().map(|s| Given::Set(s.as_str())).collect())
}

fn nic(n: &NicSettings) -> Nic<'_> {
    Nic {
        ipv4_address: given_str(&n.ipv4_address),
        ipv4_netmask: given_copy(&n.ipv4_netmask),
        ipv6_address: given_str(&n.ipv6_address),
        ipv6_netmask: given_copy(&n.ipv6_netmask),
        dns_server_list: given_list(&n.dns_server_list),
        dns_domain: given_str(&n.dns_domain),
    }
}

/// The rules' view of a block.
pub fn as_rules(s: &SpecFields) -> Spec<'_> {
    Spec {
        linux: s.linux_options.as_ref().map(|l| Linux {
            host_name: given_str(&l.host_name),
            domain: given_str(&l.domain),
            time_zone: given_str(&l.time_zone),
        }),
        windows: s.windows_options.as_ref().map(|w| Windows {
            computer_name: given_str(&w.computer_name),
            join_domain: given_str(&w.join_domain),
            workgroup: given_str(&w.workgroup),
            domain_admin_user: given_str(&w.domain_admin_user),
            domain_admin_password: given_secret(&w.domain_admin_password),
            domain_ou: given_str(&w.domain_ou),
            admin_password: given_secret(&w.admin_password),
            auto_logon: given_copy(&w.auto_logon),
            auto_logon_count: given_copy(&w.auto_logon_count),
            product_key: given_str(&w.product_key),
            time_zone: given_copy(&w.time_zone),
        }),
        sysprep_text: !s.windows_sysprep_text.is_null(),
        nics: Some(s.network_interface.iter().map(nic).collect()),
        ipv4_gateway: given_str(&s.ipv4_gateway),
        ipv6_gateway: given_str(&s.ipv6_gateway),
        dns_server_list: given_list(&s.dns_server_list),
        dns_suffix_list: given_list(&s.dns_suffix_list),
    }
}

/// Every problem of `spec` against `target`, as errors under `base`.
pub fn check(spec: &SpecFields, target: &Target<'_>, base: &AttrPath) -> Diags {
    let mut diags = Diags::none();
    for p in customization::check(&as_rules(spec), target) {
        let mut path = base.clone();
        for step in &p.at {
            path = match step {
                Step::Attr(a) => path.then(*a),
                Step::Index(i) => path.index(*i),
            };
        }
        diags.push(Diags::error_at(path, "Invalid guest customization", p.error.to_string()));
    }
    diags
}
