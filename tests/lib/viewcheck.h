/* viewcheck: what the chat layout's tests (tests/unit/test_view*.c) share: UTF-8 test
 * characters, checks of every line of a view (safe, measured, numbered), a view's exact
 * lines and styles (EXPECT), two views the same, and an append that must succeed. Uses
 * cmocka's asserts. */
#ifndef CHERRY_TEST_VIEWCHECK_H
#define CHERRY_TEST_VIEWCHECK_H

#include <stddef.h>

#include "cherry/view.h"

#define NI "\xE4\xBD\xA0"   /* 你 */
#define HAO "\xE5\xA5\xBD"  /* 好 */
#define SHI "\xE4\xB8\x96"  /* 世 */
#define JIE "\xE7\x95\x8C"  /* 界 */
#define STOP "\xE3\x80\x82" /* 。 */
#define ACUTE "\xCC\x81"
#define GRIN "\xF0\x9F\x98\x80"
#define ZWJ "\xE2\x80\x8D"
#define VS16 "\xEF\xB8\x8F"
#define HEART "\xE2\x9D\xA4"
#define FAMILY "\xF0\x9F\x91\xA8" ZWJ "\xF0\x9F\x91\xA9" ZWJ "\xF0\x9F\x91\xA7"
#define ELLIPSIS "\xE2\x80\xA6"
#define FFFD "\xEF\xBF\xBD"
#define FOLDED(n) "\xE2\x96\xB8 reasoning (" n ") \xE2\x80\x94 F4 shows it"

struct want {
	enum view_style style;
	const char *s;
};

/* Every line of the view is safe, measured as text_width measures it, within the
 * width unless it is one cluster, and numbered consistently with its message. */
void check_lines(struct view *v, int width);
/* Every line, its message, style and width, on stderr (as a failing check shows it). */
void print_view(struct view *v);
/* The view shows exactly these lines (EXPECT lists them). */
void expect_view(struct view *v, const struct want *w, size_t n);
/* Both views show the same lines. */
void expect_same(struct view *a, struct view *b);
/* Text appended to message m, which must succeed. */
void append(struct view *v, size_t m, const char *s);

#define EXPECT(v, ...)                                                  \
	do {                                                            \
		static const struct want w_[] = {__VA_ARGS__};          \
		expect_view((v), w_, sizeof w_ / sizeof w_[0]);         \
	} while (0)

#endif
