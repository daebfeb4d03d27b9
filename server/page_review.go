package server

import (
	"net/http"
	"strconv"
	"strings"

	"scs"
)

type reviewPage struct {
	Open    []scs.Objection
	Decided []scs.Objection
	ErrID   int64
	Error   string
	Flash   string
}

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
	all, err := s.reg.Objections(r.Context(), a, "", s.now())
	if err != nil {
		return err
	}
	p := reviewPage{ErrID: errID, Error: msg}
	if d := r.URL.Query().Get("decided"); d != "" {
		p.Flash = "Objection " + d + " decided."
	}
	for _, o := range all {
		if o.Status == scs.ObjectionOpen {
			p.Open = append(p.Open, o)
		} else if len(p.Decided) < 50 {
			p.Decided = append(p.Decided, o)
		}
	}
	return s.render(w, r, status, "review", "Objections", "review", p)
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
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
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
