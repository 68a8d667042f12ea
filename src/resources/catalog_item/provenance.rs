//! A catalog item's state and its recorded provenance (the description
//! line, in [`crate::shared::item_provenance`]), both ways.
use super::state::State;
use crate::plugin::Value;
use crate::rules::tpm::TpmError;
use crate::shared::item_provenance::Provenance;
use crate::shared::tpm::template_origin::Origin;

/// The provenance a state records.
pub fn of(s: &State) -> Provenance {
    Provenance {
        source_file: s.source_file.get().cloned(),
        sha256: s.source_sha256.get().cloned(),
        source_vm_id: s.source_vm_id.get().cloned(),
        source_vapp_id: s.source_vapp_id.get().cloned(),
        tpm_provisioning: s.tpm_provisioning.get().cloned(),
    }
}

/// How the item came to be, by its state's source attributes (a file
/// known only at apply is still a file).
pub fn origin(s: &State) -> Result<Origin, TpmError> {
    Origin::from_parts(
        !s.source_file.is_null(),
        !s.source_vm_id.is_null() || !s.source_vapp_id.is_null(),
        s.tpm_provisioning.get().map(String::as_str),
    )
}

/// Puts a recorded provenance into a state.
pub fn apply(p: Provenance, s: &mut State) {
    s.source_file = Value::from_option(p.source_file);
    s.source_sha256 = Value::from_option(p.sha256);
    s.source_vm_id = Value::from_option(p.source_vm_id);
    s.source_vapp_id = Value::from_option(p.source_vapp_id);
    s.tpm_provisioning = Value::from_option(p.tpm_provisioning);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::tpm::TpmPolicy;

    #[test]
    fn to_and_from_state() {
        let file = Provenance {
            source_file: Some("./files/app \"v2\".ova".into()),
            sha256: Some("ab".repeat(32)),
            ..Provenance::default()
        };
        let mut s = State::default();
        apply(file.clone(), &mut s);
        assert_eq!(s.source_file.as_deref(), Some("./files/app \"v2\".ova"));
        assert!(s.source_vm_id.is_null() && s.tpm_provisioning.is_null());
        assert_eq!(of(&s), file);
    }

    #[test]
    fn origin_of_a_state() {
        let file = State { source_file: Value::known("a.ova".into()), ..State::default() };
        assert_eq!(origin(&file), Ok(Origin::Uploaded));
        let unknown_file = State { source_file: Value::Unknown, ..State::default() };
        assert_eq!(origin(&unknown_file), Ok(Origin::Uploaded));
        let vm = State {
            source_vm_id: Value::known("vm-1".into()),
            tpm_provisioning: Value::known("replace".into()),
            ..State::default()
        };
        assert_eq!(origin(&vm), Ok(Origin::Captured(Some(TpmPolicy::Replace))));
        let vapp = State { source_vapp_id: Value::known("resgroup-v1".into()), ..State::default() };
        assert_eq!(origin(&vapp), Ok(Origin::Captured(None)));
        assert_eq!(origin(&State::default()), Ok(Origin::Unknown));
        let bad = State { tpm_provisioning: Value::known("Copy".into()), ..vm };
        assert!(origin(&bad).is_err());
    }
}
