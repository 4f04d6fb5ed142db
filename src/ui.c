/* ui: the full-screen client's curses shell: curses started and stopped (the terminal
 * put back, even from the crash handler), keys read and translated, the windows placed
 * as the controller laid them out, OSC 52 written. The painting is ui_draw.c's. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui.h"
#include "ui_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <curses.h>
#include <sodium.h>

#include "cherry/crash.h"
#include "cherry/hyperlink.h"

/* input.h's key codes are curses' own numbers: keys pass through unchanged. */
_Static_assert(IK_DOWN == KEY_DOWN && IK_BACKSPACE == KEY_BACKSPACE && IK_F0 == KEY_F0 &&
		       IK_DC == KEY_DC && IK_NPAGE == KEY_NPAGE && IK_ENTER == KEY_ENTER &&
		       IK_BTAB == KEY_BTAB && IK_END == KEY_END && IK_SDC == KEY_SDC &&
		       IK_SEND == KEY_SEND && IK_SPREVIOUS == KEY_SPREVIOUS &&
		       IK_SRIGHT == KEY_SRIGHT && IK_HOME == KEY_HOME && IK_IC == KEY_IC &&
		       IK_SF == KEY_SF && IK_SR == KEY_SR && IK_SHOME == KEY_SHOME &&
		       IK_SIC == KEY_SIC && IK_SLEFT == KEY_SLEFT && IK_SNEXT == KEY_SNEXT &&
		       IK_PPAGE == KEY_PPAGE && IK_UP == KEY_UP && IK_LEFT == KEY_LEFT &&
		       IK_RIGHT == KEY_RIGHT,
	       "input.h key codes differ from curses'");

WINDOW *ui_w_list, *ui_w_chat, *ui_w_input, *ui_w_status, *ui_w_over;
static int color;
static int tty_fd = -1;
static struct termios saved_tios;
static int have_tios;

/* Bracketed paste and the mouse off, xterm's metaSendsEscape back as it was (XTRESTORE),
 * attributes reset, the cursor shown, the main screen back. */
static const char restore_seq[] =
	"\033[?2004l\033[?1000l\033[?1006l\033[?1036r\033[0m\033[?25h\033[?1049l";
/* Pasting brackets; xterm's metaSendsEscape saved (XTSAVE) and set, so that Alt-s sends
 * ESC s (M-s) rather than a character with its eighth bit set, which xterm (eightBitInput,
 * which meta() below turns on through smm) would type as "ó". Terminals that do not know
 * these private modes ignore them. */
static const char start_seq[] = "\033[?2004h\033[?1036s\033[?1036h";
static const char stop_seq[] = "\033[?2004l\033[?1036r";

/* Runs in the crash handler: async-signal-safe calls only. */
static void crash_restore(void)
{
	if (tty_fd < 0)
		return;
	ssize_t r = write(tty_fd, restore_seq, sizeof restore_seq - 1);
	(void)r;
	if (have_tios)
		tcsetattr(tty_fd, TCSANOW, &saved_tios);
}

void ui_write(const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(tty_fd >= 0 ? tty_fd : STDOUT_FILENO, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static void write_tty(const char *s)
{
	ui_write(s, strlen(s));
}

static const char *env_of(const char *name)
{
	return getenv(name);
}

/* Sequences terminals send that their terminfo entry may not name: tmux and screen send
 * \e[1~ and \e[4~ for Home and End whatever TERM says, xterm adds modifiers as
 * \e[1;3F, the Linux console has its own F1-F5, and bracketed paste has its markers.
 * Each becomes a key of ours: terminfo's code is mapped when it has the sequence,
 * otherwise it is defined with a code of our own (curses keeps key codes in 16 bits, so
 * ours sit below 0x8000, above every code of curses). */
#define FNK(k) (INPUT_FN | (input_key)(k))
#define METAK(k) (INPUT_META | INPUT_FN | (input_key)(k))
static const struct { const char *seq; input_key key; } extra_keys[] = {
	{"\033[200~", INPUT_PASTE_START}, {"\033[201~", INPUT_PASTE_END},
	{"\033[1~", FNK(IK_HOME)}, {"\033[7~", FNK(IK_HOME)}, {"\033[H", FNK(IK_HOME)},
	{"\033OH", FNK(IK_HOME)}, {"\033[4~", FNK(IK_END)}, {"\033[8~", FNK(IK_END)},
	{"\033[F", FNK(IK_END)}, {"\033OF", FNK(IK_END)},
	{"\033[2~", FNK(IK_IC)}, {"\033[3~", FNK(IK_DC)},
	{"\033[5~", FNK(IK_PPAGE)}, {"\033[6~", FNK(IK_NPAGE)},
	{"\033[A", FNK(IK_UP)}, {"\033[B", FNK(IK_DOWN)}, {"\033[C", FNK(IK_RIGHT)},
	{"\033[D", FNK(IK_LEFT)}, {"\033OA", FNK(IK_UP)}, {"\033OB", FNK(IK_DOWN)},
	{"\033OC", FNK(IK_RIGHT)}, {"\033OD", FNK(IK_LEFT)},
	{"\033[1;3H", METAK(IK_HOME)}, {"\033[1;3F", METAK(IK_END)},
	{"\033[1;9H", METAK(IK_HOME)}, {"\033[1;9F", METAK(IK_END)},
	{"\033[1;3~", METAK(IK_HOME)}, {"\033[4;3~", METAK(IK_END)},
	{"\033[5;3~", METAK(IK_PPAGE)}, {"\033[6;3~", METAK(IK_NPAGE)},
	{"\033[3;3~", METAK(IK_DC)},
	{"\033[1;3A", METAK(IK_UP)}, {"\033[1;3B", METAK(IK_DOWN)},
	{"\033[1;3C", METAK(IK_RIGHT)}, {"\033[1;3D", METAK(IK_LEFT)},
	{"\033[1;2A", FNK(IK_SR)}, {"\033[1;2B", FNK(IK_SF)}, {"\033[1;2C", FNK(IK_SRIGHT)},
	{"\033[1;2D", FNK(IK_SLEFT)}, {"\033[1;2H", FNK(IK_SHOME)}, {"\033[1;2F", FNK(IK_SEND)},
	{"\033[Z", FNK(IK_BTAB)},
	{"\033OP", FNK(IK_F(1))}, {"\033OQ", FNK(IK_F(2))}, {"\033OR", FNK(IK_F(3))},
	{"\033OS", FNK(IK_F(4))}, {"\033[11~", FNK(IK_F(1))}, {"\033[12~", FNK(IK_F(2))},
	{"\033[13~", FNK(IK_F(3))}, {"\033[14~", FNK(IK_F(4))}, {"\033[15~", FNK(IK_F(5))},
	{"\033[17~", FNK(IK_F(6))}, {"\033[18~", FNK(IK_F(7))}, {"\033[19~", FNK(IK_F(8))},
	{"\033[20~", FNK(IK_F(9))}, {"\033[21~", FNK(IK_F(10))}, {"\033[23~", FNK(IK_F(11))},
	{"\033[24~", FNK(IK_F(12))},
	{"\033[[A", FNK(IK_F(1))}, {"\033[[B", FNK(IK_F(2))}, {"\033[[C", FNK(IK_F(3))},
	{"\033[[D", FNK(IK_F(4))}, {"\033[[E", FNK(IK_F(5))},
	{"\033[1;2P", FNK(IK_F(13))}, {"\033[1;2Q", FNK(IK_F(14))}, {"\033[1;2R", FNK(IK_F(15))},
	{"\033[1;2S", FNK(IK_F(16))}, {"\033O2P", FNK(IK_F(13))}, {"\033O2Q", FNK(IK_F(14))},
	{"\033[15;2~", FNK(IK_F(17))}, {"\033[17;2~", FNK(IK_F(18))},
	{"\033[18;2~", FNK(IK_F(19))}, {"\033[19;2~", FNK(IK_F(20))},
	{"\033[20;2~", FNK(IK_F(21))}, {"\033[21;2~", FNK(IK_F(22))},
	{"\033[23;2~", FNK(IK_F(23))}, {"\033[24;2~", FNK(IK_F(24))},
	{"\033[25~", FNK(IK_F(13))}, {"\033[26~", FNK(IK_F(14))},
};
#define NEXTRA (sizeof extra_keys / sizeof *extra_keys)
#define OWN_KEY_BASE 0x7000

/* The curses code each extra sequence came as (0: none). */
static int extra_code[NEXTRA];

static void define_extra_keys(void)
{
	for (size_t i = 0; i < NEXTRA; i++) {
		int code = key_defined(extra_keys[i].seq);
		if (code == 0) {
			code = OWN_KEY_BASE + (int)i;
			if (define_key(extra_keys[i].seq, code) != OK)
				code = 0;
		}
		extra_code[i] = code > 0 ? code : 0;
	}
}

/* A curses key code as ours: an extra sequence's key, else the code itself. */
static input_key key_of_code(int code)
{
	for (size_t i = 0; i < NEXTRA; i++)
		if (extra_code[i] == code)
			return extra_keys[i].key;
	return INPUT_FN | (input_key)code;
}

int ui_color(void)
{
	return color;
}

struct theme ui_theme;

int ui_start(const struct config *cfg, int *rows, int *cols, struct err *e)
{
	tty_fd = STDOUT_FILENO;
	if (tcgetattr(tty_fd, &saved_tios) == 0)
		have_tios = 1;
	crash_set_restore(crash_restore);
	/* Esc must act within 50 ms; Alt-keys arrive as ESC plus a key well within that. */
	set_escdelay(25);
	ui_load_theme(cfg, &ui_theme);
	json_t *hl = cfg && cfg->ui ? json_object_get(cfg->ui, "hyperlinks") : NULL;
	int links = hyperlink_wanted(json_is_string(hl) ? json_string_value(hl) : NULL, env_of);
	ui_links_enable(links > 0 || (links < 0 && hyperlink_wanted(NULL, env_of) > 0));
	const char *nc = getenv("NO_COLOR");
	int want_colour = !(nc && *nc);
	/* 24-bit colour: curses emits it only under a terminfo entry with RGB (e.g.
	 * xterm-direct), so COLORTERM=truecolor starts it on TERM's direct sibling when
	 * the system has one; the sequences are otherwise TERM's (same family) */
	char direct[64];
	SCREEN *scr = NULL;
	if (want_colour && theme_direct_term(&ui_theme, getenv("TERM"), getenv("COLORTERM"),
					     direct, sizeof direct))
		scr = newterm(direct, stdout, stdin);
	if (!scr)
		scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		crash_set_restore(NULL);
		err_set(e, EXIT_FAIL, "cannot start the terminal screen (is TERM set correctly?)");
		return -1;
	}
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	meta(stdscr, TRUE);
	color = 0;
	if (has_colors() && want_colour) {
		start_color();
		use_default_colors();
		color = 1;
	}
	/* The wheel scrolls, a click selects a message; a paste is bracketed so its
	 * newlines never send. */
	mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	define_extra_keys();
	write_tty(start_seq);
	ui_w_list = newwin(1, 1, 0, 0);
	ui_w_chat = newwin(1, 1, 0, 0);
	ui_w_input = newwin(1, 1, 0, 0);
	ui_w_status = newwin(1, 1, 0, 0);
	ui_w_over = newwin(1, 1, 0, 0);
	if (!ui_w_list || !ui_w_chat || !ui_w_input || !ui_w_status || !ui_w_over) {
		ui_stop();
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	leaveok(ui_w_list, TRUE);
	leaveok(ui_w_chat, TRUE);
	leaveok(ui_w_status, TRUE);
	leaveok(ui_w_over, TRUE);
	ui_size(rows, cols);
	return 0;
}

void ui_stop(void)
{
	if (tty_fd < 0)
		return;
	write_tty(stop_seq);
	if (ui_w_list)
		delwin(ui_w_list);
	if (ui_w_chat)
		delwin(ui_w_chat);
	if (ui_w_input)
		delwin(ui_w_input);
	if (ui_w_status)
		delwin(ui_w_status);
	if (ui_w_over)
		delwin(ui_w_over);
	ui_w_list = ui_w_chat = ui_w_input = ui_w_status = ui_w_over = NULL;
	endwin();
	crash_set_restore(NULL);
	tty_fd = -1;
}

void ui_suspend(void)
{
	write_tty(stop_seq);
	def_prog_mode();
	endwin();
}

void ui_resume(void)
{
	reset_prog_mode();
	write_tty(start_seq);
	clearok(curscr, TRUE);
}

int ui_osc52(const char *text, size_t len)
{
	size_t b64len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(b64len + 16);
	if (!b64)
		return -1;
	sodium_bin2base64(b64, b64len, (const unsigned char *)text, len,
			  sodium_base64_VARIANT_ORIGINAL);
	write_tty("\033]52;c;");
	write_tty(b64);
	write_tty("\a");
	free(b64);
	return 0;
}

static void place(WINDOW *w, int h, int wd, int y, int x)
{
	/* Resize before moving, so the window never hangs off the screen (mvwin fails then). */
	wresize(w, h < 1 ? 1 : h, wd < 1 ? 1 : wd);
	mvwin(w, y, x);
}

void ui_size(int *rows, int *cols)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0 &&
	    (ws.ws_row != LINES || ws.ws_col != COLS))
		resizeterm(ws.ws_row, ws.ws_col);
	*rows = LINES;
	*cols = COLS;
}

void ui_layout(const struct ctl *c)
{
	/* a message too long for the status line takes the rows above it */
	place(ui_w_status, 1 + c->msg_rows, c->cols, c->rows - 1 - c->msg_rows, 0);
	int in_y = c->rows - 1 - c->msg_rows - (c->input_h + 1);
	if (in_y < 0)
		in_y = 0;
	place(ui_w_input, c->input_h + 1, c->cols, in_y, 0);
	place(ui_w_chat, c->chat_h, c->chat_w, 0, c->chat_x);
	place(ui_w_list, c->chat_h, c->list_visible ? UI_LIST_WIDTH + 1 : 1, 0, 0);
	place(ui_w_over, c->chat_h, c->cols, 0, 0);
	if (c->dirty & CTL_DIRTY_CLEAR) {
		werase(stdscr);
		wnoutrefresh(stdscr);
		clearok(curscr, TRUE);
	}
}
int ui_terminal_gone(void)
{
	struct pollfd p = {STDIN_FILENO, POLLIN, 0};
	if (poll(&p, 1, 0) <= 0)
		return 0;
	return (p.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
}

int ui_read_key(int in_paste, input_key *key)
{
	wint_t wc;
	int r = wget_wch(stdscr, &wc);
	if (r == ERR)
		return 1;
	if (r == KEY_CODE_YES) {
		if (wc == KEY_RESIZE) {
			*key = INPUT_RESIZE;
			return 0;
		}
		if (wc == KEY_MOUSE) {
			MEVENT ev;
			*key = 0;
			if (getmouse(&ev) == OK) {
				int at = ev.y >= 0 && ev.x >= 0 && ev.y < 1024 && ev.x < 2048;
				if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED))
					*key = !at ? (ev.bstate & BUTTON4_PRESSED ? INPUT_WHEEL_UP
										  : INPUT_WHEEL_DOWN)
						   : INPUT_WHEEL_AT(ev.y, ev.x,
								    !(ev.bstate & BUTTON4_PRESSED));
				else if ((ev.bstate & BUTTON1_PRESSED) && ev.y >= 0 && ev.x >= 0 &&
					 ev.y < 2048 && ev.x < 2048)
					*key = INPUT_CLICK(ev.y, ev.x);
			}
			return *key ? 0 : ui_read_key(in_paste, key);
		}
		*key = key_of_code((int)wc);
		return 0;
	}
	if (wc == 27 && !in_paste) {
		/* ESC then another key at once is Alt/Meta plus that key. */
		wint_t wc2;
		int r2 = wget_wch(stdscr, &wc2);
		/* Esc followed by a control key (Esc, C-o) is two keys: Alt-Ctrl combinations
		 * are rare, while a quick Esc then C-o is common. M-Enter stays one key. */
		if (r2 == OK && (wc2 >= 0x20 || wc2 == 13)) {
			*key = INPUT_META | (input_key)wc2;
			return 0;
		}
		if (r2 == OK) {
			unget_wch(wc2);
			*key = 27;
			return 0;
		}
		if (r2 == KEY_CODE_YES) {
			*key = INPUT_META | key_of_code((int)wc2);
			return 0;
		}
		*key = 27;
		return 0;
	}
	*key = (input_key)wc;
	return 0;
}
