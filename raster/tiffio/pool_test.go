package tiffio

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestPoolOrder checks that results come back in submission order however
// the workers finish: job i returns an error naming i, and the k-th call to
// next must return job k's.
func TestPoolOrder(t *testing.T) {
	for _, workers := range []int{1, 2, 4} {
		t.Run(fmt.Sprint(workers), func(t *testing.T) {
			p := newPool(workers, 3, func() int { return 0 })
			defer p.close()
			k := 0
			check := func() {
				err := p.next()
				if want := fmt.Sprintf("job %d", k); err == nil || err.Error() != want {
					t.Errorf("result %d: got %v, want %s", k, err, want)
				}
				k++
			}
			for i := 0; i < 20; i++ {
				if p.full() {
					check()
				}
				p.submit(func(int) error {
					time.Sleep(time.Duration((20-i)%4) * time.Millisecond)
					return fmt.Errorf("job %d", i)
				})
			}
			for p.pending() > 0 {
				check()
			}
			if k != 20 {
				t.Errorf("got %d results, want 20", k)
			}
		})
	}
}

// TestPoolRunsInParallel checks that two workers run two jobs at the same
// time: each job waits for the other to start.
func TestPoolRunsInParallel(t *testing.T) {
	p := newPool(2, 2, func() int { return 0 })
	defer p.close()
	var started sync.WaitGroup
	started.Add(2)
	for range 2 {
		p.submit(func(int) error {
			started.Done()
			done := make(chan struct{})
			go func() { started.Wait(); close(done) }()
			select {
			case <-done:
				return nil
			case <-time.After(5 * time.Second):
				return errors.New("the other job never started alongside")
			}
		})
	}
	for range 2 {
		if err := p.next(); err != nil {
			t.Fatal(err)
		}
	}
}
