package ingest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/ingest"
)

var pln = bot.Currency{Code: "PLN", Digits: 2}

// outcome describes one call of Next: "ok 3" for an event on line 3,
// "err 3 amount" for an error on line 3 about field amount ("err 3 -"
// for no field), "EOF" at the end.
func outcome(line int, err error) string {
	switch {
	case err == nil:
		return fmt.Sprintf("ok %d", line)
	case err == io.EOF:
		return "EOF"
	}
	be := bot.AsError(err)
	if be == nil {
		return "non-bot error: " + err.Error()
	}
	field := be.Field
	if field == "" {
		field = "-"
	}
	return fmt.Sprintf("err %d %s", be.Line, field)
}

// readAll reads r to the end, or to the first error that repeats, and
// returns the outcomes, the events and the first error.
func readAll(tb testing.TB, r *ingest.Reader) (outs []string, events []bot.Event, first error) {
	tb.Helper()
	var last error
	for range 1000 {
		e, line, err := r.Next()
		if err != nil && err != io.EOF {
			if be := bot.AsError(err); be != nil && be.Line != line {
				tb.Fatalf("Next returned line %d but the error says line %d", line, be.Line)
			}
			if first == nil {
				first = err
			}
			if last != nil && err.Error() == last.Error() {
				outs = append(outs, "sticky")
				return outs, events, first
			}
		}
		last = err
		outs = append(outs, outcome(line, err))
		if err == nil {
			events = append(events, e)
		}
		if err == io.EOF {
			return outs, events, first
		}
	}
	tb.Fatal("Next did not reach the end")
	return
}

const (
	sale  = `{"id":"ord-1","type":"sale","partner":"janko","at":"2026-11-16T10:15:00+01:00","amount":"129.99","commission":"2.60"}`
	click = `{"id":"clk-1","type":"click","partner":"janko","at":"2026-11-16T10:15:00Z"}`
)

// ev returns an NDJSON line for an event with the given JSON fields
// replacing or added to a valid sale; a field set to "-" is removed.
func ev(kv ...string) string {
	m := map[string]json.RawMessage{}
	json.Unmarshal([]byte(sale), &m)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "-" {
			delete(m, kv[i])
			continue
		}
		m[kv[i]] = json.RawMessage(kv[i+1])
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestReader(t *testing.T) {
	tests := []struct {
		name   string
		format ingest.Format
		in     string
		want   string // outcomes joined by ", "
		msg    string // in the first error's message
	}{
		// NDJSON: one error kind at a time.
		{"ndjson valid", ingest.FormatNDJSON, sale + "\n" + click + "\n", "ok 1, ok 2, EOF", ""},
		{"ndjson syntax mid-file", ingest.FormatNDJSON, sale + "\n" + `{"id":"x","type":}` + "\n" + click, "ok 1, err 2 -, ok 3, EOF", "JSON syntax error"},
		{"ndjson syntax column", ingest.FormatNDJSON, `{"id":"x",,}`, "err 1 -, EOF", "column 11"},
		{"ndjson object over lines", ingest.FormatNDJSON, "{\n\"id\":\"x\"}", "err 1 -, err 2 -, EOF", "send a JSON array"},
		{"unknown field", ingest.FormatNDJSON, ev("ammount", `"1.00"`), "err 1 ammount, EOF", `unknown field "ammount": did you mean "amount"?`},
		{"unknown field alias", ingest.FormatNDJSON, ev("timestamp", `"x"`), "err 1 timestamp, EOF", `did you mean "at"`},
		{"repeated field", ingest.FormatNDJSON, `{"id":"a","id":"b"}`, "err 1 id, EOF", "twice"},
		{"unknown type", ingest.FormatNDJSON, ev("type", `"sael"`), "err 1 type, EOF", `unknown event type "sael"`},
		{"missing id", ingest.FormatNDJSON, ev("id", "-"), "err 1 id, EOF", "needs an id"},
		{"null id", ingest.FormatNDJSON, ev("id", "null"), "err 1 id, EOF", "needs an id"},
		{"number id", ingest.FormatNDJSON, ev("id", "1001"), "err 1 id, EOF", `write "id":"1001"`},
		{"bool partner", ingest.FormatNDJSON, ev("partner", "true"), "err 1 partner, EOF", "must be a string"},
		{"object amount", ingest.FormatNDJSON, ev("amount", `{"v":1}`), "err 1 amount, EOF", "decimal string or number"},
		{"missing partner", ingest.FormatNDJSON, ev("partner", "-"), "err 1 partner, EOF", "needs a partner"},
		{"bad partner", ingest.FormatNDJSON, ev("partner", `"Janko Kowalski"`), "err 1 partner, EOF", "not a valid partner id"},
		{"missing at", ingest.FormatNDJSON, ev("at", "-"), "err 1 at, EOF", "needs a time"},
		{"bad time", ingest.FormatNDJSON, ev("at", `"yesterday"`), "err 1 at, EOF", "like 2026-11-16T10:15:00+01:00"},
		{"no offset", ingest.FormatNDJSON, ev("at", `"2026-11-16T10:15:00"`), "err 1 at, EOF", "an offset like +01:00 or Z is required"},
		{"no offset fraction", ingest.FormatNDJSON, ev("at", `"2026-11-16T10:15:00.123"`), "err 1 at, EOF", "an offset like +01:00 or Z is required"},
		{"date only", ingest.FormatNDJSON, ev("at", `"2026-11-16"`), "err 1 at, EOF", "date without a time"},
		{"offset without colon", ingest.FormatNDJSON, ev("at", `"2026-11-16T10:15:00+0100"`), "err 1 at, EOF", "+01:00"},
		{"time with space and fraction", ingest.FormatNDJSON, ev("at", `"2026-11-16 10:15:00.5+01:00"`), "ok 1, EOF", ""},
		{"negative sale", ingest.FormatNDJSON, ev("amount", `"-5.00"`), "err 1 amount, EOF", "negative"},
		{"negative payout", ingest.FormatNDJSON, ev("type", `"payout"`, "commission", "-", "amount", `-5`), "err 1 amount, EOF", "negative"},
		{"negative commission", ingest.FormatNDJSON, ev("commission", `"-1.00"`), "err 1 commission, EOF", "negative"},
		{"zero sale", ingest.FormatNDJSON, ev("amount", `"0"`), "err 1 amount, EOF", "above zero"},
		{"missing amount on sale", ingest.FormatNDJSON, ev("amount", "-"), "err 1 amount, EOF", "needs an amount"},
		{"null amount on sale", ingest.FormatNDJSON, ev("amount", "null"), "err 1 amount, EOF", "needs an amount"},
		{"empty amount on sale", ingest.FormatNDJSON, ev("amount", `""`), "err 1 amount, EOF", "needs an amount"},
		{"missing amount on refund", ingest.FormatNDJSON, ev("type", `"refund"`, "amount", "-"), "err 1 amount, EOF", "needs an amount"},
		{"amount on click", ingest.FormatNDJSON, ev("type", `"click"`, "commission", "-"), "err 1 amount, EOF", "carry no amount"},
		{"null amount on click", ingest.FormatNDJSON, ev("type", `"click"`, "commission", "null", "amount", "null"), "ok 1, EOF", ""},
		{"commission on payout", ingest.FormatNDJSON, ev("type", `"payout"`), "err 1 commission, EOF", "carry no commission"},
		{"too many decimals", ingest.FormatNDJSON, ev("amount", `"1.999"`), "err 1 amount, EOF", "more than 2 decimal places"},
		{"too many decimals number", ingest.FormatNDJSON, ev("amount", `1.999`), "err 1 amount, EOF", "decimal places"},
		{"trailing zeros", ingest.FormatNDJSON, ev("amount", `1.9900`), "ok 1, EOF", ""},
		{"exponent", ingest.FormatNDJSON, ev("amount", `1e3`), "err 1 amount, EOF", "exponent"},
		{"exponent string", ingest.FormatNDJSON, ev("amount", `"1E3"`), "err 1 amount, EOF", "exponent"},
		{"grouping", ingest.FormatNDJSON, ev("amount", `"1,234.56"`), "err 1 amount, EOF", "no grouping"},
		{"words", ingest.FormatNDJSON, ev("amount", `"free"`), "err 1 amount, EOF", "plain decimal"},
		{"huge amount", ingest.FormatNDJSON, ev("amount", `99999999999999999999`), "err 1 amount, EOF", "too large"},
		{"not an object", ingest.FormatNDJSON, `"sale"`, "err 1 -, EOF", "must be a JSON object"},
		{"array in ndjson", ingest.FormatNDJSON, `[` + sale + `]`, "err 1 -, EOF", "Content-Type application/json"},
		{"two objects on a line", ingest.FormatNDJSON, sale + " " + click, "err 1 -, EOF", "JSON syntax error"},
		{"invalid utf-8 id", ingest.FormatNDJSON, ev("id", "\"ord-\xff\""), "err 1 id, EOF", "UTF-8"},
		{"escaped key", ingest.FormatNDJSON, `{"\u0069d":"a","type":"click","partner":"janko","at":"2026-11-16T10:15:00Z"}`, "ok 1, EOF", ""},
		{"control character id", ingest.FormatNDJSON, ev("id", `"a\nb"`), "err 1 id, EOF", "control characters"},
		{"ndjson blank lines", ingest.FormatNDJSON, "\n" + sale + "\n\n   \n" + click + "\n\n", "ok 2, ok 5, EOF", ""},
		{"ndjson crlf", ingest.FormatNDJSON, sale + "\r\n\r\n" + ev("at", `"x"`) + "\r\n" + click + "\r", "ok 1, err 3 at, ok 4, EOF", ""},
		{"ndjson bom", ingest.FormatNDJSON, "\xef\xbb\xbf" + sale, "ok 1, EOF", ""},
		{"ndjson long line", ingest.FormatNDJSON, `{"id":"` + strings.Repeat("x", ingest.MaxRecordBytes) + `"}` + "\n" + click, "err 1 -, ok 2, EOF", "longer than"},
		{"ndjson long valid line", ingest.FormatNDJSON, ev("id", `"a"`, "x", `"`+strings.Repeat(" ", 200<<10)+`"`) + "\n" + click, "err 1 x, ok 2, EOF", "unknown field"},
		{"long type", ingest.FormatNDJSON, ev("type", `"`+strings.Repeat("x", 300)+`"`), "err 1 type, EOF", "300 bytes long"},
		{"long unknown field", ingest.FormatNDJSON, ev(strings.Repeat("k", 300), "1"), "err 1 " + strings.Repeat("k", 64) + "…, EOF", "…\" (an event has"},
		{"array on a later line", ingest.FormatNDJSON, "\n[" + sale + "]", "err 2 -, EOF", "Content-Type application/json"},
		{"empty", ingest.FormatNDJSON, "", "EOF", ""},

		// JSON arrays: lines of elements, syntax, what may follow.
		{"array lines", ingest.FormatJSON, "[\n" + sale + ",\n\n\n" + click + "\n]\n", "ok 2, ok 5, EOF", ""},
		{"array one line", ingest.FormatJSON, "[" + sale + "," + click + "]", "ok 1, ok 1, EOF", ""},
		{"array pretty", ingest.FormatJSON, "[\n  {\n    \"id\": \"a\",\n    \"type\": \"click\",\n    \"partner\": \"janko\",\n    \"at\": \"2026-11-16T10:15:00Z\"\n  },\n  {\n    \"id\": \"b\",\n    \"amount\": \"1.00\",\n    \"type\": \"click\",\n    \"partner\": \"janko\",\n    \"at\": \"2026-11-16T10:15:00Z\"\n  },\n" + click + "\n]",
			"ok 2, err 8 amount, ok 15, EOF", ""},
		{"array element after error", ingest.FormatJSON, "[\n" + ev("ammount", "1") + ",\n" + click + "]", "err 2 ammount, ok 3, EOF", ""},
		{"array syntax mid-file", ingest.FormatJSON, "[\n" + sale + ",\n{\"id\":\n\"x\",,\n\"type\":\"click\"},\n" + click + "]", "ok 2, err 4 -, sticky", "invalid character ','"},
		{"array trailing comma", ingest.FormatJSON, "[\n" + sale + ",\n]", "ok 2, err 3 -, sticky", "remove the comma"},
		{"array missing comma", ingest.FormatJSON, "[\n" + sale + "\n" + click + "]", "ok 2, err 3 -, sticky", "comma is missing"},
		{"array leading comma", ingest.FormatJSON, "[,\n" + sale + "]", "err 1 -, sticky", "before the first event"},
		{"array not closed", ingest.FormatJSON, "[\n" + sale + ",\n" + click + "\n", "ok 2, ok 3, err 3 -, sticky", "closed with ']'"},
		{"array cut in an event", ingest.FormatJSON, "[\n" + sale + ",\n{\"id\":\"a\",\n", "ok 2, err 3 -, sticky", "array is closed"},
		{"array trailing garbage", ingest.FormatJSON, "[" + sale + "]\n\n x", "ok 1, err 3 -, sticky", "after the closing ']'"},
		{"array trailing space", ingest.FormatJSON, "[" + sale + "]\n \t\r\n", "ok 1, EOF", ""},
		{"array of two arrays", ingest.FormatJSON, "[" + sale + "][]", "ok 1, err 1 -, sticky", "after the closing ']'"},
		{"array empty", ingest.FormatJSON, " [ ] ", "EOF", ""},
		{"array nothing", ingest.FormatJSON, " \n ", "EOF", ""},
		{"array not an object", ingest.FormatJSON, "[1,\n\"x\",\n" + click + "]", "err 1 -, err 2 -, ok 3, EOF", "must be a JSON object"},
		{"array nested", ingest.FormatJSON, "[[" + sale + "]]", "err 1 -, EOF", "not an array"},
		{"array of an object", ingest.FormatJSON, "\n" + sale, "err 2 -, sticky", "use NDJSON"},
		{"array bom", ingest.FormatJSON, "\xef\xbb\xbf[" + sale + "]", "ok 1, EOF", ""},
		{"array unclosed brace", ingest.FormatJSON, "[" + sale + "}", "ok 1, err 1 -, sticky", "JSON syntax error"},

		// CSV.
		{"csv", ingest.FormatCSV, "id,type,partner,at,amount,commission\nord-1,sale,janko,2026-11-16T10:15:00+01:00,129.99,2.60\nclk-1,click,janko,2026-11-16T10:15:00Z,,\n", "ok 2, ok 3, EOF", ""},
		{"csv any order and case", ingest.FormatCSV, " Partner ,AT,Type,ID\njanko,2026-11-16T10:15:00Z,click,c1\n", "ok 2, EOF", ""},
		{"csv missing column", ingest.FormatCSV, "id,type,partner,amount\nord-1,sale,janko,1.00\n", "err 1 at, sticky", `no "at" column`},
		{"csv unknown column", ingest.FormatCSV, "id,type,partner,at,ammount\n", "err 1 ammount, sticky", `unknown column "ammount": did you mean "amount"?`},
		{"csv no header", ingest.FormatCSV, "ord-1,sale,janko,2026-11-16T10:15:00Z,1.00\n", "err 1 ord-1, sticky", "first row must name the columns"},
		{"csv repeated column", ingest.FormatCSV, "id,type,partner,at,ID\n", "err 1 id, sticky", "twice"},
		{"csv semicolon", ingest.FormatCSV, "id;type;partner;at;amount\nord-1;sale;janko;2026-11-16 10:15:00+01:00;129,99\n", "ok 2, EOF", ""},
		{"csv semicolon excel", ingest.FormatCSV, "\xef\xbb\xbfid;type;partner;at;amount;;\r\nord-1;sale;janko;2026-11-16T10:15:00+01:00;129,99;;\r\n;;;;;;\r\nord-2;refund;janko;2026-11-16T10:15:00+01:00;-5,00;;\r\n", "ok 2, ok 4, EOF", ""},
		{"csv tab", ingest.FormatCSV, "id\ttype\tpartner\tat\nc1\tclick\tjanko\t2026-11-16T10:15:00Z\n", "ok 2, EOF", ""},
		{"csv bom", ingest.FormatCSV, "\xef\xbb\xbfid,type,partner,at\nc1,click,janko,2026-11-16T10:15:00Z\n", "ok 2, EOF", ""},
		{"csv crlf", ingest.FormatCSV, "id,type,partner,at\r\nc1,click,janko,2026-11-16T10:15:00Z\r\nc2,click,janko,2026-11-16T10:15:00\r\n", "ok 2, err 3 at, EOF", "offset"},
		{"csv quoted multi-line", ingest.FormatCSV, "id,type,partner,at,amount\n\"ord\n1\",sale,janko,2026-11-16T10:15:00Z,\"129,99\"\nc1,click,janko,2026-11-16T10:15:00Z,\n", "err 2 id, ok 4, EOF", "control characters"},
		{"csv cell count", ingest.FormatCSV, "id,type,partner,at\nc1,click,janko,2026-11-16T10:15:00Z,1\nc2,click,janko,2026-11-16T10:15:00Z\n", "err 2 -, ok 3, EOF", "5 cells but the header has 4"},
		{"csv named cell in blank column", ingest.FormatCSV, "id,type,partner,at,\nc1,click,janko,2026-11-16T10:15:00Z,x\n", "err 2 -, EOF", "column without a name"},
		{"csv bare quote", ingest.FormatCSV, "id,type,partner,at\nc\"1,click,janko,2026-11-16T10:15:00Z\n", "err 2 -, sticky", "double the quote"},
		{"csv unclosed quote", ingest.FormatCSV, "id,type,partner,at\n\"c1,click,janko,2026-11-16T10:15:00Z\n", "err 2 -, sticky", "not closed"},
		{"csv amount on click", ingest.FormatCSV, "id,type,partner,at,amount\nc1,click,janko,2026-11-16T10:15:00Z,1.00\n", "err 2 amount, EOF", "carry no amount"},
		{"csv missing amount", ingest.FormatCSV, "id,type,partner,at,amount\no1,sale,janko,2026-11-16T10:15:00Z, \n", "err 2 amount, EOF", "needs an amount"},
		{"csv windows-1250", ingest.FormatCSV, "id,type,partner,at\nzam\xf3wienie,click,janko,2026-11-16T10:15:00Z\n", "err 2 id, EOF", "CSV UTF-8"},
		{"csv empty", ingest.FormatCSV, "", "EOF", ""},
		{"csv header only", ingest.FormatCSV, "id,type,partner,at\n", "EOF", ""},

		// Auto detection.
		{"auto array", ingest.FormatAuto, "\n [" + sale + "]", "ok 2, EOF", ""},
		{"auto ndjson", ingest.FormatAuto, "\n" + sale, "ok 2, EOF", ""},
		{"auto csv", ingest.FormatAuto, "id;type;partner;at\nc1;click;janko;2026-11-16T10:15:00Z", "ok 2, EOF", ""},
		{"auto bom ndjson", ingest.FormatAuto, "\xef\xbb\xbf" + sale, "ok 1, EOF", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ingest.NewReader(strings.NewReader(tt.in), tt.format, pln)
			outs, _, first := readAll(t, r)
			if got := strings.Join(outs, ", "); got != tt.want {
				t.Errorf("outcomes = %s, want %s (first error: %v)", got, tt.want, first)
			}
			if tt.msg != "" {
				if first == nil {
					t.Fatalf("no error, want one saying %q", tt.msg)
				}
				if !strings.Contains(first.Error(), tt.msg) {
					t.Errorf("error = %q, want it to say %q", first.Error(), tt.msg)
				}
			}
			if first != nil && bot.ErrorCode(first) != bot.EINVALID {
				t.Errorf("code = %q, want %q", bot.ErrorCode(first), bot.EINVALID)
			}
		})
	}
}

func TestReader_Event(t *testing.T) {
	tests := []struct {
		name   string
		format ingest.Format
		in     string
		want   bot.Event
	}{
		{"string amounts", ingest.FormatNDJSON, sale, bot.Event{ID: "ord-1", Type: bot.EventSale, Partner: "janko",
			At: time.Date(2026, 11, 16, 9, 15, 0, 0, time.UTC), Amount: 12999, Commission: 260}},
		{"number amount exact", ingest.FormatNDJSON, ev("amount", "129.99", "commission", "0.1"), bot.Event{ID: "ord-1", Type: bot.EventSale, Partner: "janko",
			At: time.Date(2026, 11, 16, 9, 15, 0, 0, time.UTC), Amount: 12999, Commission: 10}},
		{"decimal comma string", ingest.FormatNDJSON, ev("amount", `"129,99"`, "commission", "-"), bot.Event{ID: "ord-1", Type: bot.EventSale, Partner: "janko",
			At: time.Date(2026, 11, 16, 9, 15, 0, 0, time.UTC), Amount: 12999}},
		{"negative refund", ingest.FormatNDJSON, ev("type", `"refund"`, "amount", `"-50.00"`, "commission", "-"), bot.Event{ID: "ord-1", Type: bot.EventRefund, Partner: "janko",
			At: time.Date(2026, 11, 16, 9, 15, 0, 0, time.UTC), Amount: 5000}},
		{"negative refund number", ingest.FormatNDJSON, ev("type", `"refund"`, "amount", `-0.5`, "commission", `"0.01"`), bot.Event{ID: "ord-1", Type: bot.EventRefund, Partner: "janko",
			At: time.Date(2026, 11, 16, 9, 15, 0, 0, time.UTC), Amount: 50, Commission: 1}},
		{"negative refund and commission", ingest.FormatNDJSON, ev("type", `"refund"`, "amount", `"-50.00"`, "commission", `"-1.00"`), bot.Event{ID: "ord-1", Type: bot.EventRefund, Partner: "janko",
			At: time.Date(2026, 11, 16, 9, 15, 0, 0, time.UTC), Amount: 5000, Commission: 100}},
		{"fraction and trimmed", ingest.FormatNDJSON, `{"id":" c1 ","type":"click","partner":"janko","at":"2026-11-16T10:15:00.250-02:00"}`, bot.Event{ID: "c1", Type: bot.EventClick, Partner: "janko",
			At: time.Date(2026, 11, 16, 12, 15, 0, 250e6, time.UTC)}},
		{"csv semicolon comma decimal", ingest.FormatCSV, "id;type;partner;at;amount;commission\nord-1;sale;janko;2026-11-16T10:15:00+01:00;129,99;2,6\n", bot.Event{ID: "ord-1", Type: bot.EventSale, Partner: "janko",
			At: time.Date(2026, 11, 16, 9, 15, 0, 0, time.UTC), Amount: 12999, Commission: 260}},
		{"csv quoted comma decimal", ingest.FormatCSV, "id,type,partner,at,amount\nord-1,payout,janko,2026-11-16T10:15:00Z,\"1000,5\"\n", bot.Event{ID: "ord-1", Type: bot.EventPayout, Partner: "janko",
			At: time.Date(2026, 11, 16, 10, 15, 0, 0, time.UTC), Amount: 100050}},
		{"array", ingest.FormatJSON, "[" + ev("amount", "129.99") + "]", bot.Event{ID: "ord-1", Type: bot.EventSale, Partner: "janko",
			At: time.Date(2026, 11, 16, 9, 15, 0, 0, time.UTC), Amount: 12999, Commission: 260}},
		{"foreign currency read with its digits", ingest.FormatNDJSON, `{"id":"jp-1","type":"sale","partner":"janko","at":"2026-11-16T10:15:00+01:00","amount":"1200","commission":"12","currency":"jpy"}`,
			bot.Event{ID: "jp-1", Type: bot.EventSale, Partner: "janko", At: time.Date(2026, 11, 16, 9, 15, 0, 0, time.UTC), Amount: 1200, Commission: 12, Currency: "JPY"}},
		{"program currency named", ingest.FormatNDJSON, ev("currency", `"PLN"`), bot.Event{ID: "ord-1", Type: bot.EventSale, Partner: "janko",
			At: time.Date(2026, 11, 16, 9, 15, 0, 0, time.UTC), Amount: 12999, Commission: 260}},
		{"refund with ref", ingest.FormatNDJSON, ev("type", `"refund"`, "ref", `"ord-0"`), bot.Event{ID: "ord-1", Type: bot.EventRefund, Partner: "janko",
			At: time.Date(2026, 11, 16, 9, 15, 0, 0, time.UTC), Amount: 12999, Commission: 260, Ref: "ord-0"}},
		{"clawback", ingest.FormatNDJSON, `{"id":"cm-1","type":"commission","partner":"janko","at":"2026-11-16T10:15:00+01:00","commission":"-2.60","ref":"ord-0","state":"Approved"}`,
			bot.Event{ID: "cm-1", Type: bot.EventCommission, Partner: "janko", At: time.Date(2026, 11, 16, 9, 15, 0, 0, time.UTC), Commission: -260, Ref: "ord-0", State: bot.CommissionApproved}},
		{"csv commission state", ingest.FormatCSV, "id,type,partner,at,commission,currency,ref,state\ncm-1,commission,janko,2026-11-16T10:15:00Z,1.500,KWD,ord-0,void\n",
			bot.Event{ID: "cm-1", Type: bot.EventCommission, Partner: "janko", At: time.Date(2026, 11, 16, 10, 15, 0, 0, time.UTC), Commission: 1500, Currency: "KWD", Ref: "ord-0", State: bot.CommissionVoid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ingest.NewReader(strings.NewReader(tt.in), tt.format, pln)
			got, _, err := r.Next()
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if got != tt.want {
				t.Errorf("event = %+v, want %+v", got, tt.want)
			}
			if _, _, err := r.Next(); err != io.EOF {
				t.Errorf("second Next: %v, want io.EOF", err)
			}
		})
	}

	t.Run("currency digits", func(t *testing.T) {
		jpy := bot.Currency{Code: "JPY", Digits: 0}
		r := ingest.NewReader(strings.NewReader(ev("amount", `"1200"`, "commission", "-")+"\n"+ev("amount", `"12.5"`)), ingest.FormatNDJSON, jpy)
		e, _, err := r.Next()
		if err != nil || e.Amount != 1200 {
			t.Fatalf("Next = %v, %v, want amount 1200", e.Amount, err)
		}
		_, _, err = r.Next()
		if err == nil || !strings.Contains(err.Error(), "JPY has 0") {
			t.Fatalf("Next error = %v, want decimal places for JPY", err)
		}
	})
}

func TestReader_LifecycleFieldsRefused(t *testing.T) {
	for _, tt := range []struct{ in, field string }{
		{`{"id":"c","type":"commission","partner":"janko","at":"2026-11-16T10:15:00Z","commission":"1"}`, "ref"},
		{`{"id":"c","type":"commission","partner":"janko","at":"2026-11-16T10:15:00Z","commission":"1","ref":"o","state":"paid"}`, "state"},
		{`{"id":"c","type":"sale","partner":"janko","at":"2026-11-16T10:15:00Z","amount":"1","state":"approved"}`, "state"},
		{`{"id":"c","type":"sale","partner":"janko","at":"2026-11-16T10:15:00Z","amount":"1","ref":"o"}`, "ref"},
		{`{"id":"c","type":"sale","partner":"janko","at":"2026-11-16T10:15:00Z","amount":"1","commission":"-1"}`, "commission"},
		{`{"id":"c","type":"click","partner":"janko","at":"2026-11-16T10:15:00Z","currency":"USD"}`, "currency"},
		{`{"id":"c","type":"sale","partner":"janko","at":"2026-11-16T10:15:00Z","amount":"1","currency":"US"}`, "currency"},
		{`{"id":"c","type":"sale","partner":"janko","at":"2026-11-16T10:15:00Z","amount":"1.5","currency":"JPY"}`, "amount"},
		// The five sales that once overflowed the month's turnover: one is
		// already more than an event may carry.
		{`{"id":"c","type":"sale","partner":"janko","at":"2026-11-16T10:15:00Z","amount":"23058430092136939.51"}`, "amount"},
	} {
		_, _, err := ingest.NewReader(strings.NewReader(tt.in), ingest.FormatNDJSON, pln).Next()
		if e := bot.AsError(err); e == nil || e.Field != tt.field {
			t.Errorf("%s: err = %v, want one on field %s", tt.in, err, tt.field)
		}
	}
}

func TestReader_ReadError(t *testing.T) {
	boom := errors.New("connection reset")
	for _, f := range []ingest.Format{ingest.FormatJSON, ingest.FormatNDJSON, ingest.FormatCSV} {
		t.Run(f.String(), func(t *testing.T) {
			in := map[ingest.Format]string{
				ingest.FormatJSON:   "[" + sale + ",",
				ingest.FormatNDJSON: sale + "\n",
				ingest.FormatCSV:    "id,type,partner,at\nc1,click,janko,2026-11-16T10:15:00Z\n",
			}[f]
			r := ingest.NewReader(io.MultiReader(strings.NewReader(in), errReader{boom}), f, pln)
			var err error
			for range 10 {
				if _, _, err = r.Next(); err != nil {
					break
				}
			}
			if !errors.Is(err, boom) {
				t.Fatalf("err = %v, want it to wrap %v", err, boom)
			}
			if bot.AsError(err) != nil {
				t.Fatalf("a read error is not the client's fault, got *bot.Error %v", err)
			}
		})
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestReader_ArrayElementTooLong(t *testing.T) {
	in := "[\n" + click + ",\n" + `{"id":"` + strings.Repeat("x", ingest.MaxRecordBytes) + `"}` + "," + click + "]"
	outs, _, first := readAll(t, ingest.NewReader(strings.NewReader(in), ingest.FormatJSON, pln))
	if got, want := strings.Join(outs, ", "), "ok 2, err 2 -, sticky"; got != want {
		t.Fatalf("outcomes = %s, want %s", got, want)
	}
	if !strings.Contains(first.Error(), "longer than") {
		t.Fatalf("error = %v", first)
	}
	// Space between elements counts too: a decoder would buffer it all.
	in = "[" + click + "," + strings.Repeat(" ", 2*ingest.MaxRecordBytes) + click + "]"
	outs, _, _ = readAll(t, ingest.NewReader(strings.NewReader(in), ingest.FormatJSON, pln))
	if got, want := strings.Join(outs, ", "), "ok 1, err 1 -, sticky"; got != want {
		t.Fatalf("outcomes = %s, want %s", got, want)
	}
}

func TestReader_CSVRecordTooLong(t *testing.T) {
	in := "id,type,partner,at\n\"" + strings.Repeat("x\n", ingest.MaxRecordBytes) + "\",click,janko,2026-11-16T10:15:00Z\n"
	outs, _, first := readAll(t, ingest.NewReader(strings.NewReader(in), ingest.FormatCSV, pln))
	if len(outs) != 2 || outs[1] != "sticky" || !strings.Contains(first.Error(), "longer than") {
		t.Fatalf("outcomes = %v, first = %v", outs, first)
	}
}

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		contentType string
		peek        string
		want        ingest.Format
	}{
		{"application/json", "[{}]", ingest.FormatJSON},
		{"application/json; charset=utf-8", " \n[", ingest.FormatJSON},
		{"application/json", `{"id":"a"}`, ingest.FormatNDJSON},
		{"application/x-ndjson", "[", ingest.FormatNDJSON},
		{"application/jsonl", "{", ingest.FormatNDJSON},
		{"Application/X-NDJSON; charset=utf-8", "", ingest.FormatNDJSON},
		{"text/csv", "[", ingest.FormatCSV},
		{"text/csv; header=present", "id,type", ingest.FormatCSV},
		{"", "\xef\xbb\xbf [", ingest.FormatJSON},
		{"", "\r\n{", ingest.FormatNDJSON},
		{"", "id,type,partner,at", ingest.FormatCSV},
		{"text/plain", "{", ingest.FormatNDJSON},
		{"application/octet-stream", "id;type", ingest.FormatCSV},
		{"", "", ingest.FormatCSV},
		{"garbage;;;", "[", ingest.FormatJSON},
	}
	for _, tt := range tests {
		if got := ingest.DetectFormat(tt.contentType, []byte(tt.peek)); got != tt.want {
			t.Errorf("DetectFormat(%q, %q) = %v, want %v", tt.contentType, tt.peek, got, tt.want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range []ingest.Format{ingest.FormatAuto, ingest.FormatJSON, ingest.FormatNDJSON, ingest.FormatCSV} {
		got, err := ingest.ParseFormat(strings.ToUpper(f.String()))
		if err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %v, %v", f.String(), got, err)
		}
	}
	if _, err := ingest.ParseFormat("xml"); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("ParseFormat(xml) error = %v, want EINVALID", err)
	}
}

func TestReader_Format(t *testing.T) {
	r := ingest.NewReader(strings.NewReader("[]"), ingest.FormatAuto, pln)
	if f := r.Format(); f != ingest.FormatJSON {
		t.Fatalf("Format = %v, want json", f)
	}
	if _, _, err := r.Next(); err != io.EOF {
		t.Fatalf("Next = %v, want io.EOF", err)
	}
}

// generator writes n events in a format on the fly, so that a test of
// memory does not hold the input in memory itself.
type generator struct {
	format  ingest.Format
	n, i    int
	started bool
	buf     bytes.Buffer
}

func (g *generator) Read(p []byte) (int, error) {
	if !g.started {
		g.started = true
		switch g.format {
		case ingest.FormatJSON:
			g.buf.WriteString("[\n")
		case ingest.FormatCSV:
			g.buf.WriteString("id,type,partner,at,amount,commission\n")
		}
	}
	for g.buf.Len() < len(p) && g.i <= g.n {
		switch {
		case g.i == g.n && g.format == ingest.FormatJSON:
			g.buf.WriteString("]\n")
		case g.i < g.n:
			sep := ""
			if g.format == ingest.FormatJSON && g.i < g.n-1 {
				sep = ","
			}
			if g.format == ingest.FormatCSV {
				fmt.Fprintf(&g.buf, "ord-%d,sale,partner-%d,2026-11-16T10:15:%02d+01:00,%d.%02d,1.50\n", g.i, g.i%100, g.i%60, g.i%5000+1, g.i%100)
			} else {
				fmt.Fprintf(&g.buf, `{"id":"ord-%d","type":"sale","partner":"partner-%d","at":"2026-11-16T10:15:%02d+01:00","amount":"%d.%02d","commission":1.50}%s`+"\n", g.i, g.i%100, g.i%60, g.i%5000+1, g.i%100, sep)
			}
		}
		g.i++
	}
	if g.buf.Len() == 0 {
		return 0, io.EOF
	}
	return g.buf.Read(p)
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestReader_ConstantMemory reads 200 000 events and checks that the heap
// does not grow with them. The bound is loose on purpose: a reader that
// kept its input would grow by tens of megabytes.
func TestReader_ConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 200 000 events")
	}
	const n = 200_000
	for _, f := range []ingest.Format{ingest.FormatNDJSON, ingest.FormatJSON, ingest.FormatCSV} {
		t.Run(f.String(), func(t *testing.T) {
			r := ingest.NewReader(&generator{format: f, n: n}, ingest.FormatAuto, pln)
			before := heapInUse()
			var peak uint64
			count := 0
			for {
				_, _, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("event %d: %v", count, err)
				}
				count++
				if count%50_000 == 0 {
					peak = max(peak, heapInUse())
				}
			}
			if count != n {
				t.Fatalf("read %d events, want %d", count, n)
			}
			if r.Format() != f {
				t.Fatalf("detected %v, want %v", r.Format(), f)
			}
			const bound = 16 << 20
			if peak > before && peak-before > bound {
				t.Fatalf("heap grew by %d MiB reading %d events, want under 16 MiB", (peak-before)>>20, n)
			}
		})
	}
}

func BenchmarkReaderNDJSON(b *testing.B) {
	const n = 10_000
	in, _ := io.ReadAll(&generator{format: ingest.FormatNDJSON, n: n})
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	events := 0
	for b.Loop() {
		r := ingest.NewReader(bytes.NewReader(in), ingest.FormatNDJSON, pln)
		for {
			_, _, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			events++
		}
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
