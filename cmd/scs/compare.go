package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"scs"
	"scs/compare"
	"scs/engine"
	"scs/jsonl"
)

const compareUsage = `scs compare --scheme A --scheme B [--at RFC3339] [--format table|json] [FILE|-]

Scores the same events (JSON lines, as scs score reads them) under two
schemes and sets the outcomes side by side. Each event names a conduct
(docs/conduct.md); a scheme that does not score a conduct ignores it.

For each citizen: score, grade and lock under each scheme, where the grade
stands against the grade everyone starts in (above, at or below the start),
and the capabilities held under one scheme and not the other. Then the
cross-tabulation of A's grades against B's, the share whose standing agrees,
the rank correlation of the scores, and the citizens who stand above the
start under one scheme and below it under the other, each with the records
that made the difference.

With --format json, one object a line per citizen, with a key per scheme
holding what scs score --format json holds.`

type compareSide struct {
	scheme   *scs.Scheme
	eng      *engine.Engine
	results  []engine.Result
	byCitzen map[string]int
}

// compareLine is one citizen in JSON: a key per scheme (added by hand, as
// the schemes' names are not known in advance) and what they share.
type compareSideJSON struct {
	standingJSON
	Level        string   `json:"level"`
	Capabilities []string `json:"capabilities"`
	Sanctions    []string `json:"sanctions"`
}

func cmdCompare(e *env, args []string) error {
	fs := newFlags(e, "compare", compareUsage)
	var names stringList
	fs.Var(&names, "scheme", "built-in scheme `NAME` or scheme FILE (give it twice)")
	atFlag := fs.String("at", "", "compare standings as of this RFC 3339 `time` (default now)")
	format := newChoice("table", "table", "json")
	fs.Var(format, "format", "output `format`: table or json")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(names) != 2 {
		return usagef("compare: give --scheme exactly twice (got %d)", len(names))
	}
	if len(pos) > 1 {
		return usagef("compare: want at most one input file, got %d", len(pos))
	}
	asOf := time.Now().UTC()
	if *atFlag != "" {
		t, err := jsonl.ParseTime(*atFlag)
		if err != nil {
			return usagef("compare: --at: %v", err)
		}
		asOf = t
	}
	var sides [2]*compareSide
	for i, n := range names {
		eng, err := loadEngine(n)
		if err != nil {
			return err
		}
		sides[i] = &compareSide{scheme: eng.Scheme(), eng: eng}
	}
	if sides[0].scheme.Name == sides[1].scheme.Name {
		return usagef("compare: both schemes are called %s; compare two different schemes", sides[0].scheme.Name)
	}
	path := ""
	if len(pos) == 1 {
		path = pos[0]
	}
	in, name, closeIn, err := openInput(e, "compare", path)
	if err != nil {
		return err
	}
	defer closeIn()
	evs, groups, err := readEvents(e, in, name, sides[0].eng, false, 0, sides[1].eng)
	if err != nil {
		return err
	}
	for _, sd := range sides {
		sd.results, err = sd.eng.ScoreGrouped(evs, groups, asOf, true, runtime.GOMAXPROCS(0))
		if err != nil {
			return err
		}
	}
	w := bufio.NewWriterSize(e.stdout, 64<<10)
	if format.val == "json" {
		err = writeCompareJSON(w, sides, asOf)
	} else {
		err = writeCompareTable(w, sides, asOf)
	}
	if err != nil {
		return err
	}
	return w.Flush()
}

// held returns the names of the privileges and entitlements the citizen
// holds under the side's scheme as of t, and of the sanctions imposed.
func (sd *compareSide) held(r *engine.Result, t time.Time) (caps, sanctions []string) {
	caps, sanctions = []string{}, []string{}
	for _, d := range sd.eng.Decisions(&r.State, t) {
		switch {
		case d.Allowed && d.Kind == scs.Sanction:
			sanctions = append(sanctions, d.Capability)
		case d.Allowed:
			caps = append(caps, d.Capability)
		}
	}
	return caps, sanctions
}

// heldMarked is held in one list, sanctions marked as such.
func (sd *compareSide) heldMarked(r *engine.Result, t time.Time) []string {
	caps, sanctions := sd.held(r, t)
	for _, s := range sanctions {
		caps = append(caps, s+" (sanction)")
	}
	return caps
}

func (sd *compareSide) level(r *engine.Result) int {
	return compare.Level(sd.scheme, sd.scheme.GradeIndex(r.Standing.Grade))
}

func writeCompareJSON(w io.Writer, sides [2]*compareSide, t time.Time) error {
	a, b := sides[0], sides[1]
	for i := range a.results {
		line := map[string]any{"citizen": a.results[i].Standing.Citizen}
		var held [2][]string
		for k, sd := range sides {
			r := &sd.results[i]
			st := standingJSON{Standing: r.Standing}
			if st.LockedUntil != nil {
				lt := sd.scheme.In(*st.LockedUntil)
				st.LockedUntil = &lt
			}
			var sanctions []string
			held[k], sanctions = sd.held(r, t)
			line[sd.scheme.Name] = compareSideJSON{standingJSON: st, Level: compare.LevelWords(sd.level(r)), Capabilities: held[k], Sanctions: sanctions}
		}
		onlyA, onlyB := compare.Differing(held[0], held[1])
		line["capabilities_only_under"] = map[string][]string{a.scheme.Name: nonNil(onlyA), b.scheme.Name: nonNil(onlyB)}
		line["standing_agrees"] = a.level(&a.results[i]) == b.level(&b.results[i])
		b, err := json.Marshal(line)
		if err != nil {
			return err
		}
		if _, err := w.Write(append(b, '\n')); err != nil {
			return err
		}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func writeCompareTable(w io.Writer, sides [2]*compareSide, t time.Time) error {
	a, b := sides[0], sides[1]
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "CITIZEN\t%s\t%s\tSTANDING (%s / %s)\tCAPABILITIES ONLY UNDER ONE\n", strings.ToUpper(a.scheme.Name), strings.ToUpper(b.scheme.Name), a.scheme.Name, b.scheme.Name)
	tab := compare.NewTable(a.scheme, b.scheme)
	var differ []int
	for i := range a.results {
		ra, rb := &a.results[i], &b.results[i]
		la, lb := a.level(ra), b.level(rb)
		tab.Add(a.scheme.GradeIndex(ra.Standing.Grade), ra.Standing.Score, b.scheme.GradeIndex(rb.Standing.Grade), rb.Standing.Score)
		if la != lb {
			differ = append(differ, i)
		}
		onlyA, onlyB := compare.Differing(a.heldMarked(ra, t), b.heldMarked(rb, t))
		var caps []string
		if len(onlyA) > 0 {
			caps = append(caps, a.scheme.Name+": "+strings.Join(onlyA, ", "))
		}
		if len(onlyB) > 0 {
			caps = append(caps, b.scheme.Name+": "+strings.Join(onlyB, ", "))
		}
		fmt.Fprintf(tw, "%s\t%d %s%s\t%d %s%s\t%s / %s\t%s\n", ra.Standing.Citizen,
			ra.Standing.Score, ra.Standing.Grade, lockNote(a.scheme, &ra.Standing), rb.Standing.Score, rb.Standing.Grade, lockNote(b.scheme, &rb.Standing),
			levelShort(la), levelShort(lb), orDash(strings.Join(caps, "; ")))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := writeCrossTab(w, tab); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for _, l := range wrapText(tab.Reading(), showWidth) {
		fmt.Fprintln(w, l)
	}
	if len(differ) == 0 {
		fmt.Fprintf(w, "\nEvery citizen stands on the same side of the start under both schemes.\n")
		return nil
	}
	fmt.Fprintf(w, "\nCitizens whose standing differs (above, at or below where everyone starts), with the records that counted under either scheme:\n")
	for _, i := range differ {
		ra, rb := &a.results[i], &b.results[i]
		fmt.Fprintf(w, "  %s: %s %d %s (%s), %s %d %s (%s)\n", ra.Standing.Citizen,
			a.scheme.Name, ra.Standing.Score, ra.Standing.Grade, compare.LevelWords(a.level(ra)),
			b.scheme.Name, rb.Standing.Score, rb.Standing.Grade, compare.LevelWords(b.level(rb)))
		for j := range ra.Trail {
			ta, tb := &ra.Trail[j], &rb.Trail[j]
			if !compare.Counts(ta) && !compare.Counts(tb) {
				continue
			}
			fmt.Fprintf(w, "    %s %s %s: %s under %s, %s under %s\n", a.scheme.FormatTime(ta.At), ta.Event, ta.Rule,
				compare.Effect(ta), a.scheme.Name, compare.Effect(tb), b.scheme.Name)
		}
	}
	return nil
}

// writeCrossTab prints the cross-tabulation of A's grades (rows) against
// B's (columns), in counts of citizens.
func writeCrossTab(w io.Writer, tab *compare.Table) error {
	fmt.Fprintf(w, "\nCitizens by grade: %s (rows) against %s (columns)\n", tab.A.Name, tab.B.Name)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "\t"
	for _, g := range tab.B.Grades {
		head += g.Name + "\t"
	}
	fmt.Fprintln(tw, head+"all\t")
	for i, g := range tab.A.Grades {
		line, sum := g.Name+"\t", 0
		for _, n := range tab.N[i] {
			line += fmt.Sprintf("%d\t", n)
			sum += n
		}
		fmt.Fprintf(tw, "%s%d\t\n", line, sum)
	}
	return tw.Flush()
}

func levelShort(l int) string {
	switch l {
	case compare.Above:
		return "above"
	case compare.Below:
		return "below"
	}
	return "at"
}

func lockNote(sc *scs.Scheme, s *scs.Standing) string {
	if s.LockedUntil == nil {
		return ""
	}
	return ", locked until " + sc.In(*s.LockedUntil).Format("2006-01-02")
}

// stringList is a flag that may be given more than once.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(s string) error {
	*l = append(*l, s)
	return nil
}
