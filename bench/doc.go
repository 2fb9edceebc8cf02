// Package bench measures partnerbot's store against its peer, SQLite
// (the pure-Go modernc.org/sqlite, WAL, synchronous=FULL, an index on
// (partner, at)), and against raw bbolt doing the same work, side by
// side in one run. It is a module of its own so that the product's
// go.mod does not carry SQLite and `go test ./...` in the product does
// not run it: run it from this directory with
//
//	go test -run XXX -bench . -benchtime 1x
package bench
