//! The managed object types the provider names, so a reference to a VM is
//! built as `MoType::VirtualMachine.moref(id)`, never from a string that a
//! typo would still compile. References read from the server keep whatever
//! type it says.
use std::fmt;

use super::types::ManagedObjectReference;

/// A vim25 managed object type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MoType {
    ClusterComputeResource,
    ComputeResource,
    Datacenter,
    Datastore,
    DistributedVirtualPortgroup,
    Folder,
    HostSystem,
    Network,
    OpaqueNetwork,
    ResourcePool,
    SearchIndex,
    ServiceInstance,
    Task,
    VirtualApp,
    VirtualMachine,
    VirtualMachineSnapshot,
}

impl MoType {
    /// The type's name on the wire (`VirtualMachine`).
    pub fn name(self) -> &'static str {
        match self {
            MoType::ClusterComputeResource => "ClusterComputeResource",
            MoType::ComputeResource => "ComputeResource",
            MoType::Datacenter => "Datacenter",
            MoType::Datastore => "Datastore",
            MoType::DistributedVirtualPortgroup => "DistributedVirtualPortgroup",
            MoType::Folder => "Folder",
            MoType::HostSystem => "HostSystem",
            MoType::Network => "Network",
            MoType::OpaqueNetwork => "OpaqueNetwork",
            MoType::ResourcePool => "ResourcePool",
            MoType::SearchIndex => "SearchIndex",
            MoType::ServiceInstance => "ServiceInstance",
            MoType::Task => "Task",
            MoType::VirtualApp => "VirtualApp",
            MoType::VirtualMachine => "VirtualMachine",
            MoType::VirtualMachineSnapshot => "VirtualMachineSnapshot",
        }
    }

    /// A reference to the object of this type with id `id` (`vm-42`).
    pub fn moref(self, id: impl Into<String>) -> ManagedObjectReference {
        ManagedObjectReference::new(self.name(), id)
    }
}

impl fmt::Display for MoType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl ManagedObjectReference {
    /// True when the reference is to an object of type `t`.
    pub fn is(&self, t: MoType) -> bool {
        self.kind == t.name()
    }
}

#[cfg(test)]
mod tests {
    use super::MoType;

    #[test]
    fn references_carry_the_wire_name() {
        let vm = MoType::VirtualMachine.moref("vm-42");
        assert_eq!((vm.kind.as_str(), vm.value.as_str()), ("VirtualMachine", "vm-42"));
        assert!(vm.is(MoType::VirtualMachine) && !vm.is(MoType::VirtualApp));
        assert_eq!(MoType::VirtualMachineSnapshot.to_string(), "VirtualMachineSnapshot");
    }
}
