//! Reads vcsim's inventory through the `vi` client, so tests check results
//! against vcsim itself and not only against the provider's own output.
use std::collections::HashMap;

use terraform_provider_vi::vi::{Client, ClientConfig};

use crate::harness::vcsim::Vcsim;

pub fn client(sim: &Vcsim) -> (tokio::runtime::Runtime, Client) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let cfg = ClientConfig {
        url: url::Url::parse(&sim.sdk_url()).expect("sdk url"),
        user: sim.user(),
        password: sim.password(),
        insecure: true,
        timeout: std::time::Duration::from_secs(30),
    };
    let c = rt.block_on(Client::connect(cfg)).expect("vi client connects to vcsim");
    (rt, c)
}

/// (type, name) → (id, properties as text) for the usual inventory types.
pub struct Facts(HashMap<(String, String), (String, HashMap<String, String>)>);

impl Facts {
    pub fn id(&self, kind: &str, name: &str) -> String {
        self.0
            .get(&(kind.to_owned(), name.to_owned()))
            .map(|(id, _)| id.clone())
            .unwrap_or_else(|| panic!("vcsim has no {kind} {name}"))
    }
    pub fn prop(&self, kind: &str, name: &str, prop: &str) -> String {
        self.0
            .get(&(kind.to_owned(), name.to_owned()))
            .and_then(|(_, p)| p.get(prop).cloned())
            .unwrap_or_else(|| panic!("vcsim {kind} {name} has no {prop}"))
    }
}

pub fn facts(sim: &Vcsim) -> Facts {
    let (rt, c) = client(sim);
    let root = c.service_content().root_folder.clone();
    let wanted: &[(&str, &[&str])] = &[
        ("Datacenter", &["name", "vmFolder", "hostFolder", "datastoreFolder", "networkFolder"]),
        ("Datastore", &["name", "summary.capacity", "summary.type"]),
        ("Network", &["name"]),
        ("DistributedVirtualPortgroup", &["name"]),
        ("HostSystem", &["name", "parent"]),
        ("ClusterComputeResource", &["name", "resourcePool"]),
        ("ComputeResource", &["name", "resourcePool"]),
        ("ResourcePool", &["name", "owner"]),
        ("VirtualMachine", &["name", "config.hardware.memoryMB", "runtime.powerState"]),
    ];
    let mut m = HashMap::new();
    for (kind, props) in wanted {
        let objs = rt.block_on(c.list_by_type(&root, kind, props)).expect("list inventory");
        for o in objs {
            // Container views return subtypes too; file each under its own type.
            let name = o.str("name").unwrap_or_default().to_owned();
            let mut p = HashMap::new();
            for prop in *props {
                if let Some(v) = o.moref(prop) {
                    p.insert((*prop).to_owned(), v.value);
                } else if let Some(v) = o.str(prop) {
                    p.insert((*prop).to_owned(), v.to_owned());
                }
            }
            m.insert((o.obj.kind.clone(), name), (o.obj.value.clone(), p));
        }
    }
    let _ = rt.block_on(c.logout());
    Facts(m)
}

/// (id, name) of every VM vcsim holds.
pub fn vms(sim: &Vcsim) -> Vec<(String, String)> {
    let (rt, c) = client(sim);
    let root = c.service_content().root_folder.clone();
    let objs = rt.block_on(c.list_by_type(&root, "VirtualMachine", &["name"])).expect("list VMs");
    let _ = rt.block_on(c.logout());
    objs.into_iter().map(|o| (o.obj.value.clone(), o.str("name").unwrap_or_default().to_owned())).collect()
}

/// (id, name, instance UUID) of every VM vcsim holds.
pub fn vms_with_instance_uuid(sim: &Vcsim) -> Vec<(String, String, String)> {
    let (rt, c) = client(sim);
    let root = c.service_content().root_folder.clone();
    let objs =
        rt.block_on(c.list_by_type(&root, "VirtualMachine", &["name", "config.instanceUuid"])).expect("list VMs");
    let _ = rt.block_on(c.logout());
    objs.into_iter()
        .map(|o| {
            let s = |p: &str| o.str(p).unwrap_or_default().to_owned();
            (o.obj.value.clone(), s("name"), s("config.instanceUuid"))
        })
        .collect()
}

/// Keys of the sessions vcsim holds (`SessionManager.sessionList`), not
/// counting the one this check logs in with.
pub fn sessions(sim: &Vcsim) -> Vec<String> {
    let (rt, c) = client(sim);
    let own = c.user_session().map(|s| s.key).unwrap_or_default();
    let sm = c.service_content().session_manager.clone();
    let found = rt.block_on(c.retrieve(std::slice::from_ref(&sm), &["sessionList"])).expect("read sessionList");
    let _ = rt.block_on(c.logout());
    found
        .iter()
        .filter_map(|o| o.node("sessionList"))
        .flat_map(|list| list.children.iter())
        .filter_map(|s| s.child_text("key").map(str::to_owned))
        .filter(|k| *k != own)
        .collect()
}

/// What vcsim holds for VM `id` (through the provider's own reading of a
/// VM), or None when there is no such VM.
pub fn vm_info(sim: &Vcsim, id: &str) -> Option<terraform_provider_vi::vi::object::vm::VmInfo> {
    use terraform_provider_vi::vi::MoType;
    use terraform_provider_vi::vi::object::vm::{VM_PROPS, VmInfo};
    let (rt, c) = client(sim);
    let objs = rt.block_on(c.retrieve(&[MoType::VirtualMachine.moref(id)], VM_PROPS)).expect("read VM from vcsim");
    let _ = rt.block_on(c.logout());
    objs.first().filter(|o| !o.is_missing_object()).map(VmInfo::from_content)
}

/// What vcsim holds for vApp `id` (through the provider's own reading of a
/// vApp), or None when there is no such vApp.
pub fn vapp_info(sim: &Vcsim, id: &str) -> Option<terraform_provider_vi::vi::object::vapp::VAppInfo> {
    use terraform_provider_vi::vi::MoType;
    with_client(sim, async |c| c.read_vapp(&MoType::VirtualApp.moref(id)).await.expect("read vApp from vcsim"))
}

/// Runs `f` with a client logged in to vcsim.
pub fn with_client<T>(sim: &Vcsim, f: impl AsyncFnOnce(&Client) -> T) -> T {
    let (rt, c) = client(sim);
    let out = rt.block_on(f(&c));
    let _ = rt.block_on(c.logout());
    out
}

/// The host name and primary IP address the guest of VM `id` reports
/// (`guest.hostName`, `guest.ipAddress`).
pub fn guest_identity(sim: &Vcsim, id: &str) -> (Option<String>, Option<String>) {
    use terraform_provider_vi::vi::MoType;
    with_client(sim, async |c| {
        let objs = c
            .retrieve(&[MoType::VirtualMachine.moref(id)], &["guest.hostName", "guest.ipAddress"])
            .await
            .expect("read the guest from vcsim");
        let o = objs.first().expect("the VM");
        (o.str("guest.hostName").map(str::to_owned), o.str("guest.ipAddress").map(str::to_owned))
    })
}
