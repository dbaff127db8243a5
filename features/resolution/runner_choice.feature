Feature: Which runner runs, and whether Nx reports itself connected

  Background:
    Given a read-write access token "A"

  @RUN-1
  Scenario: --runner names the entry that runs
    Given Nx 19.6.7 is installed
    And nx is run with --runner "ci"
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "ci": { "runner": "nx-cloud", "options": { "accessToken": "{A}" } } } }
      """
    When the credentials are resolved
    Then the runner is "ci" with module "nx-cloud"
    And the access token is "A" from "nx.json:tasksRunnerOptions.ci.options.accessToken"

  @RUN-1
  Scenario Outline: a --runner without an entry makes Nx refuse to run
    Given Nx <version> is installed
    And nx is run with --runner "<runner>"
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{A}" }
      """
    When the credentials are resolved
    Then there is a finding "runner-not-found" of severity "error"
    And no access token is sent

    Examples:
      | version | runner  |
      | 16.10.0 | default |
      | 19.6.7  | ci      |
      | 24.0.6  | ci      |

  @RUN-1
  Scenario: from 17 --runner default needs no entry
    Given Nx 17.0.0 is installed
    And nx is run with --runner "default"
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{A}" }
      """
    When the credentials are resolved
    Then there is no finding "runner-not-found"
    And the access token is "A" from "nx.json:nxCloudAccessToken"

  @RUN-1
  Scenario: NX_TASKS_RUNNER without an entry is ignored
    Given Nx 19.6.7 is installed
    And the environment variable "NX_TASKS_RUNNER" is set to "missing"
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{A}" }
      """
    When the credentials are resolved
    Then the runner is "default" with module "nx-cloud"
    And the trace shows "env:NX_TASKS_RUNNER" as ignored by rule "RUN-1"

  @RUN-1
  Scenario Outline: NX_RUNNER names the runner up to 19.x
    Given Nx <version> is installed
    And the environment variable "NX_RUNNER" is set to "local"
    And an nx.json containing:
      """
      {
        "nxCloudAccessToken": "{A}",
        "tasksRunnerOptions": { "local": { "runner": "nx/tasks-runners/default" } }
      }
      """
    When the credentials are resolved
    Then the runner is "<name>" with module "<module>"

    Examples:
      | version | name    | module                   |
      | 19.8.14 | local   | nx/tasks-runners/default |
      | 20.0.0  | default | nx-cloud                 |

  @RUN-2 @RUN-3
  Scenario Outline: an explicit custom runner keeps Nx Cloud off until 21.0.0
    Given Nx <version> is installed
    And an nx.json containing:
      """
      {
        "nxCloudAccessToken": "{A}",
        "tasksRunnerOptions": { "default": { "runner": "./tools/my-runner.js" } }
      }
      """
    When the credentials are resolved
    Then the Nx Cloud runner runs: "<runs>"
    And the access token comes from "<source>"

    Examples:
      | version | runs | source                     |
      | 20.8.1  | no   | nowhere                    |
      | 21.0.0  | yes  | nx.json:nxCloudAccessToken |

  @RUN-3
  Scenario: from 21 the ignored custom runner is a finding
    Given Nx 21.0.0 is installed
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "runner": "./tools/my-runner.js" } } }
      """
    When the credentials are resolved
    Then there is a finding "custom-runner-ignored" of severity "warning"
    And the runner is "default" with module "nx/tasks-runners/default"

  @RUN-2
  Scenario: options.accessToken without a runner field selects the cloud runner
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "options": { "accessToken": "{A}" } } } }
      """
    When the credentials are resolved
    Then the runner is "default" with module "nx-cloud"
    And the access token is "A" from "nx.json:tasksRunnerOptions.default.options.accessToken"

  @RUN-3 @USED-1
  Scenario Outline: NX_CLOUD_AUTH_TOKEN alone selects the cloud runner and connects from 21.4.0
    Given Nx <version> is installed
    And an nx.json containing exactly "{}"
    And the environment variable "NX_CLOUD_AUTH_TOKEN" is set to "{A}"
    When the credentials are resolved
    Then Nx reports the workspace connected: "<connected>"
    And the Nx Cloud runner runs: "<connected>"

    Examples:
      | version | connected |
      | 21.3.9  | no        |
      | 21.4.0  | yes       |

  @USED-1 @EXP-2
  Scenario: NX_CLOUD_AUTH_TOKEN alone before 21.4.0 is a finding
    Given Nx 19.6.7 is installed
    And an nx.json containing exactly "{}"
    And the environment variable "NX_CLOUD_AUTH_TOKEN" is set to "{A}"
    When the credentials are resolved
    Then there is a finding "auth-token-does-not-connect" of severity "warning"

  @RUN-3 @EXP-2
  Scenario Outline: CODEX_ENV_NODE_VERSION forces the default runner from 21.1.3
    Given Nx <version> is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{A}" }
      """
    And the environment variable "CODEX_ENV_NODE_VERSION" is set to "20"
    When the credentials are resolved
    Then the Nx Cloud runner runs: "<runs>"

    Examples:
      | version | runs |
      | 21.1.2  | yes  |
      | 21.1.3  | no   |

  @RUN-3
  Scenario: the silent CODEX_ENV_NODE_VERSION is a finding
    Given Nx 22.0.0 is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{A}" }
      """
    And the environment variable "CODEX_ENV_NODE_VERSION" is set to "20"
    When the credentials are resolved
    Then there is a finding "codex-env-keeps-cloud-off" of severity "warning"

  @USED-2
  Scenario Outline: NX_NO_CLOUD=true makes Nx report not connected from 19.8.6 (not in 20.0.0)
    Given Nx <version> is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{A}" }
      """
    And the environment variable "NX_NO_CLOUD" is set to "true"
    When the credentials are resolved
    Then Nx reports the workspace connected: "<connected>"

    Examples:
      | version | connected |
      | 19.8.5  | yes       |
      | 19.8.6  | no        |
      | 20.0.0  | yes       |
      | 20.0.1  | no        |
      | 20.0.2  | no        |

  @USED-2
  Scenario Outline: neverConnectToCloud, and its inversion in 20.0.1
    Given Nx <version> is installed
    And an nx.json containing:
      """
      { "neverConnectToCloud": true }
      """
    When the credentials are resolved
    Then Nx reports the workspace connected: "<connected>"

    Examples:
      | version | connected |
      | 20.0.0  | no        |
      | 20.0.1  | yes       |
      | 20.0.2  | no        |

  @USED-2 @EXP-2
  Scenario: neverConnectToCloud on 20.0.1 is a finding
    Given Nx 20.0.1 is installed
    And an nx.json containing:
      """
      { "neverConnectToCloud": true }
      """
    When the credentials are resolved
    Then there is a finding "never-connect-to-cloud-reports-connected" of severity "warning"

  @USED-2 @EXP-2
  Scenario: NX_NO_CLOUD counts only as the exact string true
    Given Nx 21.0.0 is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{A}" }
      """
    And the environment variable "NX_NO_CLOUD" is set to "1"
    When the credentials are resolved
    Then Nx reports the workspace connected
    And there is a finding "nx-no-cloud-not-true" of severity "warning"

  @USED-2 @RUN-4
  Scenario Outline: the opt-outs stop the cloud runner only from 22.7.0
    Given Nx <version> is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{A}", "neverConnectToCloud": true }
      """
    When the credentials are resolved
    Then Nx reports the workspace not connected
    And the Nx Cloud runner runs: "<runs>"
    And the access token comes from "<source>"

    Examples:
      | version | runs | source                     |
      | 22.6.9  | yes  | nx.json:nxCloudAccessToken |
      | 22.7.0  | no   | nowhere                    |

  @USED-2
  Scenario: before 22.7.0 the still-running cloud runner is a finding
    Given Nx 22.6.9 is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{A}" }
      """
    And the environment variable "NX_NO_CLOUD" is set to "true"
    When the credentials are resolved
    Then there is a finding "opt-out-still-runs-cloud-runner" of severity "warning"
    And the finding "opt-out-still-runs-cloud-runner" suggests "remove `nxCloudAccessToken` from nx.json"
    And the finding "opt-out-still-runs-cloud-runner" suggests "upgrade nx to 22.7.0 or later"

  # Issue 11: the fix always said "remove the access token from this
  # environment", also when the credential was in nx.json or an nxCloudId.
  @USED-2 @EXP-2
  Scenario Outline: the fix names each place that selects the Nx Cloud runner
    Given Nx 21.0.0 is installed
    And an nx.json containing:
      """
      <nx.json>
      """
    And the environment variable "NX_NO_CLOUD" is set to "true"
    And the environment variable "NX_CLOUD_ACCESS_TOKEN" is set to "<env token>"
    When the credentials are resolved
    Then there is a finding "opt-out-still-runs-cloud-runner" of severity "warning"
    And the finding "opt-out-still-runs-cloud-runner" suggests "<place>"

    Examples:
      | nx.json                                                                 | env token         | place                                              |
      | { "nxCloudId": "65d5639f1a3b026e12345678" }                             |                   | remove `nxCloudId` from nx.json                    |
      | {}                                                                      | env-access-000001 | unset `NX_CLOUD_ACCESS_TOKEN` in this environment  |
      | { "tasksRunnerOptions": { "default": { "runner": "nx-cloud", "options": { "accessToken": "opt-token-000001" } } } } | | remove `tasksRunnerOptions.default.runner` from nx.json, and remove `tasksRunnerOptions.default.options.accessToken` from nx.json |

  @RUN-4 @USED-1
  Scenario: a cloud entry under a name that does not run: connected, yet the default runner runs
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "cloud": { "runner": "nx-cloud", "options": { "accessToken": "{A}" } } } }
      """
    When the credentials are resolved
    Then Nx reports the workspace connected
    And the Nx Cloud runner does not run
    And there is a finding "connected-state-disagrees" of severity "info"

  @RUN-4
  Scenario: options.accessToken without a runner field runs the cloud runner while Nx reports not connected
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "options": { "accessToken": "{A}" } } } }
      """
    When the credentials are resolved
    Then Nx reports the workspace not connected
    And the Nx Cloud runner runs
    And there is a finding "connected-state-disagrees" of severity "info"

  @CLI-1
  Scenario Outline: an installed @nrwl/nx-cloud is loaded up to 20.x, never from 21.0
    Given Nx <version> is installed
    And the "@nrwl/nx-cloud" package 15.3.5 is installed
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "runner": "@nrwl/nx-cloud", "options": { "accessToken": "{A}" } } } }
      """
    And the environment variable "NX_CLOUD_API" is set to "https://my.cloud.example"
    When the credentials are resolved
    Then the runner is "default" with module "<module>"
    And the API URL is "<url>" from "<source>"

    Examples:
      | version | module         | url                      | source           |
      | 20.8.1  | @nrwl/nx-cloud | https://cloud.nx.app     | default          |
      | 21.0.0  | nx-cloud       | https://my.cloud.example | env:NX_CLOUD_API |

  @CLI-1 @URL-1
  Scenario Outline: clients before 16.1 ignore NX_CLOUD_API
    Given Nx 16.10.0 is installed
    And the "@nrwl/nx-cloud" package <client> is installed
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "runner": "@nrwl/nx-cloud", "options": { "accessToken": "{A}" } } } }
      """
    And the environment variable "NX_CLOUD_API" is set to "https://my.cloud.example"
    When the credentials are resolved
    Then the API URL is "<url>" from "<source>"

    Examples:
      | client | url                      | source           |
      | 15.3.5 | https://cloud.nx.app     | default          |
      | 16.0.0 | https://cloud.nx.app     | default          |
      | 16.1.0 | https://my.cloud.example | env:NX_CLOUD_API |
