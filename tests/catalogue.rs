//! The rule catalogue (`docs/rules/*.md`) against the spec and the conformance
//! corpus: every rule ID is tagged on a scenario in `features/`, and every
//! resolution rule is shown by at least one recorded case of the real `nx`
//! CLI (`tests/conformance/`). Rules marked "Not yet modelled" are listed as
//! to do and do not fail the check (their recordings must exist all the same).
//! Runs with `cargo test` and needs nothing outside the repository.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// One rule of the catalogue.
#[derive(Debug)]
struct Rule {
    file: &'static str,
    cases: Option<BTreeSet<String>>,
    /// The `- Nx versions:` line is there.
    versions: bool,
    not_modelled: bool,
}

const CATALOGUES: [&str; 2] = ["docs/rules/resolution.md", "docs/rules/permissions.md"];
/// The catalogue whose rules need recordings.
const RECORDED: &str = "docs/rules/resolution.md";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn is_rule_id(text: &str) -> bool {
    let Some((prefix, number)) = text.split_once('-') else {
        return false;
    };
    !prefix.is_empty()
        && prefix.chars().all(|c| c.is_ascii_uppercase())
        && !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit())
}

fn parse_catalogue(file: &'static str, errors: &mut Vec<String>) -> BTreeMap<String, Rule> {
    let text = fs::read_to_string(root().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut rules = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(id) = line.strip_prefix("### ") {
            let id = id.trim().to_owned();
            if !is_rule_id(&id) {
                errors.push(format!("{file}: heading `{id}` is not a rule ID"));
                current = None;
                continue;
            }
            let rule = Rule {
                file,
                cases: None,
                versions: false,
                not_modelled: false,
            };
            if rules.insert(id.clone(), rule).is_some() {
                errors.push(format!("{file}: {id} is defined twice"));
            }
            current = Some(id);
            continue;
        }
        let Some(rule) = current.as_ref().and_then(|id| rules.get_mut(id)) else {
            continue;
        };
        if let Some(list) = line.strip_prefix("- Recorded cases:") {
            // Every resolution rule names its cases: there is no
            // `none (reason)` exemption any more (URL-2 was the last one).
            let names: BTreeSet<String> = list
                .trim()
                .split(',')
                .map(|name| name.trim().trim_matches('`').to_owned())
                .filter(|name| !name.is_empty())
                .collect();
            rule.cases = Some(names);
        } else if line.starts_with("- Nx versions:") {
            rule.versions = true;
        } else if line.trim() == "- Not yet modelled." {
            rule.not_modelled = true;
        }
    }
    rules
}

fn feature_tags(dir: &Path, tags: &mut BTreeMap<String, usize>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    entries.sort();
    for path in entries {
        if path.is_dir() {
            feature_tags(&path, tags);
        } else if path.extension().is_some_and(|ext| ext == "feature") {
            let text =
                fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            for line in text.lines().map(str::trim).filter(|l| l.starts_with('@')) {
                for tag in line.split_whitespace() {
                    if let Some(id) = tag.strip_prefix('@').filter(|id| is_rule_id(id)) {
                        *tags.entry(id.to_owned()).or_default() += 1;
                    }
                }
            }
        }
    }
}

/// Each case's rule list, and how many recordings it has.
fn cases() -> BTreeMap<String, (BTreeSet<String>, usize)> {
    let dir = root().join("tests/conformance/cases");
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".json"))
        else {
            continue;
        };
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let json: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let rules = json
            .get("rules")
            .and_then(|r| r.as_array())
            .map(|r| {
                r.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let recordings = root().join("tests/conformance/recordings").join(name);
        let count = fs::read_dir(&recordings)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                    .count()
            })
            .unwrap_or(0);
        out.insert(name.to_owned(), (rules, count));
    }
    out
}

#[test]
fn every_rule_is_tagged_and_recorded() {
    let mut errors = Vec::new();
    let mut rules = BTreeMap::new();
    for file in CATALOGUES {
        for (id, rule) in parse_catalogue(file, &mut errors) {
            if rules.contains_key(&id) {
                errors.push(format!("{id} is defined in two catalogues"));
            }
            rules.insert(id, rule);
        }
    }
    let mut tags = BTreeMap::new();
    feature_tags(&root().join("features"), &mut tags);
    let cases = cases();

    let mut todo = Vec::new();
    let mut recorded = 0;
    for (id, rule) in &rules {
        if !tags.contains_key(id) {
            if rule.not_modelled {
                todo.push(format!("{id} (no tagged scenario yet)"));
            } else {
                errors.push(format!(
                    "{id} ({}): no scenario in features/ is tagged @{id}",
                    rule.file
                ));
            }
        }
        if rule.file != RECORDED {
            continue;
        }
        if !rule.versions {
            errors.push(format!(
                "{id}: the catalogue gives no `- Nx versions:` line"
            ));
        }
        let Some(listed) = &rule.cases else {
            errors.push(format!(
                "{id}: the catalogue gives no `- Recorded cases:` line"
            ));
            continue;
        };
        // The catalogue's list is exactly the cases that name the rule.
        let claiming: BTreeSet<String> = cases
            .iter()
            .filter(|(_, (case_rules, _))| case_rules.contains(id))
            .map(|(name, _)| name.clone())
            .collect();
        for name in listed.difference(&claiming) {
            if cases.contains_key(name) {
                errors.push(format!(
                    "{id}: the catalogue names case `{name}`, whose `rules` do not list {id}"
                ));
            } else {
                errors.push(format!(
                    "{id}: the catalogue names case `{name}`, which does not exist"
                ));
            }
        }
        for name in claiming.difference(listed) {
            errors.push(format!(
                "{id}: case `{name}` lists {id}, but the catalogue does not name it"
            ));
        }
        let with_recordings = listed
            .iter()
            .filter(|name| cases.get(*name).is_some_and(|(_, n)| *n > 0))
            .count();
        for name in listed {
            if cases.get(name).is_some_and(|(_, n)| *n == 0) {
                errors.push(format!(
                    "{id}: case `{name}` has no recording (run scripts/conformance-record)"
                ));
            }
        }
        if with_recordings > 0 {
            recorded += 1;
        } else {
            errors.push(format!("{id}: no recording shows this rule"));
        }
    }
    for (id, count) in &tags {
        if !rules.contains_key(id) {
            errors.push(format!(
                "@{id} is tagged on {count} scenario(s) but is in no catalogue"
            ));
        }
    }
    for (name, (case_rules, _)) in &cases {
        for id in case_rules {
            if !rules.contains_key(id) {
                errors.push(format!(
                    "case `{name}` lists {id}, which is in no catalogue"
                ));
            }
        }
    }

    let tagged = rules.keys().filter(|id| tags.contains_key(*id)).count();
    println!(
        "rule catalogue: {} rules, {tagged} tagged on a scenario, {recorded} shown by recordings of the real nx",
        rules.len()
    );
    for item in &todo {
        println!("  to do: {item}");
    }
    assert!(
        errors.is_empty(),
        "rule catalogue:\n  {}",
        errors.join("\n  ")
    );
}
