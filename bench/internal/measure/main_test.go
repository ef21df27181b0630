package measure

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that Run leaves no goroutine behind, even after a
// timeout.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
