package scs_test

import (
	"bufio"
	"bytes"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// allowedImports is docs/architecture.md's table of which of the module's
// packages each package may import (directly). A package missing here
// fails the test: add it to the table and to the document.
var allowedImports = map[string][]string{
	"scs":                          {},
	"scs/engine":                   {"scs"},
	"scs/jsonl":                    {"scs"},
	"scs/schemes":                  {"scs"},
	"scs/internal/numfmt":          {},
	"scs/internal/arith":           {},
	"scs/internal/testkit":         {},
	"scs/internal/chart":           {"scs/internal/numfmt"},
	"scs/internal/gen":             {"scs"},
	"scs/analyse":                  {"scs", "scs/engine", "scs/jsonl", "scs/internal/numfmt"},
	"scs/quiz":                     {"scs", "scs/engine"},
	"scs/compare":                  {"scs", "scs/internal/numfmt"},
	"scs/sim":                      {"scs", "scs/engine", "scs/internal/numfmt", "scs/internal/arith"},
	"scs/classroom":                {"scs", "scs/engine", "scs/schemes", "scs/sim"},
	"scs/report":                   {"scs", "scs/engine", "scs/analyse", "scs/compare", "scs/sim", "scs/internal/chart", "scs/internal/numfmt", "scs/internal/arith"},
	"scs/store":                    {"scs", "scs/engine", "scs/jsonl", "scs/classroom"},
	"scs/server":                   {"scs", "scs/engine", "scs/analyse", "scs/classroom", "scs/quiz", "scs/schemes", "scs/jsonl", "scs/internal/chart", "scs/internal/numfmt"},
	"scs/internal/bench":           {"scs", "scs/engine", "scs/schemes", "scs/store"},
	"scs/store/internal/crashtest": {"scs", "scs/schemes", "scs/store"},
	"scs/cmd/scs":                  nil, // wires everything together
}

// TestImportRules checks every package's imports of the module's packages
// (not its tests') against allowedImports, with go list.
func TestImportRules(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		pkg, imports := f[0], f[1:]
		allowed, ok := allowedImports[pkg]
		if !ok {
			t.Errorf("package %s is not in docs/architecture.md's table (allowedImports)", pkg)
			continue
		}
		if pkg == "scs/cmd/scs" {
			continue
		}
		for _, imp := range imports {
			if (imp == "scs" || strings.HasPrefix(imp, "scs/")) && !slices.Contains(allowed, imp) {
				t.Errorf("%s imports %s, which docs/architecture.md does not allow it", pkg, imp)
			}
		}
	}
}
