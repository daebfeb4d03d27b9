package main

import (
	"fmt"

	"scs"
)

const verifyUsage = `scs verify [--db PATH|URL] [--scheme NAME|FILE]

Checks the registry database: the ledger's sequence and hash chain, and
every citizen's stored projection (state, score, grade, lock, trail)
against a replay of their history through the engine. Prints every
mismatch, one a line, and exits with status 1 if there is any.`

func cmdVerify(e *env, args []string) error {
	fs := newFlags(e, "verify", verifyUsage)
	dbf := addDBFlags(e, fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("verify: unexpected argument %q", pos[0])
	}
	db, err := dbf.open(e, false)
	if err != nil {
		return err
	}
	defer db.Close()
	problems := 0
	n, err := db.Verify(e.ctx, func(p scs.VerifyProblem) {
		problems++
		switch {
		case p.Seq != 0 && p.Citizen != "":
			fmt.Fprintf(e.stdout, "seq %d (citizen %s): %s\n", p.Seq, p.Citizen, p.Message)
		case p.Seq != 0:
			fmt.Fprintf(e.stdout, "seq %d: %s\n", p.Seq, p.Message)
		default:
			fmt.Fprintf(e.stdout, "citizen %s: %s\n", p.Citizen, p.Message)
		}
	})
	if err != nil {
		return err
	}
	if problems > 0 {
		fmt.Fprintf(e.stderr, "scs verify: %d ledger entries checked; %d problems\n", n, problems)
		return errReported
	}
	fmt.Fprintf(e.stderr, "scs verify: %d ledger entries checked; the chain and every projection are consistent\n", n)
	return nil
}
