//! Whether an operation copies a VM's TPM, replaces it, or creates a new one.
//!
//! Follows the "TPM device by operation" table of Cloud Director's TPM
//! documentation, for vCenter 7.x and 8.x, and its rules for instantiating
//! templates (the origin of the template decides). When a request names no
//! policy the TPM is copied, unless the operation or template dictates
//! otherwise. Where the documentation is silent the choice is the strict one,
//! noted at the spot.

use std::fmt;
use std::str::FromStr;

use super::tpm::TpmError;

/// What happens to a VM's TPM device during an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TpmPolicy {
    /// The new VM gets a copy of the source TPM, secrets included.
    Copy,
    /// The new VM gets a fresh TPM in place of the source's.
    Replace,
    /// There is no source TPM: the operation creates a new device.
    New,
}

impl fmt::Display for TpmPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TpmPolicy::Copy => "copy",
            TpmPolicy::Replace => "replace",
            TpmPolicy::New => "new",
        })
    }
}

impl FromStr for TpmPolicy {
    type Err = TpmError;

    /// `copy`, `replace` or `new`, as a user writes `tpm_provisioning`.
    fn from_str(s: &str) -> Result<Self, TpmError> {
        match s {
            "copy" => Ok(TpmPolicy::Copy),
            "replace" => Ok(TpmPolicy::Replace),
            "new" => Ok(TpmPolicy::New),
            _ => Err(TpmError::UnknownPolicy { given: s.to_owned() }),
        }
    }
}

/// One row of the reference's table (the "copy a vApp" row is split into
/// its stopped and powered-on cases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TpmOperation {
    /// Create a standalone VM.
    NewVm,
    /// Create a VM from a VM template.
    VmFromTemplate,
    /// Create (compose) a vApp from VM templates; ask once per template.
    VappFromVmTemplates,
    /// Create a vApp from an OVF package.
    VappFromOvfPackage,
    /// Create a vApp from a vApp template.
    VappFromTemplate,
    /// Import a VM from vCenter as a vApp.
    ImportFromVcenter,
    /// Add a new VM to a vApp.
    AddNewVmToVapp,
    /// Add a VM from a template to a vApp.
    AddVmFromTemplate,
    /// Copy a VM to a different vApp.
    CopyVmToOtherVapp,
    /// Move a VM to a different vApp.
    MoveVmToOtherVapp,
    /// Copy a stopped vApp (e.g. to another VDC).
    CopyStoppedVapp,
    /// Copy a powered-on vApp.
    CopyPoweredOnVapp,
    /// Save a vApp as a vApp template in a catalog.
    SaveVappAsTemplate,
    /// Create a vApp template from an OVF file.
    VappTemplateFromOvf,
    /// Clone a VM (not a template) anywhere but into another vApp. Not a row
    /// of the reference: a clone copies a VM, so it follows
    /// [`CopyVmToOtherVapp`](Self::CopyVmToOtherVapp)'s rule, but its
    /// errors speak of what the user did.
    CloneVm,
}

impl TpmOperation {
    /// Every operation, in the reference table's order, then the ones the
    /// table does not name.
    pub const ALL: [TpmOperation; 15] = [
        TpmOperation::NewVm,
        TpmOperation::VmFromTemplate,
        TpmOperation::VappFromVmTemplates,
        TpmOperation::VappFromOvfPackage,
        TpmOperation::VappFromTemplate,
        TpmOperation::ImportFromVcenter,
        TpmOperation::AddNewVmToVapp,
        TpmOperation::AddVmFromTemplate,
        TpmOperation::CopyVmToOtherVapp,
        TpmOperation::MoveVmToOtherVapp,
        TpmOperation::CopyStoppedVapp,
        TpmOperation::CopyPoweredOnVapp,
        TpmOperation::SaveVappAsTemplate,
        TpmOperation::VappTemplateFromOvf,
        TpmOperation::CloneVm,
    ];

    /// The operation's name as functions take it: `clone_vm`,
    /// `vm_from_template`, … (the variant in snake case).
    pub fn name(self) -> &'static str {
        match self {
            TpmOperation::NewVm => "new_vm",
            TpmOperation::VmFromTemplate => "vm_from_template",
            TpmOperation::VappFromVmTemplates => "vapp_from_vm_templates",
            TpmOperation::VappFromOvfPackage => "vapp_from_ovf_package",
            TpmOperation::VappFromTemplate => "vapp_from_template",
            TpmOperation::ImportFromVcenter => "import_from_vcenter",
            TpmOperation::AddNewVmToVapp => "add_new_vm_to_vapp",
            TpmOperation::AddVmFromTemplate => "add_vm_from_template",
            TpmOperation::CopyVmToOtherVapp => "copy_vm_to_other_vapp",
            TpmOperation::MoveVmToOtherVapp => "move_vm_to_other_vapp",
            TpmOperation::CopyStoppedVapp => "copy_stopped_vapp",
            TpmOperation::CopyPoweredOnVapp => "copy_powered_on_vapp",
            TpmOperation::SaveVappAsTemplate => "save_vapp_as_template",
            TpmOperation::VappTemplateFromOvf => "vapp_template_from_ovf",
            TpmOperation::CloneVm => "clone_vm",
        }
    }

    /// The operation [`name`](Self::name) names.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.name() == name)
    }

    /// Whether the operation instantiates a template, so that the
    /// template's origin decides between copy and replace.
    pub fn instantiates_template(self) -> bool {
        matches!(
            self,
            TpmOperation::VmFromTemplate
                | TpmOperation::VappFromVmTemplates
                | TpmOperation::VappFromTemplate
                | TpmOperation::AddVmFromTemplate
        )
    }
}

impl fmt::Display for TpmOperation {
    /// A verb phrase: "copy a VM to a different vApp".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TpmOperation::NewVm => "create a standalone VM",
            TpmOperation::VmFromTemplate => "create a VM from a template",
            TpmOperation::VappFromVmTemplates => "create a vApp from VM templates",
            TpmOperation::VappFromOvfPackage => "create a vApp from an OVF package",
            TpmOperation::VappFromTemplate => "create a vApp from a vApp template",
            TpmOperation::ImportFromVcenter => "import a VM from vCenter as a vApp",
            TpmOperation::AddNewVmToVapp => "add a new VM to a vApp",
            TpmOperation::AddVmFromTemplate => "add a VM from a template to a vApp",
            TpmOperation::CopyVmToOtherVapp => "copy a VM to a different vApp",
            TpmOperation::MoveVmToOtherVapp => "move a VM to a different vApp",
            TpmOperation::CopyStoppedVapp => "copy a stopped vApp",
            TpmOperation::CopyPoweredOnVapp => "copy a powered-on vApp",
            TpmOperation::SaveVappAsTemplate => "save a vApp as a template",
            TpmOperation::VappTemplateFromOvf => "create a vApp template from an OVF file",
            TpmOperation::CloneVm => "clone a VM",
        })
    }
}

/// The vCenter generation that decides the table's column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VcenterVersion {
    V7,
    /// 8.x, and any later version (which the table does not yet cover).
    V8,
}

impl VcenterVersion {
    /// From `ServiceContent.about.apiVersion` (`"7.0.3.0"`, `"8.0.2.0"`).
    /// Before 7 there is no TPM support; after 8 the 8.x column applies.
    pub fn from_api_version(api_version: &str) -> Result<Self, TpmError> {
        let invalid = || TpmError::InvalidApiVersion { api_version: api_version.to_owned() };
        let major = api_version.split('.').next().unwrap_or_default();
        if major.is_empty() || !major.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        // Many digits is still a (far-future) major version, not garbage.
        let major: u64 = major.parse().unwrap_or(u64::MAX);
        match major {
            0..=6 => Err(TpmError::VcenterTooOld { api_version: api_version.to_owned() }),
            7 => Ok(VcenterVersion::V7),
            _ => Ok(VcenterVersion::V8),
        }
    }
}

impl fmt::Display for VcenterVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VcenterVersion::V7 => "7.x",
            VcenterVersion::V8 => "8.x",
        })
    }
}

/// How a template came to be, which fixes what instantiating it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TemplateOrigin {
    /// Uploaded as an OVF or OVA: instantiation replaces the TPM.
    UploadedOvf,
    /// Imported from vCenter: instantiation copies the TPM.
    ImportedFromVcenter,
    /// Captured from a vApp: instantiation does what was chosen at capture
    /// (copy or replace).
    CapturedByProvider(TpmPolicy),
}

impl fmt::Display for TemplateOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateOrigin::UploadedOvf => f.write_str("uploaded as an OVF or OVA package, so its TPM is replaced"),
            TemplateOrigin::ImportedFromVcenter => f.write_str("imported from vCenter, so its TPM is copied"),
            TemplateOrigin::CapturedByProvider(policy) => write!(f, "captured with TPM provisioning `{policy}`"),
        }
    }
}

const NEW: &[TpmPolicy] = &[TpmPolicy::New];
const COPY: &[TpmPolicy] = &[TpmPolicy::Copy];
const REPLACE: &[TpmPolicy] = &[TpmPolicy::Replace];
const COPY_OR_REPLACE: &[TpmPolicy] = &[TpmPolicy::Copy, TpmPolicy::Replace];

/// The policies an operation allows, the default first. `origin` matters
/// only to operations that instantiate a template and is ignored otherwise.
pub fn allowed_policies(
    op: TpmOperation,
    vcenter: VcenterVersion,
    origin: Option<TemplateOrigin>,
) -> Result<&'static [TpmPolicy], TpmError> {
    use TpmOperation::*;
    Ok(match op {
        // The documentation gives no copy/replace choice for these: there is
        // no source TPM, so asking for one is refused rather than ignored.
        NewVm | AddNewVmToVapp | VappFromOvfPackage | VappTemplateFromOvf => NEW,
        ImportFromVcenter | MoveVmToOtherVapp => COPY,
        CopyVmToOtherVapp | CloneVm | CopyStoppedVapp | CopyPoweredOnVapp => match vcenter {
            VcenterVersion::V7 => COPY,
            VcenterVersion::V8 => COPY_OR_REPLACE,
        },
        SaveVappAsTemplate => COPY_OR_REPLACE,
        VmFromTemplate | VappFromVmTemplates | VappFromTemplate | AddVmFromTemplate => match origin {
            Some(TemplateOrigin::UploadedOvf) => REPLACE,
            Some(TemplateOrigin::ImportedFromVcenter) => COPY,
            Some(TemplateOrigin::CapturedByProvider(TpmPolicy::Copy)) => COPY,
            Some(TemplateOrigin::CapturedByProvider(TpmPolicy::Replace)) => REPLACE,
            Some(TemplateOrigin::CapturedByProvider(policy @ TpmPolicy::New)) => {
                return Err(TpmError::InvalidCapturedPolicy { policy });
            }
            // Origin unknown (e.g. a template this provider did not make):
            // the table's "copy and replace" applies, copy by default.
            None => COPY_OR_REPLACE,
        },
    })
}

/// The policy an operation will apply: `requested` when the table allows it,
/// else the default (copy, or what the operation or template dictates).
/// A request the table does not allow is an error naming the operation, the
/// vCenter version and the allowed policies.
pub fn effective_policy(
    op: TpmOperation,
    vcenter: VcenterVersion,
    origin: Option<TemplateOrigin>,
    requested: Option<TpmPolicy>,
) -> Result<TpmPolicy, TpmError> {
    let allowed = allowed_policies(op, vcenter, origin)?;
    let Some(requested) = requested else {
        // Every list is non-empty; `New` only stands in for the impossible.
        return Ok(allowed.first().copied().unwrap_or(TpmPolicy::New));
    };
    if allowed.contains(&requested) {
        return Ok(requested);
    }
    Err(TpmError::PolicyNotAllowed {
        operation: op,
        version: vcenter,
        origin: if op.instantiates_template() { origin } else { None },
        requested,
        allowed: allowed.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_operation_has_a_name_that_reads_back() {
        for op in TpmOperation::ALL {
            assert_eq!(TpmOperation::from_name(op.name()), Some(op));
        }
        assert_eq!(TpmOperation::from_name("CloneVm"), None);
    }

    use super::TpmOperation::*;
    use super::TpmPolicy::{Copy as C, New as N, Replace as R};
    use super::*;

    /// One row per line of the reference's table: operation, allowed on
    /// vCenter 7.x, allowed on 8.x (default first). Template rows are for a
    /// template of unknown origin.
    const TABLE: &[(TpmOperation, &[TpmPolicy], &[TpmPolicy])] = &[
        (NewVm, &[N], &[N]),
        (VmFromTemplate, &[C, R], &[C, R]),
        (VappFromVmTemplates, &[C, R], &[C, R]),
        (VappFromOvfPackage, &[N], &[N]),
        (VappFromTemplate, &[C, R], &[C, R]),
        (ImportFromVcenter, &[C], &[C]),
        (AddNewVmToVapp, &[N], &[N]),
        (AddVmFromTemplate, &[C, R], &[C, R]),
        (CopyVmToOtherVapp, &[C], &[C, R]),
        (MoveVmToOtherVapp, &[C], &[C]),
        (CopyStoppedVapp, &[C], &[C, R]),
        (CopyPoweredOnVapp, &[C], &[C, R]),
        (SaveVappAsTemplate, &[C, R], &[C, R]),
        (VappTemplateFromOvf, &[N], &[N]),
        // not in the reference: a plain clone copies a VM
        (CloneVm, &[C], &[C, R]),
    ];

    #[test]
    fn table_covers_every_operation() {
        let ops: Vec<TpmOperation> = TABLE.iter().map(|row| row.0).collect();
        assert_eq!(ops, TpmOperation::ALL);
    }

    #[test]
    fn table_rows_for_vcenter_7_and_8() {
        for &(op, v7, v8) in TABLE {
            for (version, allowed) in [(VcenterVersion::V7, v7), (VcenterVersion::V8, v8)] {
                assert_eq!(allowed_policies(op, version, None).unwrap(), allowed, "{op} on {version}");
                assert_eq!(effective_policy(op, version, None, None).unwrap(), allowed[0], "{op} on {version}");
                for requested in [C, R, N] {
                    let got = effective_policy(op, version, None, Some(requested));
                    if allowed.contains(&requested) {
                        assert_eq!(got, Ok(requested), "{op} on {version} asking {requested}");
                    } else {
                        let expected = TpmError::PolicyNotAllowed {
                            operation: op,
                            version,
                            origin: None,
                            requested,
                            allowed: allowed.to_vec(),
                        };
                        assert_eq!(got, Err(expected), "{op} on {version} asking {requested}");
                    }
                }
            }
        }
    }

    #[test]
    fn unspecified_means_copy_where_copy_is_possible() {
        for op in TpmOperation::ALL {
            for version in [VcenterVersion::V7, VcenterVersion::V8] {
                let allowed = allowed_policies(op, version, None).unwrap();
                let default = effective_policy(op, version, None, None).unwrap();
                if allowed.contains(&C) {
                    assert_eq!(default, C, "{op} on {version}");
                }
            }
        }
    }

    #[test]
    fn template_origin_decides_instantiation() {
        let origins: &[(TemplateOrigin, TpmPolicy)] = &[
            (TemplateOrigin::UploadedOvf, R),
            (TemplateOrigin::ImportedFromVcenter, C),
            (TemplateOrigin::CapturedByProvider(C), C),
            (TemplateOrigin::CapturedByProvider(R), R),
        ];
        let template_ops = [VmFromTemplate, VappFromVmTemplates, VappFromTemplate, AddVmFromTemplate];
        for op in template_ops {
            assert!(op.instantiates_template());
            for version in [VcenterVersion::V7, VcenterVersion::V8] {
                for &(origin, dictated) in origins {
                    let origin = Some(origin);
                    assert_eq!(effective_policy(op, version, origin, None), Ok(dictated), "{op} {origin:?}");
                    assert_eq!(effective_policy(op, version, origin, Some(dictated)), Ok(dictated));
                    for other in [C, R, N].into_iter().filter(|p| *p != dictated) {
                        let err = effective_policy(op, version, origin, Some(other)).unwrap_err();
                        assert_eq!(
                            err,
                            TpmError::PolicyNotAllowed {
                                operation: op,
                                version,
                                origin,
                                requested: other,
                                allowed: vec![dictated],
                            }
                        );
                        assert_eq!(err.attribute(), Some("tpm_provisioning"));
                    }
                }
                let bad = Some(TemplateOrigin::CapturedByProvider(N));
                let err = effective_policy(op, version, bad, None).unwrap_err();
                assert_eq!(err, TpmError::InvalidCapturedPolicy { policy: N });
                assert_eq!(err.fact(), Some("template_origin"));
            }
        }
    }

    #[test]
    fn origin_is_ignored_when_nothing_is_instantiated() {
        for op in TpmOperation::ALL.into_iter().filter(|op| !op.instantiates_template()) {
            let with = allowed_policies(op, VcenterVersion::V8, Some(TemplateOrigin::UploadedOvf));
            assert_eq!(with, allowed_policies(op, VcenterVersion::V8, None), "{op}");
            let bad = Some(TemplateOrigin::CapturedByProvider(N));
            assert!(allowed_policies(op, VcenterVersion::V8, bad).is_ok(), "{op}");
            if let Err(TpmError::PolicyNotAllowed { origin, .. }) =
                effective_policy(op, VcenterVersion::V7, Some(TemplateOrigin::UploadedOvf), Some(R))
            {
                assert_eq!(origin, None, "{op}");
            }
        }
    }

    #[test]
    fn error_names_operation_version_and_allowed() {
        let err = effective_policy(CopyVmToOtherVapp, VcenterVersion::V7, None, Some(R)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "tpm_provisioning `replace` is not allowed when you copy a VM to a different vApp on vCenter 7.x; \
             allowed: copy"
        );
        assert_eq!(effective_policy(CopyVmToOtherVapp, VcenterVersion::V8, None, Some(R)), Ok(R));
        // A plain clone follows that row but is named as what the user did.
        let err = effective_policy(CloneVm, VcenterVersion::V7, None, Some(R)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "tpm_provisioning `replace` is not allowed when you clone a VM on vCenter 7.x; allowed: copy"
        );
        let err = effective_policy(NewVm, VcenterVersion::V8, None, Some(C)).unwrap_err();
        assert!(err.to_string().contains("create a standalone VM on vCenter 8.x; allowed: new"), "{err}");
        let err = effective_policy(VmFromTemplate, VcenterVersion::V8, Some(TemplateOrigin::UploadedOvf), Some(C))
            .unwrap_err();
        assert!(err.to_string().contains("(template uploaded as an OVF or OVA package"), "{err}");
        assert!(err.to_string().ends_with("allowed: replace"), "{err}");
        let err = effective_policy(SaveVappAsTemplate, VcenterVersion::V8, None, Some(N)).unwrap_err();
        assert!(err.to_string().ends_with("allowed: copy or replace"), "{err}");
    }

    #[test]
    fn vcenter_versions() {
        let cases: &[(&str, Result<VcenterVersion, &str>)] = &[
            ("7.0.3.0", Ok(VcenterVersion::V7)),
            ("7.0", Ok(VcenterVersion::V7)),
            ("7", Ok(VcenterVersion::V7)),
            ("8.0.2.0", Ok(VcenterVersion::V8)),
            ("8.0.3.0", Ok(VcenterVersion::V8)),
            ("9.0.0.0", Ok(VcenterVersion::V8)),
            ("123456789012345678901234567890.0", Ok(VcenterVersion::V8)),
            ("6.7.3", Err("api_version too old")),
            ("6.5", Err("api_version too old")),
            ("0.1", Err("api_version too old")),
            ("", Err("api_version invalid")),
            ("x.0", Err("api_version invalid")),
            (".7", Err("api_version invalid")),
            ("-7.0", Err("api_version invalid")),
            (" 7.0", Err("api_version invalid")),
        ];
        for (text, expected) in cases {
            let got = VcenterVersion::from_api_version(text);
            match expected {
                Ok(version) => assert_eq!(got, Ok(*version), "{text}"),
                Err(kind) => {
                    let err = got.unwrap_err();
                    assert_eq!(err.fact(), Some("api_version"), "{text}");
                    let too_old = matches!(err, TpmError::VcenterTooOld { .. });
                    assert_eq!(too_old, kind.ends_with("too old"), "{text}: {err}");
                }
            }
        }
        let err = VcenterVersion::from_api_version("6.7.3").unwrap_err();
        assert!(err.to_string().contains("vCenter 7.0 or later"), "{err}");
    }

    #[test]
    fn policy_spellings() {
        assert_eq!("copy".parse(), Ok(C));
        assert_eq!("replace".parse(), Ok(R));
        assert_eq!("new".parse(), Ok(N));
        let err = "Copy".parse::<TpmPolicy>().unwrap_err();
        assert_eq!(err.attribute(), Some("tpm_provisioning"));
        assert!(err.to_string().contains("copy, replace or new"), "{err}");
        for policy in [C, R, N] {
            assert_eq!(policy.to_string().parse(), Ok(policy));
        }
    }
}
