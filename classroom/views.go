package classroom

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strconv"

	"scs"
)

// GradeCount is how many scored students are in a grade.
type GradeCount struct {
	Grade string `json:"grade"`
	Count int    `json:"count"`
}

// RoundFigures are a round's aggregate counts: nothing per student. They
// are what closing a class keeps.
type RoundFigures struct {
	Round             int          `json:"round"`
	Students          int          `json:"students"` // joined by this round
	Scored            int          `json:"scored"`   // consented
	Declined          int          `json:"declined"`
	Played            int          `json:"played"`
	Grades            []GradeCount `json:"grades"` // scored students per grade after the round
	Criticism         int          `json:"criticism"`
	CriticismRecorded int          `json:"criticism_recorded"`
	Records           int          `json:"records"` // records from the students' own choices
	Reports           int          `json:"reports"`
	Informants        int          `json:"informants"`
	Objections        int          `json:"objections"`
	ReportsVoid       int          `json:"reports_void"` // objections upheld
	PublicList        int          `json:"public_list"`
	Locked            int          `json:"locked"`
	Donated           int64        `json:"donated"`
	VolunteerHours    int64        `json:"volunteer_hours"`
	Rich              int          `json:"rich"`
	Poor              int          `json:"poor"`
	RichMeanScore     *float64     `json:"rich_mean_score"`
	PoorMeanScore     *float64     `json:"poor_mean_score"`
}

func (sn *snapshot) figures(g *game, sits map[int][]Situation) []RoundFigures {
	var out []RoundFigures
	for r := 1; r <= sn.class.Round; r++ {
		f := RoundFigures{Round: r}
		counts := make([]int, len(sn.rules.scheme.Grades))
		var richSum, poorSum float64
		informants := map[int64]bool{}
		for _, res := range g.results {
			st := res.student
			if st.Joined > r {
				continue
			}
			f.Students++
			switch st.Consent {
			case ConsentGiven:
				f.Scored++
			case ConsentDeclined:
				f.Declined++
			}
			if st.Consent != ConsentGiven || len(res.standings) < r {
				continue
			}
			if res.played[r] {
				f.Played++
			}
			s := res.standings[r-1]
			if gi := sn.rules.scheme.GradeIndex(s.Grade); gi >= 0 {
				counts[gi]++
			}
			if res.posted[r] {
				f.Criticism++
			}
			f.Records += res.recorded[r]
			if s.OnPublicList {
				f.PublicList++
			}
			if s.LockedUntil != nil {
				f.Locked++
			}
			switch CardOf(st.Money) {
			case CardRich:
				f.Rich++
				richSum += float64(s.Score)
			case CardPoor:
				f.Poor++
				poorSum += float64(s.Score)
			}
		}
		for _, res := range g.results {
			for _, e := range res.entries {
				if e.Round == r && e.Via == "choice" && e.Rule == sn.rules.speech {
					f.CriticismRecorded++
				}
			}
		}
		for _, rp := range sn.reports {
			if rp.Round != r {
				continue
			}
			f.Reports++
			informants[rp.Reporter] = true
			if rp.Status != ReportStanding {
				f.Objections++
			}
			if rp.Status == ReportUpheld {
				f.ReportsVoid++
			}
		}
		f.Informants = len(informants)
		for _, ch := range sn.choices {
			if ch.Round != r {
				continue
			}
			list := sits[r]
			if k := slices.IndexFunc(list, func(s Situation) bool { return s.Rule == ch.Situation }); k >= 0 {
				m, h := spend(&list[k], ch.Option)
				if list[k].Kind == KindDonation {
					f.Donated += m
				}
				f.VolunteerHours += h
			}
		}
		for i, gr := range sn.rules.scheme.Grades {
			f.Grades = append(f.Grades, GradeCount{Grade: gr.Name, Count: counts[i]})
		}
		if f.Rich > 0 {
			m := richSum / float64(f.Rich)
			f.RichMeanScore = &m
		}
		if f.Poor > 0 {
			m := poorSum / float64(f.Poor)
			f.PoorMeanScore = &m
		}
		out = append(out, f)
	}
	return out
}

// SummaryCSV renders the aggregate counts per round as CSV, one row a
// round: what a teacher keeps of a closed class.
func SummaryCSV(rounds []RoundFigures) string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	head := []string{"round", "students", "scored", "declined", "played", "criticism", "criticism_recorded", "records",
		"reports", "informants", "objections", "reports_void", "public_list", "locked", "donated_yuan", "volunteer_hours",
		"rich", "poor", "rich_mean_score", "poor_mean_score"}
	if len(rounds) > 0 {
		for _, g := range rounds[0].Grades {
			head = append(head, "grade_"+g.Grade)
		}
	}
	w.Write(head)
	mean := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', 1, 64)
	}
	for _, f := range rounds {
		row := []string{itoa(f.Round), itoa(f.Students), itoa(f.Scored), itoa(f.Declined), itoa(f.Played), itoa(f.Criticism),
			itoa(f.CriticismRecorded), itoa(f.Records), itoa(f.Reports), itoa(f.Informants), itoa(f.Objections), itoa(f.ReportsVoid),
			itoa(f.PublicList), itoa(f.Locked), strconv.FormatInt(f.Donated, 10), strconv.FormatInt(f.VolunteerHours, 10),
			itoa(f.Rich), itoa(f.Poor), mean(f.RichMeanScore), mean(f.PoorMeanScore)}
		for _, g := range f.Grades {
			row = append(row, itoa(g.Count))
		}
		w.Write(row)
	}
	w.Flush()
	return b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }

// Line is one student on the board, by pseudonym only.
type Line struct {
	Pseudonym string `json:"pseudonym"`
	Card      string `json:"card"`
	Money     int64  `json:"money"`
	Hours     int64  `json:"hours"`
	Score     int64  `json:"score"`
	Grade     string `json:"grade"`
	Locked    bool   `json:"locked"`
	Made      int    `json:"reports_made"`
	Received  int    `json:"reports_received"`
}

// ObjectionLine is a report whose target objected, for the teacher to
// decide. Did says whether the target chose the act in that round, which
// the teacher may tell the class or not.
type ObjectionLine struct {
	ID          int64  `json:"id"`
	Round       int    `json:"round"`
	Reporter    string `json:"reporter"`
	Target      string `json:"target"`
	Rule        string `json:"rule"`
	Description string `json:"description"`
	Objection   string `json:"objection"`
	Status      string `json:"status"`
	Decision    string `json:"decision,omitempty"`
	Did         bool   `json:"did"`
}

// Board is the teacher's board: what a projector shows, by pseudonym only.
type Board struct {
	Class       Class           `json:"class"`
	SchemeTitle string          `json:"scheme_title"`
	Students    int             `json:"students"`
	Scored      int             `json:"scored"`
	Declined    int             `json:"declined"`
	Pending     int             `json:"pending"`
	Played      int             `json:"played"` // scored students who played the current round
	Grades      []GradeCount    `json:"grades"` // now
	PublicList  []string        `json:"public_list"`
	Situations  []Situation     `json:"situations"` // the current round's
	Reports     []Line          `json:"reports"`    // students who made or received reports
	Objections  []ObjectionLine `json:"objections"`
	Rich        []Line          `json:"rich"`
	Poor        []Line          `json:"poor"`
	Rounds      []RoundFigures  `json:"rounds"`
	Summary     string          `json:"-"` // the CSV of a closed class
}

// Board returns the class's board (its teacher).
func (s *Service) Board(ctx context.Context, by *scs.Account, code string) (*Board, error) {
	sn, err := s.load(ctx, code)
	if err != nil {
		return nil, err
	}
	if err := teacherOf(by, &sn.class); err != nil {
		return nil, err
	}
	b := *sn.board() // a copy: the snapshot's is shared
	return &b, nil
}

// now is a scored student's latest standing.
func (sn *snapshot) now(res *result) Standing {
	if n := len(res.standings); n > 0 {
		return res.standings[n-1]
	}
	return sn.start()
}

// board is the class's board, computed once per snapshot; callers must not
// change it.
func (sn *snapshot) board() *Board {
	sn.boardOnce.Do(func() { sn.boardV = sn.computeBoard() })
	return sn.boardV
}

func (sn *snapshot) computeBoard() *Board {
	c := sn.class
	b := &Board{Class: c, SchemeTitle: sn.rules.scheme.Title, Summary: c.Summary, PublicList: []string{}}
	if c.Status == StatusClosed {
		return b
	}
	g := sn.play()
	if c.Status == StatusPlaying {
		b.Situations = sn.rules.situations(c.Seed, c.Round)
	}
	counts := make([]int, len(sn.rules.scheme.Grades))
	made, received := map[int64]int{}, map[int64]int{}
	for _, rp := range sn.reports {
		made[rp.Reporter]++
		received[rp.Target]++
	}
	for _, res := range g.results {
		st := res.student
		b.Students++
		switch st.Consent {
		case ConsentGiven:
			b.Scored++
		case ConsentDeclined:
			b.Declined++
			continue
		default:
			b.Pending++
			continue
		}
		if res.played[c.Round] {
			b.Played++
		}
		now := sn.now(res)
		if gi := sn.rules.scheme.GradeIndex(now.Grade); gi >= 0 {
			counts[gi]++
		}
		if now.OnPublicList {
			b.PublicList = append(b.PublicList, st.Pseudonym)
		}
		l := Line{Pseudonym: st.Pseudonym, Card: CardOf(st.Money), Money: st.Money, Hours: st.Hours, Score: now.Score, Grade: now.Grade,
			Locked: now.LockedUntil != nil, Made: made[st.ID], Received: received[st.ID]}
		if l.Made > 0 || l.Received > 0 {
			b.Reports = append(b.Reports, l)
		}
		if c.Cards {
			switch l.Card {
			case CardRich:
				b.Rich = append(b.Rich, l)
			case CardPoor:
				b.Poor = append(b.Poor, l)
			}
		}
	}
	for i, gr := range sn.rules.scheme.Grades {
		b.Grades = append(b.Grades, GradeCount{Grade: gr.Name, Count: counts[i]})
	}
	slices.Sort(b.PublicList)
	byScore := func(a, b Line) int {
		if a.Score != b.Score {
			return int(b.Score - a.Score)
		}
		return cmpString(a.Pseudonym, b.Pseudonym)
	}
	slices.SortFunc(b.Rich, byScore)
	slices.SortFunc(b.Poor, byScore)
	slices.SortFunc(b.Reports, func(a, b Line) int {
		if a.Made+a.Received != b.Made+b.Received {
			return (b.Made + b.Received) - (a.Made + a.Received)
		}
		return cmpString(a.Pseudonym, b.Pseudonym)
	})
	for _, rp := range sn.reports {
		if rp.Status == ReportStanding {
			continue
		}
		ol := ObjectionLine{ID: rp.ID, Round: rp.Round, Rule: rp.Rule, Objection: rp.Objection, Status: rp.Status, Decision: rp.Decision}
		if r, ok := sn.rules.scheme.Rule(rp.Rule); ok {
			ol.Description = r.Description
		}
		if res := g.byID[rp.Reporter]; res != nil {
			ol.Reporter = res.student.Pseudonym
		}
		if res := g.byID[rp.Target]; res != nil {
			ol.Target = res.student.Pseudonym
			ol.Did = slices.Contains(res.visible[rp.Round], rp.Rule)
		}
		b.Objections = append(b.Objections, ol)
	}
	b.Rounds = g.Rounds
	return b
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ReportView is a report as its reporter or its target sees it.
type ReportView struct {
	ID          int64  `json:"id"`
	Round       int    `json:"round"`
	Pseudonym   string `json:"pseudonym"` // the classmate reported (for the reporter); empty for the target: reporters stay anonymous
	Rule        string `json:"rule"`
	Description string `json:"description"`
	Status      string `json:"status"`
	Objection   string `json:"objection,omitempty"`
	Decision    string `json:"decision,omitempty"`
}

// Seen is a visible act of a classmate in the current round.
type Seen struct {
	Pseudonym   string `json:"pseudonym"`
	Rule        string `json:"rule"`
	Description string `json:"description"`
}

// View is what a student's phone shows.
type View struct {
	Code        string       `json:"code"`
	Status      string       `json:"status"`
	Round       int          `json:"round"`
	Rounds      int          `json:"rounds"`
	Informing   bool         `json:"informing"`
	Scheme      string       `json:"scheme"`
	SchemeTitle string       `json:"scheme_title"`
	Pseudonym   string       `json:"pseudonym"`
	Consent     string       `json:"consent"` // pending, given, declined
	Card        string       `json:"card"`
	Money       int64        `json:"money"`
	Hours       int64        `json:"hours"`
	Situations  []Situation  `json:"situations"` // to answer now; empty when played or not playing
	Played      bool         `json:"played"`
	Now         Standing     `json:"now"`
	Before      Standing     `json:"before"` // before the latest round
	Gained      []string     `json:"gained"` // capabilities gained in the latest round
	Lost        []string     `json:"lost"`
	Entries     []Entry      `json:"entries"`
	Against     []ReportView `json:"against"`
	Made        []ReportView `json:"made"`
	Seen        []Seen       `json:"seen"`
	Classmates  []string     `json:"classmates"` // scored classmates, for the report form
	Grades      []GradeCount `json:"grades"`     // the class's counts, for everyone
	PublicList  []string     `json:"public_list,omitempty"`
}

// View returns the student's view of the game.
func (s *Service) View(ctx context.Context, st *Student) (*View, error) {
	sn, err := s.load(ctx, st.Class)
	if err != nil {
		return nil, err
	}
	c := sn.class
	if c.Status == StatusClosed {
		return nil, scs.Errorf(scs.ENOTFOUND, "class %s: the class is closed", c.Code)
	}
	g := sn.play()
	res := g.byID[st.ID]
	if res == nil {
		return nil, scs.Errorf(scs.EUNAUTHORIZED, "class %s: no such student", c.Code)
	}
	me := res.student
	v := &View{Code: c.Code, Status: c.Status, Round: c.Round, Rounds: c.Rounds, Informing: c.Informing, Scheme: c.Scheme, SchemeTitle: sn.rules.scheme.Title,
		Pseudonym: me.Pseudonym, Card: CardOf(me.Money), Money: me.Money, Hours: me.Hours, Played: res.played[c.Round],
		Entries: []Entry{}, Against: []ReportView{}, Made: []ReportView{}, Seen: []Seen{}, Classmates: []string{}, Gained: []string{}, Lost: []string{}}
	switch me.Consent {
	case ConsentGiven:
		v.Consent = "given"
	case ConsentDeclined:
		v.Consent = "declined"
	default:
		v.Consent = "pending"
	}
	b := sn.board()
	v.Grades = b.Grades
	if c.PublicList {
		v.PublicList = b.PublicList
	}
	if me.Consent == ConsentGiven {
		if c.Status == StatusPlaying && !v.Played {
			v.Situations = sn.rules.situations(c.Seed, c.Round)
		}
		v.Now = sn.now(res)
		v.Before = sn.start()
		if n := len(res.standings); n > 1 {
			v.Before = res.standings[n-2]
		}
		for _, cp := range v.Now.Capabilities {
			if !slices.Contains(v.Before.Capabilities, cp) {
				v.Gained = append(v.Gained, cp)
			}
		}
		for _, cp := range v.Before.Capabilities {
			if !slices.Contains(v.Now.Capabilities, cp) {
				v.Lost = append(v.Lost, cp)
			}
		}
		v.Entries = append(v.Entries, res.entries...)
	}
	for _, rp := range sn.reports {
		rv := ReportView{ID: rp.ID, Round: rp.Round, Rule: rp.Rule, Status: rp.Status, Objection: rp.Objection, Decision: rp.Decision}
		if r, ok := sn.rules.scheme.Rule(rp.Rule); ok {
			rv.Description = r.Description
		}
		if rp.Target == me.ID {
			v.Against = append(v.Against, rv)
		}
		if rp.Reporter == me.ID {
			if t := g.byID[rp.Target]; t != nil {
				rv.Pseudonym = t.student.Pseudonym
			}
			v.Made = append(v.Made, rv)
		}
	}
	if c.Status == StatusPlaying {
		for _, o := range g.results {
			if o.student.ID == me.ID || o.student.Consent != ConsentGiven {
				continue
			}
			v.Classmates = append(v.Classmates, o.student.Pseudonym)
			for _, rule := range o.visible[c.Round] {
				r, _ := sn.rules.scheme.Rule(rule)
				v.Seen = append(v.Seen, Seen{Pseudonym: o.student.Pseudonym, Rule: rule, Description: r.Description})
			}
		}
		slices.Sort(v.Classmates)
		slices.SortFunc(v.Seen, func(a, b Seen) int { return cmpString(a.Pseudonym+a.Rule, b.Pseudonym+b.Rule) })
	}
	return v, nil
}

// RoundSituations returns the situations of the class's current round
// (none when no round is running), the same for every student.
func (s *Service) RoundSituations(ctx context.Context, st *Student) ([]Situation, error) {
	sn, err := s.load(ctx, st.Class)
	if err != nil {
		return nil, err
	}
	if sn.class.Status != StatusPlaying {
		return nil, nil
	}
	return sn.rules.situations(sn.class.Seed, sn.class.Round), nil
}

// SituationsOf returns the situations of round for a class under scheme
// with the given seed (nil for an unknown scheme): what the catalogue of
// the pages must be able to tell.
func (s *Service) SituationsOf(scheme string, seed int64, round int) []Situation {
	g, err := s.rulesFor(scheme)
	if err != nil {
		return nil
	}
	return g.situations(seed, round)
}
