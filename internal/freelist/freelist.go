// Package freelist keeps released values for reuse. Unlike a sync.Pool,
// which a garbage collection empties, a List keeps what it is given until
// Drop: the codecs and the engine recycle buffers of megabytes, and each
// refill after a collection would allocate them again.
package freelist

import "sync"

// List is a stack of released values, safe for concurrent use. The zero
// value is empty and ready.
type List[T any] struct {
	mu   sync.Mutex
	free []*T
}

// Get returns a released value, or nil when there is none.
func (l *List[T]) Get() *T {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.free)
	if n == 0 {
		return nil
	}
	v := l.free[n-1]
	l.free = l.free[:n-1]
	return v
}

// Put releases v for a later Get.
func (l *List[T]) Put(v *T) {
	l.mu.Lock()
	l.free = append(l.free, v)
	l.mu.Unlock()
}

// Drop forgets every released value, so that the collector can take them.
func (l *List[T]) Drop() {
	l.mu.Lock()
	l.free = nil
	l.mu.Unlock()
}
