// Package ingest reads events from the bytes people and programs send:
// a JSON array, NDJSON (one object per line) or CSV with a header. The HTTP
// API (POST /api/v1/events) and the import command share it so that a file
// is accepted or refused the same way whichever door it comes through.
//
// A Reader streams: it holds one record at a time, so memory stays bounded
// (by MaxRecordBytes) whatever the size of the input. It stores nothing and
// reads no clock; checks that need the store (duplicates) or the time
// (events in the future) belong to the caller.
package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"partnerbot/bot"
)

// Format is the shape of an input.
type Format int

// The formats. FormatAuto, the zero value, sniffs the input (see
// DetectFormat).
const (
	FormatAuto   Format = iota
	FormatJSON          // a JSON array of event objects
	FormatNDJSON        // one event object per line
	FormatCSV           // a header row, then one event per row
)

var formatNames = [...]string{"auto", "json", "ndjson", "csv"}

// String returns "auto", "json", "ndjson" or "csv".
func (f Format) String() string {
	if f < 0 || int(f) >= len(formatNames) {
		return fmt.Sprintf("Format(%d)", int(f))
	}
	return formatNames[f]
}

// ParseFormat parses a format name as written on a command line: auto,
// json, ndjson (or jsonl) or csv, in any case. Returns EINVALID.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return FormatAuto, nil
	case "json":
		return FormatJSON, nil
	case "ndjson", "jsonl":
		return FormatNDJSON, nil
	case "csv":
		return FormatCSV, nil
	}
	return FormatAuto, bot.Errorf(bot.EINVALID, "unknown format %q: use json, ndjson or csv", s)
}

// MaxRecordBytes bounds one record: an NDJSON line, a JSON array element
// (with the space before it) or a CSV row. A longer record is refused, so
// a Reader's memory stays bounded whatever it is fed.
const MaxRecordBytes = 1 << 20

// readBufferSize is the Reader's read buffer: NDJSON lines up to this long
// are parsed without copying.
const readBufferSize = 64 << 10

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// DetectFormat decides the format of an input from its Content-Type (may
// be empty) and its first bytes. A declared NDJSON or CSV type wins;
// application/json is a JSON array when the body starts with '['.
// Otherwise the first byte that is not space (after a UTF-8 byte order
// mark) decides: '[' is a JSON array, '{' is NDJSON, anything else CSV.
func DetectFormat(contentType string, peek []byte) Format {
	first := byte(0)
	p := bytes.TrimPrefix(peek, utf8BOM)
	if i := bytes.IndexFunc(p, func(r rune) bool { return !isJSONSpace(r) }); i >= 0 {
		first = p[i]
	}
	switch mediaType(contentType) {
	case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonl",
		"application/jsonlines", "application/x-jsonlines":
		return FormatNDJSON
	case "text/csv", "application/csv", "text/comma-separated-values":
		return FormatCSV
	case "application/json":
		if first == '[' {
			return FormatJSON
		}
	}
	switch first {
	case '[':
		return FormatJSON
	case '{':
		return FormatNDJSON
	}
	return FormatCSV
}

func mediaType(contentType string) string {
	if contentType == "" {
		return ""
	}
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		return mt
	}
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

func isJSONSpace[T byte | rune](c T) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// Reader reads events one at a time. It is not safe for concurrent use.
type Reader struct {
	br       *bufio.Reader
	format   Format
	currency bot.Currency
	src      source
	f        fields
}

// source is one input format: it fills f with the next record's values
// as text and returns the line the record starts on.
type source interface {
	next(f *fields) (line int, err error)
}

// NewReader returns a Reader of events in format f from r; amounts are
// parsed with currency's minor-unit digits. It reads nothing until the
// first Next.
func NewReader(r io.Reader, f Format, currency bot.Currency) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, readBufferSize), format: f, currency: currency}
}

// Format returns the format being read. For FormatAuto it peeks at the
// input (which may block until the first bytes arrive) to decide.
func (r *Reader) Format() Format {
	r.start()
	return r.format
}

// Next returns the next event and the line it starts on (counted from 1;
// for a JSON array the line of the element's '{'). At the end of the input
// it returns io.EOF; an empty input holds no events.
//
// A bad record returns a *bot.Error with code EINVALID, Line set and Field
// naming the field at fault ("id", "type", "partner", "at", "amount",
// "commission", "currency", "ref", "state", an unknown field's or
// column's name, or "" for syntax).
// After a bad record in NDJSON or CSV, or a well-formed but invalid element
// of a JSON array, Next goes on with the next record, so a caller may list
// every problem in a file. Errors that leave the rest unreadable (JSON
// syntax in an array, a bad CSV header or quoting, a record longer than
// MaxRecordBytes in an array or CSV) are returned again by every later
// call. A failure to read the underlying reader is returned wrapped, not
// as a *bot.Error.
//
// The event has passed bot.Event.Validate, its time is in UTC, and a
// refund written with a negative amount has been made positive. An event
// with a currency other than the Reader's has its money read with that
// currency's digits and its Currency set; the store converts it (see
// store.Store.Ingest). Naming the Reader's own currency is the same as
// naming none. Whether
// the time is plausible (bot.Event.CheckTime) is for the caller to check.
func (r *Reader) Next() (bot.Event, int, error) {
	r.start()
	r.f = fields{}
	line, err := r.src.next(&r.f)
	if err != nil {
		if e := bot.AsError(err); e != nil {
			return bot.Event{}, e.Line, err
		}
		return bot.Event{}, line, err
	}
	e, berr := build(&r.f, r.currency)
	if berr != nil {
		berr.Line = line
		return bot.Event{}, line, berr
	}
	return e, line, nil
}

func (r *Reader) start() {
	if r.src != nil {
		return
	}
	// Editors on Windows and Excel's "CSV UTF-8" start files with a byte
	// order mark; it carries nothing.
	if b, _ := r.br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		r.br.Discard(len(utf8BOM))
	}
	if r.format <= FormatAuto || r.format > FormatCSV {
		r.format = DetectFormat("", r.sniff())
	}
	switch r.format {
	case FormatJSON:
		r.src = &arraySource{br: r.br}
	case FormatNDJSON:
		r.src = &ndjsonSource{br: r.br}
	default:
		r.src = &csvSource{br: r.br}
	}
}

// sniff peeks far enough to see the first byte that is not space, without
// waiting for a full buffer when it comes early.
func (r *Reader) sniff() []byte {
	for n := 64; ; n *= 2 {
		n = min(n, r.br.Size())
		b, err := r.br.Peek(n)
		if err != nil || n == r.br.Size() || bytes.IndexFunc(b, func(r rune) bool { return !isJSONSpace(r) }) >= 0 {
			return b
		}
	}
}

// The fields of an event, in the order they are checked and reported.
const (
	fID = iota
	fType
	fPartner
	fAt
	fAmount
	fCommission
	fCurrency
	fRef
	fState
	numFields
)

var fieldNames = [numFields]string{"id", "type", "partner", "at", "amount", "commission", "currency", "ref", "state"}

const fieldList = "id, type, partner, at, amount, commission, currency, ref, state"

// fieldIndex returns the index of a field name, or -1.
func fieldIndex(name string) int {
	for i, n := range fieldNames {
		if n == name {
			return i
		}
	}
	return -1
}

// fields holds one record's values as text, trimmed; an absent, null or
// empty value is not set.
type fields struct {
	val [numFields]string
	set [numFields]bool
}

// put stores a value for field i; blank text counts as absent.
func (f *fields) put(i int, s string) *bot.Error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if !utf8.ValidString(s) {
		return bot.FieldError(fieldNames[i], "%s is not valid UTF-8 text: save the file as UTF-8 (in Excel: \"CSV UTF-8\")", fieldNames[i])
	}
	f.val[i], f.set[i] = s, true
	return nil
}

// build turns a record's text into a validated event.
func abs(a bot.Amount) bot.Amount {
	if a < 0 {
		return -a
	}
	return a
}

func build(f *fields, cur bot.Currency) (bot.Event, *bot.Error) {
	for i := fType; i < numFields; i++ {
		// Values go into messages; keep those short. (Validate bounds ids.)
		if len(f.val[i]) > maxValueLen {
			return bot.Event{}, bot.FieldError(fieldNames[i], "%s is %d bytes long, more than any %s can be", fieldNames[i], len(f.val[i]), fieldNames[i])
		}
	}
	e := bot.Event{ID: f.val[fID], Type: bot.EventType(f.val[fType]), Partner: f.val[fPartner],
		Ref: f.val[fRef], State: bot.CommissionState(strings.ToLower(f.val[fState]))}
	if f.set[fCurrency] {
		// Money in another currency is read with that currency's digits;
		// the store converts it (see store.Ingest).
		c, err := bot.LookupCurrency(strings.ToUpper(f.val[fCurrency]))
		if err != nil {
			return bot.Event{}, bot.FieldError("currency", "%s", bot.ErrorMessage(err))
		}
		if c.Code != cur.Code {
			e.Currency, cur = c.Code, c
		}
	}
	if f.set[fAt] {
		t, err := parseTime(f.val[fAt])
		if err != nil {
			return bot.Event{}, err
		}
		e.At = t
	}
	for _, i := range []int{fAmount, fCommission} {
		if !f.set[i] {
			continue
		}
		a, err := parseAmount(fieldNames[i], f.val[i], cur)
		if err != nil {
			return bot.Event{}, err
		}
		if i == fAmount {
			e.Amount = a
		} else {
			e.Commission = a
		}
	}
	// Shop exports often write a refund, and the commission it takes
	// back, as negative numbers; the type already says the money goes back.
	// (A commission event's negative commission is a clawback: kept.)
	if e.Type == bot.EventRefund {
		e.Amount, e.Commission = abs(e.Amount), abs(e.Commission)
	}
	if e.Type.HasAmount() && !f.set[fAmount] {
		return bot.Event{}, bot.FieldError("amount", "a %s needs an amount in major units, like 129.99", e.Type)
	}
	if err := e.Validate(); err != nil {
		if be := bot.AsError(err); be != nil {
			c := *be
			return bot.Event{}, &c
		}
		return bot.Event{}, &bot.Error{Code: bot.EINVALID, Message: err.Error()}
	}
	return e, nil
}

func parseAmount(field, s string, cur bot.Currency) (bot.Amount, *bot.Error) {
	if hasExponent(s) {
		return 0, bot.FieldError(field, "%s %s has an exponent: write the number out, like 1000.00", field, s)
	}
	a, err := bot.ParseAmount(s, cur.Digits)
	if err != nil {
		msg := bot.ErrorMessage(err)
		if strings.Contains(msg, "decimal places") && cur.Code != "" {
			msg += fmt.Sprintf(" (%s has %d)", cur.Code, cur.Digits)
		}
		return 0, bot.FieldError(field, "%s", msg)
	}
	return a, nil
}

// hasExponent reports whether s is a number in exponent notation ("1e3"),
// which JSON allows and money does not.
func hasExponent(s string) bool {
	i := strings.IndexAny(s, "eE")
	if i <= 0 || i == len(s)-1 {
		return false
	}
	return strings.Trim(s[:i], "+-.0123456789") == "" && strings.Trim(s[i+1:], "+-0123456789") == ""
}

// maxValueLen bounds the values other than the id, which go into error
// messages when they are wrong.
const maxValueLen = 256

// clip shortens a name for a message.
func clip(s string) string {
	const n = 64
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// suggest returns a hint naming the known field that an unknown name
// probably meant, or "".
func suggest(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.NewReplacer("-", "_", " ", "_").Replace(n)
	aliases := map[string]string{
		"event_id": "id", "order_id": "id", "event": "type", "kind": "type",
		"partner_id": "partner", "affiliate": "partner", "time": "at", "timestamp": "at",
		"date": "at", "created_at": "at", "occurred_at": "at", "value": "amount",
		"total": "amount", "fee": "commission",
	}
	if a, ok := aliases[n]; ok {
		return fmt.Sprintf(": did you mean %q?", a)
	}
	for _, k := range fieldNames {
		if k == n || (len(n) >= 3 && editDistance(k, n) <= 2) {
			return fmt.Sprintf(": did you mean %q?", k)
		}
	}
	return ""
}

// editDistance is the Levenshtein distance; names here are short.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// errRecordTooLong is returned by the limiting reader under a JSON
// decoder or CSV reader when a record outgrows MaxRecordBytes.
var errRecordTooLong = errors.New("record too long")

// countingReader counts the bytes and newlines it passes on and refuses
// to read past limit (when limit >= 0), which bounds what a JSON decoder
// or CSV reader above it can buffer.
type countingReader struct {
	r        io.Reader
	n        int64
	newlines int
	last     byte
	limit    int64
	err      error // the first error from r other than io.EOF
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.limit >= 0 {
		if c.n >= c.limit {
			return 0, errRecordTooLong
		}
		if rem := c.limit - c.n; int64(len(p)) > rem {
			p = p[:rem]
		}
	}
	n, err := c.r.Read(p)
	if n > 0 {
		c.n += int64(n)
		c.newlines += bytes.Count(p[:n], newline)
		c.last = p[n-1]
	}
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}

// lastLine returns the number of the last line of what was read.
func (c *countingReader) lastLine() int {
	if c.n > 0 && c.last == '\n' {
		return max(c.newlines, 1)
	}
	return c.newlines + 1
}

var newline = []byte{'\n'}

func readError(err error) error { return fmt.Errorf("read events: %w", err) }

// syntaxError is an EINVALID error about the shape of the input.
func syntaxError(line int, format string, args ...any) *bot.Error {
	return &bot.Error{Code: bot.EINVALID, Line: line, Message: fmt.Sprintf(format, args...)}
}

func tooLong(line int, what string) *bot.Error {
	return syntaxError(line, "%s is longer than %d bytes (1 MiB): split it or check that the file is what you meant to send", what, MaxRecordBytes)
}
