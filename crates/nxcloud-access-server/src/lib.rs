//! PLACEHOLDER: the self-hosted cache (issue 7).
