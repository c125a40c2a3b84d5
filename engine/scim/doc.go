// Package scim is the SCIM 2.0 protocol (RFC 7643, RFC 7644) as dbscim speaks it:
// routing, request parsing, PATCH normalisation (Okta's and Entra's shapes become one),
// filters, list responses, discovery documents and the SCIM error type.
//
// It knows nothing about SQL. Each resource type is served from a resource.Store, a
// small context-first interface that receives already normalised input: every
// write arrives as one resource.Change. The in-memory store of engine/scim/memory
// serves the package's own tests and the conformance suite.
//
// # What a Store can rely on
//
// The Handler does the protocol work before and after a Store runs:
//
//   - Create and Replace receive a Change whose Resource is the body canonicalised against the type's schemas
//     (Canonicalize: schema casing, "True"/"False" as booleans, flat
//     "urn:...:attr" keys moved under their extension object, a single element of a
//     multi-valued attribute wrapped in an array), with "schemas" and every
//     read-only attribute removed (id, meta, groups, manager.displayName: Okta
//     sends them back on PUT), type-checked, and with the required attributes
//     (userName, displayName) present. password is kept (writeOnly: the store may
//     use it). Replace gets the id from the URL; a different id in the body is
//     ignored.
//   - Patch receives a Change whose operations were normalised by the handler
//     (see resource.PatchOp and resource.ApplyPatch) and whose member operations
//     are reduced to one MemberChange. They were all checked (path syntax,
//     mutability, value types, remove without path) before the store is called,
//     so a store that applies them with Change.Apply on the current resource only
//     sees errors for data-dependent cases (noTarget, removing a required
//     attribute).
//   - List receives a parsed, type-checked filter, a startIndex of at least 1 and a
//     count already capped at MaxResults; sortBy is empty unless Config.Sort.
//   - The handler sets "schemas", meta.resourceType and meta.location on every
//     resource a store returns, leaves out null attributes, sends the version as
//     the ETag header and meta.version (the store's meta.version when it sets one,
//     else a weak tag computed from the content), evaluates If-Match (through Get,
//     before Replace, Patch and Delete) and If-None-Match, and applies
//     attributes/excludedAttributes (and drops
//     password) itself: a store may return every attribute and may use Projection
//     only to skip expensive ones. An id may be a string or a number; it is sent
//     as a string.
//   - A store answers client errors with engine errors (engine/fault), which
//     the handler answers with the status, scimType and Retry-After of their
//     kind (one table, in errors.go). Any other error is logged with its text
//     and answered as a 500 without it; a panic is recovered, logged with its
//     stack and answered as a 500.
package scim
