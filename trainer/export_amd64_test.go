//go:build amd64 && !purego

package trainer

// setAVX2 sets whether the products use the AVX2 kernels (on must be
// supported) and returns a function restoring the previous setting.
func setAVX2(on bool) (restore func()) {
	old := hasAVX2
	hasAVX2 = on
	return func() { hasAVX2 = old }
}

// setAVX512 sets whether the exponentials use the AVX-512 kernel (on must
// be supported) and returns a function restoring the previous setting.
func setAVX512(on bool) (restore func()) {
	old := hasAVX512
	hasAVX512 = on
	return func() { hasAVX512 = old }
}
