Feature: Agreement with recordings of the real nx CLI
  Each scenario restates one recording of the conformance corpus
  (tests/conformance/recordings/<case>/<install>.json): what the published
  nx CLI sent to a recorder on 127.0.0.1. The replay test holds the engine to
  every recording; these scenarios keep a few of them readable in the spec.

  @CONF-1 @TOKEN-1 @URL-1 @TOP-1
  Scenario: nx 17.1.1 sends the top-level token to the top-level URL (top-level-token/nx-17.1.1)
    Given Nx 17.1.1 is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "top-token-000001", "nxCloudUrl": "https://top.example" }
      """
    When the credentials are resolved
    Then the Nx Cloud runner runs
    And the access token sent is 'top-token-000001' from "nx.json:nxCloudAccessToken"
    And the API URL is "https://top.example" from "nx.json:nxCloudUrl"

  @CONF-1 @DOT-1 @TOKEN-1
  Scenario: nx 18.3.2 sends the token of .local.env, the first of the three root files (dot-env-order/nx-18.3.2)
    Given Nx 18.3.2 is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "top-token-000001", "nxCloudUrl": "https://top.example" }
      """
    And a root file ".env" containing:
      """
      NX_CLOUD_ACCESS_TOKEN=dotenv-token-0001
      """
    And a root file ".env.local" containing:
      """
      NX_CLOUD_ACCESS_TOKEN=dotenv-local-001
      """
    And a root file ".local.env" containing:
      """
      NX_CLOUD_ACCESS_TOKEN=local-dotenv-001
      """
    When the credentials are resolved
    Then the access token sent is 'local-dotenv-001' from ".local.env:NX_CLOUD_ACCESS_TOKEN"

  @CONF-1 @TOKEN-1
  Scenario: nx 19.6.7 sends NX_CLOUD_AUTH_TOKEN before NX_CLOUD_ACCESS_TOKEN (auth-token-beats-access-token/nx-19.6.7)
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "top-token-000001", "nxCloudUrl": "https://top.example" }
      """
    And the environment variable "NX_CLOUD_AUTH_TOKEN" is set to "env-auth-0000001"
    And the environment variable "NX_CLOUD_ACCESS_TOKEN" is set to "env-access-000001"
    When the credentials are resolved
    Then the access token sent is 'env-auth-0000001' from "env:NX_CLOUD_AUTH_TOKEN"

  @CONF-1 @RUN-2
  Scenario: on nx 19.8.6 a custom runner keeps the runner path off Nx Cloud despite a token (custom-runner-with-token/nx-19.8.6)
    Given Nx 19.8.6 is installed
    And an nx.json containing:
      """
      {
        "nxCloudAccessToken": "top-token-000001",
        "nxCloudUrl": "https://top.example",
        "tasksRunnerOptions": { "default": { "runner": "./custom-runner.js" } }
      }
      """
    When the credentials are resolved
    Then the Nx Cloud runner does not run
    And no access token is sent
