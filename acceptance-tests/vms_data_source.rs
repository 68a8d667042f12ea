//! `data "vi_vms"`: listing VMs by folder, resource pool, name and power
//! state against vcsim (checked against vcsim's own inventory), in few SOAP
//! calls, and its input errors at plan on the attribute at fault.
use std::collections::BTreeMap;

use crate::harness::diagnostics::assert_error_on_line;
use crate::harness::terraform::{Tf, provider_block};
use crate::harness::vcsim::{Vcsim, soap_calls, traced_vcsim};
use crate::vi_check;

/// A VM as vcsim reports it: name, folder id, pool id, power state.
struct SimVm {
    name: String,
    folder: String,
    pool: String,
    power: String,
}

fn sim_vms(sim: &Vcsim) -> BTreeMap<String, SimVm> {
    vi_check::with_client(sim, async |c| {
        let root = c.service_content().root_folder.clone();
        let props = ["name", "parent", "resourcePool", "runtime.powerState"];
        let objs = c.list_by_type(&root, "VirtualMachine", &props).await.expect("list VMs");
        objs.into_iter()
            .map(|o| {
                let s = |p: &str| o.str(p).unwrap_or_default().to_owned();
                let m = |p: &str| o.moref(p).map(|m| m.value).unwrap_or_default();
                let vm = SimVm {
                    name: s("name"),
                    folder: m("parent"),
                    pool: m("resourcePool"),
                    power: s("runtime.powerState"),
                };
                (o.obj.value.clone(), vm)
            })
            .collect()
    })
}

/// Ids of vcsim's VMs that pass `keep`, in the data source's order.
fn expected(vms: &BTreeMap<String, SimVm>, keep: impl Fn(&SimVm) -> bool) -> Vec<String> {
    let mut v: Vec<(&String, &String)> = vms.iter().filter(|(_, vm)| keep(vm)).map(|(id, vm)| (&vm.name, id)).collect();
    v.sort();
    v.into_iter().map(|(_, id)| id.clone()).collect()
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

#[test]
fn vms_are_listed_by_folder_pool_name_and_power_state() {
    let dir = tempfile::tempdir().expect("temp dir");
    // `-folder 1`: DC0 sits in folder F0 and its VMs in the VM folder F0.
    let (sim, trace) = traced_vcsim(dir.path(), &["-folder", "1", "-vm", "3"]);
    let before = sim_vms(&sim);
    let id_of = |name: &str| before.iter().find(|(_, v)| v.name == name).map(|(id, _)| id.clone()).expect(name);
    let (off, suspended, moved) = (id_of("DC0_H0_VM1"), id_of("DC0_C0_RP0_VM2"), id_of("DC0_H0_VM2"));
    let f = vi_check::facts(&sim);
    let vm_root = f.prop("Datacenter", "DC0", "vmFolder");
    vi_check::with_client(&sim, async |c| {
        use terraform_provider_vi::vi::MoType;
        let vm = |id: &str| MoType::VirtualMachine.moref(id);
        c.vm(&vm(&off)).power_off(None).await.expect("power off");
        c.invoke("SuspendVM_Task", &vm(&suspended), "").await.expect("suspend");
        // One VM out of F0, into the datacenter's VM folder itself.
        let list = vm(&moved).to_xml("list");
        c.invoke("MoveIntoFolder_Task", &MoType::Folder.moref(&vm_root), &list).await.expect("move");
    });
    // The tasks run on in vcsim: wait for their outcome.
    let mut vms = sim_vms(&sim);
    for _ in 0..50 {
        if vms.get(&suspended).is_some_and(|v| v.power == "suspended") && vms[&moved].folder == vm_root {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        vms = sim_vms(&sim);
    }
    assert_eq!(vms[&off].power, "poweredOff");
    assert_eq!(vms[&suspended].power, "suspended");
    let f0 = vms[&off].folder.clone();
    assert_ne!(f0, vm_root);
    let cluster_pool = vms[&suspended].pool.clone();

    let tf = Tf::new(
        &(provider_block(&sim.sdk_url(), "")
            + &format!(
                r#"
data "vi_vms" "all" {{}}

data "vi_vms" "folder" {{
  folder = "F0"
}}

data "vi_vms" "pool" {{
  resource_pool_id = "{cluster_pool}"
}}

data "vi_vms" "name" {{
  name_regex = "_VM[12]$"
}}

data "vi_vms" "off" {{
  power_state = "off"
}}

data "vi_vms" "suspended" {{
  power_state = "suspended"
}}

data "vi_vms" "together" {{
  folder           = "/F0/"
  resource_pool_id = "{cluster_pool}"
  name_regex       = "^DC0_C0"
  power_state      = "on"
}}

data "vi_vms" "nothing" {{
  name_regex = "^no-such-vm$"
}}

output "vms" {{
  value = {{
    all       = data.vi_vms.all
    folder    = data.vi_vms.folder
    pool      = data.vi_vms.pool
    name      = data.vi_vms.name
    off       = data.vi_vms.off
    suspended = data.vi_vms.suspended
    together  = data.vi_vms.together
    nothing   = data.vi_vms.nothing
  }}
}}
"#
            )),
    );
    tf.init();
    let calls_before = soap_calls(&trace, "RetrievePropertiesEx") + soap_calls(&trace, "RetrieveProperties");
    tf.apply();
    let calls = soap_calls(&trace, "RetrievePropertiesEx") + soap_calls(&trace, "RetrieveProperties") - calls_before;
    tf.assert_no_changes();
    let out = &tf.outputs()["vms"];

    let on = |v: &SimVm| v.power == "poweredOn";
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("all", expected(&vms, |_| true)),
        ("folder", expected(&vms, |v| v.folder == f0)),
        ("pool", expected(&vms, |v| v.pool == cluster_pool)),
        ("name", expected(&vms, |v| v.name.ends_with("_VM1") || v.name.ends_with("_VM2"))),
        ("off", vec![off.clone()]),
        ("suspended", vec![suspended.clone()]),
        ("together", expected(&vms, |v| v.pool == cluster_pool && v.name.starts_with("DC0_C0") && on(v))),
        ("nothing", vec![]),
    ];
    for (name, want) in &cases {
        let ids = strings(&out[name]["ids"]);
        assert_eq!(&ids, want, "{name}: {out}");
        let names = strings(&out[name]["names"]);
        let want_names: Vec<String> = want.iter().map(|id| vms[id].name.clone()).collect();
        assert_eq!(names, want_names, "{name}: names in the order of ids: {out}");
    }
    // The filters did filter: vcsim has 6 VMs, 5 of them in F0, in two pools.
    assert_eq!(cases[0].1.len(), 6, "{out}");
    assert_eq!(cases[1].1.len(), 5, "{out}");
    assert!(!cases[1].1.contains(&moved), "{out}");
    assert_eq!(cases[2].1.len(), 3, "{out}");
    assert_eq!(cases[6].1.len(), 2, "{out}");
    // One listing per data source, not one read per VM.
    eprintln!("vi_vms: {calls} property reads for 8 data sources");
    assert!(calls <= 8 * 4, "{calls} property reads for 8 data sources over 6 VMs: more than a few each");
}

#[test]
fn vms_filter_mistakes_are_caught_on_the_attribute() {
    let sim = Vcsim::start(&[]);
    let cases: &[(&str, &str, &[&str])] = &[
        ("name_regex = \"web-(\"", "name_regex", &["Invalid name_regex", "not a valid regular expression"]),
        ("power_state = \"poweredOn\"", "power_state", &["Invalid power_state", "`on`, `off` or `suspended`"]),
        ("folder = \"no/such/folder\"", "folder", &["Folder not found", "DC0/vm/no/such/folder"]),
        ("resource_pool_id = \"resgroup-999\"", "resource_pool_id", &["Resource pool not found", "resgroup-999"]),
    ];
    for (attr_line, attr, says) in cases {
        let tf =
            Tf::new(&(provider_block(&sim.sdk_url(), "") + &format!("data \"vi_vms\" \"x\" {{\n  {attr_line}\n}}\n")));
        tf.init();
        let out = tf.fails(&["plan", "-no-color"]);
        assert_error_on_line(&out, "data.vi_vms.x", attr, says);
    }
}
