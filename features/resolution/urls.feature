Feature: The Nx Cloud URLs

  Background:
    Given a read-write access token "A"

  @URL-1
  Scenario: NX_CLOUD_API beats the runner options and the top level
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      {
        "nxCloudAccessToken": "{A}",
        "nxCloudUrl": "https://top.example",
        "tasksRunnerOptions": { "default": { "options": { "url": "https://options.example/" } } }
      }
      """
    And the environment variable "NX_CLOUD_API" is set to "https://env.example"
    When the credentials are resolved
    Then the API URL is "https://env.example" from "env:NX_CLOUD_API"
    And the trace shows "nx.json:tasksRunnerOptions.default.options.url" as shadowed

  @URL-1
  Scenario: options.url is kept with its trailing slash
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      {
        "nxCloudAccessToken": "{A}",
        "nxCloudUrl": "https://top.example",
        "tasksRunnerOptions": { "default": { "options": { "url": "https://options.example/" } } }
      }
      """
    When the credentials are resolved
    Then the API URL is "https://options.example/" from "nx.json:tasksRunnerOptions.default.options.url"

  @URL-1
  Scenario: an empty options.url blocks nxCloudUrl and the default applies
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      {
        "nxCloudAccessToken": "{A}",
        "nxCloudUrl": "https://top.example",
        "tasksRunnerOptions": { "default": { "options": { "url": "" } } }
      }
      """
    When the credentials are resolved
    Then the API URL is "https://cloud.nx.app" from "default"

  @URL-1 @TOP-1
  Scenario: nxCloudUrl is the API URL of the default cloud runner
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{A}", "nxCloudUrl": "https://top.example" }
      """
    And the environment variable "NRWL_API" is set to "https://nrwl.example"
    When the credentials are resolved
    Then the API URL is "https://top.example" from "nx.json:nxCloudUrl"
    And the trace shows "env:NRWL_API" as ignored by rule "URL-1"

  @URL-1 @TOKEN-1
  Scenario: there is no API URL when the cloud runner does not run
    Given Nx 19.6.7 is installed
    And an nx.json containing exactly "{}"
    When the credentials are resolved
    Then there is no API URL
    And there is no app URL

  @URL-2
  Scenario: the app URL is the url of the first cloud entry, even an empty one
    Given Nx 19.6.7 is installed
    And an nx.json containing:
      """
      {
        "nxCloudUrl": "https://top.example",
        "tasksRunnerOptions": {
          "local": { "runner": "nx/tasks-runners/default" },
          "ci": { "runner": "nx-cloud", "options": { "url": "" } },
          "other": { "runner": "@nrwl/nx-cloud", "options": { "url": "https://other.example" } }
        }
      }
      """
    When the credentials are resolved
    Then the app URL is "" from "nx.json:tasksRunnerOptions.ci.options.url"

  @URL-2
  Scenario Outline: the app URL falls back to nxCloudUrl, then to nx.app
    Given Nx <version> is installed
    And an nx.json containing:
      """
      { "nxCloudAccessToken": "{A}", "nxCloudUrl": "https://top.example" }
      """
    When the credentials are resolved
    Then the app URL is "https://top.example" from "nx.json:nxCloudUrl"

    Examples:
      | version |
      | 17.0.0  |
      | 24.0.6  |

  @URL-2
  Scenario Outline: in 16.x an empty url of the cloud entry gives nx.app, later it is kept
    Given Nx <version> is installed
    And the "nx-cloud" package 16.5.0 is installed
    And an nx.json containing:
      """
      { "tasksRunnerOptions": { "default": { "runner": "nx-cloud", "options": { "accessToken": "{A}", "url": "" } } } }
      """
    When the credentials are resolved
    Then the app URL is "<url>" from "<source>"

    Examples:
      | version | url            | source                                         |
      | 16.10.0 | https://nx.app | default                                        |
      | 17.0.0  |                | nx.json:tasksRunnerOptions.default.options.url |

  @URL-2 @USED-1
  Scenario Outline: an environment token alone gives an app URL once it connects
    Given Nx <version> is installed
    And an nx.json containing exactly "{}"
    And the environment variable "<variable>" is set to "{A}"
    When the credentials are resolved
    Then the app URL comes from "<source>"

    Examples:
      | version | variable              | source  |
      | 17.0.0  | NX_CLOUD_ACCESS_TOKEN | nowhere |
      | 17.1.1  | NX_CLOUD_ACCESS_TOKEN | default |
      | 21.3.9  | NX_CLOUD_AUTH_TOKEN   | nowhere |
      | 21.4.0  | NX_CLOUD_AUTH_TOKEN   | default |
