//! Every way to a vTPM agrees on the vCenter it needs (7.0 or later) and
//! says so at plan; and a clone refused a TPM replacement on 7.x is told
//! in terms of the clone it asked for.
use crate::harness::terraform::{Tf, provider_block};
use crate::harness::vcsim::Vcsim;
use crate::vi_check::with_client;
use crate::vtpm::{VTPM, outside_vm, plan_fails, pool_and_datastore, tpm_vm};

const TOO_OLD: &str = "a vTPM needs vCenter 7.0 or later; this vCenter's apiVersion is `6.7`";

fn vm_count(sim: &Vcsim) -> usize {
    with_client(sim, async |c| {
        let root = c.service_content().root_folder.clone();
        c.list_by_type(&root, "VirtualMachine", &["name"]).await.expect("list").len()
    })
}

fn clone_of(sim: &Vcsim, source: &str, policy: &str, extra: &str) -> String {
    let (pool, _) = pool_and_datastore(sim);
    format!(
        r#"{provider}
resource "vi_vm" "copy" {{
  name             = "copy-1"
  resource_pool_id = "{pool}"
  firmware         = "efi"
  power_state      = "off"
  clone {{
    source_id        = "{source}"
    tpm_provisioning = "{policy}"
  }}
{extra}}}
"#,
        provider = provider_block(&sim.sdk_url(), "")
    )
}

#[test]
fn every_tpm_path_refuses_a_vcenter_before_7_at_plan() {
    let sim = Vcsim::start(&["-api-version", "6.7"]);
    let source = outside_vm(&sim, "plain-source", "efi", false);
    let before = vm_count(&sim);

    // `vtpm {}` on a new VM: on the block.
    let err = plan_fails(&Tf::new(&tpm_vm(&sim, "efi", VTPM)), &[TOO_OLD, "vtpm {"]);
    assert!(err.contains("vTPM prerequisite not met: api_version"), "{err}");
    // A clone asked to copy the TPM: on `tpm_provisioning`, the same words.
    let err = plan_fails(&Tf::new(&clone_of(&sim, &source, "copy", "")), &[TOO_OLD]);
    assert!(err.contains("tpm_provisioning = \"copy\""), "{err}");
    // A clone with a `vtpm {}` block and no policy: on the block.
    plan_fails(
        &Tf::new(&clone_of(&sim, &source, "copy", VTPM).replace("tpm_provisioning = \"copy\"", "")),
        &[TOO_OLD, "vtpm {"],
    );
    // `vi_vtpm` on a VM made elsewhere.
    let hcl =
        format!("{}\nresource \"vi_vtpm\" \"t\" {{\n  vm_id = \"{source}\"\n}}\n", provider_block(&sim.sdk_url(), ""));
    let err = plan_fails(&Tf::new(&hcl), &[TOO_OLD]);
    assert!(err.contains("vm_id"), "{err}");

    // And the same configurations without a TPM plan fine there.
    let tf = Tf::new(&tpm_vm(&sim, "efi", ""));
    tf.init();
    tf.ok(&["plan", "-no-color"]);
    assert_eq!(vm_count(&sim), before, "nothing was created");
}

#[test]
fn a_plain_clone_refused_a_tpm_replacement_on_7_is_told_of_its_clone() {
    let sim = Vcsim::start(&["-api-version", "7.0"]);
    let source = outside_vm(&sim, "plain-source", "efi", false);
    let err = plan_fails(
        &Tf::new(&clone_of(&sim, &source, "replace", "")),
        &[
            "tpm_provisioning `replace` is not allowed when you clone a VM on vCenter 7.x; allowed: copy",
            "replacing it needs vCenter 8",
            "tpm_provisioning = \"replace\"",
        ],
    );
    assert!(!err.contains("vApp"), "a clone into a resource pool hears nothing of vApps:\n{err}");
}
