package convex

// slpRefine (pnormslp.go) calls lp_solve 5.5 through golp. The linker
// flags of Debian's static lp_solve are in package lpsolve (link.go, where
// the reasons are); this import links them into every binary that links
// convex, its own test binary included.
import _ "maxmargin/solver/internal/lpsolve"
