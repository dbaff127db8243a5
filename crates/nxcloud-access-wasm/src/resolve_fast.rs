//! The fast path of `resolveCredentials`, for `pkg/index.cjs` (the engine
//! `resolve`): the text of `nx.json` in as its own argument, the resolution
//! out packed. Not part of the package's API (hidden from the `.d.ts`, not
//! exported by `index.cjs`); anything it cannot answer exactly (a text that
//! may have held a lone surrogate: the UTF-8 encoding put U+FFFD in its
//! place, where the generic path would refuse it) it leaves to the generic
//! path by answering `undefined`.

use wasm_bindgen::prelude::*;

use crate::convert::{self, replaced};

/// `resolveCredentials` with the text of `nx.json`, when it is a string, as
/// its own argument (then `input.nxJson` is ignored): the text, up to
/// megabytes, is copied into the engine once instead of being escaped by
/// `JSON.stringify` and unescaped by `serde_json`. The resolution comes back
/// packed (see [`pack_resolution`]) rather than as JSON text: writing,
/// decoding and `JSON.parse` of the JSON text were more than half of a
/// small resolution. Answers `undefined`, and the wrapper takes the generic
/// path, for a text that may have held a lone surrogate (see the module
/// docs) and for a resolution that holds a separator character.
#[wasm_bindgen(js_name = __resolveCredentialsPacked, skip_typescript)]
pub fn resolve_credentials_packed(
    input: JsValue,
    nx_json: Option<String>,
) -> Result<Option<String>, JsValue> {
    if nx_json.as_deref().is_some_and(replaced) {
        return Ok(None);
    }
    let mut input: nxcloud_access::ResolveInput =
        convert::typed(&input, "input of resolveCredentials")?;
    if nx_json.is_some() {
        input.nx_json = nx_json;
    }
    let resolution =
        nxcloud_access::resolve_credentials(&input).map_err(|e| convert::engine_error(&e))?;
    Ok(pack_resolution(&resolution))
}

/// Separates the fields of a packed resolution.
const SEP: char = '\u{1}';
/// A `null` field.
const NULL: char = '\u{2}';

/// The resolution as its fields in the order of the contract's JSON, each
/// followed by [`SEP`]: strings as they are, [`NULL`] for `null`, `0`/`1`
/// for booleans and for whether an optional object is there, the length of
/// a list before its items. `pkg/index.cjs` (`unpackResolution`) rebuilds
/// the very object `JSON.parse` would; the Node tests hold both paths equal.
/// `None` when a string holds a [`SEP`] or [`NULL`] (the JSON path then
/// answers).
fn pack_resolution(r: &nxcloud_access::Resolution) -> Option<String> {
    let mut p = Packer {
        out: String::with_capacity(4096),
        clean: true,
    };
    p.text(&r.nx_version);
    p.flag(r.nx_cloud_used);
    p.text(&r.runner.name);
    p.flag(r.runner.cloud);
    p.text(&r.runner.module);
    p.secret(r.access_token.as_ref());
    p.sourced(r.nx_cloud_id.as_ref());
    p.secret(r.personal_access_token.as_ref());
    p.text(r.credential.as_str());
    p.sourced(r.api_url.as_ref());
    p.sourced(r.app_url.as_ref());
    p.flag(r.inferred);
    p.count(r.trace.len());
    for step in &r.trace {
        p.text(&step.rule);
        p.text(&step.source);
        p.optional(step.value.as_deref());
        p.text(step.outcome.as_str());
        p.text(&step.note);
    }
    p.count(r.findings.len());
    for finding in &r.findings {
        p.text(&finding.code);
        p.text(finding.severity.as_str());
        p.text(&finding.message);
        p.text(&finding.fix);
    }
    p.flag(r.cache.is_some());
    if let Some(cache) = &r.cache {
        p.secret(cache.access_token.as_ref());
        p.sourced(cache.nx_cloud_id.as_ref());
        p.sourced(Some(&cache.api_url));
        p.text(&cache.rule);
    }
    p.flag(r.stops.is_some());
    if let Some(stop) = &r.stops {
        p.text(stop.when.as_str());
        p.count(usize::from(stop.exit_status));
        p.text(&stop.reason);
        p.text(&stop.rule);
        p.text(&stop.finding);
    }
    p.flag(r.self_hosted_cache.is_some());
    if let Some(shc) = &r.self_hosted_cache {
        p.sourced(Some(&shc.server));
        p.secret(shc.access_token.as_ref());
        p.optional(shc.nx_cloud_id.as_deref());
        p.text(&shc.request_url);
        p.text(shc.credential.as_str());
        p.flag(shc.used);
        p.flag(shc.fallback);
        p.text(&shc.rule);
        p.text(&shc.reason);
    }
    p.clean.then_some(p.out)
}

struct Packer {
    out: String,
    /// No string held a separator.
    clean: bool,
}

impl Packer {
    fn text(&mut self, text: &str) {
        if text.bytes().any(|b| b == SEP as u8 || b == NULL as u8) {
            self.clean = false;
        }
        self.out.push_str(text);
        self.out.push(SEP);
    }

    fn optional(&mut self, text: Option<&str>) {
        match text {
            Some(text) => self.text(text),
            None => {
                self.out.push(NULL);
                self.out.push(SEP);
            }
        }
    }

    fn flag(&mut self, value: bool) {
        self.out.push(if value { '1' } else { '0' });
        self.out.push(SEP);
    }

    fn count(&mut self, n: usize) {
        self.out.push_str(&n.to_string());
        self.out.push(SEP);
    }

    fn secret(&mut self, value: Option<&nxcloud_access::resolve::SecretValue>) {
        self.flag(value.is_some());
        if let Some(v) = value {
            self.text(v.value.expose());
            self.text(&v.redacted);
            self.text(&v.source);
        }
    }

    fn sourced(&mut self, value: Option<&nxcloud_access::resolve::Sourced>) {
        self.flag(value.is_some());
        if let Some(v) = value {
            self.text(&v.value);
            self.text(&v.source);
        }
    }
}
