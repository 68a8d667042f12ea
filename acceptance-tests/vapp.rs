//! `vi_vapp` against vcsim: create, read back, import, drift in power
//! state, deletion outside Terraform, in-place changes, plan-time rules and
//! the TPM rule of a copy.
//!
//! Every in-place change runs for real on vcsim-plus (`sim/`), which adds
//! what vcsim lacks on a vApp: Rename_Task, UpdateConfig,
//! UpdateVAppConfig, MoveIntoResourcePool and the power operations.
use crate::harness::terraform::{Tf, provider_block};
use crate::harness::vcsim::Vcsim;
use crate::vi_check::{self, vm_info};

use terraform_provider_vi::vi::ManagedObjectReference;
use terraform_provider_vi::vi::object::vapp::VAppInfo;
use terraform_provider_vi::vi::object::vm_spec::VirtualMachineConfigSpec;

fn vapp_info(sim: &Vcsim, id: &str) -> Option<VAppInfo> {
    let (rt, c) = vi_check::client(sim);
    rt.block_on(c.read_vapp(&ManagedObjectReference::new("VirtualApp", id))).expect("read vApp from vcsim")
}

fn vapp_count(sim: &Vcsim) -> usize {
    let (rt, c) = vi_check::client(sim);
    let root = c.service_content().root_folder.clone();
    rt.block_on(c.list_by_type(&root, "VirtualApp", &["name"])).expect("list vApps").len()
}

/// Terraform wraps messages at 78 columns: compare with spaces collapsed.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn id_of(tf: &Tf, output: &str) -> String {
    tf.outputs()[output].as_str().unwrap_or_default().to_owned()
}

/// The cluster's root pool, where the vApps go.
fn root_pool(sim: &Vcsim) -> String {
    vi_check::facts(sim).prop("ClusterComputeResource", "DC0_C0", "resourcePool")
}

/// A vApp with every setting vcsim keeps.
fn full_vapp(pool: &str, name: &str, cpu_limit: i64, extra: &str) -> String {
    format!(
        r#"
resource "vi_vapp" "app" {{
  name                 = "{name}"
  resource_pool_id     = "{pool}"
  cpu_share_level      = "custom"
  cpu_shares           = 2000
  cpu_reservation      = 100
  cpu_limit            = {cpu_limit}
  cpu_expandable       = false
  memory_share_level   = "high"
  memory_reservation   = 256
  memory_limit         = 4096
{extra}
  product {{
    name         = "Web shop"
    vendor       = "ACME"
    version      = "1.2"
    full_version = "1.2.3 build 45"
    vendor_url   = "https://acme.example"
    product_url  = "https://acme.example/shop"
  }}
}}
output "id" {{
  value = vi_vapp.app.id
}}
"#
    )
}

#[test]
fn vapp_is_created_read_imported_and_destroyed() {
    let sim = Vcsim::start(&[]);
    let pool = root_pool(&sim);
    let before = vapp_count(&sim);
    let tf = Tf::new(&(provider_block(&sim.sdk_url(), "") + &full_vapp(&pool, "shop", 1000, "")));
    tf.init_apply_replan();
    let id = id_of(&tf, "id");
    assert!(id.starts_with("resgroup-v"), "{id}");

    let info = vapp_info(&sim, &id).expect("vApp exists in vcsim");
    assert_eq!(info.name, "shop");
    assert_eq!(info.parent.as_ref().map(|p| p.value.as_str()), Some(pool.as_str()));
    let cpu = &info.cpu_allocation;
    assert_eq!((cpu.reservation, cpu.limit, cpu.expandable_reservation), (Some(100), Some(1000), Some(false)));
    assert_eq!(cpu.shares.as_ref().map(|s| (s.shares, s.level.as_str())), Some((2000, "custom")));
    let mem = &info.memory_allocation;
    assert_eq!((mem.reservation, mem.limit), (Some(256), Some(4096)));
    assert_eq!(mem.shares.as_ref().map(|s| s.level.as_str()), Some("high"));
    let product = info.product().expect("product");
    assert_eq!(product.name.as_deref(), Some("Web shop"));
    assert_eq!(product.full_version.as_deref(), Some("1.2.3 build 45"));
    assert_eq!(product.product_url.as_deref(), Some("https://acme.example/shop"));
    let show = tf.show();
    let values = &show["values"]["root_module"]["resources"][0]["values"];
    assert_eq!(values["power_state"], "off", "{values}");
    assert_eq!(values["ovf_environment_transport"], serde_json::json!([]), "{values}");

    // Import by id and by inventory path: the adopting configuration plans
    // no change (outputs are not imported, so it has none).
    let config = provider_block(&sim.sdk_url(), "") + &full_vapp(&pool, "shop", 1000, "");
    let config = config.split("output \"id\"").next().unwrap_or_default().to_owned();
    for import_id in [id.as_str(), "/DC0/host/DC0_C0/Resources/shop"] {
        let adopted = Tf::new(&config);
        adopted.init();
        adopted.ok(&["import", "-no-color", "vi_vapp.app", import_id]);
        adopted.assert_no_changes();
    }

    tf.destroy();
    assert!(vapp_info(&sim, &id).is_none());
    assert_eq!(vapp_count(&sim), before, "destroy leaves no extra vApps");
}

#[test]
fn a_vapp_inside_a_vapp() {
    let sim = Vcsim::start(&[]);
    let pool = root_pool(&sim);
    let tf = Tf::new(&format!(
        r#"{provider}
resource "vi_vapp" "outer" {{
  name             = "outer"
  resource_pool_id = "{pool}"
}}
resource "vi_vapp" "inner" {{
  name             = "inner"
  resource_pool_id = vi_vapp.outer.id
}}
output "inner" {{
  value = vi_vapp.inner.id
}}
output "outer" {{
  value = vi_vapp.outer.id
}}
"#,
        provider = provider_block(&sim.sdk_url(), ""),
    ));
    tf.init_apply_replan();
    let (inner_id, outer_id) = (id_of(&tf, "inner"), id_of(&tf, "outer"));
    let inner = vapp_info(&sim, &inner_id).expect("inner vApp");
    assert_eq!(inner.parent.map(|p| p.value), Some(outer_id.clone()));
    // The outer vApp lists the inner one among its children, with start
    // settings of its own.
    let outer = vapp_info(&sim, &outer_id).expect("outer vApp");
    assert!(outer.entity_config_for(&ManagedObjectReference::new("VirtualApp", &inner_id)).is_some(), "{outer:?}");
    tf.destroy();
    assert!(vapp_info(&sim, &inner_id).is_none() && vapp_info(&sim, &outer_id).is_none());
    assert_eq!(vapp_count(&sim), 0);
}

/// The vApp after the in-place changes: every setting but `folder`
/// differs from `full_vapp`'s; `extra` adds lines, `product` keeps the
/// product block.
fn changed_vapp(pool: &str, transports: &str, product: bool, extra: &str) -> String {
    let product = if product {
        r#"
  product {
    name         = "Web shop"
    vendor       = "ACME Corp"
    version      = "2.0"
    full_version = "2.0.1 build 7"
    vendor_url   = "https://acme.example"
    product_url  = "https://acme.example/shop2"
  }"#
    } else {
        ""
    };
    format!(
        r#"
resource "vi_vapp" "app" {{
  name                      = "shop-2"
  resource_pool_id          = "{pool}"
  cpu_share_level           = "high"
  cpu_reservation           = 200
  cpu_limit                 = 3000
  cpu_expandable            = true
  memory_share_level        = "custom"
  memory_shares             = 5000
  memory_reservation        = 512
  memory_limit              = 8192
  memory_expandable         = false
  ovf_environment_transport = {transports}
  ip_protocol               = "IPv6"
  ip_allocation_policy      = "dhcpPolicy"
{extra}{product}
}}
output "id" {{
  value = vi_vapp.app.id
}}
"#
    )
}

const BOTH: &str = r#"["iso", "com.vmware.guestInfo"]"#;

#[test]
fn every_setting_changes_in_place_and_reads_back() {
    // -pool 1: a plain resource pool beside the cluster's root, to move to.
    let sim = Vcsim::start(&["-pool", "1"]);
    let pool = root_pool(&sim);
    let other_pool = vi_check::facts(&sim).id("ResourcePool", "DC0_C0_RP1");
    let tf = Tf::new(&(provider_block(&sim.sdk_url(), "") + &full_vapp(&pool, "shop", 1000, "")));
    tf.init_apply_replan();
    let id = id_of(&tf, "id");

    // Name (Rename_Task), allocation (UpdateConfig), product, transports
    // and IP settings (UpdateVAppConfig): one in-place update.
    tf.write_main(&(provider_block(&sim.sdk_url(), "") + &changed_vapp(&pool, BOTH, true, "")));
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("will be updated in-place") && plan.contains("1 to change"), "{plan}");
    assert!(!plan.contains("must be replaced"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(id_of(&tf, "id"), id, "the same vApp");
    let info = vapp_info(&sim, &id).expect("vApp in vcsim");
    assert_eq!(info.name, "shop-2");
    let cpu = &info.cpu_allocation;
    assert_eq!((cpu.reservation, cpu.limit, cpu.expandable_reservation), (Some(200), Some(3000), Some(true)));
    // vSphere's count for a pool's high CPU share level.
    assert_eq!(cpu.shares.as_ref().map(|s| (s.shares, s.level.as_str())), Some((8000, "high")));
    let mem = &info.memory_allocation;
    assert_eq!((mem.reservation, mem.limit, mem.expandable_reservation), (Some(512), Some(8192), Some(false)));
    assert_eq!(mem.shares.as_ref().map(|s| (s.shares, s.level.as_str())), Some((5000, "custom")));
    let product = info.product().expect("product");
    assert_eq!(product.vendor.as_deref(), Some("ACME Corp"));
    assert_eq!(product.version.as_deref(), Some("2.0"));
    assert_eq!(product.full_version.as_deref(), Some("2.0.1 build 7"));
    assert_eq!(product.product_url.as_deref(), Some("https://acme.example/shop2"));
    assert_eq!(info.ovf_environment_transport, vec!["iso", "com.vmware.guestInfo"]);
    assert_eq!(info.ip_assignment.ip_protocol.as_deref(), Some("IPv6"));
    assert_eq!(info.ip_assignment.ip_allocation_policy.as_deref(), Some("dhcpPolicy"));
    // Offered too, as vSphere offers only what a vApp supports.
    assert!(info.ip_assignment.supported_ip_protocol.iter().any(|p| p == "IPv6"), "{:?}", info.ip_assignment);
    assert!(info.ip_assignment.supported_allocation_scheme.iter().any(|s| s == "dhcp"), "{:?}", info.ip_assignment);

    // To another pool (MoveIntoResourcePool); the product and transports
    // go, back to no transports.
    tf.write_main(&(provider_block(&sim.sdk_url(), "") + &changed_vapp(&other_pool, "[]", false, "")));
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("1 to change") && !plan.contains("must be replaced"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(id_of(&tf, "id"), id, "the same vApp");
    let info = vapp_info(&sim, &id).expect("vApp in vcsim");
    assert_eq!(info.parent.as_ref().map(|p| p.value.as_str()), Some(other_pool.as_str()));
    assert!(info.product().is_none(), "{:?}", info.products);
    assert!(info.ovf_environment_transport.is_empty(), "{:?}", info.ovf_environment_transport);

    // A new folder is a new vApp.
    let in_folder = changed_vapp(&other_pool, "[]", false, "  folder = \"apps\"\n");
    tf.write_main(&(provider_block(&sim.sdk_url(), "") + &in_folder));
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("must be replaced") && plan.contains("folder"), "{plan}");
    tf.write_main(&(provider_block(&sim.sdk_url(), "") + &changed_vapp(&other_pool, "[]", false, "")));
    tf.destroy();
    assert!(vapp_info(&sim, &id).is_none());
}

/// A name taken by another pool beside it: vSphere refuses the rename, the
/// apply says so, and the vApp and its state keep the old name.
#[test]
fn a_rename_vsphere_refuses_leaves_the_vapp_as_it_was() {
    let sim = Vcsim::start(&["-pool", "1"]);
    let pool = root_pool(&sim);
    let tf = Tf::new(&(provider_block(&sim.sdk_url(), "") + &full_vapp(&pool, "shop", 1000, "")));
    tf.init_apply_replan();
    let id = id_of(&tf, "id");
    tf.write_main(&(provider_block(&sim.sdk_url(), "") + &full_vapp(&pool, "DC0_C0_RP1", 1000, "")));
    let err = flat(&tf.fails(&["apply", "-auto-approve", "-no-color"]));
    assert!(err.contains("renaming the vApp") && err.contains("DuplicateName"), "{err}");
    assert_eq!(vapp_info(&sim, &id).map(|i| i.name), Some("shop".to_owned()));
    tf.write_main(&(provider_block(&sim.sdk_url(), "") + &full_vapp(&pool, "shop", 1000, "")));
    tf.assert_no_changes();
    tf.destroy();
}

#[test]
fn power_drift_and_deletion_outside_terraform_show_in_the_plan() {
    let sim = Vcsim::start(&[]);
    let f = vi_check::facts(&sim);
    let pool = f.prop("ClusterComputeResource", "DC0_C0", "resourcePool");
    let vm_folder = f.prop("Datacenter", "DC0", "vmFolder");
    let tf = Tf::new(&format!(
        r#"{provider}
resource "vi_vapp" "app" {{
  name             = "shop"
  resource_pool_id = "{pool}"
  power_state      = "off"
}}
output "id" {{
  value = vi_vapp.app.id
}}
"#,
        provider = provider_block(&sim.sdk_url(), ""),
    ));
    tf.init_apply_replan();
    let vapp = ManagedObjectReference::new("VirtualApp", id_of(&tf, "id"));

    // A VM joins the vApp and starts behind Terraform's back: the vApp is
    // started (vcsim-plus derives vAppState from the running child).
    let (rt, c) = vi_check::client(&sim);
    let spec = VirtualMachineConfigSpec {
        name: Some("shop-vm".into()),
        vm_path_name: Some("[LocalDS_0]".into()),
        memory_mb: Some(32),
        num_cpus: Some(1),
        guest_id: Some("otherGuest64".into()),
        ..Default::default()
    };
    let folder = ManagedObjectReference::new("Folder", vm_folder);
    let vm = rt.block_on(c.folder(&folder).create_vm(&spec, &vapp, None, None)).expect("create a VM in the vApp");
    rt.block_on(c.vm(&vm).power_on(false, None)).expect("power the VM on");
    let plan = tf.assert_changes();
    assert!(plan.contains("power_state") && plan.contains("\"on\" -> \"off\""), "{plan}");
    rt.block_on(c.vm(&vm).power_off(None)).expect("power the VM off");
    tf.assert_no_changes();

    // Deleted outside Terraform: the next plan creates it again.
    rt.block_on(c.vm(&vm).destroy(None)).expect("destroy the VM");
    rt.block_on(c.destroy_vapp(&vapp, None)).expect("destroy the vApp behind Terraform's back");
    let plan = tf.assert_changes();
    assert!(plan.contains("will be created"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    assert_ne!(id_of(&tf, "id"), vapp.value, "a new vApp");
    tf.destroy();
}

#[test]
fn a_vapp_with_a_running_vm_is_destroyed_after_powering_it_off() {
    let sim = Vcsim::start(&["-app", "1"]);
    let before = vapp_count(&sim);
    let tf = Tf::new(&format!(
        r#"{provider}
resource "vi_vapp" "app" {{
  name             = "DC0_C0_APP0"
  resource_pool_id = "{pool}"
  product {{
    name       = "vcsim"
    vendor     = "VMware"
    version    = "0.1"
    vendor_url = "http://www.vmware.com/"
  }}
}}
"#,
        provider = provider_block(&sim.sdk_url(), ""),
        pool = root_pool(&sim),
    ));
    tf.init();
    // vcsim's own vApp, whose two VMs run: it reads as on.
    tf.ok(&["import", "-no-color", "vi_vapp.app", "/DC0/host/DC0_C0/Resources/DC0_C0_APP0"]);
    tf.assert_no_changes();
    let show = tf.show();
    assert_eq!(show["values"]["root_module"]["resources"][0]["values"]["power_state"], "on");
    let vms = vi_check::vms(&sim);
    let members: Vec<&String> =
        vms.iter().filter(|(_, name)| name.starts_with("DC0_C0_APP0_VM")).map(|(id, _)| id).collect();
    assert_eq!(members.len(), 2, "{vms:?}");
    tf.destroy();
    assert_eq!(vapp_count(&sim), before - 1);
    // vSphere destroys a vApp's VMs with it.
    for id in members {
        assert!(vm_info(&sim, id).is_none(), "{id} outlived its vApp");
    }
}

#[test]
fn plan_time_rules_reject_bad_settings_on_the_right_attribute() {
    let sim = Vcsim::start(&[]);
    let pool = root_pool(&sim);
    let cases: &[(&str, &[&str])] = &[
        ("cpu_share_level = \"medium\"", &["cpu_share_level", "low, normal, high or custom"]),
        ("memory_shares = 100", &["memory_shares", "custom"]),
        ("cpu_share_level = \"custom\"", &["cpu_shares: share level custom needs a share count"]),
        ("memory_reservation = 2048\n  memory_limit = 1024", &["memory_reservation", "above the limit"]),
        ("cpu_limit = -5", &["cpu_limit", "-1 for unlimited"]),
        ("ovf_environment_transport = [\"iso\", \"cdrom\"]", &["ovf_environment_transport", "\"cdrom\""]),
        ("ip_protocol = \"ipv4\"", &["ip_protocol", "did you mean \"IPv4\""]),
        ("ip_allocation_policy = \"dhcp\"", &["ip_allocation_policy", "dhcpPolicy"]),
        ("power_state = \"paused\"", &["power_state", "\"on\" or \"off\""]),
        ("resource_pool_id = \"resgroup-v9\"\n  folder = \"apps\"", &["folder", "inside another vApp"]),
    ];
    for (attrs, wants) in cases {
        let pool_line =
            if attrs.contains("resource_pool_id") { String::new() } else { format!("resource_pool_id = \"{pool}\"") };
        let tf = Tf::new(&format!(
            r#"{provider}
resource "vi_vapp" "bad" {{
  name = "bad"
  {pool_line}
  {attrs}
}}
"#,
            provider = provider_block(&sim.sdk_url(), ""),
        ));
        tf.init();
        let err = flat(&tf.fails(&["plan", "-no-color"]));
        for w in *wants {
            assert!(err.contains(w), "plan with `{attrs}` should mention {w:?}:\n{err}");
        }
    }
    assert_eq!(vapp_count(&sim), 0, "nothing was created");
}

fn clone_config(sim: &Vcsim, pool: &str, datastore: &str, with_copy: &str) -> String {
    format!(
        r#"{provider}
resource "vi_vapp" "src" {{
  name             = "src"
  resource_pool_id = "{pool}"
}}
{with_copy}
"#,
        provider = provider_block(&sim.sdk_url(), ""),
    )
    .replace("DATASTORE", datastore)
}

/// vcsim puts a copy under its source whatever the target (and copies no
/// product), so the copy asks for exactly that.
const COPY: &str = r#"
resource "vi_vapp" "copy" {
  name             = "copy"
  resource_pool_id = vi_vapp.src.id
  clone {
    source_id        = vi_vapp.src.id
    datastore_id     = "DATASTORE"
    tpm_provisioning = "replace"
  }
}
output "copy" {
  value = vi_vapp.copy.id
}
"#;

#[test]
fn tpm_replace_is_refused_at_plan_on_vcenter_7() {
    let sim = Vcsim::start(&["-api-version", "7.0"]);
    let f = vi_check::facts(&sim);
    let (pool, ds) = (f.prop("ClusterComputeResource", "DC0_C0", "resourcePool"), f.id("Datastore", "LocalDS_0"));
    let tf = Tf::new(&clone_config(&sim, &pool, &ds, ""));
    tf.init_apply_replan();
    tf.write_main(&clone_config(&sim, &pool, &ds, COPY));
    let err = flat(&tf.fails(&["plan", "-no-color"]));
    assert!(
        err.contains("tpm_provisioning `replace` is not allowed when you copy a stopped vApp on vCenter 7.x"),
        "{err}"
    );
    assert!(err.contains("tpm_provisioning = \"replace\""), "points at the attribute: {err}");
    // Copy is what 7.x allows.
    tf.write_main(&clone_config(&sim, &pool, &ds, &COPY.replace("\"replace\"", "\"copy\"")));
    tf.ok(&["plan", "-no-color"]);
    tf.write_main(&clone_config(&sim, &pool, &ds, ""));
    tf.destroy();
}

#[test]
fn tpm_replace_is_refused_at_apply_when_the_source_is_new() {
    let sim = Vcsim::start(&["-api-version", "7.0"]);
    let f = vi_check::facts(&sim);
    let (pool, ds) = (f.prop("ClusterComputeResource", "DC0_C0", "resourcePool"), f.id("Datastore", "LocalDS_0"));
    let tf = Tf::new(&clone_config(&sim, &pool, &ds, COPY));
    tf.init();
    // The source does not exist at plan: checked first thing at apply.
    let err = flat(&tf.fails(&["apply", "-auto-approve", "-no-color"]));
    assert!(err.contains("not allowed when you copy a stopped vApp on vCenter 7.x"), "{err}");
    assert_eq!(vapp_count(&sim), 1, "only the source exists");
    tf.write_main(&clone_config(&sim, &pool, &ds, ""));
    tf.destroy();
}

#[test]
fn tpm_replace_plans_and_applies_on_vcenter_8() {
    let sim = Vcsim::start(&["-api-version", "8.0.2.0"]);
    let f = vi_check::facts(&sim);
    let (pool, ds) = (f.prop("ClusterComputeResource", "DC0_C0", "resourcePool"), f.id("Datastore", "LocalDS_0"));
    let tf = Tf::new(&clone_config(&sim, &pool, &ds, ""));
    tf.init_apply_replan();
    tf.write_main(&clone_config(&sim, &pool, &ds, COPY));
    tf.apply();
    tf.assert_no_changes();
    let copy = vapp_info(&sim, &id_of(&tf, "copy")).expect("the copy exists");
    assert_eq!(copy.name, "copy");
    tf.write_main(&clone_config(&sim, &pool, &ds, ""));
    tf.apply();
    assert!(vapp_info(&sim, &copy.moref.value).is_none(), "the copy is destroyed");
    tf.destroy();
    assert_eq!(vapp_count(&sim), 0);
}

/// A vApp with no VM cannot be powered on (NoVmInVApp): a new vApp whose
/// power-on fails stays in state, tainted, not orphaned.
#[test]
fn a_failed_power_on_at_create_keeps_the_vapp_in_state() {
    let sim = Vcsim::start(&[]);
    let before = vapp_count(&sim);
    let tf = Tf::new(&format!(
        r#"{provider}
resource "vi_vapp" "app" {{
  name             = "shop"
  resource_pool_id = "{pool}"
  power_state      = "on"
}}
"#,
        provider = provider_block(&sim.sdk_url(), ""),
        pool = root_pool(&sim),
    ));
    tf.init();
    let err = flat(&tf.fails(&["apply", "-auto-approve", "-no-color"]));
    assert!(err.contains("The vApp has no VMs to power on") && err.contains("NoVmInVApp"), "{err}");
    assert!(err.contains("power_state = \"on\"") && err.contains("leave power_state unset"), "{err}");
    // The vApp exists and is in state (tainted), not orphaned.
    assert_eq!(vapp_count(&sim), before + 1);
    let show = tf.ok(&["show", "-no-color"]);
    assert!(show.contains("vi_vapp.app") && show.contains("tainted"), "{show}");
    tf.destroy();
    assert_eq!(vapp_count(&sim), before);
}
