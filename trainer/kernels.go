package trainer

import "math"

// The products of a step: the logits S = X W^T and the gradient alpha R^T X.
// Each entry is one sum of products taken in a fixed order, with one
// rounding per term (a fused multiply-add, FMA):
//
//	s_ic = fma(x_i,d-1, w_c,d-1, ... fma(x_i1, w_c1, fma(x_i0, w_c0, 0))),
//	g_cj = alpha * fma(r_m-1,c, x_m-1,j, ... fma(r_1c, x_1j, fma(r_0c, x_0j, 0))),
//
// that is, in increasing l, resp. increasing sample i, and g multiplied by
// alpha once at the end. The order does not depend on the tiling, on the
// split between goroutines or on the path taken: on amd64 with AVX2 and FMA
// the kernels of kernels_amd64.s (logitsFMA, gradFMA) compute 4 samples × 12
// classes of S, or 4 columns × 12 classes of G, in 12 registers of 4 lanes,
// with AVX-512 (logitsFMA512, gradFMA512x8) 8 samples × 16 classes of S or 8
// columns × 16 classes of G in registers of 8 lanes (the last 4 columns, if
// any, by gradFMA); elsewhere, and for the last m mod 4 samples of S, plain
// Go computes the same sums with math.FMA, which rounds once as the
// instruction does, so every path gives the same bits. (math.FMA is emulated
// in software on amd64 CPUs without FMA, which makes that fallback several
// times slower, but not different.) These are not the bits of gonum's Dgemm,
// which rounds each product before adding it: the two agree to within the
// usual bound of a sum of products, gamma_n sum_l |x_l w_l| each
// (TestProducts).

// chunk is the number of classes an AVX2 kernel call covers: 3 registers
// of 4 lanes; chunk512 that of an AVX-512 kernel call: 2 registers of 8.
const (
	chunk    = 12
	chunk512 = 16
)

// padClasses returns the row length of the transposed buffers W^T and G^T:
// k rounded up to a multiple of chunk or of chunk512, whichever is larger,
// so that either kernel can read whole chunks.
func padClasses(k int) int {
	return max((k+chunk-1)/chunk*chunk, (k+chunk512-1)/chunk512*chunk512)
}

// laneMask[chunk-v : 2*chunk-v] is -1 in its first v lanes and 0 in the
// others: the store mask of a chunk of v classes.
var laneMask = [2 * chunk]int64{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}

// laneNumbers are the numbers of the lanes of a chunk, for shiftRowsAVX.
var laneNumbers = [chunk]int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}

// transposeW stores the k×d classifier w (stride ws) transposed in wt
// (d×kp, stride kp >= k): wt[l*kp+c] = w_cl. The lanes c >= k are left as
// they are.
func transposeW(wt []float64, kp int, w []float64, ws, k, d int) {
	for c := range k {
		row := w[c*ws : c*ws+d]
		for l, v := range row {
			wt[l*kp+c] = v
		}
	}
}

// logits stores S = X W^T, s_ic = sum_l x_il w_cl summed as described
// above, for the m×d samples x (stride d) and the classifier given
// transposed in wt (d×kp, stride kp = padClasses(k), see transposeW), in s
// (m×k, stride k).
func logits(s, x []float64, m, d int, wt []float64, kp, k int) {
	if m == 0 || k == 0 {
		return
	}
	s = s[:m*k]
	x = x[:m*d]
	wt = wt[:d*kp]
	i := 0
	if hasAVX512 && d > 0 {
		for ; i+8 <= m; i += 8 {
			for c0 := 0; c0 < k; c0 += chunk512 {
				v := min(chunk512, k-c0)
				// The kernel stores rows i..i+7 of s, lanes c0..c0+v-1 only.
				_ = s[(i+7)*k+c0+v-1]
				logitsFMA512(&s[i*k+c0], k, &x[i*d], d, &wt[c0], kp, d, uint16(1<<v-1))
			}
		}
	}
	if hasAVX2 && d > 0 {
		for ; i+4 <= m; i += 4 {
			for c0 := 0; c0 < k; c0 += chunk {
				v := min(chunk, k-c0)
				// The kernel stores rows i..i+3 of s, lanes c0..c0+v-1 only.
				_ = s[(i+3)*k+c0+v-1]
				logitsFMA(&s[i*k+c0], k, &x[i*d], d, &wt[c0], kp, d, (*[chunk]int64)(laneMask[chunk-v:]))
			}
		}
	}
	for ; i < m; i++ {
		row := s[i*k : i*k+k]
		clear(row)
		for l, v := range x[i*d : i*d+d] {
			wl := wt[l*kp : l*kp+k]
			for c := range row {
				row[c] = math.FMA(v, wl[c], row[c])
			}
		}
	}
}

// sampleBlock is the number of samples per pass of gradFMA over a block
// of 4 features: its weights (rows of r, 16 KiB) stay in the level-1 cache
// from one block of features to the next. The partial sums go through gt
// between blocks of samples, which does not change them.
const sampleBlock = 128

// packX returns the m×d samples x (stride d) packed for gradient: the
// features in blocks of 4 (the last one padded with zeros), each block
// stored sample after sample, xp[(jb*m+i)*4+b] = x_{i,4jb+b}, so that the
// kernel reads each block as one stream.
func packX(x []float64, m, d int) []float64 {
	db := (d + 3) / 4
	xp := make([]float64, db*m*4)
	for i := range m {
		for j, v := range x[i*d : i*d+d] {
			xp[((j/4)*m+i)*4+j%4] = v
		}
	}
	return xp
}

// gradient overwrites columns j0..j1-1 of the k×d matrix g (stride d) with
// alpha R^T X, g_cj = alpha sum_{i<m} r_ic x_ij summed as described above,
// for the m×k weights r (stride k) and the m×d samples x given packed in
// xp (see packX). j0 must be a multiple of 4. gt (4 ceil(d/4) × kp, kp =
// padClasses(k)) is scratch: its rows j0..j1-1 (up to a multiple of 4) are
// overwritten with G^T before alpha. The kernel reads whole chunks of 12
// weights, past the end of a row of r (the lanes beyond k are discarded):
// r must hold (m-1)k + kp numbers.
func gradient(g, gt, r, xp []float64, m, d, k, kp, j0, j1 int, alpha float64) {
	if j1 <= j0 || k == 0 {
		return
	}
	if j0%4 != 0 {
		panic("trainer: gradient's column range must start at a multiple of 4")
	}
	jb0, jb1 := j0/4, (j1+3)/4 // blocks of 4 features
	gt = gt[j0*kp : jb1*4*kp]
	xp = xp[:jb1*m*4]
	clear(gt)
	if hasAVX2 && m > 0 {
		_ = r[(m-1)*k+kp-1]
		for i0 := 0; i0 < m; i0 += sampleBlock {
			mb := min(sampleBlock, m-i0)
			jb := jb0 // the first block of features left to the AVX2 kernel
			if hasAVX512 {
				for c0 := 0; c0 < k; c0 += chunk512 {
					for jb = jb0; jb+2 <= jb1; jb += 2 { // two blocks at a time
						gradFMA512x8(&gt[(jb-jb0)*4*kp+c0], kp, &r[i0*k+c0], k, &xp[(jb*m+i0)*4], 4, mb, m*4)
					}
				}
			}
			for c0 := 0; c0 < k; c0 += chunk {
				for j := jb; j < jb1; j++ {
					gradFMA(&gt[(j-jb0)*4*kp+c0], kp, &r[i0*k+c0], k, &xp[(j*m+i0)*4], 4, mb)
				}
			}
		}
	} else {
		r = r[:m*k]
		for jb := jb0; jb < jb1; jb++ {
			for i := range m {
				ri := r[i*k : i*k+k]
				for b, v := range xp[(jb*m+i)*4 : (jb*m+i)*4+4] {
					row := gt[((jb-jb0)*4+b)*kp:][:k]
					for c := range row {
						row[c] = math.FMA(ri[c], v, row[c])
					}
				}
			}
		}
	}
	for j := j0; j < j1; j++ {
		for c, v := range gt[(j-j0)*kp : (j-j0)*kp+k] {
			g[c*d+j] = alpha * v
		}
	}
}

// expInPlace replaces each v[i] by math.Exp(v[i]), bit for bit: with
// AVX-512 eight at a time by expAVX512, with AVX2 four at a time by expAVX,
// wherever that many consecutive arguments lie in [-707, 709] or below
// -745.5 (e^x = +0), else by math.Exp.
func expInPlace(v []float64) {
	i := 0
	if hasAVX512 {
		i = inGroups(v, 8, expAVX512, math.Exp)
	}
	if hasAVX2 {
		i += inGroups(v[i:], 4, expAVX, math.Exp)
	}
	for ; i < len(v); i++ {
		v[i] = math.Exp(v[i])
	}
}

// logInPlace replaces each v[i] by math.Log(v[i]), bit for bit: with
// AVX-512 eight at a time by logAVX512 wherever eight consecutive arguments
// are positive and finite, else by math.Log.
func logInPlace(v []float64) {
	i := 0
	if hasAVX512 {
		i = inGroups(v, 8, logAVX512, math.Log)
	}
	for ; i < len(v); i++ {
		v[i] = math.Log(v[i])
	}
}

// inGroups applies f to the groups of width numbers of v, up to the last
// whole group, by kernel, which does as many groups as it can and returns
// how many numbers it did, and by f itself one group at a time where the
// kernel stops. It returns the number of numbers done.
func inGroups(v []float64, width int, kernel func(v *float64, n int) (done int), f func(float64) float64) int {
	n := len(v) - len(v)%width
	i := 0
	for i < n {
		i += kernel(&v[i], n-i)
		for end := min(i+width, n); i < end; i++ {
			v[i] = f(v[i])
		}
	}
	return i
}
