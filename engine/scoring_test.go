package engine_test

import (
	"strings"
	"testing"
	"time"

	"scs"
)

func TestScoringEligibilityAndConsent(t *testing.T) {
	e := newEngine(t)
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	resident := at("2020-03-01T00:00:00Z")
	p := &scs.Person{BirthYear: 2000, ResidentSince: resident, ConsentKnown: true,
		ConsentChanges: []scs.ConsentChange{{At: at("2021-06-01T00:00:00Z"), Consent: true}, {At: at("2023-01-01T00:00:00Z"), Consent: false}}}
	sc := e.Scoring(p)
	for _, c := range []struct {
		at    string
		ok    bool
		words string
	}{
		{"2017-12-31T15:00:00Z", false, "under 18"},       // 2017-12-31 23:00 in Shanghai: 17 that year
		{"2018-01-01T00:00:00Z", false, "resident since"}, // 18 from 1 January 2018 (Shanghai), resident less than a year
		{"2021-03-01T00:00:00Z", false, "before the person's consent"},
		{"2021-06-01T00:00:00Z", true, ""},
		{"2022-12-31T23:59:59Z", true, ""},
		{"2023-01-01T00:00:00Z", false, "withdrew consent"},
	} {
		ok, reason := sc.At(at(c.at))
		why := reason.String()
		if ok != c.ok || !strings.Contains(why, c.words) {
			t.Errorf("At(%s) = %v %q, want %v and %q", c.at, ok, why, c.ok, c.words)
		}
	}
	// A record kept but not scored leaves the state as it was.
	st := e.NewState("x")
	te, err := e.ApplyFor(&st, &scs.Event{ID: "e1", Citizen: "x", Rule: "tax-evasion", At: at("2021-03-01T00:00:00Z")}, sc)
	if err != nil || !te.NotScored || te.Applied != 0 || st.Score != 1000 || st.Events != 0 {
		t.Fatalf("unscored record: %v %+v, state %+v", err, te, st)
	}
	if _, scored, err := e.StepFor(&st, &scs.Event{ID: "e2", Citizen: "x", Rule: "tax-evasion", At: at("2021-07-01T00:00:00Z")}, sc); err != nil || !scored || st.Score != 900 {
		t.Fatalf("scored record: %v %v, state %+v", err, scored, st)
	}
	// An invalid event is still an error, scored or not.
	if _, err := e.ApplyFor(&st, &scs.Event{ID: "e3", Citizen: "x", Rule: "no-such-rule", At: at("2021-03-01T00:00:00Z")}, sc); err == nil {
		t.Fatal("an unknown rule passed because the record is not scored")
	}
	// Nothing on record: eligible and consenting, in words.
	none := e.Scoring(&scs.Person{})
	if ok, _ := none.At(at("1950-01-01T00:00:00Z")); !ok {
		t.Error("a person with nothing on record is not scored")
	}
	if got, want := none.Assumed(), "nothing is on record about the person's age, residence or consent: taken as eligible and consenting"; got != want {
		t.Errorf("Assumed() = %q, want %q", got, want)
	}
	// Consent given at registration counts from the start.
	if ok, _ := e.Scoring(&scs.Person{BirthYear: 1970, ConsentKnown: true, ConsentFromStart: true}).At(at("2001-01-01T00:00:00Z")); !ok {
		t.Error("consent at registration does not cover earlier records")
	}
}
