package server

import (
	"net/http"
	"net/url"

	"scs"
)

// CitizensResponse answers GET /api/v1/citizens?q=...: one page of the
// citizens whose id or name starts with q. Next is the cursor of the
// following page, empty on the last.
type CitizensResponse struct {
	Citizens []scs.Citizen `json:"citizens"`
	Next     string        `json:"next,omitempty"`
}

func (s *Server) searchCitizens(w http.ResponseWriter, r *http.Request) error {
	p, err := s.parsePage(r)
	if err != nil {
		return err
	}
	cs, next, err := s.reg.SearchCitizens(r.Context(), AccountFrom(r.Context()), r.URL.Query().Get("q"), p)
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []scs.Citizen{}
	}
	s.JSON(w, http.StatusOK, CitizensResponse{Citizens: cs, Next: next})
	return nil
}

type searchPage struct {
	Q        string
	Searched bool
	Found    []scs.Citizen
	Next     string
	Error    string
}

// pageSearch finds a citizen by the start of their id or name (officials,
// reviewers among citizens with an open objection, admin).
func (s *Server) pageSearch(w http.ResponseWriter, r *http.Request) error {
	a, err := mustSignIn(r)
	if err != nil {
		return err
	}
	if a.Role == scs.RoleCitizen {
		return scs.Errorf(scs.EFORBIDDEN, "finding citizens is for officials, reviewers and admins; you are signed in with the %s role", a.Role)
	}
	q := r.URL.Query()
	p := searchPage{Q: q.Get("q")}
	status := http.StatusOK
	if p.Q != "" {
		p.Searched = true
		cursor := q.Get("cursor")
		found, next, err := s.reg.SearchCitizens(r.Context(), a, p.Q, scs.Page{Cursor: cursor, Limit: 50})
		switch {
		case scs.ErrorCode(err) == scs.EINVALID:
			p.Error, status = scs.ErrorMessage(err), http.StatusBadRequest
		case err != nil:
			return err
		}
		p.Found = found
		if next != "" {
			p.Next = "/citizens?" + url.Values{"q": {p.Q}, "cursor": {next}}.Encode()
		}
	}
	return s.render(w, r, status, "search", "Find a citizen", "search", p)
}
