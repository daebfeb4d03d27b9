// Command scs is the command-line interface of scs, a social credit system
// as code. main only wires the process to run; every subcommand lives in a
// file of its own.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"scs"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode reports err on stderr and returns the process's exit status:
// 0 on success, 2 for a usage error, 1 for anything else.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var u *usageError
	if errors.As(err, &u) {
		fmt.Fprintln(stderr, "scs:", u.msg)
		if u.hint != "" {
			fmt.Fprintln(stderr, u.hint)
		}
		return 2
	}
	if !errors.Is(err, errReported) {
		fmt.Fprintln(stderr, "scs:", message(err))
	}
	return 1
}

// message is err as a person reads it: the text of an *scs.Error without
// its code ("scheme \"nosuch\" is not built in", not "not_found: ...").
func message(err error) string {
	var se *scs.Error
	if !errors.As(err, &se) {
		return err.Error()
	}
	// Wrappers (fmt.Errorf("serve: %w", err)) keep their prefixes.
	return strings.Replace(err.Error(), se.Error(), scs.ErrorMessage(se), 1)
}
