//! scripts/release.sh's archives, installed as a user would: through a
//! packed `filesystem_mirror`, by the CLI under test (Terraform 1.0.3, or
//! OpenTofu with `TF_ACC_CLI=tofu`, which looks `local/vi` up under
//! registry.opentofu.org), then a plan against vcsim.
use std::path::PathBuf;
use std::process::Command;

use crate::harness::terraform::{Tf, platform, provider_block, registry_host};
use crate::harness::vcsim::Vcsim;

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-vi");
const VERSION: &str = env!("CARGO_PKG_VERSION");

fn sha256(path: &std::path::Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().expect("sha256sum");
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap_or_default().to_owned()
}

#[test]
fn release_archives_install_through_a_packed_mirror_and_plan() {
    let work = tempfile::tempdir().expect("dir");
    let dist = work.path().join("dist");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/release.sh");
    let out =
        Command::new(&script).args(["--binary", BIN, "--out"]).arg(&dist).output().expect("run scripts/release.sh");
    assert!(out.status.success(), "release.sh failed:\n{}", String::from_utf8_lossy(&out.stderr));

    // The registry layout: the zip, the checksums, the manifest.
    let zip = format!("terraform-provider-vi_{VERSION}_{}.zip", platform());
    let manifest = format!("terraform-provider-vi_{VERSION}_manifest.json");
    let sums = std::fs::read_to_string(dist.join(format!("terraform-provider-vi_{VERSION}_SHA256SUMS"))).expect("sums");
    for file in [&zip, &manifest] {
        let line = format!("{}  {file}", sha256(&dist.join(file)));
        assert!(sums.lines().any(|l| l == line), "{file} not summed as {line:?}:\n{sums}");
    }
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dist.join(&manifest)).expect("manifest")).expect("JSON");
    assert_eq!(m["version"], 1);
    assert_eq!(m["metadata"]["protocol_versions"], serde_json::json!(["5.0"]));
    let listing = Command::new("unzip").arg("-Z1").arg(dist.join(&zip)).output().expect("unzip");
    assert_eq!(String::from_utf8_lossy(&listing.stdout).trim(), format!("terraform-provider-vi_v{VERSION}"));

    // A packed mirror: HOST/NAMESPACE/TYPE/<the zip>, nothing unpacked.
    let mirror = work.path().join("mirror");
    let at = mirror.join(registry_host()).join("local/vi");
    std::fs::create_dir_all(&at).expect("mirror dir");
    std::fs::copy(dist.join(&zip), at.join(&zip)).expect("copy zip");
    let rc = work.path().join("cli.rc");
    std::fs::write(
        &rc,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"local/vi\"]\n  }}\n  direct {{\n    exclude = [\"local/vi\"]\n  }}\n}}\n",
            mirror.display()
        ),
    )
    .expect("CLI config");

    let sim = Vcsim::start(&[]);
    let tf = Tf::new(
        &(provider_block(&sim.sdk_url(), "")
            + "data \"vi_datacenter\" \"dc\" {}\noutput \"dc\" { value = data.vi_datacenter.dc.name }\n"),
    )
    .env("TF_CLI_CONFIG_FILE", &rc.to_string_lossy());
    let init = tf.ok(&["init", "-no-color"]);
    assert!(init.contains(&format!("local/vi v{VERSION}")), "installed from the archive:\n{init}");
    let lock = std::fs::read_to_string(tf.dir.path().join(".terraform.lock.hcl")).expect("lock file");
    assert!(lock.contains(&format!("{}/local/vi", registry_host())) && lock.contains("h1:"), "{lock}");
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("dc = \"DC0\""), "{plan}");
}
