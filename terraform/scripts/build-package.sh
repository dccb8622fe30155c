#!/bin/sh
# Bakes the edgetrace configuration into a Lambda@Edge zip. Run by the module's
# terraform_data.package (local-exec) at apply time; everything comes from the environment:
#   EDGETRACE_CONFIG_JSON  the config to bake (JSON)
#   EDGETRACE_PACKAGER     shim-js/tools/package.mjs (validates the config, writes the zip)
#   EDGETRACE_LAMBDA_DIR   the built function (dist/lambda)
#   EDGETRACE_OUT          the zip to write; older zips beside it are removed
set -eu

: "${EDGETRACE_CONFIG_JSON:?not set}"
: "${EDGETRACE_PACKAGER:?not set}"
: "${EDGETRACE_LAMBDA_DIR:?not set}"
: "${EDGETRACE_OUT:?not set}"

if ! command -v node >/dev/null 2>&1; then
  echo "edgetrace: node (>= 20) is not in PATH; it is needed to bake the configuration into the package (or deploy a prebuilt zip with package_path)" >&2
  exit 127
fi

out_dir=$(dirname "$EDGETRACE_OUT")
mkdir -p "$out_dir"

# The config and the zip may hold exporter credentials: readable by the owner only.
umask 077
config_file="${EDGETRACE_OUT%.zip}.config.json"
partial_zip="${EDGETRACE_OUT%.zip}.partial.zip"
trap 'rm -f "$config_file" "$partial_zip"' EXIT

printf '%s\n' "$EDGETRACE_CONFIG_JSON" >"$config_file"

# On a bad config the packager prints the same message the function would log at load, and
# exits non-zero, which fails the apply before any function is touched.
node "$EDGETRACE_PACKAGER" --config "$config_file" --out "$partial_zip" --lambda-dir "$EDGETRACE_LAMBDA_DIR"
if [ ! -s "$partial_zip" ]; then
  echo "edgetrace: the packager exited 0 but wrote no zip at $partial_zip" >&2
  exit 1
fi
mv -f "$partial_zip" "$EDGETRACE_OUT"

# Earlier builds of this function are stale (state now points at the new zip).
for old in "$out_dir"/edgetrace-*.zip; do
  [ "$old" = "$EDGETRACE_OUT" ] || rm -f "$old"
done

echo "edgetrace: wrote $EDGETRACE_OUT"
