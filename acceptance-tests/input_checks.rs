//! Input that used to pass plan and fail at apply, or hang: refused at plan
//! on the attribute at fault, with nothing created in vcsim.
use std::time::Duration;

use crate::harness::diagnostics::{assert_error, errors};
use crate::harness::terraform::{Tf, provider_block, text};
use crate::harness::vcsim::{Vcsim, soap_calls, traced_vcsim};
use crate::vi_check;
use crate::vm::{Place, place, vm_count};

fn vm(name_hcl: &str, p: &Place, body: &str) -> String {
    format!(
        r#"
resource "vi_vm" "{name_hcl}" {{
  name             = "{name_hcl}"
  resource_pool_id = "{pool}"
  datastore_id     = "{ds}"
{body}
}}
"#,
        pool = p.pool,
        ds = p.datastore
    )
}

#[test]
fn bad_names_keys_disk_counts_and_numbers_fail_at_plan_on_their_attribute() {
    let sim = Vcsim::start(&[]);
    let p = place(&sim);
    let before = vm_count(&sim);
    let vm0 = vi_check::vms(&sim).into_iter().next().expect("a vcsim VM").0;
    let long = "a".repeat(81);
    let config = [
        provider_block(&sim.sdk_url(), ""),
        vm("nul_name", &p, "").replace("name             = \"nul_name\"", "name = \"a\\u0000b\""),
        vm("long_name", &p, "").replace("name             = \"long_name\"", &format!("name = \"{long}\"")),
        vm("empty_name", &p, "").replace("name             = \"empty_name\"", "name = \"\""),
        vm("bad_extra", &p, "  extra_config = {\n    \"bad key\" = \"x\"\n    \"guestinfo.esc\" = \"a\\u001b[2Jb\"\n  }"),
        vm(
            "many_disks",
            &p,
            "  dynamic \"disk\" {\n    for_each = range(16)\n    content {\n      label = \"d${disk.value}\"\n      size  = 1\n    }\n  }",
        ),
        vm("cpus", &p, "  num_cpus = 1e300"),
        vm("mem", &p, "  memory = 512.5"),
        format!(
            r#"
resource "vi_vapp_property" "key" {{
  target_id   = "{vm0}"
  key         = 9223372036854775808
  property_id = "p"
  type        = "string"
}}

resource "vi_vm_snapshot" "snap" {{
  vm_id = "{vm0}"
  name  = "  "
}}

resource "vi_vapp" "app" {{
  name             = "{long}"
  resource_pool_id = "{pool}"
}}

resource "vi_catalog" "lib" {{
  name         = "lib\u0007"
  datastore_id = "{ds}"
}}
"#,
            pool = p.pool,
            ds = p.datastore,
        ),
    ]
    .concat();
    let tf = Tf::new(&config);
    tf.init();
    let out = tf.fails(&["plan", "-no-color"]);
    assert_error(&out, "vi_vm.nul_name", &["Invalid name", "control character (U+0000)"]);
    assert_error(&out, "vi_vm.long_name", &["Invalid name", "81 characters", "at most 80"]);
    assert_error(&out, "vi_vm.empty_name", &["Invalid name", "empty"]);
    assert_error(&out, "vi_vm.bad_extra", &["Invalid extra_config key", "white space"]);
    assert_error(&out, "vi_vm.bad_extra", &["Invalid extra_config value", "guestinfo.esc", "U+001B"]);
    assert_error(&out, "vi_vm.many_disks", &["16 disks", "at most 15"]);
    assert_error(&out, "vi_vm.cpus", &["num_cpus = 1e+300", "whole number from"]);
    assert_error(&out, "vi_vm.mem", &["memory = 512.5", "whole number from"]);
    assert_error(&out, "vi_vapp_property.key", &["key = 9223372036854775808", "9223372036854775807"]);
    assert_error(&out, "vi_vm_snapshot.snap", &["Invalid name", "empty"]);
    assert_error(&out, "vi_vapp.app", &["Invalid name", "at most 80"]);
    assert_error(&out, "vi_catalog.lib", &["Invalid name", "U+0007"]);
    assert!(!out.contains("decoding into the typed state failed"), "{out}");
    assert_eq!(vm_count(&sim), before, "nothing was created");
}

#[test]
fn ids_of_objects_that_do_not_exist_fail_at_plan_on_their_attribute() {
    let sim = Vcsim::start(&[]);
    let p = place(&sim);
    let f = vi_check::facts(&sim);
    let before = vm_count(&sim);
    let body = format!(
        r#"
resource "vi_vm" "ghosts" {{
  name             = "ghosts"
  resource_pool_id = "resgroup-404"
  datastore_id     = "datastore-404"
  host_id          = "host-404"
  disk {{
    label = "os"
    size  = 1
  }}
  network_interface {{
    network_id = "{net}"
  }}
  network_interface {{
    network_id = "network-404"
  }}
}}

resource "vi_vm" "wrong_kind" {{
  name             = "wrong-kind"
  resource_pool_id = "{pool}"
  datastore_id     = "{ds}"
  host_id          = "{ds}"
}}

resource "vi_vapp" "app" {{
  name             = "app"
  resource_pool_id = "resgroup-404"
}}
"#,
        net = p.dvpg,
        pool = p.pool,
        ds = p.datastore,
    );
    let tf = Tf::new(&(provider_block(&sim.sdk_url(), "") + &body));
    tf.init();
    let out = tf.fails(&["plan", "-no-color"]);
    assert_error(&out, "vi_vm.ghosts", &["No such resource pool", "\"resgroup-404\""]);
    assert_error(&out, "vi_vm.ghosts", &["No such datastore", "\"datastore-404\""]);
    assert_error(&out, "vi_vm.ghosts", &["No such host", "\"host-404\""]);
    assert_error(&out, "vi_vm.ghosts", &["No such network", "\"network-404\""]);
    assert_error(&out, "vi_vm.wrong_kind", &["No such host", &format!("{:?}", p.datastore)]);
    assert_error(&out, "vi_vapp.app", &["No such resource pool", "\"resgroup-404\""]);
    // The port group that exists, and the right kinds, raise nothing.
    assert_eq!(errors(&out).len(), 6, "{out}");
    assert_eq!(vm_count(&sim), before, "nothing was created");

    // Real ids plan cleanly (a host, a port group: the check knows subtypes).
    let host = f.id("HostSystem", "DC0_H0");
    let good = body
        .replace("resgroup-404", &p.pool)
        .replace("datastore-404", &p.datastore)
        .replace("host-404", &host)
        .replace("network-404", &p.network)
        .replace(&format!("host_id          = \"{}\"", p.datastore), &format!("host_id = \"{host}\""));
    tf.write_main(&(provider_block(&sim.sdk_url(), "") + &good));
    tf.ok(&["plan", "-no-color"]);
}

/// The id checks of thirty new VMs share few PropertyCollector calls: the
/// plans' reads go through the batcher together.
#[test]
fn the_id_checks_of_thirty_new_vms_are_batched() {
    let dir = tempfile::tempdir().expect("dir");
    let (sim, trace) = traced_vcsim(dir.path(), &[]);
    let p = place(&sim);
    let host = vi_check::facts(&sim).id("HostSystem", "DC0_H0");
    let tf = Tf::new(&format!(
        r#"{provider}
resource "vi_vm" "many" {{
  count            = 30
  name             = "many-${{count.index}}"
  resource_pool_id = "{pool}"
  datastore_id     = "{ds}"
  host_id          = "{host}"
  network_interface {{
    network_id = "{net}"
  }}
}}
"#,
        provider = provider_block(&sim.sdk_url(), ""),
        pool = p.pool,
        ds = p.datastore,
        net = p.network,
    ));
    tf.init();
    let pc = |t: &std::path::Path| {
        soap_calls(t, "RetrievePropertiesEx")
            + soap_calls(t, "ContinueRetrievePropertiesEx")
            + soap_calls(t, "RetrieveProperties")
    };
    let before = pc(&trace);
    tf.ok(&["plan", "-no-color"]);
    let calls = pc(&trace) - before;
    // Unbatched, each plan would make its own call (30 at least); 7 were
    // measured, configure's reads included.
    assert!(calls <= 12, "planning 30 VMs took {calls} PropertyCollector calls");
    // And a missing id among them is still found.
    tf.write_main(&std::fs::read_to_string(tf.dir.path().join("main.tf")).unwrap().replace(&host, "host-404"));
    let out = tf.fails(&["plan", "-no-color"]);
    assert_error(&out, "vi_vm.many[29]", &["No such host", "host-404"]);
}

/// A FIFO as `source_file` used to hang `terraform plan` for ever (opening
/// it for reading waits for a writer). Now each of the three users of a
/// local file refuses it, and plan ends.
#[cfg(target_os = "linux")]
#[test]
fn a_fifo_as_source_file_fails_at_plan_instead_of_hanging() {
    let sim = Vcsim::start(&[]);
    let p = place(&sim);
    let tf = Tf::new("");
    let fifo = tf.dir.path().join("pipe.ova");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    // One plan each: a validation error in one would stop the others' plan.
    let cases = [
        (
            "vi_datastore_upload.iso",
            format!(
                "resource \"vi_datastore_upload\" \"iso\" {{\n  source_file  = \"pipe.ova\"\n  datastore_id = \"{}\"\n  \
                 path         = \"isos/a.iso\"\n}}\n",
                p.datastore
            ),
        ),
        (
            "vi_catalog_item.item",
            "resource \"vi_catalog_item\" \"item\" {\n  catalog_id  = \"lib-1\"\n  name        = \"item\"\n  \
             source_file = \"pipe.ova\"\n}\n"
                .to_owned(),
        ),
        ("data.vi_ovf.ovf", "data \"vi_ovf\" \"ovf\" {\n  path = \"pipe.ova\"\n}\n".to_owned()),
    ];
    for (i, (address, hcl)) in cases.iter().enumerate() {
        tf.write_main(&(provider_block(&sim.sdk_url(), "") + hcl));
        if i == 0 {
            tf.init();
        }
        let Some(out) = tf.run_within(&["plan", "-no-color"], Duration::from_secs(120)) else {
            // Release a provider stuck in open(2) before failing.
            let _ = std::fs::OpenOptions::new().write(true).open(&fifo);
            panic!("terraform plan of {address} did not end within 120 s with a FIFO as source_file");
        };
        assert!(!out.status.success(), "plan of {address} succeeded:\n{}", text(&out));
        assert_error(&text(&out), address, &["named pipe"]);
    }
}
