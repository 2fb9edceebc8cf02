package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"partnerbot/bot"
)

// csvSource reads CSV with a header row naming the columns.
type csvSource struct {
	br    *bufio.Reader
	cr    countingReader
	r     *csv.Reader
	col   [numFields]int // the cell index of each field, -1 without a column
	blank []int          // columns without a name: their cells must be empty
	ncol  int
	err   error
}

// csvSlack covers what csv.Reader's own buffer reads ahead of a record.
const csvSlack = 64 << 10

func (s *csvSource) next(f *fields) (int, error) {
	if s.err != nil {
		if e := bot.AsError(s.err); e != nil {
			return e.Line, s.err
		}
		return 0, s.err
	}
	if s.r == nil {
		if err := s.header(); err != nil {
			s.err = err
			return 0, err
		}
	}
	for {
		rec, err := s.read()
		if err != nil {
			s.err = err
			return 0, err
		}
		line, _ := s.r.FieldPos(0)
		if blankRecord(rec) {
			continue // Excel writes rows of bare separators
		}
		if len(rec) != s.ncol {
			return line, syntaxError(line, "this row has %d cells but the header has %d: check for a separator inside a cell (put such cells in quotes)", len(rec), s.ncol)
		}
		for _, i := range s.blank {
			if strings.TrimSpace(rec[i]) != "" {
				return line, syntaxError(line, "cell %d is in a column without a name: name the column in the header or empty the cell", i+1)
			}
		}
		for k, i := range s.col {
			if i < 0 {
				continue
			}
			if err := f.put(k, rec[i]); err != nil {
				err.Line = line
				return line, err
			}
		}
		return line, nil
	}
}

// read reads one record, bounding how much the csv.Reader may buffer.
func (s *csvSource) read() ([]string, error) {
	s.cr.limit = s.r.InputOffset() + MaxRecordBytes + csvSlack
	rec, err := s.r.Read()
	if err == nil {
		return rec, nil
	}
	if err == io.EOF {
		return nil, io.EOF
	}
	if errors.Is(err, errRecordTooLong) {
		return nil, tooLong(s.cr.lastLine(), "a row")
	}
	if s.cr.err != nil {
		return nil, readError(s.cr.err)
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		switch {
		case errors.Is(pe.Err, csv.ErrBareQuote):
			msg = `a quote (") inside a cell that does not start with one: put the whole cell in quotes and double the quote, like "12"" screen"`
		case errors.Is(pe.Err, csv.ErrQuote):
			msg = `a quoted cell is not closed, or has text after its closing quote: check the quotes (a quote inside a quoted cell is written twice: "")`
		}
		return nil, syntaxError(pe.Line, "CSV syntax error at character %d: %s", pe.Column, msg)
	}
	return nil, syntaxError(s.cr.lastLine(), "CSV error: %v", err)
}

// header reads the header row and maps its columns to fields.
func (s *csvSource) header() error {
	comma := detectDelimiter(s.br)
	s.cr = countingReader{r: s.br, limit: MaxRecordBytes + csvSlack}
	s.r = csv.NewReader(&s.cr)
	s.r.Comma = comma
	s.r.FieldsPerRecord = -1 // checked against the header here, with a better message
	s.r.ReuseRecord = true
	rec, err := s.read()
	if err != nil {
		return err // io.EOF: an empty file holds no events
	}
	line, _ := s.r.FieldPos(0)
	s.ncol = len(rec)
	for i := range s.col {
		s.col[i] = -1
	}
	for i, cell := range rec {
		name := strings.ToLower(strings.TrimSpace(cell))
		if name == "" {
			s.blank = append(s.blank, i)
			continue
		}
		k := fieldIndex(name)
		if k < 0 {
			name = clip(name)
			return &bot.Error{Code: bot.EINVALID, Line: line, Field: name,
				Message: fmt.Sprintf("unknown column %q%s (the first row must name the columns: %s)", clip(strings.TrimSpace(cell)), suggest(name), fieldList)}
		}
		if s.col[k] >= 0 {
			return &bot.Error{Code: bot.EINVALID, Line: line, Field: name,
				Message: fmt.Sprintf("column %q appears twice in the header: keep one", name)}
		}
		s.col[k] = i
	}
	for _, k := range []int{fID, fType, fPartner, fAt} {
		if s.col[k] < 0 {
			return &bot.Error{Code: bot.EINVALID, Line: line, Field: fieldNames[k],
				Message: fmt.Sprintf("the header has no %q column: the first row must name the columns, at least id, type, partner and at (and amount for sales, refunds and payouts)", fieldNames[k])}
		}
	}
	return nil
}

// detectDelimiter looks at the header line: Polish and German Excel
// writes CSV with ';' because ',' is their decimal separator, and "Unicode
// text" exports use tabs.
func detectDelimiter(br *bufio.Reader) rune {
	var b []byte
	for n := 512; ; n *= 2 {
		n = min(n, br.Size())
		p, err := br.Peek(n)
		p = bytes.TrimLeft(p, "\r\n")
		if i := bytes.IndexByte(p, '\n'); i >= 0 {
			b = p[:i]
			break
		}
		if err != nil || n == br.Size() {
			b = p
			break
		}
	}
	switch {
	case bytes.IndexByte(b, ',') >= 0:
		return ','
	case bytes.IndexByte(b, ';') >= 0:
		return ';'
	case bytes.IndexByte(b, '\t') >= 0:
		return '\t'
	}
	return ','
}

func blankRecord(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
