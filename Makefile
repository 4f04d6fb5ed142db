# cherry: a terminal chat client for LLM providers.
# Plain make + pkg-config. `make run` and `make check` install missing
# dependencies first (scripts/deps.sh).

VERSION   = 0.1.0
PREFIX   ?= /usr/local
BINDIR    = $(PREFIX)/bin
MANDIR    = $(PREFIX)/share/man/man1
DESTDIR  ?=

CC       ?= cc
# openssl: network.ca_file is added to libcurl's CA store through OpenSSL (src/tls.c);
# the tests' fake provider and throw-away CA use it too. md4c parses answers' Markdown.
# md4c-html writes the same Markdown as HTML for `history export --format html`.
PKGS      = ncursesw libcurl jansson libsodium openssl md4c md4c-html
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN      = -Wall -Wextra -Wpedantic -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
            -Wformat=2 -Wno-format-nonliteral -Wvla
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
             -DCHERRY_VERSION='"$(VERSION)"' -Iinclude $(PKG_CFLAGS) $(WARN) $(CFLAGS) $(EXTRA_CFLAGS)
LDLIBS    = $(PKG_LIBS) -lm -pthread

# BUILD is the output directory; `make check` builds a second tree with sanitizers.
BUILD    ?= build

SRC       = $(wildcard src/*.c)
LIB_SRC   = $(filter-out src/main.c,$(SRC))
LIB_OBJ   = $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
UNIT_SRC  = $(wildcard tests/unit/test_*.c)
INTEG_SRC = $(wildcard tests/integration/test_*.c)
TEST_BIN  = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%) $(INTEG_SRC:tests/integration/%.c=$(BUILD)/tests/%)
TESTLIB_SRC = $(wildcard tests/lib/*.c)
TESTLIB     = $(BUILD)/tests/libtest.a
FAKEPROV  = $(BUILD)/tests/fakeprov
FAKEMCP   = $(BUILD)/tests/fakemcp
FUZZ_SRC  = $(wildcard tests/fuzz/fuzz_*.c)

# Compiles and tests run this many at a time in `make check` (tests/run.sh: TEST_JOBS).
JOBS     ?= $(shell getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)

SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

# Keep intermediate objects, so fuzz and test builds do not recompile everything.
.SECONDARY:

.PHONY: all run check check-valgrind test tests deps deps-check bench fuzz fuzz-keep fuzz-smoke install uninstall \
	clean lint-man lint-cycles

all: $(BUILD)/cherry

deps:
	@sh scripts/deps.sh build

deps-check:
	@sh scripts/deps.sh check

run: deps
	@$(MAKE) --no-print-directory all
	./$(BUILD)/cherry $(ARGS)

$(BUILD)/obj/%.o: src/%.c $(wildcard include/cherry/*.h src/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libcherry.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/cherry: $(BUILD)/obj/main.o $(BUILD)/libcherry.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

# tests/lib is compiled once, into an archive every test binary links.
$(BUILD)/tests/obj/lib/%.o: tests/lib/%.c $(wildcard include/cherry/*.h src/*.h tests/lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -Itests/lib -Isrc -c -o $@ $<

$(TESTLIB): $(TESTLIB_SRC:tests/lib/%.c=$(BUILD)/tests/obj/lib/%.o)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/tests/%: tests/unit/%.c $(TESTLIB) $(BUILD)/libcherry.a $(wildcard tests/lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -Itests/lib -Isrc -o $@ $< $(TEST_OBJ) $(TESTLIB) \
		$(BUILD)/libcherry.a $(LDFLAGS) $(TEST_LDFLAGS) $(LDLIBS) -lcmocka

# The controller's tests (tests/unit/test_ctl*.c) share one fixture, compiled once.
CTL_TEST_BIN = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_ctl*.c))
$(CTL_TEST_BIN): TEST_OBJ = $(BUILD)/tests/obj/ctl_fixture.o
$(CTL_TEST_BIN): $(BUILD)/tests/obj/ctl_fixture.o tests/unit/ctl_fixture.h

$(BUILD)/tests/obj/ctl_fixture.o: tests/unit/ctl_fixture.c tests/unit/ctl_fixture.h \
		$(wildcard include/cherry/*.h src/*.h tests/lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/lib -Isrc -c -o $@ $<

# The allocation-failure torture sees every allocation cherry's code makes: the link
# routes them through the test's __wrap_* functions (no hook in src/).
$(BUILD)/tests/test_alloc_torture: TEST_LDFLAGS = -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc \
	-Wl,--wrap=free,--wrap=strdup,--wrap=strndup

# test_jsonmem reads every block cherry's code frees, before it goes back: free() is
# routed through its __wrap_free.
$(BUILD)/tests/test_jsonmem: TEST_LDFLAGS = -Wl,--wrap=free

# The disk's failures, injected the same way: every open, openat, write, fsync, close and
# renameat of cherry's code goes through test_io_faults' __wrap_* functions.
$(BUILD)/tests/test_io_faults: TEST_LDFLAGS = -Wl,--wrap=write,--wrap=fsync,--wrap=close \
	-Wl,--wrap=renameat,--wrap=open,--wrap=openat

$(BUILD)/tests/%: tests/integration/%.c $(TESTLIB) $(BUILD)/libcherry.a $(wildcard tests/lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -Itests/lib -Isrc -o $@ $< $(TESTLIB) \
		$(BUILD)/libcherry.a $(LDFLAGS) $(LDLIBS) -lcmocka

# The fake provider (tests/fakeprov.md): routes and main in fakeprov.c, the rest by job.
FAKEPROV_SRC = tests/fakeprov.c tests/fakeprov_http.c tests/fakeprov_scen.c tests/fakeprov_errors.c \
	tests/fakeprov_stream.c tests/fakeprov_answer.c tests/fakeprov_evs.c
$(FAKEPROV): $(FAKEPROV_SRC) tests/fakeprov.h tests/fakeprov_evs.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $(FAKEPROV_SRC) $(LDFLAGS) $(LDLIBS)

# The fake MCP server (tests/fakemcp.c): stdio and Streamable HTTP on loopback, for
# `cherry mcp` and the transport tests.
$(FAKEMCP): tests/fakemcp.c tests/fakemcp_http.c tests/fakemcp.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ tests/fakemcp.c tests/fakemcp_http.c $(LDFLAGS) $(LDLIBS) -lpthread

tests: $(BUILD)/cherry $(TEST_BIN) $(FAKEPROV) $(FAKEMCP)

# Runs every test binary of one build tree; appends "passed failed skipped" to $(BUILD)/results.
test: tests
	@sh tests/run.sh $(BUILD) $(TEST_BIN)

# The whole suite: strict build, tests, the same tests under ASan+UBSan,
# a bounded fuzz run, and the man page lint. Ends with "N passed, N failed, N skipped".
check: deps-check
	@rm -f build/results build/san/results
	@$(MAKE) --no-print-directory -j$(JOBS) BUILD=build EXTRA_CFLAGS=-Werror tests
	@TEST_JOBS=$(JOBS) $(MAKE) --no-print-directory BUILD=build EXTRA_CFLAGS=-Werror test
	@$(MAKE) --no-print-directory -j$(JOBS) BUILD=build/san CFLAGS="-O1 -g" \
		EXTRA_CFLAGS="-Werror $(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" tests
	@TEST_JOBS=$(JOBS) $(MAKE) --no-print-directory BUILD=build/san CFLAGS="-O1 -g" \
		EXTRA_CFLAGS="-Werror $(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" test
	@$(MAKE) --no-print-directory -j$(JOBS) $(FUZZ_BIN)
	@$(MAKE) --no-print-directory fuzz-smoke
	@$(MAKE) --no-print-directory lint-man
	@$(MAKE) --no-print-directory lint-cycles
	@sh tests/summary.sh build/results build/san/results build/fuzz/results build/man-results \
		build/cycles-results

# The integration tests with every cherry they start run under valgrind's memcheck
# (through the harness's CHERRY_WRAPPER; not part of `check`: it takes long). It passes
# when no log holds a memcheck error or a definite or indirect leak; test failures are
# listed (timeouts stretch for the slower cherry, some wall-clock asserts do not).
VALGRIND_DIR = build/valgrind
INTEG_BIN = $(INTEG_SRC:tests/integration/%.c=build/tests/%)
check-valgrind:
	@sh scripts/deps.sh valgrind
	@$(MAKE) --no-print-directory BUILD=build EXTRA_CFLAGS=-Werror build/cherry $(INTEG_BIN) \
		build/tests/fakeprov build/tests/fakemcp
	@sh tests/valgrind.sh $(VALGRIND_DIR) $(INTEG_BIN)

lint-man:
	@mkdir -p build
	@if out=$$(mandoc -Tlint -Wwarning man/cherry.1 2>&1) && [ -z "$$out" ]; then \
		echo "PASS man page lint"; echo "1 0 0" > build/man-results; \
	else echo "$$out"; echo "FAIL man page lint"; echo "0 1 0" > build/man-results; fi

# No two modules of src/ include each other's headers, directly or around a cycle
# (tests/include_cycles.sh; its slower call mode, given build/obj, is not run here).
lint-cycles:
	@mkdir -p build
	@if out=$$(sh tests/include_cycles.sh 2>&1); then \
		echo "PASS include cycles"; echo "1 0 0" > build/cycles-results; \
	else echo "$$out"; echo "FAIL include cycles"; echo "0 1 0" > build/cycles-results; fi

FUZZ_CC      = clang
FUZZ_FLAGS   = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -g -O1
FUZZ_LIB_OBJ = $(LIB_SRC:src/%.c=build/fuzz/obj/%.o)
FUZZ_BIN     = $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_RUNS   ?= 20000

# The library as the fuzzers see it: UBSan stops at the first undefined behaviour in it
# as in the targets (without -fno-sanitize-recover here it only printed a line in the log
# and the fuzzer went on); tests/fuzz/nocov.txt names hot leaves left uninstrumented.
build/fuzz/obj/%.o: src/%.c $(wildcard include/cherry/*.h src/*.h) tests/fuzz/nocov.txt
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DCHERRY_VERSION='"$(VERSION)"' \
		-Iinclude $(PKG_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined \
		-fno-sanitize-recover=undefined -fsanitize-coverage-ignorelist=tests/fuzz/nocov.txt \
		-g -O1 -c -o $@ $<

build/fuzz/libcherry.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The renderer's targets (markdown, view) take text.c and utf8.c without coverage: every
# input goes through their width and cluster code per code point, and the comparison
# hooks there took about half of those targets' time (fuzz_text and fuzz_sanitize fuzz
# that code with its coverage). The objects come before the library, so the linker takes
# these and not the archive's.
FUZZ_LEAF_SRC = src/text.c src/utf8.c
FUZZ_LEAF_OBJ = $(FUZZ_LEAF_SRC:src/%.c=build/fuzz/leaf/%.o)
FUZZ_LEAF_TARGETS = build/fuzz/fuzz_markdown build/fuzz/fuzz_view

build/fuzz/leaf/%.o: src/%.c $(wildcard include/cherry/*.h src/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude $(PKG_CFLAGS) \
		-fsanitize=address,undefined -fno-sanitize-recover=undefined -g -O1 -c -o $@ $<

$(FUZZ_LEAF_TARGETS): FUZZ_LEAF = $(FUZZ_LEAF_OBJ)
$(FUZZ_LEAF_TARGETS): $(FUZZ_LEAF_OBJ)

# The renderer's targets also take the rest of the library without comparison hooks
# (edge coverage, ASan and UBSan as everywhere): their checks lay every input out five
# times and more, the hooks in the layout's loops were half of fuzz_view's time and a
# third of fuzz_markdown's, and their inputs are text whose branches turn on character
# classes the corpus already holds, not on magic values the hooks would find. 1.7 and
# 1.4 times the executions a second, and more coverage in the same minute.
FUZZ_NOCMP_OBJ = $(LIB_SRC:src/%.c=build/fuzz/nocmp/%.o)

build/fuzz/nocmp/%.o: src/%.c $(wildcard include/cherry/*.h src/*.h) tests/fuzz/nocov.txt
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DCHERRY_VERSION='"$(VERSION)"' \
		-Iinclude $(PKG_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined \
		-fno-sanitize-coverage=trace-cmp -fno-sanitize-recover=undefined \
		-fsanitize-coverage-ignorelist=tests/fuzz/nocov.txt -g -O1 -c -o $@ $<

build/fuzz/libcherry-nocmp.a: $(FUZZ_NOCMP_OBJ)
	@rm -f $@
	ar rcs $@ $^

FUZZ_LIB = build/fuzz/libcherry.a
$(FUZZ_LEAF_TARGETS): FUZZ_LIB = build/fuzz/libcherry-nocmp.a
$(FUZZ_LEAF_TARGETS): build/fuzz/libcherry-nocmp.a

build/fuzz/%: tests/fuzz/%.c build/fuzz/libcherry.a
	$(FUZZ_CC) -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude -Isrc $(PKG_CFLAGS) \
		$(FUZZ_FLAGS) -o $@ $< $(FUZZ_LEAF) $(FUZZ_LIB) $(PKG_LIBS) -lm

fuzz-smoke: $(FUZZ_BIN)
	@sh tests/fuzz/run.sh smoke $(FUZZ_RUNS) $(FUZZ_BIN)

# make fuzz: FUZZ_LONG_RUNS executions (default 10 million) of each of FUZZ_TARGETS, one
# after the other under nice -n 19, in FUZZ_JOBS processes each (default 1); the count
# is kept per code under test in tests/fuzz/ledger, so a run stopped by its time bound or
# an interrupt goes on from there (tests/fuzz/run.sh); prints and writes
# build/fuzz/long-report.
FUZZ_TARGETS ?= $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
fuzz: $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)
	@sh tests/fuzz/run.sh long 0 $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)

# make fuzz-keep: the small inputs of the last long run that add coverage join the seeds.
fuzz-keep: $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)
	@sh tests/fuzz/keep.sh $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)

bench: deps-check
	@$(MAKE) --no-print-directory BUILD=build all $(FAKEPROV) build/bench/parse_floor build/bench/gen_history \
		build/bench/load_floor build/bench/tui_bench build/bench/list_bench build/bench/writes_bench
	@sh tests/bench/run.sh

build/bench/parse_floor: tests/bench/parse_floor.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LDLIBS)

build/bench/load_floor: tests/bench/load_floor.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LDLIBS)

build/bench/gen_history: tests/bench/gen_history.c build/libcherry.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< build/libcherry.a $(LDLIBS)

build/bench/writes_bench: tests/bench/writes_bench.c tests/lib/histtest.c tests/lib/harness.c build/libcherry.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/lib -o $@ $< tests/lib/histtest.c tests/lib/harness.c build/libcherry.a $(LDLIBS)

build/bench/list_bench: tests/bench/list_bench.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $<

build/bench/tui_bench: tests/bench/tui_bench.c tests/lib/harness.c tests/lib/harness_run.c \
		tests/lib/tmux.c tests/lib/harness.h tests/lib/harness_int.h tests/lib/tmux.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/lib -o $@ $< tests/lib/harness.c tests/lib/harness_run.c \
		tests/lib/tmux.c $(LDLIBS)

install: $(BUILD)/cherry
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)
	install -m 0755 $(BUILD)/cherry $(DESTDIR)$(BINDIR)/cherry
	install -m 0644 man/cherry.1 $(DESTDIR)$(MANDIR)/cherry.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/cherry $(DESTDIR)$(MANDIR)/cherry.1

clean:
	rm -rf build
