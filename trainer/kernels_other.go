//go:build !amd64 || purego

package trainer

// hasAVX2 and hasAVX512 are false: the kernels exist on amd64 only, and
// the purego build tag leaves them out there too.
const hasAVX2, hasAVX512 = false, false

func logitsFMA(s *float64, lds int, x *float64, ldx int, wt *float64, ldwt int, n int, mask *[chunk]int64) {
	panic("trainer: no AVX2")
}

func gradFMA(gt *float64, ldgt int, r *float64, ldr int, x *float64, ldx int, m int) {
	panic("trainer: no AVX2")
}

func logitsFMA512(s *float64, lds int, x *float64, ldx int, wt *float64, ldwt int, n int, mask uint16) {
	panic("trainer: no AVX-512")
}

func gradFMA512x8(gt *float64, ldgt int, r *float64, ldr int, x *float64, ldx int, m int, xb int) {
	panic("trainer: no AVX-512")
}

func shiftRowsAVX(s *float64, k int, y *int, m int, umax *float64, mask *[chunk]int64) (done int) {
	panic("trainer: no AVX2")
}

func expAVX(v *float64, n int) (done int) { panic("trainer: no AVX2") }

func expAVX512(v *float64, n int) (done int) { panic("trainer: no AVX-512") }

func logAVX512(v *float64, n int) (done int) { panic("trainer: no AVX-512") }
