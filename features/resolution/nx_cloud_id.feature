Feature: Connecting by nxCloudId
  From 19.6.0 a top-level nxCloudId connects a workspace without any extra
  package; before, only the nx-cloud client 19.1.0 or later reads an
  nxCloudId in the runner options.

  @ID-1 @USED-1 @RUN-2
  Scenario Outline: a top-level nxCloudId is read from 19.6.0
    Given Nx <version> is installed
    And an nx.json containing:
      """
      { "nxCloudId": "65d5639f1a3b026e12345678" }
      """
    When the credentials are resolved
    Then Nx reports the workspace connected: "<connected>"
    And the Nx Cloud runner runs: "<connected>"
    And the credential is "<credential>"

    Examples:
      | version | connected | credential   |
      | 19.5.7  | no        | none         |
      | 19.6.0  | yes       | workspace-id |
      | 19.7.0  | yes       | workspace-id |

  @ID-1
  Scenario: the forwarded nxCloudId names its source
    Given Nx 19.6.0 is installed
    And an nx.json containing:
      """
      { "nxCloudId": "65d5639f1a3b026e12345678" }
      """
    When the credentials are resolved
    Then the nxCloudId is "65d5639f1a3b026e12345678" from "nx.json:nxCloudId"
    And no access token is sent

  @ID-2 @CLI-1
  Scenario Outline: before 19.6 an nxCloudId in the options works only with nx-cloud 19.1.0 or later
    Given Nx 19.5.7 is installed
    And the "nx-cloud" package <client> is installed
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "runner": "nx-cloud", "options": { "nxCloudId": "65d5639f1a3b026e12345678" } } } }
      """
    When the credentials are resolved
    Then the credential is "<credential>"

    Examples:
      | client | credential   |
      | 19.0.9 | none         |
      | 19.1.0 | workspace-id |

  @ID-2
  Scenario: before 19.6 without the nx-cloud package an nxCloudId cannot authenticate
    Given Nx 18.3.4 is installed
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "runner": "nx-cloud", "options": { "nxCloudId": "65d5639f1a3b026e12345678" } } } }
      """
    When the credentials are resolved
    Then no nxCloudId is sent
    And there is a finding "nx-cloud-id-not-read" of severity "warning"
    And there is a finding "cloud-runner-runs-without-credential" of severity "warning"

  @ID-2
  Scenario: from 17.0 to 19.5 a top-level nxCloudId is ignored
    Given Nx 18.3.4 is installed
    And an nx.json containing:
      """
      { "nxCloudId": "65d5639f1a3b026e12345678", "tasksRunnerOptions": { "default": { "runner": "nx-cloud" } } }
      """
    When the credentials are resolved
    Then no nxCloudId is sent
    And the trace shows "nx.json:nxCloudId" as ignored by rule "ID-1"

  @ID-3
  Scenario Outline: an nxCloudId of another length is forwarded, and is a finding
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      { "nxCloudId": "<id>" }
      """
    When the credentials are resolved
    Then the nxCloudId is "<id>" from "nx.json:nxCloudId"
    And <expectation>

    Examples:
      | id                        | expectation                                                         |
      | 65d5639f1a3b026e1234567   | there is a finding "nx-cloud-id-wrong-length" of severity "warning" |
      | 65d5639f1a3b026e12345678  | there is no finding "nx-cloud-id-wrong-length"                      |
      | 65d5639f1a3b026e123456789 | there is a finding "nx-cloud-id-wrong-length" of severity "warning" |

  @TOP-2
  Scenario: an nxCloudId in the options beats the top-level one
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      {
        "nxCloudId": "aaaaaaaaaaaaaaaaaaaaaaaa",
        "tasksRunnerOptions": { "default": { "options": { "nxCloudId": "bbbbbbbbbbbbbbbbbbbbbbbb" } } }
      }
      """
    When the credentials are resolved
    Then the nxCloudId is "bbbbbbbbbbbbbbbbbbbbbbbb" from "nx.json:tasksRunnerOptions.default.options.nxCloudId"

  @ID-2 @CLI-1
  Scenario: a client declared in package.json but not installed is never loaded
    Given Nx 19.5.7 is installed
    And a package.json containing:
      """
      { "devDependencies": { "nx": "19.5.7", "nx-cloud": "^19.1.0" } }
      """
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "runner": "nx-cloud", "options": { "nxCloudId": "65d5639f1a3b026e12345678" } } } }
      """
    When the credentials are resolved
    Then the credential is "none"
    And there is a finding "client-declared-not-installed" of severity "info"
    And there is a finding "nx-cloud-id-not-read" of severity "warning"
