package certify

import "maxmargin/dataset"

// CheckShape panics with BadShape unless ds has a label per sample, at
// least one sample, one feature and two classes, and every label in
// 0..k-1: the shape check MaxMargin's LP and convex paths make before any
// work.
func CheckShape(ds *dataset.Dataset) {
	nn, d, k := ds.Dims()
	if len(ds.Y) != nn || k < 2 || d < 1 || nn < 1 {
		panic(BadShape)
	}
	for _, y := range ds.Y {
		if y < 0 || y >= k {
			panic(BadShape)
		}
	}
}
