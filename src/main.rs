//! `terraform-provider-vi`: the binary Terraform starts.
use std::process::ExitCode;

use terraform_provider_vi::plugin::log;
use terraform_provider_vi::plugin::serve::{ServeError, ServeOpts, serve};
use terraform_provider_vi::provider::ViProvider;

/// The addresses TF_REATTACH_PROVIDERS names in `--debug` mode: `local/vi`
/// as Terraform and as OpenTofu expand it.
const PROVIDER_ADDRESSES: [&str; 2] = ["registry.terraform.io/local/vi", "registry.opentofu.org/local/vi"];

fn main() -> ExitCode {
    let debug = std::env::args().skip(1).any(|a| a == "--debug" || a == "-debug");
    if std::env::args().skip(1).any(|a| a == "--version" || a == "-version") {
        println!("terraform-provider-vi {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    one_malloc_arena();
    log::init("provider.terraform-provider-vi");
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("terraform-provider-vi: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(serve(ViProvider, ServeOpts { debug, addresses: PROVIDER_ADDRESSES.map(str::to_owned).to_vec() }))
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(ServeError::NoMagicCookie) => {
            eprintln!("{}", ServeError::NoMagicCookie);
            ExitCode::FAILURE
        }
        Err(e) => {
            tracing::error!(error = %e, "provider stopped");
            eprintln!("terraform-provider-vi: {e}");
            ExitCode::FAILURE
        }
    }
}

/// glibc's malloc gives threads that allocate at once their own arenas (up
/// to eight per core), each keeping freed memory for itself; the runtime's
/// worker and blocking threads then hold several partly used heaps. One
/// arena lowered a 100-VM refresh's peak RSS by ~10% on vcsim; the provider
/// allocates too little for the shared arena's lock to matter.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn one_malloc_arena() {
    // SAFETY: mallopt only sets an allocator parameter, and runs before any
    // other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn one_malloc_arena() {}
