//! Checks of the texts commands receive: ids, names, emails, domains.

use super::error::AccessError;
use super::token::contains_token;
use crate::limits::MAX_ID_CHARS as MAX_LEN;

/// Refuses a text that holds a whole token: names and ids are shown in lists,
/// errors and snapshots, where a secret must never be (TOK-6).
fn no_token(field: &str, value: &str) -> Result<(), AccessError> {
    if contains_token(value) {
        return Err(AccessError::InvalidInput(format!(
            "`{field}` holds what looks like an access token (`{}`): never put a token's secret in a name or id, which lists and snapshots show; if it is a real token, revoke it",
            super::token::scrub_tokens(value).escape_debug()
        )));
    }
    Ok(())
}

/// An id of a user or organization: 1 to 200 characters, no whitespace or
/// control characters.
pub fn id(field: &str, value: &str) -> Result<(), AccessError> {
    if value.is_empty() || value.chars().count() > MAX_LEN {
        return Err(AccessError::InvalidInput(format!(
            "`{field}` must be 1 to {MAX_LEN} characters, got {} characters",
            value.chars().count()
        )));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(AccessError::InvalidInput(format!(
            "`{field}` `{}` contains whitespace or control characters: use letters, digits and punctuation only",
            value.escape_debug()
        )));
    }
    no_token(field, value)
}

/// A display name (organization, token): 1 to 200 characters, not only
/// whitespace, no control characters.
pub fn name(field: &str, value: &str) -> Result<(), AccessError> {
    if value.trim().is_empty() || value.chars().count() > MAX_LEN {
        return Err(AccessError::InvalidInput(format!(
            "`{field}` must be 1 to {MAX_LEN} characters and not blank"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(AccessError::InvalidInput(format!(
            "`{field}` `{}` contains control characters: remove them",
            value.escape_debug()
        )));
    }
    no_token(field, value)
}

/// An email address: exactly one `@`, a non-empty local part, a domain as
/// [`domain`] accepts it. Returns the address lower-cased, the form used to
/// match invitations (ORG-2, ORG-3).
pub fn email(field: &str, value: &str) -> Result<String, AccessError> {
    let invalid = |why: &str| {
        AccessError::InvalidInput(format!(
            "`{field}` `{}` is not an email address: {why}",
            value.escape_debug()
        ))
    };
    if value.chars().count() > MAX_LEN {
        return Err(invalid("it is too long"));
    }
    let mut parts = value.split('@');
    let (Some(local), Some(host), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid("it must hold exactly one `@`"));
    };
    if local.is_empty() {
        return Err(invalid("nothing before the `@`"));
    }
    if local.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("it contains whitespace"));
    }
    domain_shape(host).map_err(|why| invalid(&why))?;
    no_token(field, value)?;
    Ok(value.to_lowercase())
}

/// An email domain for a domain invitation (ORG-3): at least two labels
/// (a bare top-level domain such as `com` would admit a whole TLD), each
/// label letters, digits or `-`, not starting or ending with `-`. Returns it
/// lower-cased.
pub fn domain(field: &str, value: &str) -> Result<String, AccessError> {
    if value.starts_with('@') {
        return Err(AccessError::InvalidInput(format!(
            "`{field}` `{}` starts with `@`: give the domain alone, e.g. `example.com`",
            value.escape_debug()
        )));
    }
    domain_shape(value).map_err(|why| {
        AccessError::InvalidInput(format!(
            "`{field}` `{}` is not an email domain: {why}",
            value.escape_debug()
        ))
    })?;
    Ok(value.to_lowercase())
}

fn domain_shape(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("the domain is empty".into());
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return Err(format!(
            "`{}` is a bare top-level domain; give a full domain such as `example.{}`",
            host.escape_debug(),
            host.escape_debug()
        ));
    }
    for label in labels {
        if label.is_empty() {
            return Err("it has an empty label (two dots in a row, or a dot at an end)".into());
        }
        if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(format!(
                "label `{}` may hold only letters, digits and `-` (write international domains in punycode)",
                label.escape_debug()
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!("label `{label}` starts or ends with `-`"));
        }
    }
    Ok(())
}

/// The domain of an (already lower-cased, validated) email: after the last
/// `@` (ORG-3).
pub fn domain_of(email: &str) -> &str {
    email.rsplit('@').next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_need_exactly_one_at() {
        assert_eq!(
            email("email", "Ann@Example.COM").unwrap(),
            "ann@example.com"
        );
        assert!(email("email", "a@b@example.com").is_err());
        assert!(email("email", "example.com").is_err());
        assert!(email("email", "@example.com").is_err());
        assert!(email("email", "ann@com").is_err());
        assert!(email("email", "a nn@example.com").is_err());
    }

    #[test]
    fn domains_refuse_bare_tlds_and_at_signs() {
        assert_eq!(domain("domain", "Example.com").unwrap(), "example.com");
        assert!(domain("domain", "com").is_err());
        assert!(domain("domain", "@example.com").is_err());
        assert!(domain("domain", "example..com").is_err());
        assert!(domain("domain", "-x.com").is_err());
        assert_eq!(domain_of("a@b.example.com"), "b.example.com");
    }
}
