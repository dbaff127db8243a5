//! The npm package's generated TypeScript declarations, as an insta
//! snapshot: any change of the public types shows up in review.
//!
//! Run after `scripts/build-pkg` (scripts/test-node does):
//! `cargo test -p nxcloud-access-wasm --test dts`. To accept an intended
//! change: `INSTA_UPDATE=always cargo test -p nxcloud-access-wasm --test dts`,
//! then review the diff of `tests/snapshots/dts__nxcloud_access.d.ts.snap`.

use std::path::PathBuf;

#[test]
fn the_generated_d_ts_equals_the_reviewed_snapshot() {
    let built =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../pkg/wasm/nxcloud_access.d.ts");
    let text = std::fs::read_to_string(&built).unwrap_or_else(|error| {
        panic!(
            "cannot read {} ({error}): build the package first with scripts/build-pkg",
            built.display()
        )
    });
    insta::assert_snapshot!("nxcloud_access.d.ts", text);
}
