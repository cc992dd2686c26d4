// Package corpus is the robustness corpus of the solver's tests: real data
// sets as users bring them (raw, unstandardized: columns spanning many
// orders of magnitude, tiny margins) and their standardized copies.
//
// The files in data/ are the UCI data sets that Debian's python3-sklearn
// ships (sklearn/datasets/data), one row per sample, the feature columns,
// then the integer class label; see data/README.md for their sources and
// licences.
package corpus
