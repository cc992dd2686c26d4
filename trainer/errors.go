package trainer

import "errors"

// Sentinel errors. Errors returned by this package wrap one of them with the
// details.
var (
	ErrUnknownOptimizer = errors.New("trainer: unknown optimizer")
	ErrUnknownLoss      = errors.New("trainer: unknown loss")
	ErrNorm             = errors.New("trainer: bad norm for optimizer")
	ErrBadSettings      = errors.New("trainer: invalid settings")
	ErrNotFinite        = errors.New("trainer: iterate is not finite")
)
