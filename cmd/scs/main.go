// Command scs is the command-line interface of scs, a social credit system
// as code. main only wires the process to run; every subcommand lives in a
// file of its own.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode reports err on stderr and returns the process's exit status:
// 0 on success, 2 for a usage error, 1 for anything else.
func exitCode(err error, stderr *os.File) int {
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
		fmt.Fprintln(stderr, "scs:", err)
	}
	return 1
}
