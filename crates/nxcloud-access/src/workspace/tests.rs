//! The discovery's tests, over an in-memory [`Host`].

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
    fn read(&self, path: &Path) -> Result<Option<String>, String> {
        if self.unreadable.iter().any(|p| p == path) {
            return Err("denied".to_owned());
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
        ("LOCALAPPDATA", "C:\\L"),
        ("USERPROFILE", "C:\\U"),
        ("HOME", "/h"),
        ("XDG_CONFIG_HOME", "/x"),
    ]);
    let found = pat_candidates(&vars, Platform::Windows);
    // The separator of pat_ini::candidates, whatever the platform the test
    // runs on: on Windows, the paths Nx Cloud's tools look at.
    assert_eq!(
        paths(&found),
        ["C:\\L\\nxcloud\\nxcloud.ini", "C:\\U\\.nxcloud.ini"]
    );
}

#[test]
fn repeated_separators_in_a_variable_are_dropped_as_node_path_join_does() {
    let found = pat_candidates(&env(&[("HOME", "/h/")]), Platform::Unix);
    assert_eq!(
        paths(&found),
        [
            "/h/.config/nxcloud/nxcloud.ini",
            "/h/config/nxcloud/nxcloud.ini",
            "/h/.nxcloud.ini",
        ]
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

#[test]
fn gather_reports_where_each_input_came_from() {
    let host = sample_host();
    let vars = env(&[("HOME", "/h"), ("XDG_CONFIG_HOME", "/x")]);
    let Ok(ws) = gather(&host, &vars, &request("/w/sub")) else {
        unreachable!("gather failed")
    };
    assert_eq!(
        paths(&ws.dot_env_files),
        ["/w/.local.env", "/w/.env"],
        "the .env files read, in Nx's order"
    );
    assert_eq!(ws.nx_cloud_env, Some(PathBuf::from("/w/nx-cloud.env")));
    assert_eq!(ws.package_json, Some(PathBuf::from("/w/package.json")));
    assert_eq!(
        ws.cloud_client,
        Some(Detected {
            value: "nx-cloud@19.1.3".into(),
            path: PathBuf::from("/w/node_modules/nx-cloud/package.json"),
        })
    );
    assert_eq!(ws.pat.found, Some(PathBuf::from("/h/.nxcloud.ini")));
    assert_eq!(
        paths(&ws.pat.skipped),
        [
            "/x/nxcloud/nxcloud.ini",
            "/h/.config/nxcloud/nxcloud.ini",
            "/h/config/nxcloud/nxcloud.ini",
        ]
    );
}

#[test]
fn a_workspace_without_files_reports_none_of_them() {
    let Ok(ws) = gather(&FakeHost::default(), &BTreeMap::new(), &request("/w")) else {
        unreachable!("gather failed")
    };
    assert_eq!(ws.nx_json, None);
    assert!(ws.dot_env_files.is_empty());
    assert_eq!(ws.nx_cloud_env, None);
    assert_eq!(ws.package_json, None);
    assert_eq!(ws.pat, PatLookup::default());
}

/// A host that hands back whatever text it holds, however large.
struct CarelessHost(String);

impl Host for CarelessHost {
    fn read(&self, path: &Path) -> Result<Option<String>, String> {
        Ok((path == Path::new("/w/nx.json")).then(|| self.0.clone()))
    }

    fn is_file(&self, path: &Path) -> bool {
        path == Path::new("/w/nx.json")
    }

    fn tracked_files(&self, _: &Path, _: &[&str]) -> Option<Vec<String>> {
        None
    }
}

#[test]
fn a_text_over_the_limit_is_unreadable_even_from_a_careless_host() {
    let at_limit = CarelessHost(" ".repeat(MAX_TEXT_BYTES));
    assert!(gather(&at_limit, &BTreeMap::new(), &request("/w")).is_ok());
    let over = CarelessHost(" ".repeat(MAX_TEXT_BYTES + 1));
    match gather(&over, &BTreeMap::new(), &request("/w")) {
        Err(error @ GatherError::Unreadable { .. }) => {
            assert_eq!(error.code(), "unreadable-file");
            let message = error.to_string();
            assert!(message.contains("`/w/nx.json`"), "{message}");
            assert!(message.contains(&too_large()), "{message}");
        }
        other => unreachable!("expected an unreadable nx.json, got {other:?}"),
    }
}

#[test]
fn errors_have_stable_codes_and_name_the_file_and_the_fix() {
    let host = FakeHost::default().with("/w/node_modules/nx/package.json", "{}");
    let Err(error) = gather(&host, &BTreeMap::new(), &request("/w")) else {
        unreachable!("a package.json without version must fail")
    };
    assert_eq!(error.code(), "no-package-version");
    let mut given = request("/w");
    given.nx_version = Some("20.0.0".into());
    assert!(
        gather(&host, &BTreeMap::new(), &given).is_ok(),
        "a given version is not looked up"
    );
    let message = error.to_string();
    assert!(
        message.contains("`/w/node_modules/nx/package.json`") && message.contains("reinstall"),
        "{message}"
    );
}

/// `resolve` against resolving `gather`'s input (which always asks git).
fn resolve_both_ways(host: &FakeHost, vars: &BTreeMap<String, String>) -> (Resolution, Resolution) {
    let asked = gather(host, vars, &request("/w")).expect("gathered");
    let expected = crate::resolve_credentials(&asked.input).expect("resolved");
    host.asked_git_in.borrow_mut().clear();
    let (_, resolution) = resolve(host, vars, &request("/w")).expect("gathered");
    (resolution.expect("resolved"), expected)
}

#[test]
fn resolve_asks_git_only_when_a_root_file_holds_a_token() {
    // No token in any trackable root file: git cannot change the answer.
    let host = FakeHost {
        git: Some(vec!["nx.json".into(), ".env".into()]),
        ..FakeHost::default()
    }
    .with("/w/nx.json", r#"{ "nxCloudId": "x" }"#)
    .with("/w/.env", "A=1")
    .with(
        "/w/node_modules/nx/package.json",
        r#"{"version":"22.7.12"}"#,
    );
    let vars = env(&[("HOME", "/h"), ("NX_CLOUD_ACCESS_TOKEN", "from-env")]);
    let (resolution, expected) = resolve_both_ways(&host, &vars);
    assert_eq!(resolution, expected);
    assert!(host.asked_git_in.borrow().is_empty(), "git was asked");

    // A token in a tracked `.env`: git is asked, and the committed-token
    // finding is there, as when gather's input is resolved.
    let host = host.with("/w/.env", "NX_CLOUD_ACCESS_TOKEN=committed");
    let (resolution, expected) = resolve_both_ways(&host, &vars);
    assert_eq!(resolution, expected);
    assert_eq!(paths(&host.asked_git_in.borrow()), ["/w"]);
    assert!(resolution
        .findings
        .iter()
        .any(|f| f.code.starts_with("committed-")));
}

#[test]
fn resolve_gives_gathers_answer_whatever_git_says() {
    // Each trackable file with a token, in git or not, and outside git.
    let texts = [
        ("/w/nx.json", r#"{ "nxCloudAccessToken": "in-nx-json" }"#),
        ("/w/.env", "NX_CLOUD_ACCESS_TOKEN=a"),
        ("/w/.env.local", "NX_CLOUD_AUTH_TOKEN=b"),
        (
            "/w/.local.env",
            "NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN=c",
        ),
        ("/w/nx-cloud.env", "NX_CLOUD_ACCESS_TOKEN=d"),
    ];
    let gits: [Option<Vec<String>>; 3] = [
        None,
        Some(Vec::new()),
        Some(TRACKABLE_FILES.iter().map(|&n| n.to_owned()).collect()),
    ];
    let vars = env(&[
        ("HOME", "/h"),
        (
            "NX_SELF_HOSTED_REMOTE_CACHE_SERVER",
            "http://cache:4599/ws/x",
        ),
    ]);
    for (path, text) in texts {
        for git in &gits {
            let host = FakeHost {
                git: git.clone(),
                ..FakeHost::default()
            }
            .with("/w/nx.json", r#"{ "nxCloudId": "x" }"#)
            .with(
                "/w/node_modules/nx/package.json",
                r#"{"version":"22.7.12"}"#,
            )
            .with(path, text);
            let (resolution, expected) = resolve_both_ways(&host, &vars);
            assert_eq!(resolution, expected, "{path} with git {git:?}");
        }
    }
}
