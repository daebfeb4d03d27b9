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

const schemeUsage = `scs scheme list | show NAME|FILE [--format table|json] | validate FILE...

  list       the built-in schemes
  show       a scheme's grades, lock-ins, visits, capabilities and rules, each
             rule with its source and status
  validate   check scheme files strictly, as loading does; every problem is
             printed as file:line:column: field: message`

func cmdScheme(e *env, args []string) error {
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
	return usagef("scheme: unknown subcommand %q (want list, show or validate)", pos[0])
}

func showScheme(w io.Writer, s *scs.Scheme) error {
	fmt.Fprintf(w, "%s: %s\n", s.Name, s.Title)
	if s.Description != "" {
		fmt.Fprintf(w, "%s\n", s.Description)
	}
	ceiling := "none"
	if s.Ceiling != scs.Unbounded && s.Ceiling != 0 {
		ceiling = fmt.Sprint(s.Ceiling)
	}
	fmt.Fprintf(w, "\nstart %d, floor %d, ceiling %s, time zone %s, consent required: %v, sources as of %s\n",
		s.Start, s.Floor, ceiling, s.TimeZone, s.ConsentRequired, s.SourcesAsOf)

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

	fmt.Fprint(tw, "\nCAPABILITY\tKIND")
	for _, g := range s.Grades {
		fmt.Fprintf(tw, "\t%s", g.Name)
	}
	fmt.Fprintln(tw, "\tSTATUS\tDESCRIPTION")
	for _, c := range s.Capabilities {
		fmt.Fprintf(tw, "%s\t%s", c.Name, c.Kind)
		for _, g := range s.Grades {
			mark := "no"
			if c.Has(g.Name) {
				mark = "yes"
			}
			fmt.Fprintf(tw, "\t%s", mark)
		}
		fmt.Fprintf(tw, "\t%s\t%s\n", c.Status, c.Description)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(tw, "\nRULE\tEFFECT\tYEARLY CAP\tDEPARTMENT\tSTATUS\tSOURCE")
	for _, r := range s.Rules {
		yc := "-"
		if r.YearlyCap > 0 {
			yc = fmt.Sprint(r.YearlyCap)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Effect.Describe(), yc, r.Department, r.Status, oneLine(r.Source))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
