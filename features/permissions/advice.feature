Feature: What the permission engine shows about the seeds' advice
  ADV-1..4 are findings of the resolution engine (features/resolution); the
  scenarios here show, with real decisions, the permission facts behind that
  advice. ADV-5 is advice, not a rule to enforce: these scenarios show that a
  per-developer read token grants nothing a shared one does not.

  Background:
    Given the users ann, bob
    And "ann" created the organization "acme"
    And "ann" created the workspace "web" in "acme"
    And "bob" is a member of "acme"

  @ADV-1 @TOK-5
  Scenario: a token committed to nx.json outlives the membership of whoever has it
    Given "ann" created a read-only CI access token "committed" for "web"
    And the workspace ID access level of "web" is none
    And "bob" created the personal access token "bob-laptop"
    When "ann" removes "bob" from "acme"
    Then a runner asking to read-cache on "web" with the CI access token "committed" is allowed by rule TOK-3
    And a runner asking to read-cache on "web" with the personal access token "bob-laptop" is denied by rule PAT-5

  @ADV-2
  Scenario Outline: anyone holding a committed read-write token writes the cache; a read-only one does not
    Given "ann" created a <access> CI access token "committed" for "web"
    And the workspace ID access level of "web" is none
    Then a runner asking to write-cache on "web" with the CI access token "committed" is <outcome> by rule <rule>

    Examples:
      | access     | outcome | rule  |
      | read-write | allowed | TOK-4 |
      | read-only  | denied  | TOK-3 |

  @ADV-3
  Scenario: with the default level, anyone who can read the nxCloudId writes the cache, until it is lowered
    Given the users stranger
    And "stranger" created the personal access token "stranger-laptop"
    Then a runner asking to write-cache on "web" with only the nxCloudId is allowed by rule WSID-3
    And a runner asking to write-cache on "web" with the personal access token "stranger-laptop" is allowed by rule PAT-5
    When "ann" sets the workspace ID access level of "web" to read-only
    Then a runner asking to write-cache on "web" with only the nxCloudId is denied by rule WSID-3
    And a runner asking to write-cache on "web" with the personal access token "stranger-laptop" is denied by rule PAT-5

  @ADV-4
  Scenario: connected by nxCloudId with PATs, removing a member needs no token cycled
    Given the workspace ID access level of "web" is none
    And "bob" created the personal access token "bob-laptop"
    And "ann" created a read-write CI access token "ci" for "web"
    Then a runner asking to write-cache on "web" with the personal access token "bob-laptop" is allowed by rule PAT-3
    When "ann" removes "bob" from "acme"
    Then a runner asking to write-cache on "web" with the personal access token "bob-laptop" is denied by rule PAT-5
    And a runner asking to write-cache on "web" with the CI access token "ci" is allowed by rule TOK-4

  @ADV-5
  Scenario Outline: a per-developer read token grants nothing beyond the shared read token
    Given "ann" created a read-only CI access token "shared-read" for "web"
    And "ann" created a read-only CI access token "bobs-own-read" for "web"
    Then a runner asking to <action> on "web" with the CI access token "shared-read" is <outcome> by rule <rule>
    And a runner asking to <action> on "web" with the CI access token "bobs-own-read" is <outcome> by rule <rule>

    Examples:
      | action      | outcome | rule  |
      | read-cache  | allowed | TOK-3 |
      | write-cache | denied  | TOK-3 |
      | record-run  | allowed | TOK-2 |
      | distribute  | allowed | TOK-2 |

  @ADV-5
  Scenario: with the workspace ID level read-only, a read token adds nothing to the nxCloudId alone
    Given the workspace ID access level of "web" is read-only
    And "ann" created a read-only CI access token "bobs-own-read" for "web"
    Then a runner asking to read-cache on "web" with only the nxCloudId is allowed by rule WSID-3
    And a runner asking to read-cache on "web" with the CI access token "bobs-own-read" is allowed by rule TOK-3
    And a runner asking to write-cache on "web" with only the nxCloudId is denied by rule WSID-3
    And a runner asking to write-cache on "web" with the CI access token "bobs-own-read" is denied by rule TOK-3
