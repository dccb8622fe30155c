# edgetrace: one entry point for build, package, test, bench and demo.
#   make demo     main job: replay CloudFront events through the real package into a local
#                 OTLP receiver and print the trace (no AWS account needed)
#   make test     the whole test suite
#   make package  dist/lambda/ and dist/edgetrace-lambda.zip (CONFIG=path to bake another config)
#   make bench    side-by-side benchmark against the otel-js-edge peers
SHELL := /bin/bash
.DEFAULT_GOAL := package
JOBS ?= 2
CONFIG ?= shim-js/edgetrace.config.json
STAMP := build/.setup-done

.PHONY: setup wasm wasm-emscripten package package-emscripten test test-unit test-asan \
        format-check test-wasm test-node test-node-emscripten test-browser test-terraform fuzz bench demo dev traffic load soak cold-stages clean

$(STAMP): scripts/setup.sh package.json package-lock.json
	@bash scripts/setup.sh
	@mkdir -p build && touch $@
setup: $(STAMP)

# ---- the module
wasm: $(STAMP)
	@cmake --preset wasi >/dev/null
	@cmake --build --preset wasi -j$(JOBS) --target edgetrace_wasm
wasm-emscripten: $(STAMP)
	@cmake --preset emscripten >/dev/null
	@cmake --build --preset emscripten -j$(JOBS) --target edgetrace_wasm

# ---- the package: shim + module + baked config
# The shim is bundled into one minified index.mjs: one file to load at cold start instead of
# ten, and fewer bytes in the zip. No third-party code goes in: the shim has no dependencies.
define assemble
	@rm -rf $(1) && mkdir -p $(1)
	@npx esbuild shim-js/src/index.mjs --bundle --format=esm --platform=node --target=node20 \
	  --minify --legal-comments=none --log-level=warning --outfile=$(1)/index.mjs
	@cp $(2) $(1)/edgetrace.wasm
	@cp $(CONFIG) $(1)/edgetrace.config.json
	@printf '{\n  "name": "edgetrace-lambda",\n  "private": true,\n  "type": "module"\n}\n' > $(1)/package.json
endef
package: wasm
	$(call assemble,dist/lambda,build/wasi/edgetrace.wasm)
	@node shim-js/tools/package.mjs --config $(CONFIG) --lambda-dir dist/lambda --out dist/edgetrace-lambda.zip
package-emscripten: wasm-emscripten
	$(call assemble,dist/lambda-emscripten,build/emscripten/edgetrace.wasm)

# ---- tests
test: format-check test-unit test-asan test-wasm test-node test-node-emscripten test-browser test-terraform fuzz
	@echo "make test: all suites passed"
format-check: $(STAMP)
	@clang-format-14 --dry-run -Werror $$(git ls-files '*.cc' '*.h')
	@echo "format-check: C++ sources match .clang-format"
test-unit: $(STAMP)
	@cmake --preset native >/dev/null
	@cmake --build --preset native -j$(JOBS)
	@ctest --preset native
	@EDGETRACE_PROPAGATION_PROBE=$(CURDIR)/build/native/tests/unit/propagation_probe \
	  node --test tests/node/propagation_native_differential.test.mjs
test-asan: $(STAMP)
	@cmake --preset native-asan >/dev/null
	@cmake --build --preset native-asan -j$(JOBS)
	@ctest --preset native-asan
test-wasm: $(STAMP)
	@cmake --preset wasi >/dev/null
	@cmake --build --preset wasi -j$(JOBS)
	@ctest --preset wasi
# The X-Ray/B3 native differential needs the native probe; test-unit builds it first.
PROBE := $(CURDIR)/build/native/tests/unit/propagation_probe
test-node: package
	@EDGETRACE_PROPAGATION_PROBE=$(wildcard $(PROBE)) node --test tests/node/
test-node-emscripten: package-emscripten package
	@EDGETRACE_PROPAGATION_PROBE=$(wildcard $(PROBE)) EDGETRACE_PACKAGE_DIR=$(CURDIR)/dist/lambda-emscripten node --test tests/node/
test-browser: package
	@node --test tests/browser/
test-terraform: package
	@bash tests/terraform/run.sh
FUZZ_SECONDS ?= 20
fuzz: $(STAMP)
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j$(JOBS)
	@bash tests/fuzz/run.sh build/fuzz/tests/fuzz $(FUZZ_SECONDS)

# ---- benchmark and demo
bench: package
	@node tests/bench/bench.mjs $(BENCH_ARGS)
demo: package
	@node shim-js/tools/demo.mjs

# ---- laptop: CloudFront emulator + sample origin + trace view (issue 5)
dev: package
	@node shim-js/tools/edgetrace.mjs dev $(DEV_ARGS)
traffic:
	@node shim-js/tools/edgetrace.mjs traffic $(TRAFFIC_ARGS)
# Benchmarks, not tests: neither runs in make test or CI.
LOAD_SECONDS ?= 60
load: package
	@node tests/bench/load.mjs --duration $(LOAD_SECONDS) $(LOAD_ARGS)
soak: package
	@node tests/bench/soak.mjs $(SOAK_ARGS)
cold-stages: package
	@for i in 1 2 3 4 5; do node tests/bench/cold_stages.mjs; done

clean:
	rm -rf build dist
