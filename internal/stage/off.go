//go:build !llmuxstages

package stage

import (
	"fmt"
	"io"
)

// Mark records that the current request reached p: nothing in this build.
func Mark(Point) {}

const recording = false

// Report says the build records nothing.
func Report(w io.Writer) {
	fmt.Fprintln(w, "stages: not recorded (build with -tags llmuxstages)")
}
