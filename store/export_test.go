package store

// FailAfter makes Ingest fail after n events were written in its
// transaction, so tests can break a request in the middle.
func (s *Store) FailAfter(n int) { s.failAfter = n }
