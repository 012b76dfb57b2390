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

/* Run the statement that follows for every window pair (i older, j newer) kept by kept(),
 * i in [start, stop): share i pairs with shares i + 1 .. i + counts[i]. The walk ends early
 * once `halt` (an int expression, e.g. an error flag) is non-zero; `break` in the statement
 * ends the current share's partners. The walk shared by count_pairs, fill_pairs and
 * mark_pairs, so all three see exactly the same pairs. */
#define FOR_EACH_KEPT_PAIR(s, start, stop, i, j, halt)                                        \
    for (int64_t i = (start); i < (stop) && !(halt); i++)                                       \
        for (int64_t j = i + 1, j##_last = i + (s)->counts[i]; j <= j##_last && !(halt); j++) \
            if (kept((s), i, j))

static const char *count_pairs_doc =
    "count_pairs(counts, start, stop, rank, content, account, loop, sel, remove_loops, bucket_table,\n"
    "            bucket_counts) -> int\n\n"
    "Add to bucket_counts (int64, one a bucket) the kept window pairs whose older share is in\n"
    "rows [start, stop), by edge bucket; returns their number. Shares are sorted by (object,\n"
    "time, processing order); share i pairs with shares i + 1 .. i + counts[i]. A pair's bucket\n"
    "is bucket_table[lo] (int32, one an account rank; lo = the smaller rank of the pair), so\n"
    "every edge lies in one bucket. Dtypes: counts int64; rank, content, account int32; loop\n"
    "(or None), sel (or None: no post-filter) bool.";

static const char *fill_pairs_doc =
    "fill_pairs(counts, start, stop, rank, time, content, account, loop, sel, remove_loops, compat,\n"
    "           bucket_table, account_bits, time_bits, records, at, older, newer) -> int\n\n"
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

/* The bucket of the pair (lo, ...) from the table, or -1 when lo or the bucket is out of range. */
static inline int64_t bucket_of(const int32_t *table, int64_t table_len, int64_t n_buckets, uint32_t lo)
{
    if ((int64_t)lo >= table_len)
        return -1;
    int64_t b = table[lo];
    return (b >= 0 && b < n_buckets) ? b : -1;
}

static PyObject *count_pairs(PyObject *self, PyObject *args)
{
    PyObject *o[9];
    Py_ssize_t start, stop;
    int remove_loops;
    o[2] = Py_None;
    if (!PyArg_ParseTuple(args, "OnnOOOOOpOO", &o[0], &start, &stop, &o[1], &o[3], &o[4], &o[5], &o[6],
                          &remove_loops, &o[7], &o[8]))
        return NULL;
    Buf b[9];
    memset(b, 0, sizeof b);
    if (take_shares(o, b, start, stop, 0) < 0 || take_buffer(o[7], &b[7], 4, 0, 0, "bucket_table") < 0 ||
        take_buffer(o[8], &b[8], 8, 1, 0, "bucket_counts") < 0) {
        release(b, 9);
        return NULL;
    }
    Shares s = {DATA(b[0], int64_t), NULL, DATA(b[1], int32_t), DATA(b[3], int32_t), DATA(b[4], int32_t),
                DATA(b[5], uint8_t), DATA(b[6], uint8_t), remove_loops, 0};
    const int32_t *table = DATA(b[7], int32_t);
    int64_t table_len = COUNT(b[7]), n_buckets = COUNT(b[8]);
    int64_t *bc = DATA(b[8], int64_t), total = 0;
    int error = 0;
    Py_BEGIN_ALLOW_THREADS
    FOR_EACH_KEPT_PAIR(&s, start, stop, i, j, error) {
        uint32_t ri = (uint32_t)s.rank[i], rj = (uint32_t)s.rank[j];
        int64_t k = bucket_of(table, table_len, n_buckets, ri < rj ? ri : rj);
        if (k < 0) {
            error = 1;
            break;
        }
        bc[k]++;
        total++;
    }
    Py_END_ALLOW_THREADS
    release(b, 9);
    if (error) {
        PyErr_SetString(PyExc_ValueError, "count_pairs: an account rank beyond bucket_table, or a bucket "
                                          "beyond bucket_counts");
        return NULL;
    }
    return PyLong_FromLongLong(total);
}

static PyObject *fill_pairs(PyObject *self, PyObject *args)
{
    PyObject *o[12];
    Py_ssize_t start, stop;
    int remove_loops, compat, account_bits, time_bits;
    if (!PyArg_ParseTuple(args, "OnnOOOOOOppOiiOOOO", &o[0], &start, &stop, &o[1], &o[2], &o[3], &o[4], &o[5],
                          &o[6], &remove_loops, &compat, &o[11], &account_bits, &time_bits, &o[7], &o[8],
                          &o[9], &o[10]))
        return NULL;
    Buf b[12];
    memset(b, 0, sizeof b);
    if (take_shares(o, b, start, stop, 1) < 0 || take_buffer(o[7], &b[7], 8, 1, 0, "records") < 0 ||
        take_buffer(o[8], &b[8], 8, 1, 0, "at") < 0 || take_buffer(o[9], &b[9], 8, 1, 1, "older") < 0 ||
        take_buffer(o[10], &b[10], 8, 1, 1, "newer") < 0 || take_buffer(o[11], &b[11], 4, 0, 0, "bucket_table") < 0) {
        release(b, 12);
        return NULL;
    }
    const int32_t *table = DATA(b[11], int32_t);
    int64_t table_len = COUNT(b[11]), n_buckets = COUNT(b[8]);
    if (account_bits < 1 || time_bits < 1 || 2 * account_bits + time_bits > 64 || b[9].held != b[10].held) {
        release(b, 12);
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
    FOR_EACH_KEPT_PAIR(&s, start, stop, i, j, error) {
        uint32_t ri = (uint32_t)s.rank[i], rj = (uint32_t)s.rank[j];
        int older_is_lo = ri < rj;
        uint32_t lo = older_is_lo ? ri : rj, hi = older_is_lo ? rj : ri;
        uint32_t ci = (uint32_t)s.content[i], cj = (uint32_t)s.content[j];
        uint32_t ca = (compat || older_is_lo) ? ci : cj, cb = (compat || older_is_lo) ? cj : ci;
        uint64_t td = (uint64_t)(s.time[j] - s.time[i]);
        int64_t k = bucket_of(table, table_len, n_buckets, lo);
        if (k < 0) {
            error = 2;
            break;
        }
        int64_t *slot = &at[k];
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
    Py_END_ALLOW_THREADS
    release(b, 12);
    if (error == 2) {
        PyErr_SetString(PyExc_ValueError, "fill_pairs: an account rank beyond bucket_table, or a bucket beyond at");
        return NULL;
    }
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
    FOR_EACH_KEPT_PAIR(&s, start, stop, i, j, 0) {
        in_pair[i] = in_pair[j] = 1;
        total++;
    }
    Py_END_ALLOW_THREADS
    release(b, 5);
    return PyLong_FromLongLong(total);
}

/* ---- edges --------------------------------------------------------------------------- */

/* Sort records (two words each) by their edge, the bits [shift, shift + bits) of their first
 * word: an LSD radix sort, stable, on the edge minus the smallest edge (so a bucket of a
 * narrow range of accounts needs fewer passes), passes of at most 12 bits; passes whose
 * digit is the same in every record are skipped. Returns 0, or -1 when the scratch buffer
 * cannot be allocated. */
static int radix_sort_records(uint64_t *rec, int64_t n, int shift, int bits, uint64_t *scratch)
{
    if (n < 2 || bits <= 0)
        return 0;
    uint64_t lowest = UINT64_MAX, highest = 0;
    for (int64_t r = 0; r < n; r++) {
        uint64_t key = rec[2 * r] >> shift;
        lowest = key < lowest ? key : lowest;
        highest = key > highest ? key : highest;
    }
    bits = 0;
    while (bits < 64 && ((highest - lowest) >> bits) != 0)
        bits++;
    if (bits == 0)
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
        uint64_t key = (rec[2 * r] >> shift) - lowest;
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
        int s = p * width;
        for (int64_t r = 0; r < n; r++) {
            uint64_t k = src[2 * r], c = src[2 * r + 1];
            int64_t q = h[(((k >> shift) - lowest) >> s) & mask]++;
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

/* Sort a few records (m, in cache) by their first word >> shift: insertion sort up to 24,
 * else an LSD radix sort in 8-bit digits on the key minus the smallest, through `tmp`
 * (room for m records). Stable. */
static void sort_small(uint64_t *rec, int64_t m, int shift, uint64_t *tmp)
{
    if (m <= 24) {
        for (int64_t i = 1; i < m; i++) {
            uint64_t k = rec[2 * i], c = rec[2 * i + 1], key = k >> shift;
            int64_t j = i - 1;
            while (j >= 0 && (rec[2 * j] >> shift) > key) {
                rec[2 * j + 2] = rec[2 * j];
                rec[2 * j + 3] = rec[2 * j + 1];
                j--;
            }
            rec[2 * j + 2] = k;
            rec[2 * j + 3] = c;
        }
        return;
    }
    uint64_t lowest = UINT64_MAX, highest = 0;
    for (int64_t r = 0; r < m; r++) {
        uint64_t key = rec[2 * r] >> shift;
        lowest = key < lowest ? key : lowest;
        highest = key > highest ? key : highest;
    }
    int bits = 0;
    while (bits < 64 && ((highest - lowest) >> bits) != 0)
        bits++;
    uint64_t *src = rec, *dst = tmp;
    for (int d = 0; d < bits; d += 8) {
        int64_t h[256] = {0};
        for (int64_t r = 0; r < m; r++)
            h[(((src[2 * r] >> shift) - lowest) >> d) & 255]++;
        int64_t sum = 0;
        for (int k = 0; k < 256; k++) {
            int64_t c = h[k];
            h[k] = sum;
            sum += c;
        }
        for (int64_t r = 0; r < m; r++) {
            int64_t q = h[(((src[2 * r] >> shift) - lowest) >> d) & 255]++;
            dst[2 * q] = src[2 * r];
            dst[2 * q + 1] = src[2 * r + 1];
        }
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != rec)
        memcpy(rec, src, sizeof(uint64_t) * 2 * (size_t)m);
}

/* Sort records by edge unless they are sorted; `scratch` (NULL: allocated here) has room
 * for n records. `presorted_bits` >= 0: the records are said to be in order of
 * (edge >> presorted_bits) already (the pair kernel wrote them so), so each run of equal
 * (edge >> presorted_bits) is sorted on its own, in cache; if they are not, a full sort. */
static int sort_if_needed(uint64_t *rec, int64_t n, int time_bits, int account_bits, uint64_t *scratch,
                          int presorted_bits)
{
    if (records_sorted(rec, n, time_bits))
        return 0;
    if (presorted_bits >= 0 && presorted_bits < 64 - time_bits && records_sorted(rec, n, time_bits + presorted_bits)) {
        uint64_t *tmp = scratch ? scratch : malloc(sizeof(uint64_t) * 2 * (size_t)n);
        if (!tmp)
            return -1;
        const int group_shift = time_bits + presorted_bits;
        int64_t start = 0;
        while (start < n) {
            uint64_t group = rec[2 * start] >> group_shift;
            int64_t stop = start + 1;
            while (stop < n && (rec[2 * stop] >> group_shift) == group)
                stop++;
            sort_small(rec + 2 * start, stop - start, time_bits, tmp);
            start = stop;
        }
        if (!scratch)
            free(tmp);
        return 0;
    }
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
    "edge_weights(records, account_bits, time_bits, hist, scratch=None, presorted_bits=-1) -> int\n\n"
    "Sort the records by edge (in place) and add each edge to hist[weight] (int64; weight =\n"
    "pair records of the edge; hist needs one entry more than there are records); returns\n"
    "(number of edges, largest weight); only hist[:largest weight + 1] is touched.\n"
    "presorted_bits >= 0: the records are in order of (edge >> presorted_bits) already, so\n"
    "only runs of equal (edge >> presorted_bits) need sorting (checked). scratch: uint64\n"
    "room for the records (None: allocated here).";

static PyObject *edge_weights(PyObject *self, PyObject *args)
{
    PyObject *o[3];
    int account_bits, time_bits;
    o[2] = Py_None;
    int presorted_bits = -1;
    if (!PyArg_ParseTuple(args, "OiiO|Oi", &o[0], &account_bits, &time_bits, &o[1], &o[2], &presorted_bits))
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
    failed = sort_if_needed(rec, n, time_bits, account_bits, DATA(b[2], uint64_t), presorted_bits);
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
    "          symmetry, above, vertex_sums, scratch=None) -> int\n\n"
    "Sort the records by edge (in place) and write each edge's columns: lo, hi (int32 account\n"
    "ranks), weight (int64, pair records), mean time delta (float64, seconds), the distinct\n"
    "contents counted for lo and hi (int64), edge symmetry min/max of those (float64) and\n"
    "weight > threshold (int64 0/1). Adds 1 and the weight to vertex_sums[lo] and\n"
    "vertex_sums[hi] (int64 (degree, strength) pairs, one an account rank). Edges in (lo, hi)\n"
    "order; output\n"
    "arrays need room for one edge a record; scratch as in edge_weights. Returns the number\n"
    "of edges.";

static PyObject *aggregate(PyObject *self, PyObject *args)
{
    PyObject *o[12];
    int account_bits, time_bits;
    double threshold;
    o[11] = Py_None;
    if (!PyArg_ParseTuple(args, "OiidOOOOOOOOO|O", &o[0], &account_bits, &time_bits, &threshold, &o[1], &o[2],
                          &o[3], &o[4], &o[5], &o[6], &o[7], &o[8], &o[9], &o[11]))
        return NULL;
    Buf b[12];
    memset(b, 0, sizeof b);
    static const char *names[] = {"records", "lo", "hi", "weight", "avg_time_delta", "n_a", "n_b", "symmetry",
                                  "above", "vertex_sums"};
    static const Py_ssize_t sizes[] = {8, 4, 4, 8, 8, 8, 8, 8, 8, 8};
    for (int k = 0; k < 10; k++)
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
    if (2 * account_bits + time_bits > 64) {
        release(b, 12);
        PyErr_SetString(PyExc_ValueError, "aggregate: keys wider than 64 bits");
        return NULL;
    }
    int32_t *lo = DATA(b[1], int32_t), *hi = DATA(b[2], int32_t);
    int64_t *weight = DATA(b[3], int64_t), *n_a = DATA(b[5], int64_t), *n_b = DATA(b[6], int64_t);
    int64_t *above = DATA(b[8], int64_t), *sums = DATA(b[9], int64_t);
    double *avg_td = DATA(b[4], double), *symmetry = DATA(b[7], double);
    const uint64_t n_accounts = (uint64_t)COUNT(b[9]) / 2;
    int failed = 0;
    int64_t e = 0;
    Py_BEGIN_ALLOW_THREADS
    failed = sort_if_needed(rec, n, time_bits, account_bits, DATA(b[11], uint64_t), -1);
    uint32_t *scratch = NULL;
    int64_t scratch_len = 0;
    const uint64_t td_mask = (1ull << time_bits) - 1;
    const uint64_t hi_mask = (1ull << account_bits) - 1;
    int64_t r = 0;
    /* the (lo, hi) of a record this far ahead is prefetched: the vertex sums of hi are a
       random access (a cache miss each with hundreds of thousands of accounts) */
    const int64_t ahead = 16;
    while (!failed && r < n) {
        if (r + ahead < n) {
            uint64_t next_hi = (rec[2 * (r + ahead)] >> time_bits) & hi_mask;
            if (next_hi < n_accounts)
                __builtin_prefetch(&sums[2 * next_hi], 1, 1);
        }
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
        sums[2 * l]++;
        sums[2 * l + 1] += w;
        sums[2 * h]++;
        sums[2 * h + 1] += w;
        e++;
    }
    free(scratch);
    Py_END_ALLOW_THREADS
    release(b, 12);
    if (failed == 1)
        return PyErr_NoMemory();
    if (failed == 2) {
        PyErr_SetString(PyExc_ValueError, "aggregate: an account rank beyond vertex_sums");
        return NULL;
    }
    return PyLong_FromLongLong(e);
}

/* ---- string codes -------------------------------------------------------------------- */

/* A 64-bit hash of a byte string (multiply-xorshift over 8-byte words). Its quality only
 * affects speed: equal hashes are always confirmed by comparing the strings. */
static inline uint64_t hash_bytes(const uint8_t *p, int64_t len)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)len * 0xC2B2AE3D27D4EB4Full;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
        p += 8;
        len -= 8;
    }
    if (len > 0) {
        uint64_t w = 0;
        memcpy(&w, p, (size_t)len);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
    }
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 29;
    return h;
}

typedef struct {
    uint64_t hash;
    int64_t row;
} HashRow;

/* A slot of a partition's table: the string's hash, bytes and code (len < 0: empty). */
typedef struct {
    uint64_t hash;
    const uint8_t *bytes;
    int32_t code;
    int32_t len;
} Slot;

typedef struct {
    const uint8_t *data;
    const int32_t *off32;
    const int64_t *off64;
} Strings;

static inline void string_at(const Strings *s, int64_t i, const uint8_t **p, int64_t *len)
{
    int64_t a = s->off32 ? s->off32[i] : s->off64[i], b = s->off32 ? s->off32[i + 1] : s->off64[i + 1];
    *p = s->data + a;
    *len = b - a;
}

static const char *string_codes_doc =
    "string_codes(offsets, data, codes, first_rows) -> int\n\n"
    "Dictionary-code an Arrow string array (its offsets: int32 or int64, n + 1 of them, and\n"
    "its data bytes): codes[i] (int32) is the same for equal strings and different for\n"
    "different ones, numbered 0, 1, ... in order of first appearance; first_rows[k] (int64)\n"
    "is the first row of code k. Returns the number of distinct strings.\n\n"
    "Why not Arrow's dictionary_encode: with hundreds of thousands of distinct values its\n"
    "hash table falls out of the CPU caches (~200 ns a row). Here rows are first split by\n"
    "hash into partitions whose tables fit in cache, then each partition is coded alone;\n"
    "equal hashes are always confirmed by comparing the bytes, so the codes are exact.";

static PyObject *string_codes(PyObject *self, PyObject *args)
{
    PyObject *o[4];
    if (!PyArg_ParseTuple(args, "OOOO", &o[0], &o[1], &o[2], &o[3]))
        return NULL;
    Buf b[4];
    memset(b, 0, sizeof b);
    if (PyObject_GetBuffer(o[0], &b[0].view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return NULL;
    b[0].held = 1;
    if ((b[0].view.itemsize != 4 && b[0].view.itemsize != 8) || take_buffer(o[1], &b[1], 1, 0, 0, "data") < 0 ||
        take_buffer(o[2], &b[2], 4, 1, 0, "codes") < 0 || take_buffer(o[3], &b[3], 8, 1, 0, "first_rows") < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "offsets: int32 or int64 expected");
        release(b, 4);
        return NULL;
    }
    int64_t n = COUNT(b[0]) - 1;
    Strings str = {DATA(b[1], uint8_t), b[0].view.itemsize == 4 ? (const int32_t *)b[0].view.buf : NULL,
                   b[0].view.itemsize == 8 ? (const int64_t *)b[0].view.buf : NULL};
    int32_t *codes = DATA(b[2], int32_t);
    int64_t *first_rows = DATA(b[3], int64_t);
    if (n < 0 || COUNT(b[2]) < n || COUNT(b[3]) < n || n >= INT32_MAX) {
        release(b, 4);
        PyErr_SetString(PyExc_ValueError, "string_codes: codes/first_rows shorter than the strings");
        return NULL;
    }
    /* offsets must be non-decreasing and within the data */
    for (int64_t i = 0; i <= n; i++) {
        int64_t a = str.off32 ? str.off32[i] : str.off64[i];
        int64_t prev = i ? (str.off32 ? str.off32[i - 1] : str.off64[i - 1]) : 0;
        if (a < prev || a > COUNT(b[1])) {
            release(b, 4);
            PyErr_SetString(PyExc_ValueError, "string_codes: offsets out of order or beyond the data");
            return NULL;
        }
    }
    int failed = 0;
    int64_t distinct = 0;
    Py_BEGIN_ALLOW_THREADS
    /* partitions of ~8k rows: each one's table (two 24-byte slots a row) stays in L2 */
    int bits = 0;
    while (bits < 16 && ((int64_t)1 << bits) * 8192 < n)
        bits++;
    int64_t n_parts = (int64_t)1 << bits;
    int64_t *start = calloc((size_t)n_parts + 1, sizeof(int64_t));
    uint64_t *hash = malloc(sizeof(uint64_t) * (size_t)(n > 0 ? n : 1));
    HashRow *byp = malloc(sizeof(HashRow) * (size_t)(n > 0 ? n : 1));
    int64_t *local_first = malloc(sizeof(int64_t) * (size_t)(n > 0 ? n : 1));
    uint8_t *same = malloc((size_t)(n > 0 ? n : 1));
    if (!start || !hash || !byp || !local_first || !same)
        failed = 1;
    else {
        /* a row equal to the row before it (common when the input is grouped) takes its
           code at the end: it is neither hashed nor looked up */
        const uint8_t *prev = NULL;
        int64_t prev_len = -1;
        for (int64_t i = 0; i < n; i++) {
            const uint8_t *p;
            int64_t len;
            string_at(&str, i, &p, &len);
            same[i] = len == prev_len && memcmp(p, prev, (size_t)len) == 0;
            prev = p;
            prev_len = len;
            if (same[i])
                continue;
            hash[i] = hash_bytes(p, len);
            start[(bits ? hash[i] >> (64 - bits) : 0) + 1]++;
        }
        for (int64_t q = 0; q < n_parts; q++)
            start[q + 1] += start[q];
        int64_t *at = malloc(sizeof(int64_t) * (size_t)n_parts);
        if (!at)
            failed = 1;
        else {
            memcpy(at, start, sizeof(int64_t) * (size_t)n_parts);
            for (int64_t i = 0; i < n; i++) { /* rows stay in order inside a partition */
                if (same[i])
                    continue;
                int64_t q = at[bits ? hash[i] >> (64 - bits) : 0]++;
                byp[q].hash = hash[i];
                byp[q].row = i;
            }
            free(at);
        }
        /* code each partition: codes are numbered in partition order, renumbered below */
        int64_t cap = 0;
        Slot *table = NULL;
        for (int64_t q = 0; q < n_parts && !failed; q++) {
            int64_t m = start[q + 1] - start[q];
            int64_t size = 16;
            while (size < 2 * m)
                size <<= 1;
            if (size > cap) {
                free(table);
                cap = size;
                table = malloc(sizeof(Slot) * (size_t)cap);
                if (!table) {
                    failed = 1;
                    break;
                }
            }
            for (int64_t k = 0; k < size; k++)
                table[k].len = -1;
            uint64_t mask = (uint64_t)size - 1;
            for (int64_t r = start[q]; r < start[q + 1]; r++) {
                uint64_t h = byp[r].hash;
                int64_t row = byp[r].row;
                const uint8_t *p;
                int64_t len;
                string_at(&str, row, &p, &len);
                uint64_t k = ((h * 0x9E3779B97F4A7C15ull) >> 7) & mask; /* other bits than the partition's */
                for (;;) {
                    Slot *slot = &table[k];
                    if (slot->len < 0) {
                        if (len > INT32_MAX - 1) {
                            failed = 2;
                            break;
                        }
                        slot->hash = h;
                        slot->bytes = p;
                        slot->len = (int32_t)len;
                        slot->code = (int32_t)distinct;
                        local_first[distinct] = row;
                        codes[row] = (int32_t)distinct++;
                        break;
                    }
                    if (slot->hash == h && slot->len == len && memcmp(p, slot->bytes, (size_t)len) == 0) {
                        codes[row] = slot->code;
                        break;
                    }
                    k = (k + 1) & mask;
                }
                if (failed)
                    break;
            }
        }
        free(table);
        if (failed == 0) {
            /* renumber by first appearance: order the ids by their first row */
            int32_t *renumber = malloc(sizeof(int32_t) * (size_t)(distinct > 0 ? distinct : 1));
            if (!renumber)
                failed = 1;
            else {
                /* first rows are distinct, so a scan over the rows in order finds them in order */
                int64_t k = 0;
                uint8_t *is_first = calloc((size_t)(n > 0 ? n : 1), 1);
                if (!is_first)
                    failed = 1;
                else {
                    for (int64_t id = 0; id < distinct; id++)
                        is_first[local_first[id]] = 1;
                    for (int64_t i = 0; i < n; i++)
                        if (is_first[i]) {
                            renumber[codes[i]] = (int32_t)k;
                            first_rows[k++] = i;
                        }
                    for (int64_t i = 0; i < n; i++)
                        codes[i] = same[i] ? codes[i - 1] : renumber[codes[i]];
                    free(is_first);
                }
            }
            free(renumber);
        }
    }
    free(start);
    free(hash);
    free(byp);
    free(local_first);
    free(same);
    Py_END_ALLOW_THREADS
    release(b, 4);
    if (failed == 2) {
        PyErr_SetString(PyExc_ValueError, "string_codes: a string of 2 GiB or more");
        return NULL;
    }
    if (failed)
        return PyErr_NoMemory();
    return PyLong_FromLongLong(distinct);
}

static PyMethodDef methods[] = {
    {"count_pairs", count_pairs, METH_VARARGS, NULL},
    {"fill_pairs", fill_pairs, METH_VARARGS, NULL},
    {"mark_pairs", mark_pairs, METH_VARARGS, NULL},
    {"string_codes", string_codes, METH_VARARGS, NULL},
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
    methods[3].ml_doc = string_codes_doc;
    methods[4].ml_doc = edge_weights_doc;
    methods[5].ml_doc = aggregate_doc;
    return PyModule_Create(&module);
}
