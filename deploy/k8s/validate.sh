#!/usr/bin/env bash
# Renders every kustomization under deploy/k8s (the base and each overlay) with kubectl's built-in kustomize
# and validates every object against the Kubernetes API's schemas (kubernetes-models, from npm). The test
# suite runs it; run it by hand after editing a manifest. Exits non-zero on any invalid object.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v kubectl >/dev/null; then
  echo "kubectl is required: 'kubectl kustomize' renders the manifests." >&2
  exit 2
fi
if [ ! -d validate/node_modules ]; then
  npm ci --prefix validate --no-audit --no-fund --loglevel=error >&2
fi

rendered=$(mktemp -d)
trap 'rm -rf "$rendered"' EXIT
for dir in base overlays/*; do
  kubectl kustomize "$dir" > "$rendered/${dir//\//-}.yaml"
done

cd "$rendered"
node "$OLDPWD/validate/validate.mjs" ./*.yaml
