package server

import (
	"context"
	"sync"
	"time"
)

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

type staleEntry[T any] struct {
	val     T
	read    time.Time
	loading bool
}

// get returns the value under key and when it was read, calling fetch
// synchronously when there is none and in the background when it is
// older than ttl.
func (c *staleCache[T]) get(key string, ttl time.Duration, fetch func(ctx context.Context) (T, error), onErr func(error)) (T, time.Time, error) {
	c.mu.Lock()
	if c.entries == nil {
		c.entries = make(map[string]*staleEntry[T])
	}
	e, ok := c.entries[key]
	if ok {
		v, read := e.val, e.read
		if time.Since(read) > ttl && !e.loading {
			e.loading = true
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
				defer cancel()
				nv, err := fetch(ctx)
				c.mu.Lock()
				defer c.mu.Unlock()
				e.loading = false
				if err != nil {
					onErr(err)
					return
				}
				e.val, e.read = nv, time.Now()
			}()
		}
		c.mu.Unlock()
		return v, read, nil
	}
	c.mu.Unlock()
	v, err := fetch(context.Background())
	if err != nil {
		var zero T
		return zero, time.Time{}, err
	}
	c.mu.Lock()
	if len(c.entries) < maxCacheEntries {
		c.entries[key] = &staleEntry[T]{val: v, read: time.Now()}
	}
	c.mu.Unlock()
	return v, time.Now(), nil
}
