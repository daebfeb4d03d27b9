// Package testkit is the scaffolding the end-to-end, crash and browser
// tests share: building a binary, starting it and reading what it prints,
// killing it with SIGKILL, reading `scs serve`'s banner, checking that
// every acknowledged record survived, and driving Chromium. It is imported
// by tests only.
package testkit

import (
	"bufio"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Build builds the Go package pkg (an import path, or "." for the test's
// own directory) into a binary in a temporary directory and returns its
// path. It uses the go command of the running toolchain.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), filepath.Base(strings.TrimSuffix(pkg, "/")))
	if pkg == "." {
		bin = filepath.Join(filepath.Dir(bin), "bin")
	}
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// Proc is a started binary whose standard output is read line by line.
type Proc struct {
	t     testing.TB
	cmd   *exec.Cmd
	lines chan string
	mu    sync.Mutex
	err   strings.Builder
}

// Start starts bin with args. Its output lines arrive on Lines; its
// standard error is kept for Stderr. The process is killed when the test
// ends if it is still running.
func Start(t testing.TB, bin string, args ...string) *Proc {
	t.Helper()
	p := &Proc{t: t, cmd: exec.Command(bin, args...), lines: make(chan string, 1024)}
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = writerFunc(func(b []byte) (int, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.err.Write(b)
	})
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			p.lines <- s.Text()
		}
		io.Copy(io.Discard, out)
		close(p.lines)
	}()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	})
	return p
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// Lines is the process's output, a line at a time, closed when it ends.
func (p *Proc) Lines() <-chan string { return p.lines }

// Stderr is what the process wrote to its standard error so far.
func (p *Proc) Stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err.String()
}

// WaitFor reads output lines until one satisfies ok and returns it; it
// fails the test when the process ends first or after timeout.
func (p *Proc) WaitFor(timeout time.Duration, ok func(line string) bool) string {
	p.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case l, open := <-p.lines:
			if !open {
				p.t.Fatalf("%s ended before the line the test waits for: %s", p.cmd.Path, p.Stderr())
			}
			if ok(l) {
				return l
			}
		case <-deadline:
			p.t.Fatalf("%s: no such line within %v", p.cmd.Path, timeout)
		}
	}
}

// Kill sends SIGKILL to the process; Killed waits for it.
func (p *Proc) Kill() { p.cmd.Process.Signal(syscall.SIGKILL) }

// Killed reads and drops the rest of the output, waits for the process
// and fails the test unless SIGKILL is what ended it.
func (p *Proc) Killed() {
	p.t.Helper()
	for range p.lines {
	}
	err := p.cmd.Wait()
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		p.t.Fatalf("%s ended with %v, not by SIGKILL: %s", p.cmd.Path, err, p.Stderr())
	}
}

// Serve is what `scs serve` prints on its first start: the address it
// listens on and, per demo role, the token and what the account is bound
// to (a citizen, a department, or "-").
type Serve struct {
	URL    string
	Tokens map[string]string
	Bound  map[string]string
}

var roles = map[string]bool{"admin": true, "reviewer": true, "official": true, "citizen": true, "teacher": true}

// Line reads one line of serve's banner into s and reports whether it was
// the last ("Listening on URL").
func (s *Serve) Line(line string) (listening bool) {
	if s.Tokens == nil {
		s.Tokens, s.Bound = map[string]string{}, map[string]string{}
	}
	if u, ok := strings.CutPrefix(line, "Listening on "); ok {
		s.URL = strings.TrimSpace(u)
		return true
	}
	if f := strings.Fields(line); len(f) == 3 && roles[f[0]] {
		s.Tokens[f[0]], s.Bound[f[0]] = f[2], f[1]
	}
	return false
}

// Missing returns the acknowledged ids that are not stored, sorted, and
// reports the first few as errors of t.
func Missing(t testing.TB, acked, stored map[string]bool) []string {
	t.Helper()
	var out []string
	for id := range acked {
		if !stored[id] {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	for i, id := range out {
		if i == 5 {
			break
		}
		t.Errorf("acknowledged record %s is not stored", id)
	}
	return out
}
