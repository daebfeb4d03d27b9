package store

import "scs/internal/testkit"

// benchN returns n, or the value of the environment variable (default
// SCS_BENCH_N) when set, for quick runs.
var benchN = testkit.BenchN
