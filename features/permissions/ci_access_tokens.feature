Feature: CI access tokens (runner plane)
  A workspace has read-only and read-write CI access tokens. The token alone
  decides what a runner may do; it is a secret shown once and kept only as a
  hash; a bad token never falls back to the workspace ID access level.

  Background:
    Given the users ann, bob, carol
    And "ann" created the organization "acme"
    And "ann" created the workspace "web" in "acme"
    And "ann" created a read-only CI access token "ci-read" for "web"
    And "ann" created a read-write CI access token "ci-write" for "web"

  @TOK-1
  Scenario: a workspace has CI access tokens of two kinds
    Then "ann" sees the CI access tokens of "web" as ci-read (read-only), ci-write (read-write)

  @TOK-1
  Scenario: there is no third kind of CI access token
    When "ann" creates a none CI access token "nothing" for "web"
    Then the command fails with "invalid-input"
    And "ann" sees the CI access tokens of "web" as ci-read (read-only), ci-write (read-write)

  @TOK-2 @TOK-3 @TOK-4
  Scenario Outline: what each kind of CI access token may do
    Then a runner asking to <action> on "web" with the CI access token "<token>" is <outcome> by rule <rule>

    Examples:
      | token    | action      | outcome | rule  |
      | ci-read  | read-cache  | allowed | TOK-3 |
      | ci-read  | write-cache | denied  | TOK-3 |
      | ci-read  | record-run  | allowed | TOK-2 |
      | ci-read  | distribute  | allowed | TOK-2 |
      | ci-write | read-cache  | allowed | TOK-4 |
      | ci-write | write-cache | allowed | TOK-4 |
      | ci-write | record-run  | allowed | TOK-2 |
      | ci-write | distribute  | allowed | TOK-2 |

  @TOK-3
  Scenario: a read-only token's refusal to write says why
    When a runner asks to write-cache on "web" with the CI access token "ci-read"
    Then the request is denied
    And the decision applies read-only access as ci-access-token
    And the request is not refused as unauthenticated
    And the reason says "read-only"
    And no answer or error shows a token secret

  @TOK-2 @TOK-4
  Scenario: a CI access token names its workspace without the nxCloudId
    When a runner asks to write-cache on "web" with the CI access token "ci-write" and no nxCloudId
    Then the request is allowed
    And the decision applies read-write access as ci-access-token

  @TOK-5
  Scenario Outline: organization membership and roles do not change what a CI token may do
    Given "bob" is an admin of "acme"
    And "bob" created a read-only CI access token "bobs-token" for "web"
    Then a runner asking to <action> on "web" with the CI access token "bobs-token" is <outcome> by rule TOK-3
    When "ann" removes "bob" from "acme"
    Then the command succeeds
    And a runner asking to <action> on "web" with the CI access token "bobs-token" is <outcome> by rule TOK-3
    When "ann" sets the workspace ID access level of "web" to none
    And "ann" sets the PAT access level of "web" to read-only
    Then a runner asking to <action> on "web" with the CI access token "bobs-token" is <outcome> by rule TOK-3

    Examples:
      | action      | outcome |
      | read-cache  | allowed |
      | write-cache | denied  |

  @TOK-5
  Scenario: a read-write token writes even with every other access lowered
    Given the workspace ID access level of "web" is none
    And the PAT access level of "web" is read-only
    Then a runner asking to write-cache on "web" with the CI access token "ci-write" is allowed by rule TOK-4

  @TOK-6
  Scenario: a CI access token is shown once, prefixed, and never again
    When "ann" creates a read-write CI access token "deploy" for "web"
    Then the command succeeds
    And the answer shows the secret of "deploy" once, prefixed "nxca_"
    And "ann" sees the CI access tokens of "web" as ci-read (read-only), ci-write (read-write), deploy (read-write)
    And the snapshot holds no token secret

  @TOK-6
  Scenario: no decision or error prints a token
    When a runner asks to read-cache on "web" with the CI access token "ci-write" and no nxCloudId
    Then no answer or error shows a token secret
    When a runner asks to read-cache on "000000000000000000000000" with the CI access token "ci-write"
    Then the request is denied
    And no answer or error shows a token secret
    When calling "authorizeRunner" with:
      """
      {"nxCloudId": "{ws:web}", "accessToken": "{secret:ci-write}", "action": "{secret:ci-read}"}
      """
    Then the command fails with "invalid-input"
    And no answer or error shows a token secret
    When calling "revokePersonalAccessToken" with:
      """
      {"user": "ann", "id": "{secret:ci-write}"}
      """
    Then the command fails with "not-found"
    And the refusal mentions "nxca_…"
    And no answer or error shows a token secret

  @TOK-6
  Scenario: two tokens created with the same settings are different secrets
    When "ann" creates a read-only CI access token "second-read" for "web"
    Then the command succeeds
    And a runner asking to write-cache on "web" with the CI access token "second-read" is denied by rule TOK-3
    And a runner asking to read-cache on "web" with the CI access token "ci-read" is allowed by rule TOK-3

  @TOK-7
  Scenario Outline: a bad token grants nothing and never falls back to the workspace ID level
    Given "ann" created the workspace "api" in "acme"
    And "ann" created a read-write CI access token "api-token" for "api"
    And the workspace ID access level of "web" is read-write
    When a runner asks to read-cache on "web" with <credential>
    Then the request is denied
    And the decision names rule TOK-7
    And the decision applies none access as ci-access-token
    And the request is refused as unauthenticated
    And the reason says "<why>"

    Examples:
      | credential                                             | why                                  |
      | the access token text "nxca_AAAAAAAAAAAAAAAAAAAAAAAAAAAA" | not a known CI access token       |
      | the access token text "SOMETOKEN"                      | malformed                            |
      | the access token text ""                               | empty                                |
      | the CI access token "api-token"                        | belongs to another workspace         |

  @TOK-7
  Scenario: a good personal access token does not rescue a bad access token
    Given "ann" created the personal access token "ann-laptop"
    When a runner asks to read-cache on "web" with the CI access token "ci-read" and the personal access token "ann-laptop"
    Then the request is allowed
    And the decision names rule TOK-3
    When calling "authorizeRunner" with:
      """
      {"nxCloudId": "{ws:web}", "accessToken": "nxca_wrong", "personalAccessToken": "{secret:ann-laptop}", "action": "read-cache"}
      """
    Then the request is denied
    And the decision names rule TOK-7

  @TOK-7
  Scenario: a personal access token presented as an access token is refused with a hint
    Given "ann" created the personal access token "ann-laptop"
    When calling "authorizeRunner" with:
      """
      {"nxCloudId": "{ws:web}", "accessToken": "{secret:ann-laptop}", "action": "read-cache"}
      """
    Then the request is denied
    And the decision names rule TOK-7
    And the reason says "is a personal access token"

  @TOK-7
  Scenario: an unknown nxCloudId grants nothing
    When a runner asks to read-cache on "ffffffffffffffffffffffff" with only the nxCloudId
    Then the request is denied
    And the decision names rule TOK-7
    And the request is refused as unauthenticated
