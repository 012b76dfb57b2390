/*
 * coordgraph.engines._native: the co-share pair and edge kernels of the out-of-core engine
 * in C, for dense data (millions of window pairs a second).
 *
 * Why C: with numpy, every pair passes through ~25 whole-array operations (gathers, casts,
 * masks, three sorts a bucket) and each of them writes a fresh array; on the 1M-share dense
 * bench (14M pairs) that is most of the run. Here a pair is formed, filtered and packed in
 * one loop, and a bucket of pairs becomes edges with one radix sort and one scan.
 *
 * Same method and numbers as the numpy kernels (coordgraph/engines/_kernel.py, _packed.py),
 * which remain the fallback when this module is not built; the tests run both.
 *
 * Arrays come in through the buffer protocol (numpy arrays, C-contiguous, dtypes checked),
 * so the build needs no numpy headers. The GIL is released while the loops run, so the
 * engine's threads work on two chunks or buckets at once.
 *
 * A pair record is two uint64 words:
 *   k1 = ((lo << account_bits) | hi) << time_bits | time_delta     (lo < hi: account ranks)
 *   c  = content_a | content_b << 32     (contents counted for lo / hi; compat: older / newer)
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- buffers ------------------------------------------------------------------------- */

typedef struct {
    Py_buffer view;
    int held;
} Buf;

/* Take a C-contiguous buffer of items of `itemsize` bytes (None allowed when `optional`). */
static int take_buffer(PyObject *obj, Buf *b, Py_ssize_t itemsize, int writable, int optional, const char *name)
{
    b->held = 0;
    if (obj == Py_None) {
        if (optional)
            return 0;
        PyErr_Format(PyExc_TypeError, "%s: an array is required", name);
        return -1;
    }
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, &b->view, flags) < 0)
        return -1;
    b->held = 1;
    if (b->view.itemsize != itemsize) {
        PyErr_Format(PyExc_TypeError, "%s: items of %zd bytes expected, got %zd", name, itemsize,
                     b->view.itemsize);
        return -1;
    }
    return 0;
}

static void release(Buf *bufs, int n)
{
    for (int i = 0; i < n; i++)
        if (bufs[i].held) {
            PyBuffer_Release(&bufs[i].view);
            bufs[i].held = 0;
        }
}

#define DATA(b, type) ((b).held ? (type *)(b).view.buf : NULL)
#define COUNT(b) ((b).held ? (b).view.len / (b).view.itemsize : 0)

/* ---- pairs --------------------------------------------------------------------------- */

/* Edge bucket of an account pair: a multiplicative hash mapped onto 0 .. n_buckets - 1. */
static inline uint64_t bucket_of(uint32_t lo, uint32_t hi, uint64_t n_buckets)
{
    uint64_t h = (uint64_t)lo * 0x9E3779B97F4A7C15ull ^ (uint64_t)hi * 0xC2B2AE3D27D4EB4Full;
    return ((h >> 32) * n_buckets) >> 32;
}

typedef struct {
    const int64_t *counts, *time;
    const int32_t *rank, *content, *account;
    const uint8_t *loop, *sel;
    int remove_loops, compat;
} Shares;

/* Whether window pair (i, j), i older, is kept: loops (when removed) and the post-filter. */
static inline int kept(const Shares *s, int64_t i, int64_t j)
{
    if (s->remove_loops) {
        if (s->account[i] == s->account[j] || s->content[i] == s->content[j])
            return 0;
        if (s->loop && (s->loop[i] | s->loop[j]))
            return 0;
    }
    if (s->sel && !(s->sel[i] | s->sel[j]))
        return 0;
    return 1;
}

static const char *count_pairs_doc =
    "count_pairs(counts, start, stop, rank, content, account, loop, sel, remove_loops, n_buckets,\n"
    "            bucket_counts) -> int\n\n"
    "Add to bucket_counts (int64, one a bucket) the kept window pairs whose older share is in\n"
    "rows [start, stop), by edge bucket; returns their number. Shares are sorted by (object,\n"
    "time, processing order); share i pairs with shares i + 1 .. i + counts[i]. Dtypes: counts\n"
    "int64; rank, content, account int32; loop (or None), sel (or None: no post-filter) bool.";

static const char *fill_pairs_doc =
    "fill_pairs(counts, start, stop, rank, time, content, account, loop, sel, remove_loops, compat,\n"
    "           n_buckets, account_bits, time_bits, records, at, older, newer) -> int\n\n"
    "Write the kept window pairs of rows [start, stop) (see count_pairs) as records (uint64,\n"
    "two words a pair): a pair of bucket b goes to record at[b], which then moves on (at:\n"
    "int64, one a bucket, updated). `older`/`newer` (int64, or None): the pairs' rows in pair\n"
    "order. time: int64 UNIX seconds. Returns the number of pairs written.";

/* A share's partners must be rows of the array. */
static int check_counts(const int64_t *counts, Py_ssize_t n, Py_ssize_t start, Py_ssize_t stop)
{
    for (Py_ssize_t i = start; i < stop; i++)
        if (counts[i] < 0 || counts[i] > n - 1 - i) {
            PyErr_SetString(PyExc_ValueError, "counts: partners beyond the last share");
            return -1;
        }
    return 0;
}

/* Parse the share arrays common to count_pairs and fill_pairs: o[0..6] = counts, rank,
 * time (or None), content, account, loop, sel. */
static int take_shares(PyObject **o, Buf *b, Py_ssize_t start, Py_ssize_t stop, int need_time)
{
    static const char *names[] = {"counts", "rank", "time", "content", "account", "loop", "sel"};
    static const Py_ssize_t sizes[] = {8, 4, 8, 4, 4, 1, 1};
    static const int optional[] = {0, 0, 1, 0, 0, 1, 1};
    for (int k = 0; k < 7; k++)
        if (take_buffer(o[k], &b[k], sizes[k], 0, optional[k] || (k == 2 && !need_time), names[k]) < 0)
            return -1;
    Py_ssize_t n = COUNT(b[0]);
    if (start < 0 || stop > n || start > stop || COUNT(b[1]) != n || (need_time && COUNT(b[2]) != n) ||
        COUNT(b[3]) != n || COUNT(b[4]) != n || (b[5].held && COUNT(b[5]) != n) ||
        (b[6].held && COUNT(b[6]) != n)) {
        PyErr_SetString(PyExc_ValueError, "share arrays of different lengths or rows out of range");
        return -1;
    }
    return check_counts(DATA(b[0], int64_t), n, start, stop);
}

static PyObject *count_pairs(PyObject *self, PyObject *args)
{
    PyObject *o[8];
    Py_ssize_t start, stop, n_buckets;
    int remove_loops;
    o[2] = Py_None;
    if (!PyArg_ParseTuple(args, "OnnOOOOOpnO", &o[0], &start, &stop, &o[1], &o[3], &o[4], &o[5], &o[6],
                          &remove_loops, &n_buckets, &o[7]))
        return NULL;
    Buf b[8];
    memset(b, 0, sizeof b);
    if (take_shares(o, b, start, stop, 0) < 0 || take_buffer(o[7], &b[7], 8, 1, 0, "bucket_counts") < 0) {
        release(b, 8);
        return NULL;
    }
    if (n_buckets < 1 || COUNT(b[7]) != n_buckets) {
        release(b, 8);
        PyErr_SetString(PyExc_ValueError, "count_pairs: bucket_counts must have n_buckets entries");
        return NULL;
    }
    Shares s = {DATA(b[0], int64_t), NULL, DATA(b[1], int32_t), DATA(b[3], int32_t), DATA(b[4], int32_t),
                DATA(b[5], uint8_t), DATA(b[6], uint8_t), remove_loops, 0};
    int64_t *bc = DATA(b[7], int64_t), total = 0;
    Py_BEGIN_ALLOW_THREADS
    for (int64_t i = start; i < stop; i++) {
        int64_t last = i + s.counts[i];
        for (int64_t j = i + 1; j <= last; j++) {
            if (!kept(&s, i, j))
                continue;
            uint32_t ri = (uint32_t)s.rank[i], rj = (uint32_t)s.rank[j];
            bc[bucket_of(ri < rj ? ri : rj, ri < rj ? rj : ri, (uint64_t)n_buckets)]++;
            total++;
        }
    }
    Py_END_ALLOW_THREADS
    release(b, 8);
    return PyLong_FromLongLong(total);
}

static PyObject *fill_pairs(PyObject *self, PyObject *args)
{
    PyObject *o[11];
    Py_ssize_t start, stop, n_buckets;
    int remove_loops, compat, account_bits, time_bits;
    if (!PyArg_ParseTuple(args, "OnnOOOOOOppniiOOOO", &o[0], &start, &stop, &o[1], &o[2], &o[3], &o[4], &o[5],
                          &o[6], &remove_loops, &compat, &n_buckets, &account_bits, &time_bits, &o[7], &o[8],
                          &o[9], &o[10]))
        return NULL;
    Buf b[11];
    memset(b, 0, sizeof b);
    if (take_shares(o, b, start, stop, 1) < 0 || take_buffer(o[7], &b[7], 8, 1, 0, "records") < 0 ||
        take_buffer(o[8], &b[8], 8, 1, 0, "at") < 0 || take_buffer(o[9], &b[9], 8, 1, 1, "older") < 0 ||
        take_buffer(o[10], &b[10], 8, 1, 1, "newer") < 0) {
        release(b, 11);
        return NULL;
    }
    if (n_buckets < 1 || COUNT(b[8]) != n_buckets || account_bits < 1 || time_bits < 1 ||
        2 * account_bits + time_bits > 64 || b[9].held != b[10].held) {
        release(b, 11);
        PyErr_SetString(PyExc_ValueError, "fill_pairs: inconsistent arguments");
        return NULL;
    }
    Shares s = {DATA(b[0], int64_t), DATA(b[2], int64_t), DATA(b[1], int32_t), DATA(b[3], int32_t),
                DATA(b[4], int32_t), DATA(b[5], uint8_t), DATA(b[6], uint8_t), remove_loops, compat};
    uint64_t *rec = DATA(b[7], uint64_t);
    int64_t *at = DATA(b[8], int64_t), *older = DATA(b[9], int64_t), *newer = DATA(b[10], int64_t);
    int64_t cap = COUNT(b[7]) / 2, rows_cap = older ? COUNT(b[9]) : 0;
    if (b[10].held && COUNT(b[10]) < rows_cap)
        rows_cap = COUNT(b[10]);
    const uint64_t td_max = (1ull << time_bits) - 1, rank_max = (1ull << account_bits) - 1;
    int64_t p = 0;
    int error = 0;
    Py_BEGIN_ALLOW_THREADS
    for (int64_t i = start; i < stop && !error; i++) {
        int64_t last = i + s.counts[i];
        for (int64_t j = i + 1; j <= last; j++) {
            if (!kept(&s, i, j))
                continue;
            uint32_t ri = (uint32_t)s.rank[i], rj = (uint32_t)s.rank[j];
            int older_is_lo = ri < rj;
            uint32_t lo = older_is_lo ? ri : rj, hi = older_is_lo ? rj : ri;
            uint32_t ci = (uint32_t)s.content[i], cj = (uint32_t)s.content[j];
            uint32_t ca = (compat || older_is_lo) ? ci : cj, cb = (compat || older_is_lo) ? cj : ci;
            uint64_t td = (uint64_t)(s.time[j] - s.time[i]);
            int64_t *slot = &at[bucket_of(lo, hi, (uint64_t)n_buckets)];
            if (*slot < 0 || *slot >= cap || (older && p >= rows_cap) || td > td_max || hi > rank_max) {
                error = 1;
                break;
            }
            int64_t q = (*slot)++;
            rec[2 * q] = ((((uint64_t)lo << account_bits) | hi) << time_bits) | td;
            rec[2 * q + 1] = (uint64_t)ca | ((uint64_t)cb << 32);
            if (older) {
                older[p] = i;
                newer[p] = j;
            }
            p++;
        }
    }
    Py_END_ALLOW_THREADS
    release(b, 11);
    if (error) {
        PyErr_SetString(PyExc_ValueError, "fill_pairs: a pair falls outside its bucket's records or its "
                                          "time delta / account rank exceeds the bits given");
        return NULL;
    }
    return PyLong_FromLongLong(p);
}

static const char *mark_pairs_doc =
    "mark_pairs(counts, start, stop, content, account, loop, remove_loops, in_pair) -> int\n\n"
    "Set in_pair[i] and in_pair[j] (bool) for every window pair (i, j) with i in [start, stop)\n"
    "that survives loop removal; returns the number of such pairs.";

static PyObject *mark_pairs(PyObject *self, PyObject *args)
{
    PyObject *o[5];
    Py_ssize_t start, stop;
    int remove_loops;
    if (!PyArg_ParseTuple(args, "OnnOOOpO", &o[0], &start, &stop, &o[1], &o[2], &o[3], &remove_loops, &o[4]))
        return NULL;
    Buf b[5];
    memset(b, 0, sizeof b);
    static const char *names[] = {"counts", "content", "account", "loop", "in_pair"};
    static const Py_ssize_t sizes[] = {8, 4, 4, 1, 1};
    static const int writable[] = {0, 0, 0, 0, 1};
    static const int optional[] = {0, 0, 0, 1, 0};
    for (int k = 0; k < 5; k++)
        if (take_buffer(o[k], &b[k], sizes[k], writable[k], optional[k], names[k]) < 0) {
            release(b, 5);
            return NULL;
        }
    Py_ssize_t n = COUNT(b[0]);
    if (start < 0 || stop > n || start > stop || COUNT(b[1]) != n || COUNT(b[2]) != n ||
        (b[3].held && COUNT(b[3]) != n) || COUNT(b[4]) != n) {
        release(b, 5);
        PyErr_SetString(PyExc_ValueError, "mark_pairs: inconsistent arguments");
        return NULL;
    }
    if (check_counts(DATA(b[0], int64_t), n, start, stop) < 0) {
        release(b, 5);
        return NULL;
    }
    Shares s = {DATA(b[0], int64_t), NULL, NULL, DATA(b[1], int32_t), DATA(b[2], int32_t), DATA(b[3], uint8_t),
                NULL, remove_loops, 0};
    uint8_t *in_pair = DATA(b[4], uint8_t);
    int64_t total = 0;
    Py_BEGIN_ALLOW_THREADS
    for (int64_t i = start; i < stop; i++) {
        int64_t last = i + s.counts[i];
        for (int64_t j = i + 1; j <= last; j++)
            if (kept(&s, i, j)) {
                in_pair[i] = in_pair[j] = 1;
                total++;
            }
    }
    Py_END_ALLOW_THREADS
    release(b, 5);
    return PyLong_FromLongLong(total);
}

/* ---- edges --------------------------------------------------------------------------- */

/* Sort records (two words each) by bits [shift, shift + bits) of their first word: an LSD
 * radix sort, stable, passes of at most 12 bits; passes whose digit is the same in every
 * record are skipped. Returns 0, or -1 when the scratch buffer cannot be allocated. */
static int radix_sort_records(uint64_t *rec, int64_t n, int shift, int bits, uint64_t *scratch)
{
    if (n < 2 || bits <= 0)
        return 0;
    int passes = (bits + 11) / 12;
    int width = (bits + passes - 1) / passes;
    size_t radix = (size_t)1 << width;
    uint64_t mask = radix - 1;
    int64_t *hist = calloc(radix * passes, sizeof(int64_t));
    uint64_t *tmp = scratch ? scratch : malloc(sizeof(uint64_t) * 2 * (size_t)n);
    if (!hist || !tmp) {
        free(hist);
        if (!scratch)
            free(tmp);
        return -1;
    }
    for (int64_t r = 0; r < n; r++) {
        uint64_t key = rec[2 * r] >> shift;
        for (int p = 0; p < passes; p++)
            hist[p * radix + ((key >> (p * width)) & mask)]++;
    }
    uint64_t *src = rec, *dst = tmp;
    for (int p = 0; p < passes; p++) {
        int64_t *h = hist + p * radix;
        int trivial = 0;
        for (size_t d = 0; d < radix; d++)
            if (h[d] == n)
                trivial = 1;
        if (trivial)
            continue;
        int64_t sum = 0;
        for (size_t d = 0; d < radix; d++) {
            int64_t c = h[d];
            h[d] = sum;
            sum += c;
        }
        int s = shift + p * width;
        for (int64_t r = 0; r < n; r++) {
            uint64_t k = src[2 * r], c = src[2 * r + 1];
            int64_t q = h[(k >> s) & mask]++;
            dst[2 * q] = k;
            dst[2 * q + 1] = c;
        }
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != rec)
        memcpy(rec, src, sizeof(uint64_t) * 2 * (size_t)n);
    free(hist);
    if (!scratch)
        free(tmp);
    return 0;
}

/* Whether the records are already in order of their edge (first word >> shift). */
static int records_sorted(const uint64_t *rec, int64_t n, int shift)
{
    for (int64_t r = 1; r < n; r++)
        if ((rec[2 * r] >> shift) < (rec[2 * r - 2] >> shift))
            return 0;
    return 1;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Number of distinct values among v[0 .. n-1] (reorders v). */
static int64_t distinct_u32(uint32_t *v, int64_t n)
{
    if (n <= 16) {
        for (int64_t i = 1; i < n; i++) {
            uint32_t x = v[i];
            int64_t j = i - 1;
            while (j >= 0 && v[j] > x) {
                v[j + 1] = v[j];
                j--;
            }
            v[j + 1] = x;
        }
    } else
        qsort(v, (size_t)n, sizeof(uint32_t), cmp_u32);
    int64_t d = n > 0;
    for (int64_t i = 1; i < n; i++)
        d += v[i] != v[i - 1];
    return d;
}

/* Sort records by edge unless they are sorted; `scratch` (NULL: allocated here) has room
 * for n records. */
static int sort_if_needed(uint64_t *rec, int64_t n, int time_bits, int account_bits, uint64_t *scratch)
{
    if (records_sorted(rec, n, time_bits))
        return 0;
    return radix_sort_records(rec, n, time_bits, 2 * account_bits, scratch);
}

/* The optional scratch buffer of edge_weights / aggregate: None, or room for n records. */
static int take_scratch(PyObject *obj, Buf *b, int64_t n)
{
    if (take_buffer(obj, b, 8, 1, 1, "scratch") < 0)
        return -1;
    if (b->held && COUNT(*b) < 2 * n) {
        PyErr_SetString(PyExc_ValueError, "scratch: room for fewer records than given");
        return -1;
    }
    return 0;
}

static const char *edge_weights_doc =
    "edge_weights(records, account_bits, time_bits, hist, scratch=None) -> int\n\n"
    "Sort the records by edge (in place) and add each edge to hist[weight] (int64; weight =\n"
    "pair records of the edge; hist needs one entry more than there are records); returns\n"
    "(number of edges, largest weight); only hist[:largest weight + 1] is touched. scratch: uint64 room for the records (None: allocated here).";

static PyObject *edge_weights(PyObject *self, PyObject *args)
{
    PyObject *o[3];
    int account_bits, time_bits;
    o[2] = Py_None;
    if (!PyArg_ParseTuple(args, "OiiO|O", &o[0], &account_bits, &time_bits, &o[1], &o[2]))
        return NULL;
    Buf b[3];
    memset(b, 0, sizeof b);
    if (take_buffer(o[0], &b[0], 8, 1, 0, "records") < 0 || take_buffer(o[1], &b[1], 8, 1, 0, "hist") < 0 ||
        take_scratch(o[2], &b[2], COUNT(b[0]) / 2) < 0) {
        release(b, 3);
        return NULL;
    }
    uint64_t *rec = DATA(b[0], uint64_t);
    int64_t n = COUNT(b[0]) / 2, *hist = DATA(b[1], int64_t);
    if (COUNT(b[1]) < n + 1 || 2 * account_bits + time_bits > 64) {
        release(b, 3);
        PyErr_SetString(PyExc_ValueError, "edge_weights: inconsistent arguments");
        return NULL;
    }
    int failed = 0;
    int64_t e = 0, max_weight = 0;
    Py_BEGIN_ALLOW_THREADS
    failed = sort_if_needed(rec, n, time_bits, account_bits, DATA(b[2], uint64_t));
    if (!failed) {
        int64_t r = 0;
        while (r < n) {
            uint64_t edge = rec[2 * r] >> time_bits;
            int64_t s = r;
            while (r < n && (rec[2 * r] >> time_bits) == edge)
                r++;
            hist[r - s]++;
            if (r - s > max_weight)
                max_weight = r - s;
            e++;
        }
    }
    Py_END_ALLOW_THREADS
    release(b, 3);
    if (failed)
        return PyErr_NoMemory();
    return Py_BuildValue("LL", (long long)e, (long long)max_weight);
}

static const char *aggregate_doc =
    "aggregate(records, account_bits, time_bits, threshold, lo, hi, weight, avg_time_delta, n_a, n_b,\n"
    "          symmetry, above, degree, strength, scratch=None) -> int\n\n"
    "Sort the records by edge (in place) and write each edge's columns: lo, hi (int32 account\n"
    "ranks), weight (int64, pair records), mean time delta (float64, seconds), the distinct\n"
    "contents counted for lo and hi (int64), edge symmetry min/max of those (float64) and\n"
    "weight > threshold (int64 0/1). Adds each edge to degree[lo], degree[hi] and its weight to\n"
    "strength[lo], strength[hi] (int64, one an account rank). Edges in (lo, hi) order; output\n"
    "arrays need room for one edge a record; scratch as in edge_weights. Returns the number\n"
    "of edges.";

static PyObject *aggregate(PyObject *self, PyObject *args)
{
    PyObject *o[12];
    int account_bits, time_bits;
    double threshold;
    o[11] = Py_None;
    if (!PyArg_ParseTuple(args, "OiidOOOOOOOOOO|O", &o[0], &account_bits, &time_bits, &threshold, &o[1], &o[2],
                          &o[3], &o[4], &o[5], &o[6], &o[7], &o[8], &o[9], &o[10], &o[11]))
        return NULL;
    Buf b[12];
    memset(b, 0, sizeof b);
    static const char *names[] = {"records", "lo", "hi", "weight", "avg_time_delta", "n_a", "n_b", "symmetry",
                                  "above", "degree", "strength"};
    static const Py_ssize_t sizes[] = {8, 4, 4, 8, 8, 8, 8, 8, 8, 8, 8};
    for (int k = 0; k < 11; k++)
        if (take_buffer(o[k], &b[k], sizes[k], 1, 0, names[k]) < 0) {
            release(b, 12);
            return NULL;
        }
    uint64_t *rec = DATA(b[0], uint64_t);
    int64_t n = COUNT(b[0]) / 2;
    if (take_scratch(o[11], &b[11], n) < 0) {
        release(b, 12);
        return NULL;
    }
    for (int k = 1; k < 9; k++)
        if (COUNT(b[k]) < n) {
            release(b, 12);
            PyErr_SetString(PyExc_ValueError, "aggregate: output arrays shorter than the records");
            return NULL;
        }
    if (2 * account_bits + time_bits > 64 || COUNT(b[9]) != COUNT(b[10])) {
        release(b, 12);
        PyErr_SetString(PyExc_ValueError, "aggregate: keys wider than 64 bits or degree/strength of different lengths");
        return NULL;
    }
    int32_t *lo = DATA(b[1], int32_t), *hi = DATA(b[2], int32_t);
    int64_t *weight = DATA(b[3], int64_t), *n_a = DATA(b[5], int64_t), *n_b = DATA(b[6], int64_t);
    int64_t *above = DATA(b[8], int64_t), *degree = DATA(b[9], int64_t), *strength = DATA(b[10], int64_t);
    double *avg_td = DATA(b[4], double), *symmetry = DATA(b[7], double);
    const uint64_t n_accounts = (uint64_t)COUNT(b[9]);
    int failed = 0;
    int64_t e = 0;
    Py_BEGIN_ALLOW_THREADS
    failed = sort_if_needed(rec, n, time_bits, account_bits, DATA(b[11], uint64_t));
    uint32_t *scratch = NULL;
    int64_t scratch_len = 0;
    const uint64_t td_mask = (1ull << time_bits) - 1;
    const uint64_t hi_mask = (1ull << account_bits) - 1;
    int64_t r = 0;
    while (!failed && r < n) {
        uint64_t edge = rec[2 * r] >> time_bits;
        int64_t s = r;
        uint64_t td = 0;
        while (r < n && (rec[2 * r] >> time_bits) == edge) {
            td += rec[2 * r] & td_mask;
            r++;
        }
        int64_t w = r - s;
        uint64_t l = edge >> account_bits, h = edge & hi_mask;
        if (l >= n_accounts || h >= n_accounts) {
            failed = 2;
            break;
        }
        int64_t da = 1, db = 1;
        if (w > 1) {
            if (w > scratch_len) {
                free(scratch);
                scratch_len = w < 1024 ? 1024 : w;
                scratch = malloc(sizeof(uint32_t) * (size_t)scratch_len);
                if (!scratch) {
                    failed = 1;
                    break;
                }
            }
            for (int64_t q = 0; q < w; q++)
                scratch[q] = (uint32_t)rec[2 * (s + q) + 1];
            da = distinct_u32(scratch, w);
            for (int64_t q = 0; q < w; q++)
                scratch[q] = (uint32_t)(rec[2 * (s + q) + 1] >> 32);
            db = distinct_u32(scratch, w);
        }
        lo[e] = (int32_t)l;
        hi[e] = (int32_t)h;
        weight[e] = w;
        avg_td[e] = (double)td / (double)w;
        n_a[e] = da;
        n_b[e] = db;
        symmetry[e] = da < db ? (double)da / (double)db : (double)db / (double)da;
        above[e] = (double)w > threshold;
        degree[l]++;
        degree[h]++;
        strength[l] += w;
        strength[h] += w;
        e++;
    }
    free(scratch);
    Py_END_ALLOW_THREADS
    release(b, 12);
    if (failed == 1)
        return PyErr_NoMemory();
    if (failed == 2) {
        PyErr_SetString(PyExc_ValueError, "aggregate: an account rank beyond degree/strength");
        return NULL;
    }
    return PyLong_FromLongLong(e);
}

static PyMethodDef methods[] = {
    {"count_pairs", count_pairs, METH_VARARGS, NULL},
    {"fill_pairs", fill_pairs, METH_VARARGS, NULL},
    {"mark_pairs", mark_pairs, METH_VARARGS, NULL},
    {"edge_weights", edge_weights, METH_VARARGS, NULL},
    {"aggregate", aggregate, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native",
                                    "C kernels of the out-of-core engine (see _native.c).", -1, methods};

PyMODINIT_FUNC PyInit__native(void)
{
    methods[0].ml_doc = count_pairs_doc;
    methods[1].ml_doc = fill_pairs_doc;
    methods[2].ml_doc = mark_pairs_doc;
    methods[3].ml_doc = edge_weights_doc;
    methods[4].ml_doc = aggregate_doc;
    return PyModule_Create(&module);
}
