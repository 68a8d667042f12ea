//! Moving a VM between hosts, pools and datastores is an in-place
//! migration (RelocateVM_Task) that keeps a running VM running.
use crate::harness::terraform::{Tf, provider_block};
use crate::harness::vcsim::Vcsim;
use crate::vi_check;

fn vm_info(sim: &Vcsim, id: &str) -> terraform_provider_vi::vi::object::vm::VmInfo {
    vi_check::vm_info(sim, id).expect("VM exists")
}

fn config(sim: &Vcsim, pool: &str, host: &str, ds: &str) -> String {
    format!(
        r#"{provider}
resource "vi_vm" "mover" {{
  name             = "mover"
  resource_pool_id = "{pool}"
  host_id          = "{host}"
  datastore_id     = "{ds}"
  disk {{
    label = "os"
    size  = 1
  }}
}}
output "id" {{ value = vi_vm.mover.id }}
"#,
        provider = provider_block(&sim.sdk_url(), "")
    )
}

#[test]
fn host_pool_and_datastore_changes_migrate_in_place() {
    let sim = Vcsim::start(&["-ds", "2"]);
    let f = vi_check::facts(&sim);
    let standalone_pool = f.prop("ComputeResource", "DC0_H0", "resourcePool");
    let standalone_host = f.id("HostSystem", "DC0_H0");
    let cluster_pool = f.prop("ClusterComputeResource", "DC0_C0", "resourcePool");
    let cluster_host = f.id("HostSystem", "DC0_C0_H1");
    let (ds0, ds1) = (f.id("Datastore", "LocalDS_0"), f.id("Datastore", "LocalDS_1"));

    let tf = Tf::new(&config(&sim, &standalone_pool, &standalone_host, &ds0));
    tf.init_apply_replan();
    let id = tf.outputs()["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(vm_info(&sim, &id).host.map(|h| h.value), Some(standalone_host.clone()));

    tf.write_main(&config(&sim, &cluster_pool, &cluster_host, &ds1));
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("update in-place") && !plan.contains("must be replaced"), "{plan}");
    tf.apply();
    tf.assert_no_changes();

    let info = vm_info(&sim, &id);
    assert_eq!(tf.outputs()["id"].as_str(), Some(id.as_str()), "same VM");
    assert_eq!(info.host.as_ref().map(|h| h.value.clone()), Some(cluster_host.clone()));
    assert_eq!(info.resource_pool.as_ref().map(|p| p.value.clone()), Some(cluster_pool.clone()));
    assert!(info.datastores.iter().any(|d| d.value == ds1), "{:?}", info.datastores);
    assert!(info.is_powered_on(), "a running VM stays on while it moves");

    // One thing at a time: storage only, then host only (within the
    // cluster), each in place.
    let steps = [(cluster_host.clone(), ds0.clone()), (f.id("HostSystem", "DC0_C0_H2"), ds0.clone())];
    for (host, ds) in steps {
        tf.write_main(&config(&sim, &cluster_pool, &host, &ds));
        let plan = tf.ok(&["plan", "-no-color"]);
        assert!(plan.contains("update in-place") && !plan.contains("must be replaced"), "{plan}");
        tf.apply();
        tf.assert_no_changes();
        let info = vm_info(&sim, &id);
        assert_eq!(info.host.as_ref().map(|h| h.value.clone()), Some(host.clone()));
        assert_eq!(info.datastores.iter().map(|d| d.value.clone()).collect::<Vec<_>>(), vec![ds.clone()]);
        assert_eq!(info.resource_pool.as_ref().map(|p| p.value.clone()), Some(cluster_pool.clone()));
        assert!(info.is_powered_on());
    }
    tf.destroy();
}
