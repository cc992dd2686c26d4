// Package dataset holds labelled multiclass data sets: samples x_i in R^d with
// labels y_i in {0, ..., k-1}, every class present (MATH.md section 1).
//
// Data sets come from CSV files (ReadCSV, LoadCSV) or from seeded generators
// (GaussianClusters, RandomLabels). A CSV file has one row per sample: the d
// feature columns, then the integer class label. An optional header line is
// recognised when its first field is not a number.
//
// Validation is strict, because a silently misread file would make every
// verdict downstream meaningless. Every problem is reported as a *ParseError
// naming the file, the line and the problem: ragged rows, fields that are not
// numbers, NaN or Inf, labels that are not non-negative integers, an empty
// file or a header alone, fewer than two classes, and a label gap.
//
// A label gap (labels 0..k-1 with some class c < k-1 having no sample) is an
// error, not an empty class: the suite's multiclass margin
// min_{i, c != y_i} (w_{y_i} - w_c) . x_i ranges over every class c, and an
// empty class would add a row of W that no sample ever pulls up, changing the
// problem the user meant. Relabel the classes to 0..k-1 to remove a gap.
package dataset
