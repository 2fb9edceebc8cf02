package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxBody bounds a Slack request body; Slack's are a few kilobytes.
const maxBody = 1 << 20

// maxSkew is how far a request's timestamp may be from our clock: older
// requests could be replays.
const maxSkew = 5 * time.Minute

// Why a request was refused; only logged, the sender just sees 401.
var (
	errNoSignature  = errors.New("missing X-Slack-Signature or X-Slack-Request-Timestamp")
	errBadTimestamp = errors.New("malformed X-Slack-Request-Timestamp")
	errStale        = errors.New("request timestamp more than 5 minutes from now")
	errBadSignature = errors.New("signature does not match")
)

// verify checks Slack's request signature: "v0=" + hex(HMAC-SHA256(secret,
// "v0:" + timestamp + ":" + body)), with the timestamp within 5 minutes
// of now. It reads no clock of its own, so tests and rehearsals decide
// what now is.
func verify(secret, timestamp, signature string, body []byte, now time.Time) error {
	if timestamp == "" || signature == "" {
		return errNoSignature
	}
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return errBadTimestamp
	}
	if d := now.Sub(time.Unix(sec, 0)); d > maxSkew || d < -maxSkew {
		return errStale
	}
	got, ok := strings.CutPrefix(signature, "v0=")
	if !ok {
		return errBadSignature
	}
	gotMAC, err := hex.DecodeString(got)
	if err != nil {
		return errBadSignature
	}
	mac := hmac.New(sha256.New, []byte(secret))
	io.WriteString(mac, "v0:"+timestamp+":")
	mac.Write(body)
	if !hmac.Equal(gotMAC, mac.Sum(nil)) {
		return errBadSignature
	}
	return nil
}

// signed wraps an HTTP-mode route: without a signing secret it answers
// 503; it reads the body (at most 1 MiB) and passes it on only when the
// signature holds, answering 401 otherwise with nothing else done.
func (a *Adapter) signed(next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.opt.SigningSecret == "" {
			http.Error(w, "Slack HTTP mode needs SLACK_SIGNING_SECRET", http.StatusServiceUnavailable)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "cannot read request body", http.StatusBadRequest)
			return
		}
		err = verify(a.opt.SigningSecret, r.Header.Get("X-Slack-Request-Timestamp"), r.Header.Get("X-Slack-Signature"), body, a.clock.Now())
		if err != nil {
			a.log.Info("refused unsigned slack request", "path", r.URL.Path, "remote", r.RemoteAddr, "err", err)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		next(w, r, body)
	})
}

// bodyID names a signed request by its timestamp and body: a byte-for-byte
// replay has the same one. It stands in for a platform id a request does
// not carry.
func bodyID(r *http.Request, body []byte) string {
	h := sha256.New()
	io.WriteString(h, r.Header.Get("X-Slack-Request-Timestamp")+":")
	h.Write(body)
	return "body-" + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18])
}
