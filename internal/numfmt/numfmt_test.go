package numfmt

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestInt(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", -1000: "-1,000",
		20000: "20,000", 113052: "113,052", -1234567: "-1,234,567", math.MinInt64: "-9,223,372,036,854,775,808"} {
		if got := Int(n); got != want {
			t.Errorf("Int(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestRound(t *testing.T) {
	tests := []struct {
		f    float64
		d    int
		want string
	}{
		{25800, 2, "25,800"}, {624.5, 2, "624.5"}, {1041.456, 2, "1,041.46"}, {-0.4, 0, "0"},
		{-1234.5, 0, "-1,235"}, {1e6, 0, "1,000,000"}, {0.125, 1, "0.1"}, {math.Inf(1), 0, "+Inf"},
	}
	for _, tc := range tests {
		if got := Round(tc.f, tc.d); got != tc.want {
			t.Errorf("Round(%v, %d) = %q, want %q", tc.f, tc.d, got, tc.want)
		}
	}
}

// FuzzRound checks that taking the commas out gives back the number
// strconv writes, so grouping never changes a digit.
func FuzzRound(f *testing.F) {
	f.Add(1234567.891, 2)
	f.Add(-0.0, 0)
	f.Fuzz(func(t *testing.T, v float64, d int) {
		if d < 0 || d > 6 || math.IsInf(v, 0) || math.IsNaN(v) || math.Abs(v) > 1e15 {
			return
		}
		got := Round(v, d)
		back, err := strconv.ParseFloat(strings.ReplaceAll(got, ",", ""), 64)
		if err != nil {
			t.Fatalf("Round(%v, %d) = %q: %v", v, d, got, err)
		}
		p := math.Pow(10, float64(d))
		if want := math.Round(v*p) / p; back != want && !(back == 0 && want == 0) {
			t.Fatalf("Round(%v, %d) = %q reads %v, want %v", v, d, got, back, want)
		}
	})
}
