//! Steps of the permission features (part 2).

/// Ids, secrets and the last answer of the permission scenarios.
#[derive(Debug, Default)]
pub struct State {}
