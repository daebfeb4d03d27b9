package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"scs/schemes"
	"scs/store"
)

const migrateSchemeUsage = `scs migrate-scheme --to NAME|FILE [--dry-run] [--db PATH|URL] [--scheme NAME|FILE]

Moves the registry from the scheme it was made with (--scheme) to another
(--to) that scores differently, deliberately: every stored record is
checked against the new scheme first (a rule it lacks, or points or a
quantity it does not take, refuses the whole move and names the records);
then, in one transaction, the ledger gets a scheme entry with the new
scheme's fingerprint, scoring terms and what changed, and a rescore entry
for every citizen whose score, grade or lock changes, keeping their
standing under the old scheme beside the new one; every citizen is
replayed under the new rules. From then on open the database with the new
scheme (--scheme of every command, scs serve --scheme). --dry-run prints
what would change and writes nothing.`

func cmdMigrateScheme(e *env, args []string) error {
	fs := newFlags(e, "migrate-scheme", migrateSchemeUsage)
	dbf := addDBFlags(e, fs)
	to := fs.String("to", "", "the built-in scheme `NAME` or scheme FILE to move to")
	dry := fs.Bool("dry-run", false, "print what would change and write nothing")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("migrate-scheme: unexpected argument %q", pos[0])
	}
	if *to == "" {
		return usagef("migrate-scheme: --to NAME|FILE is required (the scheme to move to)")
	}
	next, err := schemes.Load(*to)
	if err != nil {
		return err
	}
	db, err := dbf.open(e, false)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	m, err := db.MigrateScheme(e.ctx, store.Operator(), next, *dry)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "scheme %s (fingerprint %s) -> scheme %s (fingerprint %s)\n", m.From, m.FromFingerprint, m.To, m.ToFingerprint)
	fmt.Fprintf(e.stdout, "what scores differently:\n")
	for _, c := range m.Changes {
		fmt.Fprintf(e.stdout, "  %s\n", c)
	}
	fmt.Fprintf(e.stdout, "replayed %d citizens, %d records, in %s\n", m.Citizens, m.Records, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(e.stdout, "%d citizens change standing\n", len(m.Rescored))
	const show = 50
	if len(m.Rescored) > 0 {
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CITIZEN\tBEFORE\tAFTER")
		for i, r := range m.Rescored {
			if i == show {
				break
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Citizen, standingWords(r.Before.Scored, r.Before.Score, r.Before.Grade, r.Before.LockedUntil, next.Location), standingWords(r.After.Scored, r.After.Score, r.After.Grade, r.After.LockedUntil, next.Location))
		}
		tw.Flush()
		if len(m.Rescored) > show {
			fmt.Fprintf(e.stdout, "... and %d more (every one is in the ledger's rescore entries)\n", len(m.Rescored)-show)
		}
	}
	if *dry {
		fmt.Fprintf(e.stdout, "dry run: nothing was written\n")
		return nil
	}
	fmt.Fprintf(e.stdout, "ledger entry %d records the move; open the database with --scheme %s from now on\n", m.Seq, *to)
	return nil
}

// standingWords is a standing as the command prints it, a lock's end as a
// day in the scheme's time zone.
func standingWords(scored bool, score int64, grade string, lockedUntil int64, loc *time.Location) string {
	if !scored {
		return "not scored"
	}
	s := fmt.Sprintf("%d %s", score, grade)
	if lockedUntil != 0 {
		s += " locked until " + time.Unix(0, lockedUntil).In(loc).Format("2006-01-02")
	}
	return s
}
