//! The executable spec: runs every `features/**/*.feature` scenario against a
//! driver of the public surface (see `tests/support`).
//!
//! Fails on undefined, skipped or failed steps. Writes a JUnit report to
//! `target/spec-<driver>.junit.xml` for CI.
//!
//! Environment: `NXCLOUD_SPEC_DRIVER` = `native` (default) or `npm` (the
//! built npm package through Node: run `scripts/build-pkg` first).
//! Extra arguments are cucumber's own (`-- --name REGEX`, `--tags @TOKEN-3`).

mod access;
mod resolution;

use std::fs::File;
use std::path::PathBuf;

use cucumber::{writer, World, WriterExt};
use nxcloud_access_spec::native::NativeDriver;
use nxcloud_access_spec::node::NodeDriver;
use nxcloud_access_spec::Driver;

/// The state of one scenario.
#[derive(Debug, World)]
#[world(init = Self::new)]
pub struct SpecWorld {
    /// The implementation under test.
    pub driver: Box<dyn Driver>,
    /// Inputs and the last answer of the resolution scenarios.
    pub resolution: resolution::State,
    /// State of the permission scenarios.
    pub access: access::State,
}

impl SpecWorld {
    fn new() -> Self {
        let driver: Box<dyn Driver> = match std::env::var("NXCLOUD_SPEC_DRIVER").as_deref() {
            Ok("native") | Err(_) => Box::new(NativeDriver::new()),
            Ok("npm") => Box::new(NodeDriver::new()),
            Ok(other) => panic!("unknown NXCLOUD_SPEC_DRIVER `{other}` (known: native, npm)"),
        };
        Self {
            driver,
            resolution: resolution::State::default(),
            access: access::State::default(),
        }
    }
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let driver = std::env::var("NXCLOUD_SPEC_DRIVER").unwrap_or_else(|_| "native".into());
    let report_dir = root.join("target");
    std::fs::create_dir_all(&report_dir).expect("create target/");
    let report = File::create(report_dir.join(format!("spec-{driver}.junit.xml")))
        .expect("create the JUnit report");
    futures::executor::block_on(
        SpecWorld::cucumber()
            .fail_on_skipped()
            .with_writer(
                writer::Basic::stdout()
                    .summarized()
                    .tee::<SpecWorld, _>(writer::JUnit::for_tee(report, 0))
                    .normalized(),
            )
            .run_and_exit(root.join("features")),
    );
}
