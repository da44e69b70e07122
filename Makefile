# Gazette: the two commands of the README, and the helpers around them.
#   make run    install what is missing, build, load the demo, serve on :8080
#   make test   install what is missing, build and run every test suite
# Everything real happens in Meson (build/) and tests/run.

DB ?= gazette.db
LISTEN ?= 127.0.0.1:8080
BUILD ?= build

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
SHAREDIR = $(PREFIX)/share/gazette
DOCDIR = $(PREFIX)/share/doc/gazette
UNITDIR ?= $(PREFIX)/lib/systemd/system
MANDIR = $(PREFIX)/share/man

.PHONY: all deps build run test bench fuzz lint memcheck clean asan install uninstall po docs

all: build

deps:
	@scripts/install-deps

# link-time optimisation lets the small hot helpers of core (buf_raw,
# arena_alloc, the value setters) inline into the renderer: 5 % fewer
# instructions per uncached article (bench/RESULTS.md)
$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized -Db_lto=true

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

run: build
	./$(BUILD)/gazette demo --db $(DB)
	./$(BUILD)/gazette serve --db $(DB) --listen $(LISTEN) --mail-dir $(BUILD)/mail --media-dir $(BUILD)/media

test: build
	tests/run

bench: build
	bench/run
	bench/scale
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

# the binary, its theme, catalogs, demo and migrations (compiled in; the SQL
# kept for reading), the systemd unit and the nginx example (docs/install.md).
# The binary finds its data in ../share/gazette beside its bin/ folder.
install: build
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(UNITDIR)
	install -m 755 -s $(BUILD)/gazette $(DESTDIR)$(BINDIR)/gazette
	rm -rf $(DESTDIR)$(SHAREDIR)/themes $(DESTDIR)$(SHAREDIR)/locale $(DESTDIR)$(SHAREDIR)/demo $(DESTDIR)$(SHAREDIR)/migrations
	cp -R themes locale demo $(DESTDIR)$(SHAREDIR)/
	install -d $(DESTDIR)$(SHAREDIR)/migrations
	install -m 644 db/migrations/*.sql $(DESTDIR)$(SHAREDIR)/migrations/
	chmod -R u=rwX,go=rX $(DESTDIR)$(SHAREDIR)
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' dist/gazette.service.in > $(DESTDIR)$(UNITDIR)/gazette.service
	chmod 644 $(DESTDIR)$(UNITDIR)/gazette.service
	install -m 644 dist/nginx-gazette.conf dist/gazette.conf docs/install.md docs/backup.md docs/upgrade.md \
		docs/settings.md docs/translate.md docs/security.md README.md $(DESTDIR)$(DOCDIR)/
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 644 dist/gazette.1 $(DESTDIR)$(MANDIR)/man1/gazette.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/gazette $(DESTDIR)$(UNITDIR)/gazette.service $(DESTDIR)$(MANDIR)/man1/gazette.1
	rm -rf $(DESTDIR)$(SHAREDIR) $(DESTDIR)$(DOCDIR)

# the message template from the sources and templates, merged into every
# catalog (docs/translate.md); make test fails on what is left untranslated
po: deps
	scripts/extract-strings
	@for po in locale/*.po; do printf '%s: ' $$po; msgfmt -c --statistics -o /dev/null $$po; done

# what the settings table generates: the man page, the sample gazette.conf and
# docs/settings.md (a test fails when they are stale)
docs: build
	./$(BUILD)/gazette config man > dist/gazette.1
	./$(BUILD)/gazette config sample > dist/gazette.conf
	./$(BUILD)/gazette config markdown > docs/settings.md

clean:
	rm -rf $(BUILD) build-asan build-clang build-fuzz
