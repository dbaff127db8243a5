Feature: Reading the workspace's inputs
  Nx reads nx.json as JSON with comments, loads the root .env files into its
  environment and parses nx-cloud.env; the engine reads them the same way.

  Background:
    Given a read-write access token "A"

  @INP-1
  Scenario: comments and trailing commas are accepted in nx.json
    Given Nx 16.10.0 is installed
    And the "@nrwl/nx-cloud" package 16.5.0 is installed
    And an nx.json containing:
      """
      {
        // Nx Cloud, configured the legacy way (seed 000)
        "tasksRunnerOptions": {
          "default": {
            "runner": "@nrwl/nx-cloud",
            "options": { "accessToken": "{A}", "cacheableOperations": ["build", "test",], },
          },
        },
      }
      """
    When the credentials are resolved
    Then the access token is "A" from "nx.json:tasksRunnerOptions.default.options.accessToken"

  @INP-1
  Scenario: a syntax error names the line and column
    Given an nx.json containing:
      """
      {
        "nxCloudId": "65d5639f1a3b026e12345678"
        "neverConnectToCloud": false
      }
      """
    When the credentials are resolved
    Then the resolution fails with "invalid-nx-json"
    And the error is at line 2, column 42
    And the error message mentions "`nx.json`"

  @INP-1
  Scenario: an empty nx.json is an error, not an empty configuration
    Given an nx.json containing exactly ""
    When the credentials are resolved
    Then the resolution fails with "invalid-nx-json"
    And the error is at line 1, column 1

  @INP-1
  Scenario: single-quoted strings are not JSON for Nx
    Given an nx.json containing exactly "{ 'nxCloudId': 'x' }"
    When the credentials are resolved
    Then the resolution fails with "invalid-nx-json"

  @INP-2 @USED-1
  Scenario Outline: without nx.json an environment token connects only from 17.1.1
    Given the workspace has no nx.json
    And Nx <version> is installed
    And the environment variable "NX_CLOUD_ACCESS_TOKEN" is set to "{A}"
    When the credentials are resolved
    Then Nx reports the workspace connected: "<connected>"
    And the Nx Cloud runner runs: "<connected>"
    And the access token comes from "<source>"

    Examples:
      | version | connected | source                    |
      | 17.0.0  | no        | nowhere                   |
      | 17.1.0  | no        | nowhere                   |
      | 17.1.1  | yes       | env:NX_CLOUD_ACCESS_TOKEN |
      | 24.0.6  | yes       | env:NX_CLOUD_ACCESS_TOKEN |

  # Recorded: tests/conformance/recordings/no-nx-json-env-access-token/nx-16.10.0.json
  @INP-2 @LEG-1 @CONF-1
  Scenario: Nx 16 without nx.json runs its default runner and sends nothing
    Given the workspace has no nx.json
    And Nx 16.10.0 is installed
    And the environment variable "NX_CLOUD_ACCESS_TOKEN" is set to "{A}"
    When the credentials are resolved
    Then Nx Cloud is not used
    And the runner is "default" with module "nx/tasks-runners/default"
    And no access token is sent
    And there is no finding "nx-refuses-to-run"

  # Recorded: tests/conformance/recordings/top-level-token/nx-16.10.0.json
  @LEG-1 @CONF-1
  Scenario: Nx 16 with an nx.json that has no tasksRunnerOptions refuses to run
    Given Nx 16.10.0 is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{A}" }
      """
    When the credentials are resolved
    Then Nx Cloud is not used
    And no access token is sent
    And there is a finding "nx-refuses-to-run" of severity "error"

  @INP-3
  Scenario: a number as nxCloudAccessToken selects the cloud runner and is sent as is
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": 1234567890123 }
      """
    When the credentials are resolved
    Then the Nx Cloud runner runs
    And the access token is "1234567890123" from "nx.json:nxCloudAccessToken"
    And there is a finding "wrong-type" of severity "warning"
    And the finding "wrong-type" mentions "`nx.json:nxCloudAccessToken` is a number but nx expects a string"

  @INP-3 @USED-1
  Scenario: an array as tasksRunnerOptions is searched for cloud runners but has no default entry
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      { "tasksRunnerOptions": [ { "runner": "nx-cloud", "options": { "accessToken": "{A}" } } ] }
      """
    When the credentials are resolved
    Then Nx reports the workspace connected
    And the Nx Cloud runner does not run
    And no access token is sent
    And the finding "wrong-type" mentions "`nx.json:tasksRunnerOptions` is an array but nx expects an object"

  @INP-3
  Scenario: the string "false" as neverConnectToCloud is truthy
    Given Nx 20.0.2 is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{A}", "neverConnectToCloud": "false" }
      """
    When the credentials are resolved
    Then Nx reports the workspace not connected
    And the finding "wrong-type" mentions "neverConnectToCloud"

  @INP-3
  Scenario: an nx.json that is not an object is read as empty
    Given an nx.json containing exactly "[]"
    When the credentials are resolved
    Then Nx Cloud is not used
    And there is a finding "wrong-type" of severity "warning"

  Scenario Outline: a version string that is not an exact version is refused
    Given the Nx version is given as "<version>"
    And an nx.json containing exactly "{}"
    When the credentials are resolved
    Then the resolution fails with "invalid-nx-version"
    And the error message mentions "`<version>`"

    Examples:
      | version |
      | latest  |
      | 19.x    |
      | ^19.6.0 |
      | garbage |
      | 15.9.7  |

  Scenario: without a version the newest known behaviour applies, and a finding says so
    Given an nx.json containing exactly "{}"
    When the credentials are resolved
    Then the rules were applied for Nx "24.0.6"
    And there is a finding "nx-version-assumed" of severity "info"
    And the finding "nx-version-assumed" mentions "24.0.6"

  Scenario: with a version no version is assumed
    Given Nx 24.0.6 is installed
    And an nx.json containing exactly "{}"
    When the credentials are resolved
    Then there is no finding "nx-version-assumed"

  Scenario: a cloud client that is not a package and version is refused
    Given the installed cloud client is given as "nx-cloud@latest"
    And an nx.json containing exactly "{}"
    When the credentials are resolved
    Then the resolution fails with "invalid-input"
    And the error message mentions "`nx-cloud@latest`"

  @DOT-1
  Scenario: a token in .env counts as an environment variable and beats nx-cloud.env
    Given a read-write access token "B"
    And Nx 19.6.7 is installed
    And an nx.json containing exactly "{}"
    And a root file ".env" containing:
      """
      NX_CLOUD_ACCESS_TOKEN={A}
      """
    And a file "nx-cloud.env" containing:
      """
      NX_CLOUD_ACCESS_TOKEN={B}
      """
    When the credentials are resolved
    Then the access token is "A" from ".env:NX_CLOUD_ACCESS_TOKEN"
    And the trace shows "nx-cloud.env:NX_CLOUD_ACCESS_TOKEN" as shadowed
    And there is a finding "token-from-dot-env-file" of severity "info"

  @DOT-1
  Scenario: a real variable, even empty, is never replaced by a .env file
    Given Nx 19.6.7 is installed
    And an nx.json containing exactly "{}"
    And the environment variable "NX_CLOUD_ACCESS_TOKEN" is set to ""
    And a root file ".env" containing:
      """
      NX_CLOUD_ACCESS_TOKEN={A}
      """
    When the credentials are resolved
    Then Nx Cloud is not used
    And the trace shows ".env:NX_CLOUD_ACCESS_TOKEN" as shadowed by rule "DOT-1"

  @DOT-1
  Scenario: .local.env is loaded before .env.local, which is loaded before .env
    Given a read-write access token "B"
    And a read-write access token "C"
    And Nx 19.6.7 is installed
    And an nx.json containing exactly "{}"
    And a root file ".env" containing:
      """
      NX_CLOUD_ACCESS_TOKEN={C}
      """
    And a root file ".env.local" containing:
      """
      NX_CLOUD_ACCESS_TOKEN={B}
      """
    And a root file ".local.env" containing:
      """
      NX_CLOUD_ACCESS_TOKEN={A}
      """
    When the credentials are resolved
    Then the access token is "A" from ".local.env:NX_CLOUD_ACCESS_TOKEN"
    And the trace shows ".env.local:NX_CLOUD_ACCESS_TOKEN" as shadowed by rule "DOT-1"
    And the trace shows ".env:NX_CLOUD_ACCESS_TOKEN" as shadowed by rule "DOT-1"

  @DOT-1
  Scenario: references in root .env files are expanded
    Given Nx 19.6.7 is installed
    And an nx.json containing exactly "{}"
    And the environment variable "CI_SECRET" is set to "{A}"
    And a root file ".env" containing:
      """
      NX_CLOUD_ACCESS_TOKEN=${CI_SECRET}
      """
    When the credentials are resolved
    Then the access token is "A" from ".env:NX_CLOUD_ACCESS_TOKEN"

  @DOT-1
  Scenario Outline: up to 18.3.1 root .env files come from the current directory, later from the workspace root
    Given Nx <version> is installed
    And an nx.json containing exactly "{}"
    And a root file ".env" containing:
      """
      NX_CLOUD_ACCESS_TOKEN={A}
      """
    When the credentials are resolved
    Then the access token is "A" from ".env:NX_CLOUD_ACCESS_TOKEN"
    And the trace <has> a step for "default" by rule "DOT-1"

    Examples:
      | version | has    |
      | 18.3.1  | has    |
      | 18.3.2  | has no |

  Scenario: an unknown root dotenv file name is refused
    Given an nx.json containing exactly "{}"
    And a root file ".env.production" containing:
      """
      A=1
      """
    When the credentials are resolved
    Then the resolution fails with "invalid-input"
    And the error message mentions "`.env.production`"
