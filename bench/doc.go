// Package bench measures partnerbot's store against its peer, SQLite
// (the pure-Go modernc.org/sqlite, WAL, synchronous=FULL, an index on
// (partner, at)), and against raw bbolt doing the same work, side by
// side in one run. It is a module of its own so that the product's
// go.mod does not carry SQLite and `go test ./...` in the product does
// not run it: run it from this directory with
//
//	go test -run XXX -bench . -benchtime 1x
//
// The BenchmarkScale ones work on the benchmark fixture of
// internal/fixture instead, at the size PARTNERBOT_FIXTURE_EVENTS gives:
// scale.sh runs them, with the weekly-reports and health_eval benchmarks,
// at 100 000, 1 000 000 and 3 000 000 events for the README's scale
// curve.
package bench
