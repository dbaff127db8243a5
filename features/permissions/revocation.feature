Feature: Revocation
  Removing a member, revoking a token or lowering a level holds from the very
  next request, and takes nothing else with it. Each scenario checks the
  request right before and right after.

  Background:
    Given the users ann, bob, carol
    And "ann" created the organization "acme"
    And "ann" created the workspace "web" in "acme"
    And "bob" is a member of "acme"
    And "carol" is a member of "acme"
    And "bob" created the personal access token "bob-laptop"
    And "carol" created the personal access token "carol-laptop"
    And "ann" created a read-write CI access token "ci-write" for "web"
    And "ann" created a read-only CI access token "ci-read" for "web"

  @REV-1
  Scenario: a removed member loses the web plane and the PAT level at once
    Given the workspace ID access level of "web" is none
    Then "bob" asking to view-runs in "acme" is allowed by rule ORG-6 as member
    And a runner asking to write-cache on "web" with the personal access token "bob-laptop" is allowed by rule PAT-3
    When "ann" removes "bob" from "acme"
    Then the command succeeds
    And "bob" asking to view-runs in "acme" is denied by rule ORG-7 as none
    And a runner asking to read-cache on "web" with the personal access token "bob-laptop" is denied by rule PAT-5
    And the decision applies none access as workspace-id
    And the personal access tokens of "bob" are bob-laptop

  @REV-1
  Scenario Outline: a removed member's PAT counts as a non-member's
    Given the workspace ID access level of "web" is <id level>
    Then a runner asking to <action> on "web" with the personal access token "bob-laptop" is allowed by rule PAT-3
    When "ann" removes "bob" from "acme"
    Then a runner asking to <action> on "web" with the personal access token "bob-laptop" is <after> by rule PAT-5

    Examples:
      | id level   | action      | after   |
      | none       | read-cache  | denied  |
      | read-only  | write-cache | denied  |
      | read-only  | read-cache  | allowed |
      | read-write | write-cache | allowed |

  @REV-1
  Scenario: a removed member is readmitted only by a new invitation
    Given "ann" invited the domain "example.com" to "acme" as member
    And the workspace ID access level of "web" is none
    When "ann" removes "bob" from "acme"
    And "bob" joins "acme"
    Then the command fails with "no-matching-invite"
    And a runner asking to read-cache on "web" with the personal access token "bob-laptop" is denied by rule PAT-5
    When "ann" invites "bob@example.com" to "acme" as member
    And "bob" joins "acme"
    Then the answer is "member"
    And a runner asking to write-cache on "web" with the personal access token "bob-laptop" is allowed by rule PAT-3

  @REV-1
  Scenario: a removed admin loses admin abilities at once
    Given the users dave
    And "dave" is an admin of "acme"
    Then "dave" asking to manage-tokens in "acme" is allowed by rule ORG-5 as admin
    When "ann" removes "dave" from "acme"
    Then "dave" asking to manage-tokens in "acme" is denied by rule ORG-7 as none
    When "dave" creates a read-write CI access token "dave-token" for "web"
    Then the command fails with "forbidden"

  @REV-2
  Scenario: a revoked CI access token is refused from the very next request
    Then a runner asking to write-cache on "web" with the CI access token "ci-write" is allowed by rule TOK-4
    When "ann" revokes the CI access token "ci-write" of "web"
    Then the command succeeds
    And a runner asking to read-cache on "web" with the CI access token "ci-write" is denied by rule REV-2
    And the request is refused as unauthenticated
    And the reason says "revoked"
    And "ann" sees the CI access tokens of "web" as ci-read (read-only)

  @REV-2
  Scenario: a revoked CI access token stays refused after a snapshot round trip
    Then a runner asking to read-cache on "web" with the CI access token "ci-read" is allowed by rule TOK-3
    When "ann" revokes the CI access token "ci-read" of "web"
    And the state is saved
    And the saved state is restored into a new engine
    Then a runner asking to read-cache on "web" with the CI access token "ci-read" is denied by rule REV-2
    And a runner asking to write-cache on "web" with the CI access token "ci-write" is allowed by rule TOK-4

  @REV-2 @ORG-9
  Scenario: only an admin revokes a CI access token, and a revoked one cannot be revoked again
    When "bob" revokes the CI access token "ci-write" of "web"
    Then the command fails with "forbidden"
    And a runner asking to write-cache on "web" with the CI access token "ci-write" is allowed by rule TOK-4
    When "ann" revokes the CI access token "ci-write" of "web"
    And "ann" revokes the CI access token "ci-write" of "web"
    Then the command fails with "not-found"

  @REV-3
  Scenario: a revoked PAT is refused from the very next request
    Then a runner asking to write-cache on "web" with the personal access token "bob-laptop" is allowed by rule PAT-3
    When "bob" revokes the personal access token "bob-laptop"
    Then the command succeeds
    And a runner asking to read-cache on "web" with the personal access token "bob-laptop" is denied by rule REV-3
    And the request is refused as unauthenticated
    And the reason says "revoked"

  @REV-3 @TOK-7
  Scenario: a revoked PAT does not fall back to the workspace ID level
    Given the workspace ID access level of "web" is read-write
    Then a runner asking to read-cache on "web" with the personal access token "bob-laptop" is allowed by rule PAT-3
    When "bob" revokes the personal access token "bob-laptop"
    Then a runner asking to read-cache on "web" with the personal access token "bob-laptop" is denied by rule REV-3
    And a runner asking to read-cache on "web" with only the nxCloudId is allowed by rule WSID-3

  @REV-4
  Scenario Outline: lowering or raising the PAT level applies from the very next request
    Given the PAT access level of "web" is <from>
    Then a runner asking to write-cache on "web" with the personal access token "bob-laptop" is <before> by rule <rule before>
    When "ann" sets the PAT access level of "web" to <to>
    Then the command succeeds
    And a runner asking to write-cache on "web" with the personal access token "bob-laptop" is <after> by rule <rule after>

    Examples:
      | from       | to         | before  | rule before | after   | rule after |
      | read-write | read-only  | allowed | PAT-3       | denied  | PAT-4      |
      | read-only  | read-write | denied  | PAT-4       | allowed | PAT-3      |

  @REV-4
  Scenario Outline: lowering or raising the workspace ID level applies from the very next request
    Given the workspace ID access level of "web" is <from>
    Then a runner asking to <action> on "web" with only the nxCloudId is <before> by rule WSID-3
    When "ann" sets the workspace ID access level of "web" to <to>
    Then a runner asking to <action> on "web" with only the nxCloudId is <after> by rule WSID-3

    Examples:
      | from       | to         | action      | before  | after   |
      | read-write | read-only  | write-cache | allowed | denied  |
      | read-only  | none       | read-cache  | allowed | denied  |
      | none       | read-only  | read-cache  | denied  | allowed |
      | read-only  | read-write | write-cache | denied  | allowed |

  @REV-5
  Scenario: revoking one CI token leaves every other token, member and setting as it was
    Given the PAT access level of "web" is read-only
    Then a runner asking to write-cache on "web" with the CI access token "ci-write" is allowed by rule TOK-4
    When "ann" revokes the CI access token "ci-write" of "web"
    Then a runner asking to write-cache on "web" with the CI access token "ci-write" is denied by rule REV-2
    And a runner asking to read-cache on "web" with the CI access token "ci-read" is allowed by rule TOK-3
    And a runner asking to write-cache on "web" with the personal access token "bob-laptop" is denied by rule PAT-4
    And a runner asking to read-cache on "web" with the personal access token "carol-laptop" is allowed by rule PAT-4
    And "bob" asking to view-stats in "acme" is allowed by rule ORG-6 as member
    And "ann" sees the CI access tokens of "web" as ci-read (read-only)

  @REV-5
  Scenario: removing one member leaves every other member, token and setting as it was
    Given the workspace ID access level of "web" is none
    Then a runner asking to write-cache on "web" with the personal access token "carol-laptop" is allowed by rule PAT-3
    And a runner asking to write-cache on "web" with the personal access token "bob-laptop" is allowed by rule PAT-3
    When "ann" removes "bob" from "acme"
    Then a runner asking to write-cache on "web" with the personal access token "bob-laptop" is denied by rule PAT-5
    And a runner asking to write-cache on "web" with the personal access token "carol-laptop" is allowed by rule PAT-3
    And "carol" asking to view-runs in "acme" is allowed by rule ORG-6 as member
    And a runner asking to write-cache on "web" with the CI access token "ci-write" is allowed by rule TOK-4
    And a runner asking to read-cache on "web" with only the nxCloudId is denied by rule WSID-3
    And "ann" asking to manage-members in "acme" is allowed by rule ORG-5 as admin

  @REV-5
  Scenario: revoking one PAT leaves the user's other PATs working
    Given "bob" created the personal access token "bob-desktop"
    Then a runner asking to write-cache on "web" with the personal access token "bob-laptop" is allowed by rule PAT-3
    When "bob" revokes the personal access token "bob-laptop"
    Then a runner asking to write-cache on "web" with the personal access token "bob-laptop" is denied by rule REV-3
    And a runner asking to write-cache on "web" with the personal access token "bob-desktop" is allowed by rule PAT-3
    And a runner asking to write-cache on "web" with the personal access token "carol-laptop" is allowed by rule PAT-3
