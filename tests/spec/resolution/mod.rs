//! Steps of the resolution features (part 1).

/// Inputs gathered by the Given steps, and the last answer.
#[derive(Debug, Default)]
pub struct State {}
