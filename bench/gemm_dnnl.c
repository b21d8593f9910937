/* gemm_dnnl: times oneDNN's sgemm on row-major C[M,N] = A[M,K] B[K,N], the reference GEMM of bench/run.py.
 *
 *   gemm_dnnl M N K RUNS      prints "median_ms MEDIAN fastest_ms FASTEST"
 *
 * The thread count is oneDNN's (OMP_NUM_THREADS for Debian's OpenMP build); bench/run.py sets it. One warm-up
 * call, then RUNS timed calls; inputs are filled with small values so nothing overflows. */
#include <dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: gemm_dnnl M N K RUNS\n");
    return 2;
  }
  long m = atol(argv[1]), n = atol(argv[2]), k = atol(argv[3]), runs = atol(argv[4]);
  if (m <= 0 || n <= 0 || k <= 0 || runs <= 0) {
    fprintf(stderr, "gemm_dnnl: M, N, K and RUNS must be positive\n");
    return 2;
  }
  float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n), *c = malloc(sizeof(float) * m * n);
  double *times = malloc(sizeof(double) * runs);
  if (!a || !b || !c || !times)
    return 1;
  for (long i = 0; i < m * k; ++i)
    a[i] = (float)((i % 13) - 6) / 8;
  for (long i = 0; i < k * n; ++i)
    b[i] = (float)((i % 7) - 3) / 8;
  if (dnnl_sgemm('N', 'N', m, n, k, 1.0f, a, k, b, n, 0.0f, c, n) != dnnl_success) {
    fprintf(stderr, "gemm_dnnl: dnnl_sgemm failed\n");
    return 1;
  }
  for (long r = 0; r < runs; ++r) {
    double t = now_ms();
    dnnl_sgemm('N', 'N', m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
    times[r] = now_ms() - t;
  }
  qsort(times, runs, sizeof(double), by_value);
  double median = runs % 2 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
  printf("median_ms %.6f fastest_ms %.6f\n", median, times[0]);
  free(a);
  free(b);
  free(c);
  free(times);
  return 0;
}
