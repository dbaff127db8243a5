Feature: Findings about committed and misplaced credentials
  A token committed to the repository lets whoever reads it use Nx Cloud; a
  committed read-write token lets them poison the cache.

  @TOKF-1 @TOKF-2 @ADV-1 @ADV-2 @EXP-2
  Scenario Outline: a token committed in nx.json is a finding by its access level
    Given <token kind>
    And Nx 19.6.7 is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{T}" }
      """
    When the credentials are resolved
    Then there is a finding "<code>" of severity "<severity>"
    And the trace and the findings never show the token "T"

    Examples:
      | token kind                                 | code                             | severity |
      | a read-write access token "T"              | committed-read-write-token       | error    |
      | a read-write access token "T" without padding | committed-read-write-token    | error    |
      | a read-only access token "T"               | committed-read-only-token        | warning  |
      | a read-only access token "T" without padding | committed-read-only-token      | warning  |
      | a read access token "T"                    | committed-read-only-token        | warning  |
      | a read access token "T" without padding    | committed-read-only-token        | warning  |
      | an access token "T" of an unknown shape    | committed-token-of-unknown-level | warning  |

  @TOKF-1 @TOKF-2 @ADV-2
  Scenario: a committed token is a finding even when the environment token wins
    Given a read-write access token "COMMITTED"
    And a read-write access token "CI"
    And Nx 16.10.0 is installed
    And the "@nrwl/nx-cloud" package 16.5.0 is installed
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "runner": "@nrwl/nx-cloud", "options": { "accessToken": "{COMMITTED}" } } } }
      """
    And the environment variable "NX_CLOUD_ACCESS_TOKEN" is set to "{CI}"
    When the credentials are resolved
    Then the access token is "CI" from "env:NX_CLOUD_ACCESS_TOKEN"
    And there is a finding "committed-read-write-token" of severity "error"
    And the finding "committed-read-write-token" mentions "nx.json:tasksRunnerOptions.default.options.accessToken"

  @TOKF-2
  Scenario Outline: a token in a dotenv file is committed only when git tracks the file
    Given a read-write access token "T"
    And Nx 19.6.7 is installed
    And an nx.json containing exactly "{}"
    And a root file ".env" containing:
      """
      NX_CLOUD_ACCESS_TOKEN={T}
      """
    And a file "nx-cloud.env" containing:
      """
      NX_CLOUD_AUTH_TOKEN={T}
      """
    And git tracks "<tracked>"
    When the credentials are resolved
    Then the finding "committed-read-write-token" mentions "<source>"

    Examples:
      | tracked         | source                           |
      | .env            | .env:NX_CLOUD_ACCESS_TOKEN       |
      | nx-cloud.env    | nx-cloud.env:NX_CLOUD_AUTH_TOKEN |
      | ./.env          | .env:NX_CLOUD_ACCESS_TOKEN       |
      | .\\nx-cloud.env | nx-cloud.env:NX_CLOUD_AUTH_TOKEN |

  @TOKF-2
  Scenario Outline: a tracked name that is not a root file of TOKF-2 is refused, never ignored
    Given Nx 19.6.7 is installed
    And an nx.json containing exactly "{}"
    And git tracks "nx.json"
    And git tracks "<tracked>"
    When the credentials are resolved
    Then the resolution fails with "invalid-input"
    And the error message mentions "<tracked>"
    And the error message mentions "`nx-cloud.env`"

    Examples:
      | tracked       |
      | apps/web/.env |
      | package.json  |

  @TOKF-2
  Scenario: an untracked .env file is not committed
    Given a read-write access token "T"
    And Nx 19.6.7 is installed
    And an nx.json containing exactly "{}"
    And a root file ".env" containing:
      """
      NX_CLOUD_ACCESS_TOKEN={T}
      """
    And git tracks "nx.json"
    When the credentials are resolved
    Then the access token is "T" from ".env:NX_CLOUD_ACCESS_TOKEN"
    And there is no finding "committed-read-write-token"
    And there is a finding "token-from-dot-env-file" of severity "info"

  @ADV-4 @EXP-2
  Scenario: an access token in nx.json could become an nxCloudId
    Given a read-only access token "T"
    And Nx 19.7.0 is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{T}" }
      """
    When the credentials are resolved
    Then there is a finding "access-token-convertible-to-nx-cloud-id" of severity "info"
    And the finding "access-token-convertible-to-nx-cloud-id" suggests "npx nx-cloud convert-to-nx-cloud-id"

  @EXP-1 @EXP-2
  Scenario: a clean CI setup has no warnings and explains every source
    Given a read-write access token "CI"
    And Nx 24.0.6 is installed
    And an nx.json containing:
      """
      { "nxCloudId": "65d5639f1a3b026e12345678" }
      """
    And the environment variable "NX_CLOUD_ACCESS_TOKEN" is set to "{CI}"
    When the credentials are resolved
    Then the access token is "CI" from "env:NX_CLOUD_ACCESS_TOKEN"
    And there are no findings of severity "error"
    And there are no findings of severity "warning"
    And the trace shows "env:NX_CLOUD_AUTH_TOKEN" as absent
    And the trace shows "nx-cloud.env:NX_CLOUD_ACCESS_TOKEN" as absent
    And the trace shows "nx.json:nxCloudId" as used
    And the trace and the findings never show the token "CI"
