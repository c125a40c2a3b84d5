package scim

import (
	"net/url"
	"testing"

	"github.com/dbscim/dbscim/engine/resource"
)

func TestServiceProviderConfig(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.DocumentationURI = "https://docs.example.com/dbscim"; c.MaxResults = 200 })
	r := f.do(t, "GET", "/ServiceProviderConfig", "")
	r.want(t, 200)
	b := r.body
	check := func(path string, want any) {
		t.Helper()
		if got, _ := resource.GetValue(b, path); got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	check("documentationUri", "https://docs.example.com/dbscim")
	check("patch.supported", true)
	check("bulk.supported", false)
	check("filter.supported", true)
	check("filter.maxResults", 200.0)
	check("changePassword.supported", false)
	check("sort.supported", true)
	check("etag.supported", true)
	check("meta.resourceType", "ServiceProviderConfig")
	check("meta.location", base+"/ServiceProviderConfig")
	schemes, _ := b["authenticationSchemes"].([]any)
	if len(schemes) != 1 {
		t.Fatalf("authenticationSchemes %v", b["authenticationSchemes"])
	}
	s := schemes[0].(map[string]any)
	if s["type"] != "oauthbearertoken" || s["name"] != "OAuth Bearer Token" || s["primary"] != true || s["description"] == "" {
		t.Errorf("scheme %v", s)
	}
	if sc, _ := b["schemas"].([]any); len(sc) != 1 || sc[0] != ServiceProviderURN {
		t.Errorf("schemas %v", b["schemas"])
	}
	f.do(t, "GET", "/ServiceProviderConfig?filter="+q(`patch.supported eq true`), "").wantError(t, 403, "")
}

func TestResourceTypes(t *testing.T) {
	f := newFixture(t)
	r := f.do(t, "GET", "/ResourceTypes", "")
	r.want(t, 200)
	if r.body["totalResults"] != 2.0 || r.body["itemsPerPage"] != 2.0 || r.body["startIndex"] != 1.0 {
		t.Errorf("list: %s", r.raw)
	}
	user := r.body["Resources"].([]any)[0].(map[string]any)
	if user["id"] != "User" || user["name"] != "User" || user["endpoint"] != "/Users" || user["schema"] != resource.UserSchemaURN || user["description"] != "User Account" {
		t.Errorf("User: %v", user)
	}
	ext, _ := user["schemaExtensions"].([]any)
	if len(ext) != 1 || ext[0].(map[string]any)["schema"] != resource.EnterpriseUserURN || ext[0].(map[string]any)["required"] != false {
		t.Errorf("schemaExtensions %v", user["schemaExtensions"])
	}
	if m := user["meta"].(map[string]any); m["location"] != base+"/ResourceTypes/User" || m["resourceType"] != "ResourceType" {
		t.Errorf("meta %v", m)
	}
	group := r.body["Resources"].([]any)[1].(map[string]any)
	if _, ok := group["schemaExtensions"]; ok || group["endpoint"] != "/Groups" {
		t.Errorf("Group: %v", group)
	}
	r = f.do(t, "GET", "/ResourceTypes/Group", "")
	r.want(t, 200)
	if r.body["id"] != "Group" || r.body["schema"] != resource.GroupSchemaURN {
		t.Errorf("by id: %s", r.raw)
	}
	// Exactly the configured types.
	f2 := newFixture(t, func(c *Config) { c.ResourceTypes = c.ResourceTypes[:1] })
	r = f2.do(t, "GET", "/ResourceTypes", "")
	if r.body["totalResults"] != 1.0 {
		t.Errorf("one type configured: %s", r.raw)
	}
	f2.do(t, "GET", "/ResourceTypes/Group", "").wantError(t, 404, "")
	f2.do(t, "GET", "/Groups", "").wantError(t, 404, "")
	f.do(t, "GET", "/ResourceTypes?filter="+q(`id eq "User"`), "").wantError(t, 403, "")
}

func TestSchemasEndpoint(t *testing.T) {
	f := newFixture(t)
	r := f.do(t, "GET", "/Schemas", "")
	r.want(t, 200)
	var ids []string
	for _, x := range r.body["Resources"].([]any) {
		ids = append(ids, x.(map[string]any)["id"].(string))
	}
	if len(ids) != 3 || ids[0] != resource.UserSchemaURN || ids[1] != resource.EnterpriseUserURN || ids[2] != resource.GroupSchemaURN {
		t.Errorf("schemas %v", ids)
	}
	r = f.do(t, "GET", "/Schemas/"+url.PathEscape(resource.UserSchemaURN), "")
	r.want(t, 200)
	attrs := map[string]map[string]any{}
	for _, a := range r.body["attributes"].([]any) {
		m := a.(map[string]any)
		attrs[m["name"].(string)] = m
	}
	tests := []struct {
		attr, key string
		want      any
	}{
		{"userName", "required", true},
		{"userName", "caseExact", false},
		{"userName", "uniqueness", "server"},
		{"userName", "mutability", "readWrite"},
		{"password", "mutability", "writeOnly"},
		{"password", "returned", "never"},
		{"groups", "mutability", "readOnly"},
		{"emails", "multiValued", true},
		{"emails", "type", "complex"},
		{"active", "type", "boolean"},
		{"profileUrl", "type", "reference"},
	}
	for _, tt := range tests {
		if got := attrs[tt.attr][tt.key]; got != tt.want {
			t.Errorf("%s.%s = %v, want %v", tt.attr, tt.key, got, tt.want)
		}
	}
	var sub []string
	for _, s := range attrs["entitlements"]["subAttributes"].([]any) {
		sub = append(sub, s.(map[string]any)["name"].(string))
	}
	if len(sub) != 4 || sub[0] != "value" || sub[1] != "display" || sub[2] != "type" || sub[3] != "primary" {
		t.Errorf("entitlements sub-attributes %v", sub)
	}
	if m := r.body["meta"].(map[string]any); m["resourceType"] != "Schema" || m["location"] != base+"/Schemas/"+resource.UserSchemaURN {
		t.Errorf("meta %v", m)
	}
	r = f.do(t, "GET", "/Schemas/"+resource.EnterpriseUserURN, "")
	r.want(t, 200)
	if a := r.body["attributes"].([]any); a[len(a)-1].(map[string]any)["name"] != "manager" {
		t.Errorf("enterprise: %s", r.raw)
	}
	f.do(t, "GET", "/Schemas?filter="+q(`id pr`), "").wantError(t, 403, "")
}

func TestSchemaDefinitions(t *testing.T) {
	u, e, g := resource.UserSchema(), resource.EnterpriseUserSchema(), resource.GroupSchema()
	tests := []struct {
		s    *resource.Schema
		name string
		ok   func(*resource.Attribute) bool
	}{
		{u, "USERNAME", func(a *resource.Attribute) bool {
			return a.Name == "userName" && !a.CaseExact && a.Uniqueness == "server" && a.Required
		}},
		{u, "emails.value", func(a *resource.Attribute) bool { return a.Name == "value" && !a.CaseExact }},
		{u, "id", func(a *resource.Attribute) bool {
			return a.CaseExact && a.Mutability == "readOnly" && a.Returned == "always"
		}},
		{u, "groups", func(a *resource.Attribute) bool { return a.Mutability == "readOnly" && a.MultiValued }},
		{u, "roles.primary", func(a *resource.Attribute) bool { return a.Type == "boolean" }},
		{u, "password", func(a *resource.Attribute) bool { return a.Mutability == "writeOnly" && a.Returned == "never" }},
		{u, "meta.lastModified", func(a *resource.Attribute) bool { return a.Type == "dateTime" }},
		{u, resource.UserSchemaURN + ":name.familyName", func(a *resource.Attribute) bool { return a.Name == "familyName" }},
		{e, "manager.$ref", func(a *resource.Attribute) bool { return a.Type == "reference" }},
		{e, "manager.displayName", func(a *resource.Attribute) bool { return a.Mutability == "readOnly" }},
		{g, "displayName", func(a *resource.Attribute) bool { return a.Required }},
		{g, "members.value", func(a *resource.Attribute) bool { return a.Mutability == "immutable" }},
	}
	for _, tt := range tests {
		a := tt.s.Attribute(tt.name)
		if a == nil || !tt.ok(a) {
			t.Errorf("%s %s: %+v", tt.s.Name, tt.name, a)
		}
	}
	if u.Attribute("nope") != nil || u.Attribute("name.nope") != nil {
		t.Error("unknown attributes found")
	}
	a, b := resource.UserSchema(), resource.UserSchema()
	a.Attributes[0].Required = false
	if !b.Attributes[0].Required || !resource.UserSchema().Attributes[0].Required {
		t.Error("UserSchema must return a fresh copy each time")
	}
}
