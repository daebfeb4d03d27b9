package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"scs"
	"scs/engine"
	"scs/jsonl"
)

const scoreUsage = `scs score [--scheme NAME|FILE] [--at RFC3339] [--format table|json] [--explain] [--skip-invalid] [FILE|-]

Reads events as JSON lines (from FILE, or standard input when FILE is - or
absent), one object a line:

  {"id":"e1","citizen":"c-17","rule":"tax-evasion","at":"2024-03-01T09:00:00+08:00"}

with optional "quantity" (per-unit and tiered rules), "points" (range rules),
"department" and "evidence". Prints each citizen's score, grade and lock as of
--at, sorted by citizen id. A bad line is an error naming the line and the
field, and nothing is printed, unless --skip-invalid is given.`

// maxReported is how many bad lines scs score lists before summarising.
const maxReported = 50

func cmdScore(e *env, args []string) error {
	fs := newFlags(e, "score", scoreUsage)
	schemeName := fs.String("scheme", "rongcheng", "built-in scheme `NAME` or scheme FILE")
	atFlag := fs.String("at", "", "report standings as of this RFC 3339 `time` (default now); later events are not applied")
	format := newChoice("table", "table", "json")
	fs.Var(format, "format", "output `format`: table or json")
	explain := fs.Bool("explain", false, "print every citizen's trail: each event's points asked and applied, and why")
	skip := fs.Bool("skip-invalid", false, "skip bad lines (each reported on stderr) instead of failing")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("score: want at most one input file, got %d", len(pos))
	}
	asOf := time.Now().UTC()
	if *atFlag != "" {
		t, err := jsonl.ParseTime(*atFlag)
		if err != nil {
			return usagef("score: --at: %v", err)
		}
		asOf = t
	}
	eng, err := loadEngine(*schemeName)
	if err != nil {
		return err
	}
	path := ""
	if len(pos) == 1 {
		path = pos[0]
	}
	in, name, closeIn, err := openInput(e, "score", path)
	if err != nil {
		return err
	}
	defer closeIn()
	sizeHint := 0
	if f, ok := in.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			sizeHint = int(min(fi.Size()/80, 1<<26))
		}
	}
	// The events read are the live heap, and each collection marks all of
	// them again: collect less often while reading (about twice the memory,
	// a fifth less time on a million events). GOGC, when set, wins.
	if e.getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	evs, groups, err := readEvents(e, in, name, eng, *skip, sizeHint)
	if err != nil {
		return err
	}
	results, err := eng.ScoreGrouped(evs, groups, asOf, *explain, runtime.GOMAXPROCS(0))
	if err != nil {
		return err
	}
	// An event file carries no registrations: every person is taken as
	// eligible and consenting, and the explanation says so.
	assumed := eng.Scoring(&scs.Person{}).Assumed()
	w := bufio.NewWriterSize(e.stdout, 64<<10)
	if format.val == "json" {
		err = writeScoreJSON(w, eng.Scheme(), results, *explain, assumed)
	} else {
		err = writeScoreTable(w, eng.Scheme(), results, *explain, assumed)
	}
	if err != nil {
		return err
	}
	return w.Flush()
}

// readEvents decodes and checks every line; a bad line is reported with its
// number and field. Unless skip is set, any bad line fails the whole input.
// sizeHint, when positive, is the expected number of events. Lines are
// decoded on every core, and checked and grouped by citizen in input order.
// Events are checked under eng and under each of also (scs compare).
func readEvents(e *env, in io.Reader, name string, eng *engine.Engine, skip bool, sizeHint int, also ...*engine.Engine) ([]scs.Event, *engine.Grouping, error) {
	evs := make([]scs.Event, 0, sizeHint)
	groups := engine.NewGrouping(sizeHint)
	lines := make([]int32, 0, sizeHint)
	ids := newIDSet(sizeHint)
	bad := 0
	report := func(err error) {
		bad++
		if skip {
			fmt.Fprintf(e.stderr, "scs: %s: skipped %v\n", name, err)
		} else if bad <= maxReported {
			fmt.Fprintf(e.stderr, "scs: %s: %v\n", name, err)
		}
	}
	idAt := func(i int32) string { return evs[i].ID }
	// Checking against the scheme and hashing the id need no order: they
	// run on the decoding goroutines.
	prepare := func(it *jsonl.Item) {
		if it.Err != nil {
			return
		}
		if cerr := eng.Check(&it.Event); cerr != nil {
			it.Err = lineError(it.Line, cerr)
			return
		}
		for _, other := range also {
			if cerr := other.Check(&it.Event); cerr != nil {
				it.Err = lineError(it.Line, cerr)
				return
			}
		}
		it.Key = ids.hash(it.Event.ID)
	}
	err := jsonl.DecodeParallelFunc(e.ctx, in, runtime.GOMAXPROCS(0), prepare, func(items []jsonl.Item) error {
		for k := range items {
			it := &items[k]
			if it.Err != nil {
				report(it.Err)
				continue
			}
			if first := ids.add(it.Event.ID, it.Key, int32(len(evs)), idAt); first >= 0 {
				report(&jsonl.LineError{Line: it.Line, Field: "id", Message: fmt.Sprintf("duplicate id %q (first on line %d)", it.Event.ID, lines[first])})
				continue
			}
			evs = append(evs, it.Event)
			groups.Add(&it.Event)
			lines = append(lines, int32(it.Line))
		}
		return nil
	})
	if err != nil {
		return nil, nil, scs.Errorf(scs.EINVALID, "%s: %v", name, err)
	}
	if bad > 0 && !skip {
		if bad > maxReported {
			fmt.Fprintf(e.stderr, "scs: %s: ... and %d more bad lines\n", name, bad-maxReported)
		}
		fmt.Fprintf(e.stderr, "scs: %s: %d bad lines; nothing scored (use --skip-invalid to skip them)\n", name, bad)
		return nil, nil, errReported
	}
	return evs, groups, nil
}

// lineError presents an engine error about one event as a fault of its line.
func lineError(line int, err error) *jsonl.LineError {
	var e *scs.Error
	if errors.As(err, &e) {
		return &jsonl.LineError{Line: line, Field: e.Field, Message: e.Message}
	}
	return &jsonl.LineError{Line: line, Message: scs.ErrorMessage(err)}
}

// idSet finds duplicate ids among many: it keys a map by a 64-bit hash of
// the id, which is far cheaper than keying by the string, and settles the
// rare hash collision by comparing the ids themselves.
type idSet struct {
	seed     maphash.Seed
	byHash   map[uint64]int32
	overflow map[string]int32
}

func newIDSet(hint int) *idSet {
	return &idSet{seed: maphash.MakeSeed(), byHash: make(map[uint64]int32, hint)}
}

// hash returns the hash add expects for id. It is safe for concurrent use.
func (s *idSet) hash(id string) uint64 { return maphash.String(s.seed, id) }

// add records id, whose hash is h, at position i and returns -1, or the
// position of an earlier equal id; idAt returns the id recorded at a position.
func (s *idSet) add(id string, h uint64, i int32, idAt func(int32) string) int32 {
	j, ok := s.byHash[h]
	if !ok {
		s.byHash[h] = i
		return -1
	}
	if idAt(j) == id {
		return j
	}
	if s.overflow == nil {
		s.overflow = make(map[string]int32)
	}
	if j, ok := s.overflow[id]; ok {
		return j
	}
	s.overflow[id] = i
	return -1
}

type standingJSON struct {
	scs.Standing
	Assumed        string              `json:"assumed,omitempty"`
	Trail          []scs.TrailEntry    `json:"trail,omitempty"`
	Recomputations []scs.Recomputation `json:"recomputations,omitempty"`
}

// writeScoreJSON writes one standing a line; its times are RFC 3339 with
// the offset of the scheme's zone.
func writeScoreJSON(w io.Writer, sc *scs.Scheme, results []engine.Result, explain bool, assumed string) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range results {
		r := &results[i]
		out := standingJSON{Standing: r.Standing}
		if out.LockedUntil != nil {
			t := sc.In(*out.LockedUntil)
			out.LockedUntil = &t
		}
		if explain {
			out.Assumed = assumed
			out.Trail = make([]scs.TrailEntry, len(r.Trail))
			for j, t := range r.Trail {
				t.At = sc.In(t.At)
				out.Trail[j] = t
			}
			for _, rc := range r.Recomputations {
				rc.At = sc.In(rc.At)
				out.Recomputations = append(out.Recomputations, rc)
			}
		}
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
	return nil
}

func writeScoreTable(w io.Writer, sc *scs.Scheme, results []engine.Result, explain bool, assumed string) error {
	if explain {
		return writeTrailTable(w, sc, results, assumed)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "CITIZEN\tSCORE\tGRADE\tLOCKED UNTIL\tEVENTS\t")
	for i := range results {
		s := &results[i].Standing
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t\n", s.Citizen, s.Score, s.Grade, lockText(sc, s), s.Events)
	}
	return tw.Flush()
}

func lockText(sc *scs.Scheme, s *scs.Standing) string {
	if s.LockedUntil == nil {
		return "-"
	}
	return sc.FormatTime(*s.LockedUntil)
}

// writeTrailTable prints, for each citizen, a line with the standing and a
// table of the trail: every event's points asked and applied, and why;
// times in the scheme's zone. The rules cited follow, each with its status
// and source, as the scheme page shows them.
func writeTrailTable(w io.Writer, sc *scs.Scheme, results []engine.Result, assumed string) error {
	cited := map[string]bool{}
	for i := range results {
		s := &results[i].Standing
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s: score %d, grade %s, locked until %s, %d events\n", s.Citizen, s.Score, s.Grade, lockText(sc, s), s.Events)
		if assumed != "" {
			fmt.Fprintf(w, "  (%s)\n", assumed)
		}
		if len(results[i].Trail) == 0 {
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  AT\tEVENT\tRULE\tSTATUS\tQUANTITY\tASKED\tAPPLIED\tSCORE\tGRADE\tREASON")
		for _, t := range results[i].Trail {
			q := "-"
			if t.Quantity != 0 {
				q = strconv.FormatFloat(t.Quantity, 'g', -1, 64)
			}
			status := "-"
			if r, ok := sc.Rule(t.Rule); ok {
				status = string(r.Status)
				cited[t.Rule] = true
			}
			if t.NotScored {
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t-\t-\t-\t-\t%s\n", sc.FormatTime(t.At), t.Event, t.Rule, status, q, orDash(t.Reason))
				continue
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%+d\t%+d\t%d\t%s\t%s\n", sc.FormatTime(t.At), t.Event, t.Rule, status, q, t.Asked, t.Applied, t.Score, t.Grade, orDash(t.Reason))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if err := writeRecomputations(w, sc, results[i].Recomputations); err != nil {
			return err
		}
	}
	if len(cited) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\nRules cited (times in %s; status: how sure the scheme file is of the rule):\n", sc.TimeZone)
	for _, r := range sc.Rules {
		if !cited[r.ID] {
			continue
		}
		fmt.Fprintf(w, "  %s (%s, %s, %s)\n", r.ID, r.Effect.Describe(), r.Department, r.Status)
		for _, l := range wrapText("source: "+oneLine(r.Source), showWidth-6) {
			fmt.Fprintf(w, "      %s\n", l)
		}
	}
	return nil
}

// writeRecomputations prints a factor model's recomputations of one
// citizen: the score and grade, and each factor's sub-score with its
// contribution in points above the floor.
func writeRecomputations(w io.Writer, sc *scs.Scheme, rcs []scs.Recomputation) error {
	if len(rcs) == 0 {
		return nil
	}
	fmt.Fprintf(w, "  recomputed %s on the first of the month (only the recomputations at which a factor changed); each factor: sub-score (points above the floor %d)\n",
		sc.Recompute.Every.Every(), sc.Floor)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "  AT\tSCORE\tGRADE"
	for _, f := range sc.Factors {
		head += fmt.Sprintf("\t%s %g%%", strings.ToUpper(f.Name), f.Weight)
	}
	fmt.Fprintln(tw, head)
	for _, rc := range rcs {
		line := fmt.Sprintf("  %s\t%d\t%s", sc.FormatTime(rc.At), rc.Score, rc.Grade)
		for _, f := range rc.Factors {
			line += fmt.Sprintf("\t%.2f (%+.1f)", f.SubScore, f.Points)
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}
