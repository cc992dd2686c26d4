// Package corpus is the robustness corpus of the solver's tests:
// real data sets as users bring them (raw, unstandardized: columns spanning
// many orders of magnitude, tiny margins) and their standardized copies
// (Real), and data from dataset's hard generators: badly scaled columns,
// near-duplicate points, collinear features and tiny margins, some with
// gamma_N known exactly or bounded in closed form (Generated). Each entry
// says whether it is separable and whether its solves are long.
//
// The files in data/ are the UCI data sets that Debian's python3-sklearn
// ships (sklearn/datasets/data) and the cars of Debian's
// python3-vega-datasets, one row per sample, the feature columns, then the
// integer class label; see data/README.md for their sources and licences.
package corpus
