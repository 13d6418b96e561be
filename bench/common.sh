# Sourced by the bench scripts from the repository root, with $out set: a fresh signing secret and query key, the
# processes to stop on exit (append to pids), and build PROJECT... (Release, log in $out/build.log).
secret="whsec_$(head -c 32 /dev/urandom | base64)"
key="bench_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; scripts/postgres.sh stop .data/bench-pg >/dev/null 2>&1 || true; }
trap cleanup EXIT
build() { for p in "$@"; do dotnet build "$p" -c Release --nologo -v quiet >>"$out/build.log" 2>&1 || { grep -E ' error ' "$out/build.log" | sort -u | head -20 >&2; exit 1; }; done; }
