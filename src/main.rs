//! `terraform-provider-vi`: the binary Terraform starts.
use std::process::ExitCode;

use terraform_provider_vi::plugin::log;
use terraform_provider_vi::plugin::serve::{ServeError, ServeOpts, serve};
use terraform_provider_vi::provider::ViProvider;

/// The address TF_REATTACH_PROVIDERS uses in `--debug` mode.
const PROVIDER_ADDRESS: &str = "registry.terraform.io/local/vi";

fn main() -> ExitCode {
    let debug = std::env::args().skip(1).any(|a| a == "--debug" || a == "-debug");
    if std::env::args().skip(1).any(|a| a == "--version" || a == "-version") {
        println!("terraform-provider-vi {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    log::init("provider.terraform-provider-vi");
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("terraform-provider-vi: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(serve(ViProvider, ServeOpts { debug, address: PROVIDER_ADDRESS.to_owned() })) {
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
