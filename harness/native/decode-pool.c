/*
 * Helper threads that decode the blocks of one Blosc frame alongside the calling thread. A call
 * hands out its blocks one at a time through an atomic counter and takes blocks itself too, so a
 * helper the OS is slow to wake (the machine's other core busy) costs at most the block it took,
 * never a wait for it to start. Helpers check in under the lock while the call is open; one that
 * wakes late finds the call closed and sleeps again. Why not libuv's thread pool: a hand-off
 * through libuv's queue and back costs more than decoding a block, while waking a waiting thread
 * costs far less (`npm run bench:decoders` measures the decoders with and without helpers).
 *
 * One call at a time: a caller finding the pool in use (another JS thread) decodes on its own.
 * Every thread keeps its shuffle scratch (one or two blocks) in thread-local storage, freed at thread exit.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "codecs.h"

#define MAX_HELPERS 15

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t finished = PTHREAD_COND_INITIALIZER;
static atomic_int in_use;
static int helpers;

/* The open call. Written under the lock while no helper is checked in. */
static struct {
  pool_frame *pf;
  atomic_uint next;
  unsigned long generation;
  int open;
  int wanted; /* helpers that may check in */
  int active; /* helpers checked in and not yet out */
} call;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

typedef struct {
  uint8_t *bytes;
  size_t size;
} scratch_t;

static void free_scratch(void *p) {
  scratch_t *s = p;
  free(s->bytes);
  free(s);
}

static void make_key(void) { pthread_key_create(&scratch_key, free_scratch); }

/* This thread's scratch of at least `size` bytes, or NULL when out of memory. */
static uint8_t *scratch(size_t size) {
  pthread_once(&scratch_once, make_key);
  scratch_t *s = pthread_getspecific(scratch_key);
  if (!s) {
    s = calloc(1, sizeof *s);
    if (!s || pthread_setspecific(scratch_key, s) != 0) { free(s); return NULL; }
  }
  if (s->size < size) {
    uint8_t *grown = malloc(size);
    if (!grown) return NULL;
    free(s->bytes);
    s->bytes = grown;
    s->size = size;
  }
  return s->bytes;
}

/* Block j; the frame keeps the first error of any block. */
static void run_block(pool_frame *pf, uint32_t j) {
  const char *error = NULL;
  const size_t need = blosc_scratch_bytes(&pf->frame);
  uint8_t *tmp = need ? scratch(need) : NULL;
  if (need && !tmp) error = "out of memory for the shuffle scratch";
  else blosc_decode_block(&pf->frame, j, tmp, &error);
  if (error) {
    const char *none = NULL;
    atomic_compare_exchange_strong(&pf->error, &none, error);
  }
}

static void take_blocks(pool_frame *pf) {
  for (unsigned j = atomic_fetch_add(&call.next, 1); j < pf->frame.nblocks && !pf->error; j = atomic_fetch_add(&call.next, 1)) {
    run_block(pf, j);
  }
}

static void *helper(void *arg) {
  const int index = (int)(intptr_t)arg;
  unsigned long seen = 0;
  pthread_mutex_lock(&lock);
  for (;;) {
    while (!call.open || call.generation == seen) pthread_cond_wait(&wake, &lock);
    seen = call.generation;
    if (index >= call.wanted) continue;
    call.active++;
    pool_frame *pf = call.pf;
    pthread_mutex_unlock(&lock);
    take_blocks(pf);
    pthread_mutex_lock(&lock);
    if (--call.active == 0) pthread_cond_signal(&finished);
  }
  return NULL;
}

/* Starts helpers up to `n` (fewer if threads cannot be created); returns how many run. */
static int grow(int n) {
  if (n > MAX_HELPERS) n = MAX_HELPERS;
  while (helpers < n) {
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    const int ok = pthread_create(&t, &attr, helper, (void *)(intptr_t)helpers) == 0;
    pthread_attr_destroy(&attr);
    if (!ok) break;
    helpers++;
  }
  return helpers < n ? helpers : n;
}

void pool_decode(pool_frame *pf, int threads) {
  const blosc_frame *f = &pf->frame;
  if (f->memcpyed) {
    memcpy(f->dst, f->src + BLOSC_HEADER, f->nbytes);
    return;
  }
  int expected = 0;
  if (threads <= 1 || f->nblocks <= 1 || !atomic_compare_exchange_strong(&in_use, &expected, 1)) {
    for (uint32_t j = 0; j < f->nblocks && !pf->error; j++) run_block(pf, j);
    return;
  }
  pthread_mutex_lock(&lock);
  const int wanted = grow(threads - 1);
  call.pf = pf;
  atomic_store(&call.next, 0);
  call.wanted = wanted;
  call.active = 0;
  call.generation++;
  call.open = 1;
  if (wanted > 0) pthread_cond_broadcast(&wake);
  pthread_mutex_unlock(&lock);
  take_blocks(pf);
  pthread_mutex_lock(&lock);
  call.open = 0;
  while (call.active > 0) pthread_cond_wait(&finished, &lock);
  pthread_mutex_unlock(&lock);
  atomic_store(&in_use, 0);
}
