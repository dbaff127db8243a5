Feature: Personal access tokens
  A PAT stored by `nx login` counts only for a workspace connected by
  nxCloudId; an access token from any source takes precedence.

  Background:
    Given Nx 19.7.0 is installed

  @PATR-1 @PATR-2 @PATR-4 @ADV-3
  Scenario: a logged-in developer of an nxCloudId workspace uses the PAT of the API URL
    Given an nx.json containing:
      """
      { "nxCloudId": "65d5639f1a3b026e12345678" }
      """
    And the personal access token file "/home/dev/.config/nxcloud/nxcloud.ini" containing:
      """
      [https://cloud\.nx\.app]
      personalAccessToken=pat-of-the-developer-0001
      """
    When the credentials are resolved
    Then the credential is "personal-access-token"
    And the personal access token is "pat-of-the-developer-0001" from "nxcloud.ini:https://cloud\.nx\.app"
    And the nxCloudId is "65d5639f1a3b026e12345678" from "nx.json:nxCloudId"
    And the trace shows "nxcloud.ini:https://cloud\.nx\.app" as used by rule "PATR-2"
    And the trace step for "nxcloud.ini:https://cloud\.nx\.app" mentions "/home/dev/.config/nxcloud/nxcloud.ini"
    And the trace and the findings never show the token "pat-of-the-developer-0001"
    And there is a finding "workspace-id-access-level" of severity "info"
    And the finding "workspace-id-access-level" suggests "read-only or none"

  @PATR-2
  Scenario: the section is looked up by the API URL
    Given an nx.json containing:
      """
      { "nxCloudId": "65d5639f1a3b026e12345678" }
      """
    And the environment variable "NX_CLOUD_API" is set to "https://my.cloud.example"
    And the personal access token file "/home/dev/.nxcloud.ini" containing:
      """
      [https://cloud\.nx\.app]
      personalAccessToken=pat-for-nx-cloud-0001
      [https://my\.cloud\.example]
      personalAccessToken=pat-for-my-cloud-0001
      """
    When the credentials are resolved
    Then the personal access token is "pat-for-my-cloud-0001" from "nxcloud.ini:https://my\.cloud\.example"

  @PATR-2 @EXP-2
  Scenario: a section written with plain dots is never matched, and the finding shows the escaped form
    Given an nx.json containing:
      """
      { "nxCloudId": "65d5639f1a3b026e12345678" }
      """
    And the personal access token file "/home/dev/.nxcloud.ini" containing:
      """
      [https://cloud.nx.app]
      personalAccessToken=pat-never-matched-0001
      """
    When the credentials are resolved
    Then no personal access token applies
    And the credential is "workspace-id"
    And there is a finding "pat-section-never-matched" of severity "warning"
    And the finding "pat-section-never-matched" suggests "[https://cloud\.nx\.app]"

  @PATR-3 @PATR-4
  Scenario: an access token takes precedence over the PAT
    Given a read-write access token "A"
    And an nx.json containing:
      """
      { "nxCloudId": "65d5639f1a3b026e12345678" }
      """
    And the environment variable "NX_CLOUD_ACCESS_TOKEN" is set to "{A}"
    And the personal access token file "/home/dev/.nxcloud.ini" containing:
      """
      [https://cloud\.nx\.app]
      personalAccessToken=pat-of-the-developer-0001
      """
    When the credentials are resolved
    Then the credential is "ci-access-token"
    And no personal access token applies
    And the trace shows "nxcloud.ini:https://cloud\.nx\.app" as shadowed by rule "PATR-3"

  @PATR-3 @EXP-2
  Scenario: a PAT without nxCloudId does not count
    Given an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "runner": "nx-cloud", "options": {} } } }
      """
    And the personal access token file "/home/dev/.nxcloud.ini" containing:
      """
      [https://cloud\.nx\.app]
      personalAccessToken=pat-of-the-developer-0001
      """
    When the credentials are resolved
    Then no personal access token applies
    And the credential is "none"
    And there is a finding "pat-without-nx-cloud-id" of severity "warning"

  @PATR-4 @ADV-3
  Scenario: an nxCloudId alone gives the workspace ID access level
    Given an nx.json containing:
      """
      { "nxCloudId": "65d5639f1a3b026e12345678" }
      """
    When the credentials are resolved
    Then the credential is "workspace-id"
    And no personal access token applies
    And there is a finding "workspace-id-access-level" of severity "info"

  @PATR-4
  Scenario: without any credential the kind is none
    Given an nx.json containing exactly "{}"
    When the credentials are resolved
    Then the credential is "none"
    And Nx Cloud is not used
