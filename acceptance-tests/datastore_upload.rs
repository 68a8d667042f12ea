//! `vi_datastore_upload` against vcsim: upload, replacement on new content,
//! re-upload after deletion outside Terraform, import, destroy, plan-time
//! errors, a VM booting from the upload, and flat provider memory during a
//! 1 GiB upload.
use std::path::Path;

use sha2::{Digest, Sha256};
use terraform_provider_vi::vi::object::vm::{VM_PROPS, VmInfo};
use terraform_provider_vi::vi::object::vm_device::Backing;
use terraform_provider_vi::vi::{Client, ManagedObjectReference};

use crate::harness::terraform::{Tf, provider_block, text};
use crate::harness::vcsim::{Vcsim, soap_calls, traced_vcsim};
use crate::vi_check;

const DS: &str = "LocalDS_0";

/// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
fn random_bytes(len: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        out.extend_from_slice(&seed.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn sha256_hex(data: &[u8]) -> String {
    format!("{:x}", Sha256::digest(data))
}

/// The file's bytes as vcsim serves them, by a plain GET of its `/folder`
/// URL (not through the provider's own code); None when absent.
fn datastore_file(sim: &Vcsim, path: &str) -> Option<Vec<u8>> {
    let (rt, c) = vi_check::client(sim);
    rt.block_on(async {
        let url = c.datastore_file_url("DC0", DS, path).unwrap();
        let resp = c.http_client().get(url).header("Cookie", c.session_cookie().unwrap()).send().await.unwrap();
        match resp.status().as_u16() {
            404 => None,
            200 => Some(resp.bytes().await.unwrap().to_vec()),
            s => panic!("GET {path} answered {s}"),
        }
    })
}

fn with_client<T>(sim: &Vcsim, f: impl AsyncFnOnce(&Client, ManagedObjectReference) -> T) -> T {
    let (rt, c) = vi_check::client(sim);
    rt.block_on(async {
        let dc = c.find_by_inventory_path("DC0").await.unwrap().expect("DC0");
        f(&c, dc).await
    })
}

fn upload_hcl(sim: &Vcsim, ds_id: &str, source: &str, path: &str) -> String {
    upload_resource(sim, ds_id, source, path)
        + r#"
output "upload" {
  value = vi_datastore_upload.iso
}
"#
}

/// The resource alone, without outputs (an import records no outputs, so a
/// plan would show them as new).
fn upload_resource(sim: &Vcsim, ds_id: &str, source: &str, path: &str) -> String {
    provider_block(&sim.sdk_url(), "")
        + &format!(
            r#"
resource "vi_datastore_upload" "iso" {{
  source_file  = "{source}"
  datastore_id = "{ds_id}"
  path         = "{path}"
}}
"#
        )
}

fn write(dir: &Path, name: &str, data: &[u8]) {
    std::fs::write(dir.join(name), data).unwrap();
}

#[test]
fn upload_replace_reupload_import_and_destroy() {
    let sim = Vcsim::start(&[]);
    let ds_id = vi_check::facts(&sim).id("Datastore", DS);
    let path = "uploads/linuxkit/image é.iso";
    let tf = Tf::new(&upload_hcl(&sim, &ds_id, "image.iso", path));
    let first = random_bytes(3 * 1024 * 1024 + 77, 1);
    write(tf.dir.path(), "image.iso", &first);

    // The plan already knows the content it will upload.
    tf.init();
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains(&format!("\"{}\"", sha256_hex(&first))), "{plan}");
    assert!(plan.contains(&format!("\"[{DS}] {path}\"")), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    let out = &tf.outputs()["upload"];
    assert_eq!(out["id"], format!("{ds_id}:{path}"));
    assert_eq!(out["datastore_path"], format!("[{DS}] {path}"));
    assert_eq!(out["size"], first.len() as u64);
    assert_eq!(out["sha256"], sha256_hex(&first));
    assert_eq!(out["create_directories"], true);
    let back = datastore_file(&sim, path).expect("the file is on the datastore");
    assert_eq!(sha256_hex(&back), sha256_hex(&first));

    // New local content: a replacement, then the new bytes on the datastore.
    let second = random_bytes(2 * 1024 * 1024, 2);
    write(tf.dir.path(), "image.iso", &second);
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("must be replaced") && plan.contains("# forces replacement"), "{plan}");
    assert!(plan.contains(&sha256_hex(&second)), "the new hash is in the plan:\n{plan}");
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(datastore_file(&sim, path).map(|b| sha256_hex(&b)), Some(sha256_hex(&second)));
    assert_eq!(tf.outputs()["upload"]["size"], second.len() as u64);

    // Deleted on the datastore outside Terraform: the plan uploads it again.
    let dp = format!("[{DS}] {path}");
    with_client(&sim, async |c, dc| c.delete_datastore_file(&dc, &dp).await.unwrap());
    assert_eq!(datastore_file(&sim, path), None);
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("will be created") && plan.contains("1 to add, 0 to change, 0 to destroy"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(datastore_file(&sim, path).map(|b| sha256_hex(&b)), Some(sha256_hex(&second)));

    // Cut short outside Terraform (another size): uploaded again as well.
    with_client(&sim, async |c, _| {
        let short = tf.dir.path().join("short.bin");
        std::fs::write(&short, b"short").unwrap();
        c.upload_file("DC0", DS, path, &short, |_| {}).await.unwrap();
    });
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("will be created"), "{plan}");
    tf.apply();
    tf.assert_no_changes();

    // Another local file with the same content: an update that uploads nothing.
    write(tf.dir.path(), "copy.iso", &second);
    tf.write_main(&upload_hcl(&sim, &ds_id, "copy.iso", path));
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("updated in-place") && !plan.contains("replaced"), "{plan}");
    tf.apply();
    tf.assert_no_changes();

    // Import, by id and by datastore path, in another working directory.
    for (id, changes) in [
        (format!("{ds_id}:{path}|copy.iso"), false),
        (format!("[{DS}] {path}|copy.iso"), false),
        // Without the local file in the id, only `source_file` is new.
        (format!("[{DS}] {path}"), true),
    ] {
        let other = Tf::new(&upload_resource(&sim, &ds_id, "copy.iso", path));
        write(other.dir.path(), "copy.iso", &second);
        other.init();
        other.ok(&["import", "-no-color", "vi_datastore_upload.iso", &id]);
        if changes {
            let plan = other.ok(&["plan", "-no-color"]);
            assert!(plan.contains("0 to add, 1 to change, 0 to destroy"), "{plan}");
            assert!(plan.contains("+ source_file"), "{plan}");
        } else {
            other.assert_no_changes();
        }
        let state = other.show();
        let values = &state["values"]["root_module"]["resources"][0]["values"];
        assert_eq!(values["sha256"], sha256_hex(&second), "import hashes the datastore copy");
        assert_eq!(values["id"], format!("{ds_id}:{path}"));
        // Both directories manage the same file: let only `tf` delete it.
        other.ok(&["state", "rm", "-no-color", "vi_datastore_upload.iso"]);
    }
    // An imported copy that differs from the local file plans a replacement.
    let other = Tf::new(&upload_resource(&sim, &ds_id, "image.iso", path));
    write(other.dir.path(), "image.iso", &first);
    other.init();
    other.ok(&["import", "-no-color", "vi_datastore_upload.iso", &format!("{ds_id}:{path}|image.iso")]);
    let plan = other.ok(&["plan", "-no-color"]);
    assert!(plan.contains("must be replaced"), "{plan}");
    other.ok(&["state", "rm", "-no-color", "vi_datastore_upload.iso"]);
    let err = other.fails(&["import", "-no-color", "vi_datastore_upload.iso", &format!("{ds_id}:nope/none.iso")]);
    assert!(err.contains("no file") && err.contains("nope/none.iso"), "{err}");

    // Destroy deletes the file; its directory stays.
    tf.destroy();
    assert_eq!(datastore_file(&sim, path), None);
    // (Deleting it succeeds only if it is there.)
    let dir = with_client(&sim, async |c, dc| c.delete_datastore_file(&dc, "[LocalDS_0] uploads/linuxkit").await);
    assert!(dir.is_ok(), "directories are left in place: {dir:?}");
}

#[test]
fn create_directories_calls_make_directory_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, trace) = traced_vcsim(dir.path(), &[]);
    let ds_id = vi_check::facts(&sim).id("Datastore", DS);
    let hcl = |path: &str, create: &str| {
        upload_hcl(&sim, &ds_id, "a.bin", path)
            .replace("  path         =", &format!("  create_directories = {create}\n  path         ="))
    };
    let tf = Tf::new(&hcl("flat/a.bin", "false"));
    write(tf.dir.path(), "a.bin", b"tiny");
    tf.init_apply_replan();
    assert_eq!(datastore_file(&sim, "flat/a.bin").as_deref(), Some(&b"tiny"[..]));
    assert_eq!(soap_calls(&trace, "MakeDirectory"), 0);

    tf.write_main(&hcl("deep/er/a.bin", "true"));
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(soap_calls(&trace, "MakeDirectory"), 1);
    assert_eq!(datastore_file(&sim, "flat/a.bin"), None, "the replaced upload was deleted");

    // Only the setting changes: an update that touches nothing.
    tf.write_main(&hcl("deep/er/a.bin", "false"));
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("0 to add, 1 to change, 0 to destroy"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    tf.destroy();
    assert_eq!(datastore_file(&sim, "deep/er/a.bin"), None);
}

#[test]
fn missing_file_and_bad_paths_fail_at_plan_on_their_attribute() {
    let sim = Vcsim::start(&[]);
    let ds_id = vi_check::facts(&sim).id("Datastore", DS);
    let cases: &[(&str, &str, &[&str])] = &[
        ("nope.iso", "iso/a.iso", &["source_file  = \"nope.iso\"", "nope.iso", "Cannot read the file to upload"]),
        ("ok.iso", "../etc/passwd", &["path         = \"../etc/passwd\"", "`..`"]),
        ("ok.iso", "iso/../../x.iso", &["path         = \"iso/../../x.iso\"", "`..`"]),
        ("ok.iso", "/abs.iso", &["path         = \"/abs.iso\"", "absolute"]),
        ("ok.iso", "", &["path         = \"\"", "empty"]),
        ("ok.iso", "dir\\\\a.iso", &["path", "separate directories with `/`"]),
    ];
    for (source, path, wants) in cases {
        let tf = Tf::new(&upload_hcl(&sim, &ds_id, source, path));
        write(tf.dir.path(), "ok.iso", b"ok");
        tf.init();
        let err = tf.fails(&["plan", "-no-color"]);
        for w in *wants {
            assert!(err.contains(w), "plan with source {source:?}, path {path:?} should mention {w:?}:\n{err}");
        }
    }
    // A datastore that does not exist fails at plan too.
    let tf = Tf::new(&upload_hcl(&sim, "datastore-999", "ok.iso", "a.iso"));
    write(tf.dir.path(), "ok.iso", b"ok");
    tf.init();
    let err = tf.fails(&["plan", "-no-color"]);
    assert!(err.contains("Datastore not found") && err.contains("datastore_id = \"datastore-999\""), "{err}");
}

#[test]
fn a_vm_boots_from_the_uploaded_image() {
    let sim = Vcsim::start(&[]);
    let f = vi_check::facts(&sim);
    let hcl = format!(
        r#"{provider}
resource "vi_datastore_upload" "iso" {{
  source_file  = "boot.iso"
  datastore_id = "{ds}"
  path         = "linuxkit/boot.iso"
}}

resource "vi_vm" "vm" {{
  name             = "from-iso"
  resource_pool_id = "{pool}"
  datastore_id     = "{ds}"
  cdrom {{
    datastore_path = vi_datastore_upload.iso.datastore_path
  }}
}}

output "vm" {{ value = vi_vm.vm.id }}
"#,
        provider = provider_block(&sim.sdk_url(), ""),
        ds = f.id("Datastore", DS),
        pool = f.prop("ComputeResource", "DC0_H0", "resourcePool"),
    );
    let tf = Tf::new(&hcl);
    write(tf.dir.path(), "boot.iso", &random_bytes(64 * 1024, 3));
    tf.init_apply_replan();
    let vm = tf.outputs()["vm"].as_str().unwrap_or_default().to_owned();
    let (rt, c) = vi_check::client(&sim);
    let objs = rt.block_on(c.retrieve(&[ManagedObjectReference::new("VirtualMachine", &vm)], VM_PROPS)).unwrap();
    let info = VmInfo::from_content(&objs[0]);
    let iso = info.devices.iter().find_map(|d| match &d.backing {
        Backing::Iso { file_name, .. } => Some(file_name.clone()),
        _ => None,
    });
    assert_eq!(iso.as_deref(), Some("[LocalDS_0] linuxkit/boot.iso"));
    tf.destroy();
    assert_eq!(datastore_file(&sim, "linuxkit/boot.iso"), None);
}

// ------------------------------------------------------------ memory

/// Highest resident set (VmHWM, KiB) any `terraform-provider-vi` process
/// carrying `tag` in its environment reached while `run` ran, sampled.
fn provider_peak_rss_kib(tag: &str, run: impl FnOnce()) -> u64 {
    let done = std::sync::atomic::AtomicBool::new(false);
    let peak = std::sync::Mutex::new(0u64);
    std::thread::scope(|s| {
        s.spawn(|| {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                for hwm in tagged_providers_hwm(tag) {
                    let mut p = peak.lock().unwrap();
                    *p = (*p).max(hwm);
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        });
        run();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    peak.into_inner().unwrap()
}

fn tagged_providers_hwm(tag: &str) -> Vec<u64> {
    let Ok(procs) = std::fs::read_dir("/proc") else { return Vec::new() };
    procs
        .flatten()
        .filter_map(|p| {
            let dir = p.path();
            let exe = std::fs::read_link(dir.join("exe")).ok()?;
            if !exe.to_string_lossy().contains("terraform-provider-vi") {
                return None;
            }
            let env = std::fs::read(dir.join("environ")).ok()?;
            if !env.split(|b| *b == 0).any(|kv| kv == tag.as_bytes()) {
                return None;
            }
            let status = std::fs::read_to_string(dir.join("status")).ok()?;
            let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .collect()
}

/// A 1 GiB upload costs the provider no more memory than a 1 MiB one (give
/// or take a few MiB): the file is hashed and sent in fixed-size pieces.
#[test]
fn a_1_gib_upload_keeps_provider_memory_flat() {
    const GIB: u64 = 1024 * 1024 * 1024;
    let sim = Vcsim::start(&[]);
    let ds_id = vi_check::facts(&sim).id("Datastore", DS);
    let mut peaks = Vec::new();
    for (name, size) in [("small", 1024 * 1024), ("big", GIB)] {
        let tag = format!("VI_TEST_RSS_TAG={name}-{}", std::process::id());
        let (k, v) = tag.split_once('=').unwrap();
        let tf = Tf::new(&upload_hcl(&sim, &ds_id, "disk.img", &format!("rss/{name}.img"))).env(k, v);
        // Sparse: the test itself holds none of it.
        std::fs::File::create(tf.dir.path().join("disk.img")).unwrap().set_len(size).unwrap();
        tf.init();
        let started = std::time::Instant::now();
        let peak = provider_peak_rss_kib(&tag, || {
            let out = tf.run(&["apply", "-auto-approve", "-no-color"]);
            assert!(out.status.success(), "{}", text(&out));
        });
        println!("{name}: {size} bytes, provider peak RSS {peak} KiB, {:.1}s", started.elapsed().as_secs_f64());
        assert!(peak > 0, "the provider process was not found");
        assert_eq!(tf.outputs()["upload"]["size"], size);
        peaks.push(peak);
        tf.destroy();
    }
    let growth = peaks[1].saturating_sub(peaks[0]);
    assert!(growth < 8 * 1024, "a 1 GiB upload raised the provider's peak RSS by {growth} KiB ({peaks:?})");
}
