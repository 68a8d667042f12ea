//! What a VM must satisfy before a vTPM is added to it or removed from it.
//!
//! To add: vCenter 7.0 or later, powered off, no snapshots, EFI firmware, hardware version 14 or
//! later, a guest OS that supports a TPM, a key provider to encrypt the VM's
//! files with, and no vTPM already. To remove: powered off and no snapshots.
//! (Cloud Director also asks for a TPM-capable VDC; plain vSphere has no such
//! object, so that condition has no counterpart here.)

use std::fmt;
use std::str::FromStr;

use super::tpm::{TpmError, VcenterVersion};

/// The lowest virtual hardware version that can hold a vTPM (`vmx-14`).
pub const MIN_HARDWARE_VERSION: i64 = 14;

/// vSphere's `VirtualMachinePowerState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PowerState {
    PoweredOn,
    PoweredOff,
    Suspended,
}

impl fmt::Display for PowerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PowerState::PoweredOn => "powered on",
            PowerState::PoweredOff => "powered off",
            PowerState::Suspended => "suspended",
        })
    }
}

impl FromStr for PowerState {
    type Err = ();

    /// From vSphere's spelling: `poweredOn`, `poweredOff`, `suspended`.
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "poweredOn" => Ok(PowerState::PoweredOn),
            "poweredOff" => Ok(PowerState::PoweredOff),
            "suspended" => Ok(PowerState::Suspended),
            _ => Err(()),
        }
    }
}

/// vSphere's `GuestOsDescriptorFirmwareType` (`config.firmware`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Firmware {
    Bios,
    Efi,
}

impl fmt::Display for Firmware {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Firmware::Bios => "BIOS",
            Firmware::Efi => "EFI",
        })
    }
}

impl FromStr for Firmware {
    type Err = ();

    /// From vSphere's spelling: `bios`, `efi`.
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "bios" => Ok(Firmware::Bios),
            "efi" => Ok(Firmware::Efi),
            _ => Err(()),
        }
    }
}

/// What vSphere says about the VM, read before planning a TPM change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmFacts {
    pub power_state: PowerState,
    /// Names of every snapshot in the tree (empty when there are none).
    pub snapshot_names: Vec<String>,
    pub firmware: Firmware,
    /// The number of `config.version` (`vmx-19` → 19).
    pub hardware_version: i64,
    /// `config.guestId`, e.g. `windows2019srv_64Guest`.
    pub guest_id: String,
    /// Whether a `VirtualTPM` device is present.
    pub has_tpm: bool,
    /// The key provider the VM's files are already encrypted with
    /// (`config.keyId.providerId`), if they are.
    pub encrypted_with: Option<String>,
}

/// The key providers vCenter knows, and the one the user asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyProviders {
    /// The `key_provider_id` attribute, when set.
    pub explicit: Option<String>,
    /// Whether vCenter has a default key provider.
    pub default_registered: bool,
    /// Ids of every registered key provider.
    pub registered: Vec<String>,
}

/// Every unmet prerequisite for adding a vTPM, each its own error (empty
/// when the vTPM can be added).
pub fn check_add(vm: &VmFacts, providers: &KeyProviders) -> Vec<TpmError> {
    let mut errors = check_remove(vm);
    if vm.firmware != Firmware::Efi {
        errors.push(TpmError::FirmwareNotEfi { firmware: vm.firmware });
    }
    if vm.hardware_version < MIN_HARDWARE_VERSION {
        errors.push(TpmError::HardwareVersionTooOld { version: vm.hardware_version });
    }
    if !guest_supports_tpm(&vm.guest_id) {
        errors.push(TpmError::GuestOsNotCompatible { guest_id: vm.guest_id.clone() });
    }
    match check_key_provider(providers) {
        Some(error) => errors.push(error),
        None => errors.extend(check_encryption(vm, providers)),
    }
    if vm.has_tpm {
        errors.push(TpmError::TpmAlreadyPresent);
    }
    errors
}

/// Whether vCenter can hold a vTPM at all, from `ServiceContent.about.apiVersion`:
/// vTPMs came with vCenter 7.0, and every way to get one (a `vtpm` block,
/// `vi_vtpm`, a clone or deployment asked to copy or replace one) needs it.
/// A version that cannot be read is not held against the user here (the
/// TPM policy rules, which need the version, report it).
pub fn check_vcenter(api_version: &str) -> Option<TpmError> {
    match VcenterVersion::from_api_version(api_version) {
        Err(e @ TpmError::VcenterTooOld { .. }) => Some(e),
        _ => None,
    }
}

/// Every unmet prerequisite for removing a vTPM (empty when it can go).
///
/// A VM that has no vTPM is not an error: removing what is already gone is
/// what a Terraform delete after a manual change needs.
pub fn check_remove(vm: &VmFacts) -> Vec<TpmError> {
    let mut errors = Vec::new();
    if vm.power_state != PowerState::PoweredOff {
        errors.push(TpmError::NotPoweredOff { state: vm.power_state });
    }
    if !vm.snapshot_names.is_empty() {
        errors.push(TpmError::HasSnapshots { snapshot_names: vm.snapshot_names.clone() });
    }
    errors
}

fn check_key_provider(providers: &KeyProviders) -> Option<TpmError> {
    let registered = || providers.registered.clone();
    match providers.explicit.as_deref() {
        Some("") => Some(TpmError::EmptyKeyProviderId { registered: registered() }),
        Some(id) if !providers.registered.iter().any(|r| r == id) => {
            Some(TpmError::KeyProviderNotRegistered { id: id.to_owned(), registered: registered() })
        }
        Some(_) => None,
        None if providers.default_registered => None,
        None => Some(TpmError::NoDefaultKeyProvider { registered: registered() }),
    }
}

/// An encrypted VM keeps its key provider when a vTPM is added, so asking
/// for another one cannot be honoured.
fn check_encryption(vm: &VmFacts, providers: &KeyProviders) -> Option<TpmError> {
    match (providers.explicit.as_deref(), vm.encrypted_with.as_deref()) {
        (Some(wanted), Some(current)) if wanted != current => {
            Some(TpmError::EncryptedWithOtherProvider { wanted: wanted.to_owned(), current: current.to_owned() })
        }
        _ => None,
    }
}

/// 64-bit guest ids that do not end in `64Guest`, from the vSphere API
/// reference's `VirtualMachineGuestOsIdentifier`: "Other (64 bit)", Hyper-V
/// Server (x64 only) and ESXi 5 onwards (x86-64 only). `vmkernelGuest`
/// (ESX 4) and the `crx*` ids (vSphere-internal pod VMs) are left out.
const SIXTY_FOUR_BIT_EXCEPTIONS: &[&str] = &[
    "otherGuest64",
    "windowsHyperVGuest",
    "vmkernel5Guest",
    "vmkernel6Guest",
    "vmkernel65Guest",
    "vmkernel7Guest",
    "vmkernel8Guest",
    "vmkernel9Guest",
];

/// Whether a guest id names a 64-bit guest, which is what a vTPM needs.
///
/// vSphere names its 64-bit guests `…64Guest` (`windows11_64Guest`,
/// `windows2019srvNext_64Guest`, `rhel8_64Guest`, `other5xLinux64Guest`,
/// `ubuntu64Guest`); the few that do not are listed above. Ids are
/// case-sensitive in vSphere, so they are here.
pub fn guest_supports_tpm(guest_id: &str) -> bool {
    (guest_id.len() > "64Guest".len() && guest_id.ends_with("64Guest")) || SIXTY_FOUR_BIT_EXCEPTIONS.contains(&guest_id)
}

/// The number in a `config.version` string: `vmx-19` → 19.
pub fn hardware_version_number(version: &str) -> Option<i64> {
    let digits = version.strip_prefix("vmx-")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready() -> VmFacts {
        VmFacts {
            power_state: PowerState::PoweredOff,
            snapshot_names: vec![],
            firmware: Firmware::Efi,
            hardware_version: 14,
            guest_id: "windows2019srv_64Guest".to_owned(),
            has_tpm: false,
            encrypted_with: None,
        }
    }

    fn default_provider() -> KeyProviders {
        KeyProviders { explicit: None, default_registered: true, registered: vec!["kp-1".to_owned()] }
    }

    fn facts(errors: &[TpmError]) -> Vec<&'static str> {
        errors.iter().map(TpmError::field).collect()
    }

    #[test]
    fn ready_vm_passes() {
        assert_eq!(check_add(&ready(), &default_provider()), vec![]);
        assert_eq!(check_remove(&ready()), vec![]);
    }

    #[test]
    fn each_prerequisite_alone() {
        type Case = (&'static str, fn(&mut VmFacts, &mut KeyProviders), &'static str);
        let cases: &[Case] = &[
            ("powered on", |vm, _| vm.power_state = PowerState::PoweredOn, "power_state"),
            ("suspended", |vm, _| vm.power_state = PowerState::Suspended, "power_state"),
            ("snapshot", |vm, _| vm.snapshot_names = vec!["before-upgrade".to_owned()], "snapshots"),
            ("bios", |vm, _| vm.firmware = Firmware::Bios, "firmware"),
            ("hw 13", |vm, _| vm.hardware_version = 13, "hardware_version"),
            ("32-bit guest", |vm, _| vm.guest_id = "windows7Guest".to_owned(), "guest_id"),
            ("empty guest", |vm, _| vm.guest_id = String::new(), "guest_id"),
            ("bare suffix", |vm, _| vm.guest_id = "64Guest".to_owned(), "guest_id"),
            ("no default provider", |_, kp| kp.default_registered = false, "key_provider_id"),
            ("unregistered provider", |_, kp| kp.explicit = Some("kp-9".to_owned()), "key_provider_id"),
            ("empty provider id", |_, kp| kp.explicit = Some(String::new()), "key_provider_id"),
            ("tpm present", |vm, _| vm.has_tpm = true, "has_tpm"),
        ];
        for (name, breaks, field) in cases {
            let (mut vm, mut kp) = (ready(), default_provider());
            breaks(&mut vm, &mut kp);
            let errors = check_add(&vm, &kp);
            assert_eq!(facts(&errors), vec![*field], "{name}: {errors:?}");
        }
    }

    #[test]
    fn all_prerequisites_at_once() {
        let vm = VmFacts {
            power_state: PowerState::PoweredOn,
            snapshot_names: vec!["s1".to_owned(), "s2".to_owned()],
            firmware: Firmware::Bios,
            hardware_version: 10,
            guest_id: "winXPProGuest".to_owned(),
            has_tpm: true,
            encrypted_with: Some("other".to_owned()),
        };
        let kp = KeyProviders { explicit: Some("missing".to_owned()), default_registered: true, registered: vec![] };
        let errors = check_add(&vm, &kp);
        assert_eq!(
            facts(&errors),
            ["power_state", "snapshots", "firmware", "hardware_version", "guest_id", "key_provider_id", "has_tpm"]
        );
        assert_eq!(check_remove(&vm).len(), 2);
    }

    #[test]
    fn messages_name_what_fails_and_what_is_needed() {
        let mut vm = ready();
        vm.snapshot_names = vec!["a".to_owned(), "b".to_owned()];
        vm.hardware_version = 11;
        vm.power_state = PowerState::Suspended;
        let kp = KeyProviders {
            explicit: Some("kp-9".to_owned()),
            default_registered: false,
            registered: vec!["kp-1".to_owned(), "kp-2".to_owned()],
        };
        let text: Vec<String> = check_add(&vm, &kp).iter().map(ToString::to_string).collect();
        assert!(text[0].contains("suspended") && text[0].contains("powered off"), "{}", text[0]);
        assert!(text[1].contains("`a`, `b`"), "{}", text[1]);
        assert!(text[2].contains("11") && text[2].contains("vmx-14"), "{}", text[2]);
        assert!(text[3].contains("`kp-9`") && text[3].contains("`kp-1`, `kp-2`"), "{}", text[3]);
        let none = check_add(&ready(), &KeyProviders::default());
        assert!(none[0].to_string().contains("no key provider is registered"), "{}", none[0]);
    }

    #[test]
    fn explicit_provider_wins_over_default() {
        let kp = KeyProviders { explicit: Some("kp-1".to_owned()), default_registered: false, registered: vec![] };
        assert_eq!(facts(&check_add(&ready(), &kp)), ["key_provider_id"]);
        let kp = KeyProviders {
            explicit: Some("kp-1".to_owned()),
            default_registered: false,
            registered: vec!["kp-1".to_owned()],
        };
        assert_eq!(check_add(&ready(), &kp), vec![]);
    }

    #[test]
    fn an_encrypted_vm_keeps_its_key_provider() {
        let vm = VmFacts { encrypted_with: Some("kp-1".to_owned()), ..ready() };
        // The default, or the provider it already has: fine.
        assert_eq!(check_add(&vm, &default_provider()), vec![]);
        let same = KeyProviders { explicit: Some("kp-1".to_owned()), ..default_provider() };
        assert_eq!(check_add(&vm, &same), vec![]);
        // Another registered provider: refused, on key_provider_id.
        let other = KeyProviders {
            explicit: Some("kp-2".to_owned()),
            default_registered: true,
            registered: vec!["kp-1".to_owned(), "kp-2".to_owned()],
        };
        let errors = check_add(&vm, &other);
        assert_eq!(
            errors,
            vec![TpmError::EncryptedWithOtherProvider { wanted: "kp-2".to_owned(), current: "kp-1".to_owned() }]
        );
        assert_eq!(errors[0].attribute(), Some("key_provider_id"));
        assert!(errors[0].to_string().contains("`kp-1`") && errors[0].to_string().contains("`kp-2`"));
        // An unregistered one is reported once, as unregistered.
        let unknown = KeyProviders { explicit: Some("kp-9".to_owned()), ..default_provider() };
        assert_eq!(facts(&check_add(&vm, &unknown)), ["key_provider_id"]);
        assert!(matches!(check_add(&vm, &unknown)[0], TpmError::KeyProviderNotRegistered { .. }));
    }

    #[test]
    fn attribute_and_fact_are_exclusive() {
        let kp = KeyProviders::default();
        let errors = check_add(&ready(), &kp);
        assert_eq!(errors[0].attribute(), Some("key_provider_id"));
        assert_eq!(errors[0].fact(), None);
        let errors = check_remove(&VmFacts { power_state: PowerState::PoweredOn, ..ready() });
        assert_eq!(errors[0].attribute(), None);
        assert_eq!(errors[0].fact(), Some("power_state"));
    }

    #[test]
    fn vcenter_before_7_has_no_vtpm() {
        // (apiVersion, refused)
        let cases = [
            ("6.7", true),
            ("6.7.3", true),
            ("6.5", true),
            ("6.0", true),
            ("7.0", false),
            ("7.0.3.0", false),
            ("8.0.2.0", false),
            ("9.0.0.0", false),
            ("", false),
            ("garbage", false),
        ];
        for (version, refused) in cases {
            let got = check_vcenter(version);
            assert_eq!(got.is_some(), refused, "{version}: {got:?}");
            if let Some(e) = got {
                assert_eq!(e.fact(), Some("api_version"), "{version}");
                assert_eq!(
                    e.to_string(),
                    format!("a vTPM needs vCenter 7.0 or later; this vCenter's apiVersion is `{version}`")
                );
            }
        }
    }

    #[test]
    fn guest_ids() {
        for id in [
            "windows9_64Guest",
            "windows11_64Guest",
            "windows12_64Guest",
            "windows2019srv_64Guest",
            "windows2019srvNext_64Guest",
            "rhel8_64Guest",
            "other5xLinux64Guest",
            "ubuntu64Guest",
            "otherGuest64",
            "windowsHyperVGuest",
            "vmkernel7Guest",
            "vmkernel8Guest",
        ] {
            assert!(guest_supports_tpm(id), "{id}");
        }
        for id in [
            "windows7Guest",
            "otherGuest",
            "ubuntuGuest",
            "vmkernelGuest",
            "crxPod1Guest",
            "",
            "64Guest",
            "RHEL8_64GUEST",
        ] {
            assert!(!guest_supports_tpm(id), "{id}");
        }
    }

    #[test]
    fn vsphere_spellings() {
        assert_eq!("poweredOff".parse(), Ok(PowerState::PoweredOff));
        assert_eq!("poweredOn".parse(), Ok(PowerState::PoweredOn));
        assert_eq!("suspended".parse(), Ok(PowerState::Suspended));
        assert_eq!("off".parse::<PowerState>(), Err(()));
        assert_eq!("efi".parse(), Ok(Firmware::Efi));
        assert_eq!("bios".parse(), Ok(Firmware::Bios));
        assert_eq!("EFI".parse::<Firmware>(), Err(()));
        assert_eq!(hardware_version_number("vmx-19"), Some(19));
        assert_eq!(hardware_version_number("vmx-"), None);
        assert_eq!(hardware_version_number("vmx-+1"), None);
        assert_eq!(hardware_version_number("19"), None);
        assert_eq!(hardware_version_number("vmx-99999999999999999999999"), None);
    }
}
