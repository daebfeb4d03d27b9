package sim

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// run simulates the neighbourhoods on the workers, hands their outputs to
// Config.OnHood in order, and sums their metrics.
func (m *model) run(ctx context.Context) (*Result, error) {
	began := time.Now()
	workers := m.cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	count := m.hi - m.lo
	if m.list != nil {
		count = len(m.list)
	}
	workers = max(1, min(workers, count))
	f := m.newFanout(workers)
	f.count = count
	g, gctx := errgroup.WithContext(ctx)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		g.Go(func() error {
			defer wg.Done()
			return f.work(gctx)
		})
	}
	g.Go(func() error {
		wg.Wait()
		close(f.outs)
		return nil
	})
	g.Go(func() error { return f.collect(gctx) })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if m.cfg.Progress != nil {
		m.cfg.Progress(f.done.Load())
	}
	return m.result(f, time.Since(began)), nil
}

// fanout is one run's neighbourhoods shared out among the workers, and
// what they hand back.
type fanout struct {
	m       *model
	count   int // neighbourhoods to simulate
	ordered bool
	next    atomic.Int64 // the next neighbourhood to take, 0 to count-1
	done    atomic.Int64 // citizens simulated
	events  atomic.Int64
	outs    chan hoodDone
	window  chan struct{}

	mu            sync.Mutex
	total, sample *Metrics
}

// hoodDone is the output of the i-th neighbourhood of the run's order.
type hoodDone struct {
	i   int
	out *HoodOutput
}

func (m *model) newFanout(workers int) *fanout {
	return &fanout{m: m, ordered: m.cfg.OnHood != nil,
		outs: make(chan hoodDone, 4*workers),
		// The window bounds how far workers may run ahead of the
		// neighbourhood the ordered writer waits for, so that memory
		// stays bounded.
		window: make(chan struct{}, 8*workers),
		total:  newMetrics(m.cfg.Years, m.nG, len(m.scheme.Rules), m.scheme.Floor),
		sample: newMetrics(m.cfg.Years, m.nG, len(m.scheme.Rules), m.scheme.Floor)}
}

// work simulates neighbourhoods until none is left, the context is
// cancelled or one fails, then adds the worker's metrics to the totals.
func (f *fanout) work(ctx context.Context) error {
	m := f.m
	wk := newWorker(m)
	err := f.loop(ctx, wk)
	f.events.Add(wk.events)
	f.mu.Lock()
	f.total.Merge(wk.metAll)
	f.total.Merge(wk.metSample)
	f.sample.Merge(wk.metSample)
	f.mu.Unlock()
	return err
}

func (f *fanout) loop(ctx context.Context, wk *worker) error {
	m := f.m
	for ctx.Err() == nil {
		if f.ordered {
			select {
			case f.window <- struct{}{}:
			case <-ctx.Done():
				return nil
			}
		}
		i := int(f.next.Add(1) - 1)
		if i >= f.count {
			if f.ordered {
				<-f.window
			}
			return nil
		}
		h := m.lo + i
		if m.list != nil {
			h = m.list[i]
		}
		if m.failHood != nil {
			if err := m.failHood(h); err != nil {
				return err
			}
		}
		out, err := wk.hood(h)
		if err != nil {
			return err
		}
		f.done.Add(int64(m.size(h)))
		if f.ordered {
			select {
			case f.outs <- hoodDone{i, out}:
			case <-ctx.Done():
				return nil
			}
		}
	}
	return nil
}

// collect hands the neighbourhoods' outputs to Config.OnHood in
// neighbourhood order and reports progress, until the workers are done.
func (f *fanout) collect(ctx context.Context) error {
	m := f.m
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	pending := map[int]*HoodOutput{}
	want := 0
	for {
		select {
		case d, ok := <-f.outs:
			if !ok {
				return nil
			}
			pending[d.i] = d.out
			for {
				o, ok := pending[want]
				if !ok {
					break
				}
				delete(pending, want)
				want++
				<-f.window
				if err := m.cfg.OnHood(o); err != nil {
					return err
				}
			}
		case <-tick.C:
			if m.cfg.Progress != nil {
				m.cfg.Progress(f.done.Load())
			}
		case <-ctx.Done():
			return nil
		}
	}
}

// result is the run's Result from the fan-out's totals.
func (m *model) result(f *fanout, elapsed time.Duration) *Result {
	res := &Result{Scheme: m.scheme, Given: m.cfg.Scheme, Settings: m.cfg.Settings, Citizens: m.cfg.Citizens, Years: m.cfg.Years, Seed: m.cfg.Seed,
		Start: m.start, End: m.end, Hoods: m.hoods, Mapping: m.mapping, Metrics: f.total, Elapsed: elapsed, Events: f.events.Load(),
		Lists: m.lists, JobSecurity: m.jobCap, Consequences: m.fearful, Offers: m.offers}
	res.Listed = make([]bool, m.nG)
	for g, k := range m.stigmaK {
		res.Listed[g] = k > 0
	}
	if m.jobCap != "" {
		res.NoJobSecurity = slices.Clone(m.lowGrade)
	} else {
		res.NoJobSecurity = make([]bool, m.nG)
	}
	if m.inSample != nil {
		for h, in := range m.inSample {
			if in {
				res.SampleHoods++
				res.SampleCitizens += m.size(h)
			}
		}
		if m.list != nil {
			res.Citizens, res.Hoods = res.SampleCitizens, res.SampleHoods
		} else {
			res.SampleMetrics = f.sample
		}
	}
	return res
}
