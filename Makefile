# Gazette: the two commands of the README, and the helpers around them.
#   make run    install what is missing, build, load the demo, serve on :8080
#   make test   install what is missing, build and run every test suite
# Everything real happens in Meson (build/) and tests/run.

DB ?= gazette.db
LISTEN ?= 127.0.0.1:8080
BUILD ?= build

.PHONY: all deps build run test bench fuzz lint memcheck clean asan

all: build

deps:
	@scripts/install-deps

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

run: build
	./$(BUILD)/gazette demo --db $(DB)
	./$(BUILD)/gazette serve --db $(DB) --listen $(LISTEN) --mail-dir $(BUILD)/mail --media-dir $(BUILD)/media

test: build
	tests/run

bench: build
	bench/run
	bench/search
	bench/import
	node bench/soak.mjs 20
	node bench/overload.mjs

# cppcheck and clang-tidy with the checked-in configuration (.clang-tidy, scripts/lint)
lint: build
	scripts/lint

# the HTTP suite against gazette under valgrind memcheck (slow; logs in tests/out/memcheck)
memcheck: build
	scripts/memcheck

# every fuzz target for SECONDS seconds (default 60), corpora kept in tests/fuzz/corpus
SECONDS ?= 60
fuzz: deps
	scripts/fuzz $(SECONDS)

clean:
	rm -rf $(BUILD) build-asan build-clang build-fuzz
