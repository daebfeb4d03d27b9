package scs

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ScoringTerms returns the canonical encoding of what decides points,
// grades and capabilities under s, one "name = value" line each: start,
// floor, ceiling, time zone, consent, eligibility, grades with their bands
// and lock-ins, capabilities with their kinds and grades, and every rule's
// effect and cap (rules and capabilities in name order). Nothing else is in
// it: titles, descriptions, sources, notes, departments, visits and act
// costs can change without changing how anyone is scored.
func (s *Scheme) ScoringTerms() []string {
	var out []string
	add := func(name string, v any) { out = append(out, name+" = "+fmt.Sprint(v)) }
	add("start", s.Start)
	add("floor", s.Floor)
	ceiling := "none"
	if s.Ceiling != 0 && s.Ceiling != Unbounded {
		ceiling = strconv.FormatInt(s.Ceiling, 10)
	}
	add("ceiling", ceiling)
	add("time_zone", s.TimeZone)
	if s.IsFactorModel() { // points schemes keep the terms they had before factor models
		add("kind", s.Kind)
		if s.Recompute != nil {
			add("recompute.every", s.Recompute.Every)
		}
		for _, f := range s.Factors {
			p := "factors[" + f.Name + "]"
			add(p+".weight", trimFloat(f.Weight))
			add(p+".window", f.Window)
			if !f.HalfLife.IsZero() { // factors without one keep the terms they had
				add(p+".half_life", f.HalfLife)
			}
			add(p+".sub_score", "from "+trimFloat(f.SubScore.From)+" to "+trimFloat(f.SubScore.To))
		}
	}
	add("consent_required", s.ConsentRequired)
	add("retroactive", s.Retroactive != nil)
	if el := s.Eligibility; el != nil {
		add("eligibility.min_age", el.MinAge)
		add("eligibility.min_residence", el.MinResidence)
	}
	for i, g := range s.Grades {
		p := fmt.Sprintf("grades[%d]", i)
		add(p+".name", g.Name)
		add(p+".band", g.Band())
		add(p+".lock_in", g.LockIn)
	}
	caps := slices.Clone(s.Capabilities)
	slices.SortFunc(caps, func(a, b Capability) int { return strings.Compare(a.Name, b.Name) })
	for _, c := range caps {
		p := "capabilities[" + c.Name + "]"
		kind := c.Kind
		if kind == "" {
			kind = Privilege
		}
		add(p+".kind", kind)
		grades := slices.Clone(c.Grades)
		slices.Sort(grades)
		add(p+".grades", "["+strings.Join(grades, ", ")+"]")
	}
	rules := slices.Clone(s.Rules)
	slices.SortFunc(rules, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	for _, r := range rules {
		p := "rules[" + r.ID + "]"
		e := r.Effect
		add(p+".effect", e.Kind)
		switch e.Kind {
		case EffectFixed:
			add(p+".points", e.Points)
		case EffectPerUnit:
			add(p+".points", e.Points)
			add(p+".per", trimFloat(e.Unit))
		case EffectRange:
			add(p+".min", e.Min)
			add(p+".max", e.Max)
		case EffectTiered:
			for j, t := range e.Tiers {
				add(fmt.Sprintf("%s.tiers[%d]", p, j), fmt.Sprintf("up_to %s per %s points %d", trimFloat(t.UpTo), trimFloat(t.Per), t.Points))
			}
		case EffectDropTo:
			add(p+".drop_to", e.DropTo)
		case EffectFactor:
			add(p+".factor", e.Factor)
			add(p+".value", trimFloat(e.Value))
		}
		if r.YearlyCap > 0 {
			add(p+".yearly_cap", r.YearlyCap)
		}
		if r.Conduct != "" && r.Conduct != r.ID {
			add(p+".conduct", r.Conduct)
		}
	}
	return out
}

// Fingerprint identifies what scores under s: a hash of ScoringTerms, in
// lower-case hex. Two schemes with the same fingerprint score every event
// alike.
func (s *Scheme) Fingerprint() string {
	h := sha256.Sum256([]byte(strings.Join(s.ScoringTerms(), "\n")))
	return hex.EncodeToString(h[:8])
}

// DiffTerms lists, in words, how the scoring terms new differ from old
// (both as ScoringTerms returns them): each changed, added or removed term.
func DiffTerms(old, new []string) []string {
	split := func(terms []string) (map[string]string, []string) {
		m := make(map[string]string, len(terms))
		var order []string
		for _, t := range terms {
			k, v, _ := strings.Cut(t, " = ")
			m[k] = v
			order = append(order, k)
		}
		return m, order
	}
	om, oorder := split(old)
	nm, norder := split(new)
	var out []string
	for _, k := range oorder {
		nv, ok := nm[k]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s: %s, now absent", k, om[k]))
		case nv != om[k]:
			out = append(out, fmt.Sprintf("%s: %s, now %s", k, om[k], nv))
		}
	}
	for _, k := range norder {
		if _, ok := om[k]; !ok {
			out = append(out, fmt.Sprintf("%s: absent, now %s", k, nm[k]))
		}
	}
	return out
}
