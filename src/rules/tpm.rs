//! Virtual TPM rules, following VMware Cloud Director's TPM documentation
//! (which this provider mirrors on plain vSphere).
//!
//! - [`tpm_prerequisites`](super::tpm_prerequisites): what a VM must satisfy
//!   before a vTPM is added or removed ([`check_add`], [`check_remove`]).
//! - [`tpm_policy`](super::tpm_policy): whether an operation that copies,
//!   moves or instantiates a VM copies its TPM, replaces it, or creates a new
//!   one ([`effective_policy`]), by operation, vCenter version and template
//!   origin.
//!
//! Every failure is a [`TpmError`] that names what failed: a user-set
//! attribute ([`TpmError::attribute`]) or a fact read from vSphere
//! ([`TpmError::fact`]), so a resource can attach it to the right place.

use std::fmt;

pub use super::tpm_policy::{
    TemplateOrigin, TpmOperation, TpmPolicy, VcenterVersion, allowed_policies, effective_policy,
};
pub use super::tpm_prerequisites::{
    Firmware, KeyProviders, MIN_HARDWARE_VERSION, PowerState, VmFacts, check_add, check_remove, check_vcenter,
    guest_supports_tpm, hardware_version_number,
};

/// Why a TPM operation cannot go ahead. Each variant is one unmet condition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TpmError {
    #[error("the VM is {state}; it must be powered off to add or remove a vTPM")]
    NotPoweredOff { state: PowerState },
    #[error(
        "the VM has snapshots ({}); delete every snapshot before adding or removing a vTPM",
        Quoted(snapshot_names)
    )]
    HasSnapshots { snapshot_names: Vec<String> },
    #[error("the VM firmware is {firmware}; a vTPM needs EFI firmware (firmware = \"efi\")")]
    FirmwareNotEfi { firmware: Firmware },
    #[error(
        "the VM hardware version is {version}; a vTPM needs hardware version {} (vmx-{}) or later",
        MIN_HARDWARE_VERSION,
        MIN_HARDWARE_VERSION
    )]
    HardwareVersionTooOld { version: i64 },
    #[error(
        "guest OS `{guest_id}` does not support a vTPM; a vTPM needs a 64-bit guest \
         (a guest id ending in `64Guest`, e.g. windows2019srv_64Guest or rhel9_64Guest, \
         or one of otherGuest64, windowsHyperVGuest, vmkernel5Guest … vmkernel9Guest)"
    )]
    GuestOsNotCompatible { guest_id: String },
    #[error("key_provider_id must not be empty; {}", registered_hint(registered))]
    EmptyKeyProviderId { registered: Vec<String> },
    #[error("key provider `{id}` is not registered with vCenter; {}", registered_hint(registered))]
    KeyProviderNotRegistered { id: String, registered: Vec<String> },
    #[error(
        "no key_provider_id was given and vCenter has no default key provider; \
         set key_provider_id or mark a key provider as default; {}",
        registered_hint(registered)
    )]
    NoDefaultKeyProvider { registered: Vec<String> },
    #[error(
        "the VM's files are already encrypted with key provider `{current}`; its vTPM will use that one, not `{wanted}` \
         (leave key_provider_id unset or set it to `{current}`)"
    )]
    EncryptedWithOtherProvider { wanted: String, current: String },
    #[error("the VM already has a vTPM; a VM can hold only one")]
    TpmAlreadyPresent,
    #[error("cannot read a vCenter version from apiVersion `{api_version}` (expected e.g. 7.0.3.0 or 8.0.2.0)")]
    InvalidApiVersion { api_version: String },
    #[error("a vTPM needs vCenter 7.0 or later; this vCenter's apiVersion is `{api_version}`")]
    VcenterTooOld { api_version: String },
    #[error(
        "tpm_provisioning `{requested}` is not allowed when you {operation} on vCenter {version}{}; allowed: {}",
        origin.map(|o| format!(" (template {o})")).unwrap_or_default(),
        PolicyList(allowed)
    )]
    PolicyNotAllowed {
        operation: TpmOperation,
        version: VcenterVersion,
        origin: Option<TemplateOrigin>,
        requested: TpmPolicy,
        allowed: Vec<TpmPolicy>,
    },
    #[error("a template's TPM provisioning chosen at capture is copy or replace, not `{policy}`")]
    InvalidCapturedPolicy { policy: TpmPolicy },
    #[error("unknown tpm_provisioning `{given}`; allowed: copy, replace or new")]
    UnknownPolicy { given: String },
}

impl TpmError {
    /// The user-set attribute at fault, when the error is about one
    /// (`key_provider_id`, `tpm_provisioning`); `None` for facts of the VM.
    pub fn attribute(&self) -> Option<&'static str> {
        match self {
            TpmError::EmptyKeyProviderId { .. }
            | TpmError::KeyProviderNotRegistered { .. }
            | TpmError::NoDefaultKeyProvider { .. }
            | TpmError::EncryptedWithOtherProvider { .. } => Some("key_provider_id"),
            TpmError::PolicyNotAllowed { .. } | TpmError::UnknownPolicy { .. } => Some("tpm_provisioning"),
            _ => None,
        }
    }

    /// The VM or vCenter fact at fault (`power_state`, `snapshots`,
    /// `firmware`, `hardware_version`, `guest_id`, `has_tpm`, `api_version`,
    /// `template_origin`); `None` for user-set attributes.
    pub fn fact(&self) -> Option<&'static str> {
        match self {
            TpmError::NotPoweredOff { .. } => Some("power_state"),
            TpmError::HasSnapshots { .. } => Some("snapshots"),
            TpmError::FirmwareNotEfi { .. } => Some("firmware"),
            TpmError::HardwareVersionTooOld { .. } => Some("hardware_version"),
            TpmError::GuestOsNotCompatible { .. } => Some("guest_id"),
            TpmError::TpmAlreadyPresent => Some("has_tpm"),
            TpmError::InvalidApiVersion { .. } | TpmError::VcenterTooOld { .. } => Some("api_version"),
            TpmError::InvalidCapturedPolicy { .. } => Some("template_origin"),
            _ => None,
        }
    }

    /// Whichever of [`attribute`](Self::attribute) and [`fact`](Self::fact)
    /// applies; every error names one.
    pub fn field(&self) -> &'static str {
        self.attribute().or_else(|| self.fact()).unwrap_or("vtpm")
    }
}

fn registered_hint(registered: &[String]) -> String {
    if registered.is_empty() {
        "no key provider is registered with vCenter".to_owned()
    } else {
        format!("registered key providers: {}", Quoted(registered))
    }
}

/// `a`, `b`, `c` — names in backticks, comma-separated.
struct Quoted<'a>(&'a [String]);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{name}`")?;
        }
        Ok(())
    }
}

/// `copy`, `copy or replace` — policies as a user would write them.
struct PolicyList<'a>(&'a [TpmPolicy]);

impl fmt::Display for PolicyList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        for (i, policy) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(if i + 1 == n { " or " } else { ", " })?;
            }
            write!(f, "{policy}")?;
        }
        if n == 0 {
            f.write_str("none")?;
        }
        Ok(())
    }
}
