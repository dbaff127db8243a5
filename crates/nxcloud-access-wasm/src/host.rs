//! Workspace discovery from Node: the core's [`workspace::gather`] over a
//! [`Host`] whose file reads and git calls are JS callbacks.
//!
//! `pkg/node.cjs` (the entry `nxcloud-access/node`) implements the host
//! with `node:fs` and `node:child_process` and calls [`workspace()`]; the CLI
//! implements the same trait with `std::fs` and `git`. One discovery, so `resolveWorkspace(DIR)` and `nxcloud-access
//! explain --json --show-secrets DIR` give the same `Resolution`.
//!
//! The host object, all synchronous:
//!
//! * `read(path) -> string | null`: the text of a file, `null` when there is
//!   none; throws for a file that exists but cannot be read or is over the
//!   size limit (its message becomes the `unreadable-file` error's reason);
//! * `isFile(path) -> boolean`: an existing regular file, links followed;
//! * `trackedFiles(root, names) -> string[] | null`: `git ls-files` of
//!   `names` at `root`, `null` outside git.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use nxcloud_access::workspace::{self, Host, Platform, Request, VersionOrigin, Workspace};
use nxcloud_access::{ErrorCode as _, ResolveInput};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::convert;

#[wasm_bindgen]
extern "C" {
    /// The host object of `pkg/node.cjs`.
    pub type JsHost;

    #[wasm_bindgen(method, catch)]
    fn read(this: &JsHost, path: &str) -> Result<Option<String>, JsValue>;

    #[wasm_bindgen(method, catch, js_name = isFile)]
    fn is_file(this: &JsHost, path: &str) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch, js_name = trackedFiles)]
    fn tracked_files(this: &JsHost, root: &str, names: js_sys::Array) -> Result<JsValue, JsValue>;
}

/// A path as the JS side takes it (paths come from JS strings: always UTF-8).
fn text(path: &Path) -> String {
    // `to_str`, not `to_string_lossy`: no lossy-conversion code in the wasm
    // for a case that cannot happen.
    path.to_str().unwrap_or_default().to_owned()
}

impl Host for JsHost {
    fn read(&self, path: &Path) -> Result<Option<String>, String> {
        JsHost::read(self, &text(path)).map_err(|thrown| {
            thrown
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .or_else(|| thrown.as_string())
                .unwrap_or_else(|| "the host's read failed".to_owned())
        })
    }

    fn is_file(&self, path: &Path) -> bool {
        JsHost::is_file(self, &text(path)).is_ok_and(|answer| answer.as_bool() == Some(true))
    }

    fn tracked_files(&self, root: &Path, names: &[&str]) -> Option<Vec<String>> {
        let list: js_sys::Array = names.iter().map(|name| JsValue::from_str(name)).collect();
        let answer = JsHost::tracked_files(self, &text(root), list).ok()?;
        let array = answer.dyn_into::<js_sys::Array>().ok()?;
        array.iter().map(|name| name.as_string()).collect()
    }
}

/// A discovery error as the package throws it.
fn gather_error(e: &workspace::GatherError) -> JsValue {
    // `code()` and `to_string()` called directly: no `dyn Error` of the
    // discovery (whose vtable would bring `Debug` code into the wasm).
    convert::error(e.code(), &e.to_string(), None)
}

/// The inputs `readWorkspace` found, where each came from, and the
/// `ResolveInput` built from them. Paths are absolute.
#[derive(Serialize)]
#[cfg_attr(test, derive(Debug))]
#[derive(tsify::Tsify)]
#[tsify(missing_as_null)]
#[serde(rename_all = "camelCase")]
pub struct DiscoveredWorkspace {
    /// The workspace root (Nx's `workspaceRoot`: the nearest folder upwards
    /// holding `nx.json`, `nx` or `nx.bat`, else the highest holding
    /// `node_modules/nx`, else `dir`; `NX_WORKSPACE_ROOT_PATH` wins).
    root: String,
    /// `nx.json` at the root, when there is one.
    nx_json: Option<String>,
    /// The Nx version whose rules apply, and where it came from.
    nx_version: NxVersionOrigin,
    /// The Nx Cloud client package Nx would load (CLI-1), when installed.
    cloud_client: Option<FoundValue>,
    /// The `.env` files Nx loads (DOT-1): the folder and the files read.
    dot_env: DotEnv,
    /// `nx-cloud.env` at the root, when there is one.
    nx_cloud_env: Option<String>,
    /// `package.json` at the root, when there is one.
    package_json: Option<String>,
    /// The personal access token file (PATR-1).
    pat_file: PatFile,
    /// The root files git tracks (TOKF-2); `null` outside git.
    tracked_files: Option<Vec<String>>,
    /// The input of `resolveCredentials` built from all of the above.
    input: ResolveInput,
}

/// The Nx version whose rules apply.
#[derive(Serialize, tsify::Tsify)]
#[cfg_attr(test, derive(Debug))]
#[tsify(missing_as_null)]
#[serde(rename_all = "camelCase")]
pub struct NxVersionOrigin {
    /// As given or as the installed `package.json` says it (`v17.0.6`
    /// too); `null`: not installed and not given (the newest rules apply).
    value: Option<String>,
    /// `argument`: the `nxVersion` option; `installed`: `path`, the
    /// installed `nx` package's `package.json` (Node's upward lookup);
    /// `unknown`: neither.
    #[tsify(type = "\"argument\" | \"installed\" | \"unknown\"")]
    origin: &'static str,
    path: Option<String>,
}

/// A value read from a file, with the file.
#[derive(Serialize, tsify::Tsify)]
#[cfg_attr(test, derive(Debug))]
pub struct FoundValue {
    /// e.g. `nx-cloud@19.1.3`.
    value: String,
    /// The `package.json` it was read from.
    path: String,
}

/// Where the `.env` files were read (DOT-1).
#[derive(Serialize, tsify::Tsify)]
#[cfg_attr(test, derive(Debug))]
pub struct DotEnv {
    /// The root, or `dir` for Nx 18.3.1 and older (Nx reads them from the
    /// folder it runs in).
    dir: String,
    /// The files read, in Nx's order (`.local.env`, `.env.local`, `.env`).
    files: Vec<String>,
}

/// The PAT file lookup (PATR-1).
#[derive(Serialize, tsify::Tsify)]
#[cfg_attr(test, derive(Debug))]
#[tsify(missing_as_null)]
pub struct PatFile {
    /// The first candidate that exists, or `null`.
    path: Option<String>,
    /// The candidates before it (all of them when none exists), in order.
    skipped: Vec<String>,
}

impl DiscoveredWorkspace {
    fn of(found: Workspace) -> Self {
        let all = |paths: &[PathBuf]| paths.iter().map(|p| text(p)).collect();
        let (origin, path) = match &found.nx_version {
            VersionOrigin::Argument => ("argument", None),
            VersionOrigin::Installed(path) => ("installed", Some(text(path))),
            VersionOrigin::Unknown => ("unknown", None),
        };
        DiscoveredWorkspace {
            root: text(&found.root),
            nx_json: found.nx_json.as_deref().map(text),
            nx_version: NxVersionOrigin {
                value: found.input.nx_version.clone(),
                origin,
                path,
            },
            cloud_client: found.cloud_client.map(|client| FoundValue {
                value: client.value,
                path: text(&client.path),
            }),
            dot_env: DotEnv {
                dir: text(&found.dot_env_dir),
                files: all(&found.dot_env_files),
            },
            nx_cloud_env: found.nx_cloud_env.as_deref().map(text),
            package_json: found.package_json.as_deref().map(text),
            pat_file: PatFile {
                path: found.pat.found.as_deref().map(text),
                skipped: all(&found.pat.skipped),
            },
            tracked_files: found.input.tracked_files.clone(),
            input: found.input,
        }
    }
}

/// `readWorkspace` (`resolve` false: the discovery alone) and
/// `resolveWorkspace` (`resolve` true: the discovery, then
/// `resolveCredentials` of its input) of `nxcloud-access/node`. One export
/// for both: less glue code in the wasm. An `invalid-nx-json` error's
/// message starts with the path of `nx.json` (relative to `cwd` when under
/// it), as the CLI prints it.
///
/// The arguments, as `pkg/node.cjs` passes them: absolute `dir` and `cwd`,
/// the environment as name, value, name, value… (its `undefined` values
/// left out), the options. Plain arguments rather than one object read with
/// serde: less code in the wasm.
#[allow(clippy::too_many_arguments)] // the plain arguments of a JS call
#[wasm_bindgen(js_name = __workspace, skip_typescript)]
pub fn workspace(
    resolve: bool,
    host: &JsHost,
    dir: String,
    cwd: String,
    env: Vec<String>,
    nx_version: Option<String>,
    runner: Option<String>,
    windows: bool,
) -> Result<JsValue, JsValue> {
    let mut vars = BTreeMap::new();
    let mut pairs = env.into_iter();
    while let (Some(name), Some(value)) = (pairs.next(), pairs.next()) {
        vars.insert(name, value);
    }
    let env = vars;
    let core = Request {
        dir: PathBuf::from(dir),
        cwd: PathBuf::from(cwd),
        nx_version,
        runner,
        platform: if windows {
            Platform::Windows
        } else {
            Platform::Unix
        },
    };
    if !resolve {
        let found = workspace::gather(host, &env, &core).map_err(|e| gather_error(&e))?;
        return convert::to_js(&DiscoveredWorkspace::of(found));
    }
    // Git is asked only when the answer depends on it (a process spawn of
    // a few milliseconds, most of a warm call).
    let (found, resolution) =
        workspace::resolve(host, &env, &core).map_err(|e| gather_error(&e))?;
    let resolution = resolution.map_err(|error| {
        let message = match error.code() {
            "invalid-nx-json" => {
                let nx_json = workspace::shown(&core.cwd, &found.root.join("nx.json"));
                format!("{nx_json}: {error}")
            }
            _ => error.to_string(),
        };
        convert::error(error.code(), &message, error.location())
    })?;
    convert::to_js(&resolution)
}
