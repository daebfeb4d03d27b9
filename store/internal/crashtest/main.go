// Command crashtest is the store's crash-test writer: it opens a registry
// database, registers a few citizens if they are missing, and reports
// records from concurrent writers until it is killed, printing "ack ID" on
// standard output for every record whose write has committed. The store's
// crash test kills it with SIGKILL at random moments and checks that
// every acknowledged record survived.
//
// Usage: crashtest DB RUN WRITERS
package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"time"

	"scs"
	"scs/schemes"
	"scs/store"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: crashtest DB RUN WRITERS")
		os.Exit(2)
	}
	run, _ := strconv.Atoi(os.Args[2])
	writers, _ := strconv.Atoi(os.Args[3])
	s, err := schemes.Load("rongcheng")
	if err != nil {
		fail(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, os.Args[1], s)
	if err != nil {
		fail(err)
	}
	admin := store.Operator()
	for i := range 10 {
		_, err := db.RegisterCitizen(ctx, admin, scs.Citizen{ID: fmt.Sprintf("c%d", i), Name: "Citizen", Neighbourhood: "n", BirthYear: 1980, Consent: true})
		if err != nil && scs.ErrorCode(err) != scs.ECONFLICT {
			fail(err)
		}
	}
	fmt.Println("ready")
	var mu sync.Mutex
	rules := []string{"returned-lost-money", "tax-evasion", "speeding-ticket", "heroic-act"}
	base := time.Now().Add(-24 * time.Hour)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(run), uint64(w)))
			for i := 0; ; i++ {
				n := 1 + rng.IntN(4)
				evs := make([]scs.Event, n)
				for k := range evs {
					evs[k] = scs.Event{ID: fmt.Sprintf("run%d-w%d-%d-%d", run, w, i, k), Citizen: fmt.Sprintf("c%d", rng.IntN(10)),
						Rule: rules[rng.IntN(len(rules))], At: base.Add(time.Duration(rng.IntN(20*3600)) * time.Second)}
				}
				if _, err := db.ReportRecords(ctx, admin, evs); err != nil {
					fail(err)
				}
				mu.Lock()
				for _, e := range evs {
					os.Stdout.WriteString("ack " + e.ID + "\n")
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "crashtest:", err)
	os.Exit(1)
}
