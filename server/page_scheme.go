package server

import (
	"net/http"
	"slices"
	"strings"

	"scs"
)

type schemePage struct {
	Filter      schemeFilter
	Statuses    []scs.Status
	Categories  []string
	Departments []string
	Kinds       []string
	Rules       []scs.Rule
	Total       int
	Capability  []capabilityRow
	WayOut      *wayOut
}

type schemeFilter struct {
	Status, Category, Department, Kind, Q string
}

func (f schemeFilter) Active() bool { return f != schemeFilter{} }

type capabilityRow struct {
	scs.Capability
	Has []bool // per grade, in the scheme's order
}

// pageScheme is the scheme explorer: grades, bands, lock-ins, visits,
// capabilities, and every rule with its source and status, filtered by a
// GET form ("show only what we had to assume").
func (s *Server) pageScheme(w http.ResponseWriter, r *http.Request) error {
	sc := s.reg.Scheme()
	q := r.URL.Query()
	f := schemeFilter{Status: q.Get("status"), Category: q.Get("category"), Department: q.Get("department"), Kind: q.Get("kind"), Q: strings.TrimSpace(q.Get("q"))}
	p := schemePage{Filter: f, Statuses: scs.Statuses, Total: len(sc.Rules), WayOut: s.wayOut()}
	for _, r := range sc.Rules {
		if !slices.Contains(p.Categories, r.Category) {
			p.Categories = append(p.Categories, r.Category)
		}
		if !slices.Contains(p.Departments, r.Department) {
			p.Departments = append(p.Departments, r.Department)
		}
		if k := r.Effect.Kind.String(); !slices.Contains(p.Kinds, k) {
			p.Kinds = append(p.Kinds, k)
		}
	}
	slices.Sort(p.Categories)
	slices.Sort(p.Departments)
	needle := strings.ToLower(f.Q)
	for _, r := range sc.Rules {
		if (f.Status != "" && string(r.Status) != f.Status) || (f.Category != "" && r.Category != f.Category) ||
			(f.Department != "" && r.Department != f.Department) || (f.Kind != "" && r.Effect.Kind.String() != f.Kind) {
			continue
		}
		if needle != "" && !strings.Contains(strings.ToLower(r.ID+" "+r.Description+" "+r.Source+" "+r.Notes), needle) {
			continue
		}
		p.Rules = append(p.Rules, r)
	}
	for _, c := range sc.Capabilities {
		row := capabilityRow{Capability: c}
		for _, g := range sc.Grades {
			row.Has = append(row.Has, c.Has(g.Name))
		}
		p.Capability = append(p.Capability, row)
	}
	return s.render(w, r, http.StatusOK, "scheme", "The scheme: "+sc.Title, "scheme", p)
}
