package server

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"scs"
	"scs/engine"
)

// pageFakeRegistry is an in-memory scs.Registry for the page tests: every
// point comes from the engine, as in the store.
type pageFakeRegistry struct {
	mu         sync.Mutex
	eng        *engine.Engine
	citizens   map[string]*scs.Citizen
	records    []scs.Record
	accounts   map[string]*scs.Account // by token
	objections []scs.Objection
	settings   map[string]string
}

func newPageFake(eng *engine.Engine) *pageFakeRegistry {
	return &pageFakeRegistry{eng: eng, citizens: map[string]*scs.Citizen{}, accounts: map[string]*scs.Account{}}
}

func (f *pageFakeRegistry) Settings(ctx context.Context) (map[string]string, error) {
	return f.settings, nil
}

func (f *pageFakeRegistry) Scheme() *scs.Scheme { return f.eng.Scheme() }

func (f *pageFakeRegistry) addAccount(token string, a scs.Account) *scs.Account {
	a.ID = int64(len(f.accounts) + 1)
	f.accounts[token] = &a
	return &a
}

func (f *pageFakeRegistry) addCitizen(c scs.Citizen) { f.citizens[c.ID] = &c }

func (f *pageFakeRegistry) ReportRecords(ctx context.Context, by *scs.Account, evs []scs.Event) ([]scs.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if by.Role != scs.RoleOfficial && by.Role != scs.RoleAdmin {
		return nil, scs.Errorf(scs.EFORBIDDEN, "only officials report records")
	}
	var out []scs.Record
	for _, ev := range evs {
		if err := f.eng.Check(&ev); err != nil {
			return nil, err
		}
		if _, ok := f.citizens[ev.Citizen]; !ok {
			return nil, scs.Errorf(scs.ENOTFOUND, "citizen: unknown citizen %q", ev.Citizen)
		}
		r, _ := f.eng.Scheme().Rule(ev.Rule)
		if by.Role == scs.RoleOfficial && r.Department != by.Department {
			return nil, scs.Errorf(scs.EFORBIDDEN, "rule: %s is not a rule of %s", ev.Rule, by.Department)
		}
		rec := scs.Record{Seq: int64(len(f.records) + 1), Event: ev, RecordedAt: time.Now(), Account: by.ID}
		f.records = append(f.records, rec)
		out = append(out, rec)
	}
	return out, nil
}

func (f *pageFakeRegistry) RegisterCitizen(ctx context.Context, by *scs.Account, c scs.Citizen) (scs.Citizen, error) {
	f.addCitizen(c)
	return c, nil
}

func (f *pageFakeRegistry) SetConsent(ctx context.Context, by *scs.Account, citizen string, consent bool) (scs.Citizen, error) {
	f.citizens[citizen].Consent = consent
	return *f.citizens[citizen], nil
}

func (f *pageFakeRegistry) state(id string, at time.Time) (scs.State, []scs.FileEntry) {
	var evs []scs.Event
	reversed := map[string]bool{}
	for _, r := range f.records {
		if r.Event.Citizen == id {
			if r.Reversed {
				reversed[r.Event.ID] = true
			} else {
				evs = append(evs, r.Event)
			}
		}
	}
	st, trail, _ := f.eng.Replay(id, evs, at, true)
	evidence := map[string]string{}
	for _, ev := range evs {
		evidence[ev.ID] = ev.Evidence
	}
	var out []scs.FileEntry
	for _, te := range trail {
		r, _ := f.eng.Scheme().Rule(te.Rule)
		out = append(out, scs.FileEntry{TrailEntry: te, Description: r.Description, Department: r.Department, Evidence: evidence[te.Event], Provenance: r.Provenance})
	}
	for _, r := range f.records {
		if r.Event.Citizen == id && reversed[r.Event.ID] {
			rule, _ := f.eng.Scheme().Rule(r.Event.Rule)
			out = append(out, scs.FileEntry{TrailEntry: scs.TrailEntry{Event: r.Event.ID, Rule: r.Event.Rule, At: r.Event.At}, Description: rule.Description, Provenance: rule.Provenance, Reversed: true})
		}
	}
	return st, out
}

func (f *pageFakeRegistry) File(ctx context.Context, by *scs.Account, citizen string, at time.Time, tp scs.TrailPage) (*scs.File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if by == nil {
		return nil, scs.Errorf(scs.EUNAUTHORIZED, "sign in")
	}
	if by.Role == scs.RoleCitizen && by.Citizen != citizen || by.Role == scs.RoleReviewer {
		return nil, scs.Errorf(scs.EFORBIDDEN, "a citizen may read only their own file")
	}
	c, ok := f.citizens[citizen]
	if !ok {
		return nil, scs.Errorf(scs.ENOTFOUND, "citizen: unknown citizen %q", citizen)
	}
	st, trail := f.state(citizen, at)
	file := &scs.File{Citizen: *c, Scored: c.Consent, Trail: trail, AsOf: at, TrailTotal: len(trail)}
	if !tp.All {
		// The fake's cursors are offsets: "n" or "p" and the entries before.
		slices.SortStableFunc(trail, func(a, b scs.FileEntry) int { return a.At.Compare(b.At) })
		if tp.Newest {
			slices.Reverse(trail)
		}
		limit := cmp.Or(tp.Limit, 1000)
		start := 0
		if tp.Cursor != "" {
			n, err := strconv.Atoi(tp.Cursor[1:])
			if err != nil {
				return nil, scs.FieldErrorf(scs.EINVALID, "cursor", "bad cursor %q", tp.Cursor)
			}
			start = n
		}
		start = min(start, len(trail))
		end := min(start+limit, len(trail))
		file.Trail, file.TrailBefore = trail[start:end], start
		if end < len(trail) {
			file.TrailNext = "n" + strconv.Itoa(end)
		}
		if start > 0 {
			file.TrailPrev = "p" + strconv.Itoa(max(0, start-limit))
		}
	}
	if c.Consent {
		sd := f.eng.Standing(&st, at)
		file.Standing = &sd
		file.Capabilities = f.eng.Decisions(&st, at)
		file.Visits = f.eng.Scheme().Grades[f.eng.Scheme().GradeIndex(sd.Grade)].Visits
	}
	for _, o := range f.objections {
		if o.Citizen == citizen {
			file.Objections = append(file.Objections, o)
		}
	}
	return file, nil
}

func (f *pageFakeRegistry) Decide(ctx context.Context, by *scs.Account, citizen, capability string, at time.Time) (scs.Decision, error) {
	st, _ := f.state(citizen, at)
	return f.eng.Decide(&st, capability, at)
}

func (f *pageFakeRegistry) Object(ctx context.Context, by *scs.Account, citizen, record, reason string) (scs.Objection, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if by.Role != scs.RoleCitizen || by.Citizen != citizen {
		return scs.Objection{}, scs.Errorf(scs.EFORBIDDEN, "only the citizen may object")
	}
	now := time.Now()
	o := scs.Objection{ID: int64(len(f.objections) + 1), Citizen: citizen, Record: record, Reason: reason, Status: scs.ObjectionOpen, Filed: now, Due: now.Add(scs.ObjectionDeadline)}
	f.objections = append(f.objections, o)
	return o, nil
}

func (f *pageFakeRegistry) DecideObjection(ctx context.Context, by *scs.Account, id int64, uphold bool, reason string) (scs.Objection, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if by.Role != scs.RoleReviewer {
		return scs.Objection{}, scs.Errorf(scs.EFORBIDDEN, "only reviewers decide")
	}
	o := &f.objections[id-1]
	o.Status = scs.ObjectionRejected
	if uphold {
		o.Status = scs.ObjectionUpheld
		for i := range f.records {
			if f.records[i].Event.ID == o.Record {
				f.records[i].Reversed = true
			}
		}
	}
	now := time.Now()
	o.Decided, o.Decision, o.Reviewer = &now, reason, by.ID
	return *o, nil
}

func (f *pageFakeRegistry) Objections(ctx context.Context, by *scs.Account, status string, p scs.Page, at time.Time) ([]scs.Objection, string, error) {
	var out []scs.Objection
	for _, o := range f.objections {
		if status == "" || o.Status == status || status == "decided" && o.Status != scs.ObjectionOpen {
			out = append(out, o)
		}
	}
	return out, "", nil
}

func (f *pageFakeRegistry) list(capability string, at time.Time) []scs.ListEntry {
	f.mu.Lock()
	defer f.mu.Unlock()
	ids := make([]string, 0, len(f.citizens))
	for id := range f.citizens {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []scs.ListEntry
	for _, id := range ids {
		c := f.citizens[id]
		if !c.Consent {
			continue
		}
		st, _ := f.state(id, at)
		d, _ := f.eng.Decide(&st, capability, at)
		if d.Allowed {
			out = append(out, scs.ListEntry{Citizen: id, Name: c.Name, Neighbourhood: c.Neighbourhood, Grade: d.Grade, Score: st.Score, GradeSince: st.LastAt})
		}
	}
	return out
}

func (f *pageFakeRegistry) PublicList(ctx context.Context, p scs.Page, at time.Time) ([]scs.ListEntry, string, error) {
	return f.list("public-list", at), "", nil
}

// SearchCitizens is the store's rule without the paging: id or name
// prefix, officials and admins; reviewers among citizens with an open
// objection.
func (f *pageFakeRegistry) SearchCitizens(ctx context.Context, by *scs.Account, q string, p scs.Page) ([]scs.Citizen, string, error) {
	if by.Role == scs.RoleCitizen {
		return nil, "", scs.Errorf(scs.EFORBIDDEN, "finding citizens needs an official account")
	}
	if err := scs.CheckText("q", q, 128, true, false); err != nil {
		return nil, "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []scs.Citizen
	for _, c := range f.citizens {
		// Capitals A-Z either way, as the store finds them.
		fold := func(s string) string {
			return strings.Map(func(r rune) rune {
				if 'A' <= r && r <= 'Z' {
					return r + 'a' - 'A'
				}
				return r
			}, s)
		}
		if !strings.HasPrefix(fold(c.ID), fold(q)) && !strings.HasPrefix(fold(c.Name), fold(q)) {
			continue
		}
		open := false
		for _, o := range f.objections {
			open = open || o.Citizen == c.ID && o.Status == scs.ObjectionOpen
		}
		if by.Role == scs.RoleReviewer && !open {
			continue
		}
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b scs.Citizen) int { return strings.Compare(a.ID, b.ID) })
	return out, "", nil
}

// WatchList pages by keyset like the store: after the cursor, at most
// p.Limit when it is set.
func (f *pageFakeRegistry) WatchList(ctx context.Context, by *scs.Account, p scs.Page, at time.Time) ([]scs.ListEntry, string, error) {
	var out []scs.ListEntry
	for _, e := range f.list("watch-list", at) {
		if e.Citizen > p.Cursor {
			out = append(out, e)
		}
	}
	if p.Limit > 0 && len(out) > p.Limit {
		return out[:p.Limit], out[p.Limit-1].Citizen, nil
	}
	return out, "", nil
}

func (f *pageFakeRegistry) Visits(ctx context.Context, by *scs.Account, day time.Time, hood string) ([]scs.Visit, error) {
	var out []scs.Visit
	for _, e := range f.list("watch-list", day) {
		out = append(out, scs.Visit{Citizen: e.Citizen, Name: e.Name, Neighbourhood: e.Neighbourhood, Grade: e.Grade, Count: 1})
	}
	return out, nil
}

func (f *pageFakeRegistry) Stats(ctx context.Context, at time.Time) (scs.Stats, error) {
	st := scs.Stats{PerGrade: map[string]int{}, RecordsPerRule: map[string]int{}, AsOf: at}
	f.mu.Lock()
	ids := make([]string, 0)
	for id, c := range f.citizens {
		st.Citizens++
		if c.Consent {
			ids = append(ids, id)
		}
	}
	for _, r := range f.records {
		if !r.Event.At.After(at) {
			st.Records++
			st.RecordsPerRule[r.Event.Rule]++
		}
	}
	for _, id := range ids {
		s, _ := f.state(id, at)
		st.Scored++
		st.PerGrade[f.eng.Standing(&s, at).Grade]++
	}
	for _, o := range f.objections {
		if o.Status == scs.ObjectionOpen {
			st.ObjectionsOpen++
		}
	}
	f.mu.Unlock()
	return st, nil
}

func (f *pageFakeRegistry) CreateAccount(ctx context.Context, by *scs.Account, a scs.Account) (scs.Account, string, error) {
	tok := "tok-" + strconv.Itoa(len(f.accounts)+1)
	return *f.addAccount(tok, a), tok, nil
}

func (f *pageFakeRegistry) Authenticate(ctx context.Context, token string) (*scs.Account, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a, ok := f.accounts[token]; ok {
		return a, nil
	}
	return nil, scs.Errorf(scs.EUNAUTHORIZED, "unknown token")
}

func (f *pageFakeRegistry) Accounts(ctx context.Context, by *scs.Account) ([]scs.Account, error) {
	return nil, nil
}

func (f *pageFakeRegistry) RevokeAccount(ctx context.Context, by *scs.Account, id int64) error {
	return nil
}

func (f *pageFakeRegistry) PreviewRecord(ctx context.Context, by *scs.Account, ev scs.Event, at time.Time) (scs.RecordPreview, error) {
	file, err := f.File(ctx, by, ev.Citizen, at, scs.TrailPage{All: true})
	if err != nil {
		return scs.RecordPreview{}, err
	}
	return f.eng.Preview(file, ev, at)
}

// GradesAt counts as the store does: every scored citizen's standing
// records through engine.GradeCounts.
func (f *pageFakeRegistry) GradesAt(ctx context.Context, ends []time.Time) ([][]int, error) {
	sc := f.eng.Scheme()
	byCitizen := map[string][]scs.Event{}
	if err := f.Export(ctx, func(ev *scs.Event) error {
		byCitizen[ev.Citizen] = append(byCitizen[ev.Citizen], *ev)
		return nil
	}); err != nil {
		return nil, err
	}
	g := f.eng.NewGradeCounts(ends)
	err := f.ExportCitizens(ctx, func(c *scs.Citizen) error {
		if !c.Consent && sc.ConsentRequired {
			return nil
		}
		return g.Add(c.ID, c.Registered, byCitizen[c.ID])
	})
	return g.Counts(), err
}

func (f *pageFakeRegistry) Export(ctx context.Context, fn func(ev *scs.Event) error) error {
	f.mu.Lock()
	recs := slices.Clone(f.records)
	f.mu.Unlock()
	for i := range recs {
		if !recs[i].Reversed {
			if err := fn(&recs[i].Event); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f *pageFakeRegistry) ExportCitizens(ctx context.Context, fn func(c *scs.Citizen) error) error {
	f.mu.Lock()
	ids := make([]string, 0, len(f.citizens))
	for id := range f.citizens {
		ids = append(ids, id)
	}
	f.mu.Unlock()
	slices.Sort(ids)
	for _, id := range ids {
		c := *f.citizens[id]
		if err := fn(&c); err != nil {
			return err
		}
	}
	return nil
}
