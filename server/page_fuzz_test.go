package server

import (
	"strings"
	"testing"
	"time"

	"scs"
)

// FuzzReportForm feeds the official's report form to its decoder: no
// panic, every problem named at one of the form's fields, and an accepted
// form is an event the engine accepts.
func FuzzReportForm(f *testing.F) {
	f.Add("c-1", "debt-judgment", "2026-12-01T10:00", "", "", "evidence")
	f.Add("c-1", "other-commercial", "2026-12-01T10:00", "-7", "", "")
	f.Add("c-1", "bank-arrears", "2026-12-01T10:00", "", "2.5", "")
	f.Add("", "no-such-rule", "yesterday", "x", "NaN", strings.Repeat("e", 5000))
	env := newPageEnv(f)
	srv, err := New(Deps{Registry: env.reg, Settings: env.reg, History: env.reg, Now: func() time.Time { return pageNow }})
	if err != nil {
		f.Fatal(err)
	}
	admin := &scs.Account{Role: scs.RoleAdmin}
	f.Fuzz(func(t *testing.T, citizen, rule, at, points, quantity, evidence string) {
		ev, errs := srv.eventFromForm(admin, reportForm{ID: "web-1", Citizen: citizen, Rule: rule, At: at, Points: points, Quantity: quantity, Evidence: evidence})
		for field := range errs {
			if !contains(formFields, field) {
				t.Fatalf("error at unknown field %q: %v", field, errs)
			}
		}
		if len(errs) == 0 {
			if err := srv.eng.Check(&ev); err != nil {
				t.Fatalf("accepted form, engine refuses: %v", err)
			}
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
