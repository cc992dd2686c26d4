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

// func dot4x2AVX(x *float64, ldx int, w *float64, ldw int, n int, buf *[24]float64)
//
// For the rows x0..x3 = x + a*ldx and w0, w1 = w + b*ldw, stores in buf[16+o]
// the dot product x_a . w_b, o = 2a + b, summed as gonum's DotUnitary sums
// it (four partial sums l_q over j ≡ q (mod 4), j < n &^ 3, each product
// rounded before it is added; the last n mod 4 terms added to l_0; then
// (l_0 + l_2) + (l_1 + l_3)), plus 0 (Dgemm's beta = 0). n >= 4; buf[0:16]
// is scratch.
TEXT ·dot4x2AVX(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ ldx+8(FP), AX
	SHLQ $3, AX
	MOVQ w+16(FP), DI
	MOVQ ldw+24(FP), BX
	SHLQ $3, BX
	MOVQ n+32(FP), CX
	MOVQ buf+40(FP), DX
	LEAQ (SI)(AX*1), R8
	LEAQ (R8)(AX*1), R9
	LEAQ (R9)(AX*1), R10
	LEAQ (DI)(BX*1), R11
	MOVQ CX, R13
	ANDQ $-4, R13
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	XORQ R12, R12

dotloop:
	VMOVUPD (DI)(R12*8), Y8
	VMOVUPD (R11)(R12*8), Y9
	VMOVUPD (SI)(R12*8), Y10
	VMULPD  Y8, Y10, Y11
	VADDPD  Y11, Y0, Y0
	VMULPD  Y9, Y10, Y12
	VADDPD  Y12, Y1, Y1
	VMOVUPD (R8)(R12*8), Y10
	VMULPD  Y8, Y10, Y11
	VADDPD  Y11, Y2, Y2
	VMULPD  Y9, Y10, Y12
	VADDPD  Y12, Y3, Y3
	VMOVUPD (R9)(R12*8), Y10
	VMULPD  Y8, Y10, Y11
	VADDPD  Y11, Y4, Y4
	VMULPD  Y9, Y10, Y12
	VADDPD  Y12, Y5, Y5
	VMOVUPD (R10)(R12*8), Y10
	VMULPD  Y8, Y10, Y11
	VADDPD  Y11, Y6, Y6
	VMULPD  Y9, Y10, Y12
	VADDPD  Y12, Y7, Y7
	ADDQ    $4, R12
	CMPQ    R12, R13
	JLT     dotloop

	// Save (l_2, l_3) of each sum; the scalar operations below clear the
	// upper halves.
	VEXTRACTF128 $1, Y0, 0(DX)
	VEXTRACTF128 $1, Y1, 16(DX)
	VEXTRACTF128 $1, Y2, 32(DX)
	VEXTRACTF128 $1, Y3, 48(DX)
	VEXTRACTF128 $1, Y4, 64(DX)
	VEXTRACTF128 $1, Y5, 80(DX)
	VEXTRACTF128 $1, Y6, 96(DX)
	VEXTRACTF128 $1, Y7, 112(DX)
	CMPQ R12, CX
	JGE  combine

dottail:
	// l_0 += x_a[j] w_b[j] for the last n mod 4 columns.
	VMOVSD (DI)(R12*8), X8
	VMOVSD (R11)(R12*8), X9
	VMOVSD (SI)(R12*8), X10
	VMULSD X8, X10, X11
	VADDSD X11, X0, X0
	VMULSD X9, X10, X12
	VADDSD X12, X1, X1
	VMOVSD (R8)(R12*8), X10
	VMULSD X8, X10, X11
	VADDSD X11, X2, X2
	VMULSD X9, X10, X12
	VADDSD X12, X3, X3
	VMOVSD (R9)(R12*8), X10
	VMULSD X8, X10, X11
	VADDSD X11, X4, X4
	VMULSD X9, X10, X12
	VADDSD X12, X5, X5
	VMOVSD (R10)(R12*8), X10
	VMULSD X8, X10, X11
	VADDSD X11, X6, X6
	VMULSD X9, X10, X12
	VADDSD X12, X7, X7
	INCQ   R12
	CMPQ   R12, CX
	JLT    dottail

combine:
	VXORPD X15, X15, X15

#define COMBINE(xacc, hi, out) \
	VADDPD    hi(DX), xacc, xacc \
	VPERMILPD $1, xacc, X9 \
	VADDSD    X9, xacc, xacc \
	VADDSD    xacc, X15, X10 \
	VMOVSD    X10, out(DX)

	COMBINE(X0, 0, 128)
	COMBINE(X1, 16, 136)
	COMBINE(X2, 32, 144)
	COMBINE(X3, 48, 152)
	COMBINE(X4, 64, 160)
	COMBINE(X5, 80, 168)
	COMBINE(X6, 96, 176)
	COMBINE(X7, 112, 184)
	VZEROUPPER
	RET

// func axpy4xkAVX(gp *float64, ldg int, x *float64, ldx int, n int, p *float64, pairs int)
//
// For each pair c = 0, 1, ..., pairs-1 of rows g0, g1 = gp + 2c ldg,
// gp + (2c+1) ldg, the weights p0..p7 = p[8c : 8c+8] and the rows x0..x3 =
// x + i*ldx, and j < n: g0[j] = (((g0[j] + p0 x0[j]) + p1 x1[j]) + p2 x2[j])
// + p3 x3[j], and g1[j] the same with p4..p7, each product rounded before
// it is added: four of gonum's axpys per row, element by element, four
// columns per instruction.
TEXT ·axpy4xkAVX(SB), NOSPLIT, $0-56
	MOVQ gp+0(FP), DI
	MOVQ ldg+8(FP), BX
	SHLQ $3, BX
	MOVQ x+16(FP), SI
	MOVQ ldx+24(FP), AX
	SHLQ $3, AX
	MOVQ n+32(FP), CX
	MOVQ p+40(FP), DX
	LEAQ (SI)(AX*1), R8
	LEAQ (R8)(AX*1), R9
	LEAQ (R9)(AX*1), R10
	MOVQ pairs+48(FP), AX
	MOVQ CX, R13
	ANDQ $-4, R13

axpypair:
	LEAQ (DI)(BX*1), R11
	VBROADCASTSD 0(DX), Y0
	VBROADCASTSD 8(DX), Y1
	VBROADCASTSD 16(DX), Y2
	VBROADCASTSD 24(DX), Y3
	VBROADCASTSD 32(DX), Y4
	VBROADCASTSD 40(DX), Y5
	VBROADCASTSD 48(DX), Y6
	VBROADCASTSD 56(DX), Y7
	XORQ R12, R12
	CMPQ R12, R13
	JGE  axpytail

axpyloop:
	VMOVUPD (SI)(R12*8), Y8
	VMOVUPD (R8)(R12*8), Y9
	VMOVUPD (R9)(R12*8), Y10
	VMOVUPD (R10)(R12*8), Y11
	VMOVUPD (DI)(R12*8), Y12
	VMULPD  Y0, Y8, Y14
	VADDPD  Y14, Y12, Y12
	VMULPD  Y1, Y9, Y14
	VADDPD  Y14, Y12, Y12
	VMULPD  Y2, Y10, Y14
	VADDPD  Y14, Y12, Y12
	VMULPD  Y3, Y11, Y14
	VADDPD  Y14, Y12, Y12
	VMOVUPD Y12, (DI)(R12*8)
	VMOVUPD (R11)(R12*8), Y13
	VMULPD  Y4, Y8, Y15
	VADDPD  Y15, Y13, Y13
	VMULPD  Y5, Y9, Y15
	VADDPD  Y15, Y13, Y13
	VMULPD  Y6, Y10, Y15
	VADDPD  Y15, Y13, Y13
	VMULPD  Y7, Y11, Y15
	VADDPD  Y15, Y13, Y13
	VMOVUPD Y13, (R11)(R12*8)
	ADDQ    $4, R12
	CMPQ    R12, R13
	JLT     axpyloop

axpytail:
	CMPQ R12, CX
	JGE  axpynext
	VMOVSD (SI)(R12*8), X8
	VMOVSD (R8)(R12*8), X9
	VMOVSD (R9)(R12*8), X10
	VMOVSD (R10)(R12*8), X11
	VMOVSD (DI)(R12*8), X12
	VMULSD X0, X8, X14
	VADDSD X14, X12, X12
	VMULSD X1, X9, X14
	VADDSD X14, X12, X12
	VMULSD X2, X10, X14
	VADDSD X14, X12, X12
	VMULSD X3, X11, X14
	VADDSD X14, X12, X12
	VMOVSD X12, (DI)(R12*8)
	VMOVSD (R11)(R12*8), X13
	VMULSD X4, X8, X15
	VADDSD X15, X13, X13
	VMULSD X5, X9, X15
	VADDSD X15, X13, X13
	VMULSD X6, X10, X15
	VADDSD X15, X13, X13
	VMULSD X7, X11, X15
	VADDSD X15, X13, X13
	VMOVSD X13, (R11)(R12*8)
	INCQ   R12
	JMP    axpytail

axpynext:
	LEAQ (R11)(BX*1), DI
	ADDQ $64, DX
	DECQ AX
	JNZ  axpypair
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

// func expAVX(v *float64, n int) (done int)
//
// v[i] = e^{v[i]} for i < done, four at a time, by the operations of
// math.Exp's FMA path (taken on CPUs with AVX and FMA) in the same order, so
// bit for bit math.Exp; arguments below -745.5 give +0, as math.Exp's
// underflow does. It stops at the first group of four (n is a multiple of
// 4) with an argument in (-745.5, -707) or (709, +Inf], where that path
// needs special cases, or NaN, and returns its index (n if none).
TEXT ·expAVX(SB), NOSPLIT, $0-24
	MOVQ v+0(FP), DI
	MOVQ DI, SI
	MOVQ n+8(FP), CX
	VBROADCASTSD expconst<>+0(SB), Y15
	VBROADCASTSD expconst<>+8(SB), Y14
	VBROADCASTSD expconst<>+16(SB), Y13
	VBROADCASTSD expconst<>+24(SB), Y12
	VBROADCASTSD expconst<>+96(SB), Y11
	VBROADCASTSD expconst<>+88(SB), Y10
	VPBROADCASTQ expconst<>+104(SB), Y9 // integer 1023
	VBROADCASTSD expconst<>+112(SB), Y7
	VBROADCASTSD expconst<>+120(SB), Y8
	VBROADCASTSD expconst<>+128(SB), Y6
	XORQ R8, R8
	CMPQ R8, CX
	JGE  expdone

exploop:
	VMOVUPD      (SI)(R8*8), Y0         // x
	VCMPPD       $0x1D, Y7, Y0, Y4      // x >= -707 (false for NaN)
	VCMPPD       $0x12, Y8, Y0, Y5      // x <= 709
	VANDPD       Y5, Y4, Y4
	VCMPPD       $0x11, Y6, Y0, Y5      // x < -745.5: e^x underflows to +0
	VORPD        Y5, Y4, Y4
	VMOVMSKPD    Y4, AX
	CMPL         AX, $15
	JNE          expdone
	VMULPD       Y15, Y0, Y1            // x log2(e)
	VCVTPD2DQY   Y1, X2                 // k = round(x log2(e)), int32
	VCVTDQ2PD    X2, Y1                 // float64(k)
	VFNMADD231PD Y14, Y1, Y0            // x -= k ln2u
	VFNMADD231PD Y13, Y1, Y0            // x -= k ln2l
	VMULPD       Y12, Y0, Y0            // r = x / 16
	VBROADCASTSD expconst<>+32(SB), Y1
	VBROADCASTSD expconst<>+40(SB), Y3
	VFMADD213PD  Y3, Y0, Y1
	VBROADCASTSD expconst<>+48(SB), Y3
	VFMADD213PD  Y3, Y0, Y1
	VBROADCASTSD expconst<>+56(SB), Y3
	VFMADD213PD  Y3, Y0, Y1
	VBROADCASTSD expconst<>+64(SB), Y3
	VFMADD213PD  Y3, Y0, Y1
	VBROADCASTSD expconst<>+72(SB), Y3
	VFMADD213PD  Y3, Y0, Y1
	VBROADCASTSD expconst<>+80(SB), Y3
	VFMADD213PD  Y3, Y0, Y1
	VFMADD213PD  Y10, Y0, Y1
	VMULPD       Y1, Y0, Y0             // e^r - 1
	VADDPD       Y11, Y0, Y1            // squarings: (e^r - 1)(e^r + 1) = e^{2r} - 1
	VMULPD       Y1, Y0, Y0
	VADDPD       Y11, Y0, Y1
	VMULPD       Y1, Y0, Y0
	VADDPD       Y11, Y0, Y1
	VMULPD       Y1, Y0, Y0
	VADDPD       Y11, Y0, Y1
	VFMADD213PD  Y10, Y1, Y0            // e^{16 r}
	VPMOVSXDQ    X2, Y2                 // k, int64
	VPADDQ       Y9, Y2, Y2
	VPSLLQ       $52, Y2, Y2            // 2^k
	VMULPD       Y2, Y0, Y0
	VANDNPD      Y0, Y5, Y0             // +0 where x < -745.5
	VMOVUPD      Y0, (DI)(R8*8)
	ADDQ         $4, R8
	CMPQ         R8, CX
	JLT          exploop

expdone:
	MOVQ         R8, done+16(FP)
	VZEROUPPER
	RET
