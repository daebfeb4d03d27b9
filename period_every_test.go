package scs

import "testing"

// TestPeriodEvery checks the recurrences people read: one unit without
// its "1", anything else with its count.
func TestPeriodEvery(t *testing.T) {
	for _, c := range []struct {
		p           Period
		every, rate string
	}{
		{Period{Days: 1}, "every day", "3 a day"},
		{Period{Days: 7}, "every week", "3 a week"},
		{Period{Months: 1}, "every month", "3 a month"},
		{Period{Years: 1}, "every year", "3 a year"},
		{Period{Days: 14}, "every 2 weeks", "3 every 2 weeks"},
		{Period{Months: 12}, "every 12 months", "3 every 12 months"},
		{Period{Years: 1, Months: 6}, "every 1 year 6 months", "3 every 1 year 6 months"},
	} {
		if got := c.p.Every(); got != c.every {
			t.Errorf("%v.Every() = %q, want %q", c.p, got, c.every)
		}
		if got := c.p.Rate(3); got != c.rate {
			t.Errorf("%v.Rate(3) = %q, want %q", c.p, got, c.rate)
		}
	}
}
