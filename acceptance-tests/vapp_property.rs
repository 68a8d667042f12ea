//! `vi_vapp_property` against vcsim: properties added, edited, re-keyed and
//! removed on a VM (checked in vcsim), a password that never shows a diff
//! or reaches a log, bad values and clashes refused at plan, a system
//! property taken over by import, and the same on a vApp
//! (UpdateVAppConfig, on vcsim-plus).
use crate::harness::terraform::{Tf, provider_block, text};
use crate::harness::vcsim::{Vcsim, soap_calls, traced_vcsim};
use crate::vi_check;

use terraform_provider_vi::vi::ManagedObjectReference;
use terraform_provider_vi::vi::object::vapp_config::{VAppOptions, VAppPropertyInfo, VAppPropertySpec, VmConfigSpec};

const PASSWORD: &str = "Corr3ct-Horse-Battery";
const NEW_PASSWORD: &str = "Stapl3-Second-Secret";

fn vm_id(sim: &Vcsim) -> String {
    vi_check::facts(sim).id("VirtualMachine", "DC0_H0_VM0")
}

fn options(sim: &Vcsim, target: &ManagedObjectReference) -> VAppOptions {
    let (rt, c) = vi_check::client(sim);
    let o = rt.block_on(c.vapp_options(target)).expect("read vApp options from vcsim");
    let _ = rt.block_on(c.logout());
    o
}

fn vm_props(sim: &Vcsim, vm: &str) -> Vec<VAppPropertyInfo> {
    options(sim, &ManagedObjectReference::new("VirtualMachine", vm)).properties().to_vec()
}

fn by_id<'a>(props: &'a [VAppPropertyInfo], id: &str) -> &'a VAppPropertyInfo {
    props.iter().find(|p| p.id.as_deref() == Some(id)).unwrap_or_else(|| panic!("no property {id} in {props:?}"))
}

fn config(sim: &Vcsim, vm: &str, hostname: &str, port_key: i64, password: &str, with_password: bool) -> String {
    let mut hcl = provider_block(&sim.sdk_url(), "")
        + &format!(
            r#"
resource "vi_vapp_property" "hostname" {{
  target_id   = "{vm}"
  property_id = "hostname"
  label       = "Host name"
  category    = "Network"
  type        = "string(1..63)"
  value       = "{hostname}"
}}

resource "vi_vapp_property" "port" {{
  target_id     = "{vm}"
  key           = {port_key}
  property_id   = "port"
  class_id      = "app"
  type          = "int(1..65535)"
  default_value = "80"
  value         = "8080"
}}

output "hostname_key" {{
  value = vi_vapp_property.hostname.key
}}
"#
        );
    if with_password {
        hcl += &format!(
            r#"
resource "vi_vapp_property" "admin_pw" {{
  target_id       = "{vm}"
  property_id     = "admin_password"
  type            = "password(8..)"
  sensitive_value = "{password}"
}}
"#
        );
    }
    hcl
}

/// Applies, returning Terraform's output and the provider's log (stderr).
fn logged_apply(tf: &Tf) -> String {
    let out = tf.run(&["apply", "-auto-approve", "-no-color"]);
    let all = text(&out);
    assert!(out.status.success(), "apply failed:\n{all}");
    assert!(all.contains("vApp property added") || all.contains("vApp property changed"), "no provider log:\n{all}");
    all
}

#[test]
fn properties_on_a_vm_added_edited_rekeyed_imported_and_removed() {
    let sim = Vcsim::start(&[]);
    let vm = vm_id(&sim);
    assert_eq!(options(&sim, &ManagedObjectReference::new("VirtualMachine", &vm)), VAppOptions::Disabled);

    let tf = Tf::new(&config(&sim, &vm, "web-1", 10, PASSWORD, true)).env("TF_LOG_PROVIDER", "TRACE");
    tf.init();
    let out = logged_apply(&tf);
    assert!(!out.contains(PASSWORD), "the password shows in apply's output or the provider's log");
    // Re-planning shows no diff although vSphere reads passwords back empty.
    tf.assert_no_changes();

    let props = vm_props(&sim, &vm);
    assert_eq!(props.len(), 3, "{props:?}");
    let host = by_id(&props, "hostname");
    assert_eq!(host.value.as_deref(), Some("web-1"));
    assert_eq!(host.label.as_deref(), Some("Host name"));
    assert_eq!(host.r#type.as_deref(), Some("string(1..63)"));
    assert_eq!(host.user_configurable, Some(true));
    let port = by_id(&props, "port");
    assert_eq!((port.key, port.class_id.as_deref(), port.value.as_deref()), (10, Some("app"), Some("8080")));
    assert_eq!(port.default_value.as_deref(), Some("80"));
    let pw = by_id(&props, "admin_password");
    assert_eq!(pw.value.as_deref(), Some(PASSWORD), "vcsim keeps the value it was given");
    let hostname_key = tf.outputs()["hostname_key"].as_i64().expect("a key was chosen");
    assert_eq!(host.key, hostname_key);
    let mut keys: Vec<i64> = props.iter().map(|p| p.key).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), 3, "keys are distinct: {keys:?}");

    // Edit a value and a label in place, re-key a property, change the password.
    tf.write_main(&config(&sim, &vm, "web-2", 20, NEW_PASSWORD, true).replace("Host name", "Name of the host"));
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("0 to add, 3 to change, 0 to destroy"), "{plan}");
    assert!(!plan.contains(NEW_PASSWORD) && !plan.contains(PASSWORD), "{plan}");
    let out = logged_apply(&tf);
    assert!(!out.contains(NEW_PASSWORD) && !out.contains(PASSWORD), "a password shows in apply's output or log");
    tf.assert_no_changes();
    let props = vm_props(&sim, &vm);
    assert_eq!(props.len(), 3, "{props:?}");
    let host = by_id(&props, "hostname");
    assert_eq!((host.key, host.value.as_deref()), (hostname_key, Some("web-2")));
    assert_eq!(host.label.as_deref(), Some("Name of the host"));
    assert_eq!(by_id(&props, "port").key, 20);
    assert!(!props.iter().any(|p| p.key == 10), "the old key is gone");
    assert_eq!(by_id(&props, "admin_password").value.as_deref(), Some(NEW_PASSWORD));

    // Import, then plan: no changes.
    let adopted =
        Tf::new(&config(&sim, &vm, "web-2", 20, NEW_PASSWORD, false).replace("Host name", "Name of the host"));
    adopted.init();
    let err = adopted.fails(&["import", "-no-color", "vi_vapp_property.port", &format!("{vm}:999")]);
    assert!(err.contains("no vApp property with key 999"), "{err}");
    adopted.ok(&["import", "-no-color", "vi_vapp_property.hostname", &format!("{vm}:{hostname_key}")]);
    adopted.ok(&["import", "-no-color", "vi_vapp_property.port", &format!("{vm}:20")]);
    adopted.assert_no_changes();

    // Dropping a resource removes its property.
    tf.write_main(&config(&sim, &vm, "web-2", 20, NEW_PASSWORD, false).replace("Host name", "Name of the host"));
    tf.apply();
    tf.assert_no_changes();
    let props = vm_props(&sim, &vm);
    assert_eq!(props.len(), 2, "{props:?}");
    assert!(!props.iter().any(|p| p.id.as_deref() == Some("admin_password")));

    tf.destroy();
    assert!(vm_props(&sim, &vm).is_empty(), "every property is removed");
}

#[test]
fn bad_values_and_clashes_fail_at_plan_before_any_change() {
    let dir = tempfile::tempdir().expect("dir");
    let (sim, trace) = traced_vcsim(dir.path(), &[]);
    let vm = vm_id(&sim);
    let one = |body: &str| {
        provider_block(&sim.sdk_url(), "")
            + &format!("\nresource \"vi_vapp_property\" \"p\" {{\n  target_id   = \"{vm}\"\n{body}}}\n")
    };
    let cases: &[(&str, &[&str])] = &[
        (
            "  property_id = \"level\"\n  type        = \"int(0..255)\"\n  value       = \"300\"\n",
            &["Invalid vApp property", "`300`", "int(0..255)", "value       = \"300\""],
        ),
        (
            "  property_id = \"pw\"\n  type        = \"password\"\n  value       = \"hunter2-xyz\"\n",
            &["goes in sensitive_value", "value       = \"hunter2-xyz\""],
        ),
        (
            "  property_id = \"pw\"\n  type        = \"password(12..)\"\n  sensitive_value = \"tiny-pw\"\n",
            &["sensitive_value is not valid for type `password(12..)`", "shorter than"],
        ),
        ("  property_id = \"two words\"\n", &["white-space", "property_id = \"two words\""]),
        ("  property_id = \"x\"\n  type        = \"integer\"\n", &["unknown vApp property type `integer`"]),
    ];
    for (body, wants) in cases {
        let tf = Tf::new(&one(body));
        tf.init();
        let err = tf.fails(&["plan", "-no-color"]);
        for w in *wants {
            assert!(err.contains(w), "plan of\n{body}should mention {w:?}:\n{err}");
        }
        // Terraform quotes the configuration line; the provider's words never hold the value.
        let said: String = err.lines().filter(|l| !l.trim_start().starts_with(char::is_numeric)).collect();
        assert!(!said.contains("tiny-pw"), "{err}");
    }

    // A property that is already there (as an OVF would leave it): a new
    // resource with its key or its name is refused at plan, naming it.
    let target = ManagedObjectReference::new("VirtualMachine", &vm);
    let system = VAppPropertyInfo {
        key: 5,
        id: Some("vendor_id".into()),
        r#type: Some("string".into()),
        user_configurable: Some(false),
        value: Some("acme".into()),
        ..Default::default()
    };
    let (rt, c) = vi_check::client(&sim);
    let spec = VmConfigSpec { property: vec![VAppPropertySpec::add(system)], ..Default::default() };
    rt.block_on(c.update_vapp_options(&target, &spec, None)).expect("add a property in vcsim");
    let reconfigs = soap_calls(&trace, "ReconfigVM_Task");

    let tf = Tf::new(&one("  property_id = \"vendor_id\"\n  value       = \"other\"\n"));
    tf.init();
    let err = tf.fails(&["plan", "-no-color"]);
    assert!(err.contains("`vendor_id` (key 5) is already on") && err.contains(&format!("{vm}:5")), "{err}");
    assert!(err.contains("property_id = \"vendor_id\""), "{err}");
    tf.write_main(&one("  key         = 5\n  property_id = \"other\"\n"));
    let err = tf.fails(&["plan", "-no-color"]);
    assert!(err.contains("key 5 is used by both `vendor_id` and `other`"), "{err}");
    assert_eq!(soap_calls(&trace, "ReconfigVM_Task"), reconfigs, "nothing was changed");

    // Taken over by import and managed, user_configurable = false as it is.
    let managed = "  key               = 5\n  property_id       = \"vendor_id\"\n  user_configurable = false\n";
    tf.write_main(&one(&format!("{managed}  value             = \"acme\"\n")));
    tf.ok(&["import", "-no-color", "vi_vapp_property.p", &format!("{vm}:5")]);
    tf.assert_no_changes();
    tf.write_main(&one(&format!("{managed}  value             = \"globex\"\n")));
    tf.apply();
    tf.assert_no_changes();
    let props = vm_props(&sim, &vm);
    let p = by_id(&props, "vendor_id");
    assert_eq!((p.value.as_deref(), p.user_configurable), (Some("globex"), Some(false)));
    tf.destroy();
    assert!(vm_props(&sim, &vm).is_empty());
    let _ = rt.block_on(c.logout());
}

fn vapp_config(sim: &Vcsim, vapp: &str, tier: &str, key: i64, password: Option<&str>) -> String {
    let mut hcl = provider_block(&sim.sdk_url(), "")
        + &format!(
            r#"
resource "vi_vapp_property" "tier" {{
  target_id   = "{vapp}"
  key         = {key}
  property_id = "tier"
  label       = "Tier"
  type        = "string[\"web\", \"db\"]"
  value       = "{tier}"
}}
"#
        );
    if let Some(pw) = password {
        hcl += &format!(
            r#"
resource "vi_vapp_property" "admin_pw" {{
  target_id       = "{vapp}"
  property_id     = "admin_password"
  type            = "password(8..)"
  sensitive_value = "{pw}"
}}
"#
        );
    }
    hcl
}

/// Properties on a vApp go through UpdateVAppConfig: added, edited,
/// re-keyed and removed, a password among them; a running vApp refuses a
/// new property, and nothing is recorded.
#[test]
fn properties_on_a_vapp() {
    let sim = Vcsim::start(&["-app", "1"]);
    let (rt, c) = vi_check::client(&sim);
    let root = c.service_content().root_folder.clone();
    let vapps = rt.block_on(c.list_by_type(&root, "VirtualApp", &["name", "vm"])).expect("list vApps");
    let vapp = vapps.first().expect("vcsim -app 1 has a vApp").obj.clone();
    let vms = rt.block_on(c.read_vapp(&vapp)).expect("read vApp").expect("the vApp").vms;
    let before = options(&sim, &vapp);
    assert!(matches!(before, VAppOptions::Enabled(_)), "a vApp always has vApp options: {before:?}");

    let tf = Tf::new(&vapp_config(&sim, &vapp.value, "cache", 10, Some(PASSWORD))).env("TF_LOG_PROVIDER", "TRACE");
    tf.init();
    // The vApp's properties are read at plan: values are checked there.
    let err = tf.fails(&["plan", "-no-color"]);
    assert!(err.contains("`cache`") && err.contains("value       = \"cache\""), "{err}");
    tf.write_main(&vapp_config(&sim, &vapp.value, "web", 10, Some(PASSWORD)));
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains(&format!("\"{}:10\"", vapp.value)), "the id is known at plan:\n{plan}");

    // vcsim's vApp runs (its VMs are on): vSphere refuses to add a
    // property to a running vApp, and nothing changes.
    let err = tf.fails(&["apply", "-auto-approve", "-no-color"]);
    assert!(err.contains("InvalidState"), "{err}");
    assert!(!err.contains(PASSWORD), "the password shows in the error");
    assert_eq!(options(&sim, &vapp), before);
    assert!(tf.ok(&["state", "list"]).trim().is_empty(), "nothing is recorded");

    // Stopped, it takes them.
    for vm in &vms {
        rt.block_on(c.vm(vm).power_off(None)).expect("power a VM of the vApp off");
    }
    let _ = rt.block_on(c.logout());
    let out = logged_apply(&tf);
    assert!(!out.contains(PASSWORD), "the password shows in apply's output or the provider's log");
    tf.assert_no_changes();
    let props = options(&sim, &vapp).properties().to_vec();
    let tier = by_id(&props, "tier");
    assert_eq!((tier.key, tier.value.as_deref(), tier.label.as_deref()), (10, Some("web"), Some("Tier")));
    assert_eq!(tier.r#type.as_deref(), Some("string[\"web\", \"db\"]"));
    let pw = by_id(&props, "admin_password");
    assert_eq!(pw.r#type.as_deref(), Some("password(8..)"));
    assert_eq!(pw.value.as_deref(), Some(PASSWORD), "vcsim keeps the value it was given");

    // A new value, a new key, a new password: in place.
    tf.write_main(&vapp_config(&sim, &vapp.value, "db", 20, Some(NEW_PASSWORD)));
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("0 to add, 2 to change, 0 to destroy"), "{plan}");
    assert!(!plan.contains(NEW_PASSWORD) && !plan.contains(PASSWORD), "{plan}");
    let out = logged_apply(&tf);
    assert!(!out.contains(NEW_PASSWORD) && !out.contains(PASSWORD), "a password shows in apply's output or log");
    tf.assert_no_changes();
    let props = options(&sim, &vapp).properties().to_vec();
    let tier = by_id(&props, "tier");
    assert_eq!((tier.key, tier.value.as_deref()), (20, Some("db")));
    assert!(!props.iter().any(|p| p.key == 10), "the old key is gone: {props:?}");
    assert_eq!(by_id(&props, "admin_password").value.as_deref(), Some(NEW_PASSWORD));

    // Dropping a resource removes its property; destroy removes the rest.
    tf.write_main(&vapp_config(&sim, &vapp.value, "db", 20, None));
    tf.apply();
    tf.assert_no_changes();
    let props = options(&sim, &vapp).properties().to_vec();
    assert!(!props.iter().any(|p| p.id.as_deref() == Some("admin_password")), "{props:?}");
    tf.destroy();
    assert_eq!(options(&sim, &vapp), before, "the vApp is as it was");
}

#[test]
fn a_property_whose_vm_is_gone_is_dropped_from_state() {
    let sim = Vcsim::start(&[]);
    let vm = vm_id(&sim);
    let hcl = provider_block(&sim.sdk_url(), "")
        + &format!(
            "\nresource \"vi_vapp_property\" \"p\" {{\n  target_id   = \"{vm}\"\n  property_id = \"role\"\n  value       = \"db\"\n}}\n"
        );
    let tf = Tf::new(&hcl);
    tf.init_apply_replan();

    // Removed outside Terraform: the plan adds it again.
    let target = ManagedObjectReference::new("VirtualMachine", &vm);
    let key = by_id(&vm_props(&sim, &vm), "role").key;
    let (rt, c) = vi_check::client(&sim);
    let spec = VmConfigSpec { property: vec![VAppPropertySpec::remove(key)], ..Default::default() };
    rt.block_on(c.update_vapp_options(&target, &spec, None)).expect("remove in vcsim");
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("1 to add, 0 to change, 0 to destroy"), "{plan}");
    tf.apply();
    tf.assert_no_changes();

    // The VM destroyed outside Terraform: the property goes with it.
    rt.block_on(c.vm(&target).power_off(None)).expect("power off");
    rt.block_on(c.vm(&target).destroy(None)).expect("destroy VM");
    let _ = rt.block_on(c.logout());
    let plan = tf.ok(&["plan", "-no-color", "-refresh-only"]);
    assert!(plan.contains("has been deleted"), "{plan}");
    let err = tf.fails(&["plan", "-no-color"]);
    assert!(err.contains("VM or vApp not found") && err.contains(&vm), "{err}");
    tf.ok(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    assert!(tf.ok(&["state", "list"]).trim().is_empty());
}
