//! The order of the credential sources, as data, and the one walk that both
//! decides and writes the trace (EXP-1): the explanation cannot disagree
//! with the decision because it is a by-product of it.

use crate::resolve::model::{Outcome, TraceStep};
use crate::secret::{redact, Secret};

/// Where the cloud runner may find the access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    /// Env `NX_CLOUD_AUTH_TOKEN` (real environment or a root `.env` file).
    EnvAuthToken,
    /// Env `NX_CLOUD_ACCESS_TOKEN`.
    EnvAccessToken,
    /// `NX_CLOUD_AUTH_TOKEN` in `nx-cloud.env`.
    FileAuthToken,
    /// `NX_CLOUD_ACCESS_TOKEN` in `nx-cloud.env`.
    FileAccessToken,
    /// `options.accessToken` of the selected `tasksRunnerOptions` entry.
    OptionsAccessToken,
    /// Top-level `nxCloudAccessToken` (through TOP-1).
    TopLevelAccessToken,
}

// TOKEN-1: the first non-empty of env AUTH, env ACCESS, file AUTH, file ACCESS,
// options.accessToken, top-level nxCloudAccessToken.
/// The token sources, highest precedence first.
pub const TOKEN_PRECEDENCE: [TokenSource; 6] = [
    TokenSource::EnvAuthToken,
    TokenSource::EnvAccessToken,
    TokenSource::FileAuthToken,
    TokenSource::FileAccessToken,
    TokenSource::OptionsAccessToken,
    TokenSource::TopLevelAccessToken,
];

impl TokenSource {
    /// A stable name, for documentation and tests.
    pub const fn name(self) -> &'static str {
        match self {
            TokenSource::EnvAuthToken => "env-auth-token",
            TokenSource::EnvAccessToken => "env-access-token",
            TokenSource::FileAuthToken => "nx-cloud-env-auth-token",
            TokenSource::FileAccessToken => "nx-cloud-env-access-token",
            TokenSource::OptionsAccessToken => "options-access-token",
            TokenSource::TopLevelAccessToken => "top-level-access-token",
        }
    }

    /// The variable or key the source reads.
    pub const fn key(self) -> &'static str {
        match self {
            TokenSource::EnvAuthToken | TokenSource::FileAuthToken => "NX_CLOUD_AUTH_TOKEN",
            TokenSource::EnvAccessToken | TokenSource::FileAccessToken => "NX_CLOUD_ACCESS_TOKEN",
            TokenSource::OptionsAccessToken => "accessToken",
            TokenSource::TopLevelAccessToken => "nxCloudAccessToken",
        }
    }
}

/// What one source held when the walk looked at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Held {
    /// Nothing there.
    Absent,
    /// There, but not read in this configuration or version.
    Ignored {
        value: Option<Secret>,
        rule: &'static str,
        note: String,
    },
    /// A value: `blocks` stops the walk (`||` needs a non-empty value, `??`
    /// only a non-null one); `counts` makes it the answer.
    Value {
        text: Secret,
        blocks: bool,
        counts: bool,
    },
}

/// One source, ready for the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// The CONTRACT source string (`env:NAME`, `nx.json:<path>`, …).
    pub source: String,
    pub held: Held,
    /// The rule that decides when this source is used.
    pub rule: &'static str,
}

/// The value a walk chose, with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    pub source: String,
    /// The value; a [`Secret`] so that no debug dump shows a token.
    pub text: Secret,
}

// EXP-1: the trace is written by the walk that decides.
/// Walks `probes` in order: the first blocking value decides; values before
/// it that do not block are ignored (empty), values after it are shadowed.
/// `inactive` (rule, note) marks every value ignored: the walk's consumer
/// does not run. Secrets are redacted in the trace.
pub fn walk(
    probes: Vec<Probe>,
    inactive: Option<(&'static str, String)>,
    secret: bool,
    trace: &mut Vec<TraceStep>,
) -> Option<Chosen> {
    let shown = |text: &Secret| {
        if secret {
            redact(text.expose())
        } else {
            text.expose().to_owned()
        }
    };
    let mut decided: Option<String> = None;
    let mut chosen = None;
    for probe in probes {
        let Probe { source, held, rule } = probe;
        let step = |rule: &str, value: Option<String>, outcome: Outcome, note: String| TraceStep {
            rule: rule.to_owned(),
            source: source.clone(),
            value,
            outcome,
            note,
        };
        let entry = match held {
            Held::Absent => step(rule, None, Outcome::Absent, "not set".into()),
            Held::Ignored { value, rule, note } => {
                step(rule, value.as_ref().map(shown), Outcome::Ignored, note)
            }
            Held::Value {
                text,
                blocks,
                counts,
            } => {
                let value = Some(shown(&text));
                if let Some((rule, note)) = &inactive {
                    step(rule, value, Outcome::Ignored, note.clone())
                } else if let Some(winner) = &decided {
                    let note = format!("shadowed by `{winner}`, which comes first");
                    step(rule, value, Outcome::Shadowed, note)
                } else if !blocks {
                    let note = "empty: counts as unset, the next source is read".to_owned();
                    step("TOKEN-2", value, Outcome::Ignored, note)
                } else if counts {
                    decided = Some(source.clone());
                    chosen = Some(Chosen {
                        source: source.clone(),
                        text,
                    });
                    step(
                        rule,
                        value,
                        Outcome::Used,
                        "the first source that holds a value".into(),
                    )
                } else {
                    decided = Some(source.clone());
                    let note = "present but empty or falsy: it still blocks the sources after it, so none is used"
                        .to_owned();
                    step(rule, value, Outcome::Used, note)
                }
            }
        };
        trace.push(entry);
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_order_and_names_are_pinned() {
        let names: Vec<&str> = TOKEN_PRECEDENCE.iter().map(|s| s.name()).collect();
        assert_eq!(
            names,
            [
                "env-auth-token",
                "env-access-token",
                "nx-cloud-env-auth-token",
                "nx-cloud-env-access-token",
                "options-access-token",
                "top-level-access-token",
            ]
        );
        let keys: Vec<&str> = TOKEN_PRECEDENCE.iter().map(|s| s.key()).collect();
        assert_eq!(
            keys,
            [
                "NX_CLOUD_AUTH_TOKEN",
                "NX_CLOUD_ACCESS_TOKEN",
                "NX_CLOUD_AUTH_TOKEN",
                "NX_CLOUD_ACCESS_TOKEN",
                "accessToken",
                "nxCloudAccessToken",
            ]
        );
    }

    fn value(source: &str, text: &str, blocks: bool, counts: bool) -> Probe {
        Probe {
            source: source.into(),
            held: Held::Value {
                text: Secret::new(text),
                blocks,
                counts,
            },
            rule: "TOKEN-1",
        }
    }

    #[test]
    fn the_walk_decides_and_explains_in_one_pass() {
        let mut trace = Vec::new();
        let chosen = walk(
            vec![
                value("a", "", false, false),
                Probe {
                    source: "b".into(),
                    held: Held::Absent,
                    rule: "TOKEN-1",
                },
                value("c", "secret-token-value", true, true),
                value("d", "other-token-value", true, true),
            ],
            None,
            true,
            &mut trace,
        );
        assert_eq!(chosen.map(|c| c.source).as_deref(), Some("c"));
        let outcomes: Vec<Outcome> = trace.iter().map(|s| s.outcome).collect();
        assert_eq!(
            outcomes,
            [
                Outcome::Ignored,
                Outcome::Absent,
                Outcome::Used,
                Outcome::Shadowed
            ]
        );
        assert!(trace
            .iter()
            .all(|s| s.value.as_deref() != Some("secret-token-value")));
    }

    #[test]
    fn a_present_empty_value_blocks_without_answering() {
        let mut trace = Vec::new();
        let chosen = walk(
            vec![value("a", "", true, false), value("b", "x", true, true)],
            None,
            false,
            &mut trace,
        );
        assert_eq!(chosen, None);
        assert_eq!(trace[1].outcome, Outcome::Shadowed);
    }

    #[test]
    fn an_inactive_walk_ignores_everything() {
        let mut trace = Vec::new();
        let chosen = walk(
            vec![value("a", "x", true, true)],
            Some(("TOKEN-1", "off".into())),
            false,
            &mut trace,
        );
        assert_eq!(chosen, None);
        assert_eq!(trace[0].outcome, Outcome::Ignored);
    }
}
