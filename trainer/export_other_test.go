//go:build !amd64 || purego

package trainer

// setAVX2 does nothing: there are no AVX2 kernels off amd64 or with the
// purego build tag.
func setAVX2(on bool) (restore func()) { return func() {} }

// setAVX512 does nothing: there are no AVX-512 kernels off amd64 or with
// the purego build tag.
func setAVX512(on bool) (restore func()) { return func() {} }
