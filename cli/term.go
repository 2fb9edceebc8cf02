package cli

import (
	"io"
	"os"

	"partnerbot/config"
)

type (
	configSegments = config.Segments
	configTiers    = config.Tiers
)

// isTerminal reports whether r is an interactive terminal, so prompts are
// printed for people and left out for pipes and tests.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
