package testkit

import (
	"os"
	"strconv"
)

// BenchN returns n, or the value of the environment variable (default
// SCS_BENCH_N) when set, for quick runs of a benchmark.
func BenchN(n int, env ...string) int {
	name := "SCS_BENCH_N"
	if len(env) > 0 {
		name = env[0]
	}
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return n
}
