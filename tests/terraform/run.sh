#!/usr/bin/env bash
# Terraform checks for terraform/ (the Lambda@Edge module and its examples), offline:
#   - terraform fmt -check -recursive
#   - init (-backend=false -plugin-dir=<mirror>) + validate for the module and every example
#   - terraform test (mock_provider "aws") for the module and every example that has tests
#   - the apply-time packaging script, with a stand-in packager, and with the real packager
#     (shim-js/tools/package.mjs + dist/lambda) when both exist
#   - the collector example's YAML (components used by pipelines are defined)
# Skips with a SKIPPED line (exit 0) when terraform or the provider mirror is missing.
# Ends with "N passed, M failed[, K skipped]"; exits non-zero if anything failed.
#
# Work happens in a copy of terraform/ under a temporary directory, so no .terraform directory,
# lock file, state or baked zip is left in the work tree.
#
# Environment: TERRAFORM (default: terraform in PATH), TF_PLUGIN_MIRROR (default /opt/tf-plugins).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
terraform_bin="${TERRAFORM:-terraform}"
mirror="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"

if ! command -v "$terraform_bin" >/dev/null 2>&1; then
  echo "SKIPPED: terraform not found (install Terraform >= 1.9 to run the Terraform tests)"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi
if [ ! -d "$mirror/registry.terraform.io/hashicorp/aws" ]; then
  echo "SKIPPED: provider mirror $mirror missing (hashicorp/aws must be mirrored there for offline init)"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/edgetrace-tf.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Offline and quiet: no checkpoint calls, no prompts, no dependence on the user's CLI config.
printf 'disable_checkpoint = true\n' >"$work/terraformrc"
export TF_CLI_CONFIG_FILE="$work/terraformrc"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
unset TF_DATA_DIR TF_WORKSPACE

tar -C "$repo" --exclude=.terraform --exclude=.terraform.lock.hcl --exclude='*.tfstate*' -cf - terraform |
  tar -C "$work" -xf -
tf="$work/terraform"

# Binary stand-ins for build outputs are made here rather than tracked in git: an 8-byte
# Wasm header as the module, and a reproducible zip of the stub function.
printf '\0asm\1\0\0\0' >"$tf/tests/fixtures/lambda/edgetrace.wasm"
node --input-type=module -e "
  import { readFileSync, writeFileSync } from 'node:fs';
  import { reproducibleZip } from '$repo/shim-js/tools/reproducible_zip.mjs';
  const dir = '$tf/tests/fixtures/lambda/';
  writeFileSync('$tf/tests/fixtures/prebuilt.zip', reproducibleZip(
    ['index.mjs', 'package.json'].map((name) => ({ name, data: readFileSync(dir + name) }))));"

passed=0
failed=0
skipped=0
step_log="$work/step.log"

report() { # report <status> <name>
  printf '%-4s %s\n' "$1" "$2"
}

# check <name> <dir> <command...>: one pass/fail; prints the output on failure.
check() {
  local name=$1 dir=$2
  shift 2
  if (cd "$dir" && "$@") >"$step_log" 2>&1; then
    passed=$((passed + 1))
    report ok "$name"
  else
    failed=$((failed + 1))
    report FAIL "$name"
    sed 's/^/    /' "$step_log"
  fi
}

# tf_test <name> <dir> [args...]: counts terraform test's own run results.
tf_test() {
  local name=$1 dir=$2 rc summary p f s
  shift 2
  (cd "$dir" && "$terraform_bin" test -no-color "$@") >"$step_log" 2>&1
  rc=$?
  summary=$(grep -Eo '[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?' "$step_log" | tail -n 1)
  if [ -n "$summary" ]; then
    p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$summary")
    f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$summary")
    s=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$summary")
    s=${s:-0}
  else
    p=0 f=0 s=0
  fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # failed before any run (init, syntax)
  passed=$((passed + p))
  failed=$((failed + f))
  skipped=$((skipped + s))
  if [ "$rc" -eq 0 ]; then
    report ok "$name ($summary)"
  else
    report FAIL "$name (${summary:-no summary})"
    sed 's/^/    /' "$step_log"
  fi
  grep -E '^\s+run "' "$step_log" | sed 's/^\s*/    /'
}

echo "terraform: $("$terraform_bin" version | head -n 1), provider mirror $mirror"

check "fmt -check -recursive" "$tf" "$terraform_bin" fmt -check -recursive -diff

# --- the module ---------------------------------------------------------------------------
# A module that declares configuration_aliases cannot be validated as a root module (there is
# no provider configuration for aws.us_east_1), so it is validated through a minimal caller,
# exactly as a user consumes it. terraform test runs in the module itself with mocks.
mkdir -p "$work/caller"
cat >"$work/caller/main.tf" <<'EOF'
provider "aws" {
  alias  = "use1"
  region = "us-east-1"
}

module "edgetrace" {
  source    = "../terraform"
  providers = { aws.us_east_1 = aws.use1 }
}
EOF
export TF_DATA_DIR="$work/data/caller"
check "module: init" "$work/caller" "$terraform_bin" init -backend=false -plugin-dir="$mirror" -no-color -input=false
check "module: validate" "$work/caller" "$terraform_bin" validate -no-color

export TF_DATA_DIR="$work/data/module"
check "module: init (tests)" "$tf" "$terraform_bin" init -backend=false -plugin-dir="$mirror" -no-color -input=false
if command -v node >/dev/null 2>&1; then
  tf_test "module: terraform test" "$tf"
else
  echo "SKIPPED: node not found: tests/packaging.tftest.hcl (apply-time baking) needs it"
  skipped=$((skipped + 1))
  tf_test "module: terraform test (without packaging)" "$tf" \
    -filter=tests/edge_rules.tftest.hcl -filter=tests/validation.tftest.hcl
fi

# The real packager and built function come from the concurrent build (`make package`).
real_packager="$repo/shim-js/tools/package.mjs"
real_lambda_dir="$repo/dist/lambda"
if command -v node >/dev/null 2>&1 && [ -f "$real_packager" ] && [ -f "$real_lambda_dir/index.mjs" ] && [ -f "$real_lambda_dir/edgetrace.wasm" ]; then
  tf_test "module: terraform test with the real packager" "$tf" -test-directory=tests/integration \
    -var="packager_path=$real_packager" -var="lambda_dir=$real_lambda_dir"
else
  echo "SKIPPED: real packager check: needs node, shim-js/tools/package.mjs and dist/lambda (run \`make package\`)"
  skipped=$((skipped + 1))
fi

# --- the packaging script on its own: failure propagation and cleanup ---------------------
if command -v node >/dev/null 2>&1; then
  pkg_dir="$work/package-script"
  mkdir -p "$pkg_dir"
  package_script_rejects_bad_config() {
    local out="$pkg_dir/fn/edgetrace-0000000000000000.zip"
    if EDGETRACE_CONFIG_JSON='{"service":{"name":"reject-me"}}' \
      EDGETRACE_PACKAGER="$tf/tests/fixtures/fake-packager.mjs" \
      EDGETRACE_LAMBDA_DIR="$tf/tests/fixtures/lambda" EDGETRACE_OUT="$out" \
      sh "$tf/scripts/build-package.sh" 2>"$pkg_dir/stderr"; then
      echo "build-package.sh succeeded on a config the packager refused"
      return 1
    fi
    grep -q 'reject-me' "$pkg_dir/stderr" || { echo "the packager's message was not passed on:"; cat "$pkg_dir/stderr"; return 1; }
    # No zip, no leftover config (which may hold credentials).
    [ -z "$(ls -A "$pkg_dir/fn")" ] || { echo "left behind:"; ls -la "$pkg_dir/fn"; return 1; }
  }
  package_script_writes_private_zip() {
    local out="$pkg_dir/fn/edgetrace-1111111111111111.zip"
    EDGETRACE_CONFIG_JSON='{"service":{"name":"ok"}}' \
      EDGETRACE_PACKAGER="$tf/tests/fixtures/fake-packager.mjs" \
      EDGETRACE_LAMBDA_DIR="$tf/tests/fixtures/lambda" EDGETRACE_OUT="$out" \
      sh "$tf/scripts/build-package.sh" || return 1
    [ -s "$out" ] || { echo "no zip at $out"; return 1; }
    case "$(ls -l "$out")" in
      -rw-------*) ;;
      *) echo "zip is readable by others: $(ls -l "$out")"; return 1 ;;
    esac
  }
  check "build-package.sh: a refused config fails the build and leaves nothing" "$pkg_dir" package_script_rejects_bad_config
  check "build-package.sh: writes the zip readable by its owner only" "$pkg_dir" package_script_writes_private_zip
fi

# --- examples -----------------------------------------------------------------------------
for example_dir in "$tf"/examples/*/; do
  example=$(basename "$example_dir")
  if ! ls "$example_dir"*.tf >/dev/null 2>&1; then
    continue
  fi
  export TF_DATA_DIR="$work/data/example-$example"
  check "examples/$example: init" "$example_dir" "$terraform_bin" init -backend=false -plugin-dir="$mirror" -no-color -input=false
  check "examples/$example: validate" "$example_dir" "$terraform_bin" validate -no-color
  if ls "$example_dir"tests/*.tftest.hcl >/dev/null 2>&1; then
    tf_test "examples/$example: terraform test" "$example_dir"
  fi
done

# The collector example is YAML, not Terraform: check that it parses and that every component
# a pipeline uses is defined (no collector binary is available offline to run `validate`).
collector_yaml="$tf/examples/collector/otel-collector.yaml"
if command -v python3 >/dev/null 2>&1 && python3 -c 'import yaml' 2>/dev/null; then
  collector_config_is_consistent() {
    python3 - "$collector_yaml" <<'EOF'
import sys, yaml
cfg = yaml.safe_load(open(sys.argv[1]))
errors = []
service = cfg["service"]
for ext in service.get("extensions", []):
    if ext not in (cfg.get("extensions") or {}):
        errors.append(f"extension {ext} is not defined")
for name, pipeline in service["pipelines"].items():
    for kind in ("receivers", "processors", "exporters"):
        for component in pipeline.get(kind, []):
            if component not in (cfg.get(kind) or {}):
                errors.append(f"pipeline {name}: {kind[:-1]} {component} is not defined")
http = cfg["receivers"]["otlp"]["protocols"]["http"]
if http["auth"]["authenticator"] not in service["extensions"]:
    errors.append("the OTLP/HTTP receiver's authenticator is not enabled in service.extensions")
if "health_check" not in service["extensions"]:
    errors.append("health_check extension not enabled")
if "batch" not in service["pipelines"]["traces"]["processors"]:
    errors.append("traces pipeline does not batch")
for exporter in ("awsxray", "otlp/dataprepper"):
    if exporter not in cfg["exporters"]:
        errors.append(f"exporter {exporter} missing")
print("\n".join(errors))
sys.exit(1 if errors else 0)
EOF
  }
  check "examples/collector: otel-collector.yaml is consistent" "$tf" collector_config_is_consistent
else
  echo "SKIPPED: examples/collector YAML check: python3 with PyYAML not found"
  skipped=$((skipped + 1))
fi

if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
