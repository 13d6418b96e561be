#!/usr/bin/env bash
# The one way the images are built: each role (gateway, silo, admin) is published for linux-x64, ReadyToRun, by the
# .NET SDK's container support (no Dockerfile), on the SDK's default .NET base image, running as its non-root user
# (UID 1654, which the manifests' securityContext requires).
#   deploy/images.sh --registry registry.example.com --tag 0.1.0   build and push all three
#   deploy/images.sh --archive DIR --tag 0.1.0                       build all three as image tarballs in DIR
#   deploy/images.sh --publish-only DIR                             the same publish without the image layer: DIR/<role>
# --publish-only is what the tests run (tests/.../Deploy/PublishedImageTests.cs): the published output is started
# with the manifests' environment, which proves everything about an image but its FROM line (base images cannot be
# pulled on a machine without a registry).
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A projects=([gateway]=src/Gateway [silo]=src/Silo [admin]=tools/ListoAdmin)
publish=(-c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true --nologo -v quiet)
mode=""; dir=""; registry=""; tag="latest"
while [ $# -gt 0 ]; do
  case "$1" in
    --registry) registry=$2; mode=push; shift 2 ;;
    --archive) dir=$2; mode=archive; shift 2 ;;
    --publish-only) dir=$2; mode=publish; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    *) echo "usage: deploy/images.sh --registry R [--tag T] | --archive DIR [--tag T] | --publish-only DIR" >&2; exit 2 ;;
  esac
done
[ -n "$mode" ] || { echo "usage: deploy/images.sh --registry R [--tag T] | --archive DIR [--tag T] | --publish-only DIR" >&2; exit 2; }

for role in gateway silo admin; do
  project=${projects[$role]}
  case "$mode" in
    publish) dotnet publish "$project" "${publish[@]}" -o "$dir/$role" ;;
    archive) mkdir -p "$dir"; dotnet publish "$project" "${publish[@]}" -t:PublishContainer -p:ContainerImageTag="$tag" \
               -p:ContainerArchiveOutputPath="$(cd "$dir" && pwd)/$role.tar.gz" ;;
    push) dotnet publish "$project" "${publish[@]}" -t:PublishContainer -p:ContainerImageTag="$tag" -p:ContainerRegistry="$registry" ;;
  esac
  echo "$role: $project ($mode)"
done
