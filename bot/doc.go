// Package bot holds partnerbot's domain: partners, managers, events, money,
// periods, stats and the error codes every other package speaks. It imports
// nothing of ours, so store, ingest, commands, health and the adapters can
// all depend on it without depending on each other.
package bot
