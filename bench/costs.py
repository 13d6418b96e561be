"""Per-delivery costs of one bench phase, from counters read before and after it.

  costs.py snapshot PID PG_PORT DB [METRICS_URL] > before.json   (PID: the server under test)
  costs.py diff before.json after.json DELIVERIES                > costs.json

CPU is read from /proc (the server process; PostgreSQL's postmaster with its children, live and exited), commits
from pg_stat_database, WAL bytes from pg_current_wal_lsn, and the .NET counters from the server's /metrics."""
import json, os, re, subprocess, sys, urllib.request

TICK = os.sysconf("SC_CLK_TCK")

def cpu_seconds(pid, children=False):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    # after the command: state ppid ... utime(12) stime(13) cutime(14) cstime(15), counted from field 3
    utime, stime, cutime, cstime = (int(fields[i]) for i in (11, 12, 13, 14))
    return (utime + stime + ((cutime + cstime) if children else 0)) / TICK

def postgres_seconds(port):
    postmaster = int(open(f"/proc/{postmaster_pid(port)}/stat").read().split()[0])
    total = cpu_seconds(postmaster, children=True)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
                if int(stat[1]) == postmaster:
                    total += cpu_seconds(int(entry))
            except (FileNotFoundError, ProcessLookupError, IndexError):
                pass
    return total

def postmaster_pid(port):
    # scripts/postgres.sh runs the server from its data folder, whose postmaster.pid names the pid and the port
    for root, _, files in os.walk(os.environ.get("BENCH_PG_DIR", ".data/bench-pg")):
        if "postmaster.pid" in files:
            lines = open(os.path.join(root, "postmaster.pid")).read().splitlines()
            if len(lines) > 3 and lines[3].strip() == str(port):
                return lines[0].strip()
    raise SystemExit(f"no PostgreSQL of ours on port {port}")

def sql(port, db, query):
    return subprocess.run(["psql", f"host=127.0.0.1 port={port} user=listo dbname={db}", "-qAtc", query], capture_output=True, text=True, check=True).stdout.strip()

def metrics(url):
    if not url or url == "-":
        return {}
    text = urllib.request.urlopen(url, timeout=10).read().decode()
    def total(*patterns):
        value = None
        for line in text.splitlines():
            if line.startswith("#"):
                continue
            name = line.split("{", 1)[0].split(" ", 1)[0]
            if any(re.fullmatch(p, name) for p in patterns):
                value = (value or 0) + float(line.rsplit(" ", 1)[1])
        return value
    return {
        "allocatedBytes": total(r"dotnet_gc_heap_total_allocated_bytes(_total)?", r"process_runtime_dotnet_gc_allocations_size_bytes(_total)?"),
        "gcPauseSeconds": total(r"dotnet_gc_pause_time_seconds(_total)?", r"process_runtime_dotnet_gc_pause_time_seconds(_total)?"),
        "gcCollections": total(r"dotnet_gc_collections(_total)?", r"process_runtime_dotnet_gc_collections_count(_total)?"),
        "flushRowsSum": total(r"listo_storage_flush_rows_sum"),
        "flushes": total(r"listo_storage_flush_rows_count"),
        "readBatches": total(r"listo_storage_read_batch_count"),
        "reads": total(r"listo_storage_read_batch_sum"),
    }

def snapshot(pid, port, db, url=None):
    return {
        "serverCpuSeconds": cpu_seconds(int(pid)),
        "postgresCpuSeconds": postgres_seconds(port),
        "commits": int(sql(port, db, f"SELECT xact_commit FROM pg_stat_database WHERE datname = '{db}'")),
        "walBytes": int(sql(port, db, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")),
        **metrics(url),
    }

def diff(before, after, deliveries):
    d = lambda k: (after.get(k) - before.get(k)) if after.get(k) is not None and before.get(k) is not None else None
    per = lambda k, scale=1: round(d(k) * scale / deliveries, 3) if d(k) is not None else None
    flushes = d("flushes")
    return {
        "deliveries": deliveries,
        "serverCpuUsPerDelivery": per("serverCpuSeconds", 1e6),
        "postgresCpuUsPerDelivery": per("postgresCpuSeconds", 1e6),
        "commitsPerDelivery": per("commits"),
        "walBytesPerDelivery": per("walBytes"),
        "allocatedBytesPerDelivery": per("allocatedBytes"),
        "gcPauseUsPerDelivery": per("gcPauseSeconds", 1e6),
        "gcCollections": d("gcCollections"),
        "flushRowsPerFlush": round(d("flushRowsSum") / flushes, 1) if flushes else None,
        "flushesPerDelivery": per("flushes"),
        "readBatchesPerDelivery": per("readBatches"),
        "readsPerBatch": round(d("reads") / d("readBatches"), 1) if d("readBatches") else None,
    }

if __name__ == "__main__":
    if sys.argv[1] == "snapshot":
        print(json.dumps(snapshot(*sys.argv[2:])))
    else:
        print(json.dumps(diff(json.load(open(sys.argv[2])), json.load(open(sys.argv[3])), int(sys.argv[4])), indent=2))
