//! Finding a workspace's files as Nx does, and turning them into a
//! [`ResolveInput`] for the core.
//!
//! [`gather`] is a pure function of an environment map and a [`Host`] (the
//! file reader and git), so its tests never depend on the real home folder,
//! file system or environment; [`RealHost`] is the only part that touches them.
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
//!   resolution, which Nx uses);
//! * the personal access token file: the first existing candidate of PATR-1;
//! * which of the root's files git tracks (TOKF-2): `git ls-files`.

use std::collections::BTreeMap;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use nxcloud_access::resolve::{NxcloudIni, ResolveInput};

/// The root `.env` files Nx loads, in its order (DOT-1).
pub const DOT_ENV_FILES: [&str; 3] = [".local.env", ".env.local", ".env"];

/// The root files whose git status matters for a committed token (TOKF-2).
pub use nxcloud_access::resolve::TRACKABLE_FILES;

/// The Nx Cloud client packages Nx can load (CLI-1).
const CLIENT_PACKAGES: [&str; 2] = ["nx-cloud", "@nrwl/nx-cloud"];

/// The first Nx version that reads the root `.env` files from the workspace
/// root instead of the current directory (DOT-1).
const DOT_ENV_AT_ROOT_SINCE: semver::Version = semver::Version::new(18, 3, 2);

/// The first Nx version in which both runner names load `nx-cloud` (CLI-1).
const BOTH_NAMES_LOAD_NX_CLOUD_SINCE: semver::Version = semver::Version::new(21, 0, 0);

/// What the file system and git look like to [`gather`].
pub trait Host {
    /// The text of a file; `Ok(None)` when there is no such file.
    fn read(&self, path: &Path) -> io::Result<Option<String>>;

    /// Whether `path` is an existing regular file (Nx's `fileExists`).
    fn is_file(&self, path: &Path) -> bool;

    /// Which of `names` (files at `root`) git tracks; `None` when `root` is
    /// not in a git repository or git cannot be run.
    fn tracked_files(&self, root: &Path, names: &[&str]) -> Option<Vec<String>>;
}

/// The operating system family, which decides the PAT file candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Unix,
    Windows,
}

impl Platform {
    /// The platform this binary runs on.
    pub fn current() -> Self {
        if cfg!(windows) {
            Self::Windows
        } else {
            Self::Unix
        }
    }
}

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct Request {
    /// The directory Nx would run in (DIR), absolute.
    pub dir: PathBuf,
    /// The current directory: paths handed to the core are shown relative
    /// to it (see [`shown`]).
    pub cwd: PathBuf,
    /// `--nx-version`: overrides the detected version.
    pub nx_version: Option<String>,
    /// `--runner`.
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
    /// `--nx-version`.
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
    /// The installed Nx Cloud client package handed to the core.
    pub cloud_client: Option<Detected>,
    pub pat: PatLookup,
    /// The folder the `.env` files were read from (DOT-1).
    pub dot_env_dir: PathBuf,
    pub input: ResolveInput,
}

/// Why the workspace could not be read.
#[derive(Debug)]
pub enum GatherError {
    /// A file exists but cannot be read (permissions, not UTF-8, a folder).
    Unreadable { path: PathBuf, source: io::Error },
    /// An installed package's `package.json` has no readable `version`.
    NoPackageVersion { path: PathBuf },
}

/// Reads the workspace at `request.dir` as Nx would, with the environment
/// `env` (the real process environment, UTF-8 variables only).
pub fn gather(
    host: &impl Host,
    env: &BTreeMap<String, String>,
    request: &Request,
) -> Result<Workspace, GatherError> {
    let root = workspace_root(host, env, &request.dir);
    let nx_json_path = root.join("nx.json");
    let nx_json = read(host, &nx_json_path)?;

    let installed_nx = installed_version(host, &root, "nx")?;
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
    for name in DOT_ENV_FILES {
        if let Some(text) = read(host, &dot_env_dir.join(name))? {
            dot_env_files.insert(name.to_owned(), text);
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

    let tracked_files = host.tracked_files(&root, &TRACKABLE_FILES);
    // `None` outside git: the core then counts only nx.json as committed.
    let mut input = ResolveInput {
        nx_version,
        nx_json: nx_json.clone(),
        env: env.clone(),
        dot_env_files,
        nx_cloud_env: read(host, &root.join("nx-cloud.env"))?,
        cloud_client: None,
        runner: request.runner.clone(),
        package_json: read(host, &root.join("package.json"))?,
        nxcloud_ini,
        tracked_files,
    };
    // CLI-1: Nx loads the module of the selected entry (`--runner`, the
    // environment, else `default`); the core says which module that is.
    let selected_module = nxcloud_access::resolve_credentials(&input)
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
        input,
    })
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

/// The PATR-1 candidates, in order, for the variables that are set.
pub fn pat_candidates(env: &BTreeMap<String, String>, platform: Platform) -> Vec<PathBuf> {
    let var = |name: &str| env.get(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let mut candidates = Vec::new();
    match platform {
        Platform::Unix => {
            if let Some(xdg) = var("XDG_CONFIG_HOME") {
                candidates.push(xdg.join("nxcloud").join("nxcloud.ini"));
            }
            if let Some(home) = var("HOME") {
                candidates.push(home.join(".config").join("nxcloud").join("nxcloud.ini"));
                candidates.push(home.join("config").join("nxcloud").join("nxcloud.ini"));
                candidates.push(home.join(".nxcloud.ini"));
            }
        }
        Platform::Windows => {
            if let Some(local) = var("LOCALAPPDATA") {
                candidates.push(local.join("nxcloud").join("nxcloud.ini"));
            }
            if let Some(profile) = var("USERPROFILE") {
                candidates.push(profile.join(".nxcloud.ini"));
            }
        }
    }
    candidates
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
        let version = serde_json::from_str::<serde_json::Value>(&text)
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
    let mut ordered = installed;
    ordered.sort_by_key(|(name, _)| (*name == "@nrwl/nx-cloud") != prefer_nrwl);
    // A stable sort: the selected module, when installed, comes first.
    ordered.sort_by_key(|(name, _)| Some(*name) != selected_module);
    ordered.into_iter().next().map(|(name, found)| Detected {
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

fn read(host: &impl Host, path: &Path) -> Result<Option<String>, GatherError> {
    host.read(path).map_err(|source| GatherError::Unreadable {
        path: path.to_path_buf(),
        source,
    })
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

/// The real file system and git.
#[derive(Debug, Clone, Copy, Default)]
pub struct RealHost;

impl Host for RealHost {
    fn read(&self, path: &Path) -> io::Result<Option<String>> {
        use std::io::Read;
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error),
        };
        // Never load more than the engine accepts (limits.rs): one byte over
        // the limit is enough to refuse, whatever the file's size.
        let limit = nxcloud_access::limits::MAX_TEXT_BYTES;
        let mut text = String::new();
        file.take(limit as u64 + 1).read_to_string(&mut text)?;
        if text.len() > limit {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the file is larger than the limit of {limit} bytes that nxcloud-access reads"
                ),
            ));
        }
        Ok(Some(text))
    }

    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }

    fn tracked_files(&self, root: &Path, names: &[&str]) -> Option<Vec<String>> {
        let output = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["ls-files", "-z", "--"])
            .args(names)
            .output()
            .ok()?;
        if !output.status.success() {
            return None;
        }
        let listed = String::from_utf8(output.stdout).ok()?;
        Some(
            listed
                .split('\0')
                .filter(|name| !name.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    /// An in-memory file system; `git` is the tracked list, when a repo.
    #[derive(Default)]
    struct FakeHost {
        files: BTreeMap<PathBuf, String>,
        unreadable: Vec<PathBuf>,
        git: Option<Vec<String>>,
        asked_git_in: RefCell<Vec<PathBuf>>,
    }

    impl FakeHost {
        fn with(mut self, path: &str, text: &str) -> Self {
            self.files.insert(PathBuf::from(path), text.to_owned());
            self
        }
    }

    impl Host for FakeHost {
        fn read(&self, path: &Path) -> io::Result<Option<String>> {
            if self.unreadable.iter().any(|p| p == path) {
                return Err(io::Error::new(io::ErrorKind::PermissionDenied, "denied"));
            }
            Ok(self.files.get(path).cloned())
        }

        fn is_file(&self, path: &Path) -> bool {
            self.files.contains_key(path)
        }

        fn tracked_files(&self, root: &Path, names: &[&str]) -> Option<Vec<String>> {
            self.asked_git_in.borrow_mut().push(root.to_path_buf());
            let tracked = self.git.as_ref()?;
            Some(
                names
                    .iter()
                    .filter(|name| tracked.iter().any(|t| t == *name))
                    .map(|name| (*name).to_owned())
                    .collect(),
            )
        }
    }

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn request(dir: &str) -> Request {
        Request {
            dir: PathBuf::from(dir),
            cwd: PathBuf::from("/cwd"),
            nx_version: None,
            runner: None,
            platform: Platform::Unix,
        }
    }

    fn paths(list: &[PathBuf]) -> Vec<String> {
        list.iter().map(|p| p.display().to_string()).collect()
    }

    #[test]
    fn unix_pat_candidates_follow_patr_1() {
        let found = pat_candidates(
            &env(&[("HOME", "/h"), ("XDG_CONFIG_HOME", "/x")]),
            Platform::Unix,
        );
        assert_eq!(
            paths(&found),
            [
                "/x/nxcloud/nxcloud.ini",
                "/h/.config/nxcloud/nxcloud.ini",
                "/h/config/nxcloud/nxcloud.ini",
                "/h/.nxcloud.ini",
            ]
        );
    }

    #[test]
    fn windows_pat_candidates_follow_patr_1() {
        let vars = env(&[
            ("LOCALAPPDATA", "C:/L"),
            ("USERPROFILE", "C:/U"),
            ("HOME", "/h"),
        ]);
        let found = pat_candidates(&vars, Platform::Windows);
        assert_eq!(
            paths(&found),
            ["C:/L/nxcloud/nxcloud.ini", "C:/U/.nxcloud.ini"]
        );
    }

    #[test]
    fn unset_or_empty_variables_give_no_candidates() {
        assert!(pat_candidates(&env(&[("XDG_CONFIG_HOME", "")]), Platform::Unix).is_empty());
        let home_only = pat_candidates(
            &env(&[("HOME", "/h"), ("XDG_CONFIG_HOME", "")]),
            Platform::Unix,
        );
        assert_eq!(home_only.len(), 3);
    }

    #[test]
    fn the_first_existing_pat_file_wins_and_earlier_ones_are_skipped() {
        let host = FakeHost::default()
            .with("/h/config/nxcloud/nxcloud.ini", "a")
            .with("/h/.nxcloud.ini", "b");
        let vars = env(&[("HOME", "/h"), ("XDG_CONFIG_HOME", "/x")]);
        let lookup = find_pat_file(&host, &vars, Platform::Unix);
        assert_eq!(
            lookup.found,
            Some(PathBuf::from("/h/config/nxcloud/nxcloud.ini"))
        );
        assert_eq!(
            paths(&lookup.skipped),
            ["/x/nxcloud/nxcloud.ini", "/h/.config/nxcloud/nxcloud.ini"]
        );
    }

    #[test]
    fn no_pat_file_skips_every_candidate() {
        let lookup = find_pat_file(
            &FakeHost::default(),
            &env(&[("HOME", "/h")]),
            Platform::Unix,
        );
        assert_eq!(lookup.found, None);
        assert_eq!(lookup.skipped.len(), 3);
    }

    #[test]
    fn the_root_is_the_nearest_folder_with_nx_json() {
        let host = FakeHost::default()
            .with("/repo/nx.json", "{}")
            .with("/repo/apps/web/nx.json", "{}");
        let vars = BTreeMap::new();
        assert_eq!(
            workspace_root(&host, &vars, Path::new("/repo/apps/web/src")),
            PathBuf::from("/repo/apps/web")
        );
        assert_eq!(
            workspace_root(&host, &vars, Path::new("/repo/libs")),
            PathBuf::from("/repo")
        );
    }

    #[test]
    fn an_nx_or_nx_bat_file_also_marks_the_root() {
        let host = FakeHost::default().with("/repo/nx.bat", "");
        assert_eq!(
            workspace_root(&host, &BTreeMap::new(), Path::new("/repo/a")),
            PathBuf::from("/repo")
        );
    }

    #[test]
    fn without_nx_json_the_highest_installed_nx_marks_the_root() {
        let host = FakeHost::default()
            .with("/repo/node_modules/nx/package.json", "{}")
            .with("/repo/pkg/node_modules/nx/package.json", "{}");
        assert_eq!(
            workspace_root(&host, &BTreeMap::new(), Path::new("/repo/pkg/src")),
            PathBuf::from("/repo")
        );
    }

    #[test]
    fn without_any_marker_the_root_is_dir() {
        assert_eq!(
            workspace_root(&FakeHost::default(), &BTreeMap::new(), Path::new("/a/b")),
            PathBuf::from("/a/b")
        );
    }

    #[test]
    fn nx_workspace_root_path_overrides_the_search() {
        let host = FakeHost::default().with("/repo/nx.json", "{}");
        let vars = env(&[("NX_WORKSPACE_ROOT_PATH", "../other")]);
        assert_eq!(
            workspace_root(&host, &vars, Path::new("/repo/a")),
            PathBuf::from("/repo/other")
        );
    }

    #[test]
    fn the_installed_nx_version_is_found_upwards() {
        let host = FakeHost::default().with(
            "/mono/node_modules/nx/package.json",
            r#"{"name":"nx","version":"19.6.7"}"#,
        );
        let found = installed_version(&host, Path::new("/mono/ws"), "nx");
        let found = found.ok().flatten();
        assert_eq!(
            found,
            Some(Detected {
                value: "19.6.7".into(),
                path: PathBuf::from("/mono/node_modules/nx/package.json"),
            })
        );
    }

    #[test]
    fn a_package_json_without_version_is_an_error() {
        let host = FakeHost::default().with("/w/node_modules/nx/package.json", "{oops");
        assert!(matches!(
            installed_version(&host, Path::new("/w"), "nx"),
            Err(GatherError::NoPackageVersion { .. })
        ));
    }

    fn sample_host() -> FakeHost {
        FakeHost {
            git: Some(vec!["nx.json".into(), ".env".into()]),
            ..FakeHost::default()
        }
        .with("/w/nx.json", r#"{ "nxCloudId": "x" }"#)
        .with("/w/.env", "NX_CLOUD_ACCESS_TOKEN=a")
        .with("/w/.local.env", "A=1")
        .with("/w/sub/.env", "NX_CLOUD_ACCESS_TOKEN=sub")
        .with("/w/nx-cloud.env", "NX_CLOUD_AUTH_TOKEN=b")
        .with("/w/package.json", "{}")
        .with("/w/node_modules/nx/package.json", r#"{"version":"20.1.0"}"#)
        .with(
            "/w/node_modules/nx-cloud/package.json",
            r#"{"version":"19.1.3"}"#,
        )
        .with(
            "/h/.nxcloud.ini",
            "[https://cloud\\.nx\\.app]\npersonalAccessToken=p",
        )
    }

    #[test]
    fn gather_builds_the_input_from_the_workspace() {
        let host = sample_host();
        let vars = env(&[("HOME", "/h"), ("NX_CLOUD_API", "https://x")]);
        let ws = gather(&host, &vars, &request("/w/sub")).ok();
        let Some(ws) = ws else {
            unreachable!("gather failed")
        };
        assert_eq!(ws.root, PathBuf::from("/w"));
        assert_eq!(ws.nx_json, Some(PathBuf::from("/w/nx.json")));
        assert_eq!(
            ws.nx_version,
            VersionOrigin::Installed("/w/node_modules/nx/package.json".into())
        );
        assert_eq!(ws.dot_env_dir, PathBuf::from("/w"));
        assert_eq!(*host.asked_git_in.borrow(), [PathBuf::from("/w")]);
        let input = ws.input;
        assert_eq!(input.nx_version.as_deref(), Some("20.1.0"));
        assert_eq!(input.nx_json.as_deref(), Some(r#"{ "nxCloudId": "x" }"#));
        assert_eq!(input.env, vars);
        assert_eq!(
            input.dot_env_files,
            env(&[(".env", "NX_CLOUD_ACCESS_TOKEN=a"), (".local.env", "A=1")])
        );
        assert_eq!(input.nx_cloud_env.as_deref(), Some("NX_CLOUD_AUTH_TOKEN=b"));
        assert_eq!(input.cloud_client.as_deref(), Some("nx-cloud@19.1.3"));
        assert_eq!(input.package_json.as_deref(), Some("{}"));
        assert_eq!(input.runner, None);
        assert_eq!(
            input.nxcloud_ini.map(|ini| ini.path),
            Some("/h/.nxcloud.ini".to_owned())
        );
        assert_eq!(
            input.tracked_files,
            Some(vec!["nx.json".into(), ".env".into()])
        );
    }

    #[test]
    fn a_version_with_a_v_prefix_is_still_an_old_version() {
        // The published nx 17.0.6 says `v17.0.6` in its package.json.
        let host = sample_host();
        let mut req = request("/w/sub");
        req.nx_version = Some("v17.0.6".into());
        let Ok(ws) = gather(&host, &BTreeMap::new(), &req) else {
            unreachable!("gather failed")
        };
        assert_eq!(ws.dot_env_dir, PathBuf::from("/w/sub"));
    }

    #[test]
    fn old_versions_read_the_dot_env_files_of_the_current_directory() {
        let host = sample_host();
        let mut req = request("/w/sub");
        req.nx_version = Some("18.3.1".into());
        req.runner = Some("ci".into());
        let Ok(ws) = gather(&host, &BTreeMap::new(), &req) else {
            unreachable!("gather failed")
        };
        assert_eq!(ws.nx_version, VersionOrigin::Argument);
        assert_eq!(ws.dot_env_dir, PathBuf::from("/w/sub"));
        assert_eq!(ws.input.nx_version.as_deref(), Some("18.3.1"));
        assert_eq!(ws.input.runner.as_deref(), Some("ci"));
        assert_eq!(
            ws.input.dot_env_files,
            env(&[(".env", "NX_CLOUD_ACCESS_TOKEN=sub")])
        );
        assert_eq!(ws.pat, PatLookup::default());
    }

    #[test]
    fn outside_git_there_is_no_tracked_list() {
        let host = FakeHost::default().with("/w/nx.json", "{}");
        let Ok(ws) = gather(&host, &BTreeMap::new(), &request("/w")) else {
            unreachable!("gather failed")
        };
        assert_eq!(ws.input.tracked_files, None);
        assert_eq!(ws.nx_version, VersionOrigin::Unknown);
        assert_eq!(ws.input.nx_version, None);
        assert_eq!(ws.input.cloud_client, None);
    }

    #[test]
    fn an_unreadable_nx_json_names_the_file() {
        let host = FakeHost {
            unreadable: vec![PathBuf::from("/w/nx.json")],
            ..FakeHost::default()
        }
        .with("/w/nx.json", "{}");
        match gather(&host, &BTreeMap::new(), &request("/w")) {
            Err(GatherError::Unreadable { path, .. }) => {
                assert_eq!(path, PathBuf::from("/w/nx.json"))
            }
            other => unreachable!("expected an unreadable nx.json, got {other:?}"),
        }
    }

    fn detected(version: &str) -> Detected {
        Detected {
            value: version.into(),
            path: PathBuf::from("p"),
        }
    }

    #[test]
    fn the_client_nx_loads_is_chosen_by_runner_name_and_version() {
        let both = || {
            vec![
                ("nx-cloud", detected("19.1.3")),
                ("@nrwl/nx-cloud", detected("16.5.2")),
            ]
        };
        let legacy = Some(r#"{"tasksRunnerOptions":{"default":{"runner":"@nrwl/nx-cloud"}}}"#);
        let chosen = |json, version| choose_client(both(), None, json, version).map(|d| d.value);
        assert_eq!(
            chosen(legacy, Some("16.10.0")).as_deref(),
            Some("@nrwl/nx-cloud@16.5.2")
        );
        assert_eq!(
            chosen(legacy, Some("21.0.0")).as_deref(),
            Some("nx-cloud@19.1.3")
        );
        assert_eq!(
            chosen(Some("{}"), Some("16.10.0")).as_deref(),
            Some("nx-cloud@19.1.3")
        );
        let only_nrwl = choose_client(
            vec![("@nrwl/nx-cloud", detected("15.3.5"))],
            Some("nx-cloud"),
            Some("{}"),
            None,
        );
        assert_eq!(
            only_nrwl.map(|d| d.value).as_deref(),
            Some("@nrwl/nx-cloud@15.3.5")
        );
        assert_eq!(choose_client(Vec::new(), None, legacy, None), None);
    }

    #[test]
    fn the_selected_entry_picks_the_installed_client_it_names() {
        // Recorded: separate-clients-runner-ci and separate-clients-default-entry
        // (nx 16.10.0, @nrwl/nx-cloud 15.3.5 and nx-cloud 19.1.3 installed apart).
        let text = r#"{"tasksRunnerOptions":{
            "default":{"runner":"@nrwl/nx-cloud","options":{"accessToken":"default-token-001"}},
            "ci":{"runner":"nx-cloud","options":{"accessToken":"ci-token-0000001"}}}}"#;
        let host = FakeHost::default()
            .with("/w/nx.json", text)
            .with(
                "/w/node_modules/nx/package.json",
                r#"{"version":"16.10.0"}"#,
            )
            .with(
                "/w/node_modules/@nrwl/nx-cloud/package.json",
                r#"{"version":"15.3.5"}"#,
            )
            .with(
                "/w/node_modules/nx-cloud/package.json",
                r#"{"version":"19.1.3"}"#,
            );
        let client = |runner: Option<&str>, env: BTreeMap<String, String>| {
            let mut req = request("/w");
            req.runner = runner.map(str::to_owned);
            gather(&host, &env, &req)
                .ok()
                .and_then(|ws| ws.input.cloud_client)
        };
        assert_eq!(
            client(Some("ci"), env(&[])).as_deref(),
            Some("nx-cloud@19.1.3")
        );
        assert_eq!(
            client(None, env(&[("NX_TASKS_RUNNER", "ci")])).as_deref(),
            Some("nx-cloud@19.1.3")
        );
        assert_eq!(
            client(None, env(&[])).as_deref(),
            Some("@nrwl/nx-cloud@15.3.5")
        );
    }

    #[test]
    fn shown_paths_are_relative_to_the_base_when_under_it() {
        assert_eq!(shown(Path::new("/a"), Path::new("/a/b/c")), "b/c");
        assert_eq!(shown(Path::new("/a"), Path::new("/a")), ".");
        assert_eq!(shown(Path::new("/a"), Path::new("/x/y")), "/x/y");
    }

    #[test]
    fn normalize_removes_dot_components() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
    }
}
