package sluice

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

var errBoom = errors.New("boom")

// stageErr checks that err is a *StageError for stage and item wrapping
// errBoom.
func stageErr(t *testing.T, err error, stage string, item int64) *StageError {
	t.Helper()
	var se *StageError
	if !errors.As(err, &se) {
		t.Fatalf("got error %v (%T), want a *StageError", err, err)
	}
	if se.Stage != stage || se.Item != item {
		t.Fatalf("got stage %q item %d, want stage %q item %d (%v)", se.Stage, se.Item, stage, item, err)
	}
	return se
}

func TestWorkerError(t *testing.T) {
	matrix(t, func(t *testing.T, o Opts) {
		for _, kind := range []string{"map", "flatmap", "filter", "sink"} {
			t.Run(kind, func(t *testing.T) {
				p := New(Config{})
				src := FromSlice(p, "src", ints(1000))
				fail := func(v int) error {
					if v == 17 {
						return errBoom
					}
					return nil
				}
				var out *Stream[int]
				switch kind {
				case "map":
					out = Map(src, kind, o, func(_ context.Context, v int) (int, error) { return v, fail(v) })
				case "flatmap":
					out = FlatMap(src, kind, o, func(_ context.Context, v int, emit func(int) error) error {
						if err := fail(v); err != nil {
							return err
						}
						return emit(v)
					})
				case "filter":
					out = Filter(src, kind, o, func(_ context.Context, v int) (bool, error) { return true, fail(v) })
				case "sink":
					Sink(src, kind, o, func(_ context.Context, v int) error { return fail(v) })
				}
				if out != nil {
					Sink(out, "end", Opts{}, func(context.Context, int) error { return nil })
				}
				err := p.Run(context.Background())
				stageErr(t, err, kind, 17)
				if !errors.Is(err, errBoom) {
					t.Errorf("errors.Is(%v, errBoom): got false, want true", err)
				}
				want := `sluice: stage "` + kind + `", item 17: boom`
				if err.Error() != want {
					t.Errorf("got message %q, want %q", err.Error(), want)
				}
				if n := p.Stats().Stages[1].Errors; n != 1 {
					t.Errorf("Errors: got %d, want 1", n)
				}
			})
		}
	})
}

func TestSourceError(t *testing.T) {
	matrix(t, func(t *testing.T, o Opts) {
		p := New(Config{})
		s := Source(p, "read", func(_ context.Context, emit func(int) error) error {
			for i := range 5 {
				if err := emit(i); err != nil {
					return err
				}
			}
			return errBoom
		})
		Sink(Map(s, "id", o, func(_ context.Context, v int) (int, error) { return v, nil }), "end", Opts{},
			func(context.Context, int) error { return nil })
		err := p.Run(context.Background())
		stageErr(t, err, "read", 5)
		if !errors.Is(err, errBoom) {
			t.Errorf("errors.Is(%v, errBoom): got false, want true", err)
		}
	})
}

func TestPanic(t *testing.T) {
	matrix(t, func(t *testing.T, o Opts) {
		p := New(Config{})
		m := Map(FromSlice(p, "src", ints(100)), "explode", o, func(_ context.Context, v int) (int, error) {
			if v == 42 {
				panic("kaboom")
			}
			return v, nil
		})
		Sink(m, "end", Opts{}, func(context.Context, int) error { return nil })
		err := p.Run(context.Background())
		se := stageErr(t, err, "explode", 42)
		var pe *PanicError
		if !errors.As(se, &pe) {
			t.Fatalf("got cause %T, want *PanicError", se.Err)
		}
		if pe.Value != "kaboom" {
			t.Errorf("panic value: got %v, want kaboom", pe.Value)
		}
		if !strings.Contains(string(pe.Stack), "TestPanic") {
			t.Errorf("stack does not name the panicking function:\n%s", pe.Stack)
		}
		if want := `sluice: stage "explode", item 42: panic: kaboom`; err.Error() != want {
			t.Errorf("got message %q, want %q", err.Error(), want)
		}
	})
}

func TestPanicInSourceAndSink(t *testing.T) {
	t.Run("source", func(t *testing.T) {
		p := New(Config{})
		s := Source(p, "read", func(_ context.Context, emit func(int) error) error {
			_ = emit(1)
			panic(errBoom)
		})
		Sink(s, "end", Opts{}, func(context.Context, int) error { return nil })
		err := p.Run(context.Background())
		stageErr(t, err, "read", 1)
		if !errors.Is(err, errBoom) {
			t.Errorf("errors.Is(%v, errBoom) through the panic: got false, want true", err)
		}
	})
	t.Run("sink", func(t *testing.T) {
		p := New(Config{})
		Sink(FromSlice(p, "src", ints(10)), "write", Opts{}, func(_ context.Context, v int) error {
			if v == 3 {
				panic("disk on fire")
			}
			return nil
		})
		stageErr(t, p.Run(context.Background()), "write", 3)
	})
}

// endless is a source that emits until it is told to stop.
func endless(p *Pipeline) *Stream[int] {
	return Source(p, "endless", func(ctx context.Context, emit func(int) error) error {
		for i := 0; ; i++ {
			if err := emit(i); err != nil {
				return err
			}
		}
	})
}

func TestCancel(t *testing.T) {
	cause := errors.New("operator said stop")
	matrix(t, func(t *testing.T, o Opts) {
		ctx, cancel := context.WithCancelCause(context.Background())
		p := New(Config{})
		m := Map(endless(p), "id", o, func(_ context.Context, v int) (int, error) { return v, nil })
		Sink(m, "end", Opts{}, func(_ context.Context, v int) error {
			if v == 5000 {
				cancel(cause)
			}
			return nil
		})
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		select {
		case err := <-done:
			if !errors.Is(err, cause) {
				t.Errorf("got %v, want the cancellation cause %v", err, cause)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return within 10s of cancellation")
		}
	})
}

func TestCancelWhileBlocked(t *testing.T) {
	matrix(t, func(t *testing.T, o Opts) {
		ctx, cancel := context.WithCancel(context.Background())
		p := New(Config{QueueLen: 1})
		started := make(chan struct{})
		m := Map(endless(p), "id", o, func(_ context.Context, v int) (int, error) { return v, nil })
		// Unordered, any item may come first.
		Sink(m, "stuck", Opts{}, func(ctx context.Context, v int) error {
			close(started) // once: the sink is stuck from its first item on
			<-ctx.Done()
			return ctx.Err()
		})
		go func() {
			<-started
			cancel()
		}()
		if err := p.Run(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	})
}

func TestErrorInOneBranchStopsAll(t *testing.T) {
	p := New(Config{})
	bs := Broadcast(endless(p), "fan", 2)
	Sink(bs[0], "ok", Opts{}, func(context.Context, int) error { return nil })
	Sink(bs[1], "bad", Opts{}, func(_ context.Context, v int) error {
		if v == 100 {
			return errBoom
		}
		return nil
	})
	stageErr(t, p.Run(context.Background()), "bad", 100)
}

func TestMisusePanics(t *testing.T) {
	id := func(_ context.Context, v int) (int, error) { return v, nil }
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{"run twice", func() {
			p := New(Config{})
			Collect(FromSlice(p, "s", ints(1)), "c")
			_ = p.Run(context.Background())
			_ = p.Run(context.Background())
		}, "sluice: Run called twice"},
		{"stage after run", func() {
			p := New(Config{})
			s := FromSlice(p, "s", ints(1))
			Collect(Map(s, "m", Opts{}, id), "c")
			_ = p.Run(context.Background())
			FromSlice(p, "late", ints(1))
		}, `sluice: cannot add stage "late" after Run started`},
		{"read twice", func() {
			p := New(Config{})
			s := FromSlice(p, "s", ints(1))
			Collect(s, "a")
			Collect(s, "b")
		}, `sluice: the output of stage "s" is already read by "a"`},
		{"never read", func() {
			p := New(Config{})
			FromSlice(p, "s", ints(1))
			_ = p.Run(context.Background())
		}, `sluice: the output of stage "s" is never read`},
		{"nil func", func() {
			p := New(Config{})
			Map[int, int](FromSlice(p, "s", ints(1)), "m", Opts{}, nil)
		}, `sluice: nil function for stage "m"`},
		{"negative workers", func() {
			p := New(Config{})
			Map(FromSlice(p, "s", ints(1)), "m", Opts{Workers: -1}, id)
		}, "sluice: negative Workers -1"},
		{"broadcast zero", func() {
			p := New(Config{})
			Broadcast(FromSlice(p, "s", ints(1)), "b", 0)
		}, `sluice: Broadcast "b" needs at least one branch`},
		{"sized derived stream", func() {
			p := New(Config{})
			SizedBy(Map(FromSlice(p, "s", ints(1)), "m", Opts{}, id), func(int) int64 { return 1 })
		}, "sluice: SizedBy needs the stream of a source"},
		{"map of nil stream", func() {
			Map(nil, "m", Opts{}, id)
		}, `sluice: nil Stream given to stage "m"`},
		{"flatmap of nil stream", func() {
			FlatMap(nil, "f", Opts{}, func(context.Context, int, func(int) error) error { return nil })
		}, `sluice: nil Stream given to stage "f"`},
		{"filter of nil stream", func() {
			Filter(nil, "f", Opts{}, func(context.Context, int) (bool, error) { return true, nil })
		}, `sluice: nil Stream given to stage "f"`},
		{"sink of nil stream", func() {
			Sink(nil, "w", Opts{}, func(context.Context, int) error { return nil })
		}, `sluice: nil Stream given to stage "w"`},
		{"collect of nil stream", func() { Collect[int](nil, "c") }, `sluice: nil Stream given to stage "c"`},
		{"take of nil stream", func() { Take[int](nil, "t", 1) }, `sluice: nil Stream given to stage "t"`},
		{"broadcast of nil stream", func() { Broadcast[int](nil, "b", 2) }, `sluice: nil Stream given to stage "b"`},
		{"all of nil stream", func() { All[int](context.Background(), nil) }, "sluice: nil Stream given to All"},
		{"merge of nil", func() { Merge[int]("m", nil) }, `sluice: Merge "m" of a nil Stream (input 0)`},
		{"merge of nothing", func() { Merge[int]("m") }, `sluice: Merge "m" of no streams`},
		{"merge across pipelines", func() {
			Merge("m", FromSlice(New(Config{}), "a", ints(1)), FromSlice(New(Config{}), "b", ints(1)))
		}, `sluice: Merge "m" of streams from different pipelines`},
		{"source of nil pipeline", func() { FromSlice(nil, "s", ints(1)) }, `sluice: nil Pipeline given to source "s"`},
		{"nil sink func", func() {
			Sink[int](FromSlice(New(Config{}), "s", ints(1)), "w", Opts{}, nil)
		}, `sluice: nil function for sink "w"`},
		{"nil source func", func() {
			Source[int](New(Config{}), "s", nil)
		}, `sluice: nil function for source "s"`},
		{"duplicate name", func() {
			p := New(Config{})
			Map(FromSlice(p, "s", ints(1)), "s", Opts{}, id)
		}, `sluice: two stages named "s"`},
		{"duplicate sink name", func() {
			p := New(Config{})
			bs := Broadcast(FromSlice(p, "s", ints(1)), "fan", 2)
			Collect(bs[0], "c")
			Collect(bs[1], "c")
		}, `sluice: two stages named "c"`},
		{"all beside a stage named all", func() {
			p := New(Config{})
			bs := Broadcast(FromSlice(p, "s", ints(1)), "fan", 2)
			Collect(bs[0], "all")
			All(context.Background(), bs[1])
		}, `sluice: two stages named "all"`},
		{"run after all", func() {
			p := New(Config{})
			All(context.Background(), endless(p))
			_ = p.Run(context.Background())
		}, "sluice: Run called on a pipeline whose output All reads"},
		{"all ranged twice", func() {
			p := New(Config{})
			seq := All(context.Background(), FromSlice(p, "s", ints(3)))
			for range seq {
			}
			for range seq {
			}
		}, "sluice: the iterator of All used twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if !strings.HasPrefix(msg, tt.want) {
					t.Errorf("got panic %v, want one starting %q", r, tt.want)
				}
			}()
			tt.f()
		})
	}
}
