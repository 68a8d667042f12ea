//! The TPM policy of a catalog item, by the TPM rules: what instantiating
//! the template does (`instantiate_tpm`, for `vi_catalog_item`) and what a
//! deployment may ask for (`deploy_policy`, for `vi_vm.catalog_item`),
//! from how the item came to be.
use crate::rules::tpm::{TemplateOrigin, TpmError, TpmOperation, TpmPolicy, VcenterVersion, effective_policy};
use crate::shared::item_provenance::Provenance;

/// How an item came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Uploaded from a local OVF or OVA.
    Uploaded,
    /// Captured from a VM or vApp, with `tpm_provisioning` as configured.
    Captured(Option<TpmPolicy>),
    /// Made outside this provider (no recorded source).
    Unknown,
}

impl Origin {
    /// From what a template records of its source: a local file, a VM or
    /// vApp it was captured from (with the `tpm_provisioning` asked for),
    /// or nothing. A `tpm_provisioning` that does not parse is the error
    /// validation reports.
    pub fn from_parts(from_file: bool, captured: bool, tpm_provisioning: Option<&str>) -> Result<Origin, TpmError> {
        if from_file {
            return Ok(Origin::Uploaded);
        }
        if !captured {
            return Ok(Origin::Unknown);
        }
        let requested = tpm_provisioning.map(str::parse::<TpmPolicy>).transpose()?;
        Ok(Origin::Captured(requested))
    }

    /// From the provenance an item's description records.
    pub fn of_provenance(p: &Provenance) -> Result<Origin, TpmError> {
        Origin::from_parts(
            p.source_file.is_some(),
            p.source_vm_id.is_some() || p.source_vapp_id.is_some(),
            p.tpm_provisioning.as_deref(),
        )
    }
}

/// The policy a capture records: the requested one when the rules allow
/// it (`copy` or `replace`), `copy` when none is requested.
pub fn capture_policy(version: VcenterVersion, requested: Option<TpmPolicy>) -> Result<TpmPolicy, TpmError> {
    effective_policy(TpmOperation::SaveVappAsTemplate, version, None, requested)
}

/// What deploying the item as a VM does with a TPM; `None` on a vCenter
/// without vTPM support (before 7.0), unless a policy was asked for, which
/// is then the rules' error.
pub fn instantiate_tpm(api_version: &str, origin: Origin) -> Result<Option<TpmPolicy>, TpmError> {
    deploy_policy(api_version, origin, None)
}

/// The policy a deployment of the item applies when `requested` (a
/// `vi_vm.catalog_item.tpm_provisioning`) is asked for: the rules' answer
/// for "VM from template", given how the template came to be.
pub fn deploy_policy(
    api_version: &str,
    origin: Origin,
    requested: Option<TpmPolicy>,
) -> Result<Option<TpmPolicy>, TpmError> {
    let version = match VcenterVersion::from_api_version(api_version) {
        Ok(v) => v,
        Err(e) if matches!(origin, Origin::Captured(Some(_))) || requested.is_some() => return Err(e),
        Err(_) => return Ok(None),
    };
    let template = match origin {
        Origin::Uploaded => Some(TemplateOrigin::UploadedOvf),
        Origin::Captured(captured) => Some(TemplateOrigin::CapturedByProvider(capture_policy(version, captured)?)),
        Origin::Unknown => None,
    };
    effective_policy(TpmOperation::VmFromTemplate, version, template, requested).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploaded_templates_replace_captured_ones_do_as_chosen() {
        for v in ["7.0.3.0", "8.0.2.0"] {
            assert_eq!(instantiate_tpm(v, Origin::Uploaded), Ok(Some(TpmPolicy::Replace)));
            assert_eq!(instantiate_tpm(v, Origin::Captured(None)), Ok(Some(TpmPolicy::Copy)), "copy by default");
            assert_eq!(instantiate_tpm(v, Origin::Captured(Some(TpmPolicy::Copy))), Ok(Some(TpmPolicy::Copy)));
            assert_eq!(instantiate_tpm(v, Origin::Captured(Some(TpmPolicy::Replace))), Ok(Some(TpmPolicy::Replace)));
            assert_eq!(instantiate_tpm(v, Origin::Unknown), Ok(Some(TpmPolicy::Copy)));
            let err = instantiate_tpm(v, Origin::Captured(Some(TpmPolicy::New))).unwrap_err();
            assert_eq!(err.attribute(), Some("tpm_provisioning"), "{err}");
        }
    }

    #[test]
    fn a_deployment_may_ask_only_for_what_the_origin_allows() {
        let v = "8.0.2.0";
        let (c, r) = (Some(TpmPolicy::Copy), Some(TpmPolicy::Replace));
        assert_eq!(deploy_policy(v, Origin::Uploaded, r), Ok(r));
        assert!(deploy_policy(v, Origin::Uploaded, c).is_err(), "an uploaded OVF is always replaced");
        assert_eq!(deploy_policy(v, Origin::Captured(r), r), Ok(r));
        assert!(deploy_policy(v, Origin::Captured(r), c).is_err());
        assert!(deploy_policy(v, Origin::Captured(None), r).is_err(), "a capture copies by default");
        assert_eq!(deploy_policy(v, Origin::Unknown, r), Ok(r));
        assert_eq!(deploy_policy(v, Origin::Unknown, c), Ok(c));
        assert_eq!(deploy_policy(v, Origin::Unknown, None), Ok(c));
        assert!(deploy_policy("6.7", Origin::Unknown, c).is_err(), "no policy before 7.0");
        assert_eq!(deploy_policy("6.7", Origin::Unknown, None), Ok(None));
    }

    #[test]
    fn old_vcenters_have_no_policy_unless_one_is_asked_for() {
        for origin in [Origin::Uploaded, Origin::Captured(None), Origin::Unknown] {
            assert_eq!(instantiate_tpm("6.5", origin), Ok(None));
        }
        let err = instantiate_tpm("6.5", Origin::Captured(Some(TpmPolicy::Replace))).unwrap_err();
        assert!(err.to_string().contains("7.0 or later"), "{err}");
    }
}
