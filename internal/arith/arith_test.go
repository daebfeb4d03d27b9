package arith

import (
	"math"
	"testing"
)

func TestArith(t *testing.T) {
	if got := Sum([]int64{3, -1, 5}); got != 7 {
		t.Errorf("Sum = %d, want 7", got)
	}
	if got := Sum(nil); got != 0 {
		t.Errorf("Sum(nil) = %d", got)
	}
	if got := Div(1, 4); got != 0.25 {
		t.Errorf("Div(1, 4) = %v", got)
	}
	if got := Ratio(3, 0); !math.IsNaN(got) {
		t.Errorf("Ratio(3, 0) = %v, want NaN", got)
	}
	if got := Ratio(-3, 2); got != -1.5 {
		t.Errorf("Ratio(-3, 2) = %v", got)
	}
}
