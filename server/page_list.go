package server

import (
	"net/http"
	"net/url"

	"scs"
)

type listPage struct {
	Entries    []scs.ListEntry
	Next       string
	First      bool
	Grades     []string
	Capability *scs.Capability
}

// pagePublicList is the public list as the scheme publishes it, open to
// anyone, with what the list is and where the rule comes from.
func (s *Server) pagePublicList(w http.ResponseWriter, r *http.Request) error {
	cursor := r.URL.Query().Get("cursor")
	entries, next, err := s.reg.PublicList(r.Context(), scs.Page{Cursor: cursor, Limit: 50}, s.now())
	if err != nil {
		return err
	}
	p := listPage{Entries: entries, First: cursor == ""}
	if next != "" {
		p.Next = "/list?cursor=" + url.QueryEscape(next)
	}
	sc := s.reg.Scheme()
	if c, ok := sc.Capability("public-list"); ok {
		p.Capability = c
		p.Grades = c.Grades
	}
	return s.render(w, r, http.StatusOK, "list", "The public list", "list", p)
}
