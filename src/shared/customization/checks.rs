//! The customization rules run on a block's values, each problem reported
//! on its attribute under the block's path.
use super::model::{NicSettings, SpecFields, WindowsOptions};
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
            domain_admin_password: given_secret(w.domain_admin_password()),
            domain_ou: given_str(&w.domain_ou),
            admin_password: given_secret(w.admin_password()),
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

/// The write-only passwords: one form at a time, each with its version.
fn write_only(w: &WindowsOptions, at: &AttrPath) -> Diags {
    let mut d = Diags::none();
    let pairs = [
        ("admin_password", &w.admin_password, &w.admin_password_wo, &w.admin_password_wo_version),
        (
            "domain_admin_password",
            &w.domain_admin_password,
            &w.domain_admin_password_wo,
            &w.domain_admin_password_wo_version,
        ),
    ];
    for (name, stored, wo, version) in pairs {
        let problem = match (stored.is_null(), wo.is_null(), version.is_null()) {
            (false, false, _) => Some((
                format!("{name}_wo"),
                format!("set {name} or {name}_wo, not both: {name}_wo is the write-only form of {name}"),
            )),
            (_, false, true) => Some((
                format!("{name}_wo_version"),
                format!(
                    "{name}_wo needs {name}_wo_version: the version, kept in state, says when to send the password \
                     again and that vCenter's copy is the write-only one"
                ),
            )),
            (_, true, false) => Some((
                format!("{name}_wo_version"),
                format!("{name}_wo_version goes with {name}_wo; set both or neither"),
            )),
            _ => None,
        };
        if let Some((attr, detail)) = problem {
            d.push(Diags::error_at(at.clone().then(attr), "Invalid guest customization", detail));
        }
    }
    d
}

/// Every problem of `spec` against `target`, as errors under `base`.
pub fn check(spec: &SpecFields, target: &Target<'_>, base: &AttrPath) -> Diags {
    let mut diags = Diags::none();
    if let Some(w) = &spec.windows_options {
        diags.push(write_only(w, &base.clone().then("windows_options")));
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::customization::model::WindowsOptions;

    fn windows(w: WindowsOptions) -> SpecFields {
        SpecFields {
            windows_options: Some(WindowsOptions { computer_name: Value::known("WIN-01".into()), ..w }),
            ..Default::default()
        }
    }

    fn paths(d: &Diags) -> Vec<String> {
        d.0.iter().filter_map(|x| x.path.as_ref().map(ToString::to_string)).collect()
    }

    #[test]
    fn write_only_passwords_count_as_given_and_need_their_version() {
        let base = AttrPath::attr("spec");
        let joined = |pw: WindowsOptions| WindowsOptions {
            join_domain: Value::known("corp.example.com".into()),
            domain_admin_user: Value::known("joiner".into()),
            ..pw
        };
        let ok = windows(joined(WindowsOptions {
            domain_admin_password_wo: Value::known("Wo-join-1".into()),
            domain_admin_password_wo_version: Value::known(1),
            ..Default::default()
        }));
        assert!(check(&ok, &Target::default(), &base).is_empty(), "{:?}", check(&ok, &Target::default(), &base));
        let missing = windows(joined(WindowsOptions::default()));
        assert!(check(&missing, &Target::default(), &base).has_errors(), "the join needs a password in some form");
        let no_version = windows(WindowsOptions { admin_password_wo: Value::known("x".into()), ..Default::default() });
        assert_eq!(
            paths(&check(&no_version, &Target::default(), &base)),
            ["spec.windows_options.admin_password_wo_version"]
        );
        let both = windows(WindowsOptions {
            admin_password: Value::known("x".into()),
            admin_password_wo: Value::known("y".into()),
            admin_password_wo_version: Value::known(1),
            ..Default::default()
        });
        assert_eq!(paths(&check(&both, &Target::default(), &base)), ["spec.windows_options.admin_password_wo"]);
        let version_alone =
            windows(WindowsOptions { admin_password_wo_version: Value::known(1), ..Default::default() });
        assert_eq!(
            paths(&check(&version_alone, &Target::default(), &base)),
            ["spec.windows_options.admin_password_wo_version"]
        );
    }
}
