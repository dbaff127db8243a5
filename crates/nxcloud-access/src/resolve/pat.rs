//! The personal access token that applies (PATR-1..4).

use crate::input::pat_ini;
use crate::resolve::model::{Outcome, ResolveInput, SecretValue, Severity, Sourced};
use crate::resolve::{secret_value, Report};

/// PATR-1..3: the personal access token that applies.
pub(super) fn lookup(
    input: &ResolveInput,
    api_url: Option<&Sourced>,
    has_token: bool,
    has_id: bool,
    id_configured: bool,
    report: &mut Report,
) -> Option<SecretValue> {
    let file = input.nxcloud_ini.as_ref()?;
    let sections = match pat_ini::parse(&file.text) {
        Ok(sections) => sections,
        Err(e) => {
            report.finding(
                "pat-file-unreadable",
                Severity::Warning,
                format!(
                    "the personal access token file `{}` could not be read at line {}: {}",
                    file.path, e.line, e.message
                ),
                "run `npx nx login` again to rewrite the file",
            );
            return None;
        }
    };
    // PATR-2: a section with plain dots is split by the ini library, never matched.
    for section in sections.iter().filter(|s| s.url().is_none()) {
        let escaped = pat_ini::escaped_section(&section.raw_name);
        report.finding(
            "pat-section-never-matched",
            Severity::Warning,
            format!("the section `[{}]` of `{}` has unescaped dots, so the Nx Cloud tools split it and never find it", section.raw_name, file.path),
            format!("rename the section to `[{escaped}]`"),
        );
    }
    let api_url = api_url?;
    let section = sections
        .iter()
        .find(|s| s.url().as_deref() == Some(api_url.value.as_str()))?;
    let source = format!("nxcloud.ini:{}", section.raw_name);
    let token = section.token.clone().filter(|t| !t.is_empty())?;
    let redacted = token.redacted();
    let path_note = |what: &str| format!("{what} (file `{}`, PATR-1)", file.path);
    // PATR-3: an access token takes precedence; a PAT needs an nxCloudId.
    if has_token {
        report.step(
            "PATR-3",
            &source,
            Some(redacted),
            Outcome::Shadowed,
            &path_note("an access token takes precedence over the personal access token"),
        );
        return None;
    }
    if !has_id {
        report.step(
            "PATR-3",
            &source,
            Some(redacted),
            Outcome::Ignored,
            &path_note(
                "a personal access token counts only for a workspace connected by nxCloudId",
            ),
        );
        // An nxCloudId that is there but not read has its own finding
        // (`nx-cloud-id-not-read`): never offer to add what the workspace has.
        if id_configured {
            return None;
        }
        report.finding(
            "pat-without-nx-cloud-id",
            Severity::Warning,
            "a personal access token is stored for this Nx Cloud URL, but the workspace has no nxCloudId, so the token is not used",
            "add the workspace's `nxCloudId` to nx.json (npx nx-cloud convert-to-nx-cloud-id)",
        );
        return None;
    }
    report.step(
        "PATR-2",
        &source,
        Some(redacted),
        Outcome::Used,
        &path_note("the section of the API URL"),
    );
    Some(secret_value(source, token))
}
