//! `nxcloud-access serve` and `nxcloud-access admin` (issue 7): thin shells
//! over `nxcloud-access-server`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use nxcloud_access::ErrorCode;
use nxcloud_access_server::{
    init_logging, run_admin_command, run_blocking, AdminError, ServerConfig,
};

/// Arguments of `nxcloud-access serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:4599")]
    pub listen: SocketAddr,
    /// The data directory: the access state (state.sqlite3) and the artifacts.
    #[arg(long, default_value = "./nxcloud-data")]
    pub data: PathBuf,
    /// The largest artifact accepted, in bytes (larger uploads get 413).
    #[arg(long, default_value_t = 512 * 1024 * 1024)]
    pub max_artifact_bytes: u64,
    /// Seconds an upload may send nothing before it is dropped.
    #[arg(long, default_value_t = 30)]
    pub body_idle_timeout: u64,
    /// Seconds any one request may take before it is answered 408.
    #[arg(long, default_value_t = 600)]
    pub request_timeout: u64,
    /// Seconds a connection may make no progress (slow headers, stalled
    /// transfer, idle keep-alive) before it is closed.
    #[arg(long, default_value_t = 120)]
    pub idle_timeout: u64,
    /// Seconds requests in flight may still take after SIGTERM.
    #[arg(long, default_value_t = 60)]
    pub shutdown_grace: u64,
    /// Log level: error, warn, info (every decision), debug.
    #[arg(long, default_value = "info")]
    pub log_level: String,
    /// FOR THE LOAD TEST'S BASELINE ONLY: allow every cache request without
    /// asking the engine. Refused unless --listen is a loopback address.
    #[arg(long, hide = true)]
    pub insecure_no_authorization: bool,
}

/// Arguments of `nxcloud-access admin`.
#[derive(Debug, clap::Args)]
pub struct AdminArgs {
    /// The server's data directory.
    #[arg(long, default_value = "./nxcloud-data")]
    pub data: PathBuf,
    /// The command, kebab-case: create-user, create-organization, invite,
    /// join, remove-member, set-role, set-visibility, create-workspace,
    /// set-workspace-id-access, set-personal-access-token-access,
    /// create-ci-access-token, revoke-ci-access-token,
    /// create-personal-access-token, revoke-personal-access-token,
    /// list-personal-access-tokens, list-ci-access-tokens, authorize-runner,
    /// authorize-web.
    pub command: String,
    /// The command's JSON argument (as in the npm package).
    #[arg(default_value = "{}")]
    pub json: String,
}

pub fn run_serve(args: ServeArgs) -> ExitCode {
    if let Err(error) = init_logging(&args.log_level) {
        eprintln!("error: {error}");
        return ExitCode::from(2);
    }
    let mut config = ServerConfig::new(args.listen, args.data);
    config.max_artifact_bytes = args.max_artifact_bytes;
    config.body_idle_timeout = Duration::from_secs(args.body_idle_timeout.max(1));
    config.request_timeout = Duration::from_secs(args.request_timeout.max(1));
    config.idle_timeout = Duration::from_secs(args.idle_timeout.max(1));
    config.shutdown_grace = Duration::from_secs(args.shutdown_grace);
    config.authorization = !args.insecure_no_authorization;
    match run_blocking(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}

pub fn run_admin(args: AdminArgs) -> ExitCode {
    let argument = match serde_json::from_str(&args.json) {
        Ok(argument) => argument,
        Err(error) => {
            eprintln!("error[invalid-input]: the argument is not JSON: {error}");
            return ExitCode::from(2);
        }
    };
    match run_admin_command(&args.data, &args.command, argument) {
        Ok(result) => {
            match serde_json::to_string_pretty(&result) {
                Ok(text) => println!("{text}"),
                Err(error) => {
                    eprintln!("error: {error}");
                    return ExitCode::from(1);
                }
            }
            ExitCode::SUCCESS
        }
        Err(AdminError::Refused(error)) => {
            eprintln!("error[{}]: {error}", error.code());
            ExitCode::from(1)
        }
        Err(error @ AdminError::UnknownCommand(_)) => {
            eprintln!("error[invalid-input]: {error}");
            ExitCode::from(2)
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}
