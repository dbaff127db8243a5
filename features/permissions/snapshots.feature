Feature: Snapshots of the permission state
  The state persists as versioned JSON holding token hashes only. A snapshot
  restores losslessly; a newer, malformed or tampered one is refused; a
  refused command leaves the snapshot as it was.

  Background:
    Given the users ann, bob
    And "ann" created the organization "acme"
    And "ann" created the workspace "web" in "acme"
    And "bob" is a member of "acme"
    And "ann" created a read-only CI access token "ci-read" for "web"
    And "bob" created the personal access token "bob-laptop"

  @TOK-6
  Scenario: a snapshot is versioned and holds no token secret
    Then the snapshot has format version 1
    And the snapshot holds no token secret

  @TOK-6 @REV-5
  Scenario: a snapshot round trip loses nothing
    Given the workspace ID access level of "web" is read-only
    And the PAT access level of "web" is read-only
    And the organization "acme" is public
    When the state is saved
    And the saved state is restored into a new engine
    Then the state is the same since it was saved
    And a runner asking to read-cache on "web" with the CI access token "ci-read" is allowed by rule TOK-3
    And a runner asking to write-cache on "web" with the personal access token "bob-laptop" is denied by rule PAT-4
    And a runner asking to write-cache on "web" with only the nxCloudId is denied by rule WSID-3
    And an anonymous visitor asking to view-runs in "acme" is allowed by rule PUB-2 as public
    And "ann" sees the CI access tokens of "web" as ci-read (read-only)
    And the personal access tokens of "bob" are bob-laptop

  Scenario Outline: a newer, malformed or tampered snapshot is refused
    When a snapshot edited to <edit> is restored
    Then the command fails with "<code>"
    And the refusal mentions "<hint>"

    Examples:
      | edit                                          | code                 | hint                |
      | version 2                                     | unsupported-snapshot | upgrade             |
      | hold an unknown field                         | invalid-input        | secretBackdoor      |
      | have no admin in the first organization       | invalid-input        | has no admin        |
      | hold a malformed token hash                   | invalid-input        | malformed `sha256`  |
      | point a workspace to an unknown organization  | invalid-input        | unknown organization |

  Scenario: a text that is not a snapshot is refused and the engine is kept
    When the text "{"users": []}" is restored as a snapshot
    Then the command fails with "invalid-input"
    And the refusal mentions "version"
    And a runner asking to read-cache on "web" with the CI access token "ci-read" is allowed by rule TOK-3

  @ORG-9 @ORG-8
  Scenario: refused commands leave the snapshot byte for byte as it was
    When the state is saved
    And "bob" creates a read-write CI access token "x" for "web"
    And "ann" removes "ann" from "acme"
    And "ann" invites the domain "com" to "acme" as member
    And "ann" creates a read-only CI access token "ci-read" for "web"
    And "bob" joins "acme"
    Then the command fails with "conflict"
    And the state is unchanged since it was saved
