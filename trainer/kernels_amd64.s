//go:build amd64 && !purego

#include "textflag.h"

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-4
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	RET

// Macros of the product kernels: the 12 accumulators are 4 rows × 3
// registers of 4 lanes, Y12-Y14 hold a row of 12 lanes of the other factor
// and Y15 a broadcast number.

// FMA3(src, a0, a1, a2): a_q += src × (Y12, Y13, Y14)_q, one rounding each.
#define FMA3(src, a0, a1, a2) \
	VBROADCASTSD src, Y15 \
	VFMADD231PD  Y12, Y15, a0 \
	VFMADD231PD  Y13, Y15, a1 \
	VFMADD231PD  Y14, Y15, a2

// LOAD3(p, a0, a1, a2) loads the 12 numbers at p into a0, a1, a2.
#define LOAD3(p, a0, a1, a2) \
	VMOVUPD (p), a0 \
	VMOVUPD 32(p), a1 \
	VMOVUPD 64(p), a2

// STORE3(a0, a1, a2, p) stores a0, a1, a2 as 12 numbers at p.
#define STORE3(a0, a1, a2, p) \
	VMOVUPD a0, (p) \
	VMOVUPD a1, 32(p) \
	VMOVUPD a2, 64(p)

// PTR(p, ld, preg, lreg) loads the pointer argument p into preg and the
// stride argument ld, in bytes, into lreg.
#define PTR(p, ld, preg, lreg) \
	MOVQ p, preg \
	MOVQ ld, lreg \
	SHLQ $3, lreg

// ARGS(out, lout, x, lx, w, lw, n) loads the arguments of a product kernel:
// the output and its stride (bytes) into DX and R11, the samples into SI
// and AX, the other factor into DI and BX, the count into CX.
#define ARGS(out, lout, x, lx, w, lw, n) \
	PTR(out, lout, DX, R11) \
	PTR(x, lx, SI, AX) \
	PTR(w, lw, DI, BX) \
	MOVQ n, CX

// ROWS(p, l) points R8, R9, R10 at the rows 1, 2, 3 after p, l bytes apart.
#define ROWS(p, l) \
	LEAQ (p)(l*1), R8 \
	LEAQ (R8)(l*1), R9 \
	LEAQ (R9)(l*1), R10

// NEXTSAMPLE(loop) moves the weights DI and the samples SI to the next
// sample (BX and AX bytes) and counts CX down, looping while it is not 0.
#define NEXTSAMPLE(loop) \
	ADDQ BX, DI \
	ADDQ AX, SI \
	DECQ CX \
	JNZ  loop

// MASKSTORE3(a0, a1, a2, p) stores the lanes of a0, a1, a2 whose masks
// in Y12, Y13, Y14 are set at p, and moves p to the next row (R11 bytes).
#define MASKSTORE3(a0, a1, a2, p) \
	VMASKMOVPD a0, Y12, (p) \
	VMASKMOVPD a1, Y13, 32(p) \
	VMASKMOVPD a2, Y14, 64(p) \
	ADDQ       R11, p

// func logitsFMA(s *float64, lds int, x *float64, ldx int, wt *float64, ldwt int, n int, mask *[12]int64)
//
// For the rows a = 0..3 of s (stride lds) and of x (stride ldx) and the
// lanes q = 0..11: s[a*lds+q] = acc_aq where mask[q] != 0 (the other lanes
// of s are not touched), with acc_aq = 0 and then, for l = 0, 1, ..., n-1,
// acc_aq = fma(x[a*ldx+l], wt[l*ldwt+q], acc_aq): each sum taken in
// increasing l with one rounding per term. Twelve accumulators (4 rows × 3
// registers of 4 lanes) hide the latency of the FMAs.
TEXT ·logitsFMA(SB), NOSPLIT, $0-64
	ARGS(s+0(FP), lds+8(FP), x+16(FP), ldx+24(FP), wt+32(FP), ldwt+40(FP), n+48(FP))
	ROWS(SI, AX)
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	XORQ   R12, R12
	CMPQ   R12, CX
	JGE    logitsstore

logitsloop:
	LOAD3(DI, Y12, Y13, Y14)
	FMA3((SI)(R12*8), Y0, Y1, Y2)
	FMA3((R8)(R12*8), Y3, Y4, Y5)
	FMA3((R9)(R12*8), Y6, Y7, Y8)
	FMA3((R10)(R12*8), Y9, Y10, Y11)
	ADDQ BX, DI
	INCQ R12
	CMPQ R12, CX
	JLT  logitsloop

logitsstore:
	MOVQ mask+56(FP), R13
	LOAD3(R13, Y12, Y13, Y14)
	MASKSTORE3(Y0, Y1, Y2, DX)
	MASKSTORE3(Y3, Y4, Y5, DX)
	MASKSTORE3(Y6, Y7, Y8, DX)
	MASKSTORE3(Y9, Y10, Y11, DX)
	VZEROUPPER
	RET

// func gradFMA(gt *float64, ldgt int, r *float64, ldr int, x *float64, ldx int, m int)
//
// For the columns b = 0..3 and the lanes q = 0..11, for i = 0, 1, ...,
// m-1: gt[b*ldgt+q] = fma(r[i*ldr+q], x[i*ldx+b], gt[b*ldgt+q]), the sum
// over the samples i taken in increasing i with one rounding per term. The
// 4 rows of gt (12 lanes each) stay in registers over the loop.
TEXT ·gradFMA(SB), NOSPLIT, $0-56
	ARGS(gt+0(FP), ldgt+8(FP), x+32(FP), ldx+40(FP), r+16(FP), ldr+24(FP), m+48(FP))
	ROWS(DX, R11)
	LOAD3(DX, Y0, Y1, Y2)
	LOAD3(R8, Y3, Y4, Y5)
	LOAD3(R9, Y6, Y7, Y8)
	LOAD3(R10, Y9, Y10, Y11)
	TESTQ CX, CX
	JLE   gradstore

gradloop:
	LOAD3(DI, Y12, Y13, Y14)
	FMA3((SI), Y0, Y1, Y2)
	FMA3(8(SI), Y3, Y4, Y5)
	FMA3(16(SI), Y6, Y7, Y8)
	FMA3(24(SI), Y9, Y10, Y11)
	NEXTSAMPLE(gradloop)

gradstore:
	STORE3(Y0, Y1, Y2, DX)
	STORE3(Y3, Y4, Y5, R8)
	STORE3(Y6, Y7, Y8, R9)
	STORE3(Y9, Y10, Y11, R10)
	VZEROUPPER
	RET

// ZFMA2(src, a0, a1): a_q += src × (Z16, Z17)_q, one rounding each.
#define ZFMA2(src, a0, a1) \
	VBROADCASTSD src, Z18 \
	VFMADD231PD  Z16, Z18, a0 \
	VFMADD231PD  Z17, Z18, a1

// ZLOAD2(p, a0, a1) loads the 16 numbers at p into a0, a1; ZSTORE2(a0,
// a1, p) stores them.
#define ZLOAD2(p, a0, a1) \
	VMOVUPD (p), a0 \
	VMOVUPD 64(p), a1

#define ZSTORE2(a0, a1, p) \
	VMOVUPD a0, (p) \
	VMOVUPD a1, 64(p)

// ZMASKSTORE2(a0, a1, p) stores the lanes of a0, a1 selected by K1, K2 at
// p, and moves p to the next row (R11 bytes).
#define ZMASKSTORE2(a0, a1, p) \
	VMOVUPD a0, K1, (p) \
	VMOVUPD a1, K2, 64(p) \
	ADDQ    R11, p

// ZMASKSTORE8(a0, ..., a7) stores 4 rows of 16 lanes with ZMASKSTORE2 at DX.
#define ZMASKSTORE8(a0, a1, a2, a3, a4, a5, a6, a7) \
	ZMASKSTORE2(a0, a1, DX) \
	ZMASKSTORE2(a2, a3, DX) \
	ZMASKSTORE2(a4, a5, DX) \
	ZMASKSTORE2(a6, a7, DX)

// func logitsFMA512(s *float64, lds int, x *float64, ldx int, wt *float64, ldwt int, n int, mask uint16)
//
// logitsFMA for 8 rows and 16 lanes, in 16 registers of 8 lanes: for the
// rows a = 0..7 and the lanes q = 0..15, s[a*lds+q] = acc_aq where bit q
// of mask is set, acc_aq = 0 and then, for l = 0, 1, ..., n-1, acc_aq =
// fma(x[a*ldx+l], wt[l*ldwt+q], acc_aq).
TEXT ·logitsFMA512(SB), NOSPLIT, $0-58
	ARGS(s+0(FP), lds+8(FP), x+16(FP), ldx+24(FP), wt+32(FP), ldwt+40(FP), n+48(FP))
	LEAQ    (SI)(AX*2), R8
	ADDQ    AX, R8                     // row 3
	LEAQ    (R8)(AX*2), R9
	ADDQ    AX, R9                     // row 6
	VPXORQ  Z0, Z0, Z0
	VMOVAPD Z0, Z1
	VMOVAPD Z0, Z2
	VMOVAPD Z0, Z3
	VMOVAPD Z0, Z4
	VMOVAPD Z0, Z5
	VMOVAPD Z0, Z6
	VMOVAPD Z0, Z7
	VMOVAPD Z0, Z8
	VMOVAPD Z0, Z9
	VMOVAPD Z0, Z10
	VMOVAPD Z0, Z11
	VMOVAPD Z0, Z12
	VMOVAPD Z0, Z13
	VMOVAPD Z0, Z14
	VMOVAPD Z0, Z15
	TESTQ   CX, CX
	JLE     zlogitsstore

zlogitsloop:
	ZLOAD2(DI, Z16, Z17)
	ZFMA2((SI), Z0, Z1)
	ZFMA2((SI)(AX*1), Z2, Z3)
	ZFMA2((SI)(AX*2), Z4, Z5)
	ZFMA2((R8), Z6, Z7)
	ZFMA2((SI)(AX*4), Z8, Z9)
	ZFMA2((R8)(AX*2), Z10, Z11)
	ZFMA2((R9), Z12, Z13)
	ZFMA2((R9)(AX*1), Z14, Z15)
	ADDQ    BX, DI
	ADDQ    $8, SI
	ADDQ    $8, R8
	ADDQ    $8, R9
	DECQ    CX
	JNZ     zlogitsloop

zlogitsstore:
	MOVWLZX mask+56(FP), R12
	KMOVW   R12, K1
	KSHIFTRW $8, K1, K2
	ZMASKSTORE8(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	ZMASKSTORE8(Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	VZEROUPPER
	RET

// func gradFMA512x8(gt *float64, ldgt int, r *float64, ldr int, x *float64, ldx int, m int, xb int)
//
// gradFMA for 8 columns and 16 lanes, in 16 registers of 8 lanes: for the
// columns b = 0..7 (0..3 at x, 4..7 at x + xb: two blocks of packed
// samples) and the lanes q = 0..15, for i = 0, 1, ..., m-1: gt[b*ldgt+q] =
// fma(r[i*ldr+q], x_ib, gt[b*ldgt+q]).
TEXT ·gradFMA512x8(SB), NOSPLIT, $0-64
	ARGS(gt+0(FP), ldgt+8(FP), x+32(FP), ldx+40(FP), r+16(FP), ldr+24(FP), m+48(FP))
	MOVQ  xb+56(FP), R12
	LEAQ  (SI)(R12*8), R12             // the second block of columns
	ROWS(DX, R11)
	LEAQ  (R10)(R11*1), R13            // row 4 of gt
	LEAQ  (R13)(R11*1), R14            // row 5
	LEAQ  (R14)(R11*1), R15            // row 6
	ZLOAD2(DX, Z0, Z1)
	ZLOAD2(R8, Z2, Z3)
	ZLOAD2(R9, Z4, Z5)
	ZLOAD2(R10, Z6, Z7)
	ZLOAD2(R13, Z8, Z9)
	ZLOAD2(R14, Z10, Z11)
	ZLOAD2(R15, Z12, Z13)
	ADDQ  R11, R15                     // row 7
	ZLOAD2(R15, Z14, Z15)
	TESTQ CX, CX
	JLE   zgrad8store

zgrad8loop:
	ZLOAD2(DI, Z16, Z17)
	ZFMA2((SI), Z0, Z1)
	ZFMA2(8(SI), Z2, Z3)
	ZFMA2(16(SI), Z4, Z5)
	ZFMA2(24(SI), Z6, Z7)
	ZFMA2((R12), Z8, Z9)
	ZFMA2(8(R12), Z10, Z11)
	ZFMA2(16(R12), Z12, Z13)
	ZFMA2(24(R12), Z14, Z15)
	ADDQ  AX, R12
	NEXTSAMPLE(zgrad8loop)

zgrad8store:
	ZSTORE2(Z0, Z1, DX)
	ZSTORE2(Z2, Z3, R8)
	ZSTORE2(Z4, Z5, R9)
	ZSTORE2(Z6, Z7, R10)
	ZSTORE2(Z8, Z9, R13)
	ZSTORE2(Z10, Z11, R14)
	ZSTORE2(Z14, Z15, R15)
	SUBQ    R11, R15
	ZSTORE2(Z12, Z13, R15)
	VZEROUPPER
	RET

// -Inf, for shiftRowsAVX.
DATA neginf<>+0(SB)/8, $0xfff0000000000000
GLOBL neginf<>+0(SB), RODATA, $8

// MASKLOAD3(p) loads the lanes of the row at p selected by the masks
// Y12-Y14 into Y9-Y11 (the others get 0).
#define MASKLOAD3(p) \
	VMASKMOVPD (p), Y12, Y9 \
	VMASKMOVPD 32(p), Y13, Y10 \
	VMASKMOVPD 64(p), Y14, Y11

// KEEP(lanes, valid, row, keep): keep = row in the lanes selected by valid
// whose number (at lanes, in laneNumbers) is not the class y in Y6, -Inf
// in the others.
#define KEEP(lanes, valid, row, keep) \
	VPCMPEQQ  lanes, Y6, keep \
	VPANDN    valid, keep, keep \
	VBLENDVPD keep, row, Y15, keep

// UNSHIFT(off, valid, row) stores (row - Y5) - Y4 in the lanes of off(SI)
// selected by valid.
#define UNSHIFT(off, valid, row) \
	VSUBPD     Y5, row, row \
	VSUBPD     Y4, row, row \
	VMASKMOVPD row, valid, off(SI)

// func shiftRowsAVX(s *float64, k int, y *int, m int, umax *float64, mask *[12]int64) (done int)
//
// For the rows i = 0, 1, ... of s (k <= 12 numbers each, the classes c <
// k selected by mask) of the samples of classes y[i]: umax[i] = (max_{c !=
// y[i]} s_ic) - s_iy, s_ic = (s_ic - s_iy) - umax[i] for c != y[i] and
// s_iy = -Inf. It stops at the first row holding a NaN or whose largest
// s_ic (c != y) is ±0, where the maximum of VMAXPD could differ from Go's
// max, leaves that row as it is and returns its index (m if none). Each
// row is loaded before the previous one is stored: a load overlapping an
// earlier masked store would wait for it to reach the cache.
TEXT ·shiftRowsAVX(SB), NOSPLIT, $0-56
	MOVQ         s+0(FP), SI
	MOVQ         k+8(FP), BX
	SHLQ         $3, BX
	MOVQ         y+16(FP), DI
	MOVQ         m+24(FP), CX
	MOVQ         umax+32(FP), DX
	MOVQ         mask+40(FP), R8
	LOAD3(R8, Y12, Y13, Y14)
	VBROADCASTSD neginf<>+0(SB), Y15
	XORQ         R10, R10
	CMPQ         R10, CX
	JGE          shiftdone
	MASKLOAD3(SI)

shiftloop:
	VMOVAPD      Y9, Y0
	VMOVAPD      Y10, Y1
	VMOVAPD      Y11, Y2
	LEAQ         1(R10), R11
	CMPQ         R11, CX
	JGE          shiftrow
	LEAQ         (SI)(BX*1), R8
	MASKLOAD3(R8)                           // the next row

shiftrow:
	MOVQ         (DI)(R10*8), R9            // y
	VPBROADCASTQ (DI)(R10*8), Y6
	KEEP(·laneNumbers+0(SB), Y12, Y0, Y3)
	KEEP(·laneNumbers+32(SB), Y13, Y1, Y4)
	KEEP(·laneNumbers+64(SB), Y14, Y2, Y5)
	VCMPPD       $3, Y0, Y0, Y7             // NaN lanes (the others hold 0)
	VCMPPD       $3, Y1, Y1, Y8
	VORPD        Y8, Y7, Y7
	VCMPPD       $3, Y2, Y2, Y8
	VORPD        Y8, Y7, Y7
	VMOVMSKPD    Y7, AX
	TESTL        AX, AX
	JNE          shiftdone
	VMAXPD       Y4, Y3, Y3
	VMAXPD       Y5, Y3, Y3
	VEXTRACTF128 $1, Y3, X4
	VMAXPD       X4, X3, X3
	VPERMILPD    $1, X3, X4
	VMAXSD       X4, X3, X3                 // max_{c != y} s_c
	VXORPD       X4, X4, X4
	VUCOMISD     X4, X3
	JEQ          shiftdone                  // ±0 (not NaN: checked above)
	VBROADCASTSD (SI)(R9*8), Y5             // s_y
	VSUBSD       X5, X3, X3                 // umax
	VMOVSD       X3, (DX)(R10*8)
	VBROADCASTSD X3, Y4
	UNSHIFT(0, Y12, Y0)
	UNSHIFT(32, Y13, Y1)
	UNSHIFT(64, Y14, Y2)
	VMOVSD       X15, (SI)(R9*8)            // s_y = -Inf
	ADDQ         BX, SI
	INCQ         R10
	CMPQ         R10, CX
	JLT          shiftloop

shiftdone:
	MOVQ R10, done+48(FP)
	VZEROUPPER
	RET

// Constants of math.Exp's amd64 code (exp_amd64.s, after Shibata's SLEEF),
// for expAVX.
DATA expconst<>+0(SB)/8, $1.4426950408889634073599246810018920   // log2(e)
DATA expconst<>+8(SB)/8, $0.69314718055966295651160180568695068359375 // ln 2, upper part
DATA expconst<>+16(SB)/8, $0.28235290563031577122588448175013436025525412068e-12 // ln 2, lower part
DATA expconst<>+24(SB)/8, $0.0625
DATA expconst<>+32(SB)/8, $2.4801587301587301587e-5
DATA expconst<>+40(SB)/8, $1.9841269841269841270e-4
DATA expconst<>+48(SB)/8, $1.3888888888888888889e-3
DATA expconst<>+56(SB)/8, $8.3333333333333333333e-3
DATA expconst<>+64(SB)/8, $4.1666666666666666667e-2
DATA expconst<>+72(SB)/8, $1.6666666666666666667e-1
DATA expconst<>+80(SB)/8, $0.5
DATA expconst<>+88(SB)/8, $1.0
DATA expconst<>+96(SB)/8, $2.0
DATA expconst<>+104(SB)/8, $1023
DATA expconst<>+112(SB)/8, $-707.0
DATA expconst<>+120(SB)/8, $709.0
DATA expconst<>+128(SB)/8, $-745.5
GLOBL expconst<>+0(SB), RODATA, $136

// EXPSTART(done, log2e, ln2u, ln2l, sixteenth, two, one, bias, lo, hi,
// under) loads the arguments v and n into DI and CX and the constants of the
// exponential kernels into registers, and sets R8 = 0, going to done if n
// is 0.
#define EXPSTART(done, log2e, ln2u, ln2l, sixteenth, two, one, bias, lo, hi, under) \
	MOVQ         v+0(FP), DI \
	MOVQ         n+8(FP), CX \
	VBROADCASTSD expconst<>+0(SB), log2e \
	VBROADCASTSD expconst<>+8(SB), ln2u \
	VBROADCASTSD expconst<>+16(SB), ln2l \
	VBROADCASTSD expconst<>+24(SB), sixteenth \
	VBROADCASTSD expconst<>+96(SB), two \
	VBROADCASTSD expconst<>+88(SB), one \
	VPBROADCASTQ expconst<>+104(SB), bias \
	VBROADCASTSD expconst<>+112(SB), lo \
	VBROADCASTSD expconst<>+120(SB), hi \
	VBROADCASTSD expconst<>+128(SB), under \
	XORQ         R8, R8 \
	CMPQ         R8, CX \
	JGE          done

// EXPRANGE(x, lo, hi, under, a, b, c) loads the next group of v into x and
// compares it: a = x >= -707 (false for NaN), b = x <= 709, c = x < -745.5
// (e^x underflows to +0), with the bounds in lo, hi and under.
#define EXPRANGE(x, lo, hi, under, a, b, c) \
	VMOVUPD (DI)(R8*8), x \
	VCMPPD  $0x1D, lo, x, a \
	VCMPPD  $0x12, hi, x, b \
	VCMPPD  $0x11, under, x, c

// HORNER(off, c, x, t): t = t x + the coefficient at expconst+off.
#define HORNER(off, c, x, t) \
	VBROADCASTSD expconst<>+off(SB), c \
	VFMADD213PD  c, x, t

// EXPCORE(CVT, x, t, c, kd, kq) replaces x by e^x / 2^k and kq by 2^k, k =
// round(x log2(e)), by the operations of math.Exp's FMA path in its order,
// with the constants of EXPSTART in registers 15 (log2 e), 14, 13 (ln 2,
// upper and lower part), 12 (1/16), 11 (2), 10 (1) and 9 (the bias 1023):
// Y or Z registers, with CVT the conversion from float64 to int32 of that
// width (into kd, the int32 register, X or Y). t and c are scratch.
#define EXPCORE(CVT, x, t, c, kd, kq, log2e, ln2u, ln2l, sixteenth, two, one, bias) \
	VMULPD       log2e, x, t \
	CVT          t, kd \
	VCVTDQ2PD    kd, t \
	VFNMADD231PD ln2u, t, x \
	VFNMADD231PD ln2l, t, x \
	VMULPD       sixteenth, x, x \
	VBROADCASTSD expconst<>+32(SB), t \
	HORNER(40, c, x, t) \
	HORNER(48, c, x, t) \
	HORNER(56, c, x, t) \
	HORNER(64, c, x, t) \
	HORNER(72, c, x, t) \
	HORNER(80, c, x, t) \
	VFMADD213PD  one, x, t \
	VMULPD       t, x, x \
	VADDPD       two, x, t \
	VMULPD       t, x, x \
	VADDPD       two, x, t \
	VMULPD       t, x, x \
	VADDPD       two, x, t \
	VMULPD       t, x, x \
	VADDPD       two, x, t \
	VFMADD213PD  one, t, x \
	VPMOVSXDQ    kd, kq \
	VPADDQ       bias, kq, kq \
	VPSLLQ       $52, kq, kq

// EXPINRANGE(AND, OR, MOVMSK, a, b, c, all, done) goes to done unless
// every lane of the group is in the kernels' range, (a and b) or c, with
// the instructions of the width (all is the mask of every lane).
#define EXPINRANGE(AND, OR, MOVMSK, a, b, c, all, done) \
	AND    b, a, a \
	OR     c, a, a \
	MOVMSK a, AX \
	CMPL   AX, $all \
	JNE    done

// EXPLOOP(step, loop) moves R8 to the next group of step numbers and loops
// while it is below n (CX); EXPRET returns R8 as done.
#define EXPLOOP(step, loop) \
	ADDQ $step, R8 \
	CMPQ R8, CX \
	JLT  loop

#define EXPRET \
	MOVQ R8, done+16(FP) \
	VZEROUPPER \
	RET

// func expAVX(v *float64, n int) (done int)
//
// v[i] = e^{v[i]} for i < done, four at a time, by the operations of
// math.Exp's FMA path (taken on CPUs with AVX and FMA) in the same order, so
// bit for bit math.Exp: x -= k ln 2 with k = round(x log2 e) (in two
// parts), r = x/16, e^r - 1 by a polynomial, four squarings (e^{2r} - 1 =
// (e^r - 1)(e^r + 1)), e^{16r} times 2^k; arguments below -745.5 give +0,
// as math.Exp's underflow does. It stops at the first group of four (n is a
// multiple of 4) with an argument in (-745.5, -707) or (709, +Inf], where
// that path needs special cases, or NaN, and returns its index (n if none).
TEXT ·expAVX(SB), NOSPLIT, $0-24
	EXPSTART(expdone, Y15, Y14, Y13, Y12, Y11, Y10, Y9, Y7, Y8, Y6)

exploop:
	EXPRANGE(Y0, Y7, Y8, Y6, Y4, Y3, Y5)
	EXPINRANGE(VANDPD, VORPD, VMOVMSKPD, Y4, Y3, Y5, 15, expdone)
	EXPCORE(VCVTPD2DQY, Y0, Y1, Y3, X2, Y2, Y15, Y14, Y13, Y12, Y11, Y10, Y9)
	VMULPD    Y2, Y0, Y0
	VANDNPD   Y0, Y5, Y0        // +0 where x < -745.5
	VMOVUPD   Y0, (DI)(R8*8)
	EXPLOOP(4, exploop)

expdone:
	EXPRET

// func expAVX512(v *float64, n int) (done int)
//
// expAVX eight at a time, in 8-lane registers (n is a multiple of 8; it
// stops at the first group of 8 with an argument in (-745.5, -707) or
// (709, +Inf], or NaN).
TEXT ·expAVX512(SB), NOSPLIT, $0-24
	EXPSTART(exp8done, Z15, Z14, Z13, Z12, Z11, Z10, Z9, Z7, Z8, Z6)

exp8loop:
	EXPRANGE(Z0, Z7, Z8, Z6, K1, K2, K3)
	EXPINRANGE(KANDW, KORW, KMOVW, K1, K2, K3, 0xff, exp8done)
	KNOTW    K3, K4            // the lanes that do not underflow
	EXPCORE(VCVTPD2DQ, Z0, Z1, Z3, Y2, Z2, Z15, Z14, Z13, Z12, Z11, Z10, Z9)
	VMULPD.Z Z2, Z0, K4, Z0    // +0 where x < -745.5
	VMOVUPD  Z0, (DI)(R8*8)
	EXPLOOP(8, exp8loop)

exp8done:
	EXPRET

// Constants of math.Log's amd64 code (log_amd64.s), for logAVX512.
DATA logconst<>+0(SB)/8, $7.07106781186547524401e-01 // sqrt(2)/2
DATA logconst<>+8(SB)/8, $6.93147180369123816490e-01 // ln 2, upper part
DATA logconst<>+16(SB)/8, $1.90821492927058770002e-10 // ln 2, lower part
DATA logconst<>+24(SB)/8, $6.666666666666735130e-01 // L1
DATA logconst<>+32(SB)/8, $3.999999999940941908e-01 // L2
DATA logconst<>+40(SB)/8, $2.857142874366239149e-01 // L3
DATA logconst<>+48(SB)/8, $2.222219843214978396e-01 // L4
DATA logconst<>+56(SB)/8, $1.818357216161805012e-01 // L5
DATA logconst<>+64(SB)/8, $1.531383769920937332e-01 // L6
DATA logconst<>+72(SB)/8, $1.479819860511658591e-01 // L7
DATA logconst<>+80(SB)/8, $0x000FFFFFFFFFFFFF // mantissa
DATA logconst<>+88(SB)/8, $0x3FE0000000000000 // 0.5
DATA logconst<>+96(SB)/8, $0x7FF // exponent
DATA logconst<>+104(SB)/8, $0x3FE // exponent of 0.5
DATA logconst<>+112(SB)/8, $0x7FF0000000000000 // +Inf
DATA logconst<>+120(SB)/8, $1.0
DATA logconst<>+128(SB)/8, $2.0
GLOBL logconst<>+0(SB), RODATA, $136

// ZPOLY(c, s4, t): t = t s4 + the coefficient at logconst+c.
#define ZPOLY(c, s4, t) \
	VMULPD s4, t, t \
	VADDPD.BCST logconst<>+c(SB), t, t

// func logAVX512(v *float64, n int) (done int)
//
// v[i] = log(v[i]) for i < done, eight at a time, by the operations of
// math.Log's amd64 code in the same order (no FMA), so bit for bit
// math.Log: x = f1 2^k with f1 in [1/2, 1), or 2 f1 2^(k-1) if f1 <= sqrt(2)/2;
// f = f1 - 1, s = f/(2 + f), the polynomials t1, t2 in s^2 and s^4,
// k ln2u - ((f^2/2 - (s (f^2/2 + t1 + t2) + k ln2l)) - f). It stops at the
// first group of 8 (n is a multiple of 8) with an argument that is not
// positive and finite (where math.Log takes its special cases), and returns
// its index (n if none).
TEXT ·logAVX512(SB), NOSPLIT, $0-24
	MOVQ         v+0(FP), DI
	MOVQ         n+8(FP), CX
	VPBROADCASTQ logconst<>+112(SB), Z31 // +Inf
	VPBROADCASTQ logconst<>+80(SB), Z30  // mantissa mask
	VPBROADCASTQ logconst<>+88(SB), Z29  // 0.5
	VPBROADCASTQ logconst<>+96(SB), Z28  // exponent mask
	VPBROADCASTQ logconst<>+104(SB), Z27 // 0x3FE
	VBROADCASTSD logconst<>+0(SB), Z26   // sqrt(2)/2
	VBROADCASTSD logconst<>+120(SB), Z25 // 1
	VBROADCASTSD logconst<>+128(SB), Z24 // 2
	VPXORQ       Z23, Z23, Z23           // 0
	XORQ         R8, R8
	CMPQ         R8, CX
	JGE          log8done

log8loop:
	VMOVDQU64    (DI)(R8*8), Z0          // x, as bits
	VPCMPGTQ     Z23, Z0, K1             // bits > 0: x > 0 (not -0, negatives or -NaN)
	VPCMPGTQ     Z0, Z31, K2             // bits < +Inf: finite, not NaN
	KANDW        K2, K1, K1
	KMOVW        K1, AX
	CMPL         AX, $0xff
	JNE          log8done
	VPANDQ       Z30, Z0, Z2
	VPORQ        Z29, Z2, Z2             // f1
	VPSRLQ       $52, Z0, Z1
	VPANDQ       Z28, Z1, Z1
	VPSUBQ       Z27, Z1, Z1
	VPMOVQD      Z1, Y1
	VCVTDQ2PD    Y1, Z1                  // k
	VCMPPD       $5, Z2, Z26, K3         // !(sqrt(2)/2 < f1)
	VMOVAPD.Z    Z25, K3, Z3             // 1 or 0
	VSUBPD       Z3, Z1, Z1              // k -= 1
	VADDPD       Z25, Z3, Z3             // 2 or 1
	VMULPD       Z3, Z2, Z2              // f1 *= 2
	VSUBPD       Z25, Z2, Z2             // f = f1 - 1
	VADDPD       Z24, Z2, Z0             // 2 + f
	VDIVPD       Z0, Z2, Z3              // s = f / (2 + f)
	VMULPD       Z3, Z3, Z4              // s2
	VMULPD       Z4, Z4, Z5              // s4
	VBROADCASTSD logconst<>+72(SB), Z6   // L7
	ZPOLY(56, Z5, Z6)
	ZPOLY(40, Z5, Z6)
	ZPOLY(24, Z5, Z6)
	VMULPD       Z6, Z4, Z4              // t1
	VBROADCASTSD logconst<>+64(SB), Z6   // L6
	ZPOLY(48, Z5, Z6)
	ZPOLY(32, Z5, Z6)
	VMULPD       Z6, Z5, Z5              // t2
	VADDPD       Z5, Z4, Z4              // R = t1 + t2
	VMULPD.BCST  logconst<>+88(SB), Z2, Z0 // 0.5 f
	VMULPD       Z2, Z0, Z0              // hfsq = 0.5 f f
	VADDPD       Z0, Z4, Z4              // hfsq + R
	VMULPD       Z4, Z3, Z3              // s (hfsq + R)
	VMULPD.BCST  logconst<>+16(SB), Z1, Z4 // k ln2l
	VADDPD       Z4, Z3, Z3
	VSUBPD       Z3, Z0, Z0              // hfsq - (s (hfsq + R) + k ln2l)
	VSUBPD       Z2, Z0, Z0              // ... - f
	VMULPD.BCST  logconst<>+8(SB), Z1, Z1 // k ln2u
	VSUBPD       Z0, Z1, Z1
	VMOVUPD      Z1, (DI)(R8*8)
	ADDQ         $8, R8
	CMPQ         R8, CX
	JLT          log8loop

log8done:
	MOVQ R8, done+16(FP)
	VZEROUPPER
	RET
