package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"scs"
	"scs/schemes"
)

const schemeUsage = `scs scheme list | show NAME|FILE [--format table|json] | validate FILE... | analyse [NAME|FILE] [flags]

  list       the built-in schemes
  show       a scheme's grades, lock-ins, visits, capabilities and rules, each
             rule with its source and status
  validate   check scheme files strictly, as loading does; every problem is
             printed as file:line:column: field: message
  analyse    the fastest legal way out of each grade and what it costs
             (scs scheme analyse --help)`

func cmdScheme(e *env, args []string) error {
	if len(args) > 0 && args[0] == "analyse" {
		return cmdSchemeAnalyse(e, args[1:])
	}
	fs := newFlags(e, "scheme", schemeUsage)
	format := newChoice("table", "table", "json")
	fs.Var(format, "format", "output `format` of show: table or json")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("scheme: want a subcommand: list, show or validate")
	}
	switch pos[0] {
	case "list":
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tTITLE\tGRADES\tRULES")
		for _, n := range schemes.Names() {
			s, err := schemes.Load(n)
			if err != nil {
				return err
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\n", s.Name, s.Title, len(s.Grades), len(s.Rules))
		}
		return tw.Flush()
	case "show":
		if len(pos) != 2 {
			return usagef("scheme show: want one scheme NAME or FILE")
		}
		s, err := schemes.Load(pos[1])
		if err != nil {
			return err
		}
		if format.val == "json" {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			return enc.Encode(s)
		}
		return showScheme(e.stdout, s)
	case "validate":
		if len(pos) < 2 {
			return usagef("scheme validate: want one or more scheme FILEs")
		}
		failed := false
		for _, f := range pos[1:] {
			s, err := schemes.Load(f)
			if err != nil {
				fmt.Fprintln(e.stderr, scs.ErrorMessage(err))
				failed = true
				continue
			}
			fmt.Fprintf(e.stdout, "%s: ok: scheme %s, %d grades, %d capabilities, %d rules\n", f, s.Name, len(s.Grades), len(s.Capabilities), len(s.Rules))
		}
		if failed {
			return errReported
		}
		return nil
	}
	return usagef("scheme: unknown subcommand %q (want list, show, validate or analyse)", pos[0])
}

// showSchemeHeader prints the scheme's name, description, range, zone,
// consent and eligibility terms and its fingerprint.
func showSchemeHeader(w io.Writer, s *scs.Scheme) {
	fmt.Fprintf(w, "%s: %s\n", s.Name, s.Title)
	if s.Description != "" {
		for _, l := range wrapText(s.Description, showWidth) {
			fmt.Fprintln(w, l)
		}
	}
	ceiling := "none"
	if s.Ceiling != scs.Unbounded && s.Ceiling != 0 {
		ceiling = fmt.Sprint(s.Ceiling)
	}
	fmt.Fprintf(w, "\nstart %d, floor %d, ceiling %s, time zone %s,\nconsent required: %v, sources as of %s\n",
		s.Start, s.Floor, ceiling, s.TimeZone, s.ConsentRequired, s.SourcesAsOf)
	for _, f := range []struct {
		name string
		p    *scs.Provenance
	}{{"start", s.Figures.Start}, {"floor", s.Figures.Floor}, {"ceiling", s.Figures.Ceiling}} {
		if f.p != nil {
			for i, l := range wrapText(fmt.Sprintf("%s (%s): %s", f.name, f.p.Status, f.p.Source), showWidth-2) {
				if i > 0 {
					l = "  " + l
				}
				fmt.Fprintln(w, l)
			}
		}
	}
	if el := s.Eligibility; el != nil {
		fmt.Fprintf(w, "eligible: aged %d or over, resident %s or more (%s)\n", el.MinAge, el.MinResidence.Words(), el.Status)
	}
	if s.ConsentRequired {
		if s.Retroactive != nil {
			fmt.Fprintf(w, "records dated before consent count once the person consents (%s)\n", s.Retroactive.Status)
		} else {
			fmt.Fprintln(w, "records dated before consent are kept but not scored")
		}
	}
	fmt.Fprintf(w, "fingerprint of what scores: %s\n", s.Fingerprint())
}

func showScheme(w io.Writer, s *scs.Scheme) error {
	showSchemeHeader(w, s)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nGRADE\tBAND\tLOCK-IN\tVISITS\tSTATUS")
	for _, g := range s.Grades {
		visits := g.Visits.String()
		if g.Visits.Times > 0 {
			visits += " (" + string(g.Visits.Status) + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", g.Name, g.Band(), g.LockIn.Words(), visits, orDash(string(g.Status)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	// Grades head their columns by name, or by number with a legend when
	// the names would widen the table past a terminal.
	capHead := []string{"CAPABILITY", "KIND"}
	nameW, kindW, statusW := len("CAPABILITY"), len("KIND"), len("STATUS")
	for _, c := range s.Capabilities {
		nameW, kindW, statusW = max(nameW, len([]rune(c.Name))), max(kindW, len(c.Kind)), max(statusW, len(c.Status))
	}
	gradeCols, legend := gradeColumns(s, showWidth-(nameW+2)-(kindW+2)-statusW)
	capHead = append(capHead, gradeCols...)
	if legend != "" {
		fmt.Fprintln(w)
		for _, l := range wrapText(legend, showWidth) {
			fmt.Fprintln(w, l)
		}
	}
	capRows := [][]string{append(capHead, "STATUS")}
	var capNotes [][]string
	for _, c := range s.Capabilities {
		row := []string{c.Name, string(c.Kind)}
		for _, g := range s.Grades {
			mark := "no"
			if c.Has(g.Name) {
				mark = "yes"
			}
			row = append(row, mark)
		}
		capRows = append(capRows, append(row, string(c.Status)))
		capNotes = append(capNotes, wrapText(c.Description, showWidth-4))
	}
	fmt.Fprintln(w)
	printNoted(w, capRows, append([][]string{nil}, capNotes...))

	if s.IsFactorModel() {
		showFactors(w, s)
	}
	ruleRows := [][]string{{"RULE", "EFFECT", "YEARLY CAP", "STATUS"}}
	ruleNotes := [][]string{nil}
	for _, r := range s.Rules {
		yc := "-"
		if r.YearlyCap > 0 {
			yc = fmt.Sprint(r.YearlyCap)
		}
		effect := wrapText(r.Effect.Describe(), 24)
		ruleRows = append(ruleRows, []string{r.ID, effect[0], yc, string(r.Status)})
		ruleNotes = append(ruleNotes, nil)
		for _, l := range effect[1:] {
			ruleRows = append(ruleRows, []string{"", l, "", ""})
			ruleNotes = append(ruleNotes, nil)
		}
		note := r.Department + "; source: " + oneLine(r.Source)
		if r.Conduct != "" && r.Conduct != r.ID {
			note = "scores the conduct " + r.Conduct + "; " + note
		}
		ruleNotes[len(ruleNotes)-1] = wrapText(note, showWidth-4)
	}
	fmt.Fprintln(w)
	printNoted(w, ruleRows, ruleNotes)
	showIgnored(w, s)
	return nil
}

// showFactors prints a factor model's schedule and factors: weight,
// window and sub-score function, each with its status and source.
func showFactors(w io.Writer, s *scs.Scheme) {
	rc := s.Recompute
	fmt.Fprintln(w)
	for _, l := range wrapText(fmt.Sprintf("recomputed %s, at midnight on the first of the month in %s (%s): %s", rc.Every.Every(), s.TimeZone, rc.Status, oneLine(rc.Source)), showWidth) {
		fmt.Fprintln(w, l)
	}
	for _, l := range wrapText(fmt.Sprintf("score = %d + %d x the sum of weight x sub-score; a person with no records scores %d", s.Floor, s.Ceiling-s.Floor, s.NoHistoryScore()), showWidth) {
		fmt.Fprintln(w, l)
	}
	rows := [][]string{{"FACTOR", "WEIGHT", "WINDOW", "SUB-SCORE 0 AT", "1 AT"}}
	notes := [][]string{nil}
	for _, f := range s.Factors {
		rows = append(rows, []string{f.Name, fmt.Sprintf("%g%%", f.Weight), f.WindowWords(), fmt.Sprint(f.SubScore.From), fmt.Sprint(f.SubScore.To)})
		note := fmt.Sprintf("status: weight %s, window %s, sub-score %s; weight: %s", f.Status, f.WindowProvenance.Status, f.SubScore.Status, oneLine(f.Source))
		if f.SubScore.Notes != "" {
			note += "; sub-score: " + oneLine(f.SubScore.Notes)
		}
		notes = append(notes, wrapText(note, showWidth-4))
	}
	fmt.Fprintln(w)
	printNoted(w, rows, notes)
}

// showIgnored lists the conduct of the vocabulary the scheme does not
// score: events naming it are kept and ignored.
func showIgnored(w io.Writer, s *scs.Scheme) {
	var ignored []string
	for _, c := range scs.Vocabulary {
		if _, ok := s.RuleFor(c.ID); !ok {
			ignored = append(ignored, c.ID)
		}
	}
	if len(ignored) == 0 {
		return
	}
	fmt.Fprintf(w, "\nconduct of the vocabulary (docs/conduct.md) that %s ignores (%d of %d):\n", s.Name, len(ignored), len(scs.Vocabulary))
	for _, l := range wrapText(strings.Join(ignored, ", "), showWidth-2) {
		fmt.Fprintln(w, "  "+l)
	}
}

// printNoted prints rows as aligned columns, each row followed by its
// notes indented by four spaces, so that long text stays within a
// terminal's width instead of widening every row.
func printNoted(w io.Writer, rows, notes [][]string) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	for i, r := range rows {
		line := ""
		for j, c := range r {
			if j < len(r)-1 {
				c += strings.Repeat(" ", widths[j]-len([]rune(c))+2)
			}
			line += c
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
		for _, n := range notes[i] {
			fmt.Fprintln(w, "    "+n)
		}
	}
}

// showWidth is the width scs scheme show keeps to: a terminal's.
const showWidth = 80

// wrapText breaks s into lines of at most width characters at spaces (a
// longer word has a line of its own). It returns one line at least.
func wrapText(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case len([]rune(line))+1+len([]rune(w)) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	return append(lines, line)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// gradeColumns returns the heads of a table's grade columns: the grades'
// names when they fit in width characters (two spaces between columns),
// or else G1..Gn with a legend that names each.
func gradeColumns(s *scs.Scheme, width int) (heads []string, legend string) {
	total := 0
	for _, g := range s.Grades {
		heads = append(heads, g.Name)
		total += max(len([]rune(g.Name)), len("yes")) + 2
	}
	if total <= width {
		return heads, ""
	}
	parts := make([]string, len(s.Grades))
	for i, g := range s.Grades {
		heads[i] = fmt.Sprintf("G%d", i+1)
		parts[i] = heads[i] + " " + g.Name
	}
	return heads, "grades in the columns below: " + strings.Join(parts, ", ")
}
