# vxvem build. `make demo` and `make test` are the two commands of the README; each one
# first runs the idempotent setup (Debian packages, npm ci, bpffs), then builds what changed.
SHELL := /bin/bash
CLANG ?= clang
BPF_CFLAGS := -O2 -g -target bpf -mcpu=v3 -Wall -Werror \
              -I/usr/include/x86_64-linux-gnu -Ibpf

BPF_SRCS     := $(wildcard bpf/*.bpf.c)
FIXTURE_SRCS := $(wildcard test/fixtures/*.bpf.c)
BENCH_SRCS   := $(wildcard bench/*.bpf.c)
BPF_OBJS     := $(patsubst bpf/%.bpf.c,out/bpf/%.bpf.o,$(BPF_SRCS)) \
                $(patsubst test/fixtures/%.bpf.c,out/bpf/fixtures/%.bpf.o,$(FIXTURE_SRCS)) \
                $(patsubst bench/%.bpf.c,out/bpf/bench/%.bpf.o,$(BENCH_SRCS))
BPF_HDRS     := $(wildcard bpf/*.h bpf/lib/*.h)
NATIVE       := build/Release/vxvem_native.node
TS_SRCS      := $(shell find src native proto bench -name '*.ts' 2>/dev/null)

.PHONY: all setup build guest bpf native ts verify test demo runtime install uninstall deb clean

all: build

setup:
	@bash scripts/setup.sh

build: setup guest bpf native ts verify

# The QEMU test guest (kernel + initramfs in out/guest/); the script skips it when up to date.
guest: setup
	@npx tsx scripts/guest-image.ts

bpf: $(BPF_OBJS)

out/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

out/bpf/fixtures/%.bpf.o: test/fixtures/%.bpf.c $(BPF_HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

out/bpf/bench/%.bpf.o: bench/%.bpf.c
	@mkdir -p $(dir $@)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

native: $(NATIVE)

$(NATIVE): $(wildcard native/*.cc native/*.h) CMakeLists.txt package-lock.json
	npx cmake-js compile --log-level error

ts: out/.ts-stamp

out/.ts-stamp: $(TS_SRCS) tsconfig.json
	npx tsc -p tsconfig.build.json
	@mkdir -p out && touch $@

# Loads every object into the kernel: a verifier rejection fails the build with its log.
verify: bpf native
	npx tsx scripts/verify-bpf.ts $(BPF_OBJS)

test: build
	npx tsc --noEmit -p .
	bash scripts/run-tests.sh

# The first command of the README: a lab in namespaces, VMs talking in both flood modes, then gone.
demo: build
	node bin/vxvem demo

# `make install [PREFIX=/usr/local] [DESTDIR=...]`, `make uninstall`, `make deb`: the runtime only
# (packaging/stage-runtime.sh says what that is), built with the build tools already here; these
# targets install no packages and run no tests.
PREFIX      ?= /usr/local
SYSCONFDIR  ?= /etc
UNITDIR     ?= $(PREFIX)/lib/systemd/system
RUNTIME_BPF := $(patsubst bpf/%.bpf.c,out/bpf/%.bpf.o,$(BPF_SRCS))
RUNTIME_TS  := $(shell find src native proto -name '*.ts' 2>/dev/null)
INSTALL_ENV  = PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" UNITDIR="$(UNITDIR)" SYSCONFDIR="$(SYSCONFDIR)"

runtime: out/runtime/package.json

out/runtime/package.json: $(RUNTIME_BPF) $(NATIVE) $(RUNTIME_TS) tsconfig.json tsconfig.build.json bin/vxvem \
                          package.json package-lock.json proto/vxvem.proto packaging/stage-runtime.sh
	bash packaging/stage-runtime.sh out/runtime

install:
	@bash packaging/build-tools.sh
	@$(MAKE) --no-print-directory runtime
	@$(INSTALL_ENV) bash packaging/install.sh install

uninstall:
	@$(INSTALL_ENV) bash packaging/install.sh uninstall

deb:
	@bash packaging/build-tools.sh
	@$(MAKE) --no-print-directory runtime
	@bash packaging/build-deb.sh

clean:
	rm -rf out build dist
