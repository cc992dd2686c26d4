//go:build !amd64

package trainer

// hasAVX2 is false: the AVX2 kernels exist on amd64 only.
const hasAVX2 = false

func dot4x2AVX(x *float64, ldx int, w *float64, ldw int, n int, buf *[24]float64) {
	panic("trainer: no AVX2")
}

func axpy4x2AVX(gp *float64, ldg int, x *float64, ldx int, n int, p *[8]float64) {
	panic("trainer: no AVX2")
}

func expAVX(dst, src *float64, n int) { panic("trainer: no AVX2") }
