package store

import (
	"fmt"
	"testing"
	"time"

	"scs"
)

// permissions checks every operation of the registry against every role:
// allowed calls succeed, the others fail with scs.EFORBIDDEN (a live
// account without the right) or scs.EUNAUTHORIZED (no account or a revoked
// one), each with a message.
func permissions(t *testing.T, f *fixture) {
	revoked := f.account(scs.Account{Name: "gone", Role: scs.RoleAdmin})
	if err := f.db.RevokeAccount(f.ctx, f.admin, revoked.ID); err != nil {
		t.Fatal(err)
	}
	now := f.now
	revoked.Revoked = &now
	n := 0
	fresh := func(prefix string) string { n++; return fmt.Sprintf("%s-%d", prefix, n) }
	record := func() string {
		id := fresh("rec")
		f.report(f.admin, ev(id, "c1", "returned-lost-money", t0.Add(-time.Hour)))
		return id
	}
	objection := func() int64 {
		o, err := f.db.Object(f.ctx, f.admin, "c1", record(), "not me")
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	ops := []struct {
		name  string
		allow []string // roles allowed; "citizen" is the citizen's own account
		run   func(by *scs.Account) error
	}{
		{"ReportRecords", []string{"official", "admin"}, func(by *scs.Account) error {
			_, err := f.db.ReportRecords(f.ctx, by, []scs.Event{ev(fresh("r"), "c1", "returned-lost-money", t0.Add(-time.Hour))})
			return err
		}},
		{"RegisterCitizen", []string{"admin"}, func(by *scs.Account) error {
			_, err := f.db.RegisterCitizen(f.ctx, by, scs.Citizen{ID: fresh("p"), Name: "P", Neighbourhood: "h", BirthYear: 1990})
			return err
		}},
		{"SetConsent", []string{"citizen", "admin"}, func(by *scs.Account) error {
			_, err := f.db.SetConsent(f.ctx, by, "c1", true)
			return err
		}},
		{"File", []string{"citizen", "official", "admin"}, func(by *scs.Account) error {
			_, err := f.db.File(f.ctx, by, "c1", f.now, scs.TrailPage{All: true})
			return err
		}},
		{"Decide", []string{"citizen", "official", "admin"}, func(by *scs.Account) error {
			_, err := f.db.Decide(f.ctx, by, "c1", "loan", f.now)
			return err
		}},
		{"Object", []string{"citizen", "admin"}, func(by *scs.Account) error {
			_, err := f.db.Object(f.ctx, by, "c1", record(), "mistaken identity")
			return err
		}},
		{"DecideObjection", []string{"reviewer", "admin"}, func(by *scs.Account) error {
			_, err := f.db.DecideObjection(f.ctx, by, objection(), n%2 == 0, "checked")
			return err
		}},
		{"Objections", []string{"citizen", "other", "reviewer", "admin"}, func(by *scs.Account) error {
			os, _, err := f.db.Objections(f.ctx, by, "", scs.Page{}, f.now)
			for _, o := range os {
				if by.Role == scs.RoleCitizen && o.Citizen != by.Citizen {
					t.Errorf("citizen %s sees objection %+v", by.Citizen, o)
				}
			}
			return err
		}},
		{"WatchList", []string{"official", "admin"}, func(by *scs.Account) error {
			_, _, err := f.db.WatchList(f.ctx, by, scs.Page{}, f.now)
			return err
		}},
		{"Visits", []string{"official", "admin"}, func(by *scs.Account) error {
			_, err := f.db.Visits(f.ctx, by, f.now, "")
			return err
		}},
		{"CreateAccount", []string{"admin"}, func(by *scs.Account) error {
			_, _, err := f.db.CreateAccount(f.ctx, by, scs.Account{Name: fresh("a"), Role: scs.RoleReviewer})
			return err
		}},
		{"Accounts", []string{"admin"}, func(by *scs.Account) error {
			_, err := f.db.Accounts(f.ctx, by)
			return err
		}},
		{"RevokeAccount", []string{"admin"}, func(by *scs.Account) error {
			a, _, err := f.db.CreateAccount(f.ctx, f.admin, scs.Account{Name: fresh("v"), Role: scs.RoleReviewer})
			if err != nil {
				t.Fatal(err)
			}
			return f.db.RevokeAccount(f.ctx, by, a.ID)
		}},
	}
	actors := []struct {
		name string
		acc  *scs.Account
	}{
		{"anonymous", nil}, {"revoked", revoked}, {"citizen", f.citizen}, {"other", f.other},
		{"official", f.official}, {"reviewer", f.reviewer}, {"admin", f.admin},
	}
	for _, op := range ops {
		for _, a := range actors {
			err := op.run(a.acc)
			want := scs.EFORBIDDEN
			switch {
			case a.acc == nil || a.acc.Revoked != nil:
				want = scs.EUNAUTHORIZED
			case contains(op.allow, a.name):
				want = ""
			}
			if scs.ErrorCode(err) != want || (err != nil && scs.ErrorMessage(err) == "") {
				t.Errorf("%s by %s: %v (code %q), want code %q", op.name, a.name, err, scs.ErrorCode(err), want)
			}
		}
	}
	// An official reports only their department's rules.
	_, err := f.db.ReportRecords(f.ctx, f.traffic, []scs.Event{ev("x-dept", "c1", "returned-lost-money", t0.Add(-time.Hour))})
	wantCode(t, err, scs.EFORBIDDEN)
	if _, err := f.db.ReportRecords(f.ctx, f.traffic, []scs.Event{ev("x-dept", "c1", "speeding-ticket", t0.Add(-time.Hour))}); err != nil {
		t.Fatal(err)
	}
	// Anyone reads the public list and the statistics.
	if _, _, err := f.db.PublicList(f.ctx, scs.Page{}, f.now); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Stats(f.ctx, f.now); err != nil {
		t.Fatal(err)
	}
	// Every write records who made it.
	var account int64
	f.db.r.QueryRow(f.db.q(`SELECT account FROM ledger WHERE rid = ?`), "x-dept").Scan(&account)
	if account != f.traffic.ID {
		t.Fatalf("record x-dept stored with account %d, want %d", account, f.traffic.ID)
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
