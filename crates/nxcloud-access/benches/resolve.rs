//! Resolution of a small, a typical, a large (200 KB) and a 5 MB `nx.json`
//! by the native core (`cargo bench -p nxcloud-access --bench resolve`).
//!
//! The three real-shaped files are the committed fixtures of the Node
//! benchmark (`bench/fixtures/`, written by `bench/fixtures.js`), with the
//! same environment and `nx-cloud.env`, so the native and the Node figures
//! measure the same work. The 5 MB file is the size `limits.rs` names for
//! large input: 36,200 runner entries shaped as `tests/hostile_inputs.rs`
//! builds them, each with a committed token (the worst case for the
//! committed-token scan: one finding per entry).

// Bench set-up code: a broken fixture should stop the run loudly.
#![allow(clippy::expect_used, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use nxcloud_access::{resolve_credentials, ResolveInput};
use serde_json::Value;

const SMALL: &str = include_str!("../../../bench/fixtures/small.nx.json");
const TYPICAL: &str = include_str!("../../../bench/fixtures/typical.nx.json");
const LARGE: &str = include_str!("../../../bench/fixtures/large.nx.json");
const ENV: &str = include_str!("../../../bench/fixtures/env.json");

fn input(nx_json: &str) -> ResolveInput {
    let fixture: Value = serde_json::from_str(ENV).expect("bench/fixtures/env.json");
    let env: BTreeMap<String, String> =
        serde_json::from_value(fixture["env"].clone()).expect("env of env.json");
    ResolveInput {
        nx_version: Some("24.0.6".into()),
        nx_json: Some(nx_json.into()),
        env,
        nx_cloud_env: fixture["nxCloudEnv"].as_str().map(str::to_owned),
        ..ResolveInput::default()
    }
}

fn five_megabytes() -> String {
    let mut text = String::from("{\n  \"tasksRunnerOptions\": {\n");
    for i in 0..36_200 {
        text.push_str(&format!(
            "    \"r{i}\": {{\"runner\": \"nx-cloud\", \"options\": {{\"accessToken\": \"tok-{i:06}-abcdefghijklmnopqrstu\", \"url\": \"https://cloud{i}.example\"}}}},\n"
        ));
    }
    text.push_str("    \"default\": {\"runner\": \"nx-cloud\", \"options\": {\"accessToken\": \"the-default-token-0123456789\"}}\n  }\n}\n");
    assert!(text.len() > 5_000_000, "{}", text.len());
    text
}

fn resolution(c: &mut Criterion) {
    let mut group = c.benchmark_group("resolve_credentials");
    let five = five_megabytes();
    let cases = [
        ("small", SMALL),
        ("typical", TYPICAL),
        ("large-200KB", LARGE),
        ("bound-5MB", five.as_str()),
    ];
    for (name, text) in cases {
        let input = input(text);
        // Same answer as Nx: the environment's token is used.
        let r = resolve_credentials(&input).expect("fixtures resolve");
        assert!(r.nx_cloud_used, "{name}");
        if name == "bound-5MB" {
            group.sample_size(10);
        }
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), &input, |b, input| {
            b.iter(|| resolve_credentials(black_box(input)))
        });
    }
    group.finish();
}

criterion_group!(benches, resolution);
criterion_main!(benches);
