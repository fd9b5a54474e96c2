/* fixture.h -- the functions of mutagen's test input (fixture.c). */
#ifndef FIXTURE_H
#define FIXTURE_H

int fx_less(int a, int b);
int fx_sum(const int *v, int n);
float fx_scale(float x, float y);
int fx_tail(const int *v, int n, int *out);
int fx_edge(int *v, int n);
int fx_macro(int a);
int fx_consts(int k);
int fx_lvalues(int *v, int n);
int *fx_alloc(int n);
void fx_release(int *p);
float fx_at(const float *m, int cols, int r, int c);
int fx_round(float x);
long fx_lround(float x);
float fx_clamp(float x, float hi);
int fx_ifdef(int a, int b, int c);
int fx_line(void);

#endif
