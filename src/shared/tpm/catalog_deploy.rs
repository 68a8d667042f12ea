//! The TPM policy of deploying a catalog item as a VM
//! (`vi_vm.catalog_item.tpm_provisioning`), from the item as vCenter keeps
//! it: at plan, and again before deploying.
use super::template_origin::{Origin, deploy_policy};
use crate::plugin::{AttrPath, Diags};
use crate::rules::tpm::TpmPolicy;
use crate::shared::Meta;
use crate::shared::diag::library_diag;
use crate::shared::item_provenance::split;

/// What deploying item `item_id` as a VM does with its TPM when
/// `requested` is asked for, by the TPM rules and the item's recorded
/// provenance; errors land on `block`'s `item_id` or `tpm_provisioning`.
/// For `vi_vm.catalog_item`, at plan and again before deploying.
pub async fn deploy_tpm_policy(
    meta: &Meta,
    item_id: &str,
    requested: Option<&str>,
    block: &AttrPath,
) -> Result<Option<TpmPolicy>, Diags> {
    let provisioning = || block.clone().then("tpm_provisioning");
    let requested = requested
        .map(str::parse::<TpmPolicy>)
        .transpose()
        .map_err(|e| Diags::error_at(provisioning(), "Invalid tpm_provisioning", e.to_string()))?;
    let lib = meta.library().await.map_err(|e| library_diag(&e, "logging in to the content library API", None))?;
    let item =
        lib.get_item(item_id).await.map_err(|e| library_diag(&e, "reading the catalog item", None))?.ok_or_else(
            || {
                Diags::error_at(
                    block.clone().then("item_id"),
                    "Catalog item not found",
                    format!("no content library item has the id {item_id:?}"),
                )
            },
        )?;
    let recorded = split(item.description.as_deref().unwrap_or_default()).1.unwrap_or_default();
    let origin = Origin::of_provenance(&recorded).unwrap_or(Origin::Unknown);
    deploy_policy(meta.client.api_version(), origin, requested).map_err(|e| {
        let how = match origin {
            Origin::Uploaded => "it was uploaded from an OVF/OVA package".to_owned(),
            Origin::Captured(p) => {
                format!(
                    "it was captured with tpm_provisioning {}",
                    p.map_or("unset (copy)".to_owned(), |p| p.to_string())
                )
            }
            Origin::Unknown => "it was not made by this provider".to_owned(),
        };
        Diags::error_at(
            provisioning(),
            "TPM provisioning not allowed for this item",
            format!("{e} (item {item_id}: {how})"),
        )
    })
}
