package freelist

import (
	"sync"
	"testing"
)

func TestList(t *testing.T) {
	var l List[int]
	if l.Get() != nil {
		t.Fatal("an empty list gave a value")
	}
	a, b := new(int), new(int)
	l.Put(a)
	l.Put(b)
	if got := l.Get(); got != b {
		t.Fatal("Get did not give the value put last")
	}
	if got := l.Get(); got != a {
		t.Fatal("Get did not give the value put first")
	}
	if l.Get() != nil {
		t.Fatal("a list emptied by Get gave a value")
	}
	l.Put(a)
	l.Drop()
	if l.Get() != nil {
		t.Fatal("a dropped list gave a value")
	}
}

// TestListConcurrent checks under -race that every value put comes back
// once.
func TestListConcurrent(t *testing.T) {
	var l List[int]
	const n = 1000
	for i := range n {
		v := i
		l.Put(&v)
	}
	seen := make([]bool, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for v := l.Get(); v != nil; v = l.Get() {
				mu.Lock()
				if seen[*v] {
					t.Errorf("%d came back twice", *v)
				}
				seen[*v] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for i, ok := range seen {
		if !ok {
			t.Fatalf("%d never came back", i)
		}
	}
}
