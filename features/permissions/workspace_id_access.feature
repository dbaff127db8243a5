Feature: Workspace ID (nxCloudId) access level (runner plane)
  Whoever presents only the workspace's nxCloudId (a runner that is not
  logged in, or a logged-in user who is not a member) gets the workspace ID
  access level: read-write (the default), read-only, or none.

  Background:
    Given the users ann, bob, olga
    And "ann" created the organization "acme"
    And "ann" created the workspace "web" in "acme"
    And "bob" is a member of "acme"

  @WSID-1
  Scenario: a new workspace starts with the workspace ID access level read-write
    When a runner asks to write-cache on "web" with only the nxCloudId
    Then the request is allowed
    And the decision names rule WSID-3
    And the decision applies read-write access as workspace-id

  @WSID-1
  Scenario Outline: the workspace ID access level takes one of three values
    When "ann" sets the workspace ID access level of "web" to <level>
    Then the command <outcome>

    Examples:
      | level      | outcome                       |
      | read-write | succeeds                      |
      | read-only  | succeeds                      |
      | none       | succeeds                      |
      | admin      | fails with "invalid-input"    |
      | write-only | fails with "invalid-input"    |

  @WSID-2 @WSID-3
  Scenario Outline: the nxCloudId alone gets the workspace ID access level
    Given the workspace ID access level of "web" is <level>
    When a runner asks to <action> on "web" with only the nxCloudId
    Then the request is <outcome>
    And the decision names rule WSID-3
    And the decision applies <level> access as workspace-id

    Examples:
      | level      | action      | outcome |
      | read-write | read-cache  | allowed |
      | read-write | write-cache | allowed |
      | read-write | record-run  | allowed |
      | read-write | distribute  | allowed |
      | read-only  | read-cache  | allowed |
      | read-only  | write-cache | denied  |
      | read-only  | record-run  | allowed |
      | read-only  | distribute  | allowed |
      | none       | read-cache  | denied  |
      | none       | write-cache | denied  |
      | none       | record-run  | denied  |
      | none       | distribute  | denied  |

  @WSID-2
  Scenario Outline: a logged-in user who is not a member gets the workspace ID access level too
    Given "olga" created the personal access token "olga-laptop"
    And the workspace ID access level of "web" is <level>
    When a runner asks to <action> on "web" with the personal access token "olga-laptop"
    Then the request is <outcome>
    And the decision names rule PAT-5
    And the decision applies <level> access as workspace-id

    Examples:
      | level      | action      | outcome |
      | read-write | write-cache | allowed |
      | read-only  | write-cache | denied  |
      | read-only  | read-cache  | allowed |
      | none       | read-cache  | denied  |

  @WSID-2
  Scenario: a runner with no credential at all gets nothing
    When a runner asks to read-cache on "web" with no credential
    Then the request is denied
    And the decision names rule WSID-2
    And the request is refused as unauthenticated

  @WSID-3
  Scenario: with the level at none a runner is told to authenticate
    Given the workspace ID access level of "web" is none
    When a runner asks to read-cache on "web" with only the nxCloudId
    Then the request is refused as unauthenticated
    And the reason says "npx nx login"

  @WSID-4 @REV-4
  Scenario: an admin changes the level and the very next request follows it
    Then a runner asking to write-cache on "web" with only the nxCloudId is allowed by rule WSID-3
    When "ann" sets the workspace ID access level of "web" to read-only
    Then the command succeeds
    And a runner asking to write-cache on "web" with only the nxCloudId is denied by rule WSID-3
    And a runner asking to read-cache on "web" with only the nxCloudId is allowed by rule WSID-3
    When "ann" sets the workspace ID access level of "web" to none
    Then a runner asking to read-cache on "web" with only the nxCloudId is denied by rule WSID-3
    When "ann" sets the workspace ID access level of "web" to read-write
    Then a runner asking to write-cache on "web" with only the nxCloudId is allowed by rule WSID-3

  @WSID-4 @ORG-9
  Scenario: a member cannot change the workspace ID access level
    When "bob" sets the workspace ID access level of "web" to none
    Then the command fails with "forbidden"
    And a runner asking to write-cache on "web" with only the nxCloudId is allowed by rule WSID-3

  @WSID-2
  Scenario: the level of one workspace does not apply to another
    Given "ann" created the workspace "api" in "acme"
    And the workspace ID access level of "web" is none
    Then a runner asking to write-cache on "api" with only the nxCloudId is allowed by rule WSID-3
    And a runner asking to read-cache on "web" with only the nxCloudId is denied by rule WSID-3
