#!/usr/bin/env bash
# EntropyLab vs NumPy on the vocabulary-scale exact-step workload (issue 5),
# side by side on this machine in one go:
#   1. builds entropy-lab in release with the native switch
#      (ENTROPYLAB_NATIVE=1: -target-cpu native and FMA; --portable builds
#      the default portable binary instead, to measure what users install);
#   2. measures the memory-bandwidth floor with a triad loop (C, all cores);
#   3. runs `entropy-lab bench step` (carried sums, the default), the NumPy
#      peer, and `entropy-lab bench step --no-carry` (every step from scratch);
#   4. checks agreement per step: entropy before/after and the first-order
#      prediction to 1e-9 relative, the actual change to 1e-13 absolute;
#   5. prints the speed ratio NumPy/EntropyLab, EntropyLab/floor and the
#      peak resident memory against the arrays' bytes;
#   6. times the interactive goals through the shell's own commands
#      (`entropy-lab bench interactive`: step and predict at K = 10,000,
#      `run 1000` of a GRPO bandit with S = 8, K = 16, G = 8);
#   7. times a vocabulary-size session through the shell's commands against
#      `bench step --no-carry` in the same process (`entropy-lab bench
#      shell`: each command's seconds, its ratio, the session's peak memory);
#   8. runs the sampled GRPO step with Clip-Cov at LLM batch size and its
#      NumPy peer (`entropy-lab bench grpo`: 512 states x 16 responses x T
#      tokens over the same K arms; checks agreement itself, prints the
#      ratio and the peak memory). --grpo-length T sets T (default 256),
#      --no-grpo skips it (the peer needs about 6 GB at T = 256).
# Exits 1 if the numbers disagree; the speed goals are reported, not enforced.
#
# usage: Benchmarks/compare-numpy.sh [--portable] [--states S] [--arms K] [--steps N] [--lr LR]
#                                    [--grpo-states S] [--grpo-length T] [--no-grpo]
# env:   NUMPY_PEER   path of numpy_step.py (default ../shared/bench/numpy_step.py
#                     beside the repository)
#        NUMPY_GRPO_PEER path of numpy_grpo_step.py (default beside numpy_step.py)
#        SCRATCH_PATH swift build scratch path (default .build, or
#                     .build-portable with --portable)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

states=256 arms=151936 steps=5 lr=0.5 portable=0 grpo=1 grpo_states=512 grpo_length=256
while [ $# -gt 0 ]; do
  case "$1" in
    --portable) portable=1; shift ;;
    --states) states=$2; shift 2 ;;
    --arms) arms=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --lr) lr=$2; shift 2 ;;
    --grpo-states) grpo_states=$2; shift 2 ;;
    --grpo-length) grpo_length=$2; shift 2 ;;
    --no-grpo) grpo=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
peer=${NUMPY_PEER:-$root/../shared/bench/numpy_step.py}
grpo_peer=${NUMPY_GRPO_PEER:-$(dirname "$peer")/numpy_grpo_step.py}
if [ $portable = 1 ]; then
  unset ENTROPYLAB_NATIVE
  build=portable
  scratch=${SCRATCH_PATH:-.build-portable}
else
  export ENTROPYLAB_NATIVE=1
  build="native CPU"
  scratch=${SCRATCH_PATH:-.build}
fi
[ -f "$peer" ] || { echo "NumPy peer not found at $peer (set NUMPY_PEER)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== machine"
model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
echo "cpu: $model; $(nproc) cores; $(grep -o -w -m1 -e avx512f /proc/cpuinfo || echo no-avx512)"
echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB; swift: $(swift --version 2>&1 | head -1)"
echo "numpy: $(python3 -c 'import numpy; print(numpy.__version__)')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== build (release, $build, $scratch)"
swift build -c release --scratch-path "$scratch" 2>&1 | tail -1
bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)/entropy-lab

echo "== triad floor"
cat >"$work/triad.c" <<'EOF'
/* Memory-bandwidth floor: the best of 7 sweeps of two triads over arrays of
   n doubles, one thread per core, each thread on its own contiguous slice.
   in-place a[i] += s*b[i]: reads 2 arrays, writes 1 in place (the exact-step
     pattern: read z and A, write z); 24 bytes per element really move.
   STREAM   a[i] = b[i] + s*c[i]: 24 bytes counted (write-allocate not). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static long n; static int T; static double *a, *b, *c; static int mode;
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
static void *run(void *arg) {
  long id = (long)arg, lo = n * id / T, hi = n * (id + 1) / T;
  if (mode == 0) for (long i = lo; i < hi; i++) { a[i] = 1.0; b[i] = 0.5; c[i] = 0.25; }
  else if (mode == 1) for (long i = lo; i < hi; i++) a[i] += 1e-9 * b[i];
  else for (long i = lo; i < hi; i++) a[i] = b[i] + 1e-9 * c[i];
  return 0;
}
static double sweep(int m) {
  pthread_t th[256]; mode = m; double t0 = now();
  for (long i = 0; i < T; i++) pthread_create(&th[i], 0, run, (void *)i);
  for (long i = 0; i < T; i++) pthread_join(th[i], 0);
  return now() - t0;
}
int main(int argc, char **argv) {
  n = atol(argv[1]); T = atoi(argv[2]); if (T > 256) T = 256;
  a = malloc(n * 8); b = malloc(n * 8); c = malloc(n * 8);
  if (!a || !b || !c) return 1;
  sweep(0);
  double best1 = 1e30, best2 = 1e30;
  for (int r = 0; r < 7; r++) { double t = sweep(1); if (t < best1) best1 = t; t = sweep(2); if (t < best2) best2 = t; }
  double check = 0; for (long i = 0; i < n; i += 4096) check += a[i];
  printf("triad_inplace_gbs %.3f triad_stream_gbs %.3f elements %ld threads %d check %g\n",
         24.0 * n / best1 / 1e9, 24.0 * n / best2 / 1e9, n, T, check);
  return 0;
}
EOF
cc=$(command -v cc || command -v gcc || command -v clang)
"$cc" -O3 -march=native -pthread "$work/triad.c" -o "$work/triad"
"$work/triad" $((states * arms)) "$(nproc)" | tee "$work/triad.txt"

echo "== EntropyLab: entropy-lab bench step --states $states --arms $arms --steps $steps --lr $lr"
"$bin" bench step --states "$states" --arms "$arms" --steps "$steps" --lr "$lr" | tee "$work/swift.txt"

echo "== NumPy: python3 $(basename "$peer") (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE unset)"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 "$peer" --states "$states" --arms "$arms" --steps "$steps" \
  --lr "$lr" | tee "$work/numpy.txt"

echo "== EntropyLab, every step from scratch: entropy-lab bench step --no-carry"
"$bin" bench step --states "$states" --arms "$arms" --steps "$steps" --lr "$lr" --no-carry | tee "$work/fresh.txt"

echo "== EntropyLab, interactive sizes through the shell's commands: entropy-lab bench interactive"
"$bin" bench interactive | tee "$work/interactive.txt"

echo "== EntropyLab, a vocabulary-size session through the shell: entropy-lab bench shell --states $states --arms $arms"
"$bin" bench shell --states "$states" --arms "$arms" | tee "$work/shell.txt"

grpo_status=0
if [ $grpo = 1 ]; then
  echo "== EntropyLab and NumPy, sampled GRPO with Clip-Cov: entropy-lab bench grpo --states $grpo_states --arms $arms --length $grpo_length"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  set +e
  "$bin" bench grpo --states "$grpo_states" --arms "$arms" --length "$grpo_length" --peer "$grpo_peer" \
    | tee "$work/grpo.txt"
  grpo_status=${PIPESTATUS[0]}
  set -e
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== comparison"
python3 - "$work" "$states" "$arms" <<'EOF'
import sys
work, S, K = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def steps(path):
    rows, tail = [], {}
    for line in open(path):
        f = line.split()
        if f and f[0] == "step":
            d = dict(zip(f[2::2], map(float, f[3::2])))
            d["step"] = int(f[1])
            rows.append(d)
        elif f:
            tail.update({f[i]: f[i + 1] for i in range(0, len(f) - 1, 2)})
    return rows, tail

swift, stail = steps(f"{work}/swift.txt")
fresh, ftail = steps(f"{work}/fresh.txt")
numpy, ntail = steps(f"{work}/numpy.txt")
triad = dict(zip(*[iter(open(f"{work}/triad.txt").read().split())] * 2))

ok = len(swift) == len(numpy) == len(fresh) and len(numpy) > 0
print(f"{'step':>4} {'quantity':<15} {'NumPy':>22} {'EntropyLab':>22} {'error':>10} {'tolerance':>14}  ok")
for run, label in ((swift, "carried"), (fresh, "from scratch")):
    for s, n in zip(run, numpy):
        for q in ("entropy_before", "entropy_after", "first_order", "entropy_change"):
            if q == "entropy_change":
                err, tol, kind = abs(s[q] - n[q]), 1e-13, "abs"
            else:
                err, tol, kind = abs(s[q] - n[q]) / abs(n[q]), 1e-9, "rel"
            good = err <= tol
            ok &= good
            if label == "carried" or not good:
                print(f"{s['step']:>4} {q:<15} {n[q]:>22.13e} {s[q]:>22.15e} {err:>10.2e} {tol:>8.0e} {kind}"
                      f"  {'yes' if good else 'NO (' + label + ')'}")
print(f"agreement (carried and from-scratch runs): {'all within tolerance' if ok else 'MISMATCH'}")

def med(rows):
    t = sorted(r["seconds"] for r in rows)
    return t[len(t) // 2]

tn, ts, tf = (max(med(r), 1e-9) for r in (numpy, swift, fresh))
bytes_step = 3 * 8 * S * K  # read z and A, write z
bw_in, bw_stream = float(triad["triad_inplace_gbs"]), float(triad["triad_stream_gbs"])
floor_in, floor_stream = bytes_step / (bw_in * 1e9), bytes_step / (bw_stream * 1e9)
arrays = 2 * 8 * S * K
peak = float(stail.get("peak_resident_mb", "nan")) * 1e6
print(f"median seconds per step: NumPy {tn:.4f}, EntropyLab {ts:.4f} (carried), {tf:.4f} (from scratch)")
print(f"step 1 (no carried sums yet): EntropyLab {swift[0]['seconds']:.4f} s, NumPy {numpy[0]['seconds']:.4f} s")
print(f"speed ratio NumPy/EntropyLab: {tn / ts:.1f}x (carried), {tn / tf:.1f}x (from scratch); goal >= 20x: "
      f"{'met' if tn / ts >= 20 else 'NOT met'} (carried), {'met' if tn / tf >= 20 else 'NOT met'} (from scratch)")
print(f"bandwidth floor for {bytes_step / 1e6:.0f} MB per step: {floor_in * 1e3:.1f} ms at the in-place triad's "
      f"{bw_in:.1f} GB/s ({floor_stream * 1e3:.1f} ms at the STREAM triad's {bw_stream:.1f} GB/s)")
print(f"EntropyLab / floor: {ts / floor_in:.2f}x (carried), {tf / floor_in:.2f}x (from scratch) against the in-place "
      f"triad; goal <= 4x: {'met' if ts / floor_in <= 4 else 'NOT met'} (carried), "
      f"{'met' if tf / floor_in <= 4 else 'NOT met'} (from scratch)")
print(f"peak resident memory: {peak / 1e6:.1f} MB = {peak / arrays:.3f}x the {arrays / 1e6:.1f} MB of logits + "
      f"advantages; goal <= 1.25x: {'met' if peak <= 1.25 * arrays else 'NOT met'}")
print("interactive sizes (medians through the shell's commands; goals < 1 ms and < 0.2 s):")
for line in open(f"{work}/interactive.txt"):
    print("  " + line.rstrip())
print("vocabulary-size session through the shell (bench shell; goals: 3x the no-carry step, 2x a store pass, 1.3x memory):")
for line in open(f"{work}/shell.txt"):
    print("  " + line.rstrip())
sys.exit(0 if ok else 1)
EOF
if [ $grpo_status != 0 ]; then
  echo "bench grpo: EntropyLab and the NumPy peer disagree, or the run failed (status $grpo_status)" >&2
  exit 1
fi
