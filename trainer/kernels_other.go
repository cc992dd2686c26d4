//go:build !amd64

package trainer

// hasAVX2 is false: the AVX2 kernels exist on amd64 only.
const hasAVX2 = false

func dot4x2AVX(x *float64, ldx int, w *float64, ldw int, n int, buf *[24]float64) {
	panic("trainer: no AVX2")
}

func axpy4xkAVX(gp *float64, ldg int, x *float64, ldx int, n int, p *float64, pairs int) {
	panic("trainer: no AVX2")
}

func expAVX(v *float64, n int) (done int) { panic("trainer: no AVX2") }
