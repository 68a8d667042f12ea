//! Virtual hardware versions (`vmx-NN`) and what each one allows.
//!
//! The limits below come from VMware's "Hardware Features Available with
//! Virtual Machine Compatibility Settings" tables (vSphere 6.5, 6.7, 7.0 and
//! 8.0 VM Administration guides) and the vSphere API `HardwareVersion` enum
//! (which names vmx-22 as ESXi 9.0). Where two editions of the table disagree
//! the smaller number is used, so a plan never passes a value the host then
//! refuses half-way through an apply.

use std::fmt;

use super::hardware::HardwareError;

/// The versions an ESXi host can create: 5, 6, 12 and 16 only ever existed in
/// Workstation/Fusion, and 3 (ESX 2.x) is long gone.
const SUPPORTED: [u32; 15] = [4, 7, 8, 9, 10, 11, 13, 14, 15, 17, 18, 19, 20, 21, 22];

/// For error messages.
pub(crate) const SUPPORTED_LIST: &str = "4, 7–11, 13–15 or 17–22 (written as 19 or vmx-19)";

/// A virtual hardware version an ESXi host supports, e.g. 19 (`vmx-19`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HardwareVersion(u32);

impl HardwareVersion {
    /// The oldest version accepted (ESX 3.x).
    pub const MIN: HardwareVersion = HardwareVersion(4);
    /// The newest version known to this provider (ESXi 9.0).
    pub const MAX: HardwareVersion = HardwareVersion(22);

    /// Parses `19`, `vmx-19` or `vmx-07` (the prefix in any case).
    pub fn parse(text: &str) -> Result<Self, HardwareError> {
        let syntax = || HardwareError::HardwareVersionSyntax { value: text.to_owned() };
        let digits = match text.get(..4) {
            Some(prefix) if prefix.eq_ignore_ascii_case("vmx-") => text.get(4..).unwrap_or(""),
            _ => text,
        };
        // `u32::from_str` would also take a leading `+`; only plain digits are
        // a version, and more than three digits are no version either.
        if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(syntax());
        }
        let number: u32 = digits.parse().map_err(|_| syntax())?;
        Self::new(i64::from(number))
    }

    /// Checks a version given as a number (the schema's integer attribute).
    pub fn new(number: i64) -> Result<Self, HardwareError> {
        match u32::try_from(number) {
            Ok(n) if SUPPORTED.contains(&n) => Ok(HardwareVersion(n)),
            _ => Err(HardwareError::HardwareVersionUnsupported { version: number }),
        }
    }

    /// Reads back what the server reports (`VirtualMachineConfigInfo.version`)
    /// without judging it: a VM that exists has whatever version it has.
    pub fn from_vim(text: &str) -> Option<Self> {
        let digits = text.strip_prefix("vmx-")?;
        if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().map(HardwareVersion)
    }

    /// The version number, e.g. 19.
    pub fn number(self) -> u32 {
        self.0
    }

    /// The vSphere API form: `vmx-19`, and `vmx-07` for versions below 10.
    pub fn to_vmx(self) -> String {
        format!("vmx-{:02}", self.0)
    }

    /// What this version allows.
    pub fn limits(self) -> VersionLimits {
        limits_of(self.0)
    }

    /// Whether this version has a feature (EFI, a device model, …).
    pub fn supports(self, feature: Feature) -> bool {
        self.0 >= feature.min_version()
    }
}

impl fmt::Display for HardwareVersion {
    /// The bare number, as users write `hardware_version`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Per-version maximums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionLimits {
    pub max_memory_mb: i64,
    pub max_vcpus: i64,
    pub max_cores_per_socket: i64,
}

const GB: i64 = 1024;

fn limits_of(version: u32) -> VersionLimits {
    let (max_memory_mb, max_vcpus, max_cores_per_socket) = match version {
        // ESX 3.5's documented maximum is 64 GB less 4 MB.
        ..=6 => (65_532, 4, 1),
        // 6.7's table says 255 GB, 8.0's 256 GB: take the smaller.
        7 => (255 * GB, 8, 8),
        8 => (1011 * GB, 32, 32),
        9 | 10 => (1011 * GB, 64, 64),
        // 12 is Workstation-only; give it 11's limits rather than guess.
        11 | 12 => (4080 * GB, 128, 64),
        13 | 14 => (6128 * GB, 128, 64),
        15..=17 => (6128 * GB, 256, 64),
        18 | 19 => (24_560 * GB, 768, 64),
        // vmx-22 (ESXi 9.0) is reported to allow 960 vCPUs; until VMware's
        // table says so, hold it to vmx-21's limits.
        _ => (24_560 * GB, 768, 256),
    };
    VersionLimits { max_memory_mb, max_vcpus, max_cores_per_socket }
}

/// The limits that apply when the version is unset (the host then picks its
/// newest) or invalid (reported on `hardware_version` itself): the loosest
/// known, leaving the rest to the server.
pub(crate) fn limits_for(hardware_version: Option<i64>) -> (VersionLimits, Option<HardwareVersion>) {
    match hardware_version.map(HardwareVersion::new) {
        Some(Ok(v)) => (v.limits(), Some(v)),
        _ => (HardwareVersion::MAX.limits(), None),
    }
}

/// Features that need a minimum hardware version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    /// EFI firmware: vmx-08 (ESXi 5.0).
    Efi,
    /// UEFI secure boot: vmx-13 (ESXi 6.5).
    SecureBoot,
    /// VMXNET 3 NIC: vmx-07 (ESX 4.0).
    Vmxnet3,
    /// E1000e NIC: vmx-08.
    E1000e,
    /// LSI Logic SAS controller: vmx-07.
    LsiLogicSas,
    /// VMware Paravirtual SCSI controller: vmx-07.
    ParaVirtualScsi,
}

impl Feature {
    /// The first hardware version with this feature.
    pub fn min_version(self) -> u32 {
        match self {
            Feature::Vmxnet3 | Feature::LsiLogicSas | Feature::ParaVirtualScsi => 7,
            Feature::Efi | Feature::E1000e => 8,
            Feature::SecureBoot => 13,
        }
    }
}

/// How a planned version compares with the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VersionChange {
    Same,
    /// Done in place (`UpgradeVM_Task`, VM powered off).
    Upgrade,
    /// vSphere cannot downgrade a VM: the resource plans a replacement.
    Downgrade,
}

/// Compares the current (`from`) and planned (`to`) versions.
pub fn hardware_version_change(from: HardwareVersion, to: HardwareVersion) -> VersionChange {
    match to.cmp(&from) {
        std::cmp::Ordering::Equal => VersionChange::Same,
        std::cmp::Ordering::Greater => VersionChange::Upgrade,
        std::cmp::Ordering::Less => VersionChange::Downgrade,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        let table: &[(&str, u32, &str)] = &[
            ("4", 4, "vmx-04"),
            ("7", 7, "vmx-07"),
            ("07", 7, "vmx-07"),
            ("vmx-7", 7, "vmx-07"),
            ("vmx-07", 7, "vmx-07"),
            ("VMX-07", 7, "vmx-07"),
            ("10", 10, "vmx-10"),
            ("13", 13, "vmx-13"),
            ("vmx-14", 14, "vmx-14"),
            ("15", 15, "vmx-15"),
            ("17", 17, "vmx-17"),
            ("vmx-19", 19, "vmx-19"),
            ("Vmx-20", 20, "vmx-20"),
            ("21", 21, "vmx-21"),
            ("vmx-22", 22, "vmx-22"),
            ("022", 22, "vmx-22"),
        ];
        for (text, number, vmx) in table {
            let v = HardwareVersion::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(v.number(), *number, "{text}");
            assert_eq!(v.to_vmx(), *vmx, "{text}");
            assert_eq!(HardwareVersion::from_vim(vmx), Some(v), "{vmx}");
            assert_eq!(v.to_string(), number.to_string());
        }
    }

    #[test]
    fn rejects_bad_syntax() {
        for text in [
            "", "vmx-", "vmx", "vmx19", "vmx_19", "vmx-+19", "+19", "-19", " 19", "19 ", "1 9", "19.0", "vmx-1e", "٣",
            "0019", "x",
        ] {
            match HardwareVersion::parse(text) {
                Err(e @ HardwareError::HardwareVersionSyntax { .. }) => {
                    assert_eq!(e.attribute(), "hardware_version");
                    assert!(e.to_string().contains("vmx-19"), "{e}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn rejects_versions_esxi_never_had() {
        for n in [i64::MIN, -1, 0, 1, 2, 3, 5, 6, 12, 16, 23, 99, 999, i64::from(u32::MAX) + 4, i64::MAX] {
            match HardwareVersion::new(n) {
                Err(e @ HardwareError::HardwareVersionUnsupported { .. }) => {
                    assert_eq!(e.attribute(), "hardware_version");
                    assert!(e.to_string().contains("17–22"), "{e}");
                }
                other => panic!("{n}: {other:?}"),
            }
        }
        for text in ["3", "vmx-03", "vmx-12", "16", "23", "999"] {
            assert!(matches!(HardwareVersion::parse(text), Err(HardwareError::HardwareVersionUnsupported { .. })));
        }
    }

    #[test]
    fn accepts_the_whole_supported_range() {
        for n in SUPPORTED {
            assert_eq!(HardwareVersion::new(i64::from(n)).map(HardwareVersion::number), Ok(n));
        }
        assert_eq!(HardwareVersion::new(4), Ok(HardwareVersion::MIN));
        assert_eq!(HardwareVersion::new(22), Ok(HardwareVersion::MAX));
    }

    #[test]
    fn from_vim_reads_any_version_but_only_the_api_form() {
        assert_eq!(HardwareVersion::from_vim("vmx-12").map(HardwareVersion::number), Some(12));
        assert_eq!(HardwareVersion::from_vim("vmx-03").map(HardwareVersion::number), Some(3));
        for text in ["", "19", "VMX-19", "vmx-", "vmx-abc", "vmx-1234", "vmx-+1"] {
            assert_eq!(HardwareVersion::from_vim(text), None, "{text}");
        }
    }

    #[test]
    fn limits_per_version() {
        // (version, max memory in GB, max vCPUs, max cores per socket)
        let table: &[(i64, i64, i64, i64)] = &[
            (7, 255, 8, 8),
            (8, 1011, 32, 32),
            (9, 1011, 64, 64),
            (10, 1011, 64, 64),
            (11, 4080, 128, 64),
            (13, 6128, 128, 64),
            (14, 6128, 128, 64),
            (15, 6128, 256, 64),
            (17, 6128, 256, 64),
            (18, 24_560, 768, 64),
            (19, 24_560, 768, 64),
            (20, 24_560, 768, 256),
            (21, 24_560, 768, 256),
            (22, 24_560, 768, 256),
        ];
        for (v, gb, cpus, cores) in table {
            let l = HardwareVersion::new(*v).unwrap().limits();
            assert_eq!(l, VersionLimits { max_memory_mb: gb * 1024, max_vcpus: *cpus, max_cores_per_socket: *cores });
        }
        let l4 = HardwareVersion::new(4).unwrap().limits();
        assert_eq!(l4, VersionLimits { max_memory_mb: 65_532, max_vcpus: 4, max_cores_per_socket: 1 });
    }

    #[test]
    fn unknown_or_invalid_version_gets_the_loosest_limits() {
        let newest = HardwareVersion::MAX.limits();
        assert_eq!(limits_for(None), (newest, None));
        assert_eq!(limits_for(Some(12)), (newest, None));
        assert_eq!(limits_for(Some(-5)), (newest, None));
        let v13 = HardwareVersion::new(13).unwrap();
        assert_eq!(limits_for(Some(13)), (v13.limits(), Some(v13)));
    }

    #[test]
    fn features() {
        let table: &[(Feature, u32)] = &[
            (Feature::Vmxnet3, 7),
            (Feature::LsiLogicSas, 7),
            (Feature::ParaVirtualScsi, 7),
            (Feature::Efi, 8),
            (Feature::E1000e, 8),
            (Feature::SecureBoot, 13),
        ];
        for (feature, min) in table {
            let below = SUPPORTED.iter().copied().filter(|n| n < min).max().unwrap();
            assert!(!HardwareVersion(below).supports(*feature), "{feature:?} at {below}");
            assert!(HardwareVersion(*min).supports(*feature), "{feature:?} at {min}");
            assert!(HardwareVersion::MAX.supports(*feature));
        }
    }

    #[test]
    fn version_change() {
        let v = |n| HardwareVersion::new(n).unwrap();
        assert_eq!(hardware_version_change(v(19), v(19)), VersionChange::Same);
        assert_eq!(hardware_version_change(v(13), v(19)), VersionChange::Upgrade);
        assert_eq!(hardware_version_change(v(9), v(10)), VersionChange::Upgrade);
        assert_eq!(hardware_version_change(v(19), v(17)), VersionChange::Downgrade);
        assert_eq!(hardware_version_change(v(10), v(9)), VersionChange::Downgrade);
    }
}
