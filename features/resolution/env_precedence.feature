Feature: Which token the cloud runner sends
  The token is the first non-empty of env NX_CLOUD_AUTH_TOKEN, env
  NX_CLOUD_ACCESS_TOKEN, nx-cloud.env NX_CLOUD_AUTH_TOKEN, nx-cloud.env
  NX_CLOUD_ACCESS_TOKEN, options.accessToken and top-level nxCloudAccessToken.

  Background:
    Given a read-write access token "ENV_AUTH"
    And a read-write access token "ENV_ACCESS"
    And a read-write access token "FILE_AUTH"
    And a read-write access token "FILE_ACCESS"
    And a read-only access token "OPTIONS"
    And a read-only access token "TOP"

  @TOKEN-1 @EXP-1
  Scenario Outline: each source beats the ones after it
    Given Nx <version> is installed
    And an nx.json containing:
      """
      {
        "nxCloudAccessToken": "{TOP}",
        "tasksRunnerOptions": { "default": { "options": { "accessToken": "{OPTIONS}" } } }
      }
      """
    And the environment variable "NX_CLOUD_AUTH_TOKEN" is set to "<env auth>"
    And the environment variable "NX_CLOUD_ACCESS_TOKEN" is set to "<env access>"
    And a file "nx-cloud.env" containing:
      """
      NX_CLOUD_AUTH_TOKEN=<file auth>
      NX_CLOUD_ACCESS_TOKEN=<file access>
      """
    When the credentials are resolved
    Then the access token is "<winner>" from "<source>"
    And the trace shows "nx.json:nxCloudAccessToken" as shadowed by rule "TOP-2"

    Examples:
      | version | env auth   | env access   | file auth   | file access   | winner      | source                                                |
      | 17.1.1  | {ENV_AUTH} | {ENV_ACCESS} | {FILE_AUTH} | {FILE_ACCESS} | ENV_AUTH    | env:NX_CLOUD_AUTH_TOKEN                               |
      | 19.6.7  |            | {ENV_ACCESS} | {FILE_AUTH} | {FILE_ACCESS} | ENV_ACCESS  | env:NX_CLOUD_ACCESS_TOKEN                             |
      | 20.1.0  |            |              | {FILE_AUTH} | {FILE_ACCESS} | FILE_AUTH   | nx-cloud.env:NX_CLOUD_AUTH_TOKEN                      |
      | 21.4.0  |            |              |             | {FILE_ACCESS} | FILE_ACCESS | nx-cloud.env:NX_CLOUD_ACCESS_TOKEN                    |
      | 24.0.6  |            |              |             |               | OPTIONS     | nx.json:tasksRunnerOptions.default.options.accessToken |

  @TOKEN-1 @EXP-1
  Scenario: the environment variable takes precedence over nx.json (seed 002)
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{TOP}" }
      """
    And the environment variable "NX_CLOUD_ACCESS_TOKEN" is set to "{ENV_ACCESS}"
    When the credentials are resolved
    Then the access token is "ENV_ACCESS" from "env:NX_CLOUD_ACCESS_TOKEN"
    And the credential is "ci-access-token"
    And the trace shows "env:NX_CLOUD_ACCESS_TOKEN" as used by rule "TOKEN-1"
    And the trace shows "nx.json:nxCloudAccessToken" as shadowed
    And the trace shows "env:NX_CLOUD_AUTH_TOKEN" as absent
    And the trace and the findings never show the token "ENV_ACCESS"

  @TOKEN-1 @USED-1
  Scenario: NX_CLOUD_AUTH_TOKEN beats NX_CLOUD_ACCESS_TOKEN: they are not exact aliases
    Given Nx 19.6.7 is installed
    And an nx.json containing exactly "{}"
    And the environment variable "NX_CLOUD_AUTH_TOKEN" is set to "{ENV_AUTH}"
    And the environment variable "NX_CLOUD_ACCESS_TOKEN" is set to "{ENV_ACCESS}"
    When the credentials are resolved
    Then the access token is "ENV_AUTH" from "env:NX_CLOUD_AUTH_TOKEN"
    And the trace shows "env:NX_CLOUD_ACCESS_TOKEN" as shadowed

  @TOKEN-2
  Scenario: an empty environment variable falls through to nx-cloud.env
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{TOP}" }
      """
    And the environment variable "NX_CLOUD_ACCESS_TOKEN" is set to ""
    And a file "nx-cloud.env" containing:
      """
      NX_CLOUD_AUTH_TOKEN=
      NX_CLOUD_ACCESS_TOKEN={FILE_ACCESS}
      """
    When the credentials are resolved
    Then the access token is "FILE_ACCESS" from "nx-cloud.env:NX_CLOUD_ACCESS_TOKEN"
    And the trace shows "env:NX_CLOUD_ACCESS_TOKEN" as ignored by rule "TOKEN-2"
    And the trace shows "nx-cloud.env:NX_CLOUD_AUTH_TOKEN" as ignored by rule "TOKEN-2"

  @ENVF-1
  Scenario: a token in nx-cloud.env never switches Nx Cloud on by itself
    Given Nx 19.6.7 is installed
    And an nx.json containing exactly "{}"
    And a file "nx-cloud.env" containing:
      """
      NX_CLOUD_ACCESS_TOKEN={FILE_ACCESS}
      """
    When the credentials are resolved
    Then Nx Cloud is not used
    And the trace shows "nx-cloud.env:NX_CLOUD_ACCESS_TOKEN" as ignored by rule "TOKEN-1"

  @ENVF-1
  Scenario: references in nx-cloud.env are not expanded
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{TOP}" }
      """
    And the environment variable "CI_SECRET" is set to "{ENV_ACCESS}"
    And a file "nx-cloud.env" containing:
      """
      NX_CLOUD_ACCESS_TOKEN=${CI_SECRET}
      """
    When the credentials are resolved
    Then the access token is "${CI_SECRET}" from "nx-cloud.env:NX_CLOUD_ACCESS_TOKEN"

  @ENVF-2 @URL-1
  Scenario: NX_CLOUD_API in nx-cloud.env is ignored
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{TOP}" }
      """
    And a file "nx-cloud.env" containing:
      """
      NX_CLOUD_API=https://my.cloud.example
      """
    When the credentials are resolved
    Then the API URL is "https://cloud.nx.app" from "default"
    And the trace shows "nx-cloud.env:NX_CLOUD_API" as ignored by rule "ENVF-2"
    And there is a finding "nx-cloud-api-in-nx-cloud-env-ignored" of severity "info"

  @ENVF-3
  Scenario Outline: Nx's own parser reads export, quotes, colons and drops comments
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{TOP}" }
      """
    And a file "nx-cloud.env" containing:
      """
      <line>
      """
    When the credentials are resolved
    Then the access token is "FILE_ACCESS" from "nx-cloud.env:NX_CLOUD_ACCESS_TOKEN"
    And there is no finding "nx-cloud-env-read-differently"

    Examples:
      | line                                          |
      | export NX_CLOUD_ACCESS_TOKEN={FILE_ACCESS}    |
      | NX_CLOUD_ACCESS_TOKEN='{FILE_ACCESS}'         |
      | NX_CLOUD_ACCESS_TOKEN=`{FILE_ACCESS}`         |
      | NX_CLOUD_ACCESS_TOKEN: {FILE_ACCESS}          |
      | NX_CLOUD_ACCESS_TOKEN={FILE_ACCESS} # CI only |
      | NX_CLOUD_ACCESS_TOKEN={FILE_ACCESS}#CI        |
      | NX_CLOUD_ACCESS_TOKEN="{FILE_ACCESS}" # CI    |

  @ENVF-3 @CLI-1
  Scenario: an installed client reads a commented value with its comment and quotes
    Given Nx 19.6.7 is installed
    And the "nx-cloud" package 19.1.3 is installed
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "runner": "nx-cloud" } } }
      """
    And a file "nx-cloud.env" containing:
      """
      NX_CLOUD_ACCESS_TOKEN="{FILE_ACCESS}" # CI only
      """
    When the credentials are resolved
    Then the access token sent is '"{FILE_ACCESS}" # CI only' from "nx-cloud.env:NX_CLOUD_ACCESS_TOKEN"
    And there is a finding "nx-cloud-env-read-differently" of severity "warning"

  @ENVF-3 @LEG-1
  Scenario Outline: the client's parser ignores export lines and keeps backticks
    Given Nx <version> is installed
    And the "nx-cloud" package 19.1.3 is installed
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "runner": "nx-cloud", "options": { "accessToken": "{OPTIONS}" } } } }
      """
    And a file "nx-cloud.env" containing:
      """
      export NX_CLOUD_AUTH_TOKEN={FILE_AUTH}
      NX_CLOUD_ACCESS_TOKEN=`{FILE_ACCESS}`
      """
    When the credentials are resolved
    Then the access token is "`{FILE_ACCESS}`" from "nx-cloud.env:NX_CLOUD_ACCESS_TOKEN"
    And the finding "nx-cloud-env-read-differently" mentions "NX_CLOUD_AUTH_TOKEN"

    Examples:
      | version |
      | 16.10.0 |
      | 20.1.0  |

  @TOKEN-5
  Scenario Outline: from 22.6.0 the token choice is an interpretation unless a client is loaded
    Given Nx <version> is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{TOP}" }
      """
    When the credentials are resolved
    Then the access token is "TOP" from "nx.json:nxCloudAccessToken"
    And the result is inferred: "<inferred>"

    Examples:
      | version | inferred |
      | 22.5.3  | no       |
      | 22.6.0  | yes      |
      | 24.0.6  | yes      |

  @TOKEN-5 @CLI-1
  Scenario: a loaded client decides, so the result is not inferred
    Given Nx 22.6.0 is installed
    And the "nx-cloud" package 19.1.3 is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{TOP}" }
      """
    When the credentials are resolved
    Then the access token is "TOP" from "nx.json:nxCloudAccessToken"
    And the result is not inferred
