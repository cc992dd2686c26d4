//go:build purego

package trainer

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPureGoKernels checks that the purego build tag leaves the assembly
// kernels out: the dispatch never picks them, so every product, exponential
// and logarithm of this test binary runs in Go (math.FMA, math.Exp,
// math.Log). The rest of the package's tests, golden trajectories included,
// then check that the Go path gives the kernels' bits.
func TestPureGoKernels(t *testing.T) {
	assert.False(t, hasAVX2, "AVX2 kernels with -tags purego")
	assert.False(t, hasAVX512, "AVX-512 kernels with -tags purego")
	assert.Equal(t, []kernelMode{{}}, supportedModes(), "only plain Go")
}
