package server

import (
	"context"
	_ "embed"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"scs"
	"scs/jsonl"
	"scs/schemes"
)

// Pinger tells whether the registry's database answers (Deps.Pinger);
// /healthz reports it.
type Pinger interface {
	Ping(ctx context.Context) error
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	if s.pinger != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.pinger.Ping(ctx); err != nil {
			s.log.Error("health check", "err", err)
			s.JSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return nil
		}
	}
	s.JSON(w, http.StatusOK, map[string]string{"status": "ok", "scheme": s.reg.Scheme().Name})
	return nil
}

//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(openAPIDoc)))
	w.Write(openAPIDoc)
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	s.JSON(w, http.StatusOK, AccountFrom(r.Context()))
	return nil
}

// SchemeSummary is one scheme in GET /api/v1/schemes.
type SchemeSummary struct {
	Name   string `json:"name"`
	Title  string `json:"title"`
	Active bool   `json:"active"`
}

var builtinSchemes = sync.OnceValue(func() []SchemeSummary {
	var out []SchemeSummary
	for _, n := range schemes.Names() {
		sc, err := schemes.Load(n)
		if err != nil {
			continue
		}
		out = append(out, SchemeSummary{Name: sc.Name, Title: sc.Title})
	}
	return out
})

func (s *Server) listSchemes(w http.ResponseWriter, r *http.Request) error {
	active := s.reg.Scheme()
	out := []SchemeSummary{{Name: active.Name, Title: active.Title, Active: true}}
	for _, b := range builtinSchemes() {
		if b.Name != active.Name {
			out = append(out, b)
		}
	}
	s.JSON(w, http.StatusOK, map[string]any{"active": active.Name, "schemes": out})
	return nil
}

func (s *Server) getScheme(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if active := s.reg.Scheme(); name == active.Name {
		s.JSON(w, http.StatusOK, active)
		return nil
	}
	if _, ok := schemes.Builtin(name); !ok {
		return scs.Errorf(scs.ENOTFOUND, "scheme %q: not the active scheme (%s) nor a built-in one (%s)", name, s.reg.Scheme().Name, strings.Join(schemes.Names(), ", "))
	}
	sc, err := schemes.Load(name)
	if err != nil {
		return err
	}
	s.JSON(w, http.StatusOK, sc)
	return nil
}

// RecordJSON is a stored record as the API shows it: the event's fields
// and where the ledger put it.
type RecordJSON struct {
	Seq        int64     `json:"seq"`
	ID         string    `json:"id"`
	Citizen    string    `json:"citizen"`
	Rule       string    `json:"rule"`
	At         time.Time `json:"at"`
	Quantity   *float64  `json:"quantity,omitempty"`
	Points     *int64    `json:"points,omitempty"`
	Department string    `json:"department,omitempty"`
	Evidence   string    `json:"evidence,omitempty"`
	RecordedAt time.Time `json:"recorded_at"`
	Account    int64     `json:"account"`
	Reversed   bool      `json:"reversed"`
	Hash       string    `json:"hash"`
}

func recordJSON(rec *scs.Record, sent *scs.Event) RecordJSON {
	ev := &rec.Event
	if ev.ID == "" {
		ev = sent
	}
	out := RecordJSON{Seq: rec.Seq, ID: ev.ID, Citizen: ev.Citizen, Rule: ev.Rule, At: ev.At.UTC(),
		Department: ev.Department, Evidence: ev.Evidence, RecordedAt: rec.RecordedAt.UTC(),
		Account: rec.Account, Reversed: rec.Reversed, Hash: rec.Hash}
	if ev.HasQuantity {
		q := ev.Quantity
		out.Quantity = &q
	}
	if ev.HasPoints {
		p := ev.Points
		out.Points = &p
	}
	return out
}

// checkEvent checks ev against the scheme with the engine; the error
// names the field.
func (s *Server) checkEvent(ev *scs.Event) error {
	if err := ev.Validate(); err != nil {
		return err
	}
	return s.eng.Check(ev)
}

func (s *Server) reportRecord(w http.ResponseWriter, r *http.Request) error {
	b, err := s.Body(w, r)
	if err != nil {
		return err
	}
	ev, err := DecodeRecord(b)
	if err != nil {
		return err
	}
	if err := s.checkEvent(&ev); err != nil {
		return err
	}
	recs, err := s.reg.ReportRecords(r.Context(), AccountFrom(r.Context()), []scs.Event{ev})
	if err != nil {
		var be *scs.BatchError
		if errors.As(err, &be) {
			err = be.Err // one record: the field is the record's own
		}
		return err
	}
	if len(recs) != 1 {
		return scs.Errorf(scs.EINTERNAL, "registry returned %d records for 1", len(recs))
	}
	s.metrics.AddRecords(1)
	w.Header().Set("Location", "/api/v1/citizens/"+ev.Citizen)
	s.JSON(w, http.StatusCreated, recordJSON(&recs[0], &ev))
	return nil
}

// BatchItem is one stored record in the answer to a batch: its id and
// where the ledger put it (the full record is in the citizen's file).
type BatchItem struct {
	ID         string    `json:"id"`
	Seq        int64     `json:"seq"`
	RecordedAt time.Time `json:"recorded_at"`
	Hash       string    `json:"hash"`
}

// BatchResponse is the answer to POST /api/v1/records/batch.
type BatchResponse struct {
	Records []BatchItem `json:"records"`
}

// appendBatch writes a BatchResponse for recs by hand: a batch answer is
// large and encoding/json would cost as much as decoding the request.
// Times are written in loc, as Server.JSON writes them.
func appendBatch(dst []byte, recs []scs.Record, evs []scs.Event, loc *time.Location) []byte {
	dst = append(dst, `{"records":[`...)
	for i := range recs {
		if i > 0 {
			dst = append(dst, ',')
		}
		id := recs[i].Event.ID
		if id == "" {
			id = evs[i].ID
		}
		dst = append(dst, `{"id":`...)
		dst = jsonl.AppendString(dst, id)
		dst = append(dst, `,"seq":`...)
		dst = strconv.AppendInt(dst, recs[i].Seq, 10)
		dst = append(dst, `,"recorded_at":"`...)
		dst = recs[i].RecordedAt.In(loc).AppendFormat(dst, time.RFC3339Nano)
		dst = append(dst, `","hash":`...)
		dst = jsonl.AppendString(dst, recs[i].Hash)
		dst = append(dst, '}')
	}
	return append(dst, "]}\n"...)
}

func (s *Server) reportBatch(w http.ResponseWriter, r *http.Request) error {
	b, err := s.Body(w, r)
	if err != nil {
		return err
	}
	evs, err := DecodeBatch(b, s.opts.MaxBatch)
	if err != nil {
		return err
	}
	for i := range evs {
		if err := s.checkEvent(&evs[i]); err != nil {
			return &scs.BatchError{Index: i, ID: evs[i].ID, Err: err}
		}
	}
	recs, err := s.reg.ReportRecords(r.Context(), AccountFrom(r.Context()), evs)
	if err != nil {
		return err
	}
	if len(recs) != len(evs) {
		return scs.Errorf(scs.EINTERNAL, "registry returned %d records for %d", len(recs), len(evs))
	}
	s.metrics.AddRecords(len(recs))
	body := appendBatch(make([]byte, 0, 128*len(recs)), recs, evs, s.zone())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusCreated)
	w.Write(body)
	return nil
}

func (s *Server) registerCitizen(w http.ResponseWriter, r *http.Request) error {
	b, err := s.Body(w, r)
	if err != nil {
		return err
	}
	c, err := DecodeCitizen(b, s.now())
	if err != nil {
		return err
	}
	c, err = s.reg.RegisterCitizen(r.Context(), AccountFrom(r.Context()), c)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/citizens/"+c.ID)
	s.JSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) citizenFile(w http.ResponseWriter, r *http.Request) error {
	at, err := s.parseAt(r)
	if err != nil {
		return err
	}
	p, err := s.parsePage(r)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("limit") == "" {
		p.Limit = s.opts.MaxPageLimit // a whole trail unless it is longer
	}
	f, err := s.reg.File(r.Context(), AccountFrom(r.Context()), r.PathValue("id"), at, scs.TrailPage{Cursor: p.Cursor, Limit: p.Limit})
	if err != nil {
		return err
	}
	if f.TrailNext != "" {
		setNextLink(w, r, f.TrailNext, at)
	}
	s.JSON(w, http.StatusOK, f)
	return nil
}

func (s *Server) setConsent(w http.ResponseWriter, r *http.Request) error {
	b, err := s.Body(w, r)
	if err != nil {
		return err
	}
	consent, err := DecodeConsent(b)
	if err != nil {
		return err
	}
	c, err := s.reg.SetConsent(r.Context(), AccountFrom(r.Context()), r.PathValue("id"), consent)
	if err != nil {
		return err
	}
	s.JSON(w, http.StatusOK, c)
	return nil
}

// DecisionJSON answers GET /api/v1/citizens/{id}/capabilities/{capability}.
type DecisionJSON struct {
	Citizen string `json:"citizen"`
	scs.Decision
	AsOf time.Time `json:"as_of"`
}

func (s *Server) decide(w http.ResponseWriter, r *http.Request) error {
	at, err := s.parseAt(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	d, err := s.reg.Decide(r.Context(), AccountFrom(r.Context()), id, r.PathValue("capability"), at)
	if err != nil {
		return err
	}
	s.JSON(w, http.StatusOK, DecisionJSON{Citizen: id, Decision: d, AsOf: at})
	return nil
}

func (s *Server) object(w http.ResponseWriter, r *http.Request) error {
	b, err := s.Body(w, r)
	if err != nil {
		return err
	}
	req, err := DecodeObjection(b)
	if err != nil {
		return err
	}
	o, err := s.reg.Object(r.Context(), AccountFrom(r.Context()), r.PathValue("id"), req.Record, req.Reason)
	if err != nil {
		return err
	}
	s.JSON(w, http.StatusCreated, o)
	return nil
}

// ObjectionsResponse answers GET /api/v1/objections: one page, and the
// cursor of the next (empty on the last).
type ObjectionsResponse struct {
	Objections []scs.Objection `json:"objections"`
	Next       string          `json:"next,omitempty"`
	AsOf       time.Time       `json:"as_of"`
}

func (s *Server) listObjections(w http.ResponseWriter, r *http.Request) error {
	at, err := s.parseAt(r)
	if err != nil {
		return err
	}
	p, err := s.parsePage(r)
	if err != nil {
		return err
	}
	status := r.URL.Query().Get("status")
	switch status {
	case "", scs.ObjectionOpen, scs.ObjectionUpheld, scs.ObjectionRejected, "decided":
	default:
		return fieldErrorf("status", "%q; want open, upheld, rejected or decided", clipValue(status))
	}
	os, next, err := s.reg.Objections(r.Context(), AccountFrom(r.Context()), status, p, at)
	if err != nil {
		return err
	}
	if os == nil {
		os = []scs.Objection{}
	}
	if next != "" {
		setNextLink(w, r, next, at)
	}
	s.JSON(w, http.StatusOK, ObjectionsResponse{Objections: os, Next: next, AsOf: at})
	return nil
}

// setNextLink sets the Link header to the next page of a paginated list.
func setNextLink(w http.ResponseWriter, r *http.Request, next string, at time.Time) {
	q := r.URL.Query()
	q.Set("cursor", next)
	q.Set("at", at.Format(time.RFC3339Nano)) // the same list on every page
	w.Header().Set("Link", "<"+r.URL.Path+"?"+q.Encode()+`>; rel="next"`)
}

// clipValue shortens a value echoed in a message.
func clipValue(v string) string {
	if len(v) > 40 {
		return v[:40] + "..."
	}
	return v
}

func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, fieldErrorf(name, "%q is not a positive whole number", v)
	}
	return id, nil
}

func (s *Server) decideObjection(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b, err := s.Body(w, r)
	if err != nil {
		return err
	}
	uphold, reason, err := DecodeDecision(b)
	if err != nil {
		return err
	}
	o, err := s.reg.DecideObjection(r.Context(), AccountFrom(r.Context()), id, uphold, reason)
	if err != nil {
		return err
	}
	s.JSON(w, http.StatusOK, o)
	return nil
}

// ListResponse is one page of the public or the watch list. Next is the
// cursor of the following page, empty on the last.
type ListResponse struct {
	Entries []scs.ListEntry `json:"entries"`
	Next    string          `json:"next,omitempty"`
	AsOf    time.Time       `json:"as_of"`
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, get func(context.Context, scs.Page, time.Time) ([]scs.ListEntry, string, error)) error {
	at, err := s.parseAt(r)
	if err != nil {
		return err
	}
	p, err := s.parsePage(r)
	if err != nil {
		return err
	}
	es, next, err := get(r.Context(), p, at)
	if err != nil {
		return err
	}
	if es == nil {
		es = []scs.ListEntry{}
	}
	if next != "" {
		setNextLink(w, r, next, at)
	}
	s.JSON(w, http.StatusOK, ListResponse{Entries: es, Next: next, AsOf: at})
	return nil
}

func (s *Server) publicList(w http.ResponseWriter, r *http.Request) error {
	return s.list(w, r, s.reg.PublicList)
}

func (s *Server) watchList(w http.ResponseWriter, r *http.Request) error {
	by := AccountFrom(r.Context())
	return s.list(w, r, func(ctx context.Context, p scs.Page, at time.Time) ([]scs.ListEntry, string, error) {
		return s.reg.WatchList(ctx, by, p, at)
	})
}

// VisitsResponse answers GET /api/v1/visits.
type VisitsResponse struct {
	Day           string            `json:"day"`
	Neighbourhood string            `json:"neighbourhood,omitempty"`
	Visits        []VisitWithAdvice `json:"visits"`
}

func (s *Server) visits(w http.ResponseWriter, r *http.Request) error {
	loc := s.reg.Scheme().Location
	if loc == nil {
		loc = time.UTC
	}
	q := r.URL.Query()
	day := s.now().In(loc)
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	if v := q.Get("day"); v != "" {
		var err error
		if day, err = parseDay("day", v, loc); err != nil {
			return err
		}
	}
	hood := q.Get("neighbourhood")
	if err := scs.CheckID("neighbourhood", hood, false); err != nil {
		return err
	}
	vs, err := s.reg.Visits(r.Context(), AccountFrom(r.Context()), day, hood)
	if err != nil {
		return err
	}
	if vs == nil {
		vs = []scs.Visit{}
	}
	s.JSON(w, http.StatusOK, VisitsResponse{Day: day.Format(time.DateOnly), Neighbourhood: hood, Visits: s.adviseVisits(r.Context(), AccountFrom(r.Context()), vs, day)})
	return nil
}

func (s *Server) stats(w http.ResponseWriter, r *http.Request) error {
	a := AccountFrom(r.Context())
	switch a.Role {
	case scs.RoleOfficial, scs.RoleReviewer, scs.RoleAdmin:
	default:
		return scs.Errorf(scs.EFORBIDDEN, "the registry's totals are for officials, reviewers and admins; account %d (%s) has the %s role",
			a.ID, a.Name, a.Role)
	}
	if r.URL.Query().Get("at") == "" {
		// Now: the totals the city page shows, read again off the request
		// path once they are a minute old.
		st, err := s.cityStats(r.Context(), s.now())
		if err != nil {
			return err
		}
		s.JSON(w, http.StatusOK, st)
		return nil
	}
	at, err := s.parseAt(r)
	if err != nil {
		return err
	}
	select {
	case s.statsSlot <- struct{}{}:
		defer func() { <-s.statsSlot }()
	case <-r.Context().Done():
		return r.Context().Err()
	}
	st, err := s.reg.Stats(r.Context(), at)
	if err != nil {
		return err
	}
	s.JSON(w, http.StatusOK, st)
	return nil
}

// checkpoint serves the latest signed head of the ledger, with the public
// key that checks it, so that anyone can keep copies and later check that
// the ledger still extends them (scs verify --head SEQ:HASH).
func (s *Server) checkpoint(w http.ResponseWriter, r *http.Request) error {
	if s.ckpts == nil {
		return scs.Errorf(scs.ENOTFOUND, "this registry keeps no checkpoints")
	}
	c, ok, err := s.ckpts.LatestCheckpoint(r.Context())
	if err != nil {
		return err
	}
	if !ok {
		return scs.Errorf(scs.ENOTFOUND, "no checkpoint yet: run scs checkpoint --key FILE, or scs serve --checkpoint-key FILE")
	}
	w.Header().Set("Cache-Control", "no-cache")
	s.JSON(w, http.StatusOK, c)
	return nil
}

// AccountsResponse answers GET /api/v1/accounts.
type AccountsResponse struct {
	Accounts []scs.Account `json:"accounts"`
}

func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request) error {
	as, err := s.reg.Accounts(r.Context(), AccountFrom(r.Context()))
	if err != nil {
		return err
	}
	if as == nil {
		as = []scs.Account{}
	}
	s.JSON(w, http.StatusOK, AccountsResponse{Accounts: as})
	return nil
}

// NewAccountResponse answers POST /api/v1/accounts: the account and its
// token, which is shown only this once.
type NewAccountResponse struct {
	Account scs.Account `json:"account"`
	Token   string      `json:"token"`
}

func (s *Server) createAccount(w http.ResponseWriter, r *http.Request) error {
	b, err := s.Body(w, r)
	if err != nil {
		return err
	}
	a, err := DecodeAccount(b)
	if err != nil {
		return err
	}
	a, token, err := s.reg.CreateAccount(r.Context(), AccountFrom(r.Context()), a)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	s.JSON(w, http.StatusCreated, NewAccountResponse{Account: a, Token: token})
	return nil
}

func (s *Server) revokeAccount(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.reg.RevokeAccount(r.Context(), AccountFrom(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
