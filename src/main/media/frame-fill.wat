;; A frame's packed RGB bytes into a float32 tensor, planar (NCHW, `fill`) or interleaved (NHWC,
;; `fill_nhwc`), 16 pixels at a time with 128-bit SIMD: value = (byte * s - m) / d per channel,
;; in single precision. The caller uses it
;; only when those constants give exactly the values of the conversion's 768-entry table
;; (frame-to-tensor.ts checks all of them), so both ways fill the same bits.
;;
;; Built into frame-fill-wasm.ts by `npm run wasm:build`; a unit test checks the two agree.
(module
  (memory (import "env" "memory") 1 65536 shared)

  ;; $groups groups of 16 pixels (48 bytes) from $src; each source channel's floats go to its
  ;; own plane ($r, $g, $b: a BGR model passes the red plane as $b), with its own s, m, d.
  ;; The three channels are written out in full: V8 does not inline calls here, and a call
  ;; per channel doubled the time.
  (func (export "fill")
    (param $src i32) (param $r i32) (param $g i32) (param $b i32) (param $groups i32)
    (param $rs f32) (param $rm f32) (param $rd f32)
    (param $gs f32) (param $gm f32) (param $gd f32)
    (param $bs f32) (param $bm f32) (param $bd f32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128)
    (local $c v128) (local $lo v128) (local $hi v128)
    (local $RS v128) (local $RM v128) (local $RD v128)
    (local $GS v128) (local $GM v128) (local $GD v128)
    (local $BS v128) (local $BM v128) (local $BD v128)
    (local.set $RS (f32x4.splat (local.get $rs)))
    (local.set $RM (f32x4.splat (local.get $rm)))
    (local.set $RD (f32x4.splat (local.get $rd)))
    (local.set $GS (f32x4.splat (local.get $gs)))
    (local.set $GM (f32x4.splat (local.get $gm)))
    (local.set $GD (f32x4.splat (local.get $gd)))
    (local.set $BS (f32x4.splat (local.get $bs)))
    (local.set $BM (f32x4.splat (local.get $bm)))
    (local.set $BD (f32x4.splat (local.get $bd)))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $groups)))
        ;; RGBRGB... in three vectors: bytes 0-15, 16-31, 32-47. Each channel's 16 bytes are
        ;; its 10 or 11 in the first two vectors, then the rest from the third; each byte
        ;; widens to 32 bits and becomes a float.
        (local.set $v0 (v128.load offset=0 (local.get $src)))
        (local.set $v1 (v128.load offset=16 (local.get $src)))
        (local.set $v2 (v128.load offset=32 (local.get $src)))
        ;; red
        (local.set $c
          (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 17 20 23 26 29
            (i8x16.shuffle 0 3 6 9 12 15 18 21 24 27 30 0 0 0 0 0 (local.get $v0) (local.get $v1))
            (local.get $v2)))
        (local.set $lo (i16x8.extend_low_i8x16_u (local.get $c)))
        (local.set $hi (i16x8.extend_high_i8x16_u (local.get $c)))
        (v128.store offset=0 (local.get $r)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $lo))) (local.get $RS))
              (local.get $RM))
            (local.get $RD)))
        (v128.store offset=16 (local.get $r)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $lo))) (local.get $RS))
              (local.get $RM))
            (local.get $RD)))
        (v128.store offset=32 (local.get $r)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $hi))) (local.get $RS))
              (local.get $RM))
            (local.get $RD)))
        (v128.store offset=48 (local.get $r)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $hi))) (local.get $RS))
              (local.get $RM))
            (local.get $RD)))
        ;; green
        (local.set $c
          (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 18 21 24 27 30
            (i8x16.shuffle 1 4 7 10 13 16 19 22 25 28 31 0 0 0 0 0 (local.get $v0) (local.get $v1))
            (local.get $v2)))
        (local.set $lo (i16x8.extend_low_i8x16_u (local.get $c)))
        (local.set $hi (i16x8.extend_high_i8x16_u (local.get $c)))
        (v128.store offset=0 (local.get $g)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $lo))) (local.get $GS))
              (local.get $GM))
            (local.get $GD)))
        (v128.store offset=16 (local.get $g)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $lo))) (local.get $GS))
              (local.get $GM))
            (local.get $GD)))
        (v128.store offset=32 (local.get $g)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $hi))) (local.get $GS))
              (local.get $GM))
            (local.get $GD)))
        (v128.store offset=48 (local.get $g)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $hi))) (local.get $GS))
              (local.get $GM))
            (local.get $GD)))
        ;; blue
        (local.set $c
          (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 16 19 22 25 28 31
            (i8x16.shuffle 2 5 8 11 14 17 20 23 26 29 0 0 0 0 0 0 (local.get $v0) (local.get $v1))
            (local.get $v2)))
        (local.set $lo (i16x8.extend_low_i8x16_u (local.get $c)))
        (local.set $hi (i16x8.extend_high_i8x16_u (local.get $c)))
        (v128.store offset=0 (local.get $b)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $lo))) (local.get $BS))
              (local.get $BM))
            (local.get $BD)))
        (v128.store offset=16 (local.get $b)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $lo))) (local.get $BS))
              (local.get $BM))
            (local.get $BD)))
        (v128.store offset=32 (local.get $b)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $hi))) (local.get $BS))
              (local.get $BM))
            (local.get $BD)))
        (v128.store offset=48 (local.get $b)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $hi))) (local.get $BS))
              (local.get $BM))
            (local.get $BD)))
        (local.set $src (i32.add (local.get $src) (i32.const 48)))
        (local.set $r (i32.add (local.get $r) (i32.const 64)))
        (local.set $g (i32.add (local.get $g) (i32.const 64)))
        (local.set $b (i32.add (local.get $b) (i32.const 64)))
        (local.set $groups (i32.sub (local.get $groups) (i32.const 1)))
        (br $next))))

  ;; $groups groups of 16 pixels (48 bytes) from $src into an interleaved (NHWC, RGB) float32
  ;; tensor at $dst: element i is byte i with its channel's s, m, d, the channel being i mod 3.
  ;; No shuffles: the 48 bytes widen in order, and four floats at a time meet the constants of
  ;; channels (k, k+1, k+2, k) mod 3, a pattern that repeats every three vectors.
  (func (export "fill_nhwc")
    (param $src i32) (param $dst i32) (param $groups i32)
    (param $s0 f32) (param $m0 f32) (param $d0 f32)
    (param $s1 f32) (param $m1 f32) (param $d1 f32)
    (param $s2 f32) (param $m2 f32) (param $d2 f32)
    (local $v v128) (local $lo v128) (local $hi v128)
    (local $S0 v128) (local $M0 v128) (local $D0 v128)
    (local $S1 v128) (local $M1 v128) (local $D1 v128)
    (local $S2 v128) (local $M2 v128) (local $D2 v128)
    (local.set $S0 (f32x4.replace_lane 3 (f32x4.replace_lane 2 (f32x4.replace_lane 1 (f32x4.splat (local.get $s0)) (local.get $s1)) (local.get $s2)) (local.get $s0)))
    (local.set $M0 (f32x4.replace_lane 3 (f32x4.replace_lane 2 (f32x4.replace_lane 1 (f32x4.splat (local.get $m0)) (local.get $m1)) (local.get $m2)) (local.get $m0)))
    (local.set $D0 (f32x4.replace_lane 3 (f32x4.replace_lane 2 (f32x4.replace_lane 1 (f32x4.splat (local.get $d0)) (local.get $d1)) (local.get $d2)) (local.get $d0)))
    (local.set $S1 (f32x4.replace_lane 3 (f32x4.replace_lane 2 (f32x4.replace_lane 1 (f32x4.splat (local.get $s1)) (local.get $s2)) (local.get $s0)) (local.get $s1)))
    (local.set $M1 (f32x4.replace_lane 3 (f32x4.replace_lane 2 (f32x4.replace_lane 1 (f32x4.splat (local.get $m1)) (local.get $m2)) (local.get $m0)) (local.get $m1)))
    (local.set $D1 (f32x4.replace_lane 3 (f32x4.replace_lane 2 (f32x4.replace_lane 1 (f32x4.splat (local.get $d1)) (local.get $d2)) (local.get $d0)) (local.get $d1)))
    (local.set $S2 (f32x4.replace_lane 3 (f32x4.replace_lane 2 (f32x4.replace_lane 1 (f32x4.splat (local.get $s2)) (local.get $s0)) (local.get $s1)) (local.get $s2)))
    (local.set $M2 (f32x4.replace_lane 3 (f32x4.replace_lane 2 (f32x4.replace_lane 1 (f32x4.splat (local.get $m2)) (local.get $m0)) (local.get $m1)) (local.get $m2)))
    (local.set $D2 (f32x4.replace_lane 3 (f32x4.replace_lane 2 (f32x4.replace_lane 1 (f32x4.splat (local.get $d2)) (local.get $d0)) (local.get $d1)) (local.get $d2)))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $groups)))
        (local.set $v (v128.load offset=0 (local.get $src)))
        (local.set $lo (i16x8.extend_low_i8x16_u (local.get $v)))
        (local.set $hi (i16x8.extend_high_i8x16_u (local.get $v)))
        (v128.store offset=0 (local.get $dst)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $lo))) (local.get $S0))
              (local.get $M0))
            (local.get $D0)))
        (v128.store offset=16 (local.get $dst)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $lo))) (local.get $S1))
              (local.get $M1))
            (local.get $D1)))
        (v128.store offset=32 (local.get $dst)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $hi))) (local.get $S2))
              (local.get $M2))
            (local.get $D2)))
        (v128.store offset=48 (local.get $dst)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $hi))) (local.get $S0))
              (local.get $M0))
            (local.get $D0)))
        (local.set $v (v128.load offset=16 (local.get $src)))
        (local.set $lo (i16x8.extend_low_i8x16_u (local.get $v)))
        (local.set $hi (i16x8.extend_high_i8x16_u (local.get $v)))
        (v128.store offset=64 (local.get $dst)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $lo))) (local.get $S1))
              (local.get $M1))
            (local.get $D1)))
        (v128.store offset=80 (local.get $dst)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $lo))) (local.get $S2))
              (local.get $M2))
            (local.get $D2)))
        (v128.store offset=96 (local.get $dst)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $hi))) (local.get $S0))
              (local.get $M0))
            (local.get $D0)))
        (v128.store offset=112 (local.get $dst)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $hi))) (local.get $S1))
              (local.get $M1))
            (local.get $D1)))
        (local.set $v (v128.load offset=32 (local.get $src)))
        (local.set $lo (i16x8.extend_low_i8x16_u (local.get $v)))
        (local.set $hi (i16x8.extend_high_i8x16_u (local.get $v)))
        (v128.store offset=128 (local.get $dst)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $lo))) (local.get $S2))
              (local.get $M2))
            (local.get $D2)))
        (v128.store offset=144 (local.get $dst)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $lo))) (local.get $S0))
              (local.get $M0))
            (local.get $D0)))
        (v128.store offset=160 (local.get $dst)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $hi))) (local.get $S1))
              (local.get $M1))
            (local.get $D1)))
        (v128.store offset=176 (local.get $dst)
          (f32x4.div
            (f32x4.sub
              (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $hi))) (local.get $S2))
              (local.get $M2))
            (local.get $D2)))
        (local.set $src (i32.add (local.get $src) (i32.const 48)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 192)))
        (local.set $groups (i32.sub (local.get $groups) (i32.const 1)))
        (br $next)))))
