//! The API URL (URL-1) and the app URL (URL-2).

use crate::input::client::CloudClient;
use crate::input::nx_json::Json;
use crate::resolve::model::{Outcome, Severity, Sourced};
use crate::resolve::precedence::{walk, Chosen, Held, Probe};
use crate::resolve::{runner, Ctx, Report, DEFAULT_API_URL, DEFAULT_APP_URL};
use crate::secret::Secret;

impl Ctx<'_> {
    /// The API base URL, when the cloud runner runs.
    pub(super) fn api_url(&self, report: &mut Report) -> Sourced {
        let reads_env = self
            .choice
            .loaded_client
            .as_ref()
            .is_none_or(CloudClient::reads_nx_cloud_api);
        let env_probe = match self.env.vars.get("NX_CLOUD_API") {
            Some(var) if !reads_env && !var.value.is_empty() => {
                report.finding(
                    "client-ignores-nx-cloud-api",
                    Severity::Warning,
                    format!("`NX_CLOUD_API` is set, but the installed client `{}` ignores it", self.choice.loaded_client.as_ref().map(ToString::to_string).unwrap_or_default()),
                    "set the URL as `url` in the runner options, or upgrade the client to 16.1 or later",
                );
                Probe {
                    source: format!("{}:NX_CLOUD_API", var.origin),
                    held: Held::Ignored {
                        value: Some(Secret::new(var.value.clone())),
                        rule: "CLI-1",
                        note: "clients before 16.1 ignore NX_CLOUD_API".into(),
                    },
                    rule: "CLI-1",
                }
            }
            Some(var) => Probe {
                source: format!("{}:NX_CLOUD_API", var.origin),
                held: Held::Value {
                    text: Secret::new(var.value.clone()),
                    blocks: !var.value.is_empty(),
                    counts: !var.value.is_empty(),
                },
                rule: "URL-1",
            },
            None => Probe {
                source: "env:NX_CLOUD_API".into(),
                held: Held::Absent,
                rule: "URL-1",
            },
        };
        if let Some(nrwl) = self.env.non_empty("NRWL_API") {
            report.step(
                "URL-1",
                &format!("{}:NRWL_API", nrwl.origin),
                Some(nrwl.value.clone()),
                Outcome::Ignored,
                "NRWL_API does not count for runs",
            );
        }
        let read_from = (!self.behaviour.top_level_cloud_keys).then_some("17.0.0");
        // URL-1: env NX_CLOUD_API, else options.url (an empty one blocks
        // nxCloudUrl), else top-level nxCloudUrl, else the default.
        let probes = vec![
            env_probe,
            self.options_probe("url", "URL-1"),
            self.top_level_probe("nxCloudUrl", read_from, "URL-1"),
        ];
        match walk(probes, None, false, &mut report.trace) {
            Some(Chosen { source, text }) => Sourced {
                value: text.expose().to_owned(),
                source,
            },
            None => {
                report.step(
                    "URL-1",
                    "default",
                    Some(DEFAULT_API_URL.into()),
                    Outcome::Used,
                    "no URL is configured",
                );
                Sourced {
                    value: DEFAULT_API_URL.into(),
                    source: "default".into(),
                }
            }
        }
    }

    /// Where runs are shown.
    pub(super) fn app_url(&self, report: &mut Report) -> Option<Sourced> {
        let b = self.behaviour;
        let entries = self
            .nx_json
            .get("tasksRunnerOptions")
            .map(Json::js_entries)
            .unwrap_or_default();
        let cloud_entry = entries.into_iter().find(|(_, e)| {
            e.get("runner")
                .and_then(Json::as_str)
                .is_some_and(|r| runner::CLOUD_NAMES.contains(&r))
        });
        let top = |key: &str| self.nx_json.get(key).is_some_and(Json::is_truthy);
        let configured = cloud_entry.is_some()
            || (b.top_level_cloud_keys && top("nxCloudAccessToken"))
            || (b.env_access_token_connects
                && self.env.non_empty("NX_CLOUD_ACCESS_TOKEN").is_some())
            || (b.env_auth_token_connects && self.env.non_empty("NX_CLOUD_AUTH_TOKEN").is_some())
            || (b.nx_cloud_id_read && top("nxCloudId"));
        if !configured {
            return None;
        }
        let mut found = |value: &Json, source: String| {
            report.step(
                "URL-2",
                &source,
                Some(value.js_string()),
                Outcome::Used,
                "the app URL",
            );
            Some(Sourced {
                value: value.js_string(),
                source,
            })
        };
        if let Some((name, entry)) = &cloud_entry {
            let url = entry.get("options").and_then(|o| o.get("url"));
            let source = format!("nx.json:tasksRunnerOptions.{name}.options.url");
            // URL-2: the first cloud entry's url; 16.x uses `url || default`, later
            // versions `??`, which keeps an empty string.
            match url {
                Some(u) if b.legacy() && u.is_truthy() => return found(u, source),
                Some(u) if !b.legacy() && *u != Json::Null => return found(u, source),
                _ => {}
            }
        }
        if b.top_level_cloud_keys {
            if let Some(u) = self.nx_json.get("nxCloudUrl").filter(|u| **u != Json::Null) {
                return found(u, "nx.json:nxCloudUrl".into());
            }
        }
        report.step(
            "URL-2",
            "default",
            Some(DEFAULT_APP_URL.into()),
            Outcome::Used,
            "no app URL is configured",
        );
        Some(Sourced {
            value: DEFAULT_APP_URL.into(),
            source: "default".into(),
        })
    }
}
