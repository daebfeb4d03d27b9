package server

import (
	"context"
	"sync"
	"time"
)

// background runs the server's work off the request path (the caches'
// refreshes, the city's history) under one context that Server.Close
// cancels, and lets Close wait for it.
type background struct {
	ctx    context.Context
	cancel context.CancelFunc
	now    func() time.Time
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

func newBackground(now func() time.Time) *background {
	ctx, cancel := context.WithCancel(context.Background())
	return &background{ctx: ctx, cancel: cancel, now: now}
}

// run runs fn on a new goroutine unless the server is closed, and reports
// whether it did.
func (b *background) run(fn func(ctx context.Context)) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		fn(b.ctx)
	}()
	return true
}

func (b *background) close() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.cancel()
	b.wg.Wait()
}

// staleCache keeps the results of slow registry reads that pages show as
// dashboards (the city's totals, today's visits): a value younger than its
// TTL is served as is; an older one is served at once while one
// background read replaces it, so no request waits for a whole-city scan
// except the very first. Each page shows the time its figures were read.
type staleCache[T any] struct {
	mu      sync.Mutex
	entries map[string]*staleEntry[T]
}

// maxCacheEntries bounds a staleCache; beyond it values are not kept.
const maxCacheEntries = 1024

// staleReadTimeout bounds one background read.
const staleReadTimeout = 5 * time.Minute

type staleEntry[T any] struct {
	val     T
	read    time.Time
	loading bool
}

// get returns the value under key and when it was read (on bg's clock),
// calling fetch synchronously when there is none and on bg when it is
// older than ttl.
func (c *staleCache[T]) get(bg *background, key string, ttl time.Duration, fetch func(ctx context.Context) (T, error), onErr func(error)) (T, time.Time, error) {
	c.mu.Lock()
	if c.entries == nil {
		c.entries = make(map[string]*staleEntry[T])
	}
	e, ok := c.entries[key]
	if ok {
		v, read := e.val, e.read
		if bg.now().Sub(read) > ttl && !e.loading {
			e.loading = bg.run(func(ctx context.Context) {
				ctx, cancel := context.WithTimeout(ctx, staleReadTimeout)
				defer cancel()
				nv, err := fetch(ctx)
				c.mu.Lock()
				defer c.mu.Unlock()
				e.loading = false
				if err != nil {
					if ctx.Err() == nil {
						onErr(err)
					}
					return
				}
				e.val, e.read = nv, bg.now()
			})
		}
		c.mu.Unlock()
		return v, read, nil
	}
	c.mu.Unlock()
	v, err := fetch(bg.ctx)
	if err != nil {
		var zero T
		return zero, time.Time{}, err
	}
	read := bg.now()
	c.mu.Lock()
	if len(c.entries) < maxCacheEntries {
		c.entries[key] = &staleEntry[T]{val: v, read: read}
	}
	c.mu.Unlock()
	return v, read, nil
}
