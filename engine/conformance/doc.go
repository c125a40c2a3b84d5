// Package conformance is dbscim's behaviour suite, written once and run against
// every way of serving a target: RunTests takes a function that serves a fresh
// target (its URL, its credentials, what it declares and, optionally, a Backend
// that seeds and reads its rows without SCIM) and runs one subtest per MUST and
// SHOULD of RFC 7644 §3.4 (retrieving resources: filters, paging, sorting,
// attributes, POST /.search), §3.5 (PUT and PATCH) and §3.14 (ETags), the steps
// of Okta's SCIM 2.0 SPEC test, the Okta provisioning agent's SCIM 1.1 messages
// (against the target's /scim/v1 twin of its /scim/v2 URL), the scenarios of
// Microsoft Entra ID's SCIM validator, and the SCIM errors of undeclared operations.
//
// Subtests are named after the requirement they check ("RFC7644-3.4.2.2/co",
// "Entra/PatchReplaceVerbose", "Okta/CreateWithPassword"), and check outcomes: the
// status, the scimType, the response body and the stored data, read back through
// the Backend. A subtest that needs what the target does not declare (a method,
// an attribute, sorting, a database constraint) is skipped with a message naming
// it; one that seeds rows is skipped when the target has no Backend. Requirements
// a target does not meet yet are listed in its Gaps and skipped with
// "known gap: ...".
//
// The suite runs, from this package's tests, on the in-memory store and on SQLite,
// MariaDB and PostgreSQL with statement and procedure configurations, and from
// each example's test on that example.
package conformance
