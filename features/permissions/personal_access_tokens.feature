Feature: Personal access tokens (runner plane)
  A PAT belongs to a user and counts together with the workspace's
  nxCloudId. A member's PAT gets the workspace's PAT access level; anyone
  else's gets the workspace ID access level.

  Background:
    Given the users ann, bob, olga
    And "ann" created the organization "acme"
    And "ann" created the workspace "web" in "acme"
    And "bob" is a member of "acme"
    And "bob" created the personal access token "bob-laptop"
    And "olga" created the personal access token "olga-laptop"

  @PAT-1
  Scenario: a user holds several named PATs, each shown once
    When "bob" creates the personal access token "bob-desktop"
    Then the command succeeds
    And the answer shows the secret of "bob-desktop" once, prefixed "nxpat_"
    And the personal access tokens of "bob" are bob-laptop, bob-desktop
    And a runner asking to write-cache on "web" with the personal access token "bob-desktop" is allowed by rule PAT-3
    And a runner asking to write-cache on "web" with the personal access token "bob-laptop" is allowed by rule PAT-3

  @PAT-1
  Scenario: a PAT needs a name, unique among the user's tokens, and an existing user
    When "bob" creates the personal access token "bob-laptop"
    Then the command fails with "conflict"
    When "bob" creates the personal access token "   "
    Then the command fails with "invalid-input"
    When "nobody" creates the personal access token "x"
    Then the command fails with "not-found"
    And the personal access tokens of "bob" are bob-laptop

  @PAT-2
  Scenario: a PAT without the nxCloudId is not used
    When a runner asks to read-cache on "web" with the personal access token "bob-laptop" and no nxCloudId
    Then the request is denied
    And the decision names rule PAT-2
    And the request is refused as unauthenticated
    And the reason says "nxCloudId"

  @PAT-2
  Scenario: beside an access token, a PAT is not used
    Given the PAT access level of "web" is read-write
    And "ann" created a read-only CI access token "ci-read" for "web"
    When a runner asks to write-cache on "web" with the CI access token "ci-read" and the personal access token "bob-laptop"
    Then the request is denied
    And the decision names rule TOK-3
    And the decision applies read-only access as ci-access-token

  @PAT-3
  Scenario Outline: a member's PAT gets the PAT access level, read-write by default
    Given the workspace ID access level of "web" is none
    When a runner asks to <action> on "web" with the personal access token "bob-laptop"
    Then the request is allowed
    And the decision names rule PAT-3
    And the decision applies read-write access as personal-access-token

    Examples:
      | action      |
      | read-cache  |
      | write-cache |
      | record-run  |
      | distribute  |

  @PAT-4
  Scenario Outline: with the PAT access level read-only, members' PATs read but never write
    Given the PAT access level of "web" is read-only
    And the workspace ID access level of "web" is none
    When a runner asks to <action> on "web" with the personal access token "bob-laptop"
    Then the request is <outcome>
    And the decision names rule PAT-4
    And the decision applies read-only access as personal-access-token

    Examples:
      | action      | outcome |
      | read-cache  | allowed |
      | write-cache | denied  |
      | record-run  | allowed |
      | distribute  | allowed |

  @PAT-4
  Scenario: the PAT access level is read-write or read-only, never none, and only admins set it
    When "ann" sets the PAT access level of "web" to none
    Then the command fails with "invalid-input"
    When "bob" sets the PAT access level of "web" to read-only
    Then the command fails with "forbidden"
    And a runner asking to write-cache on "web" with the personal access token "bob-laptop" is allowed by rule PAT-3

  @PAT-3 @PAT-4 @PAT-5
  Scenario Outline: the matrix of PAT holders, levels and actions
    Given the PAT access level of "web" is <pat level>
    And the workspace ID access level of "web" is <id level>
    Then a runner asking to <action> on "web" with the personal access token "<token>" is <outcome> by rule <rule>

    Examples:
      | token       | pat level  | id level   | action      | outcome | rule  |
      | bob-laptop  | read-write | none       | write-cache | allowed | PAT-3 |
      | bob-laptop  | read-only  | read-write | write-cache | denied  | PAT-4 |
      | bob-laptop  | read-only  | read-write | read-cache  | allowed | PAT-4 |
      | olga-laptop | read-write | none       | read-cache  | denied  | PAT-5 |
      | olga-laptop | read-write | read-only  | write-cache | denied  | PAT-5 |
      | olga-laptop | read-write | read-only  | read-cache  | allowed | PAT-5 |
      | olga-laptop | read-only  | read-write | write-cache | allowed | PAT-5 |

  @PAT-5
  Scenario: a non-member's valid PAT gets the workspace ID access level
    Given the workspace ID access level of "web" is read-only
    When a runner asks to read-cache on "web" with the personal access token "olga-laptop"
    Then the request is allowed
    And the decision names rule PAT-5
    And the decision applies read-only access as workspace-id
    And the reason says "not a member"

  @PAT-5 @TOK-7
  Scenario Outline: an unknown PAT is refused as unauthenticated, with no fallback
    Given the workspace ID access level of "web" is read-write
    When a runner asks to read-cache on "web" with the personal access token text "<text>"
    Then the request is denied
    And the decision names rule PAT-5
    And the decision applies none access as personal-access-token
    And the request is refused as unauthenticated

    Examples:
      | text                                 |
      | nxpat_neverIssuedByThisEngine0000000 |
      | garbage                              |
      |                                      |

  @PAT-6
  Scenario: the owner lists their PATs by name and revokes one at any time
    Given "bob" created the personal access token "bob-ci-debug"
    Then the personal access tokens of "bob" are bob-laptop, bob-ci-debug
    When "bob" revokes the personal access token "bob-laptop"
    Then the command succeeds
    And the personal access tokens of "bob" are bob-ci-debug
    And a runner asking to read-cache on "web" with the personal access token "bob-ci-debug" is allowed by rule PAT-3

  @PAT-6
  Scenario: a user cannot revoke another user's PAT
    When "olga" revokes the personal access token "bob-laptop"
    Then the command fails with "not-found"
    And a runner asking to write-cache on "web" with the personal access token "bob-laptop" is allowed by rule PAT-3
    And the personal access tokens of "olga" are olga-laptop
