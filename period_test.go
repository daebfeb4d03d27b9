package scs_test

import (
	"testing"
	"time"

	"scs"
)

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in   string
		want scs.Period
		err  bool
	}{
		{"2 years", scs.Period{Years: 2}, false},
		{"1 year 6 months", scs.Period{Years: 1, Months: 6}, false},
		{"1 week", scs.Period{Days: 7}, false},
		{"90 days", scs.Period{Days: 90}, false},
		{"P2Y", scs.Period{Years: 2}, false},
		{"P1Y6M", scs.Period{Years: 1, Months: 6}, false},
		{"P2W", scs.Period{Days: 14}, false},
		{"none", scs.Period{}, false},
		{"", scs.Period{}, true},
		{"2", scs.Period{}, true},
		{"two years", scs.Period{}, true},
		{"-2 years", scs.Period{}, true},
		{"2 fortnights", scs.Period{}, true},
		{"PT5H", scs.Period{}, true},
		{"P", scs.Period{}, true},
		{"P5", scs.Period{}, true},
		{"PY", scs.Period{}, true},
	}
	for _, tc := range tests {
		got, err := scs.ParsePeriod(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParsePeriod(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestPeriodAddTo(t *testing.T) {
	cst, _ := time.LoadLocation("Asia/Shanghai")
	got := scs.Period{Years: 2}.AddTo(time.Date(2024, 3, 1, 9, 0, 0, 0, cst))
	if want := time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// FuzzParsePeriod checks that no input panics and that every accepted
// period renders to text that parses back to itself.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2 years", "P1Y6M", "1 week", "P999999999999Y", "none"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := scs.ParsePeriod(s)
		if err != nil {
			return
		}
		back, err := scs.ParsePeriod(p.String())
		if err != nil || back != p {
			t.Fatalf("%q -> %v -> %q -> %v, %v", s, p, p.String(), back, err)
		}
	})
}
