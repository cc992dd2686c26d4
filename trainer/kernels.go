package trainer

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// The products of a step: the logits X W^T and the gradient alpha R^T X.
// Both give bit for bit what gonum's serial blas64.Gemm gives on amd64 (the
// same roundings in the same order), so that trajectories pinned with
// gonum's products do not move. On amd64 with AVX2 they run kernels of
// kernels_amd64.s on tiles of 4 samples × 2 classes, four columns per
// instruction, with the products rounded before they are added (no FMA), as
// gonum's SSE2 code does two columns at a time; elsewhere they fall back to
// plain Go or gonum.

// logits stores S = X W^T, s_ic = x_i . w_c, for the m×d samples x (stride
// d), the k×d classifier w (stride ws), in s (m×k, stride k). Each dot
// product is summed as gonum's f64.DotUnitary sums it on amd64: four partial
// sums l_q over j ≡ q (mod 4) for j < d - d mod 4, the last d mod 4 terms
// added to l_0, and s = 0 + ((l_0 + l_2) + (l_1 + l_3)) (the 0 + is Dgemm's
// beta = 0).
func logits(s, x []float64, m, d int, w []float64, ws, k int) {
	if !hasAVX2 || d < 4 {
		gemmSerial(blas.NoTrans, blas.Trans, 1,
			blas64.General{Rows: m, Cols: d, Stride: d, Data: x[:m*d]},
			blas64.General{Rows: k, Cols: d, Stride: ws, Data: w[:(k-1)*ws+d]},
			0, blas64.General{Rows: m, Cols: k, Stride: k, Data: s[:m*k]})
		return
	}
	var buf [24]float64
	i := 0
	for ; i+4 <= m; i += 4 {
		_ = x[(i+3)*d+d-1]
		c := 0
		for ; c+1 < k; c += 2 {
			_ = w[(c+1)*ws+d-1]
			dot4x2AVX(&x[i*d], d, &w[c*ws], ws, d, &buf)
			out := buf[16:24]
			s[i*k+c], s[i*k+c+1] = out[0], out[1]
			s[(i+1)*k+c], s[(i+1)*k+c+1] = out[2], out[3]
			s[(i+2)*k+c], s[(i+2)*k+c+1] = out[4], out[5]
			s[(i+3)*k+c], s[(i+3)*k+c+1] = out[6], out[7]
		}
		if c < k { // an odd k's last class
			for a := i; a < i+4; a++ {
				s[a*k+c] = dotLanes(x[a*d:a*d+d], w[c*ws:c*ws+d])
			}
		}
	}
	for ; i < m; i++ {
		for c := range k {
			s[i*k+c] = dotLanes(x[i*d:i*d+d], w[c*ws:c*ws+d])
		}
	}
}

// dotLanes returns 0 + x.w summed as f64.DotUnitary sums it (see logits).
func dotLanes(x, w []float64) float64 {
	w = w[:len(x)]
	d4 := len(x) &^ 3
	var l [4]float64
	for j := 0; j < d4; j += 4 {
		l[0] += float64(x[j] * w[j])
		l[1] += float64(x[j+1] * w[j+1])
		l[2] += float64(x[j+2] * w[j+2])
		l[3] += float64(x[j+3] * w[j+3])
	}
	for j := d4; j < len(x); j++ {
		l[0] += float64(x[j] * w[j])
	}
	return 0 + ((l[0] + l[2]) + (l[1] + l[3]))
}

// accumulateAVX is accumulate with the AVX2 kernel on tiles of 4 samples ×
// 2 classes (one call per 4 samples and up to 64 classes), plain Go for an
// odd k's last class and the last m mod 4 samples, in the same order per
// entry.
func accumulateAVX(g, r, x []float64, m, d, k, j0, j1 int, alpha float64) {
	const chunk = 64 // classes per call, even
	var pbuf [4 * chunk]float64
	i := 0
	for ; i+4 <= m; i += 4 {
		_ = x[(i+3)*d+j1-1]
		r0 := r[i*k : i*k+k]
		r1 := r[(i+1)*k : (i+1)*k+k][:len(r0)]
		r2 := r[(i+2)*k : (i+2)*k+k][:len(r0)]
		r3 := r[(i+3)*k : (i+3)*k+k][:len(r0)]
		for c0 := 0; c0 < k; c0 += chunk {
			cn := min(chunk, k-c0)
			_ = g[(c0+cn-1)*d+j1-1]
			p := pbuf[:4*cn]
			for c := range cn {
				q := p[4*c : 4*c+4]
				q[0], q[1], q[2], q[3] = alpha*r0[c0+c], alpha*r1[c0+c], alpha*r2[c0+c], alpha*r3[c0+c]
			}
			if cn >= 2 {
				axpy4xkAVX(&g[c0*d+j0], d, &x[i*d+j0], d, j1-j0, &p[0], cn/2)
			}
			if cn%2 == 1 { // an odd k's last class
				c := c0 + cn - 1
				q := p[4*(cn-1) : 4*cn]
				g0 := g[c*d+j0 : c*d+j1]
				x0 := x[i*d+j0 : i*d+j1][:len(g0)]
				x1 := x[(i+1)*d+j0 : (i+1)*d+j1][:len(g0)]
				x2 := x[(i+2)*d+j0 : (i+2)*d+j1][:len(g0)]
				x3 := x[(i+3)*d+j0 : (i+3)*d+j1][:len(g0)]
				for j := range g0 {
					g0[j] = g0[j] + float64(q[0]*x0[j]) + float64(q[1]*x1[j]) + float64(q[2]*x2[j]) + float64(q[3]*x3[j])
				}
			}
		}
	}
	if i < m {
		accumulateGo(g, r[i*k:], x[i*d:], m-i, d, k, j0, j1, alpha)
	}
}

// accumulate adds to columns j0..j1-1 of the k×d gradient g (stride d) the
// product alpha R^T X over m samples: g_cj += sum_{i<m} (alpha r_ic) x_ij, for
// the m×k weights r (stride k) and the m×d samples x (stride d).
//
// It is gonum's Dgemm for A^T B (one axpy y += (alpha r_ic) x_i per sample
// and class) register-blocked on 4 samples × 2 classes: a pass over the
// columns keeps 8 weights in registers and loads 6 numbers for 8
// multiply-adds. The sum over i is still taken in increasing i, adding the
// rounded products one by one (float64(p*v) forbids fusing them into an
// FMA), so g is bit for bit what blas64.Gemm gives on amd64, whatever the
// column range: trajectories pinned with gonum's product do not move.
func accumulate(g, r, x []float64, m, d, k, j0, j1 int, alpha float64) {
	if hasAVX2 && j1 > j0 {
		accumulateAVX(g, r, x, m, d, k, j0, j1, alpha)
		return
	}
	accumulateGo(g, r, x, m, d, k, j0, j1, alpha)
}

// accumulateGo is accumulate in plain Go.
func accumulateGo(g, r, x []float64, m, d, k, j0, j1 int, alpha float64) {
	i := 0
	for ; i+4 <= m; i += 4 {
		x0 := x[i*d+j0 : i*d+j1]
		x1 := x[(i+1)*d+j0 : (i+1)*d+j1][:len(x0)]
		x2 := x[(i+2)*d+j0 : (i+2)*d+j1][:len(x0)]
		x3 := x[(i+3)*d+j0 : (i+3)*d+j1][:len(x0)]
		r0 := r[i*k : i*k+k]
		r1 := r[(i+1)*k : (i+1)*k+k][:len(r0)]
		r2 := r[(i+2)*k : (i+2)*k+k][:len(r0)]
		r3 := r[(i+3)*k : (i+3)*k+k][:len(r0)]
		c := 0
		for ; c+2 <= k; c += 2 {
			g0 := g[c*d+j0 : c*d+j1][:len(x0)]
			g1 := g[(c+1)*d+j0 : (c+1)*d+j1][:len(x0)]
			p0, p1, p2, p3 := alpha*r0[c], alpha*r1[c], alpha*r2[c], alpha*r3[c]
			q0, q1, q2, q3 := alpha*r0[c+1], alpha*r1[c+1], alpha*r2[c+1], alpha*r3[c+1]
			for j, v0 := range x0 {
				v1, v2, v3 := x1[j], x2[j], x3[j]
				g0[j] = g0[j] + float64(p0*v0) + float64(p1*v1) + float64(p2*v2) + float64(p3*v3)
				g1[j] = g1[j] + float64(q0*v0) + float64(q1*v1) + float64(q2*v2) + float64(q3*v3)
			}
		}
		if c < k {
			g0 := g[c*d+j0 : c*d+j1][:len(x0)]
			p0, p1, p2, p3 := alpha*r0[c], alpha*r1[c], alpha*r2[c], alpha*r3[c]
			for j, v0 := range x0 {
				g0[j] = g0[j] + float64(p0*v0) + float64(p1*x1[j]) + float64(p2*x2[j]) + float64(p3*x3[j])
			}
		}
	}
	for ; i < m; i++ {
		x0 := x[i*d+j0 : i*d+j1]
		for c := range k {
			g0 := g[c*d+j0 : c*d+j1][:len(x0)]
			p := alpha * r[i*k+c]
			for j, v := range x0 {
				g0[j] += float64(p * v)
			}
		}
	}
}

// expInPlace replaces each v[i] by math.Exp(v[i]), bit for bit: with AVX2
// four at a time by expAVX wherever four consecutive arguments lie in
// [-707, 709] or below -745.5 (e^x = +0), else by math.Exp.
func expInPlace(v []float64) {
	i := 0
	if hasAVX2 {
		n4 := len(v) &^ 3
		for i < n4 {
			i += expAVX(&v[i], n4-i)
			for end := min(i+4, n4); i < end; i++ {
				v[i] = math.Exp(v[i])
			}
		}
	}
	for ; i < len(v); i++ {
		v[i] = math.Exp(v[i])
	}
}
