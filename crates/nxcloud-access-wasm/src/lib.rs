//! PLACEHOLDER: the wasm bindings (issue 4).
