//! PLACEHOLDER (issue 7): `serve` and `admin`, owned by the server work.

use std::process::ExitCode;

/// Arguments of `nxcloud-access serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {}

/// Arguments of `nxcloud-access admin`.
#[derive(Debug, clap::Args)]
pub struct AdminArgs {}

pub fn run_serve(_args: ServeArgs) -> ExitCode {
    eprintln!("nxcloud-access serve: not built yet");
    ExitCode::from(2)
}

pub fn run_admin(_args: AdminArgs) -> ExitCode {
    eprintln!("nxcloud-access admin: not built yet");
    ExitCode::from(2)
}
