package api

import (
	"bufio"
	"errors"
	"net/http"
	"strconv"
	"time"

	"partnerbot/bot"
	"partnerbot/ingest"
)

// postEvents stores a JSON array or NDJSON body of events atomically:
// all of them, or none and a 400 naming the line and field.
func (s *Server) postEvents(w http.ResponseWriter, r *http.Request) {
	body := bufio.NewReaderSize(http.MaxBytesReader(w, r.Body, s.opt.MaxBody), 64<<10)
	peek, _ := body.Peek(512)
	format := ingest.DetectFormat(r.Header.Get("Content-Type"), peek)
	if format == ingest.FormatCSV {
		writeError(w, r, s.opt.Logger, bot.Errorf(bot.EINVALID, "send a JSON array or NDJSON (one JSON object per line); CSV is for partnerbot import"))
		return
	}
	evs, lines, err := ingest.CollectMax(ingest.NewReader(body, format, s.opt.Currency), s.opt.Clock.Now(), s.opt.MaxFuture, s.opt.MaxEvents)
	if err != nil {
		var tooMany *ingest.TooManyEvents
		if errors.As(err, &tooMany) {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"error": err.Error(), "code": bot.EINVALID})
			s.events.Inc("rejected")
			return
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{
				"error": "body larger than the limit of " + byteSize(mbe.Limit) + "; split the events into several requests", "code": bot.EINVALID})
			s.events.Inc("rejected")
			return
		}
		s.events.Inc("rejected")
		writeError(w, r, s.opt.Logger, err)
		return
	}
	res, err := s.opt.Store.Ingest(r.Context(), evs, lines)
	if err != nil {
		s.events.Inc("rejected")
		writeError(w, r, s.opt.Logger, err)
		return
	}
	s.events.Add(float64(res.Accepted), "accepted")
	s.events.Add(float64(res.Duplicates), "duplicate")
	if s.opt.OnIngest != nil && res.Accepted > 0 {
		in := Ingested{Newest: map[string]time.Time{}, Accepted: res.Accepted}
		for _, e := range evs {
			if t, ok := in.Newest[e.Partner]; !ok || e.At.After(t) {
				in.Newest[e.Partner] = e.At
			}
		}
		s.opt.OnIngest(in)
	}
	writeJSON(w, http.StatusOK, res)
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
