package main

import (
	"bufio"
	"os"

	"scs"
	"scs/jsonl"
	"scs/store"
)

const exportUsage = `scs export [--db PATH|URL] [--scheme NAME|FILE] [--citizens FILE]

Writes every record that stands (reversed records are left out) to standard
output as JSON lines, in ledger order, in the format of scs score and scs
import. With --citizens, also writes the registered citizens to FILE, one
JSON object a line, for scs import --citizens.`

func cmdExport(e *env, args []string) error {
	fs := newFlags(e, "export", exportUsage)
	dbf := addDBFlags(e, fs)
	citizens := fs.String("citizens", "", "also write the citizens as JSON lines to `FILE`")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("export: unexpected argument %q", pos[0])
	}
	db, err := dbf.open(e, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if *citizens != "" {
		f, err := os.Create(*citizens)
		if err != nil {
			return scs.Errorf(scs.EINVALID, "export: --citizens: %v", err)
		}
		w := bufio.NewWriterSize(f, 64<<10)
		var buf []byte
		err = db.ExportCitizens(e.ctx, func(c *scs.Citizen) error {
			buf = store.AppendCitizen(buf[:0], c)
			_, err := w.Write(buf)
			return err
		})
		if err == nil {
			err = w.Flush()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	w := bufio.NewWriterSize(e.stdout, 64<<10)
	var buf []byte
	if err := db.Export(e.ctx, func(ev *scs.Event) error {
		buf = jsonl.Append(buf[:0], ev)
		_, err := w.Write(buf)
		return err
	}); err != nil {
		return err
	}
	return w.Flush()
}
