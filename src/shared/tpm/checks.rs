//! The vTPM rules as both ways in use them: `vi_vm.vtpm` (the VM's settings
//! are in the same configuration) and `vi_vtpm` (the VM is managed
//! elsewhere). One place builds the facts the rules need — from a live VM,
//! from a planned configuration, or from both — and one place turns each
//! unmet rule into a diagnostic on the attribute it concerns. Also the TPM
//! policy of a clone (`vi_vm.clone.tpm_provisioning`).
//!
//! No I/O here: the reads are in [`super::device`].
use crate::plugin::{AttrPath, Diags, Value};
use crate::rules::tpm::{
    Firmware, KeyProviders, PowerState, TemplateOrigin, TpmError, TpmOperation, TpmPolicy, VcenterVersion, VmFacts,
    check_add, check_remove, check_vcenter, effective_policy, hardware_version_number,
};
use crate::vi::ManagedObjectReference;
use crate::vi::MoType;
use crate::vi::object::crypto::KmipClusterInfo;
use crate::vi::object::vm::VmInfo;

/// What the configuration decides about the VM, laid over what vSphere
/// says (or standing alone for a VM that does not exist yet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overlay {
    pub firmware: Option<Firmware>,
    pub hardware_version: Option<i64>,
    pub guest_id: Option<String>,
    /// The power state the VM will be in when the vTPM is added or removed.
    pub power_state: Option<PowerState>,
}

/// The facts of a live VM as vSphere reports them.
pub fn live_facts(info: &VmInfo) -> VmFacts {
    VmFacts {
        // An unreadable state cannot be shown to be "off".
        power_state: info.power_state.parse().unwrap_or(PowerState::PoweredOn),
        snapshot_names: info.snapshot_names.clone(),
        // vSphere leaves `firmware` unset for BIOS VMs on older versions.
        firmware: info.firmware.as_deref().and_then(|f| f.parse().ok()).unwrap_or(Firmware::Bios),
        // An unreadable version is reported as 0, which fails the rule.
        hardware_version: info.version.as_deref().and_then(hardware_version_number).unwrap_or(0),
        guest_id: info.guest_id.clone().unwrap_or_default(),
        has_tpm: info.has_tpm(),
        encrypted_with: info.key_provider().map(str::to_owned),
    }
}

/// The facts the rules see: the live VM (if there is one) with the
/// configuration's values on top. A VM that does not exist yet is created
/// powered off, without snapshots, TPM or encryption; it needs every
/// setting from the overlay, else `None` (not decidable yet).
pub fn facts(live: Option<&VmInfo>, overlay: &Overlay) -> Option<VmFacts> {
    let mut f = match live {
        Some(info) => live_facts(info),
        None => VmFacts {
            power_state: PowerState::PoweredOff,
            snapshot_names: Vec::new(),
            firmware: overlay.firmware?,
            hardware_version: overlay.hardware_version?,
            guest_id: overlay.guest_id.clone()?,
            has_tpm: false,
            encrypted_with: None,
        },
    };
    if let Some(fw) = overlay.firmware {
        f.firmware = fw;
    }
    if let Some(v) = overlay.hardware_version {
        f.hardware_version = v;
    }
    if let Some(g) = &overlay.guest_id {
        f.guest_id.clone_from(g);
    }
    if let Some(p) = overlay.power_state {
        f.power_state = p;
    }
    Some(f)
}

/// The key providers as the rules see them. `registered` is `None` while
/// vCenter cannot be asked (a plan before the provider is configured), and
/// an unknown `key_provider_id` cannot be judged either: then only what
/// needs no vCenter is checked (an empty id), the rest at apply.
/// `entities` are the VM's host and the like: a provider that is the
/// default for one of them counts as a default.
pub fn key_providers(
    registered: Option<&[KmipClusterInfo]>,
    explicit: &Value<String>,
    entities: &[ManagedObjectReference],
) -> KeyProviders {
    match (registered, explicit) {
        (Some(list), Value::Known(_) | Value::Null) => KeyProviders {
            explicit: explicit.get().cloned(),
            default_registered: list
                .iter()
                .any(|k| k.use_as_default || k.use_as_entity_default.iter().any(|e| entities.contains(e))),
            registered: list.iter().map(|k| k.cluster_id.clone()).collect(),
        },
        // Not decidable yet: a stand-in that passes every provider rule
        // except the empty id.
        _ => KeyProviders {
            explicit: explicit.get().filter(|id| id.is_empty()).cloned(),
            default_registered: true,
            registered: Vec::new(),
        },
    }
}

/// Every unmet prerequisite for adding a vTPM; `api_version` is vCenter's
/// (`None` while it cannot be asked), which must be 7.0 or later.
pub fn add_errors(facts: &VmFacts, providers: &KeyProviders, api_version: Option<&str>) -> Vec<TpmError> {
    api_version.and_then(check_vcenter).into_iter().chain(check_add(facts, providers)).collect()
}

/// Every unmet prerequisite for removing a vTPM.
pub fn remove_errors(facts: &VmFacts) -> Vec<TpmError> {
    check_remove(facts)
}

/// Which resource a rule is reported for, which decides where each error
/// points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// `vi_vm`: firmware, hardware version, guest and power state are
    /// attributes of the same configuration. `reboot_hint` adds how to let
    /// the provider power the VM off.
    OwnVm { reboot_hint: bool },
    /// `vi_vtpm`: the VM (managed elsewhere) is named by `vm_id`.
    OtherVm { vm_id: String },
}

/// Where an error belongs in the configuration.
pub fn path_of(e: &TpmError, subject: &Subject) -> AttrPath {
    match subject {
        Subject::OwnVm { .. } => match e.field() {
            "key_provider_id" => AttrPath::attr("vtpm").then("key_provider_id"),
            "tpm_provisioning" | "api_version" => AttrPath::attr("clone").then("tpm_provisioning"),
            "template_origin" => AttrPath::attr("clone").then("source_id"),
            attr @ ("power_state" | "firmware" | "hardware_version" | "guest_id") => AttrPath::attr(attr),
            _ => AttrPath::attr("vtpm"),
        },
        Subject::OtherVm { .. } => match e.attribute() {
            Some("key_provider_id") => AttrPath::attr("key_provider_id"),
            _ => AttrPath::attr("vm_id"),
        },
    }
}

/// One error diagnostic per unmet rule, each naming the rule.
pub fn diags(errors: &[TpmError], subject: &Subject) -> Diags {
    let mut d = Diags::none();
    for e in errors {
        let vcenter_too_old = matches!(e, TpmError::VcenterTooOld { .. });
        let mut detail = match subject {
            Subject::OtherVm { vm_id } if e.attribute().is_none() && !vcenter_too_old => format!("VM {vm_id}: {e}"),
            _ => e.to_string(),
        };
        if let (Subject::OtherVm { vm_id }, TpmError::TpmAlreadyPresent) = (subject, e) {
            detail.push_str(&format!("; to manage that one, import it: terraform import <address> {vm_id}"));
        }
        if matches!(subject, Subject::OwnVm { reboot_hint: true }) && matches!(e, TpmError::NotPoweredOff { .. }) {
            detail.push_str(
                "; set `reboot_allowed = true` to let the provider shut it down and start it again, or \
                 `power_state = \"off\"`",
            );
        }
        // Among the `vtpm` block's prerequisites the vCenter version is the
        // block's, not the clone's `tpm_provisioning` (see `path_of`).
        let path = match subject {
            Subject::OwnVm { .. } if vcenter_too_old => AttrPath::attr("vtpm"),
            _ => path_of(e, subject),
        };
        d.push(Diags::error_at(path, format!("vTPM prerequisite not met: {}", e.field()), detail));
    }
    d
}

/// What an operation that copies or instantiates a VM does with its
/// source's TPM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TpmProvisioning {
    /// The reference table's row the operation falls under.
    pub operation: TpmOperation,
    pub policy: TpmPolicy,
    /// What to ask vSphere for (`VirtualMachineCloneSpec.tpmProvisionPolicy`
    /// and the like): only for a source with a TPM, and never a `copy` on
    /// vCenter 7 (whose API has no such field, and copies anyway).
    pub send: Option<TpmPolicy>,
}

/// The copy/replace decision every operation that copies or instantiates
/// a VM goes through (a `vi_vm` clone; catalog instantiation passes the
/// template's origin): the table's row, the vCenter version from
/// `apiVersion`, and the requested `tpm_provisioning`. Without a request,
/// a source without a TPM, or a vCenter older than the table (7.0), needs
/// nothing.
pub fn provisioning(
    api_version: &str,
    operation: TpmOperation,
    origin: Option<TemplateOrigin>,
    source_has_tpm: bool,
    requested: Option<&str>,
) -> Result<Option<TpmProvisioning>, TpmError> {
    let requested = requested.map(str::parse::<TpmPolicy>).transpose()?;
    if requested.is_none() && !source_has_tpm {
        return Ok(None);
    }
    let version = match (VcenterVersion::from_api_version(api_version), requested) {
        (Ok(v), _) => v,
        (Err(e), Some(_)) => return Err(e),
        // Nothing asked of a vCenter the table does not cover: vSphere
        // copies as it always has, and nothing is sent.
        (Err(_), None) => return Ok(None),
    };
    let policy = effective_policy(operation, version, origin, requested)?;
    let send = (source_has_tpm && !(version == VcenterVersion::V7 && policy == TpmPolicy::Copy)).then_some(policy);
    Ok(Some(TpmProvisioning { operation, policy, send }))
}

/// The vApp a VM is in: `parentVApp`, else its resource pool when that is
/// a vApp (vcsim reports only the latter).
fn vapp_of(vm: &VmInfo) -> Option<&ManagedObjectReference> {
    vm.parent_vapp.as_ref().or(vm.resource_pool.as_ref().filter(|p| p.is(MoType::VirtualApp)))
}

/// The row of the reference table a clone of `source` falls under.
///
/// A template is instantiated ("create a VM from a template"). A VM cloned
/// into a vApp other than its own is "copied to a different vApp" (see
/// [`is_copy_to_other_vapp`]). The table has no row for a plain clone
/// (outside vApps, or within one); it copies a VM all the same, so it
/// follows that row too: copy only on vCenter 7 (whose clone API cannot
/// replace a TPM), copy or replace on 8.
pub fn clone_operation(source: &VmInfo, dest_pool: &ManagedObjectReference) -> TpmOperation {
    if source.template {
        TpmOperation::VmFromTemplate
    } else if is_copy_to_other_vapp(source, dest_pool) {
        TpmOperation::CopyVmToOtherVapp
    } else {
        TpmOperation::CloneVm
    }
}

/// Whether a clone goes into a vApp other than the source's.
pub fn is_copy_to_other_vapp(source: &VmInfo, dest_pool: &ManagedObjectReference) -> bool {
    dest_pool.is(MoType::VirtualApp) && vapp_of(source) != Some(dest_pool)
}

/// The TPM policy of a clone of `source` into `dest_pool` (see
/// [`clone_operation`]); plain vSphere does not know how a template came
/// to be, so its origin is unknown (copy or replace).
pub fn clone_policy(
    api_version: &str,
    source: &VmInfo,
    dest_pool: &ManagedObjectReference,
    requested: Option<&str>,
) -> Result<Option<TpmProvisioning>, TpmError> {
    provisioning(api_version, clone_operation(source, dest_pool), None, source.has_tpm(), requested)
}

/// The message of a TPM policy error; a VM clone refused a replacement on
/// 7.x is told why. (The `tpm_provisioning_problem` function says the same.)
pub fn policy_detail(e: &TpmError) -> String {
    let mut detail = e.to_string();
    if let TpmError::PolicyNotAllowed {
        operation: TpmOperation::CloneVm | TpmOperation::CopyVmToOtherVapp,
        version: VcenterVersion::V7,
        ..
    } = e
    {
        detail.push_str(" (vCenter 7's clone copies the source's vTPM; replacing it needs vCenter 8)");
    }
    detail
}

/// A clone-policy error as a diagnostic on `clone.tpm_provisioning`.
pub fn clone_policy_diag(e: &TpmError) -> Diags {
    Diags::error_at(
        path_of(e, &Subject::OwnVm { reboot_hint: false }),
        "TPM provisioning not possible",
        policy_detail(e),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vi::object::vm_device::VirtualDevice;

    fn efi_vm() -> VmInfo {
        VmInfo {
            power_state: "poweredOff".into(),
            firmware: Some("efi".into()),
            version: Some("vmx-19".into()),
            guest_id: Some("windows2019srv_64Guest".into()),
            ..Default::default()
        }
    }

    fn with_tpm(mut vm: VmInfo) -> VmInfo {
        vm.devices.push(VirtualDevice::new_tpm(11000));
        vm
    }

    fn kp(id: &str, default: bool) -> KmipClusterInfo {
        KmipClusterInfo { cluster_id: id.into(), use_as_default: default, ..Default::default() }
    }

    #[test]
    fn live_facts_read_what_vsphere_says() {
        let mut vm = with_tpm(efi_vm());
        vm.snapshot_names = vec!["s".into()];
        vm.key_id = Some(crate::vi::object::crypto::CryptoKeyId { key_id: "k".into(), provider_id: Some("kp".into()) });
        let f = live_facts(&vm);
        assert_eq!(f.power_state, PowerState::PoweredOff);
        assert_eq!(f.firmware, Firmware::Efi);
        assert_eq!(f.hardware_version, 19);
        assert!(f.has_tpm);
        assert_eq!(f.snapshot_names, vec!["s"]);
        assert_eq!(f.encrypted_with.as_deref(), Some("kp"));
        // Unset or odd values fail the rules rather than pass them.
        let bare = live_facts(&VmInfo::default());
        assert_eq!(
            (bare.power_state, bare.firmware, bare.hardware_version),
            (PowerState::PoweredOn, Firmware::Bios, 0)
        );
    }

    #[test]
    fn a_new_vm_needs_every_setting_from_the_configuration() {
        let full = Overlay {
            firmware: Some(Firmware::Efi),
            hardware_version: Some(14),
            guest_id: Some("otherGuest64".into()),
            power_state: None,
        };
        let f = facts(None, &full).unwrap();
        assert_eq!(f.power_state, PowerState::PoweredOff);
        assert!(add_errors(&f, &key_providers(Some(&[kp("a", true)]), &Value::Null, &[]), None).is_empty());
        assert_eq!(facts(None, &Overlay { hardware_version: None, ..full.clone() }), None);
    }

    #[test]
    fn the_configuration_wins_over_the_live_vm() {
        let mut vm = efi_vm();
        vm.firmware = Some("bios".into());
        vm.power_state = "poweredOn".into();
        let o =
            Overlay { firmware: Some(Firmware::Efi), power_state: Some(PowerState::PoweredOff), ..Default::default() };
        let f = facts(Some(&vm), &o).unwrap();
        assert_eq!((f.firmware, f.power_state, f.hardware_version), (Firmware::Efi, PowerState::PoweredOff, 19));
    }

    #[test]
    fn key_providers_unknown_until_vcenter_can_be_asked() {
        let f = live_facts(&efi_vm());
        // Not asked yet: only an empty id is refused.
        assert!(add_errors(&f, &key_providers(None, &Value::known("kp-x".into()), &[]), None).is_empty());
        assert!(add_errors(&f, &key_providers(None, &Value::Null, &[]), None).is_empty());
        let empty = add_errors(&f, &key_providers(None, &Value::known(String::new()), &[]), None);
        assert!(matches!(empty[..], [TpmError::EmptyKeyProviderId { .. }]), "{empty:?}");
        // Asked: no default, and an unknown id.
        let list = [kp("a", false)];
        let none = add_errors(&f, &key_providers(Some(&list), &Value::Null, &[]), None);
        assert!(matches!(none[..], [TpmError::NoDefaultKeyProvider { .. }]), "{none:?}");
        assert!(add_errors(&f, &key_providers(Some(&list), &Value::known("a".into()), &[]), None).is_empty());
        let unknown = add_errors(&f, &key_providers(Some(&list), &Value::known("b".into()), &[]), None);
        assert!(matches!(unknown[..], [TpmError::KeyProviderNotRegistered { .. }]), "{unknown:?}");
        // A value known only at apply is judged at apply.
        assert!(add_errors(&f, &key_providers(Some(&list), &Value::Unknown, &[]), None).is_empty());
        // A default for the VM's host counts.
        let host = MoType::HostSystem.moref("host-1");
        let list = [KmipClusterInfo { use_as_entity_default: vec![host.clone()], ..kp("a", false) }];
        assert!(add_errors(&f, &key_providers(Some(&list), &Value::Null, &[host]), None).is_empty());
    }

    #[test]
    fn a_vcenter_before_7_is_refused_on_the_vtpm_block_or_the_vm() {
        let f = live_facts(&efi_vm());
        let kp = key_providers(Some(&[kp("a", true)]), &Value::Null, &[]);
        assert!(add_errors(&f, &kp, Some("7.0.3.0")).is_empty());
        let errors = add_errors(&f, &kp, Some("6.7"));
        assert!(matches!(errors[..], [TpmError::VcenterTooOld { .. }]), "{errors:?}");
        let own = diags(&errors, &Subject::OwnVm { reboot_hint: false });
        assert_eq!(own.0[0].path.as_ref().map(ToString::to_string).as_deref(), Some("vtpm"));
        assert!(own.0[0].detail.contains("a vTPM needs vCenter 7.0 or later"), "{}", own.0[0].detail);
        let other = diags(&errors, &Subject::OtherVm { vm_id: "vm-1".into() });
        assert_eq!(other.0[0].path.as_ref().map(ToString::to_string).as_deref(), Some("vm_id"));
        assert!(other.0[0].detail.starts_with("a vTPM needs vCenter 7.0"), "{}", other.0[0].detail);
    }

    #[test]
    fn errors_land_on_the_attribute_or_the_vm() {
        let vm = VmInfo { power_state: "poweredOn".into(), firmware: Some("bios".into()), ..efi_vm() };
        let errors = add_errors(&live_facts(&vm), &key_providers(Some(&[]), &Value::Null, &[]), None);
        let own = diags(&errors, &Subject::OwnVm { reboot_hint: true });
        let paths: Vec<String> = own.0.iter().filter_map(|d| d.path.as_ref().map(ToString::to_string)).collect();
        assert_eq!(paths, ["power_state", "firmware", "vtpm.key_provider_id"]);
        assert!(own.0[0].detail.contains("reboot_allowed"), "{}", own.0[0].detail);
        assert!(own.0[1].summary.contains("firmware"), "{}", own.0[1].summary);
        let other = diags(&errors, &Subject::OtherVm { vm_id: "vm-7".into() });
        let paths: Vec<String> = other.0.iter().filter_map(|d| d.path.as_ref().map(ToString::to_string)).collect();
        assert_eq!(paths, ["vm_id", "vm_id", "key_provider_id"]);
        assert!(other.0[0].detail.starts_with("VM vm-7: the VM is powered on"), "{}", other.0[0].detail);
        assert!(!other.0[0].detail.contains("reboot_allowed"));
        let present = diags(&[TpmError::TpmAlreadyPresent], &Subject::OtherVm { vm_id: "vm-7".into() });
        assert!(present.0[0].detail.ends_with("terraform import <address> vm-7"), "{}", present.0[0].detail);
        let removal = diags(&remove_errors(&live_facts(&vm)), &Subject::OwnVm { reboot_hint: false });
        assert_eq!(removal.0.len(), 1);
        assert!(!removal.0[0].detail.contains("reboot_allowed"));
    }

    #[test]
    fn clone_policy_by_version_destination_and_source() {
        let pool = MoType::ResourcePool.moref("resgroup-1");
        let vapp_a = MoType::VirtualApp.moref("resgroup-10");
        let vapp_b = MoType::VirtualApp.moref("resgroup-11");
        let plain = efi_vm();
        let tpm = with_tpm(efi_vm());
        let in_a = VmInfo { resource_pool: Some(vapp_a.clone()), ..tpm.clone() };
        // Nothing asked, no TPM: nothing to do, whatever the version.
        assert_eq!(clone_policy("6.5", &plain, &pool, None), Ok(None));
        // A TPM source copies by default; on 7 nothing is sent.
        let p = clone_policy("7.0.3.0", &tpm, &pool, None).unwrap().unwrap();
        assert_eq!((p.policy, p.send), (TpmPolicy::Copy, None));
        let p = clone_policy("8.0.2.0", &tpm, &pool, None).unwrap().unwrap();
        assert_eq!((p.policy, p.send), (TpmPolicy::Copy, Some(TpmPolicy::Copy)));
        // Replace into another vApp: 8 yes, 7 no.
        assert!(is_copy_to_other_vapp(&in_a, &vapp_b));
        assert!(!is_copy_to_other_vapp(&in_a, &vapp_a));
        let p = clone_policy("8.0", &in_a, &vapp_b, Some("replace")).unwrap().unwrap();
        assert_eq!((p.operation, p.send), (TpmOperation::CopyVmToOtherVapp, Some(TpmPolicy::Replace)));
        let e = clone_policy("7.0", &in_a, &vapp_b, Some("replace")).unwrap_err();
        assert!(matches!(e, TpmError::PolicyNotAllowed { .. }), "{e}");
        let d = clone_policy_diag(&e);
        assert_eq!(d.0[0].path.as_ref().map(ToString::to_string).as_deref(), Some("clone.tpm_provisioning"));
        assert!(d.0[0].detail.contains("copy a VM to a different vApp on vCenter 7.x"), "{}", d.0[0].detail);
        // A plain clone (into a pool, or within its own vApp) follows the
        // same rule, in its own words.
        for (source, dest) in [(&tpm, &pool), (&in_a, &vapp_a)] {
            let e = clone_policy("7.0", source, dest, Some("replace")).unwrap_err();
            let detail = &clone_policy_diag(&e).0[0].detail;
            assert!(detail.starts_with("tpm_provisioning `replace` is not allowed when you clone a VM on vCenter 7.x"));
            assert!(!detail.contains("vApp"), "{detail}");
            assert!(detail.contains("replacing it needs vCenter 8"), "{detail}");
            let p = clone_policy("8.0", source, dest, Some("replace")).unwrap().unwrap();
            assert_eq!((p.operation, p.send), (TpmOperation::CloneVm, Some(TpmPolicy::Replace)));
        }
        // A template: copy or replace on either version; the source without
        // a TPM gets no policy sent.
        let template = VmInfo { template: true, ..plain.clone() };
        let p = clone_policy("7.0", &template, &pool, Some("replace")).unwrap().unwrap();
        assert_eq!((p.operation, p.policy, p.send), (TpmOperation::VmFromTemplate, TpmPolicy::Replace, None));
        // Bad inputs name what is wrong.
        assert_eq!(clone_policy("8.0", &tpm, &pool, Some("new")).unwrap_err().attribute(), Some("tpm_provisioning"));
        assert_eq!(clone_policy("6.7", &tpm, &pool, Some("copy")).unwrap_err().fact(), Some("api_version"));
        assert_eq!(clone_policy("6.7", &tpm, &pool, None), Ok(None), "nothing asked, nothing sent");
        assert!(matches!(clone_policy("8.0", &tpm, &pool, Some("Copy")), Err(TpmError::UnknownPolicy { .. })));
        // A template whose origin is known (catalog instantiation) follows it.
        let uploaded = Some(crate::rules::tpm::TemplateOrigin::UploadedOvf);
        let p = provisioning("8.0", TpmOperation::VmFromTemplate, uploaded, true, None).unwrap().unwrap();
        assert_eq!((p.policy, p.send), (TpmPolicy::Replace, Some(TpmPolicy::Replace)));
        assert!(provisioning("8.0", TpmOperation::VmFromTemplate, uploaded, true, Some("copy")).is_err());
    }
}
