//! Reaching a vSphere whose certificate the system does not trust, without
//! `insecure`: a CA bundle (`ca_file` and its variables) or a pinned
//! thumbprint (`thumbprint`, `VI_TLS_THUMBPRINT`, govc's known_hosts). And
//! the warning for `http://`.
use crate::harness::terraform::{REQUIRED_PROVIDERS, Tf, text};
use crate::harness::test_ca::{TestCa, colon_hex};
use crate::harness::vcsim::Vcsim;

const DC_OUTPUT: &str =
    "\ndata \"vi_datacenter\" \"dc\" {}\n\noutput \"dc\" {\n  value = data.vi_datacenter.dc.name\n}\n";

/// A provider block with `url` and vcsim's credentials, plus `extra`.
fn config(url: &str, extra: &str) -> String {
    format!(
        "{REQUIRED_PROVIDERS}\nprovider \"vi\" {{\n  url      = \"{url}\"\n  user     = \"user\"\n  password = \"pass\"\n{extra}}}\n{DC_OUTPUT}"
    )
}

fn sdk(sim: &Vcsim) -> String {
    format!("https://{}/sdk", sim.addr)
}

/// `terraform plan` of `hcl` (with `env`) succeeds and reads DC0.
fn plans(hcl: &str, env: &[(&str, &str)]) -> String {
    let mut tf = Tf::new(hcl);
    for (k, v) in env {
        tf = tf.env(k, v);
    }
    tf.init();
    let out = tf.ok(&["plan", "-no-color"]);
    assert!(out.contains("DC0"), "{out}");
    out
}

/// `terraform plan` of `hcl` (with `env`) fails; returns its output.
fn plan_fails(hcl: &str, env: &[(&str, &str)]) -> String {
    let mut tf = Tf::new(hcl);
    for (k, v) in env {
        tf = tf.env(k, v);
    }
    tf.init();
    let err = tf.fails(&["plan", "-no-color"]);
    assert_eq!(err.matches("Error:").count(), 1, "{err}");
    assert!(!err.contains("panic"), "{err}");
    err
}

#[test]
fn ca_file_trusts_a_certificate_from_its_ca_and_keeps_host_names_checked() {
    let ca = TestCa::new(&["127.0.0.1"]);
    let sim = ca.vcsim(&[]);
    let ca_file = ca.ca_file().to_string_lossy().into_owned();

    // Not trusted by the system: a clear error that names the ways out.
    let err = plan_fails(&config(&sdk(&sim), ""), &[]);
    assert!(err.contains("certificate is not trusted"), "{err}");
    assert!(err.contains("ca_file") && err.contains("thumbprint"), "{err}");

    // The attribute, as a path and as PEM text; the environment variables.
    plans(&config(&sdk(&sim), &format!("  ca_file = \"{ca_file}\"\n")), &[]);
    plans(&config(&sdk(&sim), &format!("  ca_file = <<-EOT\n{}\n  EOT\n", ca.ca_pem.trim())), &[]);
    plans(&config(&sdk(&sim), ""), &[("VI_CA_FILE", &ca_file)]);
    let other = TestCa::new(&["127.0.0.1"]);
    let other_file = other.ca_file().to_string_lossy().into_owned();
    plans(&config(&sdk(&sim), ""), &[("GOVC_TLS_CA_CERTS", &format!("{other_file}:{ca_file}"))]);

    // Another CA's bundle: refused, on `ca_file`.
    let err = plan_fails(&config(&sdk(&sim), &format!("  ca_file = \"{other_file}\"\n")), &[]);
    assert!(err.contains("not trusted by the CA bundle"), "{err}");
    assert!(err.contains(&format!("ca_file = \"{other_file}\"")), "points at ca_file: {err}");

    // The right CA, but a host name the certificate does not name.
    let port = sim.addr.rsplit(':').next().unwrap_or_default();
    let err =
        plan_fails(&config(&format!("https://localhost:{port}/sdk"), &format!("  ca_file = \"{ca_file}\"\n")), &[]);
    assert!(err.contains("not trusted by the CA bundle"), "{err}");

    // A file that is not PEM: said at configure, on `ca_file`.
    let junk = sim_dir_file("junk.pem", "not a certificate");
    let err = plan_fails(&config(&sdk(&sim), &format!("  ca_file = \"{}\"\n", junk.1)), &[]);
    assert!(err.contains("Unusable CA bundle") && err.contains("no PEM certificate"), "{err}");
}

/// A file in a fresh temp dir; the dir lives as long as the returned guard.
fn sim_dir_file(name: &str, content: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, content).expect("write file");
    let p = path.to_string_lossy().into_owned();
    (dir, p)
}

#[test]
fn a_pinned_thumbprint_is_trusted_and_a_wrong_one_names_both() {
    let ca = TestCa::new(&["127.0.0.1"]);
    let sim = ca.vcsim(&[]);
    let sha256 = ca.sha256_thumbprint();
    let sha1 =
        colon_hex(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &ca.server_der).as_ref());

    // Neither the chain nor `insecure` is needed once the certificate is pinned.
    plans(&config(&sdk(&sim), &format!("  thumbprint = \"{sha256}\"\n")), &[]);
    plans(&config(&sdk(&sim), ""), &[("VI_TLS_THUMBPRINT", &sha1.to_ascii_lowercase())]);
    let known = sim_dir_file("known_hosts", &format!("# govc\nvc.example AA:BB\n{} {sha256}\n", sim.addr));
    plans(&config(&sdk(&sim), ""), &[("GOVC_TLS_KNOWN_HOSTS", &known.1)]);

    // A wrong pin: refused even with `insecure`, naming both thumbprints.
    let wrong = colon_hex(&[0xAB; 32]);
    let err = plan_fails(&config(&sdk(&sim), &format!("  thumbprint = \"{wrong}\"\n  insecure   = true\n")), &[]);
    assert!(err.contains("does not match the pinned thumbprint"), "{err}");
    assert!(err.contains(&wrong) && err.contains(&sha256), "names expected and presented: {err}");
    assert!(err.contains(&format!("thumbprint = \"{wrong}\"")), "points at thumbprint: {err}");
    let wrong_sha1 = colon_hex(&[0x01; 20]);
    let err = plan_fails(&config(&sdk(&sim), ""), &[("VI_TLS_THUMBPRINT", &wrong_sha1)]);
    assert!(err.contains(&wrong_sha1) && err.contains(&sha1), "SHA-1 pins compare SHA-1: {err}");

    // A malformed pin is caught before connecting.
    let err = plan_fails(&config(&sdk(&sim), "  thumbprint = \"AB:CD\"\n"), &[]);
    assert!(err.contains("neither a SHA-256"), "{err}");
}

#[test]
fn plain_http_warns_that_the_password_travels_in_clear() {
    let sim = Vcsim::start(&["-tls=false"]);
    for url in [format!("http://{}/sdk", sim.addr), format!("esx://{}?transport=http", sim.addr)] {
        let tf = Tf::new(&config(&url, ""));
        tf.init();
        let out = tf.run(&["plan", "-no-color"]);
        let all = text(&out);
        assert!(out.status.success(), "{all}");
        assert!(all.contains("Warning: Password sent in clear text"), "{url}: {all}");
        assert!(all.contains("clear text"), "{all}");
    }
    let tls = Vcsim::start(&[]);
    let tf = Tf::new(&config(&sdk(&tls), "  insecure = true\n"));
    tf.init();
    let out = tf.run(&["plan", "-no-color"]);
    assert!(!text(&out).contains("clear text"), "{}", text(&out));
}

#[test]
fn ca_file_covers_datastore_uploads_and_the_content_library() {
    let ca = TestCa::new(&["127.0.0.1"]);
    let sim = ca.vcsim(&[]);
    let ca_file = ca.ca_file().to_string_lossy().into_owned();
    let hcl = config(&sdk(&sim), &format!("  ca_file = \"{ca_file}\"\n"))
        + r#"
data "vi_datastore" "ds" {
  name = "LocalDS_0"
}

resource "vi_datastore_upload" "f" {
  source_file  = "f.bin"
  datastore_id = data.vi_datastore.ds.id
  path         = "tls/f.bin"
}

resource "vi_catalog" "lib" {
  name         = "tls-lib"
  datastore_id = data.vi_datastore.ds.id
}
"#;
    let tf = Tf::new(&hcl);
    std::fs::write(tf.dir.path().join("f.bin"), vec![7u8; 256 * 1024]).expect("write f.bin");
    tf.init_apply_replan();
    tf.destroy();
}
