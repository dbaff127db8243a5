//! PLACEHOLDER (the CLI of issue 2): only the seam of `serve` and `admin`.

mod server_cmds;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Which Nx Cloud credential Nx uses, and what it may do.
#[derive(Debug, Parser)]
#[command(name = "nxcloud-access", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the self-hosted Nx remote cache.
    Serve(server_cmds::ServeArgs),
    /// Run one AccessControl command on the server's state.
    Admin(server_cmds::AdminArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Serve(args) => server_cmds::run_serve(args),
        Command::Admin(args) => server_cmds::run_admin(args),
    }
}
