package sim

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"scs/schemes"
)

// benchRun simulates citizens for years with the Rongcheng scheme and the
// default behaviour (one run, no claims), then, in the same process, the
// records-only baseline loop over the same number of records and the
// speed-of-light loop over the same citizen-years (SpeedOfLight), and
// reports citizen-years/s, the simulation's time as a multiple of each
// loop's (x-baseline-time, x-light-time) and the peak resident memory.
func benchRun(b *testing.B, citizens, years int) {
	s, err := schemes.Load("rongcheng")
	if err != nil {
		b.Fatal(err)
	}
	// The run ends on Jan 1 in the scheme's zone, as `scs simulate` does by
	// default (--end 2026-01-01T00:00:00+08:00 for Rongcheng), so that the
	// benchmark measures the command of docs/benchmarks.md: a run year is a
	// calendar year, with no Jan 1 inside it. (Until session 7 it ended at
	// midnight UTC, 8 hours after Jan 1 in Rongcheng, which split every
	// citizen-year in two at a Jan 1: about 3% more work than the command.)
	cfg := Config{Scheme: s, Citizens: citizens, Years: years, Seed: 1, End: time.Date(2026, 1, 1, 0, 0, 0, 0, s.Location)}
	var simSec, baseSec, lightSec, cpuSec, lightCPU float64
	var records int64
	for b.Loop() {
		c0 := cpuSeconds()
		t0 := time.Now()
		res, err := Simulate(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		simSec += time.Since(t0).Seconds()
		cpuSec += cpuSeconds() - c0
		records = res.Events
		t1 := time.Now()
		Baseline(s, records, 0, 1)
		baseSec += time.Since(t1).Seconds()
		c2, t2 := cpuSeconds(), time.Now()
		SpeedOfLight(s, citizens, years, 0, 1)
		lightSec += time.Since(t2).Seconds()
		lightCPU += cpuSeconds() - c2
	}
	cy := float64(citizens) * float64(years) * float64(b.N)
	b.ReportMetric(cy/simSec, "citizen-years/s")
	b.ReportMetric(cy/baseSec, "baseline-citizen-years/s")
	b.ReportMetric(simSec/baseSec, "x-baseline-time")
	b.ReportMetric(lightSec/float64(b.N), "light-s/run")
	b.ReportMetric(simSec/lightSec, "x-light-time")
	b.ReportMetric(lightCPU/float64(b.N), "light-cpu-s/run")
	b.ReportMetric(cpuSec/lightCPU, "x-light-cpu")
	b.ReportMetric(float64(records)/(float64(citizens)*float64(years)), "records/citizen-year")
	b.ReportMetric(simSec/float64(b.N), "s/run")
	// CPU seconds of the simulation: on a machine shared with other work,
	// cpu-s/run divided by the cores is what the run would take alone.
	b.ReportMetric(cpuSec/float64(b.N), "cpu-s/run")
	if kb := peakRSSKiB(); kb > 0 {
		b.ReportMetric(float64(kb)/1024, "peak-RSS-MiB")
	}
}

// cpuSeconds returns the process's user and system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// peakRSSKiB returns the process's peak resident set (VmHWM), 0 if unknown.
func peakRSSKiB() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// BenchmarkRongcheng700k is the first goal: 700,000 citizens for 10 years.
func BenchmarkRongcheng700k(b *testing.B) { benchRun(b, 700_000, 10) }

// BenchmarkRongcheng100M is 100 million citizens for 10 years (about 15
// minutes on 2 cores); it runs only with SCS_BENCH_HUGE=1.
func BenchmarkRongcheng100M(b *testing.B) {
	if os.Getenv("SCS_BENCH_HUGE") == "" {
		b.Skip("takes many minutes: set SCS_BENCH_HUGE=1 to run it")
	}
	benchRun(b, 100_000_000, 10)
}

// BenchmarkChina is 1.41 billion citizens for 10 years, streamed (hours on
// 2 cores); it runs only with SCS_BENCH_HUGE=2.
func BenchmarkChina(b *testing.B) {
	if os.Getenv("SCS_BENCH_HUGE") != "2" {
		b.Skip("takes hours: set SCS_BENCH_HUGE=2 to run it")
	}
	benchRun(b, 1_410_000_000, 10)
}

// BenchmarkSimulate100k is a quick profile target: 100,000 citizens, 10 years.
func BenchmarkSimulate100k(b *testing.B) { benchRun(b, 100_000, 10) }
