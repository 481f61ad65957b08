# eventmap - build, data, tests, demo and benchmarks.
#
#   make          build ./eventmap and the default gazetteer index
#   make demo     build, fetch data, run the example, say where the outputs are
#   make test     the viewer in headless Chromium, then the unit and command-line
#                 tests (Check) plain and under ASan+UBSan, ending with its summary
#   make bench    gazetteer build, cold load and resolve throughput; export,
#                 import and near queries against ogr2ogr and PostGIS; the
#                 overview map and a tile pyramid against Mapnik (peers when
#                 installed: sh scripts/setup.sh peers)
#
# Missing Debian packages and the pinned data packages are installed by
# scripts/setup.sh, which this Makefile calls only when something is missing.

CC      ?= cc
PKGS    := proj geos libpng libcjson cairo pangocairo sqlite3 libutf8proc
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CFLAGS  ?= -O2 -g
BUILD   ?= build
SANITIZE ?=

ifneq ($(SANITIZE),)
  CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
  LDFLAGS += -fsanitize=$(SANITIZE)
  BUILD := build-san
endif

CACHE   := .cache
DATA    := $(CACHE)/data
GAZ_IDX := $(CACHE)/gazetteer.idx
DEPS_OK := $(CACHE)/deps.ok
DATA_OK := $(DATA)/.ok
TOOLS_OK := $(CACHE)/tools/.ok
BROWSER_OK := $(CACHE)/browser/.ok

# pkg-config is asked once, after the dependencies are known to be installed.
PKG_CFLAGS = $(eval PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS)))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $(shell pkg-config --libs $(PKGS)) -lcsv -lm)$(PKG_LIBS)
CHECK_CFLAGS = $(eval CHECK_CFLAGS := $(shell pkg-config --cflags check))$(CHECK_CFLAGS)
CHECK_LIBS   = $(eval CHECK_LIBS := $(shell pkg-config --libs check))$(CHECK_LIBS)

ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(CFLAGS) -Isrc $(PKG_CFLAGS)

LIB_SRC  := $(sort $(wildcard src/util/*.c src/geo/*.c src/gazetteer/*.c src/geoparse/*.c src/events/*.c src/store/*.c src/render/*.c))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/*.c tests/cli/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libeventmap.a
PROG     := eventmap
ifneq ($(SANITIZE),)
  PROG   := $(BUILD)/eventmap
endif
TEST_BIN := $(BUILD)/test_runner

.PHONY: all deps data tools demo test test-san test-browser bench clean distclean
all: $(PROG) $(GAZ_IDX)

deps: $(DEPS_OK)
data: $(DATA_OK)

$(DEPS_OK): scripts/setup.sh
	@sh scripts/setup.sh deps
	@mkdir -p $(CACHE) && touch $@

$(DATA_OK): scripts/setup.sh | $(DEPS_OK)
	@sh scripts/setup.sh data

$(BUILD)/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c | $(DEPS_OK) $(BUILD)/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Wno-missing-prototypes -I$(BUILD) -Itests -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(PROG): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(PKG_LIBS)

# Every test file declares its suites as "Suite *NAME_suite(void)"; the runner
# gets the list from here, so adding a test file needs no other edit.
$(BUILD)/suites.h: $(TEST_SRC)
	@mkdir -p $(BUILD)
	@grep -ho '^Suite \*[a-z0-9_]*_suite(void)' $(TEST_SRC) | sed 's/^Suite \*\(.*\)(void)/SUITE(\1)/' > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@

$(TEST_BIN): $(TEST_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(TEST_OBJ) $(LIB) $(PKG_LIBS) $(CHECK_LIBS)

$(GAZ_IDX): $(PROG) $(DATA_OK) $(wildcard gazetteer/*.tsv)
	./$(PROG) gazetteer build -o $@

# geojsonhint for the tests, pinned by tests/tools/package-lock.json.
$(TOOLS_OK): tests/tools/package.json tests/tools/package-lock.json scripts/setup.sh | $(DEPS_OK)
	@sh scripts/setup.sh tools
	@touch $@

# Chromium (Debian) and playwright-core for the viewer test, pinned by
# tests/browser/package-lock.json.
$(BROWSER_OK): tests/browser/package.json tests/browser/package-lock.json scripts/setup.sh | $(DEPS_OK)
	@sh scripts/setup.sh browser
	@touch $@

# The tile viewer in a real browser: tiles of the seed events, opened by
# headless Chromium through playwright-core (tests/browser/); the
# screenshots are left in build/viewer*.png.
test-browser: all $(BROWSER_OK)
	@echo "== the tile viewer in headless Chromium"
	@EVENTMAP_GAZETTEER=$(GAZ_IDX) sh tests/browser/run.sh ./$(PROG) build/viewer.png

demo: all
	@sh scripts/demo.sh

# The suite runs twice: the normal build, then the same tests under
# AddressSanitizer and UndefinedBehaviorSanitizer in build-san/.
# The browser test first, so that the run ends with Check's summary line.
test: all $(TEST_BIN) $(TOOLS_OK) $(BROWSER_OK)
	@$(MAKE) --no-print-directory test-browser
	@echo "== unit and command-line tests"
	@EVENTMAP_BIN=./$(PROG) EVENTMAP_GAZETTEER=$(GAZ_IDX) ./$(TEST_BIN)
	@echo "== the same tests under AddressSanitizer and UndefinedBehaviorSanitizer"
	@$(MAKE) --no-print-directory SANITIZE=address,undefined test-san
	@$(MAKE) --no-print-directory valgrind

# Run by `make test` with SANITIZE set: the sanitized program and tests on
# the index the normal build made.
test-san: $(PROG) $(TEST_BIN) $(TOOLS_OK)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    EVENTMAP_HOME=$(CURDIR) EVENTMAP_BIN=./$(PROG) EVENTMAP_GAZETTEER=$(GAZ_IDX) ./$(TEST_BIN)

$(BUILD)/gaz_bench: bench/gaz_bench.c $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

$(BUILD)/near_bench: bench/near_bench.c $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

bench: all $(BUILD)/gaz_bench $(BUILD)/near_bench
	@sh bench/run.sh
	@sh bench/run_events.sh
	@sh bench/run_render.sh

clean:
	rm -rf build build-san $(PROG)

distclean: clean
	rm -rf $(CACHE) output/*

# ---- valgrind (begin) ------------------------------------------------------
# The end-to-end pipeline (resolve, gazetteer build, import, near, export,
# map, tiles, geoparse and bad inputs) under Valgrind's memcheck: no memory
# errors and no definite leaks in our code (tests/valgrind/run.sh; outside
# libraries' noise in tests/valgrind/eventmap.supp).  About a minute.
.PHONY: valgrind
valgrind: all
ifneq ($(SANITIZE),)
	@echo "== valgrind skipped: this build uses -fsanitize, which valgrind cannot run (make valgrind)"
else
	@echo "== the end-to-end pipeline under valgrind"
	@EVENTMAP_GAZETTEER=$(GAZ_IDX) sh tests/valgrind/run.sh ./$(PROG)
endif
# ---- valgrind (end) --------------------------------------------------------

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
