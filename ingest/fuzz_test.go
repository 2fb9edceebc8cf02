package ingest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/ingest"
)

// encodeNDJSON writes e as one NDJSON line, the way a client would.
func encodeNDJSON(tb testing.TB, e bot.Event, digits int) []byte {
	tb.Helper()
	m := map[string]string{"id": e.ID, "type": string(e.Type), "partner": e.Partner, "at": e.At.Format(time.RFC3339Nano)}
	if e.Type.HasAmount() {
		m["amount"] = e.Amount.Decimal(digits)
	}
	if e.Commission != 0 {
		m["commission"] = e.Commission.Decimal(digits)
	}
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatalf("encode %+v: %v", e, err)
	}
	return append(b, '\n')
}

// FuzzReader feeds arbitrary bytes in each format. Next must not panic and
// must make progress; every error is an EINVALID *bot.Error with a line;
// every event is valid and survives a trip through NDJSON unchanged.
func FuzzReader(f *testing.F) {
	seeds := []string{
		sale + "\n" + click + "\n",
		sale + "\r\n\r\n" + `{"id":"x","type":}` + "\n",
		`{"id":"a","type":"refund","partner":"janko","at":"2026-11-16 10:15:00.5-02:00","amount":-1.5,"commission":null}`,
		`{"id":"a","ammount":1e3,"id":2}`,
		"[\n" + sale + ",\n\n" + click + "\n]\n",
		"[\n  {\n    \"id\": \"a\",\n    \"type\": \"click\"\n  },\n]",
		"[" + sale + "] x",
		"[[1],\"x\",{}]",
		"id,type,partner,at,amount,commission\nord-1,sale,janko,2026-11-16T10:15:00+01:00,129.99,2.60\n",
		"\xef\xbb\xbfid;type;partner;at;amount;;\r\nord-1;sale;janko;2026-11-16T10:15:00Z;\"129,99\";;\r\n;;;;;;\r\n",
		"id,type,partner,at\n\"c\n1\",click,janko,2026-11-16T10:15:00Z\nc\"2,click,janko,x\n",
		"Partner,AT,type,Id,ammount\n",
	}
	for _, s := range seeds {
		for format := range 4 {
			f.Add([]byte(s), uint8(format))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, format uint8) {
		r := ingest.NewReader(bytes.NewReader(data), ingest.Format(format%4), pln)
		lines := bytes.Split(data, []byte("\n"))
		var sticky error
		// Each call consumes at least a byte or returns a sticky error
		// again, so this many calls must reach the end.
		for range len(data) + 3 {
			e, line, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				be := bot.AsError(err)
				if be == nil {
					t.Fatalf("error is not a *bot.Error: %T %v", err, err)
				}
				if be.Code != bot.EINVALID || be.Line < 1 || be.Line != line || line > len(lines) {
					t.Fatalf("error %#v returned with line %d: want EINVALID and the same line, within 1..%d", be, line, len(lines))
				}
				if sticky != nil && err.Error() == sticky.Error() {
					return // an error after which nothing more can be read
				}
				sticky = err
				continue
			}
			sticky = nil
			if line < 1 || line > len(lines) {
				t.Fatalf("event on line %d of %d", line, len(lines))
			}
			if f := r.Format(); (f == ingest.FormatJSON || f == ingest.FormatNDJSON) && !bytes.Contains(lines[line-1], []byte("{")) {
				t.Fatalf("event on line %d, which holds no '{': %q", line, lines[line-1])
			}
			if err := e.Validate(); err != nil {
				t.Fatalf("event %+v does not validate: %v", e, err)
			}
			if e.At.Location() != time.UTC {
				t.Fatalf("time %v is not in UTC", e.At)
			}
			enc := encodeNDJSON(t, e, pln.Digits)
			back, _, err := ingest.NewReader(bytes.NewReader(enc), ingest.FormatNDJSON, pln).Next()
			if err != nil {
				t.Fatalf("re-reading %s: %v", enc, err)
			}
			if back != e {
				t.Fatalf("round trip through %s: got %+v, want %+v", enc, back, e)
			}
		}
		t.Fatalf("Next made no progress")
	})
}
