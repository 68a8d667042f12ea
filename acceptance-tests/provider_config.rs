//! Where the provider's connection settings come from (attributes, URL forms,
//! each environment family) and the three ways connecting fails.
use crate::harness::terraform::{REQUIRED_PROVIDERS, Tf, provider_address};
use crate::harness::vcsim::Vcsim;

const DC_OUTPUT: &str = r#"
data "vi_datacenter" "dc" {}

output "dc" {
  value = data.vi_datacenter.dc.name
}
"#;

fn config(provider: &str) -> String {
    format!("{REQUIRED_PROVIDERS}\nprovider \"vi\" {{\n{provider}\n}}\n{DC_OUTPUT}")
}

/// vcsim that accepts only u/p, with two datacenters so "the only one"
/// fallback cannot hide which datacenter setting was used.
fn strict_sim() -> Vcsim {
    Vcsim::start(&["-username", "u", "-password", "p", "-dc", "2"])
}

fn addr_url(sim: &Vcsim) -> String {
    format!("https://{}/sdk", sim.addr)
}

fn applied_dc(tf: &Tf) -> String {
    tf.init_apply_replan();
    let dc = tf.outputs()["dc"].as_str().unwrap_or_default().to_owned();
    tf.destroy();
    dc
}

#[test]
fn vi_environment_variables() {
    let sim = strict_sim();
    let tf = Tf::new(&config(""))
        .env("VI_URL", &addr_url(&sim))
        .env("VI_USER", "u")
        .env("VI_PASSWORD", "p")
        .env("VI_INSECURE", "true")
        .env("VI_DATACENTER", "DC1");
    assert_eq!(applied_dc(&tf), "DC1");
}

#[test]
fn govc_environment_variables() {
    let sim = strict_sim();
    let tf = Tf::new(&config(""))
        .env("GOVC_URL", &addr_url(&sim))
        .env("GOVC_USERNAME", "u")
        .env("GOVC_PASSWORD", "p")
        .env("GOVC_INSECURE", "1")
        .env("GOVC_DATACENTER", "DC1");
    assert_eq!(applied_dc(&tf), "DC1");
}

#[test]
fn linuxkit_environment_variables() {
    let sim = strict_sim();
    // LinuxKit's VCURL carries the credentials; it has no variable for TLS.
    let tf = Tf::new(&config("  insecure = true"))
        .env("VCURL", &format!("https://u:p@{}/sdk", sim.addr))
        .env("VCDATACENTER", "DC1");
    assert_eq!(applied_dc(&tf), "DC1");
}

#[test]
fn vi_variables_win_over_govc_and_attributes_over_both() {
    let sim = strict_sim();
    let tf = Tf::new(&config("  insecure = true\n  datacenter = \"DC0\""))
        .env("VI_URL", &format!("https://u:p@{}/sdk", sim.addr))
        .env("GOVC_URL", "https://nobody:wrong@127.0.0.1:1/sdk")
        .env("VI_DATACENTER", "DC1");
    assert_eq!(applied_dc(&tf), "DC0");
}

#[test]
fn url_with_user_info_as_vcsim_prints_it() {
    let sim = strict_sim();
    let tf = Tf::new(&config(&format!(
        "  url = \"https://u:p@{}/sdk\"\n  insecure = true\n  datacenter = \"DC1\"",
        sim.addr
    )));
    assert_eq!(applied_dc(&tf), "DC1");
}

#[test]
fn libvirt_vpx_uri_names_the_datacenter() {
    let sim = strict_sim();
    let tf = Tf::new(&config(&format!("  url = \"vpx://u@{}/DC1/DC1_C0?no_verify=1\"\n  password = \"p\"", sim.addr)));
    assert_eq!(applied_dc(&tf), "DC1");
}

#[test]
fn libvirt_esx_uri_against_a_standalone_host() {
    let sim = Vcsim::start(&["-esx", "-username", "u", "-password", "p"]);
    let tf = Tf::new(&config(&format!("  url = \"esx://u@{}?no_verify=1\"\n  password = \"p\"", sim.addr)));
    // ESXi has exactly one datacenter, "ha-datacenter".
    assert_eq!(applied_dc(&tf), "ha-datacenter");
}

#[test]
fn wrong_password_is_one_clear_error() {
    let sim = strict_sim();
    let tf = Tf::new(&config(&format!(
        "  url = \"{}\"\n  user = \"u\"\n  password = \"wrong\"\n  insecure = true",
        addr_url(&sim)
    )));
    tf.init();
    let err = tf.fails(&["plan", "-no-color"]);
    assert!(err.contains("vSphere rejected the login"), "{err}");
    assert_eq!(err.matches("Error:").count(), 1, "{err}");
    assert!(!err.contains("panic"), "{err}");
}

#[test]
fn untrusted_certificate_names_insecure() {
    let sim = strict_sim();
    let tf = Tf::new(&config(&format!("  url = \"{}\"\n  user = \"u\"\n  password = \"p\"", addr_url(&sim))));
    tf.init();
    let err = tf.fails(&["plan", "-no-color"]);
    assert!(err.contains("certificate is not trusted"), "{err}");
    assert!(err.contains("insecure = true"), "{err}");
    assert_eq!(err.matches("Error:").count(), 1, "{err}");
}

#[test]
fn unreachable_host_is_one_clear_error() {
    // A port nothing listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(1);
    let tf = Tf::new(&config(&format!(
        "  url = \"https://127.0.0.1:{port}/sdk\"\n  user = \"u\"\n  password = \"p\"\n  insecure = true"
    )));
    tf.init();
    let err = tf.fails(&["plan", "-no-color"]);
    assert!(err.contains("Cannot reach vSphere"), "{err}");
    assert_eq!(err.matches("Error:").count(), 1, "{err}");
}

#[test]
fn malformed_url_fails_validation_on_the_url_attribute() {
    let tf = Tf::new(&config("  url = \"vpx://\"\n  user = \"u\"\n  password = \"p\""));
    tf.init();
    let err = tf.fails(&["validate", "-no-color"]);
    assert!(err.contains("Invalid vSphere URL"), "{err}");
    assert!(err.contains("url = \"vpx://\""), "diagnostic should point at the url line:\n{err}");
}

#[test]
fn schema_lists_the_provider_and_its_data_sources() {
    let tf = Tf::new(&config(""));
    tf.init();
    let schema: serde_json::Value =
        serde_json::from_str(&tf.ok(&["providers", "schema", "-json"])).expect("providers schema -json");
    let p = &schema["provider_schemas"][provider_address().as_str()];
    assert!(p["provider"]["block"]["attributes"]["password"]["sensitive"].as_bool() == Some(true), "{p}");
    for ds in
        ["vi_datacenter", "vi_datastore", "vi_network", "vi_resource_pool", "vi_host", "vi_folder", "vi_vm", "vi_ovf"]
    {
        assert!(p["data_source_schemas"].get(ds).is_some(), "{ds} missing from {p}");
    }
}

#[test]
fn traffic_goes_through_the_proxy_attribute() {
    let sim = strict_sim();
    let proxy = crate::harness::connect_proxy::ConnectProxy::start();
    let tf = Tf::new(&config(&format!(
        "  url = \"{}\"\n  user = \"u\"\n  password = \"p\"\n  insecure = true\n  datacenter = \"DC1\"\n  proxy = \"http://{}\"",
        addr_url(&sim),
        proxy.addr
    )));
    assert_eq!(applied_dc(&tf), "DC1");
    assert!(proxy.tunnels() > 0, "the proxy saw no traffic");
}

/// Every SOCKS flavour libvirt's `proxy=` accepts carries the traffic:
/// `socks` and `socks5` through SOCKS5 tunnels, `socks4` and `socks4a`
/// through SOCKS4 ones.
#[test]
fn socks_proxies_of_every_kind_carry_the_traffic() {
    let sim = strict_sim();
    let proxy = crate::harness::socks_proxy::SocksProxy::start();
    for scheme in ["socks5", "socks", "socks4", "socks4a"] {
        let (v4, v5) = (proxy.socks4_tunnels(), proxy.socks5_tunnels());
        let tf = Tf::new(&config(&format!(
            "  url = \"{}\"\n  user = \"u\"\n  password = \"p\"\n  insecure = true\n  datacenter = \"DC1\"\n  proxy = \"{scheme}://{}\"",
            addr_url(&sim),
            proxy.addr
        )));
        assert_eq!(applied_dc(&tf), "DC1", "{scheme}");
        let (d4, d5) = (proxy.socks4_tunnels() - v4, proxy.socks5_tunnels() - v5);
        if scheme.starts_with("socks4") {
            assert!(d4 > 0 && d5 == 0, "{scheme}: {d4} SOCKS4 and {d5} SOCKS5 tunnels");
        } else {
            assert!(d5 > 0 && d4 == 0, "{scheme}: {d4} SOCKS4 and {d5} SOCKS5 tunnels");
        }
    }
}

/// Datastore transfers take the proxy too, not only SOAP: the upload's
/// bytes pass through the tunnel.
#[test]
fn datastore_uploads_go_through_the_proxy() {
    let sim = Vcsim::start(&[]);
    let proxy = crate::harness::connect_proxy::ConnectProxy::start();
    let files = tempfile::tempdir().expect("source dir");
    let blob = files.path().join("via-proxy.bin");
    const SIZE: usize = 4 * 1024 * 1024;
    std::fs::write(&blob, vec![3u8; SIZE]).expect("write blob");
    let ds = crate::vi_check::facts(&sim).id("Datastore", "LocalDS_0");
    let tf = Tf::new(
        &(crate::harness::terraform::provider_block(&sim.sdk_url(), &format!("  proxy = \"http://{}\"\n", proxy.addr))
            + &format!(
                "resource \"vi_datastore_upload\" \"f\" {{\n  source_file  = \"{}\"\n  datastore_id = \"{ds}\"\n  path         = \"proxied/f.bin\"\n}}\n",
                blob.display()
            )),
    );
    tf.init_apply_replan();
    let (rt, c) = crate::vi_check::client(&sim);
    let size = rt.block_on(c.datastore_file_info("DC0", "LocalDS_0", "proxied/f.bin")).expect("HEAD");
    assert_eq!(size, Some(SIZE as u64));
    assert!(proxy.bytes_sent() >= SIZE as u64, "only {} bytes went through the proxy", proxy.bytes_sent());
    tf.destroy();
}

#[test]
fn proxy_from_the_libvirt_url_and_from_vi_proxy() {
    let sim = strict_sim();
    let proxy = crate::harness::connect_proxy::ConnectProxy::start();
    let tf = Tf::new(&config(&format!(
        "  url = \"vpx://u@{}/DC1?no_verify=1&proxy=http://{}\"\n  password = \"p\"",
        sim.addr, proxy.addr
    )));
    assert_eq!(applied_dc(&tf), "DC1");
    let via_url = proxy.tunnels();
    assert!(via_url > 0, "the proxy saw no traffic from the URL's proxy=");

    let tf = Tf::new(&config(""))
        .env("VI_URL", &format!("https://u:p@{}/sdk", sim.addr))
        .env("VI_INSECURE", "1")
        .env("VI_DATACENTER", "DC1")
        .env("VI_PROXY", &format!("http://{}", proxy.addr));
    assert_eq!(applied_dc(&tf), "DC1");
    assert!(proxy.tunnels() > via_url, "the proxy saw no traffic from VI_PROXY");
}

#[test]
fn a_bad_proxy_fails_validation() {
    let tf = Tf::new(&config(
        "  url = \"https://127.0.0.1:1/sdk\"\n  user = \"u\"\n  password = \"p\"\n  proxy = \"ftp://x\"",
    ));
    tf.init();
    let err = tf.fails(&["validate", "-no-color"]);
    assert!(err.contains("Invalid proxy") && err.contains("proxy = \"ftp://x\""), "{err}");
}
