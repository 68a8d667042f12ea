//! The `vi` SOAP client against a real vcsim (no Terraform involved).

use std::time::Duration;
use terraform_provider_vi::vi::FaultKind;

use terraform_provider_vi::vi::{Client, ClientConfig, ManagedObjectReference, ObjectContent, ViError};

use crate::harness::vcsim::{Vcsim, soap_calls as calls, traced_vcsim};

fn config(sim: &Vcsim) -> ClientConfig {
    ClientConfig {
        url: url::Url::parse(&sim.sdk_url()).expect("sdk url"),
        user: sim.user(),
        password: sim.password(),
        insecure: true,
        timeout: Duration::from_secs(30),
    }
}

async fn connect(sim: &Vcsim) -> Client {
    Client::connect(config(sim)).await.expect("connect to vcsim")
}

async fn find(client: &Client, path: &str) -> ManagedObjectReference {
    client
        .find_by_inventory_path(path)
        .await
        .expect("FindByInventoryPath")
        .unwrap_or_else(|| panic!("{path} not found"))
}

fn names(objects: &[ObjectContent]) -> Vec<String> {
    let mut v: Vec<String> = objects.iter().filter_map(|o| o.str("name").map(str::to_string)).collect();
    v.sort();
    v
}

#[tokio::test]
async fn service_content_and_api_version() {
    let sim = Vcsim::start(&[]);
    let client = connect(&sim).await;
    let sc = client.service_content();
    assert_eq!(sc.about.api_type, "VirtualCenter");
    assert!(sc.about.is_vcenter());
    assert!(sc.about.full_name.contains("govmomi simulator"), "{:?}", sc.about);
    assert_eq!(sc.root_folder.kind, "Folder");
    assert_eq!(sc.property_collector.kind, "PropertyCollector");
    assert_eq!(sc.session_manager.kind, "SessionManager");
    assert_eq!(sc.search_index.kind, "SearchIndex");
    assert_eq!(sc.view_manager.kind, "ViewManager");
    assert!(sc.file_manager.is_some() && sc.virtual_disk_manager.is_some());
    assert!(sc.ovf_manager.is_some() && sc.custom_fields_manager.is_some());
    assert!(sc.crypto_manager.is_some());
    // vcsim's default model reports 6.5; requests announce what it reports.
    assert_eq!(client.api_version(), "6.5");
    assert_eq!(client.api_version(), sc.about.api_version);

    let cookie = client.session_cookie().expect("session cookie");
    assert!(cookie.starts_with("vmware_soap_session="), "{cookie}");
    let session = client.user_session().expect("user session");
    assert_eq!(session.user_name, "user");
    assert!(cookie.contains(&session.key));

    let sim7 = Vcsim::start(&["-api-version", "7.0"]);
    let client7 = connect(&sim7).await;
    assert_eq!(client7.api_version(), "7.0");
    assert_eq!(client7.service_content().about.api_version, "7.0");

    // ESXi: a HostAgent without the vCenter-only managers.
    let esx = Vcsim::start(&["-esx"]);
    let host = connect(&esx).await;
    assert_eq!(host.service_content().about.api_type, "HostAgent");
    assert!(!host.service_content().about.is_vcenter());
    assert!(host.find_by_inventory_path("ha-datacenter").await.unwrap().is_some());
}

#[tokio::test]
async fn retrieve_two_types_in_one_call() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, trace) = traced_vcsim(dir.path(), &[]);
    let client = connect(&sim).await;
    let vm0 = find(&client, "DC0/vm/DC0_H0_VM0").await;
    let vm1 = find(&client, "DC0/vm/DC0_C0_RP0_VM0").await;
    let ds = find(&client, "DC0/datastore/LocalDS_0").await;
    assert_eq!(vm0.kind, "VirtualMachine");
    assert_eq!(ds.kind, "Datastore");

    let before = calls(&trace, "RetrievePropertiesEx");
    let objs = [vm0.clone(), ds.clone(), vm1.clone(), vm0.clone()];
    let got = client.retrieve(&objs, &["name", "parent", "overallStatus"]).await.unwrap();
    assert_eq!(calls(&trace, "RetrievePropertiesEx"), before + 1, "one round trip");
    // Request order, duplicates dropped.
    let order: Vec<&ManagedObjectReference> = got.iter().map(|o| &o.obj).collect();
    assert_eq!(order, [&vm0, &ds, &vm1]);
    let [g_vm0, g_ds, g_vm1] = got.as_slice() else { panic!("{got:?}") };
    assert_eq!(g_vm0.str("name"), Some("DC0_H0_VM0"));
    assert_eq!(g_vm1.str("name"), Some("DC0_C0_RP0_VM0"));
    assert_eq!(g_ds.str("name"), Some("LocalDS_0"));
    assert_eq!(g_vm0.moref("parent").map(|m| m.kind), Some("Folder".into()));
    assert_eq!(g_ds.moref("parent").map(|m| m.kind), Some("Folder".into()));
    assert_eq!(g_vm0.str("overallStatus"), Some("green"));
    assert!(got.iter().all(|o| o.missing.is_empty()), "{got:?}");

    // Different paths per type, still one call.
    let vm_paths: &[&str] = &[
        "name",
        "config.hardware.numCPU",
        "config.hardware.memoryMB",
        "config.template",
        "runtime.powerState",
        "datastore",
        "summary.config",
    ];
    let ds_paths: &[&str] = &["name", "summary.capacity", "summary.type", "vm"];
    let before = calls(&trace, "RetrievePropertiesEx");
    let got = client
        .retrieve_by_type(&[vm0.clone(), ds.clone()], &[("VirtualMachine", vm_paths), ("Datastore", ds_paths)], None)
        .await
        .unwrap();
    assert_eq!(calls(&trace, "RetrievePropertiesEx"), before + 1, "one round trip");
    let [vm, dsc] = got.as_slice() else { panic!("{got:?}") };
    assert!(vm.i64("config.hardware.numCPU").is_some_and(|n| n >= 1));
    assert!(vm.i64("config.hardware.memoryMB").is_some_and(|n| n > 0));
    assert_eq!(vm.bool("config.template"), Some(false));
    assert_eq!(vm.str("runtime.powerState"), Some("poweredOn"));
    assert_eq!(vm.morefs("datastore"), vec![ds.clone()]);
    // A path below a retrieved property.
    assert_eq!(vm.str("summary.config.name"), Some("DC0_H0_VM0"));
    assert!(dsc.i64("summary.capacity").is_some_and(|n| n > 0));
    assert_eq!(dsc.str("summary.type"), Some("OTHER"));
    assert!(dsc.morefs("vm").contains(&vm0));
}

#[tokio::test]
async fn retrieve_reports_missing_objects_and_properties() {
    let sim = Vcsim::start(&[]);
    let client = connect(&sim).await;
    let vm0 = find(&client, "DC0/vm/DC0_H0_VM0").await;
    let gone = ManagedObjectReference::new("VirtualMachine", "vm-999999");
    let got = client
        .retrieve(&[gone.clone(), vm0.clone()], &["name", "noSuchProperty"])
        .await
        .expect("a missing object must not fail the batch");
    let [g_gone, g_vm0] = got.as_slice() else { panic!("{got:?}") };
    assert_eq!(g_gone.obj, gone);
    assert!(g_gone.is_missing_object());
    assert!(g_gone.props.is_empty());
    assert!(!g_vm0.is_missing_object());
    assert_eq!(g_vm0.str("name"), Some("DC0_H0_VM0"));
    assert_eq!(g_vm0.missing, vec![("noSuchProperty".to_string(), "InvalidProperty".to_string())]);

    assert!(client.retrieve(&[], &["name"]).await.unwrap().is_empty());
}

#[tokio::test]
async fn retrieve_follows_continuation_tokens() {
    let dir = tempfile::tempdir().unwrap();
    // 1 DC, 1 cluster of 2 hosts, 1 standalone host, 3 VMs per pool: 6 VMs.
    let (sim, trace) = traced_vcsim(dir.path(), &["-dc", "1", "-cluster", "1", "-host", "2", "-vm", "3"]);
    let client = connect(&sim).await;
    let dc = find(&client, "DC0").await;
    let vms = client.list_by_type(&dc, "VirtualMachine", &["name"]).await.unwrap();
    assert_eq!(vms.len(), 6, "{:?}", names(&vms));
    let refs: Vec<ManagedObjectReference> = vms.iter().map(|o| o.obj.clone()).collect();

    let first = calls(&trace, "RetrievePropertiesEx");
    let paged =
        client.retrieve_by_type(&refs, &[("VirtualMachine", &["name", "runtime.powerState"])], Some(2)).await.unwrap();
    assert_eq!(calls(&trace, "RetrievePropertiesEx"), first + 1);
    assert_eq!(calls(&trace, "ContinueRetrievePropertiesEx"), 2, "pages of 2, 2, 2");
    assert_eq!(paged.len(), 6);
    assert_eq!(names(&paged), names(&vms));
    assert!(paged.iter().all(|o| !o.is_missing_object() && o.str("runtime.powerState").is_some()));
    let order: Vec<&ManagedObjectReference> = paged.iter().map(|o| &o.obj).collect();
    assert_eq!(order, refs.iter().collect::<Vec<_>>(), "request order kept");
}

#[tokio::test]
async fn find_by_inventory_path_hit_and_miss() {
    let sim = Vcsim::start(&[]);
    let client = connect(&sim).await;
    let rp = find(&client, "DC0/host/DC0_C0/Resources").await;
    assert_eq!(rp.kind, "ResourcePool");
    assert_eq!(find(&client, "DC0/vm").await.kind, "Folder");
    assert_eq!(find(&client, "DC0").await.kind, "Datacenter");
    assert_eq!(find(&client, "DC0/datastore/LocalDS_0").await.kind, "Datastore");
    assert_eq!(find(&client, "DC0/host/DC0_C0").await.kind, "ClusterComputeResource");
    assert_eq!(find(&client, "DC0/network/VM Network").await.kind, "Network");
    assert!(!rp.to_string().is_empty() && !rp.to_string().contains("ResourcePool"));

    for miss in ["DC0/vm/nope", "NoSuchDC", "DC0/datastore/LocalDS_9", ""] {
        assert_eq!(client.find_by_inventory_path(miss).await.unwrap(), None, "{miss}");
    }
    // Characters that need escaping travel intact.
    assert_eq!(client.find_by_inventory_path("DC0/vm/<a & b>").await.unwrap(), None);

    // A call on an object that does not exist is a typed fault.
    let gone = ManagedObjectReference::new("VirtualMachine", "vm-999999");
    let err = client.invoke("PowerOnVM_Task", &gone, "").await.unwrap_err();
    assert_eq!(err.fault_kind(), Some(&FaultKind::ManagedObjectNotFound), "{err}");
}

#[tokio::test]
async fn list_by_type_under_datacenter() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, trace) = traced_vcsim(dir.path(), &[]);
    let client = connect(&sim).await;
    let dc = find(&client, "DC0").await;

    let ds = client.list_by_type(&dc, "Datastore", &["name", "summary.capacity"]).await.unwrap();
    assert_eq!(names(&ds), ["LocalDS_0"]);
    assert!(ds.iter().all(|o| o.obj.kind == "Datastore"));

    let nets = client.list_by_type(&dc, "Network", &["name"]).await.unwrap();
    let net_names = names(&nets);
    assert!(net_names.contains(&"VM Network".to_string()), "{net_names:?}");
    assert!(net_names.contains(&"DC0_DVPG0".to_string()), "{net_names:?}");
    // Subtypes come back under their own type.
    assert!(nets.iter().any(|o| o.obj.kind == "DistributedVirtualPortgroup"));

    let hosts = client.list_by_type(&dc, "HostSystem", &["name", "parent"]).await.unwrap();
    assert_eq!(names(&hosts), ["DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2", "DC0_H0"]);

    let pools = client.list_by_type(&dc, "ResourcePool", &["name", "owner"]).await.unwrap();
    assert_eq!(pools.len(), 2, "{pools:?}");
    let owners: Vec<String> = pools.iter().filter_map(|p| p.moref("owner").map(|m| m.kind)).collect();
    assert!(owners.contains(&"ClusterComputeResource".to_string()), "{owners:?}");
    assert!(owners.contains(&"ComputeResource".to_string()), "{owners:?}");

    // No paths: just the references.
    let vms = client.list_by_type(&dc, "VirtualMachine", &[]).await.unwrap();
    assert_eq!(vms.len(), 4);
    assert!(vms.iter().all(|o| o.props.is_empty()));

    // Every view was destroyed again.
    assert_eq!(calls(&trace, "CreateContainerView"), calls(&trace, "DestroyView"));
    // A bad type is the server's InvalidArgument.
    let err = client.list_by_type(&dc, "NoSuchType", &["name"]).await.unwrap_err();
    assert_eq!(err.fault_kind(), Some(&FaultKind::InvalidArgument), "{err}");
}

#[tokio::test]
async fn wrong_password_is_invalid_login() {
    let sim = Vcsim::start(&["-username", "u", "-password", "p"]);
    assert_eq!(sim.user(), "u");
    let mut cfg = config(&sim);
    cfg.password = "wrong".into();
    let err = Client::connect(cfg).await.unwrap_err();
    assert_eq!(err.fault_kind(), Some(&FaultKind::InvalidLogin), "{err}");
    assert!(matches!(err, ViError::Fault { .. }));
    assert!(!err.to_string().contains("wrong"), "{err}");
    // The right ones work.
    let client = connect(&sim).await;
    assert_eq!(client.user_session().map(|s| s.user_name), Some("u".into()));
}

#[tokio::test]
async fn untrusted_certificate_without_insecure() {
    let sim = Vcsim::start(&[]);
    let mut cfg = config(&sim);
    cfg.insecure = false;
    let err = Client::connect(cfg).await.unwrap_err();
    let ViError::Certificate { url, detail } = &err else { panic!("expected a certificate error, got {err:?}") };
    assert_eq!(url, &sim.sdk_url());
    assert!(!detail.is_empty());
    let msg = err.to_string();
    assert!(msg.contains("not trusted") && msg.contains("insecure = true"), "{msg}");
}

#[tokio::test]
async fn unreachable_port_is_connect_error() {
    // A port that was free a moment ago: connection refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap();
    let cfg = ClientConfig {
        url: url::Url::parse(&format!("https://127.0.0.1:{port}/sdk")).unwrap(),
        user: "user".into(),
        password: "pass".into(),
        insecure: true,
        timeout: Duration::from_secs(10),
    };
    let err = Client::connect(cfg).await.unwrap_err();
    assert!(matches!(err, ViError::Connect { .. }), "{err:?}");
    assert!(err.to_string().contains(&format!("127.0.0.1:{port}")), "{err}");
}

#[tokio::test]
async fn slow_call_times_out() {
    let sim = Vcsim::start(&["-method-delay", "FindByInventoryPath:3000"]);
    let mut cfg = config(&sim);
    cfg.timeout = Duration::from_secs(1);
    let client = Client::connect(cfg).await.unwrap();
    let err = client.find_by_inventory_path("DC0").await.unwrap_err();
    let ViError::Timeout { what, after_secs } = &err else { panic!("expected a timeout, got {err:?}") };
    assert_eq!(*after_secs, 1);
    assert!(what.contains("FindByInventoryPath"), "{what}");
}

/// Ends `victim`'s session from another session.
async fn terminate(admin: &Client, victim: &Client) {
    let key = victim.user_session().expect("victim session").key;
    let args = format!("<sessionId>{key}</sessionId>");
    admin.invoke("TerminateSession", &admin.service_content().session_manager, &args).await.expect("TerminateSession");
}

#[tokio::test]
async fn relogin_after_session_is_terminated() {
    let sim = Vcsim::start(&[]);
    let client = connect(&sim).await;
    let admin = connect(&sim).await;
    let first_key = client.user_session().unwrap().key;

    // A plain call faults NotAuthenticated, then succeeds after one re-login.
    terminate(&admin, &client).await;
    assert_eq!(find(&client, "DC0/vm").await.kind, "Folder");
    let second_key = client.user_session().unwrap().key;
    assert_ne!(first_key, second_key);
    assert!(client.session_cookie().unwrap().contains(&second_key));

    // vcsim answers RetrievePropertiesEx without a session with
    // NotAuthenticated per property instead of a fault: also re-logged in.
    terminate(&admin, &client).await;
    let dc = ManagedObjectReference::new("Datacenter", find(&admin, "DC0").await.value);
    let got = client.retrieve(&[dc], &["name"]).await.unwrap();
    assert_eq!(got.first().and_then(|o| o.str("name")), Some("DC0"));
    assert_ne!(client.user_session().unwrap().key, second_key);

    // ContainerView listing across a re-login.
    terminate(&admin, &client).await;
    let dc = find(&admin, "DC0").await;
    let hosts = client.list_by_type(&dc, "HostSystem", &["name"]).await.unwrap();
    assert_eq!(hosts.len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_share_one_relogin() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, trace) = traced_vcsim(dir.path(), &[]);
    let client = connect(&sim).await;
    let admin = connect(&sim).await;
    assert_eq!(calls(&trace, "Login"), 2);

    terminate(&admin, &client).await;
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let c = client.clone();
        tasks.push(tokio::spawn(async move { c.find_by_inventory_path("DC0/host/DC0_C0/Resources").await }));
    }
    for t in tasks {
        let found = t.await.unwrap().expect("call after re-login");
        assert_eq!(found.map(|m| m.kind), Some("ResourcePool".into()));
    }
    assert_eq!(calls(&trace, "Login"), 3, "exactly one re-login");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let sim = Vcsim::start(&[]);
    let client = connect(&sim).await;
    let admin = connect(&sim).await;
    let key = client.user_session().unwrap().key;
    client.logout().await.unwrap();
    assert_eq!(client.session_cookie(), None);
    // The server no longer knows the session: terminating it is NotFound.
    let err = admin
        .invoke("TerminateSession", &admin.service_content().session_manager, &format!("<sessionId>{key}</sessionId>"))
        .await
        .unwrap_err();
    assert_eq!(err.fault_kind(), Some(&FaultKind::NotFound), "{err}");
    // A logged-out client does not log itself back in.
    let err = client.find_by_inventory_path("DC0").await.unwrap_err();
    assert_eq!(err.fault_kind(), Some(&FaultKind::NotAuthenticated), "{err}");
    // Logging out twice is harmless.
    client.logout().await.unwrap();
}
