//! Every runnable example applies against vcsim, re-plans with no changes,
//! and destroys. Examples take their connection from the environment, as a
//! user's would.
use std::path::PathBuf;

use crate::harness::terraform::Tf;
use crate::harness::vcsim::Vcsim;

fn examples() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("examples/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        // Modules are used by other examples, not applied alone.
        .filter(|p| p.join("main.tf").exists() && p.file_name().is_some_and(|n| n != "modules"))
        .collect();
    dirs.sort();
    dirs
}

/// What an example needs in vcsim beyond its default inventory.
fn prepare(dir: &std::path::Path, sim: &Vcsim) {
    // vTPMs need a key provider, which vCenter (and vcsim) start without.
    if dir.ends_with("tpm-vm") || dir.ends_with("fleet") {
        crate::vtpm::register_key_provider(sim, "example-kms", true);
    }
}

fn run_example(dir: &PathBuf) {
    // The vCenter version the examples' vTPMs need.
    let sim = Vcsim::start(crate::vtpm::VC7);
    prepare(dir, &sim);
    let tf = Tf::new("").env("VI_URL", &sim.url).env("VI_INSECURE", "true");
    // The example goes one level down, so `../modules/…` resolves beside it.
    let work = tf.dir.path().join("example");
    std::fs::create_dir_all(&work).expect("example dir");
    copy_dir(dir, &work);
    let modules = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/modules");
    for m in std::fs::read_dir(&modules).expect("examples/modules").flatten() {
        let to = tf.dir.path().join("modules").join(m.file_name());
        std::fs::create_dir_all(&to).expect("module dir");
        copy_dir(&m.path(), &to);
    }
    let tf = tf.chdir("example");
    tf.init_apply_replan();
    tf.destroy();
}

fn copy_dir(from: &PathBuf, to: &std::path::Path) {
    for e in std::fs::read_dir(from).expect("read example").flatten() {
        let p = e.path();
        if p.is_file() {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy example file");
        }
    }
}

#[test]
fn quickstart() {
    run_example(&examples().into_iter().find(|p| p.ends_with("quickstart")).expect("quickstart example"));
}

#[test]
fn every_other_example() {
    for dir in examples().iter().filter(|p| !p.ends_with("quickstart")) {
        run_example(dir);
    }
}
