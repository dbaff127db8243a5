//! The token and nxCloudId sources (TOKEN-1..4, ENVF-1..3, ID-1..3) and
//! what happens when the cloud runner has neither (TOKEN-4).

use crate::input::client::CloudClient;
use crate::input::dotenv::{self, DotEnv, Flavour};
use crate::input::nx_json::Json;
use crate::resolve::model::{Outcome, Severity, Sourced, StopWhen};
use crate::resolve::precedence::{walk, Chosen, Held, Probe, TokenSource};
use crate::resolve::{Ctx, Report, TOKEN_KEYS};
use crate::secret::Secret;

impl Ctx<'_> {
    /// ENVF-1..3: `nx-cloud.env`, parsed by whoever runs the cloud runner.
    pub(super) fn read_nx_cloud_env(&self, report: &mut Report) -> Option<DotEnv> {
        let text = self.input.nx_cloud_env.as_deref()?;
        // ENVF-3: a loaded client (always in 16.x) parses with the older flavour.
        let client = self.choice.loaded_client.as_ref();
        let flavour = if client.is_some() || self.behaviour.legacy() {
            Flavour::Client
        } else {
            Flavour::Nx
        };
        let parsed = dotenv::parse(text, flavour);
        if let (Flavour::Client, Some(client)) = (flavour, client) {
            let nx_way = dotenv::parse(text, Flavour::Nx);
            for key in TOKEN_KEYS {
                if parsed.get(key) != nx_way.get(key) {
                    report.finding(
                        "nx-cloud-env-read-differently",
                        Severity::Warning,
                        format!("the installed client `{client}` reads `{key}` of `nx-cloud.env` with its older parser, which keeps comments and quotes after `=` and ignores `export` lines: the value differs from what nx's own parser reads"),
                        format!("write `{key}=<token>` on a line of its own, without `export`, quotes or a trailing comment"),
                    );
                }
            }
        }
        // ENVF-2: only the two token keys (and NX_CLOUD_NO_TIMEOUTS) are read.
        if let Some(api) = parsed.get("NX_CLOUD_API") {
            report.step(
                "ENVF-2",
                "nx-cloud.env:NX_CLOUD_API",
                Some(api.to_owned()),
                Outcome::Ignored,
                "nx never reads NX_CLOUD_API from nx-cloud.env",
            );
            report.finding(
                "nx-cloud-api-in-nx-cloud-env-ignored",
                Severity::Info,
                "`NX_CLOUD_API` in `nx-cloud.env` is ignored: nx reads only the token keys of that file",
                "set `NX_CLOUD_API` in the environment or `nxCloudUrl` in nx.json",
            );
        }
        Some(parsed)
    }

    pub(super) fn token_probe(
        &self,
        source: TokenSource,
        cloud_env: Option<&DotEnv>,
        report: &mut Report,
    ) -> Probe {
        let key = source.key();
        match source {
            TokenSource::EnvAuthToken | TokenSource::EnvAccessToken => match self.env.vars.get(key)
            {
                // TOKEN-2: an empty variable counts as unset.
                Some(var) => Probe {
                    source: format!("{}:{key}", var.origin),
                    held: Held::Value {
                        text: Secret::new(var.value.clone()),
                        blocks: !var.value.is_empty(),
                        counts: !var.value.is_empty(),
                    },
                    rule: "TOKEN-1",
                },
                None => Probe {
                    source: format!("env:{key}"),
                    held: Held::Absent,
                    rule: "TOKEN-1",
                },
            },
            // ENVF-1: the file yields to real variables; a missing file is empty.
            TokenSource::FileAuthToken | TokenSource::FileAccessToken => Probe {
                source: format!("nx-cloud.env:{key}"),
                held: match cloud_env.and_then(|f| f.get(key)) {
                    Some(value) => Held::Value {
                        text: Secret::new(value),
                        blocks: !value.is_empty(),
                        counts: !value.is_empty(),
                    },
                    None => Held::Absent,
                },
                rule: "ENVF-1",
            },
            // TOKEN-3: options.accessToken beats the top level; empty still blocks.
            TokenSource::OptionsAccessToken => self.options_probe(key, "TOKEN-3"),
            TokenSource::TopLevelAccessToken => {
                let read_from = (!self.behaviour.top_level_cloud_keys).then_some("17.0.0");
                let probe = self.top_level_probe(key, read_from, "TOP-2");
                if matches!(&probe.held, Held::Ignored { rule: "TOP-1", .. })
                    && self.nx_json.get(key).is_some_and(Json::is_truthy)
                {
                    report.finding(
                        "top-level-token-hidden-by-runner",
                        Severity::Warning,
                        format!("the top-level `nxCloudAccessToken` never reaches the runner `{}`: before nx 21 only the `nx-cloud` runner gets the top-level Nx Cloud keys", self.choice.module),
                        "change the entry's runner to `nx-cloud` (or remove the `runner` field), or move the token into `NX_CLOUD_ACCESS_TOKEN`",
                    );
                }
                probe
            }
        }
    }

    /// ID-1..3, TOP-2: the nxCloudId the cloud runner gets and can use.
    pub(super) fn nx_cloud_id(
        &self,
        inactive: Option<(&'static str, String)>,
        runs_cloud: bool,
        report: &mut Report,
    ) -> Option<Sourced> {
        let b = self.behaviour;
        // ID-1: a top-level nxCloudId is read from 19.6.0 (ignored from 17.0 to 19.5).
        let read_from = (!b.nx_cloud_id_read).then_some("19.6.0");
        let probes = vec![
            self.options_probe("nxCloudId", "TOP-2"),
            self.top_level_probe("nxCloudId", read_from, "ID-1"),
        ];
        let chosen = walk(probes, inactive, false, &mut report.trace)?;
        // ID-2: before 19.6 only an installed `nx-cloud` 19.1+ knows nxCloudId (CLI-1).
        let known = match &self.choice.loaded_client {
            Some(client) => client.knows_nx_cloud_id(),
            None => b.nx_cloud_id_read,
        };
        if runs_cloud && !known {
            let who = match &self.choice.loaded_client {
                Some(client) => format!("the installed client `{client}` (before nx-cloud 19.1.0)"),
                None => {
                    "nx before 19.6.0 without the `nx-cloud` package 19.1.0 or later".to_owned()
                }
            };
            report.step(
                "ID-2",
                &chosen.source,
                Some(chosen.text.expose().to_owned()),
                Outcome::Ignored,
                "forwarded, but the runner does not know nxCloudId",
            );
            report.finding(
                "nx-cloud-id-not-read",
                Severity::Warning,
                format!("`{}` is not read by {who}", chosen.source),
                self.unread_id_fix(),
            );
            return None;
        }
        // ID-3: a valid nxCloudId has 24 characters.
        let length = chosen.text.expose().chars().count();
        if length != 24 {
            report.finding(
                "nx-cloud-id-wrong-length",
                Severity::Warning,
                format!("the nxCloudId `{}` of `{}` has {length} characters instead of 24: nx forwards it, and Nx Cloud will not recognise it", chosen.text.expose(), chosen.source),
                "copy the nxCloudId again from the workspace settings of Nx Cloud",
            );
        }
        let Chosen { source, text } = chosen;
        Some(Sourced {
            value: text.expose().to_owned(),
            source,
        })
    }

    // EXP-2, CLI-1: a fix that works on this nx version and that the
    // workspace does not already have (recorded: old-client-with-nx-cloud-id
    // on nx 20.0.6 with nx-cloud 16.5.2 fails, also with --no-cloud).
    /// What makes an nxCloudId that the runner does not read usable.
    fn unread_id_fix(&self) -> String {
        match &self.choice.loaded_client {
            Some(client) if self.behaviour.nx_cloud_id_read => format!(
                "remove the old `{client}` from package.json and node_modules (nx {} reads nxCloudId itself), or upgrade it to 19.1.0 or later",
                self.input.nx_version.as_deref().unwrap_or("19.6+")
            ),
            Some(client) => format!(
                "upgrade `{client}` to `nx-cloud` 19.1.0 or later (runner `nx-cloud`), or upgrade nx to 19.6.0 or later and remove the client"
            ),
            None => "install `nx-cloud` 19.1.0 or later as a devDependency (runner `nx-cloud`), or upgrade nx to 19.6.0 or later".to_owned(),
        }
    }

    /// Whether nx.json holds an nxCloudId for the runner (top level or the
    /// selected entry's options), read or not.
    pub(super) fn id_configured(&self) -> bool {
        let options = self
            .choice
            .entry
            .and_then(|e| e.get("options"))
            .and_then(|o| o.get("nxCloudId"));
        options
            .or_else(|| self.nx_json.get("nxCloudId"))
            .is_some_and(Json::is_truthy)
    }

    /// The fix of `cloud-runner-fails-authentication`.
    fn authentication_fix(&self) -> String {
        let knows_id = self
            .choice
            .loaded_client
            .as_ref()
            .is_some_and(CloudClient::knows_nx_cloud_id);
        if knows_id {
            "set `NX_CLOUD_ACCESS_TOKEN` (a CI secret), or connect the workspace with `nxCloudId` (npx nx connect)".to_owned()
        } else if self.id_configured() {
            format!(
                "the workspace's nxCloudId is not read by this client: {}; or set `NX_CLOUD_ACCESS_TOKEN` (a CI secret)",
                self.unread_id_fix()
            )
        } else {
            "set `NX_CLOUD_ACCESS_TOKEN` (a CI secret) or the runner's `options.accessToken`; to connect by nxCloudId instead, upgrade the client to `nx-cloud` 19.1.0 or later first".to_owned()
        }
    }

    /// The cloud runner runs but cannot authenticate.
    // TOKEN-4: Nx's shell and clients before 16.5 run without Nx Cloud; the
    // light client of `nx-cloud` 16.5 and later fails the command.
    /// Returns whether the runner fails the command.
    pub(super) fn no_credential(&self, report: &mut Report) -> bool {
        let use_light_client = match self
            .choice
            .entry
            .and_then(|e| e.get("options"))
            .and_then(|o| o.get("useLightClient"))
        {
            Some(Json::Bool(light)) => Some(*light),
            _ => None,
        };
        let fails = self
            .choice
            .loaded_client
            .as_ref()
            .is_some_and(|client| client.fails_without_credential_given(use_light_client));
        if fails {
            report.step(
                "TOKEN-4",
                "default",
                None,
                Outcome::Used,
                "no token and no usable nxCloudId: the installed client fails the command",
            );
            report.finding(
                "cloud-runner-fails-authentication",
                Severity::Error,
                format!("the Nx Cloud runner (`{}`) has no access token and no usable nxCloudId, so the command fails with an authentication error (even with `--no-cloud`)", self.choice.loaded_client.as_ref().map(ToString::to_string).unwrap_or_default()),
                self.authentication_fix(),
            );
            report.stop(
                StopWhen::StartUp,
                "TOKEN-4",
                "cloud-runner-fails-authentication",
                format!(
                    "Unable to authenticate: the installed client `{}` has no access token and no usable nxCloudId, and fails before any task runs",
                    self.choice.loaded_client.as_ref().map(ToString::to_string).unwrap_or_default()
                ),
            );
        } else {
            // Clients before 16.1 (`@nrwl/nx-cloud` 14/15, `nx-cloud` 16.0) fall
            // back without a word; later ones and Nx's shell warn first.
            let how = match &self.choice.loaded_client {
                Some(client) if !client.warns_when_falling_back() => format!(
                    "the installed client `{client}` runs the command without Nx Cloud, silently"
                ),
                Some(client) => format!(
                    "the installed client `{client}` warns and runs the command without Nx Cloud"
                ),
                None => "nx warns and runs the command without Nx Cloud".to_owned(),
            };
            report.step(
                "TOKEN-4",
                "default",
                None,
                Outcome::Used,
                &format!("no token and no usable nxCloudId: {how}"),
            );
            report.finding(
                "cloud-runner-runs-without-credential",
                Severity::Warning,
                format!("the Nx Cloud runner is selected but has no access token and no usable nxCloudId: {how}"),
                "set `NX_CLOUD_ACCESS_TOKEN`, or connect the workspace with `nxCloudId` (npx nx connect)",
            );
        }
        fails
    }
}
