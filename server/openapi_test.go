package server

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"

	"scs"
)

// TestOpenAPIMatchesRoutes checks that every non-page route of routes.go is
// an operation of openapi.json and every operation is a route.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q, want 3.x", doc.OpenAPI)
	}
	inDoc := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			inDoc[strings.ToUpper(method)+" "+path] = true
		}
	}
	s := &Server{}
	inRoutes := map[string]bool{}
	for _, rt := range s.routeTable() {
		if rt.Page {
			continue
		}
		p := rt.Pattern()
		if inRoutes[p] {
			t.Errorf("route %s is listed twice in routes.go", p)
		}
		inRoutes[p] = true
		if !inDoc[p] {
			t.Errorf("route %s is not in openapi.json", p)
		}
	}
	for p := range inDoc {
		if !inRoutes[p] {
			t.Errorf("openapi.json has %s, which routes.go does not serve", p)
		}
	}
	if len(inRoutes) < 20 {
		t.Errorf("only %d routes", len(inRoutes))
	}
}

// TestOpenAPIRefsResolve checks that every $ref names a component that exists.
func TestOpenAPIRefsResolve(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	comps := doc["components"].(map[string]any)
	refs := regexp.MustCompile(`"\$ref":\s*"#/components/(\w+)/(\w+)"`).FindAllStringSubmatch(string(openAPIDoc), -1)
	if len(refs) == 0 {
		t.Fatal("no $ref found")
	}
	var missing []string
	for _, m := range refs {
		kind, _ := comps[m[1]].(map[string]any)
		if _, ok := kind[m[2]]; !ok {
			missing = append(missing, m[1]+"/"+m[2])
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("unresolved $ref: %v", missing)
	}
}

// TestOpenAPILimits: the document's maxLength of each input field is the
// root package's limit.
func TestOpenAPILimits(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					MaxLength int    `json:"maxLength"`
					Pattern   string `json:"pattern"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		schema, field string
		max           int
	}{
		{"RecordInput", "id", scs.MaxID}, {"RecordInput", "citizen", scs.MaxID}, {"RecordInput", "rule", scs.MaxID}, {"RecordInput", "conduct", scs.MaxID},
		{"RecordInput", "department", scs.MaxID}, {"RecordInput", "evidence", scs.MaxEvidence},
		{"CitizenInput", "id", scs.MaxID}, {"CitizenInput", "name", scs.MaxName}, {"CitizenInput", "neighbourhood", scs.MaxID},
		{"ObjectionInput", "record", scs.MaxID}, {"ObjectionInput", "reason", scs.MaxReason},
		{"DecisionInput", "reason", scs.MaxReason}, {"AccountInput", "name", scs.MaxName},
		{"AccountInput", "citizen", scs.MaxID}, {"AccountInput", "department", scs.MaxID},
	} {
		p := doc.Components.Schemas[c.schema].Properties[c.field]
		if p.MaxLength != c.max || p.Pattern == "" {
			t.Errorf("%s.%s: maxLength %d pattern %q, want %d and a pattern", c.schema, c.field, p.MaxLength, p.Pattern, c.max)
		}
	}
}
