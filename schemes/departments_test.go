package schemes_test

import (
	"strings"
	"testing"

	"scs"
	"scs/schemes"
)

// TestShippedDepartmentsAreTheReporters: in every shipped scheme, each
// rule's department is the reporter the vocabulary names for its conduct,
// so that an event file naming reporters as departments (as
// examples/events.jsonl does) is valid under every shipped scheme.
func TestShippedDepartmentsAreTheReporters(t *testing.T) {
	for _, name := range schemes.Names() {
		s := schemes.MustLoad(name)
		for i := range s.Rules {
			r := &s.Rules[i]
			id := r.Conduct
			if id == "" {
				id = r.ID
			}
			c, ok := scs.LookupConduct(id)
			if !ok {
				continue
			}
			if got, ok := s.DepartmentFor(r, c.Reporter); !ok || got != r.Department {
				t.Errorf("%s: rule %s (department %s, reporter %s) refuses the vocabulary's reporter %s", name, r.ID, r.Department, s.Reporter(r.Department), c.Reporter)
			}
		}
	}
}

func TestDepartmentFor(t *testing.T) {
	s := schemes.MustLoad("sesame")
	arrears, _ := s.RuleFor("bank-arrears")
	for _, c := range []struct {
		sent string
		ok   bool
	}{{"", true}, {"credit-provider", true}, {"financial-institutions", true}, {"tax-bureau", false}, {"courts", false}, {"utilities", false}} {
		got, ok := s.DepartmentFor(arrears, c.sent)
		if ok != c.ok || ok && got != "credit-provider" {
			t.Errorf("bank-arrears sent by %q: %q %v, want ok %v", c.sent, got, ok, c.ok)
		}
	}
	fees, _ := s.RuleFor("late-utility-fees")
	if got, ok := s.DepartmentFor(fees, "utilities"); !ok || got != "utility" {
		t.Errorf("late-utility-fees sent by utilities: %q %v", got, ok)
	}
	if got := s.Reporter("courts"); got != "courts" {
		t.Errorf("courts is reporter %q", got)
	}
}

func TestDepartmentsMapErrors(t *testing.T) {
	for _, c := range []struct{ add, want string }{
		{"departments:\n  nobody: courts\n", "f.yaml:31:11: departments.nobody: nobody is not the department of any rule"},
		{"departments:\n  platform: no-such-body\n", `f.yaml:31:13: departments.platform: "no-such-body" is not a reporter of the conduct vocabulary`},
	} {
		_, err := schemes.Parse("f.yaml", []byte(factorValid+c.add))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.add, err, c.want)
		}
	}
	s, err := schemes.Parse("f.yaml", []byte(factorValid+"departments:\n  platform: payment-platform\n"))
	if err != nil || s.Reporter("platform") != "payment-platform" {
		t.Fatalf("a valid map: %v", err)
	}
}
