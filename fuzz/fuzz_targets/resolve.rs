//! Whole resolution inputs (`resolveCredentials`): a workspace assembled from
//! fuzzed fragments (nx.json shapes, dotenv lines, environment, versions,
//! clients, runner, PAT file, tracked files), each token a fuzzed secret.
//! Properties: no panic; the same input gives the same answer; no trace
//! step, finding, redacted form, `Debug` dump or error shows any planted
//! secret; a token that is sent was planted, and its `redacted` form is the
//! secret's redaction; no credential is sent unless the cloud runner runs.
#![no_main]

use std::collections::BTreeMap;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use nxcloud_access::resolve::{CredentialKind, NxcloudIni};
use nxcloud_access::{resolve_credentials, ResolveInput, Secret};

#[derive(Arbitrary, Debug)]
struct Case {
    version: Version,
    nx_json: Option<NxJson>,
    env: Vec<(EnvKey, Val)>,
    dot_env: Vec<(u8, Vec<(EnvKey, Val)>, Option<String>)>,
    nx_cloud_env: Option<(Vec<(EnvKey, Val)>, Option<String>)>,
    client: Option<(bool, u8, u8, u8)>,
    runner: Option<Name>,
    package_json: Option<String>,
    ini: Option<(bool, Val, Option<String>)>,
    tracked: Option<Vec<u8>>,
    secrets: [Secretish; 4],
}

#[derive(Arbitrary, Debug)]
enum Version {
    Known(u8, u8, u8),
    Text(String),
    Newest,
}

#[derive(Arbitrary, Debug)]
enum NxJson {
    Raw(String),
    Shaped {
        top_token: Option<Val>,
        top_id: Option<Val>,
        top_url: Option<Val>,
        never_connect: Option<bool>,
        runners: Vec<(Name, Option<Name>, Vec<(OptKey, Val)>)>,
        trailer: Option<String>,
    },
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum EnvKey {
    AccessToken,
    AuthToken,
    NoCloud,
    CloudApi,
    NxCloudId,
    Runner,
    TasksRunner,
    Other(u8),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum OptKey {
    AccessToken,
    Url,
    NxCloudId,
    Other,
}

#[derive(Arbitrary, Debug)]
enum Name {
    Default,
    Cloud,
    NrwlCloud,
    NxCloud,
    Text(String),
}

#[derive(Arbitrary, Debug)]
enum Val {
    Secret(u8),
    Empty,
    Text(String),
    Number(i32),
    Bool(bool),
    Null,
}

/// A secret long enough to be redacted to a prefix (12+ characters), made
/// of fuzzed bytes.
#[derive(Arbitrary, Debug)]
struct Secretish([u8; 16]);

impl Secretish {
    fn text(&self) -> String {
        let body: String = self.0.iter().map(|b| char::from(b'a' + b % 26)).collect();
        format!("fzS{body}")
    }
}

fn name(n: &Name) -> String {
    match n {
        Name::Default => "default".into(),
        Name::Cloud => "nx-cloud".into(),
        Name::NrwlCloud => "@nrwl/nx-cloud".into(),
        Name::NxCloud => "nx/tasks-runners/default".into(),
        Name::Text(t) => t.clone(),
    }
}

fn is_token_key(k: EnvKey) -> bool {
    matches!(k, EnvKey::AccessToken | EnvKey::AuthToken)
}

fn env_key(k: EnvKey) -> String {
    match k {
        EnvKey::AccessToken => "NX_CLOUD_ACCESS_TOKEN".into(),
        EnvKey::AuthToken => "NX_CLOUD_AUTH_TOKEN".into(),
        EnvKey::NoCloud => "NX_NO_CLOUD".into(),
        EnvKey::CloudApi => "NX_CLOUD_API".into(),
        EnvKey::NxCloudId => "NX_CLOUD_ID".into(),
        EnvKey::Runner => "NX_RUNNER".into(),
        EnvKey::TasksRunner => "NX_TASKS_RUNNER".into(),
        EnvKey::Other(n) => format!("V{n}"),
    }
}

/// A value; a planted secret only where a token belongs (`token`), since
/// URLs, ids and runner names are shown, as they should be.
fn val_text(v: &Val, secrets: &[String], token: bool) -> String {
    match v {
        Val::Secret(i) if token => secrets[usize::from(*i) % secrets.len()].clone(),
        Val::Secret(i) => format!("plain-{i}"),
        Val::Empty => String::new(),
        Val::Text(t) => t.clone(),
        Val::Number(n) => n.to_string(),
        Val::Bool(b) => b.to_string(),
        Val::Null => "null".into(),
    }
}

fn val_json(v: &Val, secrets: &[String], token: bool) -> String {
    match v {
        Val::Number(n) => n.to_string(),
        Val::Bool(b) => b.to_string(),
        Val::Null => "null".into(),
        other => serde_json::to_string(&val_text(other, secrets, token)).unwrap(),
    }
}

fn dotenv(lines: &[(EnvKey, Val)], trailer: &Option<String>, secrets: &[String]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in lines.iter().enumerate() {
        let value = val_text(v, secrets, is_token_key(*k));
        match i % 3 {
            0 => out.push_str(&format!("{}={value}\n", env_key(*k))),
            1 => out.push_str(&format!("export {}=\"{value}\"\n", env_key(*k))),
            _ => out.push_str(&format!("{}: '{value}' # c\n", env_key(*k))),
        }
    }
    if let Some(t) = trailer {
        out.push_str(t);
    }
    out
}

fn nx_json(n: &NxJson, secrets: &[String]) -> String {
    match n {
        NxJson::Raw(t) => t.clone(),
        NxJson::Shaped {
            top_token,
            top_id,
            top_url,
            never_connect,
            runners,
            trailer,
        } => {
            let mut fields = Vec::new();
            if let Some(v) = top_token {
                fields.push(format!(
                    "\"nxCloudAccessToken\": {}",
                    val_json(v, secrets, true)
                ));
            }
            if let Some(v) = top_id {
                fields.push(format!("\"nxCloudId\": {}", val_json(v, secrets, false)));
            }
            if let Some(v) = top_url {
                fields.push(format!("\"nxCloudUrl\": {}", val_json(v, secrets, false)));
            }
            if let Some(b) = never_connect {
                fields.push(format!("\"neverConnectToCloud\": {b}"));
            }
            if !runners.is_empty() {
                let entries: Vec<String> = runners
                    .iter()
                    .map(|(n, runner, options)| {
                        let mut entry = Vec::new();
                        if let Some(r) = runner {
                            entry.push(format!(
                                "\"runner\": {}",
                                serde_json::to_string(&name(r)).unwrap()
                            ));
                        }
                        let opts: Vec<String> = options
                            .iter()
                            .map(|(k, v)| {
                                let key = match k {
                                    OptKey::AccessToken => "accessToken",
                                    OptKey::Url => "url",
                                    OptKey::NxCloudId => "nxCloudId",
                                    OptKey::Other => "cacheableOperations",
                                };
                                let token = matches!(k, OptKey::AccessToken);
                                format!("\"{key}\": {}", val_json(v, secrets, token))
                            })
                            .collect();
                        entry.push(format!("\"options\": {{ {} }}", opts.join(", ")));
                        format!(
                            "{}: {{ {} }}",
                            serde_json::to_string(&name(n)).unwrap(),
                            entry.join(", ")
                        )
                    })
                    .collect();
                fields.push(format!(
                    "\"tasksRunnerOptions\": {{ {} }}",
                    entries.join(",\n")
                ));
            }
            format!(
                "{{\n  // fuzzed\n  {},\n}}{}",
                fields.join(",\n  "),
                trailer.as_deref().unwrap_or("")
            )
        }
    }
}

fuzz_target!(|case: Case| {
    let secrets: Vec<String> = case.secrets.iter().map(Secretish::text).collect();
    let dot_env_names = [".env", ".local.env", ".env.local", ".env.other"];
    let input = ResolveInput {
        nx_version: match &case.version {
            Version::Known(a, b, c) => Some(format!("{}.{}.{}", 15 + a % 11, b % 12, c % 9)),
            Version::Text(t) => Some(t.clone()),
            Version::Newest => None,
        },
        nx_json: case.nx_json.as_ref().map(|n| nx_json(n, &secrets)),
        env: case
            .env
            .iter()
            .map(|(k, v)| (env_key(*k), val_text(v, &secrets, is_token_key(*k))))
            .collect(),
        dot_env_files: case
            .dot_env
            .iter()
            .map(|(n, lines, t)| {
                (
                    dot_env_names[usize::from(*n) % dot_env_names.len()].to_owned(),
                    dotenv(lines, t, &secrets),
                )
            })
            .collect::<BTreeMap<_, _>>(),
        nx_cloud_env: case
            .nx_cloud_env
            .as_ref()
            .map(|(lines, t)| dotenv(lines, t, &secrets)),
        cloud_client: case.client.map(|(nrwl, a, b, c)| {
            let package = if nrwl { "@nrwl/nx-cloud" } else { "nx-cloud" };
            format!("{package}@{}.{}.{}", 14 + a % 12, b % 10, c % 5)
        }),
        runner: case.runner.as_ref().map(name),
        package_json: case.package_json.clone(),
        nxcloud_ini: case.ini.as_ref().map(|(windows, v, extra)| NxcloudIni {
            path: if *windows {
                "C:\\Users\\a\\AppData\\Local\\.nxcloud.ini".into()
            } else {
                "/home/a/.config/nxcloud/nxcloud.ini".into()
            },
            text: format!(
                "[https://cloud\\.nx\\.app]\npersonalAccessToken={}\n{}",
                val_text(v, &secrets, true),
                extra.as_deref().unwrap_or("")
            ),
        }),
        tracked_files: case.tracked.as_ref().map(|t| {
            let names = [
                "nx.json",
                ".env",
                "nx-cloud.env",
                ".local.env",
                "package.json",
            ];
            t.iter()
                .map(|i| names[usize::from(*i) % names.len()].to_owned())
                .collect()
        }),
    };
    let first = resolve_credentials(&input);
    let second = resolve_credentials(&input);
    assert_eq!(first, second, "the same input gave two answers");
    match first {
        Err(e) => {
            let shown = format!("{e} {e:?}");
            for s in &secrets {
                assert!(
                    !shown.contains(s.as_str()),
                    "an error shows a secret: {shown}"
                );
            }
        }
        Ok(r) => {
            let shown = format!(
                "{r:?}\n{}\n{}",
                serde_json::to_string(&r.trace).unwrap(),
                serde_json::to_string(&r.findings).unwrap()
            );
            for s in &secrets {
                assert!(
                    !shown.contains(s.as_str()),
                    "output shows secret `{s}`: {shown}"
                );
            }
            for sent in [&r.access_token, &r.personal_access_token]
                .into_iter()
                .flatten()
            {
                assert_eq!(sent.redacted, Secret::new(sent.value.expose()).redacted());
            }
            if !(r.runner.cloud) {
                assert!(
                    r.access_token.is_none(),
                    "a token is sent without the cloud runner"
                );
                assert_eq!(r.credential, CredentialKind::None);
            }
            if r.credential == CredentialKind::CiAccessToken {
                assert!(r.access_token.is_some());
            }
        }
    }
});
