//! `nxcloud-access serve` and `nxcloud-access admin` (issue 7): thin shells
//! over `nxcloud-access-server`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use nxcloud_access::ErrorCode;
use nxcloud_access_server::admin_api::OrganizationCreators;
use nxcloud_access_server::artifacts::{ArtifactsLocation, S3Location};
use nxcloud_access_server::{
    init_logging, run_admin_command, run_blocking, AdminError, OrganizationCreation, ServerConfig,
};

/// Arguments of `nxcloud-access serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The address to listen on: `HOST:PORT` (`127.0.0.1:4599`,
    /// `localhost:4599`, `0.0.0.0:4599`, `[::1]:4599`).
    #[arg(long, default_value = "127.0.0.1:4599", value_parser = listen_address)]
    pub listen: SocketAddr,
    /// The data directory: the access state (state.sqlite3) and the artifacts.
    /// It must have been initialised (by `--init`, or by the operator's first
    /// `admin` command): a missing or empty state is refused.
    #[arg(long, default_value = "./nxcloud-data")]
    pub data: PathBuf,
    /// Where the artifacts live: `s3://BUCKET/PREFIX` for an S3-compatible
    /// object store, whose endpoint, region and credentials come from the
    /// standard AWS environment (AWS_ENDPOINT_URL, AWS_REGION,
    /// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY; AWS_ALLOW_HTTP=true for a
    /// plain-http endpoint). Default: the data directory's `artifacts`
    /// folder.
    #[arg(long)]
    pub artifacts: Option<String>,
    /// Start with an empty state when the data directory holds none (creating
    /// the directory, owner-only).
    #[arg(long)]
    pub init: bool,
    /// The largest artifact accepted, in bytes (larger uploads get 413).
    #[arg(long, default_value_t = 512 * 1024 * 1024)]
    pub max_artifact_bytes: u64,
    /// Seconds an upload may send nothing before it is dropped.
    #[arg(long, default_value_t = 30)]
    pub body_idle_timeout: u64,
    /// Seconds any one request may take, from its head to the last byte of
    /// its answer (408, or the download cut off).
    #[arg(long, default_value_t = 600)]
    pub request_timeout: u64,
    /// Seconds a request's head may take to arrive, however slowly it
    /// trickles in (also the longest idle wait on a keep-alive connection).
    #[arg(long, default_value_t = 30)]
    pub header_timeout: u64,
    /// Seconds a transfer may make no progress (a stalled upload or
    /// download) before its connection is closed.
    #[arg(long, default_value_t = 120)]
    pub idle_timeout: u64,
    /// The most connections served at once (default: 4096, or less when the
    /// open-file limit requires it). At the limit, idle connections make
    /// room, and 8 more are kept for /healthz, /readyz and /metrics.
    #[arg(long)]
    pub max_connections: Option<usize>,
    /// Uploads are refused (403: nx goes on without storing) while the
    /// artifacts' disk has less free space than this, in bytes.
    #[arg(long, default_value_t = 256 * 1024 * 1024)]
    pub min_free_bytes: u64,
    /// The most artifact bytes one workspace may hold (uploads beyond it get
    /// 403, which nx ignores). Default: no quota.
    #[arg(long)]
    pub workspace_quota_bytes: Option<u64>,
    /// Who may create organizations over HTTP: `operator` (nobody over HTTP;
    /// `admin` only), `everyone`, or a comma-separated list of user ids.
    #[arg(long, default_value = "operator")]
    pub allow_organization_creation: String,
    /// Organizations one person may create over HTTP, in all.
    #[arg(long, default_value_t = 10)]
    pub max_organizations_per_user: u64,
    /// Organizations one person may create over HTTP per hour.
    #[arg(long, default_value_t = 3)]
    pub organizations_per_hour: u64,
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

/// `s3://bucket/prefix`.
fn artifacts_location(text: &str) -> Result<ArtifactsLocation, String> {
    match S3Location::parse(text) {
        Some(Ok(location)) => Ok(ArtifactsLocation::S3(location)),
        Some(Err(error)) => Err(error.to_string()),
        None => Err(format!(
            "`{text}` is not an s3://BUCKET/PREFIX location (without --artifacts the artifacts stay in the data directory)"
        )),
    }
}

/// `HOST:PORT`, the host a name or an address (the first address it
/// resolves to).
fn listen_address(text: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    let hint = "give HOST:PORT, such as 127.0.0.1:4599 or localhost:4599";
    if text.parse::<u16>().is_ok() {
        return Err(format!("`{text}` is a port alone: {hint}"));
    }
    text.to_socket_addrs()
        .map_err(|error| format!("`{text}`: {error}; {hint}"))?
        .next()
        .ok_or_else(|| format!("`{text}` resolves to no address; {hint}"))
}

pub fn run_serve(args: ServeArgs) -> ExitCode {
    if let Err(error) = init_logging(&args.log_level) {
        eprintln!("error: {error}");
        return ExitCode::from(2);
    }
    let who = match OrganizationCreators::parse(&args.allow_organization_creation) {
        Ok(who) => who,
        Err(error) => {
            eprintln!("error[invalid-input]: --allow-organization-creation: {error}");
            return ExitCode::from(2);
        }
    };
    let mut config = ServerConfig::new(args.listen, args.data);
    config.init = args.init;
    if let Some(artifacts) = args.artifacts {
        match artifacts_location(&artifacts) {
            Ok(location) => config.artifacts = location,
            Err(error) => {
                eprintln!("error[invalid-input]: --artifacts: {error}");
                return ExitCode::from(2);
            }
        }
    }
    config.max_artifact_bytes = args.max_artifact_bytes;
    config.body_idle_timeout = Duration::from_secs(args.body_idle_timeout.max(1));
    config.request_timeout = Duration::from_secs(args.request_timeout.max(1));
    config.header_timeout = Duration::from_secs(args.header_timeout.max(1));
    config.idle_timeout = Duration::from_secs(args.idle_timeout.max(1));
    config.max_connections = args.max_connections;
    config.min_free_bytes = args.min_free_bytes;
    config.workspace_quota_bytes = args.workspace_quota_bytes;
    config.organization_creation = OrganizationCreation {
        who,
        max_per_user: args.max_organizations_per_user,
        max_per_hour: args.organizations_per_hour,
    };
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

#[cfg(test)]
mod tests {
    use super::listen_address;

    #[test]
    fn listen_takes_host_names_and_refuses_a_port_alone() {
        assert!(listen_address("localhost:4599").unwrap().ip().is_loopback());
        assert_eq!(
            listen_address("127.0.0.1:4599").unwrap().to_string(),
            "127.0.0.1:4599"
        );
        assert!(listen_address("4599").unwrap_err().contains("port alone"));
        assert!(listen_address("no-port").unwrap_err().contains("HOST:PORT"));
    }
}
