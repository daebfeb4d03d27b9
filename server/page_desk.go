package server

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"scs"
)

type deskPage struct {
	Rules      []scs.Rule
	Form       reportForm
	Chosen     *scs.Rule
	Errors     map[string]string
	Problem    string
	Preview    *preview
	Watch      []scs.ListEntry
	WatchNext  string
	WatchPrev  string
	WatchPage  int // the page shown, from 1
	WatchPages int // how many pages the whole list has
	WatchN     int // how many citizens are on it
	Visits     []VisitWithAdvice
	VisitsDay  time.Time
	Hood       string
	VisitsN    int
}

type reportForm struct {
	ID, Citizen, Rule, At, Points, Quantity, Evidence string
}

type preview = scs.RecordPreview

const deskTimeLayout = "2006-01-02T15:04"

// pageDesk is the official's desk: the report form (only the official's
// department's rules), the watch list and today's visits.
func (s *Server) pageDesk(w http.ResponseWriter, r *http.Request) error {
	a, err := s.deskAccount(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := reportForm{Rule: q.Get("rule"), Citizen: q.Get("citizen"), At: s.now().In(s.zone()).Format(deskTimeLayout)}
	return s.renderDesk(w, r, a, http.StatusOK, f, nil, "", nil)
}

func (s *Server) deskAccount(r *http.Request) (*scs.Account, error) {
	a, err := mustSignIn(r)
	if err != nil {
		return nil, err
	}
	if a.Role != scs.RoleOfficial && a.Role != scs.RoleAdmin {
		return nil, scs.Errorf(scs.EFORBIDDEN, "the desk is for officials; you are signed in with the %s role", a.Role)
	}
	return a, nil
}

func (s *Server) deskRules(a *scs.Account) []scs.Rule {
	var out []scs.Rule
	for _, r := range s.reg.Scheme().Rules {
		if a.Role == scs.RoleAdmin || r.Department == a.Department {
			out = append(out, r)
		}
	}
	return out
}

func (s *Server) renderDesk(w http.ResponseWriter, r *http.Request, a *scs.Account, status int, f reportForm, errs map[string]string, problem string, pv *preview) error {
	ctx := r.Context()
	now := s.now()
	p := deskPage{Rules: s.deskRules(a), Form: f, Errors: errs, Problem: problem, Preview: pv}
	if rule, ok := s.reg.Scheme().Rule(f.Rule); ok {
		p.Chosen = rule
	}
	q := r.URL.Query()
	cursor := q.Get("watch")
	back, err := watchBack(q.Get("back"), cursor)
	if err != nil {
		return err
	}
	wp, err := s.watchPage(ctx, a, cursor, now)
	if err != nil {
		return err
	}
	watch, next := wp.entries, wp.next
	p.Watch = watch
	p.WatchPage = 1
	if cursor != "" {
		p.WatchPage = len(back) + 2
	}
	if next != "" {
		nb := back
		if cursor != "" {
			nb = append(append([]string(nil), back...), cursor)
		}
		p.WatchNext = watchLink(next, nb)
	}
	if cursor != "" {
		if len(back) == 0 {
			p.WatchPrev = "/desk#watch"
		} else {
			p.WatchPrev = watchLink(back[len(back)-1], back[:len(back)-1])
		}
	}
	n, err := s.watchCount(ctx, a, now)
	if err != nil {
		return err
	}
	p.WatchN = n
	p.WatchPages = (n + watchPageSize - 1) / watchPageSize
	if p.WatchPages < p.WatchPage {
		// The list changed since the count was read: never say "page 3 of 2".
		p.WatchPages = p.WatchPage
	}
	p.Hood = strings.TrimSpace(q.Get("neighbourhood"))
	p.VisitsDay = now
	vs, err := s.todaysVisits(ctx, a, now, p.Hood)
	if err != nil {
		return err
	}
	for _, v := range vs {
		p.VisitsN += v.Count
	}
	if len(vs) > 200 {
		vs = vs[:200]
	}
	p.Visits = s.adviseVisits(ctx, a, vs, now)
	return s.render(w, r, status, "desk", "Official's desk", "desk", p)
}

// pageReport previews (action=preview) or reports (action=submit) a
// record from the desk's form. Bad fields are shown at the field.
func (s *Server) pageReport(w http.ResponseWriter, r *http.Request) error {
	a, err := s.deskAccount(r)
	if err != nil {
		return err
	}
	pf := r.PostForm
	f := reportForm{ID: pf.Get("id"), Citizen: strings.TrimSpace(pf.Get("citizen")), Rule: pf.Get("rule"), At: pf.Get("at"),
		Points: strings.TrimSpace(pf.Get("points")), Quantity: strings.TrimSpace(pf.Get("quantity")), Evidence: formText(pf.Get("evidence"))}
	if f.ID == "" || len(f.ID) > scs.MaxID {
		f.ID = "web-" + randomID()[:16]
	}
	ev, errs := s.eventFromForm(a, f)
	if len(errs) > 0 {
		return s.renderDesk(w, r, a, http.StatusBadRequest, f, errs, "", nil)
	}
	if pf.Get("action") != "submit" {
		pv, errs, err := s.previewRecord(r, a, ev)
		if err != nil {
			return err
		}
		if len(errs) > 0 {
			return s.renderDesk(w, r, a, http.StatusBadRequest, f, errs, "", nil)
		}
		return s.renderDesk(w, r, a, http.StatusOK, f, nil, "", pv)
	}
	if _, err := s.reg.ReportRecords(r.Context(), a, []scs.Event{ev}); err != nil {
		if scs.ErrorCode(err) == scs.EINTERNAL {
			return err
		}
		if field, msg := formError(err); field != "" {
			return s.renderDesk(w, r, a, http.StatusBadRequest, f, map[string]string{field: msg}, "", nil)
		}
		return s.renderDesk(w, r, a, http.StatusBadRequest, f, nil, scs.ErrorMessage(err), nil)
	}
	return seeOther(w, r, "/citizens/"+url.PathEscape(ev.Citizen)+"?reported="+url.QueryEscape(ev.ID)+"#trail")
}

// formFields are the report form's fields, the names errors are shown at.
var formFields = []string{"citizen", "rule", "at", "points", "quantity", "evidence"}

// formError returns the form field an error is about (one of formFields,
// "" for none) and its message, from the error's structure.
func formError(err error) (string, string) {
	var be *scs.BatchError
	if errors.As(err, &be) {
		err = be.Err // the form sends one record
	}
	var e *scs.Error
	if errors.As(err, &e) && slices.Contains(formFields, e.Field) {
		return e.Field, e.Message
	}
	return "", scs.ErrorMessage(err)
}

func (s *Server) eventFromForm(a *scs.Account, f reportForm) (scs.Event, map[string]string) {
	errs := map[string]string{}
	ev := scs.Event{ID: f.ID, Citizen: f.Citizen, Rule: f.Rule, Evidence: f.Evidence}
	if f.Citizen == "" {
		errs["citizen"] = "enter the citizen's id"
	}
	rule, ok := s.reg.Scheme().Rule(f.Rule)
	switch {
	case !ok:
		errs["rule"] = "choose a rule"
	case a.Role != scs.RoleAdmin && rule.Department != a.Department:
		errs["rule"] = "rule " + rule.ID + " belongs to " + rule.Department + ", not your department (" + a.Department + ")"
	default:
		ev.Department = rule.Department
	}
	at, err := time.ParseInLocation(deskTimeLayout, f.At, s.zone())
	if err != nil {
		errs["at"] = "enter the date and time of the conduct, such as 2026-03-01T09:30"
	} else if at.After(s.now().Add(time.Minute)) {
		errs["at"] = "the conduct cannot be in the future"
	}
	ev.At = at.UTC()
	if f.Points != "" {
		n, err := strconv.ParseInt(f.Points, 10, 64)
		if err != nil {
			errs["points"] = "enter a whole number of points"
		} else {
			ev.Points, ev.HasPoints = n, true
		}
	}
	if f.Quantity != "" {
		v, err := strconv.ParseFloat(f.Quantity, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			errs["quantity"] = "enter a number"
		} else {
			ev.Quantity, ev.HasQuantity = v, true
		}
	}
	if len(errs) == 0 {
		if err := s.checkEvent(&ev); err != nil {
			field, msg := formError(err)
			if field == "" {
				field = "rule"
			}
			errs[field] = msg
		}
	}
	if len(errs) == 0 {
		return ev, nil
	}
	return ev, errs
}

// previewRecord shows what the record would do (Registry.PreviewRecord),
// or the form's errors.
func (s *Server) previewRecord(r *http.Request, a *scs.Account, ev scs.Event) (*preview, map[string]string, error) {
	pv, err := s.reg.PreviewRecord(r.Context(), a, ev, s.now())
	var e *scs.Error
	switch {
	case err == nil:
		return &pv, nil, nil
	case errors.As(err, &e) && e.Field == "rule":
		return nil, map[string]string{"rule": scs.ErrorMessage(err)}, nil
	case scs.ErrorCode(err) == scs.ENOTFOUND || scs.ErrorCode(err) == scs.EINVALID:
		return nil, map[string]string{"citizen": scs.ErrorMessage(err)}, nil
	}
	return nil, nil, err
}

// visitsTTL is how long the desk and the city page show a day's visits
// before reading them again in the background.
const visitsTTL = time.Minute

// todaysVisits returns the visits due on now's day in hood ("" for all),
// through a staleCache shared by every official (the registry's answer
// does not depend on who asks, only whether they may).
func (s *Server) todaysVisits(ctx context.Context, a *scs.Account, now time.Time, hood string) ([]scs.Visit, error) {
	day := now.In(s.zone()).Format("2006-01-02")
	vs, _, err := s.web.visits.get(s.bg, day+"|"+hood, visitsTTL, func(ctx context.Context) ([]scs.Visit, error) {
		return s.reg.Visits(ctx, a, now, hood)
	}, func(err error) { s.log.Error("reading today's visits", "err", err) })
	return vs, err
}

// watchTTL is how long the desk shows a page of the watch list before
// reading it again in the background.
const watchTTL = 30 * time.Second

type listPageResult struct {
	entries []scs.ListEntry
	next    string
}

// watchPageSize is how many citizens a page of the desk's watch list shows.
const watchPageSize = 25

// maxWatchBack bounds the pages a "previous" link can walk back through.
const maxWatchBack = 200

// watchBack reads the desk's "back" parameter: the cursors of the pages
// before the one shown, after the first page (whose cursor is empty),
// separated by spaces. It is how "previous" finds its way back without a
// reverse query; it only means something beside a cursor.
func watchBack(s, cursor string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	if cursor == "" {
		return nil, scs.FieldErrorf(scs.EINVALID, "back", "given without a watch cursor")
	}
	if err := scs.CheckText("back", s, maxWatchBack*(scs.MaxID+1), false, false); err != nil {
		return nil, err
	}
	back := strings.Split(s, " ")
	if len(back) > maxWatchBack {
		return nil, scs.FieldErrorf(scs.EINVALID, "back", "%d pages; the limit is %d", len(back), maxWatchBack)
	}
	for _, c := range back {
		if err := scs.CheckID("back", c, true); err != nil {
			return nil, err
		}
	}
	return back, nil
}

// watchLink is the desk's address of the watch list's page at cursor with
// back as the pages before it.
func watchLink(cursor string, back []string) string {
	v := url.Values{"watch": {cursor}}
	if len(back) > 0 && len(back) <= maxWatchBack {
		v.Set("back", strings.Join(back, " "))
	}
	return "/desk?" + v.Encode() + "#watch"
}

// watchCount is how many citizens are on the watch list, read through a
// staleCache like its pages (it walks the whole list).
func (s *Server) watchCount(ctx context.Context, a *scs.Account, now time.Time) (int, error) {
	n, _, err := s.web.watchN.get(s.bg, "", watchTTL, func(ctx context.Context) (int, error) {
		n, cursor := 0, ""
		for {
			e, next, err := s.reg.WatchList(ctx, a, scs.Page{Cursor: cursor, Limit: 1000}, s.now())
			if err != nil {
				return 0, err
			}
			n += len(e)
			if next == "" {
				return n, nil
			}
			cursor = next
		}
	}, func(err error) { s.log.Error("counting the watch list", "err", err) })
	return n, err
}

// watchPage returns one page of the watch list through a staleCache shared
// by every official: finding the citizens in C and D scans the city.
func (s *Server) watchPage(ctx context.Context, a *scs.Account, cursor string, now time.Time) (listPageResult, error) {
	if err := scs.CheckText("watch", cursor, scs.MaxCursor, false, false); err != nil {
		return listPageResult{}, err
	}
	wp, _, err := s.web.watch.get(s.bg, cursor, watchTTL, func(ctx context.Context) (listPageResult, error) {
		e, next, err := s.reg.WatchList(ctx, a, scs.Page{Cursor: cursor, Limit: watchPageSize}, s.now())
		return listPageResult{e, next}, err
	}, func(err error) { s.log.Error("reading the watch list", "err", err) })
	return wp, err
}
