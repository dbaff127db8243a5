Feature: The generations of nx.json
  tasksRunnerOptions with the @nrwl/nx-cloud or nx-cloud runner (up to 16),
  the top-level nxCloudAccessToken (17), and nxCloudId (19.6).

  Background:
    Given a read-write access token "A"
    And a read-only access token "B"

  @LEG-1
  Scenario: Nx 16 sends the token of the legacy runner entry when the runner package is installed
    Given Nx 16.10.0 is installed
    And the "@nrwl/nx-cloud" package 16.5.0 is installed
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "runner": "@nrwl/nx-cloud", "options": { "accessToken": "{B}" } } } }
      """
    When the credentials are resolved
    Then the access token is "B" from "nx.json:tasksRunnerOptions.default.options.accessToken"
    And the runner is "default" with module "@nrwl/nx-cloud"
    And Nx reports the workspace connected

  @LEG-1
  Scenario: Nx 16 cannot load a runner package that is not installed, and sends nothing
    Given Nx 16.10.0 is installed
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "runner": "nx-cloud", "options": { "accessToken": "{B}" } } } }
      """
    When the credentials are resolved
    Then no access token is sent
    And there is a finding "cloud-runner-not-installed" of severity "error"

  @LEG-1 @TOP-1
  Scenario Outline: Nx 16 knows no top-level token and needs a runner entry
    Given Nx <version> is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{A}" }
      """
    When the credentials are resolved
    Then the Nx Cloud runner runs: "<runs>"
    And the access token comes from "<source>"

    Examples:
      | version | runs | source                     |
      | 16.10.0 | no   | nowhere                    |
      | 17.0.0  | yes  | nx.json:nxCloudAccessToken |

  @LEG-2 @TOKEN-4
  Scenario: removing accessToken leaves the cloud runner selected, without a token it warns and runs without Nx Cloud
    Given Nx 18.3.4 is installed
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "runner": "nx-cloud", "options": { "cacheableOperations": ["build"] } } } }
      """
    When the credentials are resolved
    Then the Nx Cloud runner runs
    And no access token is sent
    And the credential is "none"
    And there is a finding "cloud-runner-runs-without-credential" of severity "warning"

  @LEG-2
  Scenario: removing accessToken does not turn Nx Cloud off while the environment has a token
    Given Nx 18.3.4 is installed
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "runner": "nx-cloud", "options": {} } } }
      """
    And the environment variable "NX_CLOUD_ACCESS_TOKEN" is set to "{A}"
    When the credentials are resolved
    Then the access token is "A" from "env:NX_CLOUD_ACCESS_TOKEN"

  @LEG-2 @ID-1
  Scenario Outline: a workspace without cloud settings connects by an environment token from 17.1.1 and by nxCloudId from 19.6.0
    Given Nx <version> is installed
    And an nx.json containing:
      """
      { "nxCloudId": "65d5639f1a3b026e12345678" }
      """
    When the credentials are resolved
    Then the Nx Cloud runner runs: "<runs>"
    And the credential is "<credential>"

    Examples:
      | version | runs | credential   |
      | 19.5.7  | no   | none         |
      | 19.6.0  | yes  | workspace-id |

  @TOKEN-3 @TOP-2
  Scenario: options.accessToken beats the top-level token
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      {
        "nxCloudAccessToken": "{A}",
        "tasksRunnerOptions": { "default": { "options": { "accessToken": "{B}" } } }
      }
      """
    When the credentials are resolved
    Then the access token is "B" from "nx.json:tasksRunnerOptions.default.options.accessToken"

  @TOKEN-3
  Scenario: an empty options.accessToken still blocks the top-level token, and no token is sent
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      {
        "nxCloudAccessToken": "{A}",
        "tasksRunnerOptions": { "default": { "options": { "accessToken": "" } } }
      }
      """
    When the credentials are resolved
    Then the Nx Cloud runner runs
    And no access token is sent
    And the trace shows "nx.json:tasksRunnerOptions.default.options.accessToken" as used by rule "TOKEN-3"
    And the trace shows "nx.json:nxCloudAccessToken" as shadowed

  @TOKEN-3
  Scenario: a null options.accessToken lets the top-level token through
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      {
        "nxCloudAccessToken": "{A}",
        "tasksRunnerOptions": { "default": { "options": { "accessToken": null } } }
      }
      """
    When the credentials are resolved
    Then the access token is "A" from "nx.json:nxCloudAccessToken"

  @TOP-1 @TOKEN-4
  Scenario Outline: the @nrwl/nx-cloud runner gets the top-level token only from 21.0.0
    Given Nx <version> is installed
    And an nx.json containing:
      """
      {
        "nxCloudAccessToken": "{A}",
        "tasksRunnerOptions": { "default": { "runner": "@nrwl/nx-cloud" } }
      }
      """
    When the credentials are resolved
    Then the Nx Cloud runner runs
    And the access token comes from "<source>"
    And the credential is "<credential>"

    Examples:
      | version | source                     | credential      |
      | 17.0.0  | nowhere                    | none            |
      | 20.8.1  | nowhere                    | none            |
      | 21.0.0  | nx.json:nxCloudAccessToken | ci-access-token |

  @TOP-1
  Scenario: the hidden top-level token is a finding
    Given Nx 20.8.1 is installed
    And an nx.json containing:
      """
      {
        "nxCloudAccessToken": "{A}",
        "tasksRunnerOptions": { "default": { "runner": "@nrwl/nx-cloud" } }
      }
      """
    When the credentials are resolved
    Then there is a finding "top-level-token-hidden-by-runner" of severity "warning"
    And there is a finding "cloud-runner-runs-without-credential" of severity "warning"
    And the trace shows "nx.json:nxCloudAccessToken" as ignored by rule "TOP-1"

  @TOP-1 @TOKEN-4 @CLI-1
  Scenario: with an installed client the hidden top-level token makes the command fail
    Given Nx 20.8.1 is installed
    And the "@nrwl/nx-cloud" package 19.1.0 is installed
    And an nx.json containing:
      """
      {
        "nxCloudAccessToken": "{A}",
        "tasksRunnerOptions": { "default": { "runner": "@nrwl/nx-cloud" } }
      }
      """
    When the credentials are resolved
    Then no access token is sent
    And there is a finding "cloud-runner-fails-authentication" of severity "error"

  @TOKEN-4 @CLI-1
  Scenario Outline: without a credential clients before 16.5 fall back, the light client of 16.5 and later fails
    Given Nx 16.10.0 is installed
    And the "<package>" package <client> is installed
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "runner": "<package>", "options": {} } } }
      """
    When the credentials are resolved
    Then no access token is sent
    And there is a finding "<finding>" of severity "<severity>"
    And the finding "<finding>" mentions "<how>"

    Examples:
      | package        | client | finding                              | severity | how                               |
      | @nrwl/nx-cloud | 15.3.5 | cloud-runner-runs-without-credential | warning  | silently                          |
      | @nrwl/nx-cloud | 16.0.0 | cloud-runner-runs-without-credential | warning  | silently                          |
      | nx-cloud       | 16.1.0 | cloud-runner-runs-without-credential | warning  | warns and runs                    |
      | nx-cloud       | 16.4.0 | cloud-runner-runs-without-credential | warning  | warns and runs                    |
      | nx-cloud       | 16.5.1 | cloud-runner-fails-authentication    | error    | fails with an authentication error |
      | @nrwl/nx-cloud | 16.5.2 | cloud-runner-fails-authentication    | error    | fails with an authentication error |
      | nx-cloud       | 19.1.3 | cloud-runner-fails-authentication    | error    | fails with an authentication error |

  @TOKEN-4
  Scenario: Nx's built-in shell warns and runs without Nx Cloud
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "runner": "nx-cloud" } } }
      """
    When the credentials are resolved
    Then the Nx Cloud runner runs
    And the credential is "none"
    And the finding "cloud-runner-runs-without-credential" mentions "nx warns and runs the command without Nx Cloud"
