package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"scs"
	"scs/jsonl"
	"scs/store"
)

const importUsage = `scs import [--db PATH|URL] [--scheme NAME|FILE] [--citizens FILE] FILE|-

Stores the records of FILE (JSON lines in the format of scs score and scs
export) in the registry, in one transaction. With --citizens, first
registers the citizens of that file (as written by scs export --citizens)
that are not registered yet. Every line is checked first: a bad line is
reported with its number and field and nothing is stored. A record already
stored with the same content is kept once; with other content it is a
conflict and nothing is stored.`

func cmdImport(e *env, args []string) error {
	fs := newFlags(e, "import", importUsage)
	dbf := addDBFlags(e, fs)
	citizensFile := fs.String("citizens", "", "register the citizens of `FILE` (JSON lines) first")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("import: want one input file (or - for standard input), got %d", len(pos))
	}
	in, name, closeIn, err := openInput(e, "import", pos[0])
	if err != nil {
		return err
	}
	defer closeIn()
	var citizens []scs.Citizen
	bad := 0
	report := func(file string, err error) {
		bad++
		if bad <= maxReported {
			fmt.Fprintf(e.stderr, "scs: %s: %v\n", file, err)
		}
	}
	if *citizensFile != "" {
		citizens, err = readCitizens(*citizensFile, report)
		if err != nil {
			return err
		}
	}
	db, err := dbf.open(e, true)
	if err != nil {
		return err
	}
	defer db.Close()
	by := store.Operator()
	evs, lines, err := readRecords(jsonl.NewDecoder(in), db, by, name, report)
	if err != nil {
		return err
	}
	if bad > 0 {
		if bad > maxReported {
			fmt.Fprintf(e.stderr, "scs: ... and %d more bad lines\n", bad-maxReported)
		}
		fmt.Fprintf(e.stderr, "scs import: %d bad lines; nothing stored\n", bad)
		return errReported
	}
	added, err := db.Import(e.ctx, by, citizens, evs)
	var be *scs.BatchError
	if errors.As(err, &be) && be.List == "" && be.Index < len(lines) {
		// Name the record by its line, not its position among the good ones.
		return &scs.Error{Code: scs.ErrorCode(be.Err), Message: fmt.Sprintf("%s: line %d: %s", name, lines[be.Index], scs.ErrorMessage(be.Err))}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "scs import: %d records read, %d new, %d already stored\n", len(evs), added, len(evs)-added)
	return nil
}

// readRecords decodes the records to import and checks each against the
// scheme, reporting every bad line; it returns the good records with the
// line of each.
func readRecords(dec *jsonl.Decoder, db *store.DB, by *scs.Account, name string, report func(string, error)) ([]scs.Event, []int, error) {
	var evs []scs.Event
	var lines []int
	seen := map[string]int{}
	for {
		ev, err := dec.Next()
		if err == io.EOF {
			break
		}
		var le *jsonl.LineError
		if errors.As(err, &le) {
			report(name, err)
			continue
		}
		if err != nil {
			return nil, nil, scs.Errorf(scs.EINVALID, "import: %s: %v", name, err)
		}
		if cerr := db.CheckRecord(by, &ev); cerr != nil {
			report(name, lineError(dec.Line(), cerr))
			continue
		}
		if first, dup := seen[ev.ID]; dup {
			report(name, &jsonl.LineError{Line: dec.Line(), Field: "id", Message: fmt.Sprintf("duplicate id %q (first on line %d)", ev.ID, first)})
			continue
		}
		seen[ev.ID] = dec.Line()
		evs = append(evs, ev)
		lines = append(lines, dec.Line())
	}
	return evs, lines, nil
}

func readCitizens(path string, report func(string, error)) ([]scs.Citizen, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, scs.Errorf(scs.EINVALID, "import: --citizens: %v", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 0, 64<<10), jsonl.MaxLine)
	var out []scs.Citizen
	seen := map[string]int{}
	line := 0
	for s.Scan() {
		line++
		b := bytes.TrimSpace(s.Bytes())
		if len(b) == 0 {
			continue
		}
		c, err := store.DecodeCitizen(b)
		if err != nil {
			var le *jsonl.LineError
			if errors.As(err, &le) {
				le.Line = line
			}
			report(path, err)
			continue
		}
		if first, dup := seen[c.ID]; dup {
			report(path, &jsonl.LineError{Line: line, Field: "id", Message: fmt.Sprintf("duplicate id %q (first on line %d)", c.ID, first)})
			continue
		}
		seen[c.ID] = line
		out = append(out, c)
	}
	if err := s.Err(); err != nil {
		return nil, scs.Errorf(scs.EINVALID, "import: %s: line %d: %v", path, line+1, err)
	}
	return out, nil
}
