package server

import (
	"context"
	"net/http"
	"net/url"
	"time"

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
	lp, err := s.publicPage(cursor)
	if err != nil {
		return err
	}
	entries, next := lp.entries, lp.next
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

// publicTTL is how long the public list's pages are shown before they are
// read again in the background.
const publicTTL = 30 * time.Second

// publicPage returns one page of 50 of the public list through a
// staleCache: finding the citizens in D scans the city.
func (s *Server) publicPage(cursor string) (listPageResult, error) {
	if err := scs.CheckText("cursor", cursor, scs.MaxCursor, false, false); err != nil {
		return listPageResult{}, err
	}
	lp, _, err := s.web.public.get(s.bg, cursor, publicTTL, func(ctx context.Context) (listPageResult, error) {
		e, next, err := s.reg.PublicList(ctx, scs.Page{Cursor: cursor, Limit: 50}, s.now())
		return listPageResult{e, next}, err
	}, func(err error) { s.log.Error("reading the public list", "err", err) })
	return lp, err
}
