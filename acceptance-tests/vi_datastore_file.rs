//! Datastore file transfers and FileManager calls of the `vi` client
//! against a real vcsim (no Terraform involved).

use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;
use terraform_provider_vi::vi::FaultKind;

use sha2::{Digest, Sha256};
use terraform_provider_vi::vi::{Client, ClientConfig, ManagedObjectReference, Progress, ViError};

use crate::harness::vcsim::Vcsim;

const DS: &str = "LocalDS_0";

async fn connect(sim: &Vcsim) -> Client {
    let cfg = ClientConfig {
        url: url::Url::parse(&sim.sdk_url()).expect("sdk url"),
        user: sim.user(),
        password: sim.password(),
        insecure: true,
        timeout: Duration::from_secs(30),
    };
    Client::connect(cfg).await.expect("connect to vcsim")
}

async fn datacenter(client: &Client) -> ManagedObjectReference {
    client.find_by_inventory_path("DC0").await.unwrap().expect("DC0")
}

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
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// GET of the same `/folder` URL the upload used, with the session cookie.
async fn download(client: &Client, path: &str) -> Vec<u8> {
    let url = client.datastore_file_url("DC0", DS, path).unwrap();
    let resp = client.http_client().get(url).header("Cookie", client.session_cookie().unwrap()).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    resp.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn upload_check_and_delete_a_file() {
    let sim = Vcsim::start(&[]);
    let client = connect(&sim).await;
    let dc = datacenter(&client).await;

    // Spaces and non-ASCII in directory and file names.
    client.make_directory(&dc, "[LocalDS_0] up load/ünï", true).await.unwrap();
    client.make_directory(&dc, "[LocalDS_0] up load/ünï", true).await.expect("an existing directory is fine");
    let err = client.make_directory(&dc, "[LocalDS_0] a/b/c", false).await.unwrap_err();
    assert_eq!(err.fault_kind(), Some(&FaultKind::FileNotFound), "no parents without create_parents: {err}");

    let dir = tempfile::tempdir().unwrap();
    let data = random_bytes(3 * 1024 * 1024 + 123, 0x9e37_79b9_7f4a_7c15);
    let source = dir.path().join("my file é.bin");
    std::fs::File::create(&source).unwrap().write_all(&data).unwrap();
    let path = "up load/ünï/my file é #1.bin";

    assert_eq!(client.datastore_file_info("DC0", DS, path).await.unwrap(), None);

    let seen: Mutex<Vec<Progress>> = Mutex::new(Vec::new());
    let result = client.upload_file("DC0", DS, path, &source, |p| seen.lock().unwrap().push(p)).await.expect("upload");
    assert_eq!(result.size, data.len() as u64);
    assert_eq!(result.sha256, sha256_hex(&data));
    let last = *seen.lock().unwrap().last().expect("progress was reported");
    assert_eq!((last.bytes_sent, last.total), (data.len() as u64, data.len() as u64));

    let back = download(&client, path).await;
    assert_eq!(back.len(), data.len());
    assert_eq!(sha256_hex(&back), result.sha256);
    assert_eq!(client.datastore_file_info("DC0", DS, path).await.unwrap(), Some(data.len() as u64));
    let digest = client.datastore_file_digest("DC0", DS, path).await.unwrap().expect("digest of the upload");
    assert_eq!((digest.size, digest.sha256), (result.size, result.sha256.clone()));
    assert_eq!(client.datastore_file_digest("DC0", DS, "up load/none.bin").await.unwrap(), None);

    // Uploading again replaces the file.
    let smaller = random_bytes(1000, 7);
    std::fs::write(&source, &smaller).unwrap();
    let again = client.upload_file("DC0", DS, path, &source, |_| {}).await.unwrap();
    assert_eq!((again.size, again.sha256.clone()), (1000, sha256_hex(&smaller)));
    assert_eq!(download(&client, path).await, smaller);

    client.delete_datastore_file(&dc, "[LocalDS_0] up load/ünï/my file é #1.bin").await.expect("delete");
    assert_eq!(client.datastore_file_info("DC0", DS, path).await.unwrap(), None, "deleted files are detected");
    let err = client.delete_datastore_file(&dc, "[LocalDS_0] up load/ünï/my file é #1.bin").await.unwrap_err();
    assert_eq!(err.fault_kind(), Some(&FaultKind::FileNotFound), "{err}");
    // A directory goes with its contents.
    client.delete_datastore_file(&dc, "[LocalDS_0] up load").await.unwrap();
    assert_eq!(client.datastore_file_info("DC0", DS, "up load").await.unwrap(), None);
}

#[tokio::test]
async fn missing_datastore_datacenter_or_source_are_clear_errors() {
    let sim = Vcsim::start(&[]);
    let client = connect(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("small.bin");
    std::fs::write(&source, random_bytes(4 * 1024 * 1024, 3)).unwrap();

    let err = client.upload_file("DC0", "NoSuchDS", "x/small.bin", &source, |_| {}).await.unwrap_err();
    let ViError::NotFound { what } = &err else { panic!("expected NotFound, got {err:?}") };
    assert!(what.contains("NoSuchDS") && what.contains("DC0"), "{err}");

    let err = client.upload_file("NoSuchDC", DS, "x/small.bin", &source, |_| {}).await.unwrap_err();
    assert!(matches!(&err, ViError::NotFound { what } if what.contains("NoSuchDC")), "{err:?}");

    let missing = dir.path().join("nope.iso");
    let err = client.upload_file("DC0", DS, "x/nope.iso", &missing, |_| {}).await.unwrap_err();
    assert!(matches!(&err, ViError::LocalFile { path, .. } if path.ends_with("nope.iso")), "{err:?}");

    let err = client.upload_file("DC0", DS, "../etc/passwd", &source, |_| {}).await.unwrap_err();
    assert!(matches!(err, ViError::Config(_)), "{err:?}");

    // A task error carries the fault type: the datastore is unknown to the
    // FileManager too.
    let dc = datacenter(&client).await;
    let err = client.delete_datastore_file(&dc, "[NoSuchDS] x").await.unwrap_err();
    assert!(err.fault_kind().is_some(), "{err:?}");
}

/// Name of the test below, for re-running it alone in a child process.
const FLAT_MEMORY_TEST: &str = "vi_datastore_file::large_upload_keeps_memory_flat";
const CHILD_ENV: &str = "VI_TEST_RSS_CHILD";

/// The RSS is measured in a child process running only this test: in this
/// process, tests running in parallel would move it.
#[tokio::test]
async fn large_upload_keeps_memory_flat() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return measure_large_upload().await;
    }
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args([FLAT_MEMORY_TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, "1")
        .output()
        .unwrap();
    let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "child failed:\n{text}");
    assert!(text.contains("rss growth"), "the child did not run the measurement:\n{text}");
}

fn vm_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

async fn measure_large_upload() {
    const SIZE: u64 = 200 * 1024 * 1024;
    let sim = Vcsim::start(&[]);
    let client = connect(&sim).await;
    let dir = tempfile::tempdir().unwrap();

    // Warm up: connection, TLS and allocator pools exist before measuring.
    let warm = dir.path().join("warm.bin");
    std::fs::write(&warm, random_bytes(4 * 1024 * 1024, 11)).unwrap();
    client.upload_file("DC0", DS, "big/warm.bin", &warm, |_| {}).await.unwrap();

    // 200 MiB, sparse: nothing of it is in this process's memory.
    let big = dir.path().join("big.img");
    std::fs::File::create(&big).unwrap().set_len(SIZE).unwrap();
    let before = vm_rss_kib();
    let started = std::time::Instant::now();
    let calls = Mutex::new(0u32);
    let result = client
        .upload_file("DC0", DS, "big/big.img", &big, |_| *calls.lock().unwrap() += 1)
        .await
        .expect("large upload");
    let after = vm_rss_kib();
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(result.size, SIZE);
    assert_eq!(client.datastore_file_info("DC0", DS, "big/big.img").await.unwrap(), Some(SIZE));
    let growth_kib = after.saturating_sub(before);
    println!("rss growth {growth_kib} KiB ({before} -> {after}) for {SIZE} bytes in {secs:.1}s");
    assert!(growth_kib < 16 * 1024, "RSS grew by {growth_kib} KiB during a {SIZE}-byte upload");
    // A few reports per second, not one per chunk (800 chunks).
    let calls = *calls.lock().unwrap();
    assert!(calls >= 1 && f64::from(calls) <= secs * 3.0 + 3.0, "{calls} progress calls in {secs:.1}s");

    let dc = datacenter(&client).await;
    client.delete_datastore_file(&dc, "[LocalDS_0] big").await.unwrap();
}

#[tokio::test]
async fn task_deadline_gives_task_timeout_and_the_task_goes_on() {
    // The delete task takes 3s inside vcsim.
    let sim = Vcsim::start(&["-method-delay", "DeleteDatastoreFile:3000"]);
    let client = connect(&sim).await;
    let dc = datacenter(&client).await;
    client.make_directory(&dc, "[LocalDS_0] slow", false).await.unwrap();

    let fm = client.service_content().file_manager.clone().unwrap();
    let args = format!("<name>[LocalDS_0] slow</name>{}", dc.to_xml("datacenter"));
    let resp = client.invoke("DeleteDatastoreFile_Task", &fm, &args).await.unwrap();
    let task = resp.child("returnval").and_then(ManagedObjectReference::from_node).unwrap();
    assert_eq!(task.kind, "Task");

    let started = std::time::Instant::now();
    let err = client.wait_for_task(&task, Some(started + Duration::from_millis(500))).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(500) && elapsed < Duration::from_millis(2500), "{elapsed:?}");
    let ViError::TaskTimeout { task: id, what } = &err else { panic!("expected TaskTimeout, got {err:?}") };
    assert_eq!(id, &task.value);
    assert!(what.contains("deleteDatastoreFile"), "{what}");
    let msg = err.to_string();
    assert!(msg.contains(&task.value) && msg.contains("still running in vSphere"), "{msg}");

    // It did go on, and waiting again sees it through.
    let outcome = client.wait_for_task(&task, None).await.expect("the task finishes");
    assert_eq!(outcome.result, None);
    assert_eq!(client.datastore_file_info("DC0", DS, "slow").await.unwrap(), None);
}
