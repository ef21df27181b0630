package sluice_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/sluice-go/sluice"
)

// A whole pipeline: read, square on every core in order, print.
func Example() {
	p := sluice.New(sluice.Config{})
	nums := sluice.FromSlice(p, "read", []int{1, 2, 3, 4, 5})
	squares := sluice.Map(nums, "square", sluice.Opts{Ordered: true}, func(_ context.Context, v int) (int, error) {
		return v * v, nil
	})
	sluice.Sink(squares, "print", sluice.Opts{Ordered: true}, func(_ context.Context, v int) error {
		fmt.Println(v)
		return nil
	})
	if err := p.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1
	// 4
	// 9
	// 16
	// 25
}

func ExampleNew() {
	p := sluice.New(sluice.Config{Budget: 64 << 20, QueueLen: 8})
	c := sluice.Collect(sluice.FromSlice(p, "read", []string{"a", "b"}), "collect")
	if err := p.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	fmt.Println(c.Items())
	// Output: [a b]
}

func ExamplePipeline_Run() {
	p := sluice.New(sluice.Config{})
	nums := sluice.FromSlice(p, "read", []int{1, 2, 3})
	sluice.Sink(nums, "check", sluice.Opts{}, func(_ context.Context, v int) error {
		if v == 2 {
			return errors.New("two is not allowed")
		}
		return nil
	})
	err := p.Run(context.Background())
	fmt.Println(err)
	var se *sluice.StageError
	fmt.Println(errors.As(err, &se), se.Stage, se.Item)
	// Output:
	// sluice: stage "check", item 1: two is not allowed
	// true check 1
}

func ExamplePipeline_Stats() {
	p := sluice.New(sluice.Config{})
	odd := sluice.Filter(sluice.FromSlice(p, "read", []int{1, 2, 3, 4, 5}), "odd", sluice.Opts{Workers: 2},
		func(_ context.Context, v int) (bool, error) { return v%2 == 1, nil })
	sluice.Sink(odd, "drop", sluice.Opts{}, func(context.Context, int) error { return nil })
	if err := p.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	for _, st := range p.Stats().Stages {
		fmt.Printf("%s: %d workers, %d in, %d out\n", st.Name, st.Workers, st.In, st.Out)
	}
	// Output:
	// read: 1 workers, 0 in, 5 out
	// odd: 2 workers, 5 in, 3 out
	// drop: 1 workers, 3 in, 0 out
}

func ExampleStats_Bottleneck() {
	p := sluice.New(sluice.Config{})
	slow := sluice.Map(sluice.FromSlice(p, "read", make([]int, 50)), "blur", sluice.Opts{Workers: 2},
		func(_ context.Context, v int) (int, error) {
			time.Sleep(time.Millisecond)
			return v, nil
		})
	sluice.Sink(slow, "write", sluice.Opts{}, func(context.Context, int) error { return nil })
	if err := p.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	// The sentence reads like "blur limits throughput: its 2 workers were
	// busy 99% of the time; write waited for input 98%"; Verdict has the
	// same in fields.
	s := p.Stats()
	v := s.Verdict()
	fmt.Println(strings.HasPrefix(s.Bottleneck(), "blur limits throughput"), v.Stage, v.Kind)
	// Output: true blur computing
}

// A verdict names the limiting stage, what it spent its time on, and the
// neighbour that waited on it.
func ExampleStats_Verdict() {
	p := sluice.New(sluice.Config{QueueLen: 1})
	nums := sluice.FromSlice(p, "read", make([]int, 30))
	sluice.Sink(nums, "upload", sluice.Opts{}, func(ctx context.Context, v int) error {
		end := sluice.BeginIO(ctx)
		time.Sleep(time.Millisecond) // stands for a network call
		end()
		return nil
	})
	if err := p.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	v := p.Stats().Verdict()
	fmt.Printf("%s limits, %s; %s %s\n", v.Stage, v.Kind, v.Waiter, v.WaiterKind)
	// Output: upload limits, doing I/O; read blocked on output
}

// BeginIO tells the stats that a stretch of a stage's function is I/O, so
// that a stage bound by its disk is not taken for one bound by its CPU.
func ExampleBeginIO() {
	p := sluice.New(sluice.Config{})
	lines := sluice.FromSlice(p, "read", []string{"a", "b", "c"})
	var out strings.Builder // stands for a file
	sluice.Sink(lines, "write", sluice.Opts{}, func(ctx context.Context, line string) error {
		end := sluice.BeginIO(ctx)
		defer end()
		_, err := out.WriteString(line + "\n")
		return err
	})
	if err := p.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	w := p.Stats().Stages[1]
	fmt.Print(out.String())
	fmt.Println(w.IO > 0)
	// Output:
	// a
	// b
	// c
	// true
}

func ExampleSource() {
	p := sluice.New(sluice.Config{})
	lines := sluice.Source(p, "count", func(ctx context.Context, emit func(string) error) error {
		for i := range 3 {
			if err := emit(fmt.Sprint("line ", i)); err != nil {
				return err // the run was cancelled
			}
		}
		return nil
	})
	for v, err := range sluice.All(context.Background(), lines) {
		fmt.Println(v, err)
	}
	// Output:
	// line 0 <nil>
	// line 1 <nil>
	// line 2 <nil>
}

func ExampleFromSlice() {
	p := sluice.New(sluice.Config{})
	c := sluice.Collect(sluice.FromSlice(p, "read", []int{3, 1, 2}), "collect")
	_ = p.Run(context.Background())
	fmt.Println(c.Items())
	// Output: [3 1 2]
}

func ExampleFromSeq() {
	p := sluice.New(sluice.Config{})
	keys := sluice.FromSeq(p, "keys", slices.Values([]string{"x", "y"}))
	c := sluice.Collect(keys, "collect")
	_ = p.Run(context.Background())
	fmt.Println(c.Items())
	// Output: [x y]
}

// A budget of 10 bytes lets at most two 4-byte buffers through at once.
func ExampleSizedBy() {
	p := sluice.New(sluice.Config{Budget: 10})
	bufs := sluice.SizedBy(sluice.FromSlice(p, "read", [][]byte{make([]byte, 4), make([]byte, 4), make([]byte, 4)}),
		func(b []byte) int64 { return int64(len(b)) })
	sluice.Sink(bufs, "write", sluice.Opts{}, func(context.Context, []byte) error { return nil })
	_ = p.Run(context.Background())
	s := p.Stats()
	// At most two buffers were in flight at once, and at least one.
	fmt.Println(s.PeakBytes == 4 || s.PeakBytes == 8, s.InFlight)
	// Output: true 0
}

func ExampleMap() {
	p := sluice.New(sluice.Config{})
	lens := sluice.Map(sluice.FromSlice(p, "read", []string{"a", "bb", "ccc"}), "len", sluice.Opts{Workers: 4, Ordered: true},
		func(_ context.Context, s string) (int, error) { return len(s), nil })
	c := sluice.Collect(lens, "collect")
	_ = p.Run(context.Background())
	fmt.Println(c.Items())
	// Output: [1 2 3]
}

func ExampleFlatMap() {
	p := sluice.New(sluice.Config{})
	words := sluice.FlatMap(sluice.FromSlice(p, "read", []string{"a b", "c"}), "split", sluice.Opts{Ordered: true},
		func(_ context.Context, line string, emit func(string) error) error {
			for _, w := range strings.Fields(line) {
				if err := emit(w); err != nil {
					return err
				}
			}
			return nil
		})
	c := sluice.Collect(words, "collect")
	_ = p.Run(context.Background())
	fmt.Println(c.Items())
	// Output: [a b c]
}

func ExampleFilter() {
	p := sluice.New(sluice.Config{})
	even := sluice.Filter(sluice.FromSlice(p, "read", []int{1, 2, 3, 4}), "even", sluice.Opts{Ordered: true},
		func(_ context.Context, v int) (bool, error) { return v%2 == 0, nil })
	c := sluice.Collect(even, "collect")
	_ = p.Run(context.Background())
	fmt.Println(c.Items())
	// Output: [2 4]
}

func ExampleSink() {
	p := sluice.New(sluice.Config{})
	total := 0
	sluice.Sink(sluice.FromSlice(p, "read", []int{1, 2, 3}), "sum", sluice.Opts{Workers: 1},
		func(_ context.Context, v int) error {
			total += v // one worker: no lock needed
			return nil
		})
	_ = p.Run(context.Background())
	fmt.Println(total)
	// Output: 6
}

func ExampleCollect() {
	p := sluice.New(sluice.Config{})
	c := sluice.Collect(sluice.FromSlice(p, "read", []rune("hey")), "collect")
	_ = p.Run(context.Background())
	fmt.Println(string(c.Items()))
	// Output: hey
}

func ExampleAll() {
	p := sluice.New(sluice.Config{})
	nums := sluice.FromSeq(p, "naturals", func(yield func(int) bool) {
		for i := 0; yield(i); i++ {
		}
	})
	for v, err := range sluice.All(context.Background(), nums) {
		if err != nil || v == 3 {
			break // cancels the run and waits for it
		}
		fmt.Println(v)
	}
	// Output:
	// 0
	// 1
	// 2
}

func ExampleBroadcast() {
	p := sluice.New(sluice.Config{})
	branches := sluice.Broadcast(sluice.FromSlice(p, "read", []int{1, 2, 3}), "fan", 2)
	sum, prod := 0, 1
	sluice.Sink(branches[0], "sum", sluice.Opts{}, func(_ context.Context, v int) error { sum += v; return nil })
	sluice.Sink(branches[1], "product", sluice.Opts{}, func(_ context.Context, v int) error { prod *= v; return nil })
	_ = p.Run(context.Background())
	fmt.Println(sum, prod)
	// Output: 6 6
}

func ExampleMerge() {
	p := sluice.New(sluice.Config{})
	a := sluice.FromSlice(p, "a", []string{"a1", "a2"})
	b := sluice.FromSlice(p, "b", []string{"b1"})
	seen := map[string]bool{}
	sluice.Sink(sluice.Merge("merge", a, b), "mark", sluice.Opts{}, func(_ context.Context, s string) error {
		seen[s] = true
		return nil
	})
	_ = p.Run(context.Background())
	fmt.Println(slices.Sorted(maps.Keys(seen)))
	// Output: [a1 a2 b1]
}

func ExampleTake() {
	p := sluice.New(sluice.Config{})
	nums := sluice.FromSeq(p, "naturals", func(yield func(int) bool) {
		for i := 0; yield(i); i++ {
		}
	})
	c := sluice.Collect(sluice.Take(nums, "first", 4), "collect")
	err := p.Run(context.Background())
	fmt.Println(c.Items(), err)
	// Output: [0 1 2 3] <nil>
}
