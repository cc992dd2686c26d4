//go:build amd64 && !purego

package trainer

// hasAVX2 reports whether the CPU and the operating system support AVX2
// and FMA, which the kernels of kernels_amd64.s use. (With AVX and FMA,
// math.Exp takes the FMA path that expAVX reproduces.)
var hasAVX2 = func() bool {
	_, _, ecx1, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if ecx1&osxsave == 0 || ecx1&avx == 0 || ecx1&fma == 0 {
		return false
	}
	if xgetbv()&6 != 6 { // the OS saves the XMM and YMM registers
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0
}()

// hasAVX512 reports whether the CPU and the operating system also support
// AVX-512 (AVX512F, with the opmask and ZMM registers saved), which
// logitsFMA512, gradFMA512x8, expAVX512 and logAVX512 use.
var hasAVX512 = hasAVX2 && func() bool {
	_, ebx7, _, _ := cpuid(7, 0)
	const avx512f = 1 << 16
	const opmaskZMM = 0xe6 // XMM, YMM, opmask, ZMM_Hi256, Hi16_ZMM
	return ebx7&avx512f != 0 && xgetbv()&opmaskZMM == opmaskZMM
}()

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax uint32)

//go:noescape
func logitsFMA(s *float64, lds int, x *float64, ldx int, wt *float64, ldwt int, n int, mask *[chunk]int64)

//go:noescape
func gradFMA(gt *float64, ldgt int, r *float64, ldr int, x *float64, ldx int, m int)

//go:noescape
func logitsFMA512(s *float64, lds int, x *float64, ldx int, wt *float64, ldwt int, n int, mask uint16)

//go:noescape
func gradFMA512x8(gt *float64, ldgt int, r *float64, ldr int, x *float64, ldx int, m int, xb int)

//go:noescape
func shiftRowsAVX(s *float64, k int, y *int, m int, umax *float64, mask *[chunk]int64) (done int)

//go:noescape
func expAVX(v *float64, n int) (done int)

//go:noescape
func expAVX512(v *float64, n int) (done int)

//go:noescape
func logAVX512(v *float64, n int) (done int)
