package lpsolve

// The LP engine calls lp_solve 5.5 through golp, whose own #cgo lines point
// at a copy of lp_solve bundled in its source tree that the module does not
// carry. On Debian, liblpsolve55-dev installs lp_solve as a static library
// (/usr/lib/liblpsolve55.a) that needs COLAMD, libm and libdl; the linker
// flags of every package are merged into a program's final link, so the line
// below lets a plain go build link without exported CGO_LDFLAGS. Its header,
// /usr/include/lpsolve/lp_lib.h, is outside the C compiler's search path:
// see README.md, section "Building".

// #cgo linux LDFLAGS: -llpsolve55 -lcolamd -lm -ldl
import "C"
