Feature: Organizations, members and roles (web plane)
  An organization has members with one of two roles. Admins can do anything
  with the organization's workspaces; members can look but not change;
  outsiders see nothing of a private organization.

  Background:
    Given the users ann, bob, carol, dave
    And "ann" created the organization "acme"
    And "ann" created the workspace "web" in "acme"

  @ORG-1
  Scenario: the creator of an organization is its only member, an admin
    When "ann" creates the organization "globex"
    Then the command succeeds
    And "ann" asking to manage-members in "globex" is allowed by rule ORG-5 as admin
    And "bob" asking to view-runs in "globex" is denied by rule ORG-7 as none

  @ORG-1 @ORG-8
  Scenario: the only member of a new organization cannot leave it without an admin
    When "ann" removes "ann" from "acme"
    Then the command fails with "last-admin"
    And the refusal mentions "`ann`"

  @ORG-2 @ORG-4
  Scenario: an admin invites by email and the invited person joins with the role of the invitation
    Given "ann" invited "bob@example.com" to "acme" as member
    When "bob" joins "acme"
    Then the command succeeds
    And the answer is "member"
    And "bob" asking to view-runs in "acme" is allowed by rule ORG-6 as member

  @ORG-2
  Scenario: an email invitation admits only its own address, case-insensitively
    Given "ann" invited "BOB@Example.com" to "acme" as member
    When "carol" joins "acme"
    Then the command fails with "no-matching-invite"
    And the refusal mentions "ask an admin"
    When "bob" joins "acme"
    Then the answer is "member"

  @ORG-2
  Scenario: an email invitation is used once
    Given "ann" invited "bob@example.com" to "acme" as member
    When "bob" joins "acme"
    Then the command succeeds
    When "ann" removes "bob" from "acme"
    And "bob" joins "acme"
    Then the command fails with "no-matching-invite"

  @ORG-3 @ORG-4
  Scenario: an admin invites a whole email domain and everyone under it can join
    Given a user "erin" with email "erin@initech.com"
    And a user "frank" with email "Frank@INITECH.com"
    And "ann" invited the domain "initech.com" to "acme" as admin
    When "erin" joins "acme"
    Then the answer is "admin"
    When "frank" joins "acme"
    Then the answer is "admin"
    And "frank" asking to manage-tokens in "acme" is allowed by rule ORG-5 as admin

  @ORG-3
  Scenario Outline: a domain invitation admits the exact domain after the last @ only
    Given a user "guest" with email "<email>"
    And "ann" invited the domain "example.org" to "acme" as member
    When "guest" joins "acme"
    Then the command <outcome>

    Examples:
      | email                      | outcome                              |
      | guest@example.org          | succeeds                             |
      | guest@EXAMPLE.ORG          | succeeds                             |
      | guest@a.example.org        | fails with "no-matching-invite"      |
      | guest@evil-example.org     | fails with "no-matching-invite"      |
      | guest@example.org.evil.com | fails with "no-matching-invite"      |
      | guest@example.com          | fails with "no-matching-invite"      |

  @ORG-3
  Scenario Outline: a domain invitation must name a real domain
    When "ann" invites the domain "<domain>" to "acme" as member
    Then the command fails with "invalid-input"
    And the refusal mentions "<hint>"

    Examples:
      | domain       | hint                    |
      | com          | bare top-level domain   |
      | @example.com | give the domain alone   |
      | example..com | empty label             |

  @ORG-2
  Scenario Outline: an email invitation needs an email address with exactly one @
    When "ann" invites "<email>" to "acme" as member
    Then the command fails with "invalid-input"
    And the refusal mentions "is not an email address"

    Examples:
      | email               |
      | bob                 |
      | bob@@example.com    |
      | a@b@example.com     |
      | @example.com        |

  @ORG-4
  Scenario: an invitation carries one of the two roles
    When calling "invite" with:
      """
      {"organization": "acme", "actor": "ann", "email": "bob@example.com", "role": "owner"}
      """
    Then the command fails with "invalid-input"
    And the refusal mentions "owner"

  @ORG-5
  Scenario Outline: an admin can do anything with the organization's workspaces
    Given "bob" is an admin of "acme"
    Then "bob" asking to <action> in "acme" is allowed by rule ORG-5 as admin

    Examples:
      | action          |
      | view-runs       |
      | view-stats      |
      | change-settings |
      | manage-members  |
      | manage-tokens   |

  @ORG-5
  Scenario: an admin who joined by invitation manages settings, members and tokens
    Given "bob" is an admin of "acme"
    When "bob" sets the workspace ID access level of "web" to read-only
    Then the command succeeds
    When "bob" invites "carol@example.com" to "acme" as member
    Then the command succeeds
    When "bob" creates a read-only CI access token "ci" for "web"
    Then the command succeeds
    When "bob" creates a workspace in "acme"
    Then the command succeeds
    And the new nxCloudId has 24 characters

  @ORG-6
  Scenario Outline: a member views runs and stats but changes nothing
    Given "bob" is a member of "acme"
    Then "bob" asking to <action> in "acme" is <outcome> by rule <rule> as member

    Examples:
      | action          | outcome | rule  |
      | view-runs       | allowed | ORG-6 |
      | view-stats      | allowed | ORG-6 |
      | change-settings | denied  | ORG-6 |
      | manage-members  | denied  | ORG-9 |
      | manage-tokens   | denied  | ORG-9 |

  @ORG-6 @ORG-9
  Scenario: a member's attempt to change a workspace setting is refused and changes nothing
    Given "bob" is a member of "acme"
    When the state is saved
    And "bob" sets the workspace ID access level of "web" to none
    Then the command fails with "forbidden"
    And the refusal mentions "only admins"
    And the state is unchanged since it was saved

  @ORG-7
  Scenario Outline: an outsider sees nothing of a private organization
    Then <who> asking to <action> in "acme" is denied by rule ORG-7 as none

    Examples:
      | who                  | action          |
      | "dave"               | view-runs       |
      | "dave"               | view-stats      |
      | "dave"               | manage-members  |
      | an anonymous visitor | view-runs       |
      | an anonymous visitor | change-settings |
      | "nobody-registered"  | view-stats      |

  @ORG-7
  Scenario: an invited person sees nothing until they join
    Given "ann" invited "bob@example.com" to "acme" as member
    Then "bob" may not view-runs in "acme"
    When "bob" joins "acme"
    Then "bob" may view-runs in "acme"

  @ORG-8
  Scenario: the last admin can be neither removed nor demoted
    Given "bob" is a member of "acme"
    When the state is saved
    And "ann" sets the role of "ann" in "acme" to member
    Then the command fails with "last-admin"
    And the refusal mentions "make another member admin first"
    When "ann" removes "ann" from "acme"
    Then the command fails with "last-admin"
    And the state is unchanged since it was saved

  @ORG-8
  Scenario: with a second admin, the first may step down
    Given "bob" is an admin of "acme"
    When "ann" sets the role of "ann" in "acme" to member
    Then the command succeeds
    And "ann" asking to manage-members in "acme" is denied by rule ORG-9 as member
    When "bob" removes "ann" from "acme"
    Then the command succeeds
    When "bob" sets the role of "bob" in "acme" to member
    Then the command fails with "last-admin"

  @ORG-9
  Scenario Outline: members and outsiders cannot administer, and nothing changes
    Given "bob" is a member of "acme"
    And "carol" is a member of "acme"
    When the state is saved
    And <command>
    Then the command fails with "forbidden"
    And the state is unchanged since it was saved

    Examples:
      | command                                                       |
      | "bob" invites "dave@example.com" to "acme" as member          |
      | "bob" invites the domain "example.com" to "acme" as admin     |
      | "bob" removes "carol" from "acme"                             |
      | "bob" sets the role of "bob" in "acme" to admin               |
      | "bob" makes "acme" public                                     |
      | "bob" creates a workspace in "acme"                           |
      | "bob" creates a read-write CI access token "mine" for "web"   |
      | "bob" sets the PAT access level of "web" to read-only         |
      | "bob" lists the CI access tokens of "web"                     |
      | "dave" invites "dave@example.com" to "acme" as admin          |
      | "dave" removes "bob" from "acme"                              |
      | "dave" creates a workspace in "acme"                          |
      | "dave" sets the workspace ID access level of "web" to none    |

  @ORG-9
  Scenario: only admins change roles
    Given "bob" is a member of "acme"
    When "ann" sets the role of "bob" in "acme" to admin
    Then the command succeeds
    And "bob" asking to manage-members in "acme" is allowed by rule ORG-5 as admin

  Scenario: commands name what is missing
    When "ann" removes "dave" from "acme"
    Then the command fails with "not-found"
    And the refusal mentions "`dave` is not a member"
    When "zed" joins "acme"
    Then the command fails with "not-found"
    When "ann" invites "bob@example.com" to "nowhere" as member
    Then the command fails with "not-found"
    When calling "createUser" with:
      """
      {"id": "ann", "email": "ann2@example.com"}
      """
    Then the command fails with "conflict"
    When calling "createUser" with:
      """
      {"id": "ann2", "email": "ANN@example.com"}
      """
    Then the command fails with "conflict"
    When calling "noSuchMethod" with:
      """
      {}
      """
    Then the command fails with "invalid-input"
    And the refusal mentions "`noSuchMethod`"
    When calling "createUser" with:
      """
      {"id": "x", "email": "x@example.com", "admin": true}
      """
    Then the command fails with "invalid-input"
    And the refusal mentions "admin"
