package server

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"scs"
)

type reviewPage struct {
	Open    []reviewItem
	Decided []scs.Objection
	ErrID   int64
	Error   string
	Flash   string
	Next    string // the next page of open objections, "" on the last
	More    bool   // this is not the first page
}

// reviewPageSize is how many open objections the desk shows at once.
const reviewPageSize = 25

// pageReview is the reviewer's desk: open objections by deadline, each
// with a form to uphold or reject it with a reason.
func (s *Server) pageReview(w http.ResponseWriter, r *http.Request) error {
	return s.renderReview(w, r, http.StatusOK, 0, "")
}

func (s *Server) renderReview(w http.ResponseWriter, r *http.Request, status int, errID int64, msg string) error {
	a, err := mustSignIn(r)
	if err != nil {
		return err
	}
	if a.Role != scs.RoleReviewer && a.Role != scs.RoleAdmin {
		return scs.Errorf(scs.EFORBIDDEN, "objections are decided by reviewers; you are signed in with the %s role", a.Role)
	}
	now := s.now()
	cursor := r.URL.Query().Get("cursor")
	open, next, err := s.reg.Objections(r.Context(), a, scs.ObjectionOpen, scs.Page{Cursor: cursor, Limit: reviewPageSize}, now)
	if err != nil {
		return err
	}
	p := reviewPage{ErrID: errID, Error: msg, More: cursor != ""}
	if next != "" {
		p.Next = "/review?cursor=" + url.QueryEscape(next) + "#open"
	}
	if d := r.URL.Query().Get("decided"); d != "" {
		p.Flash = "Objection " + d + " decided."
	}
	for _, o := range open {
		it := reviewItem{Objection: o}
		if it.Around, err = s.trailAround(r, a, o); err != nil {
			return err
		}
		p.Open = append(p.Open, it)
	}
	if p.Decided, _, err = s.reg.Objections(r.Context(), a, "decided", scs.Page{Limit: 50}, now); err != nil {
		return err
	}
	return s.render(w, r, status, "review", "Objections", "review", p)
}

// reviewItem is an open objection on the reviewer's desk with the
// citizen's records around the one objected to.
type reviewItem struct {
	scs.Objection
	Around []scs.FileEntry
}

// aroundRecords is how many of the citizen's records the desk shows on
// each side of the record objected to.
const aroundRecords = 2

// trailAround returns the citizen's records around the one o objects to,
// newest first, from their file as the reviewer may read it.
func (s *Server) trailAround(r *http.Request, a *scs.Account, o scs.Objection) ([]scs.FileEntry, error) {
	f, err := s.reg.File(r.Context(), a, o.Citizen, s.now(), scs.TrailPage{All: true})
	if err != nil {
		if scs.ErrorCode(err) == scs.EFORBIDDEN || scs.ErrorCode(err) == scs.ENOTFOUND {
			return nil, nil
		}
		return nil, err
	}
	for i := range f.Trail {
		if f.Trail[i].Event != o.Record {
			continue
		}
		lo, hi := max(0, i-aroundRecords), min(len(f.Trail), i+aroundRecords+1)
		out := append([]scs.FileEntry(nil), f.Trail[lo:hi]...)
		slices.Reverse(out)
		return out, nil
	}
	return nil, nil
}

// pageDecide upholds or rejects an objection.
func (s *Server) pageDecide(w http.ResponseWriter, r *http.Request) error {
	a, err := mustSignIn(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return scs.Errorf(scs.ENOTFOUND, "objection %q: not a number", r.PathValue("id"))
	}
	decision := r.PostForm.Get("decision")
	reason := formText(r.PostForm.Get("reason"))
	if decision != "uphold" && decision != "reject" {
		return s.renderReview(w, r, http.StatusBadRequest, id, "Choose uphold or reject.")
	}
	if reason == "" {
		return s.renderReview(w, r, http.StatusBadRequest, id, "Give the reason for your decision.")
	}
	if _, err := s.reg.DecideObjection(r.Context(), a, id, decision == "uphold", reason); err != nil {
		if c := scs.ErrorCode(err); c == scs.EINVALID || c == scs.ECONFLICT {
			return s.renderReview(w, r, http.StatusBadRequest, id, scs.ErrorMessage(err))
		}
		return err
	}
	return seeOther(w, r, "/review?decided="+strconv.FormatInt(id, 10))
}
