//! Plan-time checks of `vi_catalog_item`: one source, a `source_file` that
//! parses with every referenced file present and every property type one
//! vSphere accepts, `tpm_provisioning` only for captures; and the plan's
//! computed values (digest and facts of a local file, the TPM policy).
use std::path::PathBuf;

use super::provenance;
use super::state::State;
use crate::ovf::package::{OvfPackage, open_package};
use crate::plugin::{AttrPath, Diags, Plan, Value};
use crate::rules::tpm::{TpmError, TpmPolicy};
use crate::shared::Meta;
use crate::shared::diag::library_diag;
use crate::shared::lookup::object_exists;
use crate::shared::ovf_facts::OvfFacts;
use crate::shared::ovf_facts::checks::{Problem, property_problems};
use crate::shared::tpm::template_origin::instantiate_tpm;
use crate::vi::MoType;

const SOURCES: [&str; 3] = ["source_file", "source_vm_id", "source_vapp_id"];

fn source_values(s: &State) -> [&Value<String>; 3] {
    [&s.source_file, &s.source_vm_id, &s.source_vapp_id]
}

/// Reads the package at `path` and checks it: it parses, its files are
/// there, its property types are vSphere's. Errors point at `source_file`.
pub fn load_package(path: &str) -> Result<OvfPackage, Diags> {
    let at = || AttrPath::attr("source_file");
    let pkg = open_package(&PathBuf::from(path))
        .map_err(|e| Diags::error_at(at(), "Invalid OVF package", format!("{path}: {e}")))?;
    // A default that does not fit its type is let through: vCenter takes
    // it, and deploying sets the value anyway.
    let problems: Vec<(String, String)> = property_problems(&pkg.descriptor)
        .into_iter()
        .filter_map(|p| match p.problem {
            Problem::UnsupportedType(e) => Some((p.place, e)),
            Problem::DefaultDoesNotFit(_) => None,
        })
        .collect();
    if problems.is_empty() {
        return Ok(pkg);
    }
    // vCenter refuses such a descriptor when it checks the upload or
    // deploys it; failing here keeps apply from stopping half-way.
    let mut d = Diags::none();
    for (place, message) in problems {
        d.push(Diags::error_at(
            at(),
            "OVF property type vSphere does not accept",
            format!("{path}: {place}: {message}"),
        ));
    }
    Err(d)
}

/// The package's digest, computed off the async threads (it reads every
/// byte of the package).
pub async fn package_sha256(pkg: OvfPackage, path: &str) -> Result<(OvfPackage, String), Diags> {
    let fail = |detail: String| Diags::error_at(AttrPath::attr("source_file"), "Cannot read the OVF package", detail);
    tokio::task::spawn_blocking(move || pkg.sha256().map(|sha| (pkg, sha)))
        .await
        .map_err(|e| fail(format!("{path}: {e}")))?
        .map_err(|e| fail(format!("{path}: {e}")))
}

fn tpm_diag(e: &TpmError) -> Diags {
    Diags::error_at(AttrPath::attr("tpm_provisioning"), "Invalid tpm_provisioning", e.to_string())
}

/// Static checks of the configuration (values may be unknown).
pub fn validate(c: &State) -> Diags {
    let mut d = Diags::none();
    if c.name.get().is_some_and(|n| n.trim().is_empty()) {
        d.push(Diags::error_at(AttrPath::attr("name"), "Invalid item name", "the name must not be empty"));
    }
    let set: Vec<&str> = SOURCES.iter().zip(source_values(c)).filter(|(_, v)| !v.is_null()).map(|(n, _)| *n).collect();
    match set.as_slice() {
        [] => d.push(Diags::error(
            "Missing source",
            "a catalog item needs exactly one source: `source_file` (a local .ovf or .ova), `source_vm_id` or \
             `source_vapp_id`",
        )),
        [_] => {}
        [first, rest @ ..] => {
            for other in rest {
                d.push(Diags::error_at(
                    AttrPath::attr(*other),
                    "Conflicting sources",
                    format!("`{first}` and `{other}` are both set; a catalog item has exactly one source"),
                ));
            }
        }
    }
    if let Some(p) = c.tpm_provisioning.get() {
        if !c.source_file.is_null() {
            d.push(Diags::error_at(
                AttrPath::attr("tpm_provisioning"),
                "tpm_provisioning needs a captured template",
                "tpm_provisioning is chosen when a VM or vApp is captured (`source_vm_id`, `source_vapp_id`); \
                 instantiating an uploaded OVF or OVA always replaces its TPM",
            ));
        }
        match p.parse::<TpmPolicy>() {
            Ok(TpmPolicy::New) => d.push(tpm_diag(&TpmError::InvalidCapturedPolicy { policy: TpmPolicy::New })),
            Ok(_) => {}
            Err(e) => d.push(tpm_diag(&e)),
        }
    }
    if let Some(path) = c.source_file.get()
        && let Err(e) = load_package(path)
    {
        d.push(e);
    }
    d
}

/// Fills the computed values the plan can know and checks what vCenter
/// would refuse later.
pub async fn refine(meta: Option<&Meta>, plan: &mut Plan<State>) -> Diags {
    let mut d = Diags::none();
    match plan.config.source_file.clone() {
        Value::Known(path) => match load_package(&path) {
            Ok(pkg) => match package_sha256(pkg, &path).await {
                Ok((pkg, sha)) => {
                    // Terraform replaces only for paths whose value changes:
                    // the digest's, not the path's.
                    if plan.prior.as_ref().is_some_and(|p| p.source_sha256.get() != Some(&sha)) {
                        plan.requires_replace.push(AttrPath::attr("source_sha256"));
                    }
                    plan.planned.source_sha256 = Value::known(sha);
                    plan.planned.set_facts(OvfFacts::of(&pkg.descriptor));
                }
                Err(e) => return e,
            },
            Err(e) => return e,
        },
        Value::Unknown => {
            // Known only at apply: the content may differ, so replace.
            plan.planned.source_sha256 = Value::Unknown;
            plan.planned.facts_unknown();
            if plan.prior.is_some() {
                plan.requires_replace.push(AttrPath::attr("source_sha256"));
            }
        }
        Value::Null => {
            plan.planned.source_sha256 = Value::Null;
            // A file-based item becoming a capture is replaced (the capture
            // source is force_new); its facts are then read after capture.
        }
    }
    let Some(meta) = meta else {
        plan.planned.instantiate_tpm = Value::Unknown;
        return d;
    };
    match provenance::origin(&plan.planned).and_then(|o| instantiate_tpm(meta.client.api_version(), o)) {
        Ok(p) => plan.planned.instantiate_tpm = Value::from_option(p.map(|p| p.to_string())),
        Err(e) => {
            d.push(tpm_diag(&e));
            return d;
        }
    }
    d.push(check_references(meta, plan).await);
    d
}

/// The catalog and the capture source exist (checked when they change; the
/// server would otherwise fail the create, vcsim without a clear reason).
async fn check_references(meta: &Meta, plan: &Plan<State>) -> Diags {
    let mut d = Diags::none();
    let changed = |f: fn(&State) -> &Value<String>| {
        let v = f(&plan.planned).get();
        v.filter(|v| plan.prior.as_ref().is_none_or(|p| f(p).get() != Some(*v)))
    };
    if let Some(catalog) = changed(|s| &s.catalog_id) {
        let found = match meta.library().await {
            Ok(lib) => lib.get_library(catalog).await,
            Err(e) => Err(e),
        };
        match found {
            Ok(Some(_)) => {}
            Ok(None) => d.push(Diags::error_at(
                AttrPath::attr("catalog_id"),
                "Catalog not found",
                format!("vCenter has no content library with id {catalog:?}"),
            )),
            Err(e) => d.push(library_diag(&e, "checking the catalog", Some("catalog_id"))),
        }
    }
    let sources = [
        (changed(|s| &s.source_vm_id), "source_vm_id", MoType::VirtualMachine, "VM"),
        (changed(|s| &s.source_vapp_id), "source_vapp_id", MoType::VirtualApp, "vApp"),
    ];
    for (id, attr, kind, what) in sources {
        let Some(id) = id else { continue };
        match object_exists(meta, kind, id).await {
            Ok(true) => {}
            Ok(false) => d.push(Diags::error_at(
                AttrPath::attr(attr),
                format!("{what} not found"),
                format!("vSphere has no {what} with the id {id:?}"),
            )),
            Err(e) => d.push(library_diag(&e, &format!("checking the source {what}"), Some(attr))),
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    const OVF: &str = r#"<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
  <References><File ovf:id="f0" ovf:href="d.vmdk"/></References>
  <VirtualSystem ovf:id="vm1"><Info>x</Info>
    <ProductSection ovf:class="app"><Info>p</Info>
      <Property ovf:key="port" ovf:type="TYPE"/>
    </ProductSection>
  </VirtualSystem>
</Envelope>"#;

    fn messages(d: &Diags) -> Vec<String> {
        d.0.iter().map(|x| format!("{} {}", x.summary, x.detail)).collect()
    }

    fn file_item(dir: &std::path::Path, prop_type: &str) -> State {
        let p = dir.join("a.ovf");
        std::fs::write(&p, OVF.replace("TYPE", prop_type)).unwrap();
        std::fs::write(dir.join("d.vmdk"), b"disk").unwrap();
        State { name: Value::known("a".into()), source_file: Value::known(p.display().to_string()), ..State::default() }
    }

    #[test]
    fn exactly_one_source() {
        let none = State { name: Value::known("a".into()), ..State::default() };
        assert!(messages(&validate(&none))[0].contains("exactly one source"));
        let two = State { source_vm_id: Value::known("vm-1".into()), source_vapp_id: Value::Unknown, ..none.clone() };
        let d = validate(&two);
        assert_eq!(d.0.len(), 1, "{d:?}");
        assert_eq!(d.0[0].path, Some(AttrPath::attr("source_vapp_id")));
        let one = State { source_vm_id: Value::Unknown, ..none };
        assert!(validate(&one).is_empty());
    }

    #[test]
    fn tpm_provisioning_only_for_captures_and_only_copy_or_replace() {
        let dir = tempfile::tempdir().unwrap();
        let file = State { tpm_provisioning: Value::known("copy".into()), ..file_item(dir.path(), "string") };
        let d = validate(&file);
        assert_eq!(d.0.len(), 1, "{d:?}");
        assert_eq!(d.0[0].path, Some(AttrPath::attr("tpm_provisioning")));
        let vm = State {
            name: Value::known("a".into()),
            source_vm_id: Value::known("vm-1".into()),
            tpm_provisioning: Value::known("replace".into()),
            ..State::default()
        };
        assert!(validate(&vm).is_empty());
        for bad in ["new", "Replace", ""] {
            let d = validate(&State { tpm_provisioning: Value::known(bad.into()), ..vm.clone() });
            assert_eq!(d.0.len(), 1, "{bad}: {d:?}");
            assert_eq!(d.0[0].path, Some(AttrPath::attr("tpm_provisioning")), "{bad}");
        }
    }

    #[test]
    fn source_file_must_parse_and_have_its_files() {
        let dir = tempfile::tempdir().unwrap();
        assert!(validate(&file_item(dir.path(), "uint16")).is_empty());

        let bad_type = validate(&file_item(dir.path(), "ipv9"));
        let m = messages(&bad_type);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].contains(r#"property "app.port" of virtual system "vm1""#) && m[0].contains("ipv9"), "{m:?}");
        assert_eq!(bad_type.0[0].path, Some(AttrPath::attr("source_file")));

        let item = file_item(dir.path(), "string");
        std::fs::remove_file(dir.path().join("d.vmdk")).unwrap();
        let m = messages(&validate(&item));
        assert!(m[0].contains("d.vmdk") && m[0].contains("Invalid OVF package"), "{m:?}");

        std::fs::write(dir.path().join("a.ovf"), "<not-ovf/>").unwrap();
        let m = messages(&validate(&item));
        assert!(m[0].contains("not an OVF descriptor"), "{m:?}");

        let missing = State { source_file: Value::known("/nonexistent/x.ova".into()), ..item };
        let m = messages(&validate(&missing));
        assert!(m[0].contains("/nonexistent/x.ova"), "{m:?}");
    }

    fn plan_of(prior: Option<State>, config: State) -> Plan<State> {
        Plan { prior, planned: config.clone(), config, requires_replace: Vec::new() }
    }

    #[tokio::test]
    async fn a_local_file_gives_digest_and_facts_at_plan() {
        let dir = tempfile::tempdir().unwrap();
        let config = file_item(dir.path(), "string");
        let mut plan = plan_of(None, config.clone());
        let d = refine(None, &mut plan).await;
        assert!(d.is_empty(), "{d:?}");
        let sha = plan.planned.source_sha256.get().cloned().unwrap();
        assert_eq!(sha.len(), 64);
        assert_eq!(plan.planned.has_tpm, Value::known(false));
        let vs = plan.planned.virtual_systems.get().unwrap();
        assert_eq!(vs[0].vapp_properties[0].full_key, "app.port");
        assert!(plan.planned.instantiate_tpm.is_unknown(), "needs the vCenter version");

        // Unchanged content: no replacement, even from another path.
        let moved = dir.path().join("moved");
        std::fs::create_dir(&moved).unwrap();
        std::fs::copy(dir.path().join("a.ovf"), moved.join("a.ovf")).unwrap();
        std::fs::copy(dir.path().join("d.vmdk"), moved.join("d.vmdk")).unwrap();
        let prior = plan.planned.clone();
        let elsewhere =
            State { source_file: Value::known(moved.join("a.ovf").display().to_string()), ..config.clone() };
        let mut plan = plan_of(Some(prior.clone()), elsewhere);
        assert!(refine(None, &mut plan).await.is_empty());
        assert!(plan.requires_replace.is_empty());

        // A changed disk: replacement.
        std::fs::write(dir.path().join("d.vmdk"), b"disk, changed").unwrap();
        let mut plan = plan_of(Some(prior.clone()), config);
        assert!(refine(None, &mut plan).await.is_empty());
        assert_eq!(plan.requires_replace, [AttrPath::attr("source_sha256")]);
        assert_ne!(plan.planned.source_sha256.get(), Some(&sha));

        // A path known only at apply: replacement, digest and facts unknown.
        let unknown = State { source_file: Value::Unknown, ..State::default() };
        let mut plan = plan_of(Some(prior), unknown);
        assert!(refine(None, &mut plan).await.is_empty());
        assert_eq!(plan.requires_replace, [AttrPath::attr("source_sha256")]);
        assert!(plan.planned.source_sha256.is_unknown() && plan.planned.virtual_systems.is_unknown());
    }
}
