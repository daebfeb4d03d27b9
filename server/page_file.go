package server

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"scs"
)

type filePage struct {
	File      *scs.File
	Grade     *scs.Grade
	LockLeft  string
	Own       bool // the signed-in citizen reads their own file
	Objected  map[string]bool
	Trail     []fileRow
	ObjError  string
	ObjRecord string
	Flash     string
	// Objectable are the records the signed-in citizen may object to,
	// newest first, for the one objection form.
	Objectable []fileRow
	// ConsentSwitch: the citizen reads their own file under a scheme that
	// scores only those who opted in, so the page offers to opt in or out.
	ConsentSwitch bool
	// The trail's pages, newest first: the page shown (from 1), how many
	// there are, and the addresses of the previous and the next.
	TrailPage, TrailPages int
	TrailPrev, TrailNext  string
	// Under a factor-model scheme: the scheme's factors, and each factor
	// of the recomputation the standing comes from beside its weight and
	// window.
	FactorModel bool
	Factors     []scs.Factor
	Made        []fileFactor
	// Recomputed are the file's recomputations, newest first as the trail.
	Recomputed []scs.Recomputation
}

// fileFactor is one factor of the recomputation a factor model's standing
// comes from, with the scheme's words for it.
type fileFactor struct {
	scs.FactorScore
	Weight      float64
	Description string
	Window      string
}

// fileTrailPage is how many records a page of a citizen's file shows.
const fileTrailPage = 50

type fileRow struct {
	scs.FileEntry
	CanObject bool
}

// pageFile is a citizen's file: a citizen sees only their own, officials
// and admins any (the registry decides; a refusal is a 403 page).
func (s *Server) pageFile(w http.ResponseWriter, r *http.Request) error {
	return s.renderFile(w, r, http.StatusOK, "", "")
}

func (s *Server) renderFile(w http.ResponseWriter, r *http.Request, status int, objRecord, objErr string) error {
	a, err := mustSignIn(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	now := s.now()
	f, err := s.reg.File(r.Context(), a, id, now, scs.TrailPage{Cursor: r.URL.Query().Get("trail"), Limit: fileTrailPage, Newest: true})
	if err != nil {
		return err
	}
	p := filePage{File: f, Own: a.Role == scs.RoleCitizen && a.Citizen == f.Citizen.ID, Objected: map[string]bool{}, ObjError: objErr, ObjRecord: objRecord}
	p.ConsentSwitch = p.Own && s.reg.Scheme().ConsentRequired
	switch r.URL.Query().Get("consent") {
	case "in":
		p.Flash = "You opted in to scoring."
	case "out":
		p.Flash = "You opted out of scoring: from now on you have no score or grade, and no privilege or sanction of one; every entitlement is kept."
	}
	if r.URL.Query().Get("objected") != "" {
		p.Flash = "Your objection was filed. A reviewer must decide it within 20 days."
	}
	if rec := r.URL.Query().Get("reported"); rec != "" {
		p.Flash = "Record " + rec + " reported."
	}
	if f.Standing != nil {
		sc := s.reg.Scheme()
		if gi := sc.GradeIndex(f.Standing.Grade); gi >= 0 {
			p.Grade = &sc.Grades[gi]
		}
		if f.Standing.LockedUntil != nil {
			p.LockLeft = durationWords(f.Standing.LockedUntil.Sub(now))
		}
	}
	p.setFactors(s.reg.Scheme())
	for _, o := range f.Objections {
		if o.Status == scs.ObjectionOpen {
			p.Objected[o.Record] = true
		}
	}
	// Newest first: what a person looks for is what happened last.
	p.TrailPage = (f.TrailBefore+fileTrailPage-1)/fileTrailPage + 1
	p.TrailPages = p.TrailPage - 1 + (f.TrailTotal-f.TrailBefore+fileTrailPage-1)/fileTrailPage
	p.TrailPages = max(p.TrailPages, p.TrailPage)
	link := func(cursor string) string {
		return "/citizens/" + url.PathEscape(f.Citizen.ID) + "?trail=" + url.QueryEscape(cursor) + "#trail"
	}
	if f.TrailPrev != "" {
		p.TrailPrev = link(f.TrailPrev)
		if f.TrailBefore <= fileTrailPage {
			p.TrailPrev = "/citizens/" + url.PathEscape(f.Citizen.ID) + "#trail"
		}
	}
	if f.TrailNext != "" {
		p.TrailNext = link(f.TrailNext)
	}
	for _, e := range f.Trail {
		row := fileRow{FileEntry: e, CanObject: p.Own && !e.Reversed && !p.Objected[e.Event]}
		p.Trail = append(p.Trail, row)
		if row.CanObject {
			p.Objectable = append(p.Objectable, row)
		}
	}
	title := "File of " + f.Citizen.Name
	return s.render(w, r, status, "file", title, map[bool]string{true: "file", false: ""}[p.Own], p)
}

// setFactors fills the page's factor-model parts from the scheme.
func (p *filePage) setFactors(sc *scs.Scheme) {
	if !sc.IsFactorModel() {
		return
	}
	p.FactorModel, p.Factors = true, sc.Factors
	p.Recomputed = slices.Clone(p.File.Recomputations)
	slices.Reverse(p.Recomputed)
	if p.File.Recomputation == nil {
		return
	}
	for _, fs := range p.File.Recomputation.Factors {
		ff := fileFactor{FactorScore: fs}
		if i := sc.FactorIndex(fs.Factor); i >= 0 {
			f := sc.Factors[i]
			ff.Weight, ff.Description, ff.Window = f.Weight, f.Description, f.WindowWords()
		}
		p.Made = append(p.Made, ff)
	}
}

// pageObject files the signed-in citizen's objection to one of their records.
func (s *Server) pageObject(w http.ResponseWriter, r *http.Request) error {
	a, err := mustSignIn(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	record := r.PostForm.Get("record")
	reason := formText(r.PostForm.Get("reason"))
	if reason == "" {
		return s.renderFile(w, r, http.StatusBadRequest, record, "Give a reason for your objection.")
	}
	if _, err := s.reg.Object(r.Context(), a, id, record, reason); err != nil {
		if c := scs.ErrorCode(err); c == scs.EINVALID || c == scs.ECONFLICT {
			return s.renderFile(w, r, http.StatusBadRequest, record, scs.ErrorMessage(err))
		}
		return err
	}
	return seeOther(w, r, "/citizens/"+id+"?objected=1#objections")
}

// pageConsent opts the signed-in citizen in or out of scoring from their
// file page ("consent" is "in" or "out"); the registry decides who may.
func (s *Server) pageConsent(w http.ResponseWriter, r *http.Request) error {
	a, err := mustSignIn(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	v := r.PostForm.Get("consent")
	if v != "in" && v != "out" {
		return scs.FieldErrorf(scs.EINVALID, "consent", "%q is neither in nor out", v)
	}
	if _, err := s.reg.SetConsent(r.Context(), a, id, v == "in"); err != nil {
		return err
	}
	return seeOther(w, r, "/citizens/"+id+"?consent="+v)
}

// durationWords renders a positive duration as years, months and days.
func durationWords(d time.Duration) string {
	days := int(d.Hours() / 24)
	if days <= 0 {
		return "less than a day"
	}
	y, rest := days/365, days%365
	m, dd := rest/30, rest%30
	var parts []string
	add := func(n int, unit string) {
		if n == 1 {
			parts = append(parts, fmt.Sprintf("1 %s", unit))
		} else if n > 1 {
			parts = append(parts, fmt.Sprintf("%d %ss", n, unit))
		}
	}
	add(y, "year")
	add(m, "month")
	add(dd, "day")
	return strings.Join(parts, " ")
}
