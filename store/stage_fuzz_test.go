package store

import (
	"reflect"
	"testing"
	"time"

	"partnerbot/bot"
)

// A staged record decodes to the events it was made of, and any bytes
// decode to events or an error, never a panic: the log is read back at
// every open after a crash.
func FuzzStagedRecord(f *testing.F) {
	f.Add("janko", "ev-1", int64(1_780_000_000_000_000_000), int64(12999), int64(1300), "EUR", "o-1", byte(2), []byte{})
	f.Add("", "x", int64(-5), int64(0), int64(0), "", "", byte(0), []byte{5, 'j', 'a', 'n', 'k', 'o', 0, 0})
	f.Fuzz(func(t *testing.T, partner, id string, nanos, amount, commission int64, cur, ref string, typ byte, raw []byte) {
		_, _ = decodeStaged(raw, nil) // an error or events; a panic fails
		e := bot.Event{ID: id, Partner: partner, At: time.Unix(0, nanos).UTC(),
			Type: bot.EventTypes[int(typ)%len(bot.EventTypes)], Amount: bot.Amount(amount), Commission: bot.Amount(commission)}
		if cur != "" || ref != "" {
			e.Currency, e.Ref, e.OrigAmount = cur, ref, bot.Amount(amount/2)
		}
		evs := []bot.Event{e, e}
		evs[1].ID += "-2"
		got, err := decodeStaged(encodeStaged(evs), nil)
		if err != nil {
			t.Fatalf("decode of an encoded record: %v", err)
		}
		if !reflect.DeepEqual(got, evs) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, evs)
		}
	})
}
