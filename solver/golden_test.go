package solver

import _ "maxmargin/internal/golden" // accept go test ./... -update
