//! Data sources written as for the vSphere provider (`data "vsphere_*"`
//! renamed `data "vi_*"`, arguments unchanged): paths in `name`, absolute
//! paths without `datacenter_id`, `parent_resource_pool_id`, a host without
//! a name, a VM by `folder` + `name` and by `moid`; each checked against
//! vcsim's own inventory. And the forms that cannot work, refused on the
//! attribute at fault.
use crate::harness::diagnostics::assert_error_on_line;
use crate::harness::guide;
use crate::harness::terraform::{Tf, provider_block};
use crate::harness::vcsim::Vcsim;
use crate::vi_check;

/// Id of the object at an inventory path, as vcsim resolves it.
fn id_at(sim: &Vcsim, path: &str) -> String {
    vi_check::with_client(sim, async |c| {
        c.find_by_inventory_path(path).await.expect("find").map(|m| m.value).unwrap_or_else(|| panic!("no {path}"))
    })
}

/// The guide's data sources, as the vSphere provider's documentation
/// writes them, against two datacenters (so relative lookups need
/// `datacenter_id`); and outputs to check them by.
fn forms() -> String {
    guide::hcl("migrating-from-vsphere", "data_sources") + OUTPUTS
}

const OUTPUTS: &str = r#"
output "ids" {
  value = {
    cluster_root = data.vi_resource_pool.cluster_root.id
    absolute     = data.vi_resource_pool.absolute.id
    absolute_dc  = data.vi_resource_pool.absolute.datacenter_id
    child        = data.vi_resource_pool.child.id
    ds_relative  = data.vi_datastore.relative.id
    ds_absolute  = data.vi_datastore.absolute.id
    ds_dc        = data.vi_datastore.absolute.datacenter_id
    network      = data.vi_network.absolute.id
    host         = data.vi_host.path_in_name.id
    host_name    = data.vi_host.path_in_name.name
    vm_folder    = data.vi_vm.in_folder.id
    vm_path      = data.vi_vm.path_in_name.id
    vm_moid      = data.vi_vm.by_moid.id
    vm_moid_name = data.vi_vm.by_moid.name
    folder       = data.vi_folder.absolute.id
  }
}
"#;

#[test]
fn data_sources_take_the_vsphere_providers_forms() {
    let sim = Vcsim::start(&["-dc", "2", "-pool", "1"]);
    let tf = Tf::new(&(provider_block(&sim.sdk_url(), "") + &forms()));
    tf.init_apply_replan();
    let out = &tf.outputs()["ids"];
    let s = |k: &str| out[k].as_str().unwrap_or_default().to_owned();
    let cases = [
        ("cluster_root", "DC0/host/DC0_C0/Resources"),
        ("absolute", "DC1/host/DC1_C0/Resources"),
        ("absolute_dc", "DC1"),
        ("child", "DC0/host/DC0_C0/Resources/DC0_C0_RP1"),
        ("ds_relative", "DC0/datastore/LocalDS_0"),
        ("ds_absolute", "DC1/datastore/LocalDS_0"),
        ("ds_dc", "DC1"),
        ("network", "DC1/network/VM Network"),
        ("host", "DC0/host/DC0_C0/DC0_C0_H1"),
        ("vm_folder", "DC0/vm/DC0_H0_VM0"),
        ("vm_path", "DC0/vm/DC0_H0_VM1"),
        ("vm_moid", "DC0/vm/DC0_H0_VM0"),
        ("folder", "DC1/vm"),
    ];
    for (key, path) in cases {
        assert_eq!(s(key), id_at(&sim, path), "{key}: {out}");
    }
    // The datastores of the two datacenters share a name: the lookups did
    // tell them apart.
    assert_ne!(s("ds_relative"), s("ds_absolute"), "{out}");
    assert_eq!(s("host_name"), "DC0_C0/DC0_C0_H1", "a name given as a path stays as written: {out}");
    assert_eq!(s("vm_moid_name"), "DC0_H0_VM0", "{out}");
}

/// Root pool id of every compute resource (host or cluster) vcsim holds.
fn root_pools(sim: &Vcsim) -> Vec<String> {
    vi_check::with_client(sim, async |c| {
        let root = c.service_content().root_folder.clone();
        let objs = c.list_by_type(&root, "ComputeResource", &["resourcePool"]).await.expect("list");
        objs.iter().filter_map(|o| o.moref("resourcePool").map(|m| m.value)).collect()
    })
}

#[test]
fn a_host_or_pool_without_a_name_is_the_only_one_or_an_error_listing_them() {
    // A lone ESXi host, as the vSphere provider documents the empty form for.
    let esx = Vcsim::start(&["-esx"]);
    let hcl = "data \"vi_host\" \"only\" {}\ndata \"vi_resource_pool\" \"root\" {}\n\
               output \"host\" { value = data.vi_host.only.id }\noutput \"pool\" { value = data.vi_resource_pool.root.id }\n";
    let tf = Tf::new(&(provider_block(&esx.sdk_url(), "") + hcl));
    tf.init_apply_replan();
    let out = tf.outputs();
    let host = vi_check::with_client(&esx, async |c| {
        let root = c.service_content().root_folder.clone();
        let hosts = c.list_by_type(&root, "HostSystem", &["name"]).await.expect("list hosts");
        hosts.iter().map(|h| h.obj.value.clone()).collect::<Vec<_>>()
    });
    assert_eq!(host.len(), 1);
    assert_eq!(out["host"].as_str(), host.first().map(String::as_str), "{out}");
    let pools = root_pools(&esx);
    assert_eq!(pools.len(), 1);
    assert_eq!(out["pool"].as_str(), pools.first().map(String::as_str), "{out}");

    // vCenter with four hosts and two compute resources: which one?
    let many = Vcsim::start(&[]);
    for (hcl, address, says) in [
        ("data \"vi_host\" \"only\" {}\n", "data.vi_host.only", ["Which host?", "DC0_H0", "set `name` or `path`"]),
        (
            "data \"vi_resource_pool\" \"root\" {}\n",
            "data.vi_resource_pool.root",
            ["Which resource pool?", "DC0_C0", "`<cluster>/Resources`"],
        ),
    ] {
        let tf = Tf::new(&(provider_block(&many.sdk_url(), "") + hcl));
        tf.init();
        let out = tf.fails(&["plan", "-no-color"]);
        crate::harness::diagnostics::assert_error(&out, address, &says);
    }
}

#[test]
fn vsphere_forms_that_cannot_work_are_refused_on_the_attribute() {
    let sim = Vcsim::start(&[]);
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (
            "data \"vi_resource_pool\" \"x\" {\n  name                    = \"DC0_C0/Resources\"\n  parent_resource_pool_id = \"resgroup-1\"\n}\n",
            "data.vi_resource_pool.x",
            "name",
            &["Path with a parent pool", "plain name of a child pool"],
        ),
        (
            "data \"vi_resource_pool\" \"x\" {\n  name                    = \"nope\"\n  parent_resource_pool_id = \"resgroup-999\"\n}\n",
            "data.vi_resource_pool.x",
            "parent_resource_pool_id",
            &["Resource pool not found", "resgroup-999"],
        ),
        (
            "data \"vi_resource_pool\" \"x\" {\n  parent_resource_pool_id = \"resgroup-1\"\n}\n",
            "data.vi_resource_pool.x",
            "parent_resource_pool_id",
            &["Missing attribute", "needs the `name` of the child pool"],
        ),
        (
            "data \"vi_datastore\" \"x\" {\n  name = \"/DC0/datastore/nope\"\n}\n",
            "data.vi_datastore.x",
            "name",
            &["Datastore not found", "DC0/datastore/nope"],
        ),
        (
            "data \"vi_network\" \"x\" {\n  name = \"/DC0/datastore/LocalDS_0\"\n}\n",
            "data.vi_network.x",
            "name",
            &["Not a network", "is a Datastore"],
        ),
        (
            "data \"vi_vm\" \"x\" {\n  uuid   = \"00000000-0000-0000-0000-000000000000\"\n  folder = \"apps\"\n}\n",
            "data.vi_vm.x",
            "folder",
            &["Folder without a name"],
        ),
        (
            "data \"vi_vm\" \"x\" {\n  moid = \"vm-999\"\n}\n",
            "data.vi_vm.x",
            "moid",
            &["Virtual machine not found", "vm-999"],
        ),
    ];
    for (hcl, address, line, says) in cases {
        let tf = Tf::new(&(provider_block(&sim.sdk_url(), "") + hcl));
        tf.init();
        let out = tf.fails(&["plan", "-no-color"]);
        assert_error_on_line(&out, address, line, says);
    }
}
