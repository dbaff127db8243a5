//! The decision of the Nx plugin `nxcloud-access/nx-plugin`: which
//! self-hosted remote cache variables to set before Nx runs tasks.
//!
//! The plugin's `preTasksExecution` hook (Nx ≥ 20.4) hands the developer's
//! personal access token to a self-hosted remote cache (`nxcloud-access
//! serve`): it sets
//!
//! * `NX_SELF_HOSTED_REMOTE_CACHE_SERVER` to `{url}/ws/{nxCloudId}` and
//! * `NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN` to the personal access token
//!   stored for `url` in the PAT file (PATR-1 order, PATR-2 section).
//!
//! Pure: the options, the environment the hook sees and what the plugin set
//! on its previous run come in; the PAT file is read through the caller's
//! `read` function, only when it is needed. [`plugin_setup`] returns what to
//! set, what to unset and the findings; [`PluginSetup::line`] is the one line
//! the plugin prints (errors only).
//!
//! Telling the plugin's own values from the user's: Nx runs the hook in a
//! long-lived process when the daemon is on, and a value the hook set stays
//! in that process's environment. The caller remembers exactly what the
//! hook set ([`Own`]); a variable whose value is that remembered value is the
//! plugin's own (stale) value and is unset, any other value is the user's
//! and is never overridden.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::input::pat_ini;
use crate::secret::Secret;

/// The variable Nx (≥ 20.8) reads the self-hosted remote cache's URL from.
pub const SERVER_VAR: &str = "NX_SELF_HOSTED_REMOTE_CACHE_SERVER";
/// The variable Nx (≥ 20.8) reads the self-hosted remote cache's bearer
/// token from.
pub const TOKEN_VAR: &str = "NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN";

/// What the plugin's hook knows when Nx calls it.
#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PluginInput {
    /// The plugin's `options` from nx.json, as Nx hands them (any JSON:
    /// validated here).
    #[serde(default)]
    pub options: PluginOptions,
    /// The environment the hook sees (`process.env`).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// What the plugin set on its previous run in this process.
    #[serde(default)]
    pub own: Own,
    /// Windows rules for the PAT file candidates (PATR-1).
    #[serde(default)]
    pub windows: bool,
}

/// The plugin's `options` as JSON gave them: only `url` and `nxCloudId`
/// are read, any other key is ignored. Read from any JSON value without
/// building a JSON tree (the wasm stays small).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum PluginOptions {
    /// No options (`null` or absent).
    #[default]
    Missing,
    /// A JSON value that is not an object (its kind: `a string`, …).
    NotAnObject(&'static str),
    /// An object.
    Object { url: Field, nx_cloud_id: Field },
}

/// One option's value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Field {
    #[default]
    Missing,
    Text(String),
    /// A value that is not a string (its kind: `a number`, …).
    Other(&'static str),
}

/// The values the plugin set on an earlier run in the same process.
#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Own {
    /// The `NX_SELF_HOSTED_REMOTE_CACHE_SERVER` it set.
    #[serde(default)]
    pub server: Option<String>,
    /// The `NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN` it set.
    #[serde(default, deserialize_with = "secret")]
    pub token: Option<Secret>,
}

fn secret<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Option<Secret>, D::Error> {
    Option::<String>::deserialize(de).map(|s| s.map(Secret::new))
}

/// What reading one candidate path of the PAT file gave.
#[derive(Clone, PartialEq, Eq)]
pub enum FileRead {
    /// No file there (the next candidate is tried, PATR-1).
    Missing,
    /// The file's text.
    Text(String),
    /// The file is there but could not be read (the reason, e.g. `EACCES`).
    Unreadable(String),
}

/// How bad a finding is: only `Error` findings are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PluginSeverity {
    /// The credential setup is broken: the plugin prints one line.
    Error,
    /// A normal outcome worth telling through the API, never printed.
    Info,
}

/// One thing the plugin found, with a stable `code`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginFinding {
    /// Stable code: `invalid-options`, `pat-file-unreadable`,
    /// `pat-file-invalid`, `pat-section-never-matched` (errors);
    /// `user-server`, `user-token`, `no-personal-access-token` (info).
    pub code: &'static str,
    pub severity: PluginSeverity,
    /// What was found, never a whole token.
    pub message: String,
}

/// What the hook does.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PluginSetup {
    /// The value to set `NX_SELF_HOSTED_REMOTE_CACHE_SERVER` to.
    pub server: Option<String>,
    /// The personal access token to set
    /// `NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN` to.
    pub token: Option<Secret>,
    /// Variables holding a stale value of the plugin's own, to unset
    /// before anything is set.
    pub unset: Vec<&'static str>,
    pub findings: Vec<PluginFinding>,
}

impl PluginSetup {
    /// The one line the plugin prints: every error finding, joined; `None`
    /// when there is none (no output on the happy path).
    pub fn line(&self) -> Option<String> {
        let errors: Vec<String> = self
            .findings
            .iter()
            .filter(|f| f.severity == PluginSeverity::Error)
            .map(|f| format!("error[{}]: {}", f.code, f.message))
            .collect();
        if errors.is_empty() {
            return None;
        }
        Some(format!("nxcloud-access/nx-plugin: {}", errors.join("; ")))
    }
}

/// The hook's decision. `read` returns what is at a path (called for the PAT
/// file candidates in PATR-1 order, until one exists, and only when a
/// personal access token is needed).
///
/// Rules, in order:
/// 1. a variable holding exactly what the plugin set before ([`Own`]) is the
///    plugin's stale value: it is unset and counts as not set;
/// 2. invalid options (`url` not an http(s) URL, `nxCloudId` missing or
///    not URL-safe): nothing is set, one error;
/// 3. the user's own `NX_SELF_HOSTED_REMOTE_CACHE_SERVER` (any value, even
///    empty) wins: nothing is set, unless it is the very URL the plugin
///    would set, then only the token step runs (a personal access token is
///    never sent to another server);
/// 4. the user's own `NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN` wins: only
///    the server is set;
/// 5. otherwise the server is set, and the token is the
///    `personalAccessToken` of the PAT file's section for `url` (PATR-1/2);
///    without one the server decides at the workspace ID access level.
pub fn plugin_setup(input: &PluginInput, read: &mut dyn FnMut(&str) -> FileRead) -> PluginSetup {
    let mut setup = PluginSetup::default();
    let user_server = user_value(input, SERVER_VAR, input.own.server.as_deref(), &mut setup);
    let user_token = user_value(
        input,
        TOKEN_VAR,
        input.own.token.as_ref().map(Secret::expose),
        &mut setup,
    );
    let (url, nx_cloud_id) = match options(&input.options) {
        Ok(options) => options,
        Err(message) => {
            setup.findings.push(error("invalid-options", message));
            return setup;
        }
    };
    let server = format!("{url}/ws/{nx_cloud_id}");
    match user_server {
        Some(theirs) if theirs != server => {
            setup.findings.push(info(
                "user-server",
                format!("`{SERVER_VAR}` is set by the user (`{theirs}`): the plugin sets nothing"),
            ));
            return setup;
        }
        Some(_) => {}
        None => setup.server = Some(server),
    }
    if user_token.is_some() {
        setup.findings.push(info(
            "user-token",
            format!("`{TOKEN_VAR}` is set by the user: the plugin leaves it"),
        ));
        return setup;
    }
    setup.token = personal_access_token(input, &url, read, &mut setup.findings);
    setup
}

/// The user's value of `var`, or `None` when unset or holding the plugin's
/// own earlier value (then also marked to unset).
fn user_value<'a>(
    input: &'a PluginInput,
    var: &'static str,
    own: Option<&str>,
    setup: &mut PluginSetup,
) -> Option<&'a str> {
    let value = input.env.get(var)?;
    if own == Some(value.as_str()) {
        setup.unset.push(var);
        return None;
    }
    Some(value)
}

/// The `url` (without trailing slashes) and `nxCloudId` of valid options, or
/// a message naming the nx.json key to fix.
fn options(options: &PluginOptions) -> Result<(String, String), String> {
    const WHERE: &str = "in the `options` of the plugin `nxcloud-access/nx-plugin` in nx.json";
    const EXAMPLE: &str = "`\"options\": { \"url\": \"http://cache:4599\", \"nxCloudId\": \"…\" }`";
    let (url, id) = match options {
        PluginOptions::Object { url, nx_cloud_id } => (url, nx_cloud_id),
        PluginOptions::Missing => {
            return Err(format!("no `url` and `nxCloudId` {WHERE}: add {EXAMPLE}"))
        }
        PluginOptions::NotAnObject(kind) => {
            return Err(format!(
                "the options are {kind}, not an object {WHERE}: write {EXAMPLE}"
            ))
        }
    };
    let mut problems = Vec::new();
    let url = match url {
        Field::Text(url) if valid_url(url) => Some(url.trim_end_matches('/').to_owned()),
        Field::Text(url) => {
            problems.push(format!(
                "`url` is `{url}`, not an http(s) URL such as `http://cache:4599`"
            ));
            None
        }
        Field::Other(kind) => {
            problems.push(format!("`url` is {kind}, not a string"));
            None
        }
        Field::Missing => {
            problems.push("`url` is missing (the self-hosted remote cache's URL, such as `http://cache:4599`)".to_owned());
            None
        }
    };
    let id = match id {
        Field::Text(id) if valid_id(id) => Some(id.clone()),
        Field::Text(id) => {
            problems.push(format!(
                "`nxCloudId` is `{id}`: only letters, digits, `-` and `_` are allowed"
            ));
            None
        }
        Field::Other(kind) => {
            problems.push(format!("`nxCloudId` is {kind}, not a string"));
            None
        }
        Field::Missing => {
            problems
                .push("`nxCloudId` is missing (the workspace's id on the cache server)".to_owned());
            None
        }
    };
    match (url, id) {
        (Some(url), Some(id)) => Ok((url, id)),
        _ => Err(format!("{} {WHERE}", problems.join(", "))),
    }
}

/// An absolute `http://` or `https://` URL with a host, no query, fragment
/// or whitespace.
fn valid_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"))
    else {
        return false;
    };
    let host = rest.split('/').next().unwrap_or_default();
    !host.is_empty()
        && !host.starts_with(':')
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c == '?' || c == '#')
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// PATR-1/2: the `personalAccessToken` of the first existing PAT file's
/// section for `url`.
fn personal_access_token(
    input: &PluginInput,
    url: &str,
    read: &mut dyn FnMut(&str) -> FileRead,
    findings: &mut Vec<PluginFinding>,
) -> Option<Secret> {
    // PATR-1: the first candidate that exists is the file.
    let mut file = None;
    for candidate in pat_ini::candidates(&input.env, input.windows) {
        match read(&candidate.path) {
            FileRead::Missing => continue,
            FileRead::Text(text) => {
                file = Some((candidate.path, text));
                break;
            }
            FileRead::Unreadable(reason) => {
                findings.push(error(
                    "pat-file-unreadable",
                    format!("the personal access token file `{}` cannot be read ({reason}): fix its permissions (it must be readable by you) or write it anew (docs/nx-plugin.md, \"The PAT file\"); the remote cache runs without your personal access token", candidate.path),
                ));
                return None;
            }
        }
    }
    let Some((path, text)) = file else {
        findings.push(info(
            "no-personal-access-token",
            "no personal access token file".to_owned(),
        ));
        return None;
    };
    let sections = match pat_ini::parse(&text) {
        Ok(sections) => sections,
        Err(e) => {
            findings.push(error(
                "pat-file-invalid",
                format!("{path}:{}:{}: the personal access token file is malformed ({}): fix that line (each section `[URL with dots escaped]`, then `personalAccessToken=…`); the remote cache runs without your personal access token", e.line, e.column, e.message),
            ));
            return None;
        }
    };
    // PATR-2: the section named by the URL with its dots escaped.
    let same = |name: &str| name.trim_end_matches('/') == url;
    if let Some(section) = sections
        .iter()
        .find(|s| s.url().as_deref().is_some_and(same))
    {
        if let Some(token) = section.token.clone().filter(|t| !t.is_empty()) {
            return Some(token);
        }
        findings.push(info(
            "no-personal-access-token",
            format!(
                "the section `[{}]` of `{path}` has no `{}`",
                section.raw_name,
                pat_ini::PAT_KEY
            ),
        ));
        return None;
    }
    // PATR-2: a hand-written section with plain dots is never matched.
    if let Some(section) = sections
        .iter()
        .find(|s| s.url().is_none() && same(&s.raw_name))
    {
        findings.push(error(
            "pat-section-never-matched",
            format!(
                "{path}: the section `[{}]` has unescaped dots, so it is never matched: rename it to `[{}]`; the remote cache runs without your personal access token",
                section.raw_name,
                pat_ini::escaped_section(&section.raw_name)
            ),
        ));
        return None;
    }
    findings.push(info(
        "no-personal-access-token",
        format!(
            "`{path}` has no section `[{}]`",
            pat_ini::escaped_section(url)
        ),
    ));
    None
}

impl<'de> Deserialize<'de> for PluginOptions {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        de.deserialize_any(OptionsVisitor)
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        de.deserialize_any(FieldVisitor)
    }
}

/// Reads `options`: an object's `url` and `nxCloudId`, or the kind of any
/// other value.
struct OptionsVisitor;

impl<'de> Visitor<'de> for OptionsVisitor {
    type Value = PluginOptions;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut url, mut nx_cloud_id) = (Field::Missing, Field::Missing);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "url" => url = map.next_value()?,
                "nxCloudId" => nx_cloud_id = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(PluginOptions::Object { url, nx_cloud_id })
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(PluginOptions::Missing)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_seq(seq)?;
        Ok(PluginOptions::NotAnObject("an array"))
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(PluginOptions::NotAnObject("a string"))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(PluginOptions::NotAnObject("a boolean"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(PluginOptions::NotAnObject("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(PluginOptions::NotAnObject("a number"))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(PluginOptions::NotAnObject("a number"))
    }
}

/// Reads one option: a string, or the kind of any other value.
struct FieldVisitor;

impl<'de> Visitor<'de> for FieldVisitor {
    type Value = Field;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Field::Text(text.to_owned()))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_map(map)?;
        Ok(Field::Other("an object"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_seq(seq)?;
        Ok(Field::Other("an array"))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Field::Other("null"))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Field::Other("a boolean"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Field::Other("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Field::Other("a number"))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Field::Other("a number"))
    }
}

fn error(code: &'static str, message: String) -> PluginFinding {
    PluginFinding {
        code,
        severity: PluginSeverity::Error,
        message,
    }
}

fn info(code: &'static str, message: String) -> PluginFinding {
    PluginFinding {
        code,
        severity: PluginSeverity::Info,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAT: &str = "pat-0123456789abcdef0123456789abcdef";
    const URL: &str = "http://cache.example:4599";

    fn input(env: &[(&str, &str)]) -> PluginInput {
        PluginInput {
            options: opts(serde_json::json!({ "url": URL, "nxCloudId": "abc123" })),
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            own: Own::default(),
            windows: false,
        }
    }

    fn opts(value: serde_json::Value) -> PluginOptions {
        serde_json::from_value(value).unwrap()
    }

    fn ini() -> String {
        format!("[http://cache\\.example:4599]\npersonalAccessToken={PAT}\n")
    }

    /// A file system of `(path, read)`; every other path is missing. Also
    /// records the paths asked for.
    fn run(input: &PluginInput, files: &[(&str, FileRead)]) -> (PluginSetup, Vec<String>) {
        let mut asked = Vec::new();
        let setup = plugin_setup(input, &mut |path| {
            asked.push(path.to_owned());
            files
                .iter()
                .find(|(p, _)| *p == path)
                .map_or(FileRead::Missing, |(_, r)| r.clone())
        });
        (setup, asked)
    }

    #[test]
    fn the_pat_of_the_url_and_the_workspace_server_are_set_silently() {
        let (setup, asked) = run(
            &input(&[("HOME", "/h")]),
            &[("/h/.nxcloud.ini", FileRead::Text(ini()))],
        );
        assert_eq!(
            setup.server.as_deref(),
            Some("http://cache.example:4599/ws/abc123")
        );
        assert_eq!(setup.token.as_ref().map(Secret::expose), Some(PAT));
        assert!(setup.unset.is_empty());
        assert_eq!(setup.line(), None);
        // PATR-1 order, stopping at the first existing file.
        assert_eq!(
            asked,
            [
                "/h/.config/nxcloud/nxcloud.ini",
                "/h/config/nxcloud/nxcloud.ini",
                "/h/.nxcloud.ini"
            ]
        );
    }

    #[test]
    fn the_first_existing_candidate_wins_even_without_the_section() {
        let (setup, _) = run(
            &input(&[("HOME", "/h"), ("XDG_CONFIG_HOME", "/x")]),
            &[
                (
                    "/x/nxcloud/nxcloud.ini",
                    FileRead::Text("[other]\na=b\n".to_owned()),
                ),
                ("/h/.nxcloud.ini", FileRead::Text(ini())),
            ],
        );
        assert!(setup.server.is_some());
        assert_eq!(setup.token, None);
        assert_eq!(setup.line(), None);
        assert_eq!(
            setup.findings.first().map(|f| f.code),
            Some("no-personal-access-token")
        );
    }

    #[test]
    fn a_trailing_slash_of_the_url_or_the_section_still_matches() {
        let mut i = input(&[("HOME", "/h")]);
        i.options = opts(serde_json::json!({ "url": format!("{URL}/"), "nxCloudId": "abc123" }));
        let (setup, _) = run(
            &i,
            &[(
                "/h/.nxcloud.ini",
                FileRead::Text(format!(
                    "[http://cache\\.example:4599/]\npersonalAccessToken={PAT}\n"
                )),
            )],
        );
        assert_eq!(
            setup.server.as_deref(),
            Some("http://cache.example:4599/ws/abc123")
        );
        assert_eq!(setup.token.as_ref().map(Secret::expose), Some(PAT));
    }

    #[test]
    fn no_pat_file_sets_the_server_alone_and_prints_nothing() {
        let (setup, _) = run(&input(&[("HOME", "/h")]), &[]);
        assert!(setup.server.is_some());
        assert_eq!(setup.token, None);
        assert_eq!(setup.line(), None);
    }

    #[test]
    fn the_users_token_wins_and_the_pat_file_is_not_read() {
        let (setup, asked) = run(
            &input(&[("HOME", "/h"), (TOKEN_VAR, "ci-token")]),
            &[("/h/.nxcloud.ini", FileRead::Text(ini()))],
        );
        assert!(setup.server.is_some());
        assert_eq!(setup.token, None);
        assert!(asked.is_empty());
        assert_eq!(setup.line(), None);
    }

    #[test]
    fn the_users_own_server_wins_and_never_receives_the_pat() {
        let (setup, asked) = run(
            &input(&[("HOME", "/h"), (SERVER_VAR, "http://elsewhere:1")]),
            &[("/h/.nxcloud.ini", FileRead::Text(ini()))],
        );
        assert_eq!(
            setup,
            PluginSetup {
                findings: setup.findings.clone(),
                ..PluginSetup::default()
            }
        );
        assert!(asked.is_empty());
        // An empty value is the user's too (it turns the cache off).
        let (setup, _) = run(
            &input(&[("HOME", "/h"), (SERVER_VAR, "")]),
            &[("/h/.nxcloud.ini", FileRead::Text(ini()))],
        );
        assert_eq!((setup.server, setup.token), (None, None));
    }

    #[test]
    fn the_users_server_equal_to_the_plugins_still_gets_the_pat() {
        let (setup, _) = run(
            &input(&[
                ("HOME", "/h"),
                (SERVER_VAR, "http://cache.example:4599/ws/abc123"),
            ]),
            &[("/h/.nxcloud.ini", FileRead::Text(ini()))],
        );
        assert_eq!(setup.server, None);
        assert_eq!(setup.token.as_ref().map(Secret::expose), Some(PAT));
    }

    #[test]
    fn the_plugins_own_stale_values_are_unset_and_recomputed() {
        let mut i = input(&[
            ("HOME", "/h"),
            (SERVER_VAR, "http://cache.example:4599/ws/abc123"),
            (TOKEN_VAR, "old-pat"),
        ]);
        i.own = Own {
            server: Some("http://cache.example:4599/ws/abc123".to_owned()),
            token: Some(Secret::new("old-pat")),
        };
        // The PAT was removed from the file: nothing of the old one stays.
        let (setup, _) = run(&i, &[]);
        assert_eq!(setup.unset, [SERVER_VAR, TOKEN_VAR]);
        assert_eq!(
            setup.server.as_deref(),
            Some("http://cache.example:4599/ws/abc123")
        );
        assert_eq!(setup.token, None);
        // The options are gone wrong: the stale values are still unset.
        i.options = PluginOptions::Missing;
        let (setup, _) = run(&i, &[]);
        assert_eq!(setup.unset, [SERVER_VAR, TOKEN_VAR]);
        assert_eq!((setup.server, setup.token), (None, None));
    }

    #[test]
    fn a_value_the_user_changed_after_the_plugin_is_the_users() {
        let mut i = input(&[("HOME", "/h"), (TOKEN_VAR, "ci-token")]);
        i.own.token = Some(Secret::new("old-pat"));
        let (setup, _) = run(&i, &[("/h/.nxcloud.ini", FileRead::Text(ini()))]);
        assert!(setup.unset.is_empty());
        assert_eq!(setup.token, None);
    }

    #[test]
    fn invalid_options_set_nothing_and_give_one_line() {
        for (options, expected) in [
            (serde_json::Value::Null, "no `url` and `nxCloudId`"),
            (serde_json::json!({ "url": "ftp://x", "nxCloudId": "a" }), "`url` is `ftp://x`, not an http(s) URL"),
            (serde_json::json!({ "url": "http://", "nxCloudId": "a" }), "not an http(s) URL"),
            (serde_json::json!({ "url": URL }), "`nxCloudId` is missing"),
            (serde_json::json!({ "url": URL, "nxCloudId": "a/b" }), "`nxCloudId` is `a/b`"),
            (serde_json::json!({ "nxCloudId": 3 }), "`url` is missing (the self-hosted remote cache's URL, such as `http://cache:4599`), `nxCloudId` is a number, not a string"),
            (serde_json::json!("http://x"), "the options are a string, not an object"),
            (serde_json::json!({ "url": [URL], "nxCloudId": "a", "other": { "x": 1 } }), "`url` is an array, not a string"),
        ] {
            let mut i = input(&[("HOME", "/h")]);
            i.options = opts(options);
            let (setup, asked) = run(&i, &[("/h/.nxcloud.ini", FileRead::Text(ini()))]);
            assert_eq!((setup.server.clone(), setup.token.clone()), (None, None));
            assert!(asked.is_empty());
            let line = setup.line().unwrap_or_default();
            assert!(line.starts_with("nxcloud-access/nx-plugin: error[invalid-options]: "), "{line}");
            assert!(line.contains(expected), "{line} lacks {expected}");
            assert!(line.contains("nx.json"));
            assert!(!line.contains('\n'));
        }
    }

    #[test]
    fn a_malformed_pat_file_gives_its_path_line_and_column_never_the_token() {
        let text = format!("[http://cache\\.example:4599]\npersonalAccessToken={PAT}\n[broken");
        let (setup, _) = run(
            &input(&[("HOME", "/h")]),
            &[("/h/.nxcloud.ini", FileRead::Text(text))],
        );
        assert!(setup.server.is_some());
        assert_eq!(setup.token, None);
        let line = setup.line().unwrap_or_default();
        assert!(
            line.contains("error[pat-file-invalid]: /h/.nxcloud.ini:3:"),
            "{line}"
        );
        assert!(!line.contains(PAT));
        assert!(!line.contains('\n'));
    }

    #[test]
    fn an_unreadable_pat_file_is_one_error_line() {
        let (setup, _) = run(
            &input(&[("HOME", "/h")]),
            &[(
                "/h/.config/nxcloud/nxcloud.ini",
                FileRead::Unreadable("EACCES".to_owned()),
            )],
        );
        assert!(setup.server.is_some());
        let line = setup.line().unwrap_or_default();
        assert!(line.contains("error[pat-file-unreadable]: the personal access token file `/h/.config/nxcloud/nxcloud.ini` cannot be read (EACCES)"), "{line}");
    }

    #[test]
    fn a_section_with_plain_dots_is_an_error_naming_the_escaped_form() {
        let text = format!("[http://cache.example:4599]\npersonalAccessToken={PAT}\n");
        let (setup, _) = run(
            &input(&[("HOME", "/h")]),
            &[("/h/.nxcloud.ini", FileRead::Text(text))],
        );
        assert_eq!(setup.token, None);
        let line = setup.line().unwrap_or_default();
        assert!(
            line.contains("rename it to `[http://cache\\.example:4599]`"),
            "{line}"
        );
        assert!(!line.contains(PAT));
    }

    #[test]
    fn windows_candidates_are_used_on_windows() {
        let mut i = input(&[("LOCALAPPDATA", "C:\\L"), ("HOME", "/h")]);
        i.windows = true;
        let (setup, asked) = run(
            &i,
            &[("C:\\L\\nxcloud\\nxcloud.ini", FileRead::Text(ini()))],
        );
        assert_eq!(asked, ["C:\\L\\nxcloud\\nxcloud.ini"]);
        assert_eq!(setup.token.as_ref().map(Secret::expose), Some(PAT));
    }

    #[test]
    fn debug_output_never_holds_the_token() {
        let (setup, _) = run(
            &input(&[("HOME", "/h")]),
            &[("/h/.nxcloud.ini", FileRead::Text(ini()))],
        );
        assert!(setup.token.is_some());
        assert!(!format!("{setup:?}").contains(PAT));
    }
}
