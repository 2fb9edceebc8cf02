package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"partnerbot/bot"
)

// parseObject reads one event object from b, which must be valid JSON
// (checked by the caller), into f. It walks the object itself rather than
// unmarshalling into a struct so that it can refuse unknown and repeated
// keys by name, tell a number from a string, and allocate only the values.
func parseObject(b []byte, f *fields) *bot.Error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return notObject(b[i:])
	}
	var seen [numFields]bool
	i++
	for {
		i = skipSpace(b, i)
		if i >= len(b) {
			return syntaxError(0, "JSON syntax error: the object is not closed")
		}
		switch b[i] {
		case '}':
			return nil
		case ',':
			i = skipSpace(b, i+1)
		}
		if i >= len(b) || b[i] != '"' {
			return syntaxError(0, "JSON syntax error: expected a field name")
		}
		kend := stringEnd(b, i)
		key := b[i:kend]
		i = skipSpace(b, kend)
		if i >= len(b) || b[i] != ':' {
			return syntaxError(0, "JSON syntax error: expected ':' after a field name")
		}
		i = skipSpace(b, i+1)
		vend := valueEnd(b, i)
		val := b[i:vend]
		i = vend

		k := knownKey(key)
		if k < 0 {
			name, ok := jsonString(key)
			if !ok {
				return syntaxError(0, "a field name is not valid UTF-8 text: send UTF-8")
			}
			if k = fieldIndex(name); k < 0 {
				name = clip(name)
				return bot.FieldError(name, "unknown field %q%s (an event has: %s)", name, suggest(name), fieldList)
			}
		}
		if seen[k] {
			return bot.FieldError(fieldNames[k], "field %q appears twice in one event: keep one", fieldNames[k])
		}
		seen[k] = true
		if err := putJSONValue(f, k, val); err != nil {
			return err
		}
	}
}

// knownKey returns the field a plain (unescaped) key literal names, or
// -1; it spares an allocation per key.
func knownKey(lit []byte) int {
	if len(lit) < 2 {
		return -1
	}
	switch string(lit[1 : len(lit)-1]) {
	case "id":
		return fID
	case "type":
		return fType
	case "partner":
		return fPartner
	case "at":
		return fAt
	case "amount":
		return fAmount
	case "commission":
		return fCommission
	case "currency":
		return fCurrency
	case "ref":
		return fRef
	case "state":
		return fState
	}
	return -1
}

var fieldExample = [numFields]string{
	`"id":"ord-1001"`, `"type":"sale"`, `"partner":"janko"`, `"at":"` + exampleTime + `"`,
	`"amount":"129.99"`, `"commission":"2.60"`, `"currency":"EUR"`, `"ref":"ord-1001"`, `"state":"approved"`,
}

// putJSONValue checks the JSON type of field k's value and stores its text.
func putJSONValue(f *fields, k int, val []byte) *bot.Error {
	name := fieldNames[k]
	if len(val) == 0 {
		return syntaxError(0, "JSON syntax error: %s has no value", name)
	}
	money := k == fAmount || k == fCommission
	switch c := val[0]; {
	case c == 'n': // null: as if absent
		return nil
	case c == '"':
		s, ok := jsonString(val)
		if !ok {
			return bot.FieldError(name, "%s is not valid UTF-8 text: send UTF-8", name)
		}
		return f.put(k, s)
	case money && (c == '-' || (c >= '0' && c <= '9')):
		// The number's text, never a float64: 129.99 must be 12999 exactly.
		return f.put(k, string(val))
	case c == '-' || (c >= '0' && c <= '9'):
		return bot.FieldError(name, "%s must be a string: write \"%s\":\"%s\"", name, name, val)
	}
	if money {
		return bot.FieldError(name, "%s must be a decimal string or number, like %s", name, fieldExample[k])
	}
	return bot.FieldError(name, "%s must be a string, like %s", name, fieldExample[k])
}

// jsonString returns the text of the JSON string literal b (quotes
// included). It reports false for text that is not UTF-8, which JSON
// would otherwise turn silently into U+FFFD.
func jsonString(b []byte) (string, bool) {
	if len(b) < 2 || !utf8.Valid(b) {
		return "", false
	}
	if bytes.IndexByte(b, '\\') < 0 {
		return string(b[1 : len(b)-1]), true
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return "", false
	}
	return s, true
}

func notObject(b []byte) *bot.Error {
	what := "a value"
	if len(b) > 0 {
		switch b[0] {
		case '[':
			what = "an array"
		case '"':
			what = "a string"
		case 't', 'f':
			what = "true or false"
		case 'n':
			what = "null"
		default:
			what = "a number"
		}
	}
	return syntaxError(0, "an event must be a JSON object like {\"id\":\"ord-1001\",\"type\":\"sale\",...}, not %s", what)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isJSONSpace(b[i]) {
		i++
	}
	return i
}

// stringEnd returns the index just past the string literal starting at
// b[i] == '"'.
func stringEnd(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// valueEnd returns the index just past the JSON value starting at b[i].
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = stringEnd(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	for ; i < len(b); i++ {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
	}
	return len(b)
}

// describeSyntax turns a JSON syntax error at data[k] into a sentence
// with a hint for the usual mistakes.
// afterComma says that data follows a comma the decoder consumed.
func describeSyntax(msg string, data []byte, k int, afterComma bool) string {
	hint := ""
	if k < len(data) {
		switch c := data[k]; {
		case c == '}' || c == ']':
			j := k - 1
			for j >= 0 && isJSONSpace(data[j]) {
				j--
			}
			if (j >= 0 && data[j] == ',') || (j < 0 && afterComma) {
				hint = ": remove the comma before it (JSON allows no trailing comma)"
			}
		case c == '\'':
			hint = ": JSON strings take double quotes"
		}
	}
	return "JSON syntax error: " + msg + hint
}

// ndjsonSource reads one event object per line.
type ndjsonSource struct {
	br   *bufio.Reader
	line int
	seen bool // a line that is not blank
	buf  []byte
	err  error
}

func (s *ndjsonSource) next(f *fields) (int, error) {
	for {
		if s.err != nil {
			return 0, s.err
		}
		b, long, err := s.readLine()
		if err != nil && err != io.EOF {
			s.err = readError(err)
			return 0, s.err
		}
		if len(b) == 0 && !long && err == io.EOF {
			s.err = io.EOF
			return 0, io.EOF
		}
		s.line++
		if err == io.EOF {
			s.err = io.EOF // after this last, unterminated line
		}
		if long {
			return s.line, tooLong(s.line, "the line")
		}
		b = bytes.TrimRight(b, "\r\n")
		if len(bytes.TrimLeft(b, " \t\r")) == 0 {
			continue
		}
		perr := s.parse(b, f)
		s.seen = true
		if perr != nil {
			perr.Line = s.line
			return s.line, perr
		}
		return s.line, nil
	}
}

func (s *ndjsonSource) parse(b []byte, f *fields) *bot.Error {
	if !json.Valid(b) {
		var raw json.RawMessage
		err := json.Unmarshal(b, &raw)
		var se *json.SyntaxError
		if !errors.As(err, &se) {
			return syntaxError(0, "JSON syntax error")
		}
		k := int(min(max(se.Offset-1, 0), int64(len(b))))
		if se.Offset >= int64(len(b)) && strings.HasPrefix(se.Error(), "unexpected end") {
			return syntaxError(0, "JSON syntax error: the line ends inside an event; in NDJSON each line holds one whole object (to spread events over lines, send a JSON array)")
		}
		return syntaxError(0, "%s (column %d)", describeSyntax(se.Error(), b, k, false), k+1)
	}
	if i := skipSpace(b, 0); i < len(b) && b[i] == '[' && !s.seen {
		return syntaxError(0, "this is a JSON array, but the input was read as NDJSON (one object per line): send it with Content-Type application/json")
	}
	return parseObject(b, f)
}

// readLine returns the next line, with its newline, or reports that it is
// longer than MaxRecordBytes (and skips it). The line is valid until the
// next call.
func (s *ndjsonSource) readLine() (line []byte, long bool, err error) {
	const limit = MaxRecordBytes + 2 // "\r\n"
	s.buf = s.buf[:0]
	for {
		frag, err := s.br.ReadSlice('\n')
		if err != bufio.ErrBufferFull {
			if len(s.buf) == 0 && !long {
				return frag, len(frag) > limit, err
			}
			if long || len(s.buf)+len(frag) > limit {
				return nil, true, err
			}
			s.buf = append(s.buf, frag...)
			return s.buf, false, err
		}
		if long || len(s.buf)+len(frag) > limit {
			long = true
			s.buf = s.buf[:0]
			continue
		}
		s.buf = append(s.buf, frag...)
	}
}

// arraySource reads a JSON array of event objects element by element
// with a json.Decoder, so a huge array takes no more memory than its
// largest element.
//
// Line numbers come from newline counts: the countingReader under the
// decoder counts the newlines of everything the decoder has read, and the
// decoder's unread buffer tells how many of those it has not consumed yet.
type arraySource struct {
	br    *bufio.Reader
	cr    countingReader
	dec   *json.Decoder
	raw   json.RawMessage
	count int // elements decoded
	err   error
	one   [1]byte
}

func (s *arraySource) next(f *fields) (int, error) {
	if s.err != nil {
		if e := bot.AsError(s.err); e != nil {
			return e.Line, s.err
		}
		return 0, s.err
	}
	line, fatal, err := s.step(f)
	if fatal {
		s.err = err
	}
	return line, err
}

// step reads one element. fatal reports an error after which the rest of
// the array cannot be read.
func (s *arraySource) step(f *fields) (line int, fatal bool, err error) {
	if s.dec == nil {
		if err := s.open(); err != nil {
			return 0, true, err
		}
	}
	s.cr.limit = s.dec.InputOffset() + MaxRecordBytes
	if !s.dec.More() {
		return 0, true, s.close()
	}
	c := s.peek()
	switch {
	case s.count > 0 && c != ',':
		hint := ""
		if c == '{' {
			hint = ": a comma is missing between two events"
		}
		return 0, true, syntaxError(s.line(), "JSON syntax error: expected ',' or ']' after an event, found %q%s", c, hint)
	case s.count == 0 && c == ',':
		return 0, true, syntaxError(s.line(), "JSON syntax error: unexpected ',' before the first event")
	}
	if err := s.dec.Decode(&s.raw); err != nil {
		return 0, true, s.decodeError(err)
	}
	s.count++
	start := s.line() - bytes.Count(s.raw, newline)
	if err := parseObject(s.raw, f); err != nil {
		err.Line = start
		return start, false, err
	}
	return start, false, nil
}

// open skips the space before the array (counting its lines) and checks
// that an array is what follows.
func (s *arraySource) open() error {
	nl := 0
	for {
		c, err := s.br.ReadByte()
		if err == io.EOF {
			return io.EOF // nothing but space: no events
		}
		if err != nil {
			return readError(err)
		}
		if c == '\n' {
			nl++
		}
		if isJSONSpace(c) {
			continue
		}
		if c != '[' {
			hint := ""
			if c == '{' {
				hint = "; to send one object per line, use NDJSON (Content-Type application/x-ndjson)"
			}
			return syntaxError(nl+1, "expected a JSON array of events like [{...},{...}], found %q%s", c, hint)
		}
		s.br.UnreadByte()
		break
	}
	s.cr = countingReader{r: s.br, newlines: nl, limit: MaxRecordBytes}
	s.dec = json.NewDecoder(&s.cr)
	if _, err := s.dec.Token(); err != nil { // '['
		return s.decodeError(err)
	}
	return nil
}

// close consumes the closing ']' and checks that nothing but space
// follows it.
func (s *arraySource) close() error {
	tok, err := s.dec.Token()
	if err != nil {
		return s.decodeError(err)
	}
	if tok != json.Delim(']') {
		return syntaxError(s.line(), "JSON syntax error: expected ']' to close the array")
	}
	line := s.line()
	rest, _ := io.ReadAll(s.dec.Buffered())
	if k := firstNonSpace(rest); k >= 0 {
		return syntaxError(line+bytes.Count(rest[:k], newline), "unexpected %q after the closing ']' of the array: send one array", rest[k])
	}
	line += bytes.Count(rest, newline)
	s.cr.limit = -1
	var buf [4096]byte
	for {
		n, err := s.cr.Read(buf[:])
		if k := firstNonSpace(buf[:n]); k >= 0 {
			return syntaxError(line+bytes.Count(buf[:k], newline), "unexpected %q after the closing ']' of the array: send one array", buf[k])
		}
		line += bytes.Count(buf[:n], newline)
		if err == io.EOF {
			return io.EOF
		}
		if err != nil {
			return readError(err)
		}
	}
}

func firstNonSpace(b []byte) int {
	for i, c := range b {
		if !isJSONSpace(c) {
			return i
		}
	}
	return -1
}

// peek returns the next byte the decoder will read, after More has
// skipped the space before it.
func (s *arraySource) peek() byte {
	if n, _ := s.dec.Buffered().Read(s.one[:]); n == 1 {
		return s.one[0]
	}
	return 0
}

// line returns the line of the decoder's position: the newlines it has
// read less those still in its buffer.
func (s *arraySource) line() int {
	var c newlineCounter
	io.Copy(&c, s.dec.Buffered())
	return 1 + s.cr.newlines - int(c)
}

type newlineCounter int

func (c *newlineCounter) Write(p []byte) (int, error) {
	*c += newlineCounter(bytes.Count(p, newline))
	return len(p), nil
}

// decodeError turns an error from the decoder into a located one.
func (s *arraySource) decodeError(err error) error {
	if errors.Is(err, errRecordTooLong) {
		return tooLong(s.line(), "an event in the array (with the space before it)")
	}
	if s.cr.err != nil {
		return readError(s.cr.err)
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return syntaxError(s.cr.lastLine(), "JSON syntax error: the input ends before the array is closed with ']'")
	}
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return syntaxError(s.line(), "JSON syntax error: %v", err)
	}
	// The decoder's offsets are unreliable across calls, but its buffer
	// still holds the value that failed: scan it again on its own to find
	// where.
	buf, _ := io.ReadAll(s.dec.Buffered())
	k := len(buf)
	var raw json.RawMessage
	var se2 *json.SyntaxError
	if err := json.NewDecoder(bytes.NewReader(buf)).Decode(&raw); errors.As(err, &se2) {
		k = int(min(max(se2.Offset-1, 0), int64(len(buf))))
	} else if err == nil {
		k = 0
	}
	return syntaxError(s.line()+bytes.Count(buf[:k], newline), "%s", describeSyntax(se.Error(), buf, k, s.count > 0))
}
