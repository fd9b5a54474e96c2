/*
 * tc_heap.h -- what tcheck.c asks tc_track.c about the student's heap
 * blocks (private to harness/check: the student's side is tc_track.h).
 */
#ifndef TC_HEAP_H
#define TC_HEAP_H

#include <stddef.h>
#include <stdint.h>

/* One live block of the student's. */
struct tc_block {
    uintptr_t p;            /* 0 = empty, 1 = deleted */
    size_t n;
    unsigned long seq;      /* allocation order: the oldest leak is named */
    const char *file;       /* where the student's code allocated it (tc_track.h), */
    int line;               /* or NULL, 0 */
};

/** Live blocks now. */
size_t tc_heap_live(void);

/** The allocation counter: blocks made later have a larger seq. */
unsigned long tc_heap_seq(void);

/** The oldest live block allocated after `seq` into *out; 0 if none. */
int tc_heap_oldest_since(unsigned long seq, struct tc_block *out);

/** Writes past a block's end seen at free() so far; the first one's size in *first_size. */
size_t tc_heap_overruns(size_t *first_size);

#endif /* TC_HEAP_H */
