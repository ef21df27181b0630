package sluice

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// FuzzPipeline builds a random pipeline from the fuzzer's bytes: one or
// two sources, chains of Map, FlatMap and Filter stages with random worker
// counts, ordering and delays, a Broadcast or a Merge, queues of one to
// four batches, an optional memory budget, and at most one event: a
// failure (an error, a panic or a runtime.Goexit), a cancellation, or a
// Take. It runs the pipeline and checks it against a model: every item is
// delivered exactly once (in order where every stage before is ordered),
// a failure comes back naming its stage, the budget is back to zero, and
// no goroutine is left. The seeds run with go test; go test -fuzz
// FuzzPipeline explores further.
func FuzzPipeline(f *testing.F) {
	for _, seed := range []string{
		"",
		"\x10\x00\x00\x01\x00\x02\x00",
		"\x40\x01\x01\x02\x12\x03\x01\x00\x31\x02",
		"\xff\x02\x00\x03\x21\x13\x01\x22\x33\x01\x05",
		// A Take stopped while the workers before it held items
		// and the budget was full of them: the run hung.
		"bG\\\x7f#U\xad\x8b\x80\x83\a\xf75GgH\xe4\x8bP\xc0\xfeej\x93",
	} {
		f.Add([]byte(seed))
	}
	// And shapes drawn at random, the same every run.
	rng := rand.New(rand.NewPCG(10, 1))
	for range 40 {
		seed := make([]byte, 24)
		for i := range seed {
			seed[i] = byte(rng.IntN(256))
		}
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		before := goleak.IgnoreCurrent()
		decodeFuzz(data).run(t)
		goleak.VerifyNone(t, before)
	})
}

// secondSource is where the items of a merge's second source start, so
// that no value derived from one source equals one derived from the other.
const secondSource = 1 << 40

// fuzzItems returns from, from+1, … n items.
func fuzzItems(from, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = from + i
	}
	return s
}

// fuzzBytes hands out the fuzzer's bytes, then zeros.
type fuzzBytes []byte

func (b *fuzzBytes) next(k int) int {
	if len(*b) == 0 {
		return 0
	}
	v := int((*b)[0]) % k
	*b = (*b)[1:]
	return v
}

// fuzzStage is one Map, FlatMap or Filter stage of a fuzzed pipeline.
type fuzzStage struct {
	kind    int // 0 Map, 1 FlatMap, 2 Filter
	workers int
	ordered bool
	delay   int // 0 none, 1 yield on some items, 2 sleep on some items
}

// apply is the stage's function on the model: what v becomes.
func (s fuzzStage) apply(v int) []int {
	switch s.kind {
	case 0:
		return []int{v*3 + 1}
	case 1:
		out := make([]int, v%4) // none to three outputs
		for j := range out {
			out[j] = v*4 + j
		}
		return out
	}
	if v%3 == 0 {
		return nil
	}
	return []int{v}
}

func (s fuzzStage) String() string {
	return fmt.Sprintf("%s/w%d/o%v/d%d", [...]string{"map", "flatmap", "filter"}[s.kind], s.workers, s.ordered, s.delay)
}

type fuzzCase struct {
	shape    int // 0 chain, 1 broadcast to two branches, 2 merge of two sources
	n        int // items per source
	queueLen int
	budget   int64 // 0: none; else items are sized 1 to 4 bytes
	front    []fuzzStage
	branches [2][]fuzzStage // after the broadcast, or before the merge
	event    int            // 0 none, 1 error, 2 panic, 3 Goexit, 4 cancel, 5 take
	at       int            // which stage fails, or how many items the consumer takes
	atItem   int            // which item of its input the failing stage fails on
	useAll   bool           // the chain's consumer is All, not Sink
	sinkW    int
	sinkOrd  bool
}

func decodeFuzz(data []byte) *fuzzCase {
	b := fuzzBytes(data)
	c := &fuzzCase{}
	c.n = b.next(256)
	c.shape = b.next(3)
	c.queueLen = 1 + b.next(4)
	if b.next(2) == 1 {
		c.budget = int64(4 + b.next(60))
	}
	stages := func(k int) []fuzzStage {
		var s []fuzzStage
		for range k {
			x := b.next(256)
			s = append(s, fuzzStage{kind: x % 3, workers: 1 + x/3%4, ordered: x/12%2 == 1, delay: x / 24 % 3})
		}
		return s
	}
	c.front = stages(b.next(4))
	if c.shape != 0 {
		c.branches[0] = stages(b.next(3))
		c.branches[1] = stages(b.next(3))
	}
	c.event = b.next(6)
	c.at = b.next(256)
	c.atItem = b.next(256)
	c.useAll = b.next(2) == 1
	c.sinkW = 1 + b.next(3)
	c.sinkOrd = b.next(2) == 1
	return c
}

// delay slows some items down: yielding or sleeping a few microseconds.
func fuzzDelay(kind, v int) {
	switch {
	case kind == 1 && v%3 == 0:
		runtime.Gosched()
	case kind == 2 && v%5 == 0:
		time.Sleep(time.Duration(v%7) * 5 * time.Microsecond)
	}
}

// modelRun passes items through stages on the model.
func modelRun(items []int, stages []fuzzStage) []int {
	for _, s := range stages {
		var out []int
		for _, v := range items {
			out = append(out, s.apply(v)...)
		}
		items = out
	}
	return items
}

// ordered reports whether stages keep their input's order.
func orderedChain(stages []fuzzStage) bool {
	for _, s := range stages {
		if !s.ordered && s.workers > 1 {
			return false
		}
	}
	return true
}

// failure is the one stage set to fail, and the value it fails on.
type failure struct {
	name  string
	value int
	index int  // the value's index in the stage's input
	exact bool // the input reaches the stage in the model's order
	kind  int  // 1 error, 2 panic, 3 Goexit
}

// build adds stages to p after in; fail, if its name is one of them, makes
// that stage fail on its value.
func buildChain(p *Pipeline, in *Stream[int], prefix string, stages []fuzzStage, fl *failure) *Stream[int] {
	for i, s := range stages {
		name := fmt.Sprintf("%s%d-%s", prefix, i, s)
		o := Opts{Workers: s.workers, Ordered: s.ordered}
		check := func(v int) {
			if fl == nil || fl.name != name || v != fl.value {
				return
			}
			switch fl.kind {
			case 2:
				panic(errBoom)
			case 3:
				runtime.Goexit()
			}
		}
		failing := fl != nil && fl.name == name && fl.kind == 1
		switch s.kind {
		case 0:
			in = Map(in, name, o, func(_ context.Context, v int) (int, error) {
				fuzzDelay(s.delay, v)
				check(v)
				if failing && v == fl.value {
					return 0, errBoom
				}
				return s.apply(v)[0], nil
			})
		case 1:
			in = FlatMap(in, name, o, func(_ context.Context, v int, emit func(int) error) error {
				check(v)
				if failing && v == fl.value {
					return errBoom
				}
				for _, u := range s.apply(v) {
					if err := emit(u); err != nil {
						return err
					}
					fuzzDelay(s.delay, u)
				}
				return nil
			})
		default:
			in = Filter(in, name, o, func(_ context.Context, v int) (bool, error) {
				fuzzDelay(s.delay, v)
				check(v)
				if failing && v == fl.value {
					return false, errBoom
				}
				return len(s.apply(v)) > 0, nil
			})
		}
	}
	return in
}

// fuzzOut is what one consumer received, and what the model expects.
type fuzzOut struct {
	name    string
	mu      sync.Mutex
	got     []int
	want    []int
	ordered bool
}

func (c *fuzzCase) run(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := New(Config{Budget: c.budget, QueueLen: c.queueLen})
	source := func(name string, from int) *Stream[int] {
		s := FromSlice(p, name, fuzzItems(from, c.n))
		if c.budget > 0 {
			s = SizedBy(s, func(v int) int64 { return int64(1 + v%4) })
		}
		return s
	}
	// The chains in the order their stages are added, with their model
	// inputs, to place a failure.
	type chain struct {
		prefix  string
		stages  []fuzzStage
		in      []int
		ordered bool
	}
	var chains []chain
	var outs []*fuzzOut
	var allIn *Stream[int] // the stream All reads, if it is the consumer
	var fl *failure
	pickFailure := func() {
		if c.event < 1 || c.event > 3 {
			return
		}
		var all []failure
		for _, ch := range chains {
			items, ord := ch.in, ch.ordered
			for i, s := range ch.stages {
				if len(items) > 0 {
					k := c.atItem % len(items)
					all = append(all, failure{name: fmt.Sprintf("%s%d-%s", ch.prefix, i, s), value: items[k], index: k, exact: ord, kind: c.event})
				}
				items = modelRun(items, ch.stages[i:i+1])
				ord = ord && orderedChain(ch.stages[i:i+1])
			}
		}
		if len(all) > 0 {
			fl = &all[c.at%len(all)]
		}
	}
	src := ints(c.n)
	switch c.shape {
	case 0:
		chains = []chain{{"a", c.front, src, true}}
	case 1:
		mid := modelRun(src, c.front)
		ord := orderedChain(c.front)
		chains = []chain{{"a", c.front, src, true}, {"b", c.branches[0], mid, ord}, {"c", c.branches[1], mid, ord}}
	case 2:
		second := fuzzItems(secondSource, c.n)
		chains = []chain{{"b", c.branches[0], src, true}, {"c", c.branches[1], second, true}}
		merged := append(modelRun(src, c.branches[0]), modelRun(second, c.branches[1])...)
		chains = append(chains, chain{"a", c.front, merged, false})
	}
	pickFailure()
	consumers := func(s *Stream[int], name string, ch chain) {
		want := modelRun(ch.in, ch.stages)
		o := &fuzzOut{name: name, want: want, ordered: ch.ordered && orderedChain(ch.stages)}
		outs = append(outs, o)
		take := c.event == 5
		if take {
			s = Take(s, name+"-take", int64(c.at%(len(want)+2)))
		}
		if c.shape == 0 && c.useAll {
			allIn = s // ranged over below
			return
		}
		sinkOrd := c.sinkOrd || c.sinkW == 1
		o.ordered = o.ordered && sinkOrd
		Sink(s, name, Opts{Workers: c.sinkW, Ordered: c.sinkOrd}, func(_ context.Context, v int) error {
			o.mu.Lock()
			o.got = append(o.got, v)
			n := len(o.got)
			o.mu.Unlock()
			if c.event == 4 && n == 1+c.at%(len(want)+1) {
				cancel()
			}
			return nil
		})
	}
	switch c.shape {
	case 0:
		consumers(buildChain(p, source("src", 0), "a", c.front, fl), "out", chains[0])
	case 1:
		mid := buildChain(p, source("src", 0), "a", c.front, fl)
		bs := Broadcast(mid, "fan", 2)
		consumers(buildChain(p, bs[0], "b", c.branches[0], fl), "out0", chains[1])
		consumers(buildChain(p, bs[1], "c", c.branches[1], fl), "out1", chains[2])
	case 2:
		x := buildChain(p, source("src0", 0), "b", c.branches[0], fl)
		y := buildChain(p, source("src1", secondSource), "c", c.branches[1], fl)
		consumers(buildChain(p, Merge("merge", x, y), "a", c.front, fl), "out", chains[2])
	}
	var err error
	if c.shape == 0 && c.useAll {
		o := outs[0]
		for v, e := range All(ctx, allIn) {
			if e != nil {
				err = e
				break
			}
			o.got = append(o.got, v)
			if c.event == 4 && len(o.got) == 1+c.at%(len(o.want)+1) {
				cancel()
			}
		}
	} else {
		err = p.Run(ctx)
	}
	c.check(t, p, err, outs, fl)
}

func (c *fuzzCase) check(t *testing.T, p *Pipeline, err error, outs []*fuzzOut, fl *failure) {
	t.Helper()
	describe := func() string {
		var sb strings.Builder
		fmt.Fprintf(&sb, "shape %d, %d items, queue %d, budget %d, event %d at %d/%d, front %v, branches %v",
			c.shape, c.n, c.queueLen, c.budget, c.event, c.at, c.atItem, c.front, c.branches)
		return sb.String()
	}
	switch {
	case fl != nil:
		var se *StageError
		if !errors.As(err, &se) || se.Stage != fl.name {
			t.Fatalf("%s\nRun: got %v, want the failure of stage %q", describe(), err, fl.name)
		}
		switch fl.kind {
		case 1:
			if !errors.Is(err, errBoom) {
				t.Errorf("got %v, want boom", err)
			}
		case 2:
			var pe *PanicError
			if !errors.As(err, &pe) || !errors.Is(err, errBoom) {
				t.Errorf("got %v, want a *PanicError of boom", err)
			}
		case 3:
			if !errors.Is(err, ErrGoexit) {
				t.Errorf("got %v, want ErrGoexit", err)
			}
		}
		if fl.exact && se.Item != int64(fl.index) {
			t.Errorf("%s\nfailed item: got %d, want %d", describe(), se.Item, fl.index)
		}
	case c.event == 4:
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Fatalf("%s\nRun after cancel: got %v, want nil or context.Canceled", describe(), err)
		}
	default:
		if err != nil {
			t.Fatalf("%s\nRun: got %v, want nil", describe(), err)
		}
	}
	complete := fl == nil && c.event != 4
	for _, o := range outs {
		want := o.want
		if c.event == 5 {
			want = want[:min(len(want), c.at%(len(want)+2))]
		}
		seen := make(map[int]bool, len(o.got))
		for _, v := range o.got {
			if seen[v] {
				t.Fatalf("%s\n%s: item %d delivered twice", describe(), o.name, v)
			}
			seen[v] = true
		}
		switch {
		case complete && c.event == 5 && !o.ordered:
			// Take after unordered stages keeps any n of the items.
			if len(o.got) != len(want) {
				t.Fatalf("%s\n%s: got %d items, want %d", describe(), o.name, len(o.got), len(want))
			}
			all := make(map[int]bool, len(o.want))
			for _, v := range o.want {
				all[v] = true
			}
			for _, v := range o.got {
				if !all[v] {
					t.Fatalf("%s\n%s: got item %d, which the model never makes", describe(), o.name, v)
				}
			}
		case complete && o.ordered:
			if !slices.Equal(o.got, want) {
				t.Fatalf("%s\n%s: got %v, want %v in order", describe(), o.name, o.got, want)
			}
		case complete:
			got := slices.Sorted(slices.Values(o.got))
			if !slices.Equal(got, slices.Sorted(slices.Values(want))) {
				t.Fatalf("%s\n%s: got %v, want %v in any order", describe(), o.name, got, want)
			}
		default:
			// A failed or cancelled run delivers some of the items,
			// each once. Not always a prefix: after the failure an
			// ordered stage may drop outputs kept in its reorder window
			// while the reader still takes later ones from a worker
			// (input 967a963bebf5e7db in testdata/fuzz).
			all := make(map[int]bool, len(o.want))
			for _, v := range o.want {
				all[v] = true
			}
			for _, v := range o.got {
				if !all[v] {
					t.Fatalf("%s\n%s: got item %d, which the model never makes", describe(), o.name, v)
				}
			}
		}
	}
	s := p.Stats()
	if s.InFlight != 0 {
		t.Errorf("%s\nInFlight after the run: got %d, want 0", describe(), s.InFlight)
	}
	if c.budget > 0 && s.PeakBytes > c.budget {
		t.Errorf("%s\nPeakBytes: got %d, want at most %d", describe(), s.PeakBytes, c.budget)
	}
}
