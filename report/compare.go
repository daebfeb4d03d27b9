package report

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"scs"
	"scs/compare"
	"scs/engine"
	"scs/sim"
)

// Comparison is the same simulated lives scored under a second scheme
// (scs simulate --compare): per year, the cross-tabulation of the first
// scheme's grades against the second's, the rank correlation of the scores
// and the share whose standing agrees.
type Comparison struct {
	A, B  *scs.Scheme
	Years []*compare.Table // index y-1: at the end of year y
	// Added lists the conduct the second scheme scores and the first does
	// not, which the comparison run also simulated (worth nothing under
	// the first scheme).
	Added []string
}

// withConduct returns a copy of a whose rules also cover the conduct b
// scores and a does not, each worth 0 points under a, so that the
// simulator makes those acts too and the first scheme's scores are
// unchanged by them.
func withConduct(a, b *scs.Scheme) (*scs.Scheme, []string) {
	c := *a
	c.Rules = append([]scs.Rule(nil), a.Rules...)
	var added []string
	for _, r := range b.Rules {
		if _, ok := a.RuleFor(r.Conduct); ok {
			continue
		}
		cd, ok := scs.LookupConduct(r.Conduct)
		if !ok {
			continue // a rule of b's own, outside the vocabulary: nothing to simulate it by
		}
		nr := scs.Rule{ID: cd.ID, Conduct: cd.ID, Description: cd.Description, Category: r.Category, Department: r.Department,
			Effect:     scs.Effect{Kind: scs.EffectFixed},
			Provenance: scs.Provenance{Source: "scored only by " + b.Name, Status: scs.StatusAssumed, Notes: "simulated for scs simulate --compare; worth 0 points here"}}
		if cd.Quantity != "" {
			nr.Effect = scs.Effect{Kind: scs.EffectPerUnit, Unit: 1, Quantity: cd.Quantity}
		}
		c.Rules = append(c.Rules, nr)
		added = append(added, cd.ID)
	}
	c.Index()
	return &c, added
}

// compare runs the study's first configuration (the seed Seed) once more
// with the acts of the conduct the second scheme scores added, and scores
// each scored citizen's records under both schemes at the end of every
// year. The acts the first scheme already scores are drawn by the same
// model; the added conduct draws from the same streams, so the run is not
// the study's first run to the record, and its first-scheme scores are
// this run's.
func (s *Study) compare(ctx context.Context) (*Comparison, error) {
	a, b := s.Scheme, s.Compare
	ea, err := engine.New(a)
	if err != nil {
		return nil, err
	}
	eb, err := engine.New(b)
	if err != nil {
		return nil, err
	}
	aug, added := withConduct(a, b)
	cmp := &Comparison{A: a, B: b, Added: added}
	for range s.Years {
		cmp.Years = append(cmp.Years, compare.NewTable(a, b))
	}
	cfg := s.config(s.Settings, s.Seed)
	cfg.Scheme = aug
	cfg.Rows, cfg.Events = true, sim.ScoredEvents
	ends := make([]int64, s.Years)
	for y := range ends {
		ends[y] = s.End.AddDate(y+1-s.Years, 0, 0).Unix()
	}
	cfg.OnHood = func(h *sim.HoodOutput) error {
		byCitizen := map[string][]int{}
		for i := range h.Events {
			byCitizen[h.Events[i].Citizen] = append(byCitizen[h.Events[i].Citizen], i)
		}
		for _, row := range h.Rows {
			if !row.Consent {
				continue
			}
			sa, sb := ea.NewState(row.ID), eb.NewState(row.ID)
			idx := byCitizen[row.ID]
			k := 0
			for y, end := range ends {
				for ; k < len(idx) && h.Events[idx[k]].At.Unix() < end; k++ {
					ev := &h.Events[idx[k]]
					if _, err := ea.Step(&sa, ev); err != nil {
						return fmt.Errorf("compare: %s under %s: %w", ev.ID, a.Name, err)
					}
					if _, err := eb.Step(&sb, ev); err != nil {
						return fmt.Errorf("compare: %s under %s: %w", ev.ID, b.Name, err)
					}
				}
				at := s.End.AddDate(y+1-s.Years, 0, 0)
				da, db := ea.Standing(&sa, at), eb.Standing(&sb, at)
				cmp.Years[y].Add(a.GradeIndex(da.Grade), da.Score, b.GradeIndex(db.Grade), db.Score)
			}
		}
		return nil
	}
	if s.Progress != nil {
		total := int64(s.Citizens)
		cfg.Progress = func(done int64) { s.Progress("compare with "+b.Name, done, total) }
	}
	_, err = s.simulate(ctx, cfg)
	s.progress("", 0, 0)
	if err != nil {
		return nil, err
	}
	return cmp, nil
}

// Tables returns compare.csv, the cross-tabulation per year (citizens by
// grade under each scheme), and compare_stats.csv, each year's rank
// correlation, agreement share and split count.
func (c *Comparison) Tables() []*Table {
	ct := &Table{Name: "compare", Title: "Grades under " + c.A.Name + " against " + c.B.Name,
		Doc:  "scored citizens at the end of each year by their grade under each scheme, the same simulated lives",
		Keys: []string{"year", c.A.Name, c.B.Name}, Values: []string{"citizens"}}
	st := &Table{Name: "compare_stats", Title: "Agreement of " + c.A.Name + " and " + c.B.Name,
		Doc:  "Spearman's rank correlation of the two scores, the share on the same side of each scheme's start, and how many are above it under one and below under the other",
		Keys: []string{"year"}, Values: []string{"citizens", "spearman", "agreement", "split"}}
	for y, t := range c.Years {
		year := strconv.Itoa(y + 1)
		for i, ga := range c.A.Grades {
			for j, gb := range c.B.Grades {
				ct.Rows = append(ct.Rows, Row{Keys: []string{year, ga.Name, gb.Name}, Vals: []float64{float64(t.N[i][j])}})
			}
		}
		st.Rows = append(st.Rows, Row{Keys: []string{year}, Vals: []float64{float64(t.Total()), t.Spearman(), t.Agreement(), float64(t.Split())}})
	}
	return []*Table{ct, st}
}

type comparisonView struct {
	A, B, Title, Added, Reading string
	LastYear                    int
	Rows                        [][5]string // year, citizens, Spearman, agreement, split
	Head                        []string    // B's grades
	Cross                       []struct {
		Grade string
		Cells []string
	}
}

// comparisonOf is the report's section on the second scheme.
func comparisonOf(c *Comparison) *comparisonView {
	last := c.Years[len(c.Years)-1]
	v := &comparisonView{A: c.A.Name, B: c.B.Name, Title: c.B.Title, Added: strings.Join(c.Added, ", "), Reading: last.Reading(), LastYear: len(c.Years)}
	for y, t := range c.Years {
		rho := "-"
		if r := t.Spearman(); !math.IsNaN(r) {
			rho = fmt.Sprintf("%.2f", r)
		}
		v.Rows = append(v.Rows, [5]string{strconv.Itoa(y + 1), Count(float64(t.Total())), rho, fmt.Sprintf("%.0f%%", 100*t.Agreement()), Count(float64(t.Split()))})
	}
	for _, g := range c.B.Grades {
		v.Head = append(v.Head, g.Name)
	}
	for i, g := range c.A.Grades {
		row := struct {
			Grade string
			Cells []string
		}{Grade: g.Name}
		for j := range c.B.Grades {
			row.Cells = append(row.Cells, Count(float64(last.N[i][j])))
		}
		v.Cross = append(v.Cross, row)
	}
	return v
}
