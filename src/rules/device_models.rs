//! SCSI controller and NIC models: the names users write, the vSphere API
//! types they map to, and the hardware version each needs.
//!
//! Names follow libvirt's ESX driver (`buslogic`, `lsilogic`, `lsisas1068`,
//! `vlance`, `e1000`, `vmxnet2`, `vmxnet3`), except that the paravirtual
//! controller is `pvscsi` as vSphere users know it. The paravirtual models
//! (`pvscsi`, `vmxnet2`, `vmxnet3`) need a driver in the guest (VMware
//! Tools); the minimum versions come from VMware's compatibility tables.

use std::fmt;
use std::str::FromStr;

use super::hardware::{HardwareError, case_hint};
use super::hardware_version::{Feature, HardwareVersion, limits_for};

/// A SCSI controller model (`scsi_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScsiType {
    /// BusLogic Parallel, for older guests.
    BusLogic,
    /// LSI Logic Parallel, for more recent guests.
    LsiLogic,
    /// LSI Logic SAS 1068; hardware version 7 or later.
    LsiLogicSas,
    /// VMware Paravirtual SCSI; hardware version 7 or later, a guest driver.
    ParaVirtual,
}

impl ScsiType {
    pub const ALL: [ScsiType; 4] =
        [ScsiType::BusLogic, ScsiType::LsiLogic, ScsiType::LsiLogicSas, ScsiType::ParaVirtual];

    /// The accepted names, for messages and schema docs.
    pub const NAMES: &'static str = "\"buslogic\", \"lsilogic\", \"lsisas1068\", \"pvscsi\"";

    /// Other spellings people write, and what they mean here.
    const ALIASES: &'static [(&'static str, &'static str)] = &[
        ("vmpvscsi", " (libvirt's \"vmpvscsi\" is \"pvscsi\" here)"),
        ("paravirtual", " (did you mean \"pvscsi\"?)"),
        ("lsilogic-sas", " (did you mean \"lsisas1068\"?)"),
        ("lsilogicsas", " (did you mean \"lsisas1068\"?)"),
        ("lsisas", " (did you mean \"lsisas1068\"?)"),
        ("sas", " (did you mean \"lsisas1068\"?)"),
        ("auto", " (detecting the model from the disks is not supported: name the model)"),
    ];

    /// Parses a user's `scsi_type` (exactly; the value is kept in state as given).
    pub fn parse(value: &str) -> Result<Self, HardwareError> {
        Self::ALL.into_iter().find(|t| t.name() == value).ok_or_else(|| HardwareError::ScsiTypeUnknown {
            value: value.to_owned(),
            hint: hint(value, Self::ALIASES, &Self::ALL.map(Self::name)),
        })
    }

    /// The attribute value.
    pub fn name(self) -> &'static str {
        match self {
            ScsiType::BusLogic => "buslogic",
            ScsiType::LsiLogic => "lsilogic",
            ScsiType::LsiLogicSas => "lsisas1068",
            ScsiType::ParaVirtual => "pvscsi",
        }
    }

    /// The vSphere API device type to create.
    pub fn vim_type(self) -> &'static str {
        match self {
            ScsiType::BusLogic => "VirtualBusLogicController",
            ScsiType::LsiLogic => "VirtualLsiLogicController",
            ScsiType::LsiLogicSas => "VirtualLsiLogicSASController",
            ScsiType::ParaVirtual => "ParaVirtualSCSIController",
        }
    }

    /// Reads back a device's type; `None` for anything that is not one of
    /// these controllers.
    pub fn from_vim_type(vim_type: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.vim_type() == vim_type)
    }

    /// The first hardware version with this controller.
    pub fn min_hardware_version(self) -> u32 {
        match self {
            ScsiType::BusLogic | ScsiType::LsiLogic => HardwareVersion::MIN.number(),
            ScsiType::LsiLogicSas => Feature::LsiLogicSas.min_version(),
            ScsiType::ParaVirtual => Feature::ParaVirtualScsi.min_version(),
        }
    }

    /// Whether the guest needs VMware's driver (VMware Tools) to see it.
    pub fn needs_guest_driver(self) -> bool {
        self == ScsiType::ParaVirtual
    }
}

impl fmt::Display for ScsiType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ScsiType {
    type Err = HardwareError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A NIC model (`network_interface.adapter_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NicModel {
    /// Intel E1000, for recent guests.
    E1000,
    /// Intel E1000e; hardware version 8 or later.
    E1000e,
    /// Enhanced VMXNET; a guest driver.
    Vmxnet2,
    /// VMXNET 3; hardware version 7 or later, a guest driver.
    Vmxnet3,
    /// AMD PCnet32, for older guests.
    Vlance,
}

impl NicModel {
    pub const ALL: [NicModel; 5] =
        [NicModel::E1000, NicModel::E1000e, NicModel::Vmxnet2, NicModel::Vmxnet3, NicModel::Vlance];

    /// The accepted names, for messages and schema docs.
    pub const NAMES: &'static str = "\"e1000\", \"e1000e\", \"vmxnet2\", \"vmxnet3\", \"vlance\"";

    const ALIASES: &'static [(&'static str, &'static str)] = &[
        ("vmxnet", " (the original vmxnet/flexible adapter is not supported; use \"vmxnet3\")"),
        ("flexible", " (the original vmxnet/flexible adapter is not supported; use \"vmxnet3\")"),
        ("pcnet32", " (did you mean \"vlance\"?)"),
        ("pcnet", " (did you mean \"vlance\"?)"),
        ("vmxnet3vrdma", " (PVRDMA adapters are not supported)"),
        ("sriov", " (SR-IOV passthrough adapters are not supported)"),
    ];

    /// Parses a user's `adapter_type` (exactly; the value is kept in state as given).
    pub fn parse(value: &str) -> Result<Self, HardwareError> {
        Self::ALL.into_iter().find(|m| m.name() == value).ok_or_else(|| HardwareError::NicModelUnknown {
            value: value.to_owned(),
            hint: hint(value, Self::ALIASES, &Self::ALL.map(Self::name)),
        })
    }

    /// The attribute value.
    pub fn name(self) -> &'static str {
        match self {
            NicModel::E1000 => "e1000",
            NicModel::E1000e => "e1000e",
            NicModel::Vmxnet2 => "vmxnet2",
            NicModel::Vmxnet3 => "vmxnet3",
            NicModel::Vlance => "vlance",
        }
    }

    /// The vSphere API device type to create.
    pub fn vim_type(self) -> &'static str {
        match self {
            NicModel::E1000 => "VirtualE1000",
            NicModel::E1000e => "VirtualE1000e",
            NicModel::Vmxnet2 => "VirtualVmxnet2",
            NicModel::Vmxnet3 => "VirtualVmxnet3",
            NicModel::Vlance => "VirtualPCNet32",
        }
    }

    /// Reads back a device's type; `None` for other NICs (`VirtualVmxnet`,
    /// `VirtualVmxnet3Vrdma`, `VirtualSriovEthernetCard`, …).
    pub fn from_vim_type(vim_type: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.vim_type() == vim_type)
    }

    /// The first hardware version with this model.
    pub fn min_hardware_version(self) -> u32 {
        match self {
            NicModel::E1000 | NicModel::Vmxnet2 | NicModel::Vlance => HardwareVersion::MIN.number(),
            NicModel::Vmxnet3 => Feature::Vmxnet3.min_version(),
            NicModel::E1000e => Feature::E1000e.min_version(),
        }
    }

    /// Whether the guest needs VMware's driver (VMware Tools) to see it.
    pub fn needs_guest_driver(self) -> bool {
        matches!(self, NicModel::Vmxnet2 | NicModel::Vmxnet3)
    }
}

impl fmt::Display for NicModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for NicModel {
    type Err = HardwareError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A suggestion for an unknown name: a known alias, else a case fix.
fn hint(value: &str, aliases: &[(&str, &'static str)], names: &[&str]) -> String {
    let lower = value.to_lowercase();
    match aliases.iter().find(|(alias, _)| *alias == lower) {
        Some((_, text)) => (*text).to_owned(),
        None => case_hint(value, names),
    }
}

/// Whether the NIC model exists at the hardware version. An unset or
/// invalid version is not checked here.
pub fn check_nic_model(model: NicModel, hardware_version: Option<i64>) -> Result<(), HardwareError> {
    match limits_for(hardware_version).1 {
        Some(version) if version.number() < model.min_hardware_version() => {
            Err(HardwareError::NicModelNeedsHardware { model, version })
        }
        _ => Ok(()),
    }
}

/// Whether the SCSI controller model exists at the hardware version. An
/// unset or invalid version is not checked here.
pub fn check_scsi_type(scsi_type: ScsiType, hardware_version: Option<i64>) -> Result<(), HardwareError> {
    match limits_for(hardware_version).1 {
        Some(version) if version.number() < scsi_type.min_hardware_version() => {
            Err(HardwareError::ScsiTypeNeedsHardware { scsi_type, version })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scsi_types_both_ways() {
        let table: &[(&str, ScsiType, &str, u32)] = &[
            ("buslogic", ScsiType::BusLogic, "VirtualBusLogicController", 4),
            ("lsilogic", ScsiType::LsiLogic, "VirtualLsiLogicController", 4),
            ("lsisas1068", ScsiType::LsiLogicSas, "VirtualLsiLogicSASController", 7),
            ("pvscsi", ScsiType::ParaVirtual, "ParaVirtualSCSIController", 7),
        ];
        assert_eq!(table.len(), ScsiType::ALL.len());
        for (name, ty, vim, min) in table {
            assert_eq!(ScsiType::parse(name), Ok(*ty));
            assert_eq!(name.parse::<ScsiType>(), Ok(*ty));
            assert_eq!(ty.name(), *name);
            assert_eq!(ty.to_string(), *name);
            assert_eq!(ty.vim_type(), *vim);
            assert_eq!(ScsiType::from_vim_type(vim), Some(*ty));
            assert_eq!(ty.min_hardware_version(), *min);
            assert!(ScsiType::NAMES.contains(&format!("\"{name}\"")));
        }
        assert!(ScsiType::ParaVirtual.needs_guest_driver());
        assert!(!ScsiType::LsiLogic.needs_guest_driver());
    }

    #[test]
    fn nic_models_both_ways() {
        let table: &[(&str, NicModel, &str, u32)] = &[
            ("e1000", NicModel::E1000, "VirtualE1000", 4),
            ("e1000e", NicModel::E1000e, "VirtualE1000e", 8),
            ("vmxnet2", NicModel::Vmxnet2, "VirtualVmxnet2", 4),
            ("vmxnet3", NicModel::Vmxnet3, "VirtualVmxnet3", 7),
            ("vlance", NicModel::Vlance, "VirtualPCNet32", 4),
        ];
        assert_eq!(table.len(), NicModel::ALL.len());
        for (name, model, vim, min) in table {
            assert_eq!(NicModel::parse(name), Ok(*model));
            assert_eq!(name.parse::<NicModel>(), Ok(*model));
            assert_eq!(model.name(), *name);
            assert_eq!(model.to_string(), *name);
            assert_eq!(model.vim_type(), *vim);
            assert_eq!(NicModel::from_vim_type(vim), Some(*model));
            assert_eq!(model.min_hardware_version(), *min);
            assert!(NicModel::NAMES.contains(&format!("\"{name}\"")));
        }
        assert!(NicModel::Vmxnet3.needs_guest_driver());
        assert!(NicModel::Vmxnet2.needs_guest_driver());
        assert!(!NicModel::E1000.needs_guest_driver());
    }

    #[test]
    fn unknown_vim_types_read_back_as_none() {
        for vim in [
            "",
            "VirtualVmxnet",
            "VirtualVmxnet3Vrdma",
            "VirtualSriovEthernetCard",
            "virtuale1000",
            "VirtualE1000 ",
            "VirtualSCSIController",
            "VirtualNVMEController",
            "VirtualAHCIController",
            "e1000",
            "pvscsi",
        ] {
            assert_eq!(NicModel::from_vim_type(vim), None, "{vim}");
            assert_eq!(ScsiType::from_vim_type(vim), None, "{vim}");
        }
    }

    #[test]
    fn unknown_scsi_names_list_the_valid_ones() {
        let table: &[(&str, &str)] = &[
            ("", "not known"),
            ("scsi", "not known"),
            ("LsiLogic", "did you mean \"lsilogic\""),
            ("PVSCSI", "did you mean \"pvscsi\""),
            ("vmpvscsi", "\"vmpvscsi\" is \"pvscsi\" here"),
            ("paravirtual", "did you mean \"pvscsi\""),
            ("lsilogic-sas", "did you mean \"lsisas1068\""),
            ("auto", "name the model"),
            ("nvme", "not known"),
            (" lsilogic", "not known"),
        ];
        for (value, text) in table {
            match ScsiType::parse(value) {
                Err(e @ HardwareError::ScsiTypeUnknown { .. }) => {
                    assert_eq!(e.attribute(), "scsi_type");
                    let msg = e.to_string();
                    assert!(msg.contains(text), "{value:?}: {msg}");
                    assert!(msg.contains(ScsiType::NAMES), "{msg}");
                }
                other => panic!("{value:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_nic_names_list_the_valid_ones() {
        let table: &[(&str, &str)] = &[
            ("", "not known"),
            ("virtio", "not known"),
            ("E1000", "did you mean \"e1000\""),
            ("VMXNET3", "did you mean \"vmxnet3\""),
            ("vmxnet", "use \"vmxnet3\""),
            ("flexible", "use \"vmxnet3\""),
            ("pcnet32", "did you mean \"vlance\""),
            ("vmxnet3vrdma", "PVRDMA"),
            ("sriov", "SR-IOV"),
            ("e1000 ", "not known"),
        ];
        for (value, text) in table {
            match NicModel::parse(value) {
                Err(e @ HardwareError::NicModelUnknown { .. }) => {
                    assert_eq!(e.attribute(), "network_interface.adapter_type");
                    let msg = e.to_string();
                    assert!(msg.contains(text), "{value:?}: {msg}");
                    assert!(msg.contains(NicModel::NAMES), "{msg}");
                }
                other => panic!("{value:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn nic_model_against_hardware_version() {
        // (model, version, ok)
        let table: &[(NicModel, Option<i64>, bool)] = &[
            (NicModel::E1000, Some(4), true),
            (NicModel::Vlance, Some(4), true),
            (NicModel::Vmxnet2, Some(4), true),
            (NicModel::Vmxnet3, Some(4), false),
            (NicModel::Vmxnet3, Some(7), true),
            (NicModel::Vmxnet3, Some(21), true),
            (NicModel::E1000e, Some(7), false),
            (NicModel::E1000e, Some(8), true),
            (NicModel::E1000e, None, true),
            (NicModel::Vmxnet3, None, true),
            // an invalid version is reported on hardware_version instead
            (NicModel::E1000e, Some(5), true),
        ];
        for (model, v, ok) in table {
            match check_nic_model(*model, *v) {
                Ok(()) => assert!(ok, "{model} at {v:?} should fail"),
                Err(e) => {
                    assert!(!ok, "{model} at {v:?}: {e}");
                    assert_eq!(e.attribute(), "network_interface.adapter_type");
                    let msg = e.to_string();
                    let needed = format!("hardware version {} or later", model.min_hardware_version());
                    assert!(msg.contains(&needed) && msg.contains(model.name()), "{msg}");
                }
            }
        }
    }

    #[test]
    fn scsi_type_against_hardware_version() {
        let table: &[(ScsiType, Option<i64>, bool)] = &[
            (ScsiType::BusLogic, Some(4), true),
            (ScsiType::LsiLogic, Some(4), true),
            (ScsiType::LsiLogicSas, Some(4), false),
            (ScsiType::LsiLogicSas, Some(7), true),
            (ScsiType::ParaVirtual, Some(4), false),
            (ScsiType::ParaVirtual, Some(7), true),
            (ScsiType::ParaVirtual, Some(19), true),
            (ScsiType::ParaVirtual, None, true),
        ];
        for (ty, v, ok) in table {
            match check_scsi_type(*ty, *v) {
                Ok(()) => assert!(ok, "{ty} at {v:?} should fail"),
                Err(e) => {
                    assert!(!ok, "{ty} at {v:?}: {e}");
                    assert_eq!(e.attribute(), "scsi_type");
                    assert!(e.to_string().contains("hardware version 7 or later"), "{e}");
                }
            }
        }
    }
}
