// Types of the CommonJS entry: generated from the Rust types (tsify,
// wasm-bindgen) into ./wasm by scripts/build-pkg.
export * from "./wasm/nxcloud_access";
