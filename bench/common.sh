# Sourced by the bench scripts from the repository root, with $out set: a fresh signing secret and query key, the
# processes to stop on exit (append to pids), build PROJECT... (Release, log in $out/build.log), and the load
# generator's arguments for each stream (stream_args NAME).
secret="whsec_$(head -c 32 /dev/urandom | base64)"
key="bench_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; scripts/postgres.sh stop .data/bench-pg >/dev/null 2>&1 || true; }
trap cleanup EXIT
build() { for p in "$@"; do dotnet build "$p" -c Release --nologo -v quiet >>"$out/build.log" 2>&1 || { grep -E ' error ' "$out/build.log" | sort -u | head -20 >&2; exit 1; }; done; }
stream_args() { # the shape of each stream
  case $1 in
    steady) echo "--clients 20 --versions 3 --duplicates 0.1 --stale 0.1" ;;
    # Most deliveries are a worker's first: 200 clients, one version per worker, Listo-style retries.
    onboarding) echo "--clients 200 --versions 1 --duplicates 0.2 --stale 0.1" ;;
    *) echo "unknown stream: $1" >&2; return 1 ;;
  esac
}
