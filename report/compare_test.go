package report

import (
	"slices"
	"testing"
	"time"

	"scs"
	"scs/engine"
	"scs/schemes"
)

// TestWithConductKeepsTheFirstScheme checks that the conduct added for the
// comparison run is worth nothing under the first scheme: the same records
// give the same scores with and without it, and the added conduct is what
// the second scheme scores and the first does not.
func TestWithConductKeepsTheFirstScheme(t *testing.T) {
	a, b := schemes.MustLoad("rongcheng"), schemes.MustLoad("sesame")
	aug, added := withConduct(a, b)
	for _, want := range []string{"repaid-on-time", "steady-payments", "details-completed"} {
		if !slices.Contains(added, want) {
			t.Errorf("%s not added: %v", want, added)
		}
	}
	if slices.Contains(added, "bank-arrears") || len(a.Rules) == len(aug.Rules) {
		t.Errorf("added %v", added)
	}
	ea, err := engine.New(a)
	if err != nil {
		t.Fatal(err)
	}
	eg, err := engine.New(aug)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 3, 1, 9, 0, 0, 0, a.Location)
	evs := []scs.Event{
		{ID: "1", Citizen: "c", Rule: "tax-evasion", At: at},
		{ID: "2", Citizen: "c", Rule: "repaid-on-time", At: at.Add(time.Hour), Quantity: 12, HasQuantity: true},
		{ID: "3", Citizen: "c", Rule: "details-completed", At: at.Add(2 * time.Hour), Quantity: 4, HasQuantity: true},
		{ID: "4", Citizen: "c", Rule: "volunteer-service", At: at.Add(3 * time.Hour), Quantity: 30, HasQuantity: true},
	}
	sa, sg := ea.NewState("c"), eg.NewState("c")
	for i := range evs {
		if _, err := ea.Step(&sa, &evs[i]); err != nil {
			t.Fatal(err)
		}
		if _, err := eg.Step(&sg, &evs[i]); err != nil {
			t.Fatal(err)
		}
		if sa.Score != sg.Score || ea.GradeAt(&sa, evs[i].At) != eg.GradeAt(&sg, evs[i].At) {
			t.Fatalf("after %s: %d, with the added conduct %d", evs[i].Rule, sa.Score, sg.Score)
		}
	}
	if sa.Score != 1000-100+25 {
		t.Errorf("score %d", sa.Score)
	}
}
