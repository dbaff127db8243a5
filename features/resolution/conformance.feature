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

  # Issue 11: the CLI chose the client from any mention of a package name;
  # nx loads the module of the selected entry, and @nrwl/nx-cloud 16-19 and
  # nx-cloud are one installation under two names.
  @CONF-1 @CLI-1 @RUN-1
  Scenario Outline: nx 16.10 loads the selected entry's module, and one installation answers to both names (selected-entry-module/nx-16.10.0+nrwl-nx-cloud-16.5.2)
    Given Nx 16.10.0 is installed
    And the installed cloud client is given as "<client>"
    And an nx.json containing:
      """
      {
        "tasksRunnerOptions": {
          "ci": { "runner": "@nrwl/nx-cloud", "options": { "accessToken": "ci-token-0000001", "url": "https://ci.example" } },
          "default": { "runner": "nx-cloud", "options": { "accessToken": "default-token-001", "url": "https://opt.example" } }
        }
      }
      """
    When the credentials are resolved
    Then the runner is "default" with module "nx-cloud"
    And the access token sent is 'default-token-001' from "nx.json:tasksRunnerOptions.default.options.accessToken"
    And the API URL is "https://opt.example" from "nx.json:tasksRunnerOptions.default.options.url"
    And there is no finding "cloud-runner-not-installed"

    Examples:
      | client                |
      | @nrwl/nx-cloud@16.5.2 |
      | nx-cloud@16.5.2       |

  @CONF-1 @CLI-1 @LEG-1
  Scenario: nx 16.10 with only @nrwl/nx-cloud 15 installed cannot load a "nx-cloud" runner (selected-entry-module/nx-16.10.0+nrwl-nx-cloud-15.3.5)
    Given Nx 16.10.0 is installed
    And the installed cloud client is given as "@nrwl/nx-cloud@15.3.5"
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "runner": "nx-cloud", "options": { "accessToken": "default-token-001" } } } }
      """
    When the credentials are resolved
    Then no access token is sent
    And there is a finding "cloud-runner-not-installed" of severity "error"
    And nx stops at start-up with exit status 1 by rule "LEG-1" and the finding "cloud-runner-not-installed"
    And the DB cache does not contact Nx Cloud

  @CONF-1 @TOKEN-4
  Scenario Outline: useLightClient moves the line between falling back and failing (nrwl-runner-no-token-light-client, nrwl-runner-no-token-heavy-client)
    Given Nx 16.10.0 is installed
    And the installed cloud client is given as "<client>"
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "runner": "@nrwl/nx-cloud", "options": { "url": "https://opt.example", "useLightClient": <light> } } } }
      """
    When the credentials are resolved
    Then no access token is sent
    And <outcome>

    Examples:
      | client                | light | outcome                                                              |
      | @nrwl/nx-cloud@16.4.0 | true  | there is a finding "cloud-runner-fails-authentication" of severity "error" |
      | @nrwl/nx-cloud@16.4.0 | false | there is no finding "cloud-runner-fails-authentication"              |
      | @nrwl/nx-cloud@16.5.2 | false | there is no finding "cloud-runner-fails-authentication"              |
      | @nrwl/nx-cloud@16.5.2 | true  | there is a finding "cloud-runner-fails-authentication" of severity "error" |
      | @nrwl/nx-cloud@18.0.1 | false | there is no finding "cloud-runner-fails-authentication"              |
      | @nrwl/nx-cloud@18.0.1 | true  | there is a finding "cloud-runner-fails-authentication" of severity "error" |
      | @nrwl/nx-cloud@19.1.3 | false | there is a finding "cloud-runner-fails-authentication" of severity "error" |

  # Issue 11: the outcome was right (nothing sent), but nothing told the user.
  @CONF-1 @ENVF-2 @EXP-2
  Scenario Outline: a token only in nx-cloud.env never switches Nx Cloud on, and a finding says what does (nx-cloud-env-only)
    Given Nx <version> is installed
    And an nx.json containing:
      """
      {}
      """
    And a file "nx-cloud.env" containing:
      """
      NX_CLOUD_ACCESS_TOKEN=file-access-00001
      """
    When the credentials are resolved
    Then no access token is sent
    And there is a finding "nx-cloud-env-does-not-connect" of severity "warning"
    And the finding "nx-cloud-env-does-not-connect" suggests "<fix>"

    Examples:
      | version | fix                                                         |
      | 17.0.6  | declare the Nx Cloud runner in nx.json                      |
      | 17.1.3  | set `NX_CLOUD_ACCESS_TOKEN` in the environment instead      |
      | 24.0.6  | set `NX_CLOUD_ACCESS_TOKEN` in the environment instead      |

  @ENVF-2 @EXP-2
  Scenario: no nx-cloud.env finding when the Nx Cloud runner runs and sends the file's token
    Given Nx 17.1.3 is installed
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "runner": "nx-cloud" } } }
      """
    And a file "nx-cloud.env" containing:
      """
      NX_CLOUD_ACCESS_TOKEN=file-access-00001
      """
    When the credentials are resolved
    Then the access token sent is 'file-access-00001' from "nx-cloud.env:NX_CLOUD_ACCESS_TOKEN"
    And there is no finding "nx-cloud-env-does-not-connect"

  # Issue 11: rows that only test whether a source is set showed "(no value)".
  @EXP-3 @USED-1 @RUN-2
  Scenario: the USED-1 and RUN-2 rows show what the source held, redacted
    Given Nx 17.1.3 is installed
    And an nx.json containing:
      """
      { "nxCloudId": "65d5639f1a3b026e12345678" }
      """
    And the environment variable "NX_CLOUD_ACCESS_TOKEN" is set to "env-access-000001"
    When the credentials are resolved
    Then every trace step for "env:NX_CLOUD_ACCESS_TOKEN" by rule "USED-1" shows the value "env-…"
    And every trace step for "env:NX_CLOUD_ACCESS_TOKEN" by rule "RUN-2" shows the value "env-…"

  @EXP-3 @USED-1
  Scenario: a variable that does not connect on this version is still shown with its value
    Given Nx 17.0.6 is installed
    And an nx.json containing:
      """
      {}
      """
    And the environment variable "NX_CLOUD_ACCESS_TOKEN" is set to "env-access-000001"
    When the credentials are resolved
    Then every trace step for "env:NX_CLOUD_ACCESS_TOKEN" by rule "USED-1" shows the value "env-…"

  # Issue 11: the findings offered "upgrade nx to 19.6" (it is 20.0.6),
  # "connect with nxCloudId" (it is connected) and "add nxCloudId" (it has one).
  @CONF-1 @CLI-1 @EXP-2 @PATR-3
  Scenario: an old nx-cloud left in node_modules breaks an nxCloudId workspace, and the fixes are the ones that work (old-client-with-nx-cloud-id/nx-20.0.6+nx-cloud-16.5.2)
    Given Nx 20.0.6 is installed
    And the installed cloud client is given as "nx-cloud@16.5.2"
    And an nx.json containing:
      """
      { "nxCloudId": "65d5639f1a3b026e12345678", "nxCloudUrl": "https://top.example" }
      """
    And the personal access token file "/home/dev/.config/nxcloud/nxcloud.ini" containing:
      """
      [https://top\.example]
      personalAccessToken=pat-token-0000001
      """
    When the credentials are resolved
    Then there is a finding "cloud-runner-fails-authentication" of severity "error"
    And the finding "cloud-runner-fails-authentication" suggests "remove the old `nx-cloud@16.5.2`"
    And the finding "cloud-runner-fails-authentication" suggests "upgrade it to 19.1.0 or later"
    And the finding "nx-cloud-id-not-read" suggests "remove the old `nx-cloud@16.5.2`"
    And there is no finding "pat-without-nx-cloud-id"
    And no finding suggests "upgrade nx to 19.6.0"
    And no finding suggests "npx nx connect"

  # The cache path (issue 11, item 2): from nx 20 the DB cache asks Nx Cloud
  # whenever nx counts the workspace as connected, whatever runner runs.
  @CONF-1 @DBC-1 @RUN-2
  Scenario Outline: the DB cache sends the top-level token even where a custom runner keeps the runner path off (custom-runner-with-token)
    Given Nx <version> is installed
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
    And the trace <has> a step for "nx.json:nxCloudAccessToken" by rule "DBC-1"
    And the trace <has> a step for "nx.json:nxCloudUrl" by rule "DBC-1"
    And the DB cache <contacts> Nx Cloud
    And nx does not stop

    Examples:
      | version | has    | contacts           |
      | 19.8.6  | has no | does not contact   |
      | 20.0.0  | has    | contacts           |
      | 20.8.2  | has    | contacts           |

  @CONF-1 @DBC-1 @RUN-2
  Scenario: the DB cache's token and API URL are the top-level ones where a custom runner runs (custom-runner-with-token/nx-20.0.6)
    Given Nx 20.0.6 is installed
    And an nx.json containing:
      """
      {
        "nxCloudAccessToken": "top-token-000001",
        "nxCloudUrl": "https://top.example",
        "tasksRunnerOptions": { "default": { "runner": "./custom-runner.js" } }
      }
      """
    When the credentials are resolved
    Then no access token is sent
    And the DB cache sends the token "top-token-000001" from "nx.json:nxCloudAccessToken"
    And the DB cache asks "https://top.example" from "nx.json:nxCloudUrl" by rule "DBC-1"

  @DBC-1 @TOKEN-1 @ID-1
  Scenario: the DB cache takes the environment's token before nx.json's, and sends the nxCloudId with it
    Given Nx 20.0.6 is installed
    And a read-write access token "A"
    And the environment variable "NX_CLOUD_ACCESS_TOKEN" is set to "{A}"
    And an nx.json containing:
      """
      {
        "nxCloudAccessToken": "top-token-000001",
        "nxCloudId": "65d5639f1a3b026e12345678",
        "tasksRunnerOptions": { "default": { "runner": "./custom-runner.js" } }
      }
      """
    When the credentials are resolved
    Then the Nx Cloud runner does not run
    And the DB cache sends the token "A" from "env:NX_CLOUD_ACCESS_TOKEN"
    And the DB cache sends the nxCloudId "65d5639f1a3b026e12345678" from "nx.json:nxCloudId"
    And the DB cache asks "https://cloud.nx.app" from "default" by rule "DBC-1"

  @CONF-1 @DBC-1 @TOP-1
  Scenario: an @nrwl/nx-cloud entry hides the top-level token from the runner, not from the DB cache (nrwl-runner-top-level-token/nx-20.0.6)
    Given Nx 20.0.6 is installed
    And an nx.json containing:
      """
      {
        "nxCloudAccessToken": "top-token-000001",
        "nxCloudUrl": "https://top.example",
        "tasksRunnerOptions": { "default": { "runner": "@nrwl/nx-cloud" } }
      }
      """
    When the credentials are resolved
    Then no access token is sent
    And the trace has a step for "nx.json:nxCloudAccessToken" by rule "DBC-1"
    And the trace step for "nx.json:nxCloudAccessToken" mentions "DB cache: sends this token"
    And there is a finding "db-cache-contacts-nx-cloud" of severity "info"
    And the DB cache sends the token "top-token-000001" from "nx.json:nxCloudAccessToken"
    And the DB cache asks "https://top.example" from "nx.json:nxCloudUrl" by rule "DBC-1"
    And nx does not stop

  @CONF-1 @DBC-2 @TOKEN-4 @LEG-2
  Scenario Outline: a nx-cloud runner entry with no credential: the runner falls back, the DB cache fails the command (nx-cloud-runner-no-token)
    Given Nx <version> is installed
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "runner": "nx-cloud", "options": { "url": "https://opt.example" } } } }
      """
    When the credentials are resolved
    Then no access token is sent
    And <outcome>
    And <stop>
    And the DB cache <contacts> Nx Cloud

    Examples:
      | version | outcome                                                                  | stop                                                                                                           | contacts         |
      | 19.8.6  | there is no finding "db-cache-fails-authentication"                      | nx does not stop                                                                                               | does not contact |
      | 20.0.0  | there is a finding "db-cache-fails-authentication" of severity "error"   | nx stops while running with exit status 1 by rule "DBC-2" and the finding "db-cache-fails-authentication"    | does not contact |
      | 22.5.4  | there is a finding "db-cache-fails-authentication" of severity "error"   | nx stops while running with exit status 1 by rule "DBC-2" and the finding "db-cache-fails-authentication"    | does not contact |
      | 22.6.0  | there is no finding "db-cache-fails-authentication"                      | nx does not stop                                                                                               | contacts         |

  @CONF-1 @DBC-2 @USED-2
  Scenario Outline: neverConnectToCloud alone fails the command on 20.0.1 only (never-connect-alone)
    Given Nx <version> is installed
    And an nx.json containing:
      """
      { "neverConnectToCloud": true }
      """
    When the credentials are resolved
    Then <outcome>
    And <stop>
    And the DB cache does not contact Nx Cloud

    Examples:
      | version | outcome                                                                  | stop                                                                                                        |
      | 20.0.0  | there is no finding "db-cache-fails-authentication"                      | nx does not stop                                                                                            |
      | 20.0.1  | there is a finding "db-cache-fails-authentication" of severity "error"   | nx stops while running with exit status 1 by rule "DBC-2" and the finding "db-cache-fails-authentication" |
      | 20.0.2  | there is no finding "db-cache-fails-authentication"                      | nx does not stop                                                                                            |

  @DBC-2 @EXP-2
  Scenario: on 20.0.1 the fix of the failing DB cache is the upgrade, not the setting it already has
    Given Nx 20.0.1 is installed
    And an nx.json containing:
      """
      { "neverConnectToCloud": true }
      """
    When the credentials are resolved
    Then the finding "db-cache-fails-authentication" suggests "upgrade nx to 20.0.2 or later"
    And no finding suggests "neverConnectToCloud: true"

  @DBC-1
  Scenario: useLegacyCache keeps the nx 20 cache away from Nx Cloud
    Given Nx 20.0.6 is installed
    And an nx.json containing:
      """
      { "useLegacyCache": true, "tasksRunnerOptions": { "default": { "runner": "nx-cloud" } } }
      """
    When the credentials are resolved
    Then the trace has a step for "nx.json:useLegacyCache" by rule "DBC-1"
    And there is no finding "db-cache-fails-authentication"
    And the DB cache does not contact Nx Cloud
    And nx does not stop

  @CONF-1 @DBC-3 @TOKEN-5
  Scenario: from 22.6.0 the DB cache fetches the client without a credential, and the answer is inferred (top-level-token/nx-22.6.0)
    Given Nx 22.6.0 is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "top-token-000001", "nxCloudUrl": "https://top.example" }
      """
    When the credentials are resolved
    Then the result is inferred
    And the trace has a step for "nx.json:nxCloudAccessToken" by rule "DBC-3"
    And the DB cache sends the token "top-token-000001" from "nx.json:nxCloudAccessToken"
    And the DB cache asks "https://top.example" from "nx.json:nxCloudUrl" by rule "DBC-3"

  # INP-4 (issue 11, item 3).
  @CONF-1 @INP-4 @INP-3
  Scenario Outline: a number as nxCloudAccessToken stops nx at start-up from 23.2.0 unless a cache location is configured (numeric-token, numeric-token-cache-directory, numeric-token-cache-env)
    Given Nx <version> is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": 12345, "nxCloudUrl": "https://top.example"<extra> }
      """
    And the environment variable "NX_CACHE_DIRECTORY" is set to "<cache env>"
    When the credentials are resolved
    Then <outcome>
    And <stop>

    Examples:
      | version | extra                              | cache env    | outcome                                                         | stop                                                                                               |
      | 23.1.3  |                                    |              | the access token sent is '12345' from "nx.json:nxCloudAccessToken" | nx does not stop                                                                                   |
      | 23.2.0  |                                    |              | there is a finding "nx-stops-at-start-up" of severity "error"   | nx stops at start-up with exit status 1 by rule "INP-4" and the finding "nx-stops-at-start-up"    |
      | 24.0.6  |                                    |              | no access token is sent                                         | nx stops at start-up with exit status 1 by rule "INP-4" and the finding "nx-stops-at-start-up"    |
      | 24.0.6  | , "cacheDirectory": "tmp/nx-cache" |              | there is no finding "nx-stops-at-start-up"                      | nx does not stop                                                                                   |
      | 24.0.6  |                                    | tmp/nx-cache | there is no finding "nx-stops-at-start-up"                      | nx does not stop                                                                                   |

  @CONF-1 @INP-4 @DBC-1
  Scenario Outline: nx stopping at start-up sends nothing on either path (numeric-token)
    Given Nx <version> is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": 12345, "nxCloudUrl": "https://top.example" }
      """
    When the credentials are resolved
    Then the DB cache <contacts> Nx Cloud

    Examples:
      | version | contacts         |
      | 23.1.3  | contacts         |
      | 23.2.0  | does not contact |
