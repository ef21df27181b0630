package sluice

import (
	"errors"
	"fmt"
)

// StageError is the error Run returns when a stage fails: it names the
// stage and the index of the item being handled, and wraps the cause.
//
// Item counts from 0 in the order items reached the stage. For a source it
// is the number of items the source had emitted when it failed.
type StageError struct {
	Stage string // name given to the stage
	Item  int64  // index of the item in the stage's input
	Err   error  // the cause
}

func (e *StageError) Error() string {
	return fmt.Sprintf("sluice: stage %q, item %d: %v", e.Stage, e.Item, e.Err)
}

// Unwrap returns the cause.
func (e *StageError) Unwrap() error { return e.Err }

// PanicError is a panic in user code, recovered by the stage that called it.
// Run returns it wrapped in a *StageError that names the stage and the item.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the stack of the goroutine that panicked, as debug.Stack
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("panic: %v", e.Value)
}

// Unwrap returns the panic value if it is an error, so that errors.Is and
// errors.As see through a panic(err).
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// BudgetError reports an item larger than the whole memory budget: it could
// never be admitted, so the run fails instead of waiting for ever.
type BudgetError struct {
	Size   int64 // bytes the item reported
	Budget int64 // Config.Budget
}

func (e *BudgetError) Error() string {
	return fmt.Sprintf("item of %d bytes exceeds the budget of %d bytes", e.Size, e.Budget)
}

// ErrGoexit is the cause Run reports, wrapped in a *StageError, when a
// stage's function calls runtime.Goexit instead of returning, as
// testing.T's FailNow and Fatal do: the item it was handling is never
// finished, so the run fails rather than lose it.
var ErrGoexit = errors.New("runtime.Goexit called in user code before the item was finished")

// errStopped is what emit and sends return once every reader downstream
// has stopped reading (Take has enough, or all broadcast branches stopped).
// A stage that sees it ends quietly: it is not a failure.
var errStopped = errors.New("sluice: downstream stopped reading")
