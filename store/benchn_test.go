package store

import (
	"os"
	"strconv"
)

// benchN returns n, or the value of the environment variable (default
// SCS_BENCH_N) when set, for quick runs.
func benchN(n int, env ...string) int {
	name := "SCS_BENCH_N"
	if len(env) > 0 {
		name = env[0]
	}
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return n
}
