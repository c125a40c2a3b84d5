package scim11

import (
	"strings"

	"github.com/dbscim/dbscim/engine/scim"
)

// The userManagementCapabilities Okta's agent reads from
// /ServiceProviderConfigs; an app without them is assumed to have them all.
const (
	GroupPush            = "GROUP_PUSH"
	ImportNewUsers       = "IMPORT_NEW_USERS"
	ImportProfileUpdates = "IMPORT_PROFILE_UPDATES"
	PushNewUsers         = "PUSH_NEW_USERS"
	PushPasswordUpdates  = "PUSH_PASSWORD_UPDATES"
	PushPendingUsers     = "PUSH_PENDING_USERS"
	PushProfileUpdates   = "PUSH_PROFILE_UPDATES"
	PushUserDeactivation = "PUSH_USER_DEACTIVATION"
	ReactivateUsers      = "REACTIVATE_USERS"
)

// Capabilities are the userManagementCapabilities the resource types' declared
// methods support: imports need the users list; new and pending users need
// create; profile, password and activation pushes arrive as PUT, so they need
// replace and the attribute (password, active) in the users schema; group push
// needs groups that can be created, replaced and deleted.
func Capabilities(types []scim.ResourceType) []string {
	var out []string
	var users, groups *scim.ResourceType
	for i := range types {
		switch {
		case strings.EqualFold(types[i].Name, "User"):
			users = &types[i]
		case strings.EqualFold(types[i].Name, "Group"):
			groups = &types[i]
		}
	}
	const groupWrites = scim.MethodCreate | scim.MethodReplace | scim.MethodDelete
	if groups != nil && groups.Methods&groupWrites == groupWrites {
		out = append(out, GroupPush)
	}
	if users == nil {
		return out
	}
	has := func(m scim.Method) bool { return users.Methods&m != 0 }
	attr := func(name string) bool { return users.Schema == nil || users.Schema.Attribute(name) != nil }
	if has(scim.MethodList) {
		out = append(out, ImportNewUsers, ImportProfileUpdates)
	}
	if has(scim.MethodCreate) {
		out = append(out, PushNewUsers)
	}
	if has(scim.MethodReplace) && attr("password") {
		out = append(out, PushPasswordUpdates)
	}
	if has(scim.MethodCreate) && attr("active") {
		out = append(out, PushPendingUsers)
	}
	if has(scim.MethodReplace) {
		out = append(out, PushProfileUpdates)
	}
	if has(scim.MethodReplace) && attr("active") {
		out = append(out, PushUserDeactivation, ReactivateUsers)
	}
	return out
}

// serviceProviderConfig is the 1.1 /ServiceProviderConfigs document with Okta's
// extension.
func (h *Handler) serviceProviderConfig() map[string]any {
	supported := func(b bool) map[string]any { return map[string]any{"supported": b} }
	changePassword := false
	for _, c := range Capabilities(h.cfg.ResourceTypes) {
		changePassword = changePassword || c == PushPasswordUpdates
	}
	schemes := []any{}
	for _, s := range h.cfg.AuthenticationSchemes {
		m := map[string]any{"name": s.Name, "description": s.Description}
		if s.SpecURI != "" {
			m["specUrl"] = s.SpecURI
		}
		if s.DocumentationURI != "" {
			m["documentationUrl"] = s.DocumentationURI
		}
		schemes = append(schemes, m)
	}
	doc := map[string]any{
		"schemas":               []string{CoreURN, ProviderConfigURN},
		"patch":                 supported(true),
		"bulk":                  supported(false),
		"filter":                map[string]any{"supported": true, "maxResults": h.cfg.MaxResults},
		"changePassword":        supported(changePassword),
		"sort":                  supported(h.cfg.Sort),
		"etag":                  supported(true),
		"authenticationSchemes": schemes,
		ProviderConfigURN:       map[string]any{"userManagementCapabilities": Capabilities(h.cfg.ResourceTypes)},
	}
	if h.cfg.DocumentationURI != "" {
		doc["documentationUrl"] = h.cfg.DocumentationURI
	}
	return doc
}
