//! The `nxcloud-access` command.
//!
//! * `explain [DIR]` / `audit [DIR]`: read a workspace from disk
//!   ([`workspace`]), resolve it with the core, print it ([`render`]);
//! * `serve` / `admin`: the self-hosted cache ([`server_cmds`]).

mod inspect;
mod render;
mod server_cmds;
mod workspace;

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
    /// Which credential Nx uses in a workspace, from where, what was
    /// shadowed and why, and what is unsafe.
    Explain(inspect::InspectArgs),
    /// The findings alone; exit status 1 when one is an error or a warning.
    Audit(inspect::InspectArgs),
    /// Run the self-hosted Nx remote cache.
    Serve(server_cmds::ServeArgs),
    /// Run one AccessControl command on the server's state.
    Admin(server_cmds::AdminArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Explain(args) => inspect::run(inspect::Mode::Explain, args),
        Command::Audit(args) => inspect::run(inspect::Mode::Audit, args),
        Command::Serve(args) => server_cmds::run_serve(args),
        Command::Admin(args) => server_cmds::run_admin(args),
    }
}
