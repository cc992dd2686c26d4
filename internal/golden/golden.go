// Package golden defines the -update test flag that rewrites pinned
// regression values (the pins of the case files in cases/). Every package
// with tests imports it, so that `go test ./... -update` is accepted by every
// test binary; only verify's case test acts on it.
package golden

import "flag"

// Update reports whether the tests should rewrite pinned values instead of
// comparing with them.
var Update = flag.Bool("update", false, "rewrite the pinned values in cases/*.json")
