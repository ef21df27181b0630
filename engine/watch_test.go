package engine

import (
	"bytes"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sluice-go/sluice"
	"github.com/sluice-go/sluice/filter"
	"github.com/sluice-go/sluice/raster"
)

// TestWatch checks that Options.Watch sees the job's pipeline, named by
// Options.Name, before it runs, that an observer attached there sees the
// filter stage handle every tile, and that the output is unchanged with a
// stall timeout set.
func TestWatch(t *testing.T) {
	src := randomImage(300, 200, raster.RGB8, 7)
	chain, err := filter.ParseChain([]string{"blur:1"})
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := run(t, src, chain, Options{Workers: 2, Tile: 64})
	if err != nil {
		t.Fatal(err)
	}
	var seen *sluice.Pipeline
	obs := &tileCounter{tiles: map[int64]bool{}}
	got, job, err := run(t, src, chain, Options{Workers: 2, Tile: 64, Name: "blur", Stall: time.Minute,
		Watch: func(p *sluice.Pipeline) {
			seen = p
			p.Observe(obs)
		}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("the output differs with a watcher and a stall timeout")
	}
	if seen == nil || seen.Name() != "blur" {
		t.Fatalf("Watch saw %v, want the pipeline named blur", seen)
	}
	var names []string
	for _, s := range seen.Graph().Stages {
		names = append(names, s.Name)
	}
	if want := []string{"read", "cut", "filter", "write"}; !slices.Equal(names, want) {
		t.Errorf("got stages %q, want %q", names, want)
	}
	tiles := job.Stats().Stages[2].In
	if int64(len(obs.tiles)) != tiles || tiles == 0 {
		t.Errorf("the observer saw %d filter items, want the stage's %d", len(obs.tiles), tiles)
	}
}

// tileCounter notes the items the filter stage (index 2) was busy on.
type tileCounter struct {
	mu    sync.Mutex // Change runs on every worker
	tiles map[int64]bool
}

func (c *tileCounter) Start(*sluice.Pipeline) {}
func (c *tileCounter) Change(e sluice.Event) {
	if e.Stage == 2 && e.State == sluice.StateBusy && e.Item >= 0 {
		c.mu.Lock()
		c.tiles[e.Item] = true
		c.mu.Unlock()
	}
}
func (c *tileCounter) End(*sluice.Pipeline, error) {}
