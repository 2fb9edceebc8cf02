#!/bin/sh
# scale.sh: the scale curve. For each size N (events; 10 000 partners
# always), it builds the benchmark fixture of N events, then runs, each
# in a `go test` process of its own so that each step's peak RSS is its
# own:
#
#   ingest   bench BenchmarkScaleIngest: 50 000 new events into a copy of
#            the fixture, 1 000 a transaction, fsync on (events/s)
#   stats    bench BenchmarkScaleStats: every partner's month through
#            store.Stats, read-only (p99 of a partner's read)
#   weekly   calendar BenchmarkWeeklyReports/discard (10 000 reports
#            built) and /outbox (built and queued, fsync on)
#   health   cli BenchmarkHealthEvalJob/first and /again (`partnerbot
#            jobs run health_eval` over 10 000 partners, fsync on)
#
# and prints one Markdown table row per N. Usage, from anywhere:
#
#   bench/scale.sh                      # N = 100000 1000000 3000000
#   bench/scale.sh 100000 300000        # other sizes
#
# Fixtures and benchmark copies go to $SCALE_TMPDIR (default
# /tmp/scale_tmp, created; TMPDIR is not used, so that a TMPDIR set for
# other benchmarks is left alone). A fixture of N events takes about
# 250-750 bytes per event, twice (plain and linked), and the benchmarks
# copy it. Fixtures are kept and reused by later runs. Each step's output
# is kept in $SCALE_TMPDIR/scale-N.log. Times are one op each
# (-benchtime 1x; SCALE_BENCHTIME to change): on a busy machine run it
# more than once.
set -eu

cd "$(dirname "$0")/.."
root=$(pwd)
tmp=${SCALE_TMPDIR:-/tmp/scale_tmp}
benchtime=${SCALE_BENCHTIME:-1x}
mkdir -p "$tmp"
tmp=$(cd "$tmp" && pwd)
if [ $# -eq 0 ]; then
	set -- 100000 1000000 3000000
fi

# run LOG DIR PATTERN: one go test of the benchmarks matching PATTERN in
# package directory DIR (bench is its own module), output appended to LOG.
run() {
	log=$1 dir=$2 pattern=$3
	echo "== $dir -bench $pattern" >>"$log"
	if ! (cd "$root/$dir" && go test -run '^$' -bench "$pattern" -benchtime "$benchtime" -count 1 -timeout 120m . >>"$log" 2>&1); then
		echo "scale.sh: go test -bench $pattern in $dir failed (N=$N); see $log:" >&2
		tail -20 "$log" >&2
		exit 1
	fi
}

# metric LOG NAME UNIT: the mean of UNIT on LOG's result lines of the
# benchmark NAME (with its -GOMAXPROCS suffix).
metric() {
	awk -v name="$2" -v unit="$3" '
		$1 == name || index($1, name "-") == 1 && substr($1, length(name) + 2) ~ /^[0-9]+$/ {
			for (i = 3; i <= NF; i++) if ($i == unit) { s += $(i - 1); n++ }
		}
		END { if (n) printf "%.6g\n", s / n; else print "?" }' "$1"
}

# heaviest LOG: the largest peak RSS of LOG's steps in MiB, and the step.
heaviest() {
	for step in BenchmarkScaleIngest:ingest BenchmarkScaleStats:stats \
		BenchmarkWeeklyReports/discard:"weekly build" BenchmarkWeeklyReports/outbox:"weekly queue" \
		BenchmarkHealthEvalJob/first:"health first" BenchmarkHealthEvalJob/again:"health again"; do
		echo "$(metric "$1" "${step%%:*}" peak_RSS_MB) ${step#*:}"
	done | awk '$1 != "?" && ($1 + 0 > m) { m = $1 + 0; $1 = ""; s = substr($0, 2) } END { printf "%.0f (%s)\n", m, s }'
}

# secs NS: nanoseconds as seconds, two decimals.
secs() {
	awk -v ns="$1" 'BEGIN { if (ns == "?") print "?"; else printf "%.2f\n", ns / 1e9 }'
}

header='| events | file (MiB) | file B/event | ingest events/s | stats p99 (µs) | weekly build (s) | weekly build + queue (s) | health_eval first / again (s) | peak RSS (MiB, heaviest step) |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|'
rows=
echo "$header"
for N in "$@"; do
	log=$tmp/scale-$N.log
	: >"$log"
	export TMPDIR="$tmp" PARTNERBOT_FIXTURE_EVENTS="$N"

	run "$log" bench '^BenchmarkScaleFixture$'
	run "$log" bench '^BenchmarkScaleIngest$'
	run "$log" bench '^BenchmarkScaleStats$'
	run "$log" calendar '^BenchmarkWeeklyReports$/^discard$'
	run "$log" calendar '^BenchmarkWeeklyReports$/^outbox$'
	run "$log" cli '^BenchmarkHealthEvalJob$/^first$'
	run "$log" cli '^BenchmarkHealthEvalJob$/^again$'

	file=$(metric "$log" BenchmarkScaleFixture file_B)
	perEvent=$(metric "$log" BenchmarkScaleFixture file_B/event)
	ingest=$(metric "$log" BenchmarkScaleIngest events/s)
	p99=$(metric "$log" BenchmarkScaleStats p99_µs)
	build=$(secs "$(metric "$log" BenchmarkWeeklyReports/discard ns/op)")
	queue=$(secs "$(metric "$log" BenchmarkWeeklyReports/outbox ns/op)")
	first=$(secs "$(metric "$log" BenchmarkHealthEvalJob/first ns/op)")
	again=$(secs "$(metric "$log" BenchmarkHealthEvalJob/again ns/op)")
	rss=$(heaviest "$log")

	row=$(awk -v n="$N" -v file="$file" -v pe="$perEvent" -v ingest="$ingest" -v p99="$p99" \
		-v build="$build" -v queue="$queue" -v first="$first" -v again="$again" -v rss="$rss" 'BEGIN {
		printf "| %d | %.0f | %.0f | %.0f | %.1f | %s | %s | %s / %s | %s |\n",
			n, file / 1048576, pe, ingest, p99, build, queue, first, again, rss
	}')
	echo "$row"
	rows="$rows$row
"
done
# The whole table again at the end, for copying after the logs of a
# long run.
echo
echo "$header"
printf '%s' "$rows"
