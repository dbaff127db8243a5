//! The personal access token file (PATR-1, PATR-2).
//!
//! `rust-ini` reads the file with escapes turned off, so a section name keeps
//! its backslashes (`https://cloud\.nx\.app`) and an escaped dot stays
//! distinguishable from a plain one. The npm `ini` library that the Nx Cloud
//! tools use splits a section name on unescaped dots into nested sections:
//! [`Section::url`] says which sections it can ever look up by a URL.

use std::collections::BTreeMap;

use ini::{Ini, ParseOption};

use crate::secret::Secret;

/// The key holding the token in a section.
pub const PAT_KEY: &str = "personalAccessToken";

/// One section of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The name as written, backslashes included.
    pub raw_name: String,
    /// `personalAccessToken`, when the section has one.
    pub token: Option<Secret>,
}

impl Section {
    /// The URL the npm `ini` library files this section under, or `None` when
    /// an unescaped dot splits the name into nested sections (PATR-2).
    pub fn url(&self) -> Option<String> {
        let mut out = String::new();
        let mut chars = self.raw_name.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if chars.peek() == Some(&'.') => {
                    out.push('.');
                    chars.next();
                }
                '.' => return None,
                other => out.push(other),
            }
        }
        Some(out)
    }
}

/// Why the file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IniError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

/// Parses the text of `nxcloud.ini`.
pub fn parse(text: &str) -> Result<Vec<Section>, IniError> {
    let options = ParseOption {
        enabled_quote: false,
        enabled_escape: false,
        enabled_indented_mutiline_value: false,
        enabled_preserve_key_leading_whitespace: false,
    };
    let ini = Ini::load_from_str_opt(text, options).map_err(|e| IniError {
        message: e.msg.to_string(),
        line: e.line,
        column: e.col,
    })?;
    let mut sections: BTreeMap<String, Option<Secret>> = BTreeMap::new();
    let mut order = Vec::new();
    for (name, props) in ini.iter() {
        let Some(name) = name else { continue };
        let token = props.get(PAT_KEY).map(|v| Secret::new(unquote(v)));
        if !sections.contains_key(name) {
            order.push(name.to_owned());
        }
        let slot = sections.entry(name.to_owned()).or_default();
        if token.is_some() {
            *slot = token;
        }
    }
    Ok(order
        .into_iter()
        .map(|raw_name| {
            let token = sections.get(&raw_name).cloned().flatten();
            Section { raw_name, token }
        })
        .collect())
}

/// The escaped section name for a URL (`https://cloud\.nx\.app`).
pub fn escaped_section(url: &str) -> String {
    url.replace('.', "\\.")
}

/// The npm `ini` library removes one pair of surrounding quotes.
fn unquote(value: &str) -> String {
    let trimmed = value.trim();
    for q in ['"', '\''] {
        if let Some(inner) = trimmed
            .strip_prefix(q)
            .and_then(|rest| rest.strip_suffix(q))
        {
            return inner.to_owned();
        }
    }
    trimmed.to_owned()
}

/// One place Nx Cloud tools look for the file (PATR-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub path: String,
    /// The variable the path is built from.
    pub from: &'static str,
}

// PATR-1 (Interpretation): the lookup order of the PAT file, first existing wins.
/// The candidate paths, in order, for a Unix or Windows environment. Pure:
/// the caller passes the environment and checks which path exists.
pub fn candidates(env: &BTreeMap<String, String>, windows: bool) -> Vec<Candidate> {
    let var = |name: &str| env.get(name).filter(|v| !v.is_empty());
    let mut out = Vec::new();
    if windows {
        if let Some(local) = var("LOCALAPPDATA") {
            out.push(Candidate {
                path: format!("{local}\\nxcloud\\nxcloud.ini"),
                from: "LOCALAPPDATA",
            });
        }
        if let Some(profile) = var("USERPROFILE") {
            out.push(Candidate {
                path: format!("{profile}\\.nxcloud.ini"),
                from: "USERPROFILE",
            });
        }
        return out;
    }
    if let Some(xdg) = var("XDG_CONFIG_HOME") {
        out.push(Candidate {
            path: format!("{xdg}/nxcloud/nxcloud.ini"),
            from: "XDG_CONFIG_HOME",
        });
    }
    if let Some(home) = var("HOME") {
        for path in [
            format!("{home}/.config/nxcloud/nxcloud.ini"),
            format!("{home}/config/nxcloud/nxcloud.ini"),
            format!("{home}/.nxcloud.ini"),
        ] {
            out.push(Candidate { path, from: "HOME" });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_dots_are_kept_apart_from_plain_ones() {
        let sections = parse(
            "[https://cloud\\.nx\\.app]\npersonalAccessToken=abc\n\n[https://my.cloud.example]\npersonalAccessToken = \"def\"\n",
        )
        .unwrap();
        assert_eq!(sections.len(), 2);
        assert_eq!(sections[0].raw_name, "https://cloud\\.nx\\.app");
        assert_eq!(sections[0].url().as_deref(), Some("https://cloud.nx.app"));
        assert_eq!(sections[0].token.as_ref().map(Secret::expose), Some("abc"));
        assert_eq!(sections[1].url(), None);
        assert_eq!(sections[1].token.as_ref().map(Secret::expose), Some("def"));
    }

    #[test]
    fn escaping_a_url_gives_the_section_name() {
        assert_eq!(
            escaped_section("https://cloud.nx.app"),
            "https://cloud\\.nx\\.app"
        );
    }

    #[test]
    fn candidates_follow_the_interpreted_order() {
        let env: BTreeMap<String, String> = [("HOME", "/h"), ("XDG_CONFIG_HOME", "/x")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let paths: Vec<String> = candidates(&env, false)
            .into_iter()
            .map(|c| c.path)
            .collect();
        assert_eq!(
            paths,
            [
                "/x/nxcloud/nxcloud.ini",
                "/h/.config/nxcloud/nxcloud.ini",
                "/h/config/nxcloud/nxcloud.ini",
                "/h/.nxcloud.ini"
            ]
        );
        let env: BTreeMap<String, String> = [("LOCALAPPDATA", "C:\\L"), ("USERPROFILE", "C:\\U")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let paths: Vec<String> = candidates(&env, true).into_iter().map(|c| c.path).collect();
        assert_eq!(
            paths,
            ["C:\\L\\nxcloud\\nxcloud.ini", "C:\\U\\.nxcloud.ini"]
        );
    }
}
