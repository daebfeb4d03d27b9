package server

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"scs"
	"scs/engine"
	"scs/schemes"
)

// TestVisitAdvice checks the advice a visit carries: Li Na fell into B
// (1000 - 100 = 900) six months before pageNow, so B's two-year lock-in
// holds her until 20 June 2028; the 60 points to A take blood donation and
// volunteering well within that, so her fastest plan with the advised
// rules reaches A the day the lock-in ends.
func TestVisitAdvice(t *testing.T) {
	eng, err := engine.New(schemes.MustLoad("rongcheng"))
	if err != nil {
		t.Fatal(err)
	}
	reg := newPageFake(eng)
	reg.addCitizen(scs.Citizen{ID: "c-9", Name: "Li Na", Neighbourhood: "Shidao", BirthYear: 1970, Consent: true})
	fell := pageNow.AddDate(0, -6, 0)
	reg.records = append(reg.records, scs.Record{Event: scs.Event{ID: "tax", Citizen: "c-9", Rule: "tax-evasion", At: fell}})
	admin := reg.addAccount("admin-token", scs.Account{Name: "Admin", Role: scs.RoleAdmin})
	s, err := New(Deps{Registry: reg, Settings: reg, History: reg, Engine: eng, Now: func() time.Time { return pageNow }})
	if err != nil {
		t.Fatal(err)
	}
	vs := s.adviseVisits(context.Background(), admin, []scs.Visit{{Citizen: "c-9", Name: "Li Na", Grade: "B", Count: 1}, {Citizen: "c-2", Grade: "D", Count: 3}}, pageNow)
	a := vs[0].Advice
	if a == nil || strings.Join(a.Rules, " ") != "blood-donation charitable-donation volunteer-service" || a.Status != scs.StatusEssay || a.Plan == nil {
		t.Fatalf("advice for B: %+v", a)
	}
	lockEnd := fell.In(s.zone()).AddDate(2, 0, 0)
	if p := a.Plan; p.Target != "A" || p.Earliest == nil || !p.Earliest.Equal(lockEnd) || p.Person != "no-money" || p.CostYuan != 0 {
		t.Errorf("plan: %+v, want A on %v for no money", p, lockEnd)
	}
	for _, st := range a.Plan.Steps {
		if st.Rule != "blood-donation" && st.Rule != "volunteer-service" {
			t.Errorf("step %+v is not advised (or costs money)", st)
		}
	}
	if !strings.Contains(a.Plan.Summary, "back in A on 2028-06-20") {
		t.Errorf("summary %q", a.Plan.Summary)
	}
	if vs[1].Advice != nil {
		t.Errorf("D declares no advice, got %+v", vs[1].Advice)
	}
	b, _ := json.Marshal(vs[0])
	if !strings.Contains(string(b), `"citizen":"c-9"`) || !strings.Contains(string(b), `"advice":{"rules":["blood-donation"`) || !strings.Contains(string(b), `"plan":{"person":"no-money","target":"A","earliest":"2028-06-20`) {
		t.Errorf("JSON: %s", b)
	}
}
