Feature: Public organizations
  An organization is private by default. Made public, everyone (even without
  an account) sees what a member sees, and nothing more; the runner plane is
  untouched: credentials alone decide what runners may do with the cache.

  Background:
    Given the users ann, bob, dave
    And "ann" created the organization "oss"
    And "ann" created the workspace "lib" in "oss"
    And "bob" is a member of "oss"

  @PUB-1
  Scenario: an organization is private by default and can be made public, and private again
    Then an anonymous visitor asking to view-runs in "oss" is denied by rule ORG-7 as none
    When "ann" makes "oss" public
    Then the command succeeds
    And an anonymous visitor asking to view-runs in "oss" is allowed by rule PUB-2 as public
    When "ann" makes "oss" private
    Then the command succeeds
    And an anonymous visitor asking to view-runs in "oss" is denied by rule ORG-7 as none

  @PUB-1 @ORG-9
  Scenario: only an admin changes the visibility
    When "bob" makes "oss" public
    Then the command fails with "forbidden"
    And "dave" asking to view-runs in "oss" is denied by rule ORG-7 as none

  @PUB-2
  Scenario Outline: in a public organization everyone sees what a member sees
    Given the organization "oss" is public
    Then <who> asking to <action> in "oss" is allowed by rule <rule> as <role>

    Examples:
      | who                  | action     | rule  | role   |
      | an anonymous visitor | view-runs  | PUB-2 | public |
      | an anonymous visitor | view-stats | PUB-2 | public |
      | "dave"               | view-runs  | PUB-2 | public |
      | "dave"               | view-stats | PUB-2 | public |
      | "bob"                | view-runs  | ORG-6 | member |
      | "ann"                | view-stats | ORG-5 | admin  |

  @PUB-3
  Scenario Outline: public visibility never grants admin abilities
    Given the organization "oss" is public
    Then <who> asking to <action> in "oss" is denied by rule PUB-3 as public

    Examples:
      | who                  | action          |
      | an anonymous visitor | change-settings |
      | an anonymous visitor | manage-members  |
      | an anonymous visitor | manage-tokens   |
      | "dave"               | change-settings |
      | "dave"               | manage-members  |
      | "dave"               | manage-tokens   |

  @PUB-3 @ORG-9
  Scenario: a visitor of a public organization cannot change anything through commands either
    Given the organization "oss" is public
    When the state is saved
    And "dave" sets the workspace ID access level of "lib" to none
    Then the command fails with "forbidden"
    When "dave" creates a read-write CI access token "mine" for "lib"
    Then the command fails with "forbidden"
    When "dave" invites "dave@example.com" to "oss" as admin
    Then the command fails with "forbidden"
    And the state is unchanged since it was saved

  @PUB-4
  Scenario Outline: making an organization public does not open the runner plane
    Given the workspace ID access level of "lib" is <level>
    And "dave" created the personal access token "dave-laptop"
    Then a runner asking to write-cache on "lib" with only the nxCloudId is <before> by rule WSID-3
    When "ann" makes "oss" public
    Then the command succeeds
    And a runner asking to write-cache on "lib" with only the nxCloudId is <after> by rule WSID-3
    And a runner asking to write-cache on "lib" with the personal access token "dave-laptop" is <after> by rule PAT-5
    And a runner asking to read-cache on "lib" with the personal access token "dave-laptop" is <read> by rule PAT-5

    Examples:
      | level      | before  | after   | read    |
      | none       | denied  | denied  | denied  |
      | read-only  | denied  | denied  | allowed |
      | read-write | allowed | allowed | allowed |

  @PUB-4 @TOK-7
  Scenario: a public organization does not let a bad token through
    Given the organization "oss" is public
    When a runner asks to read-cache on "lib" with the access token text "nxca_guessed-token-of-an-outsider"
    Then the request is denied
    And the decision names rule TOK-7
    And the request is refused as unauthenticated
