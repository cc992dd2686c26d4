package trainer

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
