Feature: The self-hosted remote cache
  From nx 20.8.0, NX_SELF_HOSTED_REMOTE_CACHE_SERVER and
  NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN send the task cache to a
  self-hosted remote cache such as `nxcloud-access serve`, unless nx counts
  the workspace as connected to Nx Cloud, which comes first. Recorded with
  the real nx (tests/conformance, cases self-hosted-*).

  @SHC-1 @SHC-2 @SHC-3 @CONF-1
  Scenario: the server and the token in the environment, no Nx Cloud
    Given a read-write access token "S"
    And Nx 20.8.0 is installed
    And an nx.json containing:
      """
      {}
      """
    And the environment variable "NX_SELF_HOSTED_REMOTE_CACHE_SERVER" is set to "http://cache:4599/ws/65d5639f1a3b026e12345678"
    And the environment variable "NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN" is set to "{S}"
    When the credentials are resolved
    Then the self-hosted cache is used by rule "SHC-3"
    And the self-hosted cache server is "http://cache:4599/ws/65d5639f1a3b026e12345678" from "env:NX_SELF_HOSTED_REMOTE_CACHE_SERVER"
    And the self-hosted cache names the workspace "65d5639f1a3b026e12345678"
    And the self-hosted cache is asked at "http://cache:4599/ws/65d5639f1a3b026e12345678/v1/cache/<hash>"
    And the self-hosted cache sends the token "S" from "env:NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN"
    And Nx Cloud is not used
    And the trace has a step for "env:NX_SELF_HOSTED_REMOTE_CACHE_SERVER" by rule "SHC-1"
    And there are no findings of severity "warning"
    And the trace and the findings never show the token "S"

  @SHC-1
  Scenario Outline: nx reads the server from 20.8.0
    Given a read-write access token "S"
    And Nx <version> is installed
    And the environment variable "NX_SELF_HOSTED_REMOTE_CACHE_SERVER" is set to "http://cache:4599"
    And the environment variable "NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN" is set to "{S}"
    When the credentials are resolved
    Then <outcome>

    Examples:
      | version | outcome                                                        |
      | 20.7.2  | there is a finding "self-hosted-cache-unsupported" of severity "warning" |
      | 20.7.2  | there is no self-hosted cache                                  |
      | 20.8.0  | the self-hosted cache is used by rule "SHC-3"                  |
      | 21.4.0  | the self-hosted cache names the workspace ""                   |
      | 24.0.6  | the self-hosted cache is used by rule "SHC-3"                  |

  @SHC-1 @SHC-2 @DOT-1
  Scenario: the server and the token in the root .env, which nx loads into the environment
    Given a read-write access token "S"
    And Nx 22.7.0 is installed
    And a root file ".env" containing:
      """
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER=http://cache:4599/ws/65d5639f1a3b026e12345678
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN={S}
      """
    When the credentials are resolved
    Then the self-hosted cache is used by rule "SHC-3"
    And the self-hosted cache server is "http://cache:4599/ws/65d5639f1a3b026e12345678" from ".env:NX_SELF_HOSTED_REMOTE_CACHE_SERVER"
    And the self-hosted cache sends the token "S" from ".env:NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN"

  @SHC-2 @DOT-1
  Scenario: the token in the environment beats the one in .env
    Given a read-write access token "S"
    And a read-write access token "FILE"
    And Nx 20.8.0 is installed
    And the environment variable "NX_SELF_HOSTED_REMOTE_CACHE_SERVER" is set to "http://cache:4599"
    And the environment variable "NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN" is set to "{S}"
    And a root file ".env" containing:
      """
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN={FILE}
      """
    When the credentials are resolved
    Then the self-hosted cache sends the token "S" from "env:NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN"
    And the trace has a step for ".env:NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN" by rule "DOT-1"
    And the trace and the findings never show the token "FILE"

  @SHC-1
  Scenario Outline: a server nx does not read
    Given Nx 22.7.0 is installed
    And <setting>
    When the credentials are resolved
    Then there is no self-hosted cache
    And the trace has no a step for "env:NX_SELF_HOSTED_REMOTE_CACHE_SERVER" by rule "SHC-1"

    Examples:
      | setting                                                                   |
      | the environment variable "NX_SELF_HOSTED_REMOTE_CACHE_SERVER" is set to "" |
      | the environment variable "NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN" is set to "x" |

  @SHC-1
  Scenario: nx-cloud.env is not loaded into the environment
    Given Nx 22.7.0 is installed
    And a file "nx-cloud.env" containing:
      """
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER=http://cache:4599
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN=file-shc-000001
      """
    When the credentials are resolved
    Then there is no self-hosted cache

  @SHC-1
  Scenario: the server URL is kept as written, a trailing slash included
    Given Nx 22.7.0 is installed
    And the environment variable "NX_SELF_HOSTED_REMOTE_CACHE_SERVER" is set to "http://cache:4599/ws/65d5639f1a3b026e12345678/"
    When the credentials are resolved
    Then the self-hosted cache is asked at "http://cache:4599/ws/65d5639f1a3b026e12345678//v1/cache/<hash>"
    And the self-hosted cache names the workspace "65d5639f1a3b026e12345678"

  @SHC-2
  Scenario: without a token nx sends no Authorization header
    Given Nx 20.8.0 is installed
    And the environment variable "NX_SELF_HOSTED_REMOTE_CACHE_SERVER" is set to "http://cache:4599"
    When the credentials are resolved
    Then the self-hosted cache sends no Authorization header
    And the self-hosted cache is used by rule "SHC-3"
    And there is a finding "self-hosted-cache-without-token" of severity "warning"

  @SHC-2
  Scenario: an empty token still sends the header, with no token
    Given Nx 22.7.0 is installed
    And the environment variable "NX_SELF_HOSTED_REMOTE_CACHE_SERVER" is set to "http://cache:4599"
    And the environment variable "NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN" is set to ""
    When the credentials are resolved
    Then the self-hosted cache sends "Bearer" with no token from "env:NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN"
    And there is a finding "self-hosted-cache-without-token" of severity "warning"

  @SHC-3 @USED-2
  Scenario Outline: Nx Cloud switched off leaves the self-hosted cache in use
    Given a read-write access token "S"
    And Nx <version> is installed
    And an nx.json containing:
      """
      <nx.json>
      """
    And the environment variable "NX_SELF_HOSTED_REMOTE_CACHE_SERVER" is set to "http://cache:4599"
    And the environment variable "NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN" is set to "{S}"
    And the environment variable "NX_NO_CLOUD" is set to "<no cloud>"
    When the credentials are resolved
    Then Nx reports the workspace not connected
    And the self-hosted cache is used by rule "SHC-3"
    And there is no finding "self-hosted-cache-ignored"

    Examples:
      | version | nx.json                                                             | no cloud |
      | 20.8.0  | { "nxCloudId": "65d5639f1a3b026e12345678" }                         | true     |
      | 24.0.6  | { "nxCloudId": "65d5639f1a3b026e12345678" }                         | true     |
      | 22.7.0  | { "nxCloudId": "65d5639f1a3b026e12345678", "neverConnectToCloud": true } | false |

  @SHC-4 @SHC-5
  Scenario Outline: Nx Cloud comes first; some versions fall back without its client
    Given a read-write access token "S"
    And Nx <version> is installed
    And an nx.json containing:
      """
      { "nxCloudId": "65d5639f1a3b026e12345678" }
      """
    And the environment variable "NX_SELF_HOSTED_REMOTE_CACHE_SERVER" is set to "http://cache:4599/ws/65d5639f1a3b026e12345678"
    And the environment variable "NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN" is set to "{S}"
    When the credentials are resolved
    Then Nx reports the workspace connected
    And the self-hosted cache is not used by rule "SHC-4"
    And nx falls back to the self-hosted cache without the Nx Cloud client: "<fallback>"
    And there is a finding "self-hosted-cache-ignored" of severity "warning"
    And the finding "self-hosted-cache-ignored" suggests "NX_NO_CLOUD=true"
    And the trace and the findings never show the token "S"

    Examples:
      | version | fallback |
      | 20.8.0  | no       |
      | 20.8.2  | no       |
      | 21.4.0  | no       |
      | 21.6.6  | no       |
      | 21.6.7  | yes      |
      | 22.0.1  | no       |
      | 22.0.2  | yes      |
      | 22.7.0  | yes      |
      | 24.0.6  | yes      |

  @SHC-4
  Scenario: NX_CLOUD_ACCESS_TOKEN in the environment connects, and Nx Cloud comes first
    Given a read-write access token "S"
    And a read-write access token "CI"
    And Nx 22.7.0 is installed
    And an nx.json containing:
      """
      {}
      """
    And the environment variable "NX_CLOUD_ACCESS_TOKEN" is set to "{CI}"
    And the environment variable "NX_SELF_HOSTED_REMOTE_CACHE_SERVER" is set to "http://cache:4599"
    And the environment variable "NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN" is set to "{S}"
    When the credentials are resolved
    Then the self-hosted cache is not used by rule "SHC-4"
    And the DB cache sends the token "CI" from "env:NX_CLOUD_ACCESS_TOKEN"

  @SHC-6
  Scenario Outline: the switches that turn the cache or the remote cache off
    Given Nx <version> is installed
    And the environment variable "NX_SELF_HOSTED_REMOTE_CACHE_SERVER" is set to "http://cache:4599"
    And the environment variable "NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN" is set to "shc-token-0000001"
    And the environment variable "<variable>" is set to "<value>"
    When the credentials are resolved
    Then the self-hosted cache is not used by rule "<rule>"

    Examples:
      | version | variable                | value | rule  |
      | 22.7.0  | NX_SKIP_REMOTE_CACHE    | true  | SHC-6 |
      | 20.8.0  | NX_DISABLE_REMOTE_CACHE | true  | SHC-6 |
      | 22.7.0  | NX_SKIP_NX_CACHE        | true  | SHC-6 |
      | 24.0.6  | NX_DISABLE_NX_CACHE     | true  | SHC-6 |
      | 20.8.0  | NX_DISABLE_DB           | true  | SHC-6 |

  @TOKF-2 @SHC-2
  Scenario Outline: a self-hosted cache token in a committed .env is a finding
    Given a read-write access token "S"
    And Nx 22.7.0 is installed
    And a root file ".env" containing:
      """
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER=http://cache:4599
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN={S}
      """
    And git tracks "<tracked>"
    When the credentials are resolved
    Then <outcome>
    And the trace and the findings never show the token "S"

    Examples:
      | tracked | outcome                                                                        |
      | .env    | there is a finding "committed-self-hosted-cache-token" of severity "error"      |
      | nx.json | there is no finding "committed-self-hosted-cache-token"                         |

  @SHC-1
  Scenario: without the variables there is no self-hosted cache
    Given Nx 24.0.6 is installed
    When the credentials are resolved
    Then there is no self-hosted cache

  @SHC-1 @EXP-1
  Scenario: user information in the server URL is not shown in the trace or the findings
    Given Nx 20.7.2 is installed
    And the environment variable "NX_SELF_HOSTED_REMOTE_CACHE_SERVER" is set to "https://ci:hunter2-secret-value@cache:4599/ws/65d5639f1a3b026e12345678"
    When the credentials are resolved
    Then there is a finding "self-hosted-cache-unsupported" of severity "warning"
    And the trace step for "env:NX_SELF_HOSTED_REMOTE_CACHE_SERVER" mentions "20.8.0"
    And the trace and the findings never show the token "hunter2-secret-value"
