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

.PHONY: all setup build guest bpf native ts verify test demo install clean

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

install: build
	ln -sf "$(CURDIR)/bin/vxvem" /usr/local/bin/vxvem
	@echo "installed: $$(command -v vxvem)"

clean:
	rm -rf out build dist
