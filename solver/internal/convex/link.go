package convex

// slpRefine (pnormslp.go) calls lp_solve 5.5 through golp, whose own #cgo
// lines point at a copy of lp_solve bundled in its source tree that the
// module does not carry. The line below is solver's (lpsolve_link.go, where
// the reasons are): Debian's static /usr/lib/liblpsolve55.a needs COLAMD,
// libm and libdl. solver links it into programs already; this package needs
// it of its own for its test binary, which does not import solver.

// #cgo linux LDFLAGS: -llpsolve55 -lcolamd -lm -ldl
import "C"
