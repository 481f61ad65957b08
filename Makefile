# eventmap - build, data, tests, demo and benchmarks.
#
#   make          build ./eventmap and the default gazetteer index
#   make demo     build, fetch data, run the example, say where the outputs are
#   make test     the viewer in headless Chromium, the pipeline under valgrind,
#                 the fuzz corpora replayed, then the unit and command-line tests
#                 (Check) plain and under ASan+UBSan, ending with its summary
#   make fuzz     every libFuzzer target for FUZZ_SECONDS (clang; CI: 20 s each)
#   make soak     kill -9 after sleeps of 10 ms to 2.5 s in import, map and
#                 tiles, and report what each kill left (never fails; the
#                 tests kill at named points instead: EVENTMAP_CRASH_AT)
#   make bench    gazetteer build, cold load and resolve throughput (also on
#                 a synthetic allCountries.txt: BENCH_GAZ_ROWS); export,
#                 import and near queries against ogr2ogr and PostGIS; the
#                 overview map and a tile pyramid against Mapnik (peers when
#                 installed: sh scripts/setup.sh peers)
#   make eval     geocoding of real event rows: UCDP GED's table (EVAL_UCDP)
#                 without its coordinates, through import and export, scored
#                 against UCDP's own points; then the spelling tables' scores
#
# Missing Debian packages and the pinned data packages are installed by
# scripts/setup.sh, which this Makefile calls only when something is missing.

CC      ?= cc
PKGS    := proj geos libpng libcjson cairo pangocairo sqlite3 libutf8proc libpq
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

LIB_SRC  := $(sort $(wildcard src/util/*.c src/geo/*.c src/gazetteer/*.c src/geoparse/*.c src/events/*.c src/store/*.c src/render/*.c src/tiles/*.c))
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

.PHONY: all deps data tools demo test test-san test-browser test-crash-pinned soak bench eval clean distclean
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

# The seed report, an optional extra check of the geoparser (outside the
# repository: its NOT RUN line says so when it is absent).
SEED ?= ../shared/seed/article.txt
TEST_ENV = EVENTMAP_SEED=$(SEED) EVENTMAP_GAZETTEER=$(GAZ_IDX)

# The browser test, the pipeline under valgrind, then the suite twice: the
# normal build, then the same tests under AddressSanitizer and
# UndefinedBehaviorSanitizer in build-san/ (after the fuzz targets' corpora
# and kept crashers are replayed there), so that the run ends with Check's
# summary line.  Between them the crash tests once more, on one core at the
# lowest priority: they kill at named points, so a slow machine gives the
# same answers as a fast one, and this run shows it on every CI run.
test: all $(TEST_BIN) $(TOOLS_OK) $(BROWSER_OK)
	@$(MAKE) --no-print-directory test-browser
	@$(MAKE) --no-print-directory valgrind
	@echo "== unit and command-line tests"
	@$(TEST_ENV) EVENTMAP_BIN=./$(PROG) ./$(TEST_BIN)
	@$(MAKE) --no-print-directory test-crash-pinned
	@$(MAKE) --no-print-directory SANITIZE=address,undefined test-san

test-crash-pinned: all $(TEST_BIN)
	@echo "== the crash tests pinned to one core at the lowest priority (taskset -c 0 nice -n 19)"
	@CK_RUN_SUITE=crash-safety $(TEST_ENV) EVENTMAP_BIN=./$(PROG) taskset -c 0 nice -n 19 ./$(TEST_BIN)

# Not part of make test: kills after sleeps, whose outcome depends on the
# machine's speed; it reports what each kill left and never fails.
soak: all
	@EVENTMAP_GAZETTEER=$(GAZ_IDX) sh tests/soak/run.sh ./$(PROG)

# Run by `make test` with SANITIZE set: the fuzz targets over their corpora
# and kept crashers, then the sanitized program and tests on the index the
# normal build made.
test-san: $(PROG) $(TEST_BIN) $(TOOLS_OK)
	@echo "== the fuzz targets' corpora and kept crashers under AddressSanitizer and UndefinedBehaviorSanitizer"
	@$(foreach t,$(FUZZ_TARGETS),$(FUZZ_ENV) $(BUILD)/fuzz-replay/$(t) $(wildcard tests/fuzz/corpus/$(t)/* \
	    tests/fuzz/regress/$(t)/*) 2>$(BUILD)/fuzz-replay/$(t).log || { cat $(BUILD)/fuzz-replay/$(t).log; \
	    echo "fuzz replay: $(t) FAILED (log: $(BUILD)/fuzz-replay/$(t).log)" >&2; exit 1; } &&) true
	@echo "== the tests under AddressSanitizer and UndefinedBehaviorSanitizer"
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 LSAN_OPTIONS=print_suppressions=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    EVENTMAP_HOME=$(CURDIR) EVENTMAP_BIN=./$(PROG) $(TEST_ENV) ./$(TEST_BIN)

$(BUILD)/gaz_bench: bench/gaz_bench.c $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

$(BUILD)/near_bench: bench/near_bench.c $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

bench: all $(BUILD)/gaz_bench $(BUILD)/near_bench
	@sh bench/run.sh
	@sh bench/run_gazbig.sh
	@sh bench/run_events.sh
	@sh bench/run_render.sh

# Not part of make test: a measurement on real rows kept outside the
# repository (../shared/eval/ucdp/README.md), printed, never a pass/fail.
EVAL_UCDP ?= ../shared/eval/ucdp/ucdp-ged-dev.csv
# TR-News's articles with gold toponyms (../shared/eval/geoparse/README.md)
EVAL_GEOPARSE ?= ../shared/eval/geoparse/TR-News.xml

$(BUILD)/eval_ucdp: bench/eval_ucdp.c $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

$(BUILD)/eval_geoparse: bench/eval_geoparse.c $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

eval: all $(BUILD)/eval_ucdp $(BUILD)/eval_geoparse $(TEST_BIN)
	@EVENTMAP_GAZETTEER=$(GAZ_IDX) EVAL_GEOPARSE="$(EVAL_GEOPARSE)" sh bench/eval.sh "$(EVAL_UCDP)" ./$(PROG) \
	    $(BUILD)/eval_ucdp $(TEST_BIN) $(BUILD)/eval_geoparse

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

# ---------------------------------------------------------------- fuzzing
# libFuzzer targets, one per reader of outside input (tests/fuzz/fuzz_*.c),
# built with clang in build-fuzz/ under ASan+UBSan (and LeakSanitizer).
#
#   make fuzz          each target for FUZZ_SECONDS (default 60) on a copy of
#                      its seed corpus (tests/fuzz/corpus/T/ -> build-fuzz/corpus/T/);
#                      fails on any crash, sanitizer report, leak, timeout or
#                      out-of-memory, and says where the input that did it is
#                      (build-fuzz/crashes/T/); keep it in tests/fuzz/regress/T/
#   make fuzz-replay   each target once over its corpus and its kept crashers
#
# `make test` replays the same files without clang: tests/fuzz/replay.c is a
# main() around each target, built by gcc in build-san/fuzz-replay/.
FUZZ_CC      := clang-14
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := build-fuzz
FUZZ_OK      := $(CACHE)/fuzz.ok
FUZZ_TARGETS := $(sort $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_CFLAGS   = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) -g -O1 -fno-omit-frame-pointer \
                -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -Isrc $(PKG_CFLAGS)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o) $(FUZZ_BUILD)/src/cli/common.o $(FUZZ_BUILD)/tests/fuzz/fuzz.o
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_ENV     := ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=print_suppressions=0 \
                UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 EVENTMAP_HOME=$(CURDIR)
FUZZ_REPLAY  := $(FUZZ_TARGETS:%=$(BUILD)/fuzz-replay/%)

.PHONY: fuzz fuzz-replay clean-fuzz
.SECONDARY: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/tests/fuzz/fuzz_%.o) $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz/fuzz_%.o) \
            $(BUILD)/tests/fuzz/replay.o $(BUILD)/tests/fuzz/fuzz.o

# clang-14 and its sanitizer and libFuzzer runtimes (Debian's libclang-rt-14-dev).
$(FUZZ_OK): scripts/setup.sh | $(DEPS_OK)
	@sh scripts/setup.sh fuzz
	@touch $@

$(FUZZ_BUILD)/%.o: %.c | $(DEPS_OK) $(FUZZ_OK)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/libeventmap.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_BUILD)/libeventmap.a
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(PKG_LIBS)

fuzz: $(FUZZ_BINS)
	@fail=0; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/crashes/$$t; \
	    cp -R tests/fuzz/corpus/$$t/. $(FUZZ_BUILD)/corpus/$$t/; \
	    dict=; [ -f tests/fuzz/$$t.dict ] && dict=-dict=tests/fuzz/$$t.dict; \
	    regress=; [ -d tests/fuzz/regress/$$t ] && regress=tests/fuzz/regress/$$t; \
	    log=$(FUZZ_BUILD)/fuzz_$$t.log; \
	    if $(FUZZ_ENV) $(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	            -close_fd_mask=3 -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/crashes/$$t/ $$dict \
	            $(FUZZ_BUILD)/corpus/$$t $$regress >$$log 2>&1; then \
	        done=$$(grep -E '^#[0-9]+[[:space:]]+DONE' $$log | tail -n 1); \
	        speed=$$(sed -n 's/^stat::average_exec_per_sec: *//p' $$log); \
	        echo "fuzz: $$t: $(FUZZ_SECONDS) s, $$speed runs/s, $$(echo "$$done" | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+')"; \
	    else \
	        fail=1; \
	        tail -n 40 $$log; \
	        crash=$$(ls -t $(FUZZ_BUILD)/crashes/$$t/ 2>/dev/null | head -n 1); \
	        echo "fuzz: $$t FAILED (whole log: $$log); the input: $(FUZZ_BUILD)/crashes/$$t/$$crash;" \
	             "fix it and keep the input in tests/fuzz/regress/$$t/" >&2; \
	    fi; \
	done; exit $$fail

fuzz-replay: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do \
	    regress=; [ -d tests/fuzz/regress/$$t ] && regress=tests/fuzz/regress/$$t; \
	    log=$(FUZZ_BUILD)/replay_$$t.log; \
	    $(FUZZ_ENV) $(FUZZ_BUILD)/fuzz_$$t -runs=0 -close_fd_mask=3 tests/fuzz/corpus/$$t $$regress >$$log 2>&1 || \
	        { tail -n 40 $$log; echo "fuzz-replay: $$t FAILED (whole log: $$log)" >&2; exit 1; }; \
	    echo "fuzz-replay: $$t: $$(find tests/fuzz/corpus/$$t $$regress -type f | wc -l) inputs passed"; \
	done

# The replay drivers for `make test` (gcc, under SANITIZE=address,undefined).
$(BUILD)/fuzz-replay/%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/replay.o $(BUILD)/tests/fuzz/fuzz.o \
                        $(BUILD)/src/cli/common.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

test-san: $(FUZZ_REPLAY)

clean: clean-fuzz
clean-fuzz:
	rm -rf $(FUZZ_BUILD)

-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/tests/fuzz/fuzz_%.d) \
         $(wildcard $(BUILD)/tests/fuzz/*.d)
# ------------------------------------------------------------ end fuzzing
