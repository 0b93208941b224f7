# make install [PREFIX=/usr/local] [DESTDIR=]: see scripts/install.
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: install
install:
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" scripts/install
