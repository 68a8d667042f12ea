//! Plan-time rules for a `vi_vm`'s hardware: memory, vCPUs, firmware, disks.
//!
//! Every rule returns a [`HardwareError`] that names the attribute it
//! concerns ([`HardwareError::attribute`]) and says what is allowed. MAC
//! addresses are in [`super::mac_address`], controller and NIC models in
//! [`super::device_models`], versions and their limits in
//! [`super::hardware_version`].
//!
//! Sources: libvirt's ESX driver documentation (memory in 4 MB steps, the
//! 1-or-even vCPU rule of ESX 3.x, MAC ranges, device models) and VMware's
//! per-version compatibility tables (see [`super::hardware_version`]).

use std::fmt;

use super::device_models::{NicModel, ScsiType};
use super::hardware_version::{Feature, HardwareVersion, SUPPORTED_LIST, limits_for};

/// The smallest memory size, and the step sizes go in (libvirt: a multiple of
/// 4096 KiB).
pub const MEMORY_STEP_MB: i64 = 4;

/// A VM has at most this many virtual sockets, whatever its version
/// (vSphere VM Administration guide, "Virtual CPU Limitations").
pub const MAX_SOCKETS: i64 = 128;

/// The largest virtual disk on VMFS 5/6: 62 TB.
pub const MAX_DISK_GB: i64 = 62 * 1024;

/// The SCSI unit the controller itself occupies.
pub const SCSI_CONTROLLER_UNIT: i64 = 7;

/// The highest unit number on a SCSI controller (16 targets).
pub const MAX_SCSI_UNIT: i64 = 15;

/// A rule a `vi_vm` attribute broke. [`HardwareError::attribute`] names it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HardwareError {
    #[error("memory = {mb} MB is too small: a VM needs at least {MEMORY_STEP_MB} MB")]
    MemoryTooSmall { mb: i64 },
    #[error("memory = {mb} MB is not a multiple of {MEMORY_STEP_MB} MB; use {below} or {above}")]
    MemoryNotMultipleOf4 { mb: i64, below: i64, above: i64 },
    #[error("memory = {mb} MB is more than {scope} allows: at most {max_mb} MB ({} GB)", .max_mb / 1024)]
    MemoryTooLarge { mb: i64, max_mb: i64, scope: Scope },

    #[error("num_cpus = {num_cpus}: a VM needs at least 1 vCPU")]
    CpusTooFew { num_cpus: i64 },
    #[error("num_cpus = {num_cpus} is more than {scope} allows: at most {max}")]
    CpusTooMany { num_cpus: i64, max: i64, scope: Scope },
    #[error(
        "num_cpus = {num_cpus}: hardware version {version} (ESX 3.x) allows 1 or an even number of vCPUs; \
         use {} or {}, or a newer hardware_version", .num_cpus.saturating_sub(1), .num_cpus.saturating_add(1)
    )]
    CpusOddOnOldHardware { num_cpus: i64, version: HardwareVersion },
    #[error(
        "num_cpus = {num_cpus} with {cores} core(s) per socket makes {sockets} sockets, but a VM has at most \
         {MAX_SOCKETS}; {}", SocketsAdvice(.suggested_cores)
    )]
    TooManySockets { num_cpus: i64, cores: i64, sockets: i64, suggested_cores: Option<i64> },
    #[error("num_cores_per_socket = {cores}: a socket needs at least 1 core")]
    CoresPerSocketTooFew { cores: i64 },
    #[error("num_cores_per_socket = {cores} is more than {scope} allows: at most {max}")]
    CoresPerSocketTooMany { cores: i64, max: i64, scope: Scope },
    #[error(
        "num_cpus = {num_cpus} is not a multiple of num_cores_per_socket = {cores}: \
         the vCPUs must fill whole sockets"
    )]
    CpusNotMultipleOfCores { num_cpus: i64, cores: i64 },

    #[error("firmware = {value:?} is not known; expected \"bios\" or \"efi\"{hint}")]
    FirmwareUnknown { value: String, hint: String },
    #[error(
        "firmware = \"efi\" needs hardware version {} or later, but hardware_version is {version}",
        Feature::Efi.min_version()
    )]
    EfiNeedsHardware { version: HardwareVersion },
    #[error("efi_secure_boot = true needs firmware = \"efi\", but firmware is \"{}\"", .firmware.name())]
    SecureBootNeedsEfi { firmware: Firmware },
    #[error(
        "efi_secure_boot = true needs hardware version {} or later, but hardware_version is {version}",
        Feature::SecureBoot.min_version()
    )]
    SecureBootNeedsHardware { version: HardwareVersion },

    #[error("hardware_version {value:?} is not a version; expected {SUPPORTED_LIST}")]
    HardwareVersionSyntax { value: String },
    #[error("hardware_version {version} is not one ESXi supports; expected {SUPPORTED_LIST}")]
    HardwareVersionUnsupported { version: i64 },

    #[error("disk size = {gb} GB: a disk needs at least 1 GB")]
    DiskTooSmall { gb: i64 },
    #[error("disk size = {gb} GB is more than a virtual disk can hold: at most {MAX_DISK_GB} GB (62 TB)")]
    DiskTooLarge { gb: i64 },
    #[error(
        "disk size cannot shrink from {old_gb} GB to {new_gb} GB: vSphere only grows virtual disks; \
         keep size at {old_gb} GB or more, or replace the disk"
    )]
    DiskShrink { old_gb: i64, new_gb: i64 },
    #[error("disk unit_number = {unit} is out of range: a SCSI controller has units 0–{MAX_SCSI_UNIT}, except 7")]
    UnitNumberOutOfRange { unit: i64 },
    #[error("disk unit_number = 7 is the SCSI controller's own unit; use 0–6 or 8–{MAX_SCSI_UNIT}")]
    UnitNumberReserved,
    #[error(
        "{count} disks do not fit on the VM's one SCSI controller: it holds at most {MAX_DISKS} \
         (units 0–{MAX_SCSI_UNIT} except 7, the controller's own)"
    )]
    TooManyDisks { count: usize },

    #[error(
        "mac_address {value:?} is not a MAC address: {reason}; \
         expected six colon-separated pairs of hex digits, like 00:50:56:0a:0b:0c"
    )]
    MacSyntax { value: String, reason: &'static str },
    #[error(
        "mac_address {mac} is a multicast address (the lowest bit of its first octet is set); \
         a NIC needs a unicast address, e.g. in 00:50:56:00:00:00–00:50:56:3f:ff:ff"
    )]
    MacMulticast { mac: String },
    #[error("mac_address {mac} is all zeros; a NIC needs a real address, e.g. in 00:50:56:00:00:00–00:50:56:3f:ff:ff")]
    MacZero { mac: String },
    #[error(
        "mac_address {mac} is outside VMware's ranges: a static address must be in \
         00:50:56:00:00:00–00:50:56:3f:ff:ff; to use another address anyway, set mac_address_check = false \
         (the provider then turns off ESXi's own check with ethernetN.checkMACAddress = \"false\")"
    )]
    MacOutsideRanges { mac: String },

    #[error("scsi_type = {value:?} is not known; expected one of {}{hint}", ScsiType::NAMES)]
    ScsiTypeUnknown { value: String, hint: String },
    #[error(
        "scsi_type = \"{}\" needs hardware version {} or later, but hardware_version is {version}",
        .scsi_type.name(), .scsi_type.min_hardware_version()
    )]
    ScsiTypeNeedsHardware { scsi_type: ScsiType, version: HardwareVersion },
    #[error("adapter_type = {value:?} is not known; expected one of {}{hint}", NicModel::NAMES)]
    NicModelUnknown { value: String, hint: String },
    #[error(
        "adapter_type = \"{}\" needs hardware version {} or later, but hardware_version is {version}",
        .model.name(), .model.min_hardware_version()
    )]
    NicModelNeedsHardware { model: NicModel, version: HardwareVersion },
}

impl HardwareError {
    /// The `vi_vm` attribute the error concerns, as a dotted path
    /// (`disk.size` is `size` in a `disk` block).
    pub fn attribute(&self) -> &'static str {
        use HardwareError as E;
        match self {
            E::MemoryTooSmall { .. } | E::MemoryNotMultipleOf4 { .. } | E::MemoryTooLarge { .. } => "memory",
            E::CpusTooFew { .. }
            | E::CpusTooMany { .. }
            | E::CpusOddOnOldHardware { .. }
            | E::TooManySockets { .. } => "num_cpus",
            E::CoresPerSocketTooFew { .. } | E::CoresPerSocketTooMany { .. } | E::CpusNotMultipleOfCores { .. } => {
                "num_cores_per_socket"
            }
            E::FirmwareUnknown { .. } | E::EfiNeedsHardware { .. } => "firmware",
            E::SecureBootNeedsEfi { .. } | E::SecureBootNeedsHardware { .. } => "efi_secure_boot",
            E::HardwareVersionSyntax { .. } | E::HardwareVersionUnsupported { .. } => "hardware_version",
            E::DiskTooSmall { .. } | E::DiskTooLarge { .. } | E::DiskShrink { .. } => "disk.size",
            E::UnitNumberOutOfRange { .. } | E::UnitNumberReserved => "disk.unit_number",
            E::TooManyDisks { .. } => "disk",
            E::MacSyntax { .. } | E::MacMulticast { .. } | E::MacZero { .. } | E::MacOutsideRanges { .. } => {
                "network_interface.mac_address"
            }
            E::ScsiTypeUnknown { .. } | E::ScsiTypeNeedsHardware { .. } => "scsi_type",
            E::NicModelUnknown { .. } | E::NicModelNeedsHardware { .. } => "network_interface.adapter_type",
        }
    }
}

/// Which hardware version a limit comes from, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope(pub Option<HardwareVersion>);

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(v) => write!(f, "hardware version {v}"),
            None => f.write_str("any hardware version"),
        }
    }
}

/// How to get under [`MAX_SOCKETS`], for messages.
struct SocketsAdvice<'a>(&'a Option<i64>);

impl fmt::Display for SocketsAdvice<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self.0 {
            Some(cores) => write!(f, "set num_cores_per_socket = {cores} (or a larger divisor of num_cpus)"),
            None => f.write_str(
                "no core count this hardware version allows divides num_cpus into few enough sockets; \
                 choose another num_cpus",
            ),
        }
    }
}

/// A suggestion for a value that differs from a valid one only in case.
pub(crate) fn case_hint(value: &str, names: &[&str]) -> String {
    let lower = value.to_lowercase();
    match names.iter().find(|n| **n == lower) {
        Some(n) if *n != value => format!(" (names are lowercase: did you mean \"{n}\"?)"),
        _ => String::new(),
    }
}

/// Memory in MB: at least 4, a multiple of 4, and within what the hardware
/// version allows. An unset or invalid version gets the newest version's
/// limit (an invalid one is reported on `hardware_version` by
/// [`HardwareVersion::new`]).
pub fn check_memory(mb: i64, hardware_version: Option<i64>) -> Result<(), HardwareError> {
    if mb < MEMORY_STEP_MB {
        return Err(HardwareError::MemoryTooSmall { mb });
    }
    let (limits, version) = limits_for(hardware_version);
    // Before the step check, so the suggested neighbours cannot overflow.
    if mb > limits.max_memory_mb {
        return Err(HardwareError::MemoryTooLarge { mb, max_mb: limits.max_memory_mb, scope: Scope(version) });
    }
    let rem = mb % MEMORY_STEP_MB;
    if rem != 0 {
        let below = mb - rem;
        return Err(HardwareError::MemoryNotMultipleOf4 { mb, below, above: below + MEMORY_STEP_MB });
    }
    Ok(())
}

/// vCPUs and cores per socket: at least 1 each, whole sockets, at most
/// [`MAX_SOCKETS`] sockets, within the version's vCPU and cores-per-socket
/// maximums; on ESX 3.x hardware (version 4) 1 or an even number of vCPUs.
/// `cores_per_socket` unset means 1.
pub fn check_cpus(
    num_cpus: i64,
    cores_per_socket: Option<i64>,
    hardware_version: Option<i64>,
) -> Result<(), HardwareError> {
    if num_cpus < 1 {
        return Err(HardwareError::CpusTooFew { num_cpus });
    }
    let cores = cores_per_socket.unwrap_or(1);
    if cores < 1 {
        return Err(HardwareError::CoresPerSocketTooFew { cores });
    }
    let (limits, version) = limits_for(hardware_version);
    if num_cpus > limits.max_vcpus {
        return Err(HardwareError::CpusTooMany { num_cpus, max: limits.max_vcpus, scope: Scope(version) });
    }
    if cores > limits.max_cores_per_socket {
        return Err(HardwareError::CoresPerSocketTooMany {
            cores,
            max: limits.max_cores_per_socket,
            scope: Scope(version),
        });
    }
    if num_cpus % cores != 0 {
        return Err(HardwareError::CpusNotMultipleOfCores { num_cpus, cores });
    }
    let sockets = num_cpus / cores;
    if sockets > MAX_SOCKETS {
        // The smallest whole split into few enough sockets, if the version
        // allows one.
        let fewest = (num_cpus + MAX_SOCKETS - 1) / MAX_SOCKETS;
        let suggested_cores = (fewest..=limits.max_cores_per_socket).find(|d| num_cpus % d == 0);
        return Err(HardwareError::TooManySockets { num_cpus, cores, sockets, suggested_cores });
    }
    // libvirt's "1 or a multiple of 2" dates from ESX 3.x; ESX 4.0 (vmx-07)
    // lifted it, so it binds only the older hardware.
    if let Some(v) = version
        && v.number() < 7
        && num_cpus > 1
        && num_cpus % 2 != 0
    {
        return Err(HardwareError::CpusOddOnOldHardware { num_cpus, version: v });
    }
    Ok(())
}

/// A VM's firmware.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Firmware {
    Bios,
    Efi,
}

impl Firmware {
    pub const NAMES: &'static str = "\"bios\", \"efi\"";

    /// Parses `bios` or `efi` (exactly: the value is kept in state as given).
    pub fn parse(value: &str) -> Result<Self, HardwareError> {
        match value {
            "bios" => Ok(Firmware::Bios),
            "efi" => Ok(Firmware::Efi),
            _ => Err(HardwareError::FirmwareUnknown {
                value: value.to_owned(),
                hint: case_hint(value, &["bios", "efi"]),
            }),
        }
    }

    /// The attribute value, which is also `VirtualMachineConfigSpec.firmware`.
    pub fn name(self) -> &'static str {
        match self {
            Firmware::Bios => "bios",
            Firmware::Efi => "efi",
        }
    }
}

/// Firmware and secure boot: `bios` or `efi`; EFI needs hardware version 8,
/// secure boot needs EFI and hardware version 13. An unset or invalid
/// version skips the version checks.
pub fn check_firmware(
    firmware: &str,
    efi_secure_boot: Option<bool>,
    hardware_version: Option<i64>,
) -> Result<Firmware, HardwareError> {
    let parsed = Firmware::parse(firmware)?;
    let (_, version) = limits_for(hardware_version);
    if let Some(v) = version
        && parsed == Firmware::Efi
        && !v.supports(Feature::Efi)
    {
        return Err(HardwareError::EfiNeedsHardware { version: v });
    }
    if efi_secure_boot == Some(true) {
        if parsed != Firmware::Efi {
            return Err(HardwareError::SecureBootNeedsEfi { firmware: parsed });
        }
        if let Some(v) = version
            && !v.supports(Feature::SecureBoot)
        {
            return Err(HardwareError::SecureBootNeedsHardware { version: v });
        }
    }
    Ok(parsed)
}

/// A virtual disk's size in GB: 1 to [`MAX_DISK_GB`].
pub fn check_disk_size(gb: i64) -> Result<(), HardwareError> {
    if gb < 1 {
        return Err(HardwareError::DiskTooSmall { gb });
    }
    if gb > MAX_DISK_GB {
        return Err(HardwareError::DiskTooLarge { gb });
    }
    Ok(())
}

/// A planned size change: the new size must be valid and not smaller, since
/// vSphere can grow a virtual disk but never shrink it.
pub fn check_disk_resize(old_gb: i64, new_gb: i64) -> Result<(), HardwareError> {
    check_disk_size(new_gb)?;
    if new_gb < old_gb {
        return Err(HardwareError::DiskShrink { old_gb, new_gb });
    }
    Ok(())
}

/// Most disks a VM can have: one SCSI controller's units 0–15 but 7.
pub const MAX_DISKS: usize = 15;

/// The number of `disk` blocks: past [`MAX_DISKS`] the default unit numbers
/// would run to 16 and beyond, which vSphere refuses half-way through apply.
pub fn check_disk_count(count: usize) -> Result<(), HardwareError> {
    if count > MAX_DISKS { Err(HardwareError::TooManyDisks { count }) } else { Ok(()) }
}

/// A disk's unit number on its SCSI controller: 0 to 15, but not 7.
pub fn check_scsi_unit_number(unit: i64) -> Result<(), HardwareError> {
    if !(0..=MAX_SCSI_UNIT).contains(&unit) {
        return Err(HardwareError::UnitNumberOutOfRange { unit });
    }
    if unit == SCSI_CONTROLLER_UNIT {
        return Err(HardwareError::UnitNumberReserved);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GB: i64 = 1024;

    #[test]
    fn memory() {
        // (mb, hardware_version, expected error attribute-level outcome)
        let ok: &[(i64, Option<i64>)] = &[
            (4, None),
            (8, None),
            (1024, None),
            (1024, Some(4)),
            (65_532, Some(4)),
            (255 * GB, Some(7)),
            (1011 * GB, Some(8)),
            (1011 * GB, Some(10)),
            (4080 * GB, Some(11)),
            (6128 * GB, Some(13)),
            (6128 * GB, Some(14)),
            (6128 * GB, Some(15)),
            (6128 * GB, Some(17)),
            (24_560 * GB, Some(19)),
            (24_560 * GB, Some(20)),
            (24_560 * GB, Some(21)),
            (24_560 * GB, None),
            // an invalid version is reported elsewhere; the loosest limit applies
            (24_560 * GB, Some(12)),
        ];
        for (mb, v) in ok {
            assert_eq!(check_memory(*mb, *v), Ok(()), "{mb} MB at {v:?}");
        }

        for mb in [i64::MIN, -4, -1, 0, 1, 2, 3] {
            assert_eq!(check_memory(mb, None), Err(HardwareError::MemoryTooSmall { mb }));
        }
        let e = check_memory(1023, None).unwrap_err();
        assert_eq!(e, HardwareError::MemoryNotMultipleOf4 { mb: 1023, below: 1020, above: 1024 });
        assert_eq!(e.attribute(), "memory");
        assert!(e.to_string().contains("use 1020 or 1024"), "{e}");
        for mb in [5, 6, 7, 1025, 1026, 24_560 * GB - 1] {
            assert!(matches!(check_memory(mb, None), Err(HardwareError::MemoryNotMultipleOf4 { .. })), "{mb}");
        }

        let too_large: &[(i64, Option<i64>, i64)] = &[
            (65_536, Some(4), 65_532),
            (255 * GB + 4, Some(7), 255 * GB),
            (1011 * GB + 4, Some(9), 1011 * GB),
            (4080 * GB + 4, Some(11), 4080 * GB),
            (6128 * GB + 4, Some(13), 6128 * GB),
            (6128 * GB + 4, Some(17), 6128 * GB),
            (24_560 * GB + 4, Some(19), 24_560 * GB),
            (24_560 * GB + 4, Some(21), 24_560 * GB),
            (24_560 * GB + 4, None, 24_560 * GB),
            (i64::MAX, None, 24_560 * GB),
            (i64::MAX, Some(13), 6128 * GB),
        ];
        for (mb, v, max) in too_large {
            match check_memory(*mb, *v) {
                Err(e @ HardwareError::MemoryTooLarge { .. }) => {
                    assert_eq!(e.attribute(), "memory");
                    let text = e.to_string();
                    assert!(text.contains(&format!("at most {max} MB")), "{text}");
                    if let Some(v) = v {
                        assert!(text.contains(&format!("hardware version {v}")), "{text}");
                    } else {
                        assert!(text.contains("any hardware version"), "{text}");
                    }
                }
                other => panic!("{mb} at {v:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn cpus_valid() {
        let ok: &[(i64, Option<i64>, Option<i64>)] = &[
            (1, None, None),
            (1, Some(1), None),
            (3, None, None),
            (3, None, Some(7)),
            (4, Some(2), None),
            (6, Some(3), Some(13)),
            (1, None, Some(4)),
            (2, None, Some(4)),
            (4, None, Some(4)),
            (4, Some(1), Some(4)),
            (8, Some(8), Some(7)),
            (32, Some(32), Some(8)),
            (64, Some(64), Some(9)),
            (128, None, Some(11)),
            (128, Some(64), Some(14)),
            (256, Some(2), Some(15)),
            (256, Some(64), Some(17)),
            (768, Some(64), Some(19)),
            (768, Some(6), Some(18)),
            (768, Some(256), Some(20)),
            (768, Some(256), Some(21)),
            (768, Some(256), None),
            (128, Some(1), None),
        ];
        for (n, c, v) in ok {
            assert_eq!(check_cpus(*n, *c, *v), Ok(()), "{n} cpus, {c:?} cores, hw {v:?}");
        }
    }

    #[test]
    fn cpus_invalid() {
        type Case = (i64, Option<i64>, Option<i64>, &'static str, &'static str);
        // (num_cpus, cores, version, attribute, text the message must hold)
        let table: &[Case] = &[
            (0, None, None, "num_cpus", "at least 1 vCPU"),
            (-1, None, None, "num_cpus", "at least 1 vCPU"),
            (i64::MIN, Some(0), None, "num_cpus", "at least 1 vCPU"),
            (2, Some(0), None, "num_cores_per_socket", "at least 1 core"),
            (2, Some(-2), None, "num_cores_per_socket", "at least 1 core"),
            (2, Some(i64::MIN), None, "num_cores_per_socket", "at least 1 core"),
            (5, Some(2), None, "num_cores_per_socket", "not a multiple of num_cores_per_socket = 2"),
            (2, Some(4), None, "num_cores_per_socket", "not a multiple"),
            (5, None, Some(4), "num_cpus", "at most 4"),
            (9, None, Some(7), "num_cpus", "at most 8"),
            (33, None, Some(8), "num_cpus", "at most 32"),
            (65, None, Some(10), "num_cpus", "at most 64"),
            (129, None, Some(14), "num_cpus", "at most 128"),
            (257, None, Some(17), "num_cpus", "at most 256"),
            (769, None, Some(19), "num_cpus", "at most 768"),
            (769, None, Some(22), "num_cpus", "at most 768"),
            (769, None, None, "num_cpus", "any hardware version"),
            (i64::MAX, Some(i64::MAX), None, "num_cpus", "at most 768"),
            (4, Some(2), Some(4), "num_cores_per_socket", "at most 1"),
            (8, Some(16), Some(7), "num_cores_per_socket", "at most 8"),
            (32, Some(64), Some(8), "num_cores_per_socket", "at most 32"),
            (128, Some(128), Some(19), "num_cores_per_socket", "at most 64"),
            (512, Some(512), None, "num_cores_per_socket", "at most 256"),
            (129, None, Some(15), "num_cpus", "129 sockets"),
            (129, None, Some(15), "num_cpus", "num_cores_per_socket = 3 "),
            (256, Some(1), Some(17), "num_cpus", "num_cores_per_socket = 2 "),
            (768, Some(4), Some(19), "num_cpus", "num_cores_per_socket = 6 "),
            (761, None, Some(19), "num_cpus", "choose another num_cpus"),
            (3, None, Some(4), "num_cpus", "1 or an even number"),
            (3, Some(1), Some(4), "num_cpus", "use 2 or 4"),
        ];
        for (n, c, v, attribute, text) in table {
            match check_cpus(*n, *c, *v) {
                Err(e) => {
                    assert_eq!(e.attribute(), *attribute, "{n} {c:?} {v:?}: {e}");
                    assert!(e.to_string().contains(text), "{n} {c:?} {v:?}: {e}");
                }
                Ok(()) => panic!("{n} cpus, {c:?} cores, hw {v:?} should fail"),
            }
        }
    }

    #[test]
    fn firmware() {
        let ok: &[(&str, Option<bool>, Option<i64>, Firmware)] = &[
            ("bios", None, None, Firmware::Bios),
            ("bios", Some(false), Some(4), Firmware::Bios),
            ("efi", None, None, Firmware::Efi),
            ("efi", Some(false), Some(8), Firmware::Efi),
            ("efi", Some(true), Some(13), Firmware::Efi),
            ("efi", Some(true), Some(21), Firmware::Efi),
            ("efi", Some(true), None, Firmware::Efi),
            // invalid version: reported on hardware_version, not here
            ("efi", Some(true), Some(12), Firmware::Efi),
        ];
        for (fw, sb, v, want) in ok {
            assert_eq!(check_firmware(fw, *sb, *v), Ok(*want), "{fw} {sb:?} {v:?}");
        }

        type Case = (&'static str, Option<bool>, Option<i64>, &'static str, &'static str);
        let bad: &[Case] = &[
            ("", None, None, "firmware", "expected \"bios\" or \"efi\""),
            ("uefi", None, None, "firmware", "expected \"bios\" or \"efi\""),
            ("csm", None, None, "firmware", "not known"),
            ("EFI", None, None, "firmware", "did you mean \"efi\""),
            ("Bios", None, None, "firmware", "did you mean \"bios\""),
            (" efi", None, None, "firmware", "not known"),
            ("efi", None, Some(7), "firmware", "hardware version 8 or later"),
            ("efi", Some(true), Some(4), "firmware", "hardware version 8"),
            ("bios", Some(true), None, "efi_secure_boot", "needs firmware = \"efi\""),
            ("bios", Some(true), Some(19), "efi_secure_boot", "firmware is \"bios\""),
            ("efi", Some(true), Some(11), "efi_secure_boot", "hardware version 13 or later"),
            ("efi", Some(true), Some(8), "efi_secure_boot", "hardware_version is 8"),
        ];
        for (fw, sb, v, attribute, text) in bad {
            match check_firmware(fw, *sb, *v) {
                Err(e) => {
                    assert_eq!(e.attribute(), *attribute, "{fw} {sb:?} {v:?}: {e}");
                    assert!(e.to_string().contains(text), "{fw} {sb:?} {v:?}: {e}");
                }
                Ok(f) => panic!("{fw} {sb:?} {v:?} should fail, got {f:?}"),
            }
        }
        assert_eq!(Firmware::parse("efi").map(Firmware::name), Ok("efi"));
        assert_eq!(Firmware::parse("bios").map(Firmware::name), Ok("bios"));
    }

    #[test]
    fn disk_size() {
        for gb in [1, 2, 40, 2048, MAX_DISK_GB - 1, MAX_DISK_GB] {
            assert_eq!(check_disk_size(gb), Ok(()), "{gb}");
        }
        for gb in [0, -1, i64::MIN] {
            let e = check_disk_size(gb).unwrap_err();
            assert_eq!(e, HardwareError::DiskTooSmall { gb });
            assert_eq!(e.attribute(), "disk.size");
        }
        for gb in [MAX_DISK_GB + 1, i64::MAX] {
            let e = check_disk_size(gb).unwrap_err();
            assert_eq!(e, HardwareError::DiskTooLarge { gb });
            assert!(e.to_string().contains("at most 63488 GB"), "{e}");
        }
    }

    #[test]
    fn disk_resize() {
        for (old, new) in [(10, 10), (10, 11), (1, MAX_DISK_GB), (0, 1)] {
            assert_eq!(check_disk_resize(old, new), Ok(()), "{old} -> {new}");
        }
        let e = check_disk_resize(40, 20).unwrap_err();
        assert_eq!(e, HardwareError::DiskShrink { old_gb: 40, new_gb: 20 });
        assert_eq!(e.attribute(), "disk.size");
        let text = e.to_string();
        assert!(text.contains("40 GB") && text.contains("20 GB"), "{text}");
        assert_eq!(check_disk_resize(11, 10), Err(HardwareError::DiskShrink { old_gb: 11, new_gb: 10 }));
        assert_eq!(check_disk_resize(i64::MAX, 1), Err(HardwareError::DiskShrink { old_gb: i64::MAX, new_gb: 1 }));
        // an invalid new size is reported as such, not as a shrink
        assert_eq!(check_disk_resize(40, 0), Err(HardwareError::DiskTooSmall { gb: 0 }));
        assert_eq!(check_disk_resize(40, i64::MAX), Err(HardwareError::DiskTooLarge { gb: i64::MAX }));
    }

    #[test]
    fn scsi_unit_number() {
        for unit in [0, 1, 6, 8, 14, 15] {
            assert_eq!(check_scsi_unit_number(unit), Ok(()), "{unit}");
        }
        let e = check_scsi_unit_number(7).unwrap_err();
        assert_eq!(e, HardwareError::UnitNumberReserved);
        assert_eq!(e.attribute(), "disk.unit_number");
        assert!(e.to_string().contains("0–6 or 8–15"), "{e}");
        for unit in [-1, 16, 64, i64::MIN, i64::MAX] {
            let e = check_scsi_unit_number(unit).unwrap_err();
            assert_eq!(e, HardwareError::UnitNumberOutOfRange { unit });
            assert_eq!(e.attribute(), "disk.unit_number");
        }
    }

    #[test]
    fn disk_count() {
        for n in [0, 1, 15] {
            assert_eq!(check_disk_count(n), Ok(()), "{n}");
        }
        for n in [16, 20, usize::MAX] {
            let e = check_disk_count(n).unwrap_err();
            assert_eq!(e.attribute(), "disk");
            assert!(e.to_string().contains("at most 15"), "{e}");
        }
    }

    #[test]
    fn extreme_numbers_never_panic() {
        let odd = [i64::MIN, i64::MIN + 1, -1, 0, 1, 2, 3, 7, 127, 128, 129, 4095, i64::MAX - 1, i64::MAX];
        for a in odd {
            let _ = check_memory(a, Some(a)).map_err(|e| e.to_string());
            let _ = check_disk_size(a).map_err(|e| e.to_string());
            let _ = check_scsi_unit_number(a).map_err(|e| e.to_string());
            let _ = HardwareVersion::new(a).map_err(|e| e.to_string());
            for b in odd {
                let _ = check_cpus(a, Some(b), Some(b)).map_err(|e| e.to_string());
                let _ = check_cpus(a, Some(b), None).map_err(|e| e.to_string());
                let _ = check_disk_resize(a, b).map_err(|e| e.to_string());
                let _ = check_firmware("efi", Some(true), Some(b)).map_err(|e| e.to_string());
            }
        }
    }
}
