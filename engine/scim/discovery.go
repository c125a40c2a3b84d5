package scim

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
)

// The discovery documents of RFC 7643 §5-§7, served as RFC 7644 §4 says: a single
// document for /ServiceProviderConfig and for /ResourceTypes/{id} and
// /Schemas/{id}, a ListResponse for the lists. Paging and sorting parameters are
// ignored there, and a filter is refused with 403 so that a client cannot believe
// its filter held.

type supported struct {
	Supported bool `json:"supported"`
}

type filterSupport struct {
	Supported  bool `json:"supported"`
	MaxResults int  `json:"maxResults"`
}

type bulkSupport struct {
	Supported      bool `json:"supported"`
	MaxOperations  int  `json:"maxOperations"`
	MaxPayloadSize int  `json:"maxPayloadSize"`
}

type authSchemeDoc struct {
	Type             string `json:"type"`
	Name             string `json:"name"`
	Description      string `json:"description"`
	SpecURI          string `json:"specUri,omitempty"`
	DocumentationURI string `json:"documentationUri,omitempty"`
	Primary          bool   `json:"primary,omitempty"`
}

type metaDoc struct {
	ResourceType string `json:"resourceType"`
	Location     string `json:"location"`
}

type serviceProviderConfigDoc struct {
	Schemas               []string        `json:"schemas"`
	DocumentationURI      string          `json:"documentationUri,omitempty"`
	Patch                 supported       `json:"patch"`
	Bulk                  bulkSupport     `json:"bulk"`
	Filter                filterSupport   `json:"filter"`
	ChangePassword        supported       `json:"changePassword"`
	Sort                  supported       `json:"sort"`
	ETag                  supported       `json:"etag"`
	AuthenticationSchemes []authSchemeDoc `json:"authenticationSchemes"`
	Meta                  metaDoc         `json:"meta"`
}

type schemaExtensionDoc struct {
	Schema   string `json:"schema"`
	Required bool   `json:"required"`
}

type resourceTypeDoc struct {
	Schemas          []string             `json:"schemas"`
	ID               string               `json:"id"`
	Name             string               `json:"name"`
	Endpoint         string               `json:"endpoint"`
	Description      string               `json:"description,omitempty"`
	Schema           string               `json:"schema"`
	SchemaExtensions []schemaExtensionDoc `json:"schemaExtensions,omitempty"`
	Meta             metaDoc              `json:"meta"`
}

type attributeDoc struct {
	Name            string         `json:"name"`
	Type            string         `json:"type"`
	MultiValued     bool           `json:"multiValued"`
	Description     string         `json:"description,omitempty"`
	Required        bool           `json:"required"`
	CaseExact       bool           `json:"caseExact"`
	Mutability      string         `json:"mutability"`
	Returned        string         `json:"returned"`
	Uniqueness      string         `json:"uniqueness"`
	CanonicalValues []string       `json:"canonicalValues,omitempty"`
	ReferenceTypes  []string       `json:"referenceTypes,omitempty"`
	SubAttributes   []attributeDoc `json:"subAttributes,omitempty"`
}

type schemaDoc struct {
	Schemas     []string       `json:"schemas"`
	ID          string         `json:"id"`
	Name        string         `json:"name,omitempty"`
	Description string         `json:"description,omitempty"`
	Attributes  []attributeDoc `json:"attributes"`
	Meta        metaDoc        `json:"meta"`
}

// refuseFilter answers 403 when a discovery list request carries a filter.
func (h *Handler) refuseFilter(w http.ResponseWriter, r *http.Request) bool {
	if _, ok := queryParams(r)["filter"]; !ok {
		return false
	}
	h.writeError(w, Errorf(http.StatusForbidden, "", "discovery endpoints do not support filtering (RFC 7644 §4)"))
	return true
}

func (h *Handler) serviceProviderConfig(w http.ResponseWriter, r *http.Request) {
	if h.refuseFilter(w, r) {
		return
	}
	doc := serviceProviderConfigDoc{
		Schemas:               []string{ServiceProviderURN},
		DocumentationURI:      h.cfg.DocumentationURI,
		Filter:                filterSupport{MaxResults: h.cfg.MaxResults},
		Sort:                  supported{h.cfg.Sort},
		ETag:                  supported{true},
		AuthenticationSchemes: []authSchemeDoc{},
		Meta:                  metaDoc{ResourceType: "ServiceProviderConfig", Location: requestBaseURL(r) + "/ServiceProviderConfig"},
	}
	for _, rt := range h.types {
		doc.Patch.Supported = doc.Patch.Supported || rt.Methods&MethodPatch != 0
		doc.Filter.Supported = doc.Filter.Supported || rt.Methods&MethodList != 0
	}
	for _, a := range h.cfg.AuthenticationSchemes {
		doc.AuthenticationSchemes = append(doc.AuthenticationSchemes, authSchemeDoc(a))
	}
	h.writeJSON(w, http.StatusOK, doc)
}

func (h *Handler) resourceTypeDoc(rt *resourceType, base string) resourceTypeDoc {
	d := resourceTypeDoc{
		Schemas:     []string{ResourceTypeURN},
		ID:          rt.ID,
		Name:        rt.Name,
		Endpoint:    "/" + rt.endpoint,
		Description: rt.Description,
		Meta:        metaDoc{ResourceType: "ResourceType", Location: base + "/ResourceTypes/" + url.PathEscape(rt.ID)},
	}
	if rt.Schema != nil {
		d.Schema = rt.Schema.ID
	}
	for _, e := range rt.Extensions {
		d.SchemaExtensions = append(d.SchemaExtensions, schemaExtensionDoc{Schema: e.ID})
	}
	return d
}

func (h *Handler) resourceTypes(w http.ResponseWriter, r *http.Request, rest []string) {
	base := requestBaseURL(r)
	if len(rest) == 1 {
		for _, rt := range h.types {
			if strings.EqualFold(rt.ID, rest[0]) || strings.EqualFold(rt.Name, rest[0]) {
				h.writeJSON(w, http.StatusOK, h.resourceTypeDoc(rt, base))
				return
			}
		}
		h.writeError(w, Errorf(http.StatusNotFound, "", "no resource type %s", fault.Quote(rest[0])))
		return
	}
	if h.refuseFilter(w, r) {
		return
	}
	var docs []any
	for _, rt := range h.types {
		docs = append(docs, h.resourceTypeDoc(rt, base))
	}
	h.writeDiscoveryList(w, docs)
}

// schemaList returns the schemas of the configured types, each once.
func (h *Handler) schemaList() []*resource.Schema {
	var out []*resource.Schema
	seen := map[string]bool{}
	for _, rt := range h.types {
		for _, s := range rt.schemas {
			if !seen[strings.ToLower(s.ID)] {
				seen[strings.ToLower(s.ID)] = true
				out = append(out, s)
			}
		}
	}
	return out
}

func (h *Handler) schemasEndpoint(w http.ResponseWriter, r *http.Request, rest []string) {
	base := requestBaseURL(r)
	if len(rest) == 1 {
		for _, s := range h.schemaList() {
			if strings.EqualFold(s.ID, rest[0]) {
				h.writeJSON(w, http.StatusOK, schemaDocOf(s, base))
				return
			}
		}
		h.writeError(w, Errorf(http.StatusNotFound, "", "no schema %s", fault.Quote(rest[0])))
		return
	}
	if h.refuseFilter(w, r) {
		return
	}
	var docs []any
	for _, s := range h.schemaList() {
		docs = append(docs, schemaDocOf(s, base))
	}
	h.writeDiscoveryList(w, docs)
}

func (h *Handler) writeDiscoveryList(w http.ResponseWriter, docs []any) {
	if docs == nil {
		docs = []any{}
	}
	h.writeJSON(w, http.StatusOK, listResponse{
		Schemas: []string{ListResponseURN}, TotalResults: len(docs), StartIndex: 1, ItemsPerPage: len(docs), Resources: docs,
	})
}

func schemaDocOf(s *resource.Schema, base string) schemaDoc {
	d := schemaDoc{
		Schemas:     []string{SchemaURN},
		ID:          s.ID,
		Name:        s.Name,
		Description: s.Description,
		Attributes:  attributeDocs(s.Attributes),
		Meta:        metaDoc{ResourceType: "Schema", Location: base + "/Schemas/" + s.ID},
	}
	return d
}

func attributeDocs(attrs []*resource.Attribute) []attributeDoc {
	out := make([]attributeDoc, 0, len(attrs))
	for _, a := range attrs {
		d := attributeDoc{
			Name:            a.Name,
			Type:            orDefault(a.Type, resource.TypeString),
			MultiValued:     a.MultiValued,
			Description:     a.Description,
			Required:        a.Required,
			CaseExact:       a.CaseExact,
			Mutability:      orDefault(a.Mutability, resource.MutabilityReadWrite),
			Returned:        orDefault(a.Returned, resource.ReturnedDefault),
			Uniqueness:      orDefault(a.Uniqueness, resource.UniquenessNone),
			CanonicalValues: a.CanonicalValues,
			ReferenceTypes:  a.ReferenceTypes,
		}
		if len(a.SubAttributes) > 0 {
			d.SubAttributes = attributeDocs(a.SubAttributes)
		}
		out = append(out, d)
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
