package main

import (
	"fmt"

	"scs"
	"scs/internal/numfmt"
	"scs/store"
)

const verifyUsage = `scs verify [--db PATH|URL] [--scheme NAME|FILE] [--head SEQ:HASH] [--since SEQ:HASH]

Checks the registry database: the ledger's sequence and hash chain, every
citizen's stored projection (state, score, grade, lock, trail) against a
replay of their history through the engine, and every stored checkpoint
(its signature, and that the ledger extends its head). Prints every
mismatch, one a line, then the head the ledger ends on as "head SEQ:HASH"
(keep it, or a checkpoint, to check later). Exits with status 1 if there
is any mismatch.

--head SEQ:HASH (a head published or witnessed earlier, such as one from
scs checkpoint or GET /api/v1/checkpoint) also fails when the ledger does
not extend that head: entries deleted, or an older copy of the database
restored. --since SEQ:HASH checks only the chain of the entries after that
head (which must still be in the ledger), at the same speed per entry, and
does not replay projections.`

func cmdVerify(e *env, args []string) error {
	fs := newFlags(e, "verify", verifyUsage)
	dbf := addDBFlags(e, fs)
	headFlag := fs.String("head", "", "fail unless the ledger extends this `SEQ:HASH`")
	sinceFlag := fs.String("since", "", "check only the chain after this `SEQ:HASH`")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("verify: unexpected argument %q", pos[0])
	}
	var want, since *store.Head
	for _, f := range []struct {
		name, val string
		dst       **store.Head
	}{{"--head", *headFlag, &want}, {"--since", *sinceFlag, &since}} {
		if f.val == "" {
			continue
		}
		h, err := store.ParseHead(f.val)
		if err != nil {
			return usagef("verify: %s: %s", f.name, scs.ErrorMessage(err))
		}
		*f.dst = &h
	}
	db, err := dbf.open(e, false)
	if err != nil {
		return err
	}
	defer db.Close()
	problems := 0
	report := func(p scs.VerifyProblem) {
		problems++
		switch {
		case p.Seq != 0 && p.Citizen != "":
			fmt.Fprintf(e.stdout, "seq %d (citizen %s): %s\n", p.Seq, p.Citizen, p.Message)
		case p.Seq != 0:
			fmt.Fprintf(e.stdout, "seq %d: %s\n", p.Seq, p.Message)
		default:
			fmt.Fprintf(e.stdout, "citizen %s: %s\n", p.Citizen, p.Message)
		}
	}
	var n int64
	var head store.Head
	what := "the chain and every projection are consistent"
	if since != nil {
		n, head, err = db.VerifySince(e.ctx, *since, report)
		what = "the chain after " + since.String() + " is consistent"
	} else {
		// Verify reads the ledger up to its end when it starts, which is
		// at or after this head: the head printed is one it checked.
		if head, err = db.Head(e.ctx); err == nil {
			n, err = db.Verify(e.ctx, report)
		}
	}
	if err != nil {
		return err
	}
	if want != nil {
		p, err := db.CheckHead(e.ctx, *want)
		if err != nil {
			return err
		}
		if p != nil {
			report(*p)
		} else {
			what += "; the ledger extends " + want.String()
		}
	}
	fmt.Fprintf(e.stdout, "head %s\n", head)
	if problems > 0 {
		fmt.Fprintf(e.stderr, "scs verify: %s ledger entries checked; %s problems\n", numfmt.Int(n), numfmt.Int(int64(problems)))
		return errReported
	}
	fmt.Fprintf(e.stderr, "scs verify: %s ledger entries checked; %s\n", numfmt.Int(n), what)
	return nil
}
