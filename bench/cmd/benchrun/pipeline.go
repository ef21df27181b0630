package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/sluice-go/sluice/bench/internal/gobench"
	"github.com/sluice-go/sluice/bench/internal/report"
)

// missingImpls are the pipeline peers that the suite cannot run, and why.
var missingImpls = map[string]string{
	"rill": "github.com/destel/rill could not be fetched: the Go module proxy refused it (403) when this suite was written; " +
		"add it with go get and an impl in pipeline/impls_test.go",
}

func pipelineArgs(benchtime string) []string {
	return []string{"test", "-run", "^$", "-bench", ".", "-benchtime", benchtime, "./pipeline/"}
}

func pipelineCommand(benchtime string) string {
	return "go " + strings.Join(pipelineArgs(benchtime), " ")
}

// runPipeline runs the pipeline benchmarks in the current directory (the
// bench module), prints their table and returns them.
func runPipeline(ctx context.Context, benchtime string) (*report.Pipeline, error) {
	fmt.Printf("\n== pipelines: %s\n", pipelineCommand(benchtime))
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", pipelineArgs(benchtime)...)
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		os.Stdout.Write(out.Bytes())
		return nil, fmt.Errorf("pipeline benchmarks: %w", err)
	}
	results, err := gobench.Parse(&out)
	if err != nil {
		return nil, err
	}
	if len(results) == 0 {
		return nil, fmt.Errorf("pipeline benchmarks: no benchmark lines in the output")
	}
	p := &report.Pipeline{Command: pipelineCommand(benchtime), Missing: missingImpls, Results: results}
	fmt.Println("\nns/item (allocs/item), lower is better:")
	names := make([]string, 0, len(missingImpls))
	for k := range missingImpls {
		names = append(names, k)
	}
	if err := gobench.Layout(results, names...).Markdown(os.Stdout); err != nil {
		return nil, err
	}
	return p, nil
}
