//! Where a catalog item came from, kept in vCenter with the item itself: a
//! last line of its description, `[terraform-provider-vi] {json}`. Read by
//! `vi_catalog_item` and, for the TPM policy of a deployment, by `vi_vm`.
//!
//! A content library item has no free-form metadata field; of what an item
//! create accepts, vCenter and vcsim both keep only `name`, `description`
//! and `type` as given (vcsim's capture keeps exactly name and description).
//! The description is therefore the one place a later read, and an import
//! from nothing but the id, can find the capture-time TPM policy and the
//! source a configuration names. The line is hidden from `description`.
use serde::{Deserialize, Serialize};

const PREFIX: &str = "[terraform-provider-vi] ";

/// The recorded source of an item.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct Provenance {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_vm_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_vapp_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tpm_provisioning: Option<String>,
}

/// The description to store: the user's, then the provenance line.
pub fn compose(description: &str, p: &Provenance) -> String {
    // Serialising plain strings cannot fail; an empty object is harmless.
    let json = serde_json::to_string(p).unwrap_or_else(|_| "{}".into());
    if description.is_empty() { format!("{PREFIX}{json}") } else { format!("{description}\n\n{PREFIX}{json}") }
}

/// A stored description split into the user's part and the provenance; a
/// description without a (valid) provenance line is all the user's.
pub fn split(stored: &str) -> (String, Option<Provenance>) {
    let (head, last) = match stored.rsplit_once('\n') {
        Some((head, last)) => (Some(head), last),
        None => (None, stored),
    };
    let Some(p) = last.strip_prefix(PREFIX).and_then(|json| serde_json::from_str::<Provenance>(json).ok()) else {
        return (stored.to_string(), None);
    };
    // `compose` put one blank line between: strip exactly that.
    let user = head.map(|h| h.strip_suffix('\n').unwrap_or(h)).unwrap_or_default();
    (user.to_string(), Some(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> Provenance {
        Provenance {
            source_file: Some("./files/app \"v2\".ova".into()),
            sha256: Some("ab".repeat(32)),
            ..Provenance::default()
        }
    }

    #[test]
    fn round_trips_any_description() {
        let capture = Provenance {
            source_vm_id: Some("vm-42".into()),
            tpm_provisioning: Some("replace".into()),
            ..Provenance::default()
        };
        for desc in ["", "a template", "two\nlines", "ends with newline\n", "\n", "[terraform-provider-vi] {}"] {
            for p in [file(), capture.clone(), Provenance::default()] {
                let stored = compose(desc, &p);
                assert_eq!(split(&stored), (desc.to_string(), Some(p.clone())), "{stored:?}");
                assert!(!stored.lines().last().unwrap_or_default().contains('\n'));
            }
        }
        assert_eq!(
            compose("web", &capture),
            "web\n\n[terraform-provider-vi] {\"source_vm_id\":\"vm-42\",\"tpm_provisioning\":\"replace\"}"
        );
    }

    #[test]
    fn descriptions_without_a_line_are_the_users() {
        for stored in ["", "plain", "x\n[terraform-provider-vi] not json", "[terraform-provider-vi] [1]", "a\n\nb"] {
            assert_eq!(split(stored), (stored.to_string(), None), "{stored:?}");
        }
        // Unknown keys from a later version are ignored, not fatal.
        let (user, p) = split("d\n\n[terraform-provider-vi] {\"source_vm_id\":\"vm-1\",\"future\":1}");
        assert_eq!(user, "d");
        assert_eq!(p.and_then(|p| p.source_vm_id).as_deref(), Some("vm-1"));
    }
}
