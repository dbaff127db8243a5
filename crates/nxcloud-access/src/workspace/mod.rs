//! Workspace discovery: finding a workspace's files as Nx does, and turning
//! them into a [`ResolveInput`] for [`crate::resolve_credentials`].
//!
//! [`gather`] is a pure function of an environment map, a [`Request`] and a
//! [`Host`] (the file reader and git): the core never touches the file
//! system, the environment or a process itself. The CLI implements the host
//! with `std::fs` and `git ls-files`; the npm package (`nxcloud-access/node`)
//! with `node:fs` and `node:child_process`, called from the WebAssembly. One
//! discovery, so the CLI's `explain` and the package's `resolveWorkspace`
//! give the same answer for the same folder and environment.
//!
//! What is read, and from where:
//!
//! * the workspace root: from DIR upwards, the first folder holding a file
//!   `nx.json`, `nx` or `nx.bat`; else the highest folder holding
//!   `node_modules/nx/package.json`; else DIR itself (Nx's
//!   `workspaceRootInner`). `NX_WORKSPACE_ROOT_PATH` overrides it, as in Nx;
//! * `nx.json`, `nx-cloud.env` and `package.json` at the root;
//! * the `.local.env`, `.env.local` and `.env` files (DOT-1): at the root, or
//!   in DIR (where Nx runs) for Nx versions up to 18.3.1;
//! * the installed `nx` version and Nx Cloud client packages: the first
//!   `node_modules/<name>/package.json` from the root upwards (Node's module
//!   resolution, which Nx uses); which client Nx loads (CLI-1);
//! * the personal access token file: the first existing candidate of PATR-1
//!   ([`crate::input::pat_ini::candidates`]), and the candidates skipped;
//! * which of the root's files git tracks (TOKF-2): [`Host::tracked_files`].
//!
//! Paths are [`std::path::Path`]s as the host gives them: absolute, with the
//! separator of the platform the code runs on (`/` in WebAssembly).

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::error::ErrorCode;
use crate::input::pat_ini;
use crate::limits::MAX_TEXT_BYTES;
use crate::resolve::{NxcloudIni, ResolveError, ResolveInput, TRACKABLE_FILES};
use crate::Resolution;

/// The root `.env` files Nx loads, in its order (DOT-1).
pub const DOT_ENV_FILES: [&str; 3] = [".local.env", ".env.local", ".env"];

/// The Nx Cloud client packages Nx can load (CLI-1).
pub const CLIENT_PACKAGES: [&str; 2] = ["nx-cloud", "@nrwl/nx-cloud"];

/// The first Nx version that reads the root `.env` files from the workspace
/// root instead of the current directory (DOT-1).
const DOT_ENV_AT_ROOT_SINCE: semver::Version = semver::Version::new(18, 3, 2);

/// The first Nx version in which both runner names load `nx-cloud` (CLI-1).
const BOTH_NAMES_LOAD_NX_CLOUD_SINCE: semver::Version = semver::Version::new(21, 0, 0);

/// What the file system and git look like to [`gather`].
///
/// A host never panics; every failure is an `Err` (read) or a "no" answer.
pub trait Host {
    /// The text of a file; `Ok(None)` when there is no such file (`ENOENT`).
    ///
    /// `Err(reason)` for a file that exists but cannot be read (permissions,
    /// a folder, not UTF-8; the reason is the system's message, as
    /// `std::io::Error` or Node writes it) and for a file larger than
    /// [`MAX_TEXT_BYTES`] (reason: [`too_large`]; refuse it without loading it
    /// whole: one byte over the limit is enough to know). [`gather`] checks
    /// the limit again on what it gets. (A plain message rather than an
    /// `std::io::Error`: the npm package's host is JavaScript.)
    fn read(&self, path: &Path) -> Result<Option<String>, String>;

    /// Whether `path` is an existing regular file, symbolic links followed
    /// (Nx's `fileExists`).
    fn is_file(&self, path: &Path) -> bool;

    /// Which of `names` (files at `root`) git tracks, as `git -C root
    /// ls-files -z -- names…` lists them; `None` when `root` is not in a git
    /// repository or git cannot be run.
    fn tracked_files(&self, root: &Path, names: &[&str]) -> Option<Vec<String>>;
}

/// The reason a [`Host`] gives for a file over [`MAX_TEXT_BYTES`].
pub fn too_large() -> String {
    format!("the file is larger than the limit of {MAX_TEXT_BYTES} bytes that nxcloud-access reads")
}

/// The operating system family, which decides the PAT file candidates
/// (PATR-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Unix,
    Windows,
}

impl Platform {
    /// The platform this code was compiled for (`Unix` in WebAssembly: the
    /// npm package asks Node instead).
    pub fn current() -> Self {
        if cfg!(windows) {
            Self::Windows
        } else {
            Self::Unix
        }
    }
}

/// What the caller asked for.
#[derive(Debug, Clone)]
pub struct Request {
    /// The directory Nx would run in (DIR), absolute.
    pub dir: PathBuf,
    /// The current directory: the PAT file's path handed to the core is
    /// shown relative to it (see [`shown`]).
    pub cwd: PathBuf,
    /// A given Nx version (`--nx-version`, `nxVersion`): overrides the
    /// installed one.
    pub nx_version: Option<String>,
    /// `--runner`: the `tasksRunnerOptions` entry to run.
    pub runner: Option<String>,
    pub platform: Platform,
}

/// A value read from a file, with the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub value: String,
    pub path: PathBuf,
}

/// Where the Nx version the rules apply for comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionOrigin {
    /// Given by the caller (`--nx-version`, `nxVersion`).
    Argument,
    /// The installed `nx` package's `package.json`.
    Installed(PathBuf),
    /// Not installed and not given: the engine applies its newest rules.
    Unknown,
}

/// The PAT file lookup of PATR-1.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatLookup {
    /// The file that was used.
    pub found: Option<PathBuf>,
    /// The candidates looked at before it (or all of them) that do not exist.
    pub skipped: Vec<PathBuf>,
}

/// Everything found on disk, and the input for the core built from it.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
    /// `nx.json`, when the workspace has one.
    pub nx_json: Option<PathBuf>,
    pub nx_version: VersionOrigin,
    /// The installed Nx Cloud client package handed to the core (CLI-1),
    /// `name@version`, with its `package.json`.
    pub cloud_client: Option<Detected>,
    pub pat: PatLookup,
    /// The folder the `.env` files were read from (DOT-1).
    pub dot_env_dir: PathBuf,
    /// The `.env` files read, in Nx's order ([`DOT_ENV_FILES`]).
    pub dot_env_files: Vec<PathBuf>,
    /// `nx-cloud.env`, when read.
    pub nx_cloud_env: Option<PathBuf>,
    /// The root `package.json`, when read.
    pub package_json: Option<PathBuf>,
    pub input: ResolveInput,
}

/// Why the workspace could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GatherError {
    /// A file exists but cannot be read (permissions, not UTF-8, a folder,
    /// over [`MAX_TEXT_BYTES`]).
    #[error("cannot read `{}`: {reason}; make it a readable UTF-8 file (or remove it)", path.display())]
    Unreadable { path: PathBuf, reason: String },
    /// An installed package's `package.json` has no readable `version`.
    #[error("no `version` in `{}`: reinstall the package (for `nx`, giving the Nx version also works: `nxVersion`, `--nx-version`)", path.display())]
    NoPackageVersion { path: PathBuf },
}

impl ErrorCode for GatherError {
    fn code(&self) -> &'static str {
        match self {
            GatherError::Unreadable { .. } => "unreadable-file",
            GatherError::NoPackageVersion { .. } => "no-package-version",
        }
    }
}

/// Reads the workspace at `request.dir` as Nx would, with the environment
/// `env` (the process environment, UTF-8 variables only).
///
/// Errors: [`GatherError::Unreadable`] for a file that exists but cannot be
/// read, [`GatherError::NoPackageVersion`] for an installed package whose
/// `package.json` gives no `version`.
pub fn gather(
    host: &impl Host,
    env: &BTreeMap<String, String>,
    request: &Request,
) -> Result<Workspace, GatherError> {
    let root = workspace_root(host, env, &request.dir);
    let nx_json_path = root.join("nx.json");
    let nx_json = read(host, &nx_json_path)?;

    // A given version wins: the installed one is not looked up (so a broken
    // `node_modules/nx/package.json` does not stop a caller who gave one).
    let installed_nx = match request.nx_version {
        Some(_) => None,
        None => installed_version(host, &root, "nx")?,
    };
    let (nx_version, version_origin) = match (&request.nx_version, &installed_nx) {
        (Some(given), _) => (Some(given.clone()), VersionOrigin::Argument),
        (None, Some(found)) => (
            Some(found.value.clone()),
            VersionOrigin::Installed(found.path.clone()),
        ),
        (None, None) => (None, VersionOrigin::Unknown),
    };

    // DOT-1: up to 18.3.1 Nx loads the `.env` files of the current directory.
    let dot_env_dir = match nx_version.as_deref().map(parse_version) {
        Some(Ok(version)) if version < DOT_ENV_AT_ROOT_SINCE => request.dir.clone(),
        _ => root.clone(),
    };
    let mut dot_env_files = BTreeMap::new();
    let mut dot_env_paths = Vec::new();
    for name in DOT_ENV_FILES {
        let path = dot_env_dir.join(name);
        if let Some(text) = read(host, &path)? {
            dot_env_files.insert(name.to_owned(), text);
            dot_env_paths.push(path);
        }
    }

    let mut clients = Vec::new();
    for name in CLIENT_PACKAGES {
        if let Some(found) = installed_version(host, &root, name)? {
            clients.push((name, found));
        }
    }

    let pat = find_pat_file(host, env, request.platform);
    let nxcloud_ini = match &pat.found {
        Some(path) => read(host, path)?.map(|text| NxcloudIni {
            path: shown(&request.cwd, path),
            text,
        }),
        None => None,
    };

    let nx_cloud_env_path = root.join("nx-cloud.env");
    let nx_cloud_env = read(host, &nx_cloud_env_path)?;
    let package_json_path = root.join("package.json");
    let package_json = read(host, &package_json_path)?;
    // `None` outside git: the core then counts only nx.json as committed.
    let tracked_files = host.tracked_files(&root, &TRACKABLE_FILES);
    let mut input = ResolveInput {
        nx_version,
        nx_json: nx_json.clone(),
        env: env.clone(),
        dot_env_files,
        nx_cloud_env: nx_cloud_env.clone(),
        cloud_client: None,
        runner: request.runner.clone(),
        package_json: package_json.clone(),
        nxcloud_ini,
        tracked_files,
    };
    // CLI-1: Nx loads the module of the selected entry (`--runner`, the
    // environment, else `default`); the core says which module that is.
    let selected_module = crate::resolve_credentials(&input)
        .ok()
        .map(|resolution| resolution.runner.module);
    let cloud_client = choose_client(
        clients,
        selected_module.as_deref(),
        input.nx_json.as_deref(),
        input.nx_version.as_deref(),
    );
    input.cloud_client = cloud_client.as_ref().map(|client| client.value.clone());
    Ok(Workspace {
        nx_json: nx_json.map(|_| nx_json_path),
        root,
        nx_version: version_origin,
        cloud_client,
        pat,
        dot_env_dir,
        dot_env_files: dot_env_paths,
        nx_cloud_env: nx_cloud_env.map(|_| nx_cloud_env_path),
        package_json: package_json.map(|_| package_json_path),
        input,
    })
}

/// The discovery, then [`crate::resolve_credentials`] of its input: the same
/// [`Resolution`] as resolving [`gather`]'s input, but git
/// ([`Host::tracked_files`], a process of a few milliseconds for the npm
/// package) is asked only when the answer depends on it (see
/// [`resolve_asking_git_when_needed`]). When git was not asked, the returned
/// workspace's `input.tracked_files` is `None`: use [`gather`] for the
/// tracked list itself.
///
/// Errors: those of [`gather`]; the resolution's own error is the inner
/// `Result`.
pub fn resolve(
    host: &impl Host,
    env: &BTreeMap<String, String>,
    request: &Request,
) -> Result<(Workspace, Result<Resolution, ResolveError>), GatherError> {
    let mut found = gather(&WithoutGit(host), env, request)?;
    let root = found.root.clone();
    let resolution = resolve_asking_git_when_needed(&mut found.input, || {
        host.tracked_files(&root, &TRACKABLE_FILES)
    });
    Ok((found, resolution))
}

/// [`crate::resolve_credentials`] of `input`, with `input.tracked_files` set
/// from `ask_git` only when which root files git tracks changes the answer.
///
/// Git's answer matters only to the committed-token findings (TOKF-2), where
/// each tracked file adds the findings of its own tokens (nx.json counts as
/// committed whether git is asked or not). So when the input resolves the
/// same with every trackable file tracked as with none tracked, any tracked
/// list, and `None` (outside git), gives that same answer, and git is not
/// asked. Otherwise `ask_git` is called once and its answer used. The cost
/// of the check: two resolutions of the input in memory.
pub fn resolve_asking_git_when_needed(
    input: &mut ResolveInput,
    ask_git: impl FnOnce() -> Option<Vec<String>>,
) -> Result<Resolution, ResolveError> {
    let mut probe = input.clone();
    probe.tracked_files = Some(
        TRACKABLE_FILES
            .iter()
            .map(|&name| name.to_owned())
            .collect(),
    );
    let every_file_tracked = crate::resolve_credentials(&probe);
    probe.tracked_files = Some(Vec::new());
    let none_tracked = crate::resolve_credentials(&probe);
    if every_file_tracked == none_tracked {
        return none_tracked;
    }
    input.tracked_files = ask_git();
    crate::resolve_credentials(input)
}

/// A [`Host`] whose git is never asked (`tracked_files` is `None`): the
/// discovery of [`resolve`], which asks git itself when needed.
struct WithoutGit<'a, H>(&'a H);

impl<H: Host> Host for WithoutGit<'_, H> {
    fn read(&self, path: &Path) -> Result<Option<String>, String> {
        self.0.read(path)
    }

    fn is_file(&self, path: &Path) -> bool {
        self.0.is_file(path)
    }

    fn tracked_files(&self, _root: &Path, _names: &[&str]) -> Option<Vec<String>> {
        None
    }
}

/// The workspace root Nx finds from `dir` (Nx's `workspaceRootInner`).
pub fn workspace_root(host: &impl Host, env: &BTreeMap<String, String>, dir: &Path) -> PathBuf {
    if let Some(forced) = env.get("NX_WORKSPACE_ROOT_PATH").filter(|v| !v.is_empty()) {
        return normalize(&dir.join(forced));
    }
    let mut candidate = dir.to_path_buf();
    let mut current = Some(dir);
    while let Some(folder) = current {
        let parent = folder.parent();
        // Nx stops at the file system root without looking into it.
        if parent.is_none() {
            break;
        }
        if ["nx.json", "nx", "nx.bat"]
            .iter()
            .any(|name| host.is_file(&folder.join(name)))
        {
            return folder.to_path_buf();
        }
        if host.is_file(&folder.join("node_modules/nx/package.json")) {
            candidate = folder.to_path_buf();
        }
        current = parent;
    }
    candidate
}

/// The PATR-1 candidates, in order, for the variables that are set: the
/// paths of [`pat_ini::candidates`] (the one list of the lookup order),
/// without repeated separators.
pub fn pat_candidates(env: &BTreeMap<String, String>, platform: Platform) -> Vec<PathBuf> {
    pat_ini::candidates(env, platform == Platform::Windows)
        .into_iter()
        .map(|candidate| Path::new(&candidate.path).components().collect())
        .collect()
}

/// The first existing PAT file candidate, and the ones skipped before it.
pub fn find_pat_file(
    host: &impl Host,
    env: &BTreeMap<String, String>,
    platform: Platform,
) -> PatLookup {
    let mut lookup = PatLookup::default();
    for candidate in pat_candidates(env, platform) {
        if host.is_file(&candidate) {
            lookup.found = Some(candidate);
            break;
        }
        lookup.skipped.push(candidate);
    }
    lookup
}

/// The version of the package `name` that Node resolves from `root`: the first
/// `node_modules/<name>/package.json` in `root` or a folder above it.
///
/// Errors: [`GatherError::Unreadable`], and [`GatherError::NoPackageVersion`]
/// when that `package.json` gives no string `version`.
pub fn installed_version(
    host: &impl Host,
    root: &Path,
    name: &str,
) -> Result<Option<Detected>, GatherError> {
    for folder in root.ancestors() {
        let path = folder.join("node_modules").join(name).join("package.json");
        let Some(text) = read(host, &path)? else {
            continue;
        };
        // The engine's own JSON reader (that of `nx.json`): a JS string
        // `version`, the last one when repeated, as Node's `JSON.parse`.
        let version = crate::input::nx_json::parse(&text)
            .ok()
            .and_then(|json| json.get("version")?.as_str().map(str::to_owned));
        return match version {
            Some(value) => Ok(Some(Detected { value, path })),
            None => Err(GatherError::NoPackageVersion { path }),
        };
    }
    Ok(None)
}

/// The client package Nx would load, as `name@version` (CLI-1). When the
/// selected entry's runner module (`selected_module`, as the core resolves
/// it) is a client package that Node finds installed, that package. Else,
/// when several are installed: `@nrwl/nx-cloud` only where `nx.json` names
/// that runner and the version still loads it by that name (up to 20.x);
/// else `nx-cloud`. The core decides whether the chosen package is loaded.
fn choose_client(
    installed: Vec<(&str, Detected)>,
    selected_module: Option<&str>,
    nx_json: Option<&str>,
    nx_version: Option<&str>,
) -> Option<Detected> {
    let names_nrwl = nx_json.is_some_and(|text| text.contains("\"@nrwl/nx-cloud\""));
    let loads_by_name = nx_version
        .and_then(|v| parse_version(v).ok())
        .is_some_and(|v| v < BOTH_NAMES_LOAD_NX_CLOUD_SINCE);
    let prefer_nrwl = names_nrwl && loads_by_name;
    let preferred = |name: &str| (name == "@nrwl/nx-cloud") == prefer_nrwl;
    // The selected module when installed; else the preferred one; else the
    // first (a search, not a sort: no sorting code in the npm package).
    let position = installed
        .iter()
        .position(|(name, _)| Some(*name) == selected_module)
        .or_else(|| installed.iter().position(|(name, _)| preferred(name)))
        .unwrap_or(0);
    installed
        .into_iter()
        .nth(position)
        .map(|(name, found)| Detected {
            value: format!("{name}@{}", found.value),
            path: found.path,
        })
}

/// An installed version as its `package.json` gives it. The published nx
/// 17.0.6 says `v17.0.6` (recorded in tests/conformance): accept the `v`, as
/// the core does.
fn parse_version(text: &str) -> Result<semver::Version, semver::Error> {
    let trimmed = text.trim();
    semver::Version::parse(trimmed.strip_prefix('v').unwrap_or(trimmed))
}

/// Reads through the host, holding every text to [`MAX_TEXT_BYTES`]
/// whatever the host did.
fn read(host: &impl Host, path: &Path) -> Result<Option<String>, GatherError> {
    let unreadable = |reason| GatherError::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    match host.read(path).map_err(unreadable)? {
        Some(text) if text.len() > MAX_TEXT_BYTES => Err(unreadable(too_large())),
        other => Ok(other),
    }
}

/// `path` as a person would type it from `base`: relative when under it.
pub fn shown(base: &Path, path: &Path) -> String {
    match path.strip_prefix(base) {
        Ok(relative) if relative.as_os_str().is_empty() => ".".to_owned(),
        Ok(relative) => relative.display().to_string(),
        Err(_) => path.display().to_string(),
    }
}

/// `path` without `.` and `..` components (lexically, like Node's `path`).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(component);
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests;
