"use strict";
// The inputs every benchmark shares (the criterion benches of
// crates/nxcloud-access read the same files): three nx.json texts and the
// environment and nx-cloud.env text beside them. `node fixtures.js` rewrites
// fixtures/*.json; they are committed so that both benchmarks read the same
// bytes.
const fs = require("node:fs");
const path = require("node:path");

const NX_CLOUD_ID = "65d5639f1a3b026e12345678";

// Small: what `nx connect` writes on Nx 17+, and nothing else.
const small = {
  nxCloudAccessToken: "N2ExZTRiMmMtNWQzZi00ZTZhLThiOWMtMGQxZTJmM2E0YjVjfHJlYWQtb25seQ",
};

// Typical: a real-sized nx.json of an Nx 19-21 workspace (about 2 KB).
function typicalObject() {
  return {
    $schema: "./node_modules/nx/schemas/nx-schema.json",
    namedInputs: {
      default: ["{projectRoot}/**/*", "sharedGlobals"],
      production: [
        "default",
        "!{projectRoot}/**/?(*.)+(spec|test).[jt]s?(x)?(.snap)",
        "!{projectRoot}/tsconfig.spec.json",
        "!{projectRoot}/jest.config.[jt]s",
        "!{projectRoot}/.eslintrc.json",
        "!{projectRoot}/src/test-setup.[jt]s",
      ],
      sharedGlobals: ["{workspaceRoot}/.github/workflows/ci.yml"],
    },
    targetDefaults: {
      build: { cache: true, dependsOn: ["^build"], inputs: ["production", "^production"] },
      test: { cache: true, inputs: ["default", "^production", "{workspaceRoot}/jest.preset.js"] },
      lint: { cache: true, inputs: ["default", "{workspaceRoot}/.eslintrc.json", "{workspaceRoot}/tools/eslint-rules/**/*"] },
      e2e: { cache: true, inputs: ["default", "^production"] },
      "@nx/vite:test": { cache: true, inputs: ["default", "^production"] },
    },
    plugins: [
      { plugin: "@nx/eslint/plugin", options: { targetName: "lint" } },
      { plugin: "@nx/jest/plugin", options: { targetName: "test" } },
      { plugin: "@nx/vite/plugin", options: { buildTargetName: "build", testTargetName: "vite:test", serveTargetName: "serve", previewTargetName: "preview" } },
      { plugin: "@nx/playwright/plugin", options: { targetName: "e2e" } },
    ],
    generators: {
      "@nx/react": { application: { style: "css", linter: "eslint", bundler: "vite", babel: true }, component: { style: "css" }, library: { style: "css", linter: "eslint" } },
    },
    release: { projects: ["packages/*"], version: { conventionalCommits: true }, changelog: { workspaceChangelog: { createRelease: "github" } } },
    defaultBase: "main",
    parallel: 3,
    nxCloudId: NX_CLOUD_ID,
  };
}

// Large: the typical file with 1,000 more target defaults (about 200 KB).
function largeObject(targets) {
  const o = typicalObject();
  for (let i = 0; i < targets; i++) {
    o.targetDefaults[`custom-target-${i}`] = {
      cache: true,
      dependsOn: ["^build", `prepare-${i}`],
      inputs: ["production", "^production", `{workspaceRoot}/tools/generators/target-${i}/**/*`],
      outputs: [`{workspaceRoot}/dist/{projectRoot}/target-${i}`, "{options.outputPath}"],
      options: { parallel: i % 7 === 0, command: `node tools/scripts/target-${i}.mjs --project={projectName}` },
    };
  }
  return o;
}

const text = (o) => JSON.stringify(o, null, 2) + "\n";
const FILES = {
  "small.nx.json": text(small),
  "typical.nx.json": text(typicalObject()),
  "large.nx.json": text(largeObject(395)),
};

// The environment of a CI job and the nx-cloud.env beside nx.json.
const ENV = {
  CI: "true",
  HOME: "/home/runner",
  PATH: "/usr/local/bin:/usr/bin:/bin",
  NX_CLOUD_ACCESS_TOKEN: "ZjQ5OGI0YWEtYzBiNS00YjY5LTg0ZWQtOGU1NTlmMjAxNjUwfHJlYWQtd3JpdGU",
};
const NX_CLOUD_ENV = "# written by nx connect\nNX_CLOUD_AUTH_TOKEN=\nNX_CLOUD_NO_TIMEOUTS=false\n";

function load() {
  const out = {};
  for (const name of Object.keys(FILES)) {
    out[name.replace(".nx.json", "")] = fs.readFileSync(path.join(__dirname, "fixtures", name), "utf8");
  }
  return out;
}

module.exports = { load, ENV, NX_CLOUD_ENV, NX_CLOUD_ID };

if (require.main === module) {
  for (const [name, content] of Object.entries(FILES)) {
    fs.writeFileSync(path.join(__dirname, "fixtures", name), content);
    console.log(`fixtures/${name}: ${content.length} bytes`);
  }
  fs.writeFileSync(path.join(__dirname, "fixtures", "env.json"), JSON.stringify({ env: ENV, nxCloudEnv: NX_CLOUD_ENV }, null, 2) + "\n");
}
