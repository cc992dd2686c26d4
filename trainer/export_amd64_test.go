package trainer

// setAVX2 sets whether the products use the AVX2 kernels (on must be
// supported) and returns a function restoring the previous setting.
func setAVX2(on bool) (restore func()) {
	old := hasAVX2
	hasAVX2 = on
	return func() { hasAVX2 = old }
}
