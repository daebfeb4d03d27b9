package main

import (
	"os"

	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"golang.org/x/term"

	"scs"
	"scs/engine"
	"scs/schemes"
)

// env is what a subcommand receives: the process's context, environment
// and standard streams. Nothing in scs writes to os.Stdout directly.
type env struct {
	ctx    context.Context
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	name    string
	summary string
	run     func(e *env, args []string) error
}

// commands lists every subcommand of scs.
var commands = []command{
	{"score", "score events (JSON lines) under a scheme and print each citizen's standing", cmdScore},
	{"scheme", "list, show, validate and analyse schemes", cmdScheme},
	{"compare", "score the same events under two schemes and set the outcomes side by side", cmdCompare},
	{"simulate", "simulate a synthetic population under a scheme and report what it does", cmdSimulate},
	{"serve", "serve the registry: web pages, JSON API, health and metrics (a demo city on an empty database)", cmdServe},
	{"bench", "measure the registry's performance goals against baselines on a temporary database", cmdBench},
	{"version", "print the version of scs", cmdVersion},
	{"verify", "check the registry's hash chain and replay every citizen's projection", cmdVerify},
	{"checkpoint", "sign the head of the registry's ledger with a key kept outside it", cmdCheckpoint},
	{"migrate-scheme", "move the registry to a scheme that scores differently, replaying every citizen", cmdMigrateScheme},
	{"import", "store records (JSON lines) in the registry, all or nothing", cmdImport},
	{"export", "write the registry's records as JSON lines", cmdExport},
	{"accounts", "create, list and revoke registry accounts (tokens)", cmdAccounts},
	{"quiz", "take the self-test: the grade the scheme would give you", cmdQuiz},
}

// usageError is a mistake in how a command was called; it exits with status 2.
type usageError struct{ msg, hint string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errReported is returned by a command that has already printed what went
// wrong; it exits with status 1 and prints nothing more.
var errReported = errors.New("reported")

// errHelp is returned after --help has printed the usage: exit status 0.
var errHelp = errors.New("help shown")

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{ctx: ctx, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) < 2 {
		topUsage(stderr)
		return &usageError{msg: "missing command", hint: "run 'scs help' for the list of commands"}
	}
	name := args[1]
	switch name {
	case "-h", "-help", "--help", "help":
		if len(args) > 2 {
			return run(ctx, []string{args[0], args[2], "--help"}, getenv, stdin, stdout, stderr)
		}
		topUsage(stdout)
		return nil
	case "--version", "-version":
		name = "version"
	}
	for _, c := range commands {
		if c.name == name {
			err := c.run(e, args[2:])
			if errors.Is(err, errHelp) {
				return nil
			}
			var u *usageError
			if errors.As(err, &u) && u.hint == "" {
				u.hint = "run 'scs " + c.name + " --help' for usage"
			}
			return err
		}
	}
	return &usageError{msg: fmt.Sprintf("unknown command %q", name), hint: "run 'scs help' for the list of commands"}
}

func topUsage(w io.Writer) {
	fmt.Fprintln(w, "scs: a social credit system as code.")
	fmt.Fprintln(w, "\nUsage: scs COMMAND [flags] [args]\n\nCommands:")
	cs := append([]command(nil), commands...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	width := 0
	for _, c := range cs {
		width = max(width, len(c.name))
	}
	for _, c := range cs {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'scs COMMAND --help' for a command's flags.")
}

// newFlags returns a FlagSet for a subcommand whose usage text is usage
// (the first line is the synopsis); flag errors become usage errors.
func newFlags(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintln(e.stdout, "Usage: "+strings.TrimSpace(usage))
		fmt.Fprintln(e.stdout, "\nFlags:")
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args with fs, allowing flags after positional
// arguments ("scs score events.jsonl --explain"). It returns the positional
// arguments, errHelp after printing the usage for -h/--help, or a usage error.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	// The flag package calls Usage itself on -h and on every error; the
	// usage is printed here, once, and only when it was asked for.
	usage := fs.Usage
	fs.Usage = func() {}
	defer func() { fs.Usage = usage }()
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				usage()
				return nil, errHelp
			}
			return nil, &usageError{msg: fs.Name() + ": " + err.Error(), hint: "run 'scs " + fs.Name() + " --help' for usage"}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// choice is a flag.Value that accepts one of a fixed set of words.
type choice struct {
	val     string
	allowed []string
}

func newChoice(def string, allowed ...string) *choice { return &choice{val: def, allowed: allowed} }

func (c *choice) String() string { return c.val }

func (c *choice) Set(s string) error {
	for _, a := range c.allowed {
		if s == a {
			c.val = s
			return nil
		}
	}
	return fmt.Errorf("%q is not one of %s", s, strings.Join(c.allowed, ", "))
}

// loadEngine loads the built-in scheme called nameOrPath, or the scheme
// file at that path, and compiles its engine.
func loadEngine(nameOrPath string) (*engine.Engine, error) {
	s, err := schemes.Load(nameOrPath)
	if err != nil {
		return nil, err
	}
	return engine.New(s)
}

// openInput opens the file at path for command cmd, or standard input when
// path is "" or "-". It returns the reader, its name for messages and a
// function that closes it.
// When path is "" and standard input is a terminal, it says on standard
// error that it waits for lines there, so that a bare "scs score" does not
// look hung.
func openInput(e *env, cmd, path string) (io.Reader, string, func(), error) {
	if path == "" || path == "-" {
		if path == "" && readerIsTerminal(e.stdin) {
			fmt.Fprintf(e.stderr, "scs %s: reading events (JSON lines) from the terminal; end with Ctrl-D, or give a FILE (scs %s --help)\n", cmd, cmd)
		}
		return e.stdin, "standard input", func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", nil, scs.Errorf(scs.EINVALID, "%s: %v", cmd, err)
	}
	return f, path, func() { f.Close() }, nil
}

// readerIsTerminal reports whether r is a terminal (a variable so that tests
// can stand in for one).
var readerIsTerminal = func(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
