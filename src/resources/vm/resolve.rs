//! What an apply must look up before it can write a spec: the datacenter and
//! folder, the datastore's name, each network's backing, the ISO's path.
use std::collections::HashMap;

use super::devices::Resolved;
use super::state::State;
use crate::plugin::{AttrPath, Diags};
use crate::rules::datastore_path::DatastorePath;
use crate::shared::Meta;
use crate::shared::diag::vi_diag;
use crate::shared::lookup;
use crate::vi::ManagedObjectReference;
use crate::vi::MoType;
use crate::vi::object::vm_device::Backing;

/// A datastore's name, for `[name]` paths.
pub async fn datastore_name(meta: &Meta, id: &str, attr: AttrPath) -> Result<String, Diags> {
    meta.lookups.datastore_name.get_or_try(&id.to_owned(), || read_datastore_name(meta, id, attr)).await
}

async fn read_datastore_name(meta: &Meta, id: &str, attr: AttrPath) -> Result<String, Diags> {
    let objs = meta
        .client
        .retrieve(&[MoType::Datastore.moref(id)], &["name"])
        .await
        .map_err(|e| vi_diag(&e, "reading the datastore", Some(attr.clone())))?;
    objs.first()
        .filter(|o| !o.is_missing_object())
        .and_then(|o| o.str("name"))
        .map(str::to_owned)
        .ok_or_else(|| Diags::error_at(attr, "Datastore not found", format!("no datastore has the id {id:?}")))
}

/// The backing each network id needs (kept for the process: a hundred VMs
/// on one network look it up once).
pub async fn network_backings(meta: &Meta, ids: &[String]) -> Result<HashMap<String, Backing>, Diags> {
    let mut out = HashMap::new();
    let mut missing = Vec::new();
    for id in ids {
        match meta.lookups.network_backing.get(id) {
            Some(b) => {
                out.insert(id.clone(), b);
            }
            None => missing.push(id.clone()),
        }
    }
    if missing.is_empty() {
        return Ok(out);
    }
    for (id, b) in read_network_backings(meta, &missing, ids).await? {
        meta.lookups.network_backing.put(id.clone(), b.clone());
        out.insert(id, b);
    }
    Ok(out)
}

/// Standard port groups by name and reference, distributed port groups by
/// switch UUID and port group key, opaque networks by their id and type.
/// Two reads for any number of NICs.
/// `all` are every NIC's network, in order, for the error's path.
async fn read_network_backings(meta: &Meta, ids: &[String], all: &[String]) -> Result<HashMap<String, Backing>, Diags> {
    let diag = |e: &crate::vi::ViError| vi_diag(e, "reading the networks", Some(AttrPath::attr("network_interface")));
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    // Ids do not say their type everywhere (vCenter's opaque networks are
    // `network-o…`), and a reference needs it: ask the inventory.
    let root = meta.client.service_content().root_folder.clone();
    let kinds: HashMap<String, String> = meta
        .client
        .list_by_type(&root, MoType::Network.name(), &[])
        .await
        .map_err(|e| diag(&e))?
        .into_iter()
        .map(|o| (o.obj.value, o.obj.kind))
        .collect();
    let refs: Vec<ManagedObjectReference> = ids
        .iter()
        .map(|id| match kinds.get(id) {
            // The type the server reported: a network of any kind.
            Some(kind) => ManagedObjectReference::new(kind.as_str(), id.as_str()),
            None => MoType::Network.moref(id.as_str()),
        })
        .collect();
    let objs = meta
        .client
        .retrieve_by_type(
            &refs,
            &[
                ("Network", &["name"]),
                ("DistributedVirtualPortgroup", &["name", "config.key", "config.distributedVirtualSwitch"]),
                ("OpaqueNetwork", &["name", "summary.opaqueNetworkId", "summary.opaqueNetworkType"]),
            ],
            None,
        )
        .await
        .map_err(|e| diag(&e))?;
    let switches: Vec<ManagedObjectReference> =
        objs.iter().filter_map(|o| o.moref("config.distributedVirtualSwitch")).collect();
    let uuids: HashMap<ManagedObjectReference, String> = if switches.is_empty() {
        HashMap::new()
    } else {
        meta.client
            .retrieve(&switches, &["uuid"])
            .await
            .map_err(|e| diag(&e))?
            .into_iter()
            .filter_map(|o| Some((o.obj.clone(), o.str("uuid")?.to_owned())))
            .collect()
    };
    let mut out = HashMap::new();
    for (i, o) in objs.iter().enumerate() {
        let id = o.obj.value.clone();
        if o.is_missing_object() {
            let i = all.iter().position(|n| *n == id).unwrap_or(i);
            return Err(Diags::error_at(
                AttrPath::attr("network_interface").index(i).then("network_id"),
                "Network not found",
                format!("no network has the id {id:?}"),
            ));
        }
        let backing = match o.obj.kind.as_str() {
            "DistributedVirtualPortgroup" => Backing::DvPort {
                switch_uuid: o
                    .moref("config.distributedVirtualSwitch")
                    .and_then(|s| uuids.get(&s).cloned())
                    .unwrap_or_default(),
                portgroup_key: o.str("config.key").unwrap_or(&id).to_owned(),
            },
            "OpaqueNetwork" => Backing::OpaqueNetwork {
                network_id: o.str("summary.opaqueNetworkId").unwrap_or_default().to_owned(),
                network_type: o.str("summary.opaqueNetworkType").unwrap_or_default().to_owned(),
            },
            _ => Backing::Network {
                device_name: o.str("name").unwrap_or_default().to_owned(),
                network: Some(o.obj.clone()),
            },
        };
        out.insert(id, backing);
    }
    Ok(out)
}

/// Everything the device specs need for `want`.
pub async fn resolve(meta: &Meta, want: &State) -> Result<Resolved, Diags> {
    let ids: Vec<String> = want.network_interface.iter().filter_map(|n| n.network_id.get().cloned()).collect();
    let backings = network_backings(meta, &ids).await?;
    let (iso, iso_datastore) = match &want.cdrom {
        Some(cd) => match (cd.datastore_path.get(), cd.datastore_id.get(), cd.path.get()) {
            (Some(p), _, _) => {
                let ds = iso_datastore_by_name(meta, want, p).await?;
                (Some(p.clone()), ds)
            }
            (None, Some(ds), Some(path)) => {
                let name = datastore_name(meta, ds, AttrPath::attr("cdrom").then("datastore_id")).await?;
                (Some(format!("[{name}] {path}")), Some(MoType::Datastore.moref(ds)))
            }
            _ => (None, None),
        },
        None => (None, None),
    };
    Ok(Resolved {
        backings,
        datastore: want.datastore_id.get().map(|d| MoType::Datastore.moref(d)),
        iso,
        iso_datastore,
    })
}

/// The datastore named in `[name] path`, looked up in the VM's datacenter.
async fn iso_datastore_by_name(meta: &Meta, want: &State, path: &str) -> Result<Option<ManagedObjectReference>, Diags> {
    let attr = || AttrPath::attr("cdrom").then("datastore_path");
    let parsed =
        DatastorePath::parse(path).map_err(|e| Diags::error_at(attr(), "Invalid datastore path", e.to_string()))?;
    let pool = crate::vi::object::vapp::pool_ref(want.resource_pool_id.require("resource_pool_id")?);
    let dc = lookup::datacenter_of(meta, &pool, "resource_pool_id").await?;
    let found = lookup::by_name(meta, &dc, MoType::Datastore, "datastore", &parsed.datastore, &["name"])
        .await
        .map_err(|d| {
            let detail = d.0.into_iter().next().map(|x| x.detail).unwrap_or_default();
            Diags::error_at(attr(), "Datastore of the ISO not found", detail)
        })?;
    Ok(Some(found.obj))
}

/// The resource pool `id` as the object it is: a vApp is a resource pool
/// to vSphere, but references to it must carry its own type (`VirtualApp`),
/// which the id alone does not tell. At plan (`fresh == false`) through the
/// batcher. An id that is no vApp stays a `ResourcePool`, for vSphere to
/// judge.
pub async fn pool_ref(meta: &Meta, id: &str, fresh: bool) -> Result<ManagedObjectReference, crate::vi::ViError> {
    const NAME: &[&str] = &["name"];
    let vapp = MoType::VirtualApp.moref(id);
    let o = if fresh {
        meta.client.retrieve(std::slice::from_ref(&vapp), NAME).await?.into_iter().next()
    } else {
        Some(meta.batcher.retrieve_one(vapp.clone(), NAME).await?)
    };
    Ok(if o.is_some_and(|o| !o.is_missing_object()) { vapp } else { MoType::ResourcePool.moref(id) })
}
