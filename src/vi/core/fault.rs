//! The vim25 faults the provider reacts to, by name; every other fault is
//! kept by its name ([`FaultKind::Other`]) and only reported.
use std::fmt;

/// A vim25 fault type, without its `Fault` suffix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// The object is gone (deleted outside Terraform, or a stale id).
    ManagedObjectNotFound,
    /// The session expired or was ended: log in again.
    NotAuthenticated,
    /// Wrong user or password.
    InvalidLogin,
    /// The user lacks a privilege.
    NoPermission,
    /// The server does not implement the method (vcsim, old versions).
    MethodNotFound,
    /// A datastore file or folder is missing.
    FileNotFound,
    /// A datastore file or folder is there already.
    FileAlreadyExists,
    /// An argument vSphere refused.
    InvalidArgument,
    /// The object is in a state that does not allow the operation.
    InvalidState,
    /// The VM's power state does not allow the operation (destroying a
    /// running VM, powering off one that is off).
    InvalidPowerState,
    /// A name already taken where names are unique.
    DuplicateName,
    /// A named item (a customization specification) is not there.
    NotFound,
    /// A named item (a customization specification) is there already.
    AlreadyExists,
    /// A vApp with no VM was asked to power on or off.
    NoVmInVApp,
    /// Any other fault, by name.
    Other(String),
}

impl FaultKind {
    /// The kind named `name` (`"InvalidLogin"`).
    pub fn parse(name: &str) -> FaultKind {
        match name {
            "ManagedObjectNotFound" => FaultKind::ManagedObjectNotFound,
            "NotAuthenticated" => FaultKind::NotAuthenticated,
            "InvalidLogin" => FaultKind::InvalidLogin,
            "NoPermission" => FaultKind::NoPermission,
            "MethodNotFound" => FaultKind::MethodNotFound,
            "FileNotFound" => FaultKind::FileNotFound,
            "FileAlreadyExists" => FaultKind::FileAlreadyExists,
            "InvalidArgument" => FaultKind::InvalidArgument,
            "InvalidState" => FaultKind::InvalidState,
            "InvalidPowerState" => FaultKind::InvalidPowerState,
            "DuplicateName" => FaultKind::DuplicateName,
            "NotFound" => FaultKind::NotFound,
            "AlreadyExists" => FaultKind::AlreadyExists,
            "NoVmInVApp" => FaultKind::NoVmInVApp,
            other => FaultKind::Other(other.to_owned()),
        }
    }

    /// The fault's vim25 name.
    pub fn name(&self) -> &str {
        match self {
            FaultKind::ManagedObjectNotFound => "ManagedObjectNotFound",
            FaultKind::NotAuthenticated => "NotAuthenticated",
            FaultKind::InvalidLogin => "InvalidLogin",
            FaultKind::NoPermission => "NoPermission",
            FaultKind::MethodNotFound => "MethodNotFound",
            FaultKind::FileNotFound => "FileNotFound",
            FaultKind::FileAlreadyExists => "FileAlreadyExists",
            FaultKind::InvalidArgument => "InvalidArgument",
            FaultKind::InvalidState => "InvalidState",
            FaultKind::InvalidPowerState => "InvalidPowerState",
            FaultKind::DuplicateName => "DuplicateName",
            FaultKind::NotFound => "NotFound",
            FaultKind::AlreadyExists => "AlreadyExists",
            FaultKind::NoVmInVApp => "NoVmInVApp",
            FaultKind::Other(name) => name,
        }
    }
}

impl From<&str> for FaultKind {
    fn from(name: &str) -> Self {
        FaultKind::parse(name)
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::FaultKind;

    #[test]
    fn known_faults_round_trip_and_others_keep_their_name() {
        for name in [
            "ManagedObjectNotFound",
            "NotAuthenticated",
            "InvalidLogin",
            "NoPermission",
            "MethodNotFound",
            "FileNotFound",
            "FileAlreadyExists",
            "InvalidArgument",
            "InvalidState",
            "InvalidPowerState",
            "DuplicateName",
            "NotFound",
            "AlreadyExists",
            "NoVmInVApp",
        ] {
            let k = FaultKind::parse(name);
            assert!(!matches!(k, FaultKind::Other(_)), "{name} is not typed");
            assert_eq!(k.name(), name);
        }
        assert_eq!(FaultKind::parse("GenerateKeyFailed"), FaultKind::Other("GenerateKeyFailed".into()));
        assert_eq!(FaultKind::parse("GenerateKeyFailed").to_string(), "GenerateKeyFailed");
    }
}
